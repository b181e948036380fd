"""Workbook builders: one function per report type, `build(scope) -> WorkbookPlan`.

Builders only read, through the other apps' selectors, and start every query from the
report's scope (`ReportScope.hospitals()` / `hospital_filter()`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string

from core.excel import Sheet

from ..choices import ReportType


@dataclass
class WorkbookPlan:
    title: str
    sheets: list[Sheet]


_BUILDER_PATHS = {
    ReportType.HAZARD_LEDGER: "reports.builders.ledger.build",
    ReportType.INSPECTION_MONTH: "reports.builders.inspection_month.build",
    ReportType.QUARTERLY: "reports.builders.quarterly.build",
    ReportType.SECURITY_HALF_YEAR: "reports.builders.security_half_year.build",
    ReportType.PROGRESS: "reports.builders.progress.build",
    ReportType.HAZARD_STATS_QUARTER: "reports.builders.statutory.build",
    ReportType.HAZARD_STATS_YEAR: "reports.builders.statutory.build",
    ReportType.CAMPAIGN_SUMMARY: "reports.builders.narrative.build_campaign_summary",
}


class _Registry(dict):
    def __missing__(self, key):
        path = _BUILDER_PATHS[key]  # KeyError for unknown types
        builder = import_string(path)
        self[key] = builder
        return builder


BUILDERS = _Registry()


def estimate_rows(report_type: str, scope) -> int:
    """A cheap upper estimate of a workbook's rows (decides direct download vs. queued build).
    A builder module may define `estimate_rows(scope)`; otherwise one row per hospital."""
    module_path = _BUILDER_PATHS[report_type].rsplit(".", 1)[0]
    try:
        estimator = import_string(f"{module_path}.estimate_rows")
    except ImportError:
        return scope.hospitals().count()
    return estimator(scope)


def labels(choices) -> dict:
    """{value: translated label} of a TextChoices class, computed once per build: Django's
    get_FOO_display() re-translates every choice on every call (too slow for 100k rows)."""
    return {value: str(label) for value, label in choices.choices}
