"""What a report covers: a region (and everything below it) or one hospital, over a period."""

from __future__ import annotations

from dataclasses import dataclass

from hospitals.models import Hospital, Region

from .periods import Period


@dataclass(frozen=True)
class ReportScope:
    region: Region
    period: Period
    hospital: Hospital | None = None

    @property
    def name(self) -> str:
        return self.hospital.name if self.hospital else self.region.name

    def hospitals(self):
        """Every hospital the report covers. THE scoping rule of every row of every report:
        builders start from this queryset (or `hospital_filter`) and nothing else."""
        if self.hospital is not None:
            return Hospital.objects.filter(pk=self.hospital.pk)
        return Hospital.objects.in_region(self.region)

    def hospital_filter(self, prefix: str = "hospital") -> dict:
        """Keyword filter restricting a related queryset to the scope."""
        if self.hospital is not None:
            return {f"{prefix}_id": self.hospital.pk}
        return {f"{prefix}__region__path__startswith": self.region.path}

    def child_regions(self) -> list[Region]:
        """Sub-regions one level down (for per-region totals); the region itself if a leaf."""
        if self.hospital is not None:
            return [self.region]
        children = list(Region.objects.filter(parent=self.region).order_by("path"))
        return children or [self.region]
