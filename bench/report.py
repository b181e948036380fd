"""bench/RESULTS.md from one harness run."""

from __future__ import annotations


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def render(*, machine, sizes, pages, reminders, ledger, throughput, plans, figures=None) -> str:
    lines = [
        "# Benchmark results (issue 11)",
        "",
        "Written by `make bench` (`manage.py bench_run`); do not edit by hand.",
        "",
        "## Machine and versions",
        "",
        *[f"- {key}: {value}" for key, value in machine.items()],
        "",
        "## Dataset",
        "",
        *[f"- {key}: {value:,}" for key, value in sizes.items()],
        "",
        "## Pages (server time through Django's test client, warm)",
        "",
        "The floor is the rows the page shows fetched by raw SQL with psycopg in the same run; "
        "ratio = page p50 / floor p50.",
        "",
        "| page | status | p50 ms | p95 ms | target p95 | queries | HTML KB | floor p50 ms "
        "| ratio | first request ms | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in pages:
        ratio = f"{m.p50 / m.floor_p50:.0f}×" if m.floor_p50 else "—"
        limit = f" / {m.page.html_limit_kb:.0f}" if m.page.html_limit_kb else ""
        lines.append(
            f"| {m.page.name} | {m.status} | {m.p50:.0f} | {m.p95:.0f} | {m.page.target_ms:.0f} "
            f"| {m.queries} | {m.html_kb:.0f}{limit} | {_ms(m.floor_p50)} | {ratio} "
            f"| {m.cold:.0f} | {'yes' if m.ok else '**no**'} |"
        )
    if figures:
        lines += [
            "",
            "## Stored figure runs (the scheduled refresh, `reports.refresh_figures`)",
            "",
            "Dashboards over large scopes read these lines (as of the run's instant) instead of "
            "aggregating the hazards; the refresh runs every `FIGURES_REFRESH_MINUTES` (5).",
            "",
            *[f"- {key}: {value}" for key, value in figures.items()],
        ]
    if reminders:
        lines += ["", "## Daily reminder scan (rolled back)", ""]
        lines.append(
            f"- {reminders['seconds']} s, {reminders['notifications']} notifications, "
            f"{reminders.get('due', 0):,} hazards due that day (next_reminder_on), "
            f"{reminders.get('queries', 0):,} queries, "
            f"{reminders['overdue_open']:,} open overdue hazards (target ≤ 2 s)"
        )
    if ledger:
        lines += [
            "",
            "## Ledger export against bare openpyxl write-only (fresh processes)",
            "",
            "bare = openpyxl write-only writing the same rows and columns from tuples in memory "
            "(`bench/bench_ledger.py --existing --mode tuples`); ledger = the download itself "
            "(query, layout, file).",
            "",
        ]
        lines.append(
            f"- {ledger['rows']:,} rows: ledger {ledger['ledger']['seconds']} s, peak RSS "
            f"{ledger['ledger']['peak_rss_mb']} MB; bare {ledger['bare']['seconds']} s, "
            f"peak RSS {ledger['bare']['peak_rss_mb']} MB; ratio {ledger['ratio']}× "
            "(target ≤ 1.25×, ≤ 150 MB)"
        )
    if throughput:
        lines += ["", "## gunicorn (2 sync workers) + wrk on loopback", ""]
        lines += [
            f"- trivial page /healthz, 16 connections: {throughput['trivial']['rps']} req/s",
            f"- hazard list (province), 16 connections: {throughput['hazard_list']['rps']} req/s "
            f"= {throughput['ratio']} of trivial (target ≥ 0.35)",
            f"- hazard list, 200 connections: {throughput['crowd_200']['rps']} req/s, "
            f"non-2xx {throughput['crowd_200']['non_2xx']} "
            f"{throughput['crowd_200']['socket_errors']}",
        ]
    for title, entries in plans:
        lines += ["", f"## EXPLAIN (ANALYZE, BUFFERS): queries over 5 ms on {title}", ""]
        if not entries:
            lines.append("(none over 5 ms)")
        for entry in entries:
            lines += ["```", entry, "```"]
    return "\n".join(lines) + "\n"
