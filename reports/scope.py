"""What a report covers: a region (and everything below it) or one hospital, over a period,
as of one instant."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from hospitals.models import Hospital, Region, within

from .periods import Period, as_of_for, as_of_text


@dataclass(frozen=True)
class ReportScope:
    """`as_of` is the instant every figure of the scope is computed as of; left out, it is
    `as_of_for(period)` at the time the scope is made (the period end, or now while the period
    runs) and then fixed, so one page or workbook never mixes two instants."""

    region: Region
    period: Period
    hospital: Hospital | None = None
    as_of: dt.datetime | None = None

    def __post_init__(self):
        if self.as_of is None:
            object.__setattr__(self, "as_of", as_of_for(self.period))

    @property
    def as_of_text(self) -> str:
        """ "数据截至 2026-10-31 24:00"."""
        return as_of_text(self.as_of)

    def with_period(self, period: Period) -> ReportScope:
        """The same hospitals over another period, as of that period's own instant (no later
        than this scope's): e.g. the previous month of a 月报."""
        return dataclasses.replace(self, period=period, as_of=as_of_for(period, self.as_of))

    @property
    def name(self) -> str:
        return self.hospital.name if self.hospital else self.region.name

    def hospitals(self):
        """Every hospital the report covers. THE scoping rule of every row of every report:
        builders start from this queryset (or `hospital_filter`) and nothing else."""
        if self.hospital is not None:
            return Hospital.objects.filter(pk=self.hospital.pk)
        return Hospital.objects.in_region(self.region)

    def hospital_filter(self, prefix: str = "hospital") -> Q:
        """Condition restricting a related queryset to the scope (`prefix`: the hospital)."""
        if self.hospital is not None:
            return Q(**{f"{prefix}_id": self.hospital.pk})
        return within(self.region, f"{prefix}__region")

    def child_regions(self) -> list[Region]:
        """Sub-regions one level down (for per-region totals); the region itself if a leaf."""
        if self.hospital is not None:
            return [self.region]
        children = list(Region.objects.filter(parent=self.region).order_by("path"))
        return children or [self.region]
