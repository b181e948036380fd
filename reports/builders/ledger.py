"""隐患台账: one row per hazard found in the period, THE ledger layout of hazards.exports (the
same columns as the web download), every figure as of `scope.as_of`."""

from __future__ import annotations

from hazards.exports import ledger_columns, ledger_sheets

from ..choices import ReportType
from ..selectors import period_hazards
from . import WorkbookPlan

__all__ = ["build", "estimate_rows", "ledger_columns"]


def estimate_rows(scope) -> int:
    return period_hazards(scope).count()


def build(scope) -> WorkbookPlan:
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.HAZARD_LEDGER.label}",
        sheets=ledger_sheets(period_hazards(scope), as_of=scope.as_of),
    )
