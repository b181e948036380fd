"""manage.py bench_run [--runs 50] [--out bench/RESULTS.md]: measure and write the results."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from bench import harness
from bench.report import render


class Command(BaseCommand):
    help = "Measure every page of issue 11 against its floor and write bench/RESULTS.md."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=50)
        parser.add_argument("--out", default="")
        parser.add_argument("--ledger-rows", type=int, default=50_000)
        parser.add_argument("--no-throughput", action="store_true")
        parser.add_argument("--no-explain", action="store_true")
        parser.add_argument("--no-reminders", action="store_true")
        parser.add_argument("--only", default="", help="only pages whose name contains this")
        parser.add_argument("--seconds", type=int, default=10, help="wrk duration per run")

    def handle(self, *args, **options):
        log = self.stdout.write
        log("Stored figure runs:")
        figures = harness.figure_runs()  # what the beat task keeps fresh in production
        log(f"  {figures}")
        log("Pages:")
        pages = [
            harness.measure_page(p, options["runs"], log=log)
            for p in harness.pages()
            if options["only"] in p.name
        ]
        reminders = None
        if not options["no_reminders"]:
            log("Reminder scan:")
            reminders = harness.reminder_scan()
            log(f"  {reminders}")
        log("Ledger:")
        ledger = harness.ledger(options["ledger_rows"]) if options["ledger_rows"] else None
        log(f"  {ledger}")
        plans = []
        if not options["no_explain"]:
            for user, url in (("province", "/hazards/"), ("county", "/hazards/")):
                plans.append((f"{url} ({user})", harness.explain_list_queries(user, url)))
        throughput = None
        if not options["no_throughput"]:
            log("Throughput:")
            throughput = harness.throughput(options["seconds"])
            log(f"  {throughput}")
        text = render(
            machine=harness.machine(),
            sizes=harness.sizes(),
            pages=pages,
            reminders=reminders,
            ledger=ledger,
            throughput=throughput,
            plans=plans,
            figures=figures,
        )
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
            log(f"Wrote {options['out']}")
        else:
            self.stdout.write(text)
