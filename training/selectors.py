"""Scoped reads and the yearly training figures.

The figures of a hospital and year (seed 001 (七)):
- all-staff trainings held: sessions of kind 全员 dated in the year; the rule is ≥ 2 a year;
- new-staff training rate: new staff trained (the attendees of the year's 新进员工 sessions,
  at most the year's new staff) / new staff joined that year (TrainingYear.new_staff);
  no new staff recorded → no rate;
- certified-personnel rate: certificates valid on the figure's date (at most the posts) /
  special-operation posts (TrainingYear.special_posts); no posts recorded → no rate.
The figure's date is the year's last day, or today while the year runs.

`training_figures_for` loads any number of hospitals in three queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from core.dates import today
from hazards.selectors import format_rate
from hospitals.models import Hospital

from .choices import ALL_STAFF_MIN_PER_YEAR, CertificateState, LetterLevel, SessionKind
from .models import Certificate, ResponsibilityLetter, TrainingSession, TrainingYear

DUE_SOON_DAYS = 30


def figure_date(year: int, on: dt.date | None = None) -> dt.date:
    """The date a year's figures are as of: its last day, or `on` (today) while it runs."""
    on = on or today()
    return min(dt.date(year, 12, 31), on) if year >= on.year else dt.date(year, 12, 31)


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(min(numerator, denominator)) / Decimal(denominator)


@dataclass
class TrainingFigures:
    year: int
    on: dt.date
    all_staff_sessions: int = 0
    new_staff: int = 0
    new_staff_trained: int = 0
    special_posts: int = 0
    certified: int = 0
    has_base: bool = False

    @property
    def all_staff_ok(self) -> bool:
        return self.all_staff_sessions >= ALL_STAFF_MIN_PER_YEAR

    @property
    def new_staff_rate(self) -> Decimal | None:
        return _rate(self.new_staff_trained, self.new_staff)

    @property
    def certified_rate(self) -> Decimal | None:
        return _rate(self.certified, self.special_posts)

    @property
    def new_staff_ok(self) -> bool:
        rate = self.new_staff_rate
        return rate is None or rate >= 1

    @property
    def certified_ok(self) -> bool:
        rate = self.certified_rate
        return rate is None or rate >= 1

    @property
    def new_staff_display(self) -> str:
        return format_rate(self.new_staff_rate)

    @property
    def certified_display(self) -> str:
        return format_rate(self.certified_rate)


def training_figures_for(
    hospital_ids: list[int] | tuple[int, ...] | set[int] | QuerySet[Any],
    year: int,
    *,
    on: dt.date | None = None,
    sparse: bool = False,
) -> dict[int, TrainingFigures]:
    """{hospital_id: TrainingFigures} for the given hospitals (ids, a queryset of hospitals or
    of ids) — three queries whatever their number. `sparse`: only the hospitals with a session,
    a yearly base or a valid certificate (a province's dashboard card adds 2,000 up)."""
    day = figure_date(year, on)
    ids: list[int] | None
    if isinstance(hospital_ids, QuerySet):
        # Filtered as a subquery, not a list of 2,000 ids in the SQL.
        scope = Q(hospital_id__in=hospital_ids.order_by().values("pk"))
        ids = None if sparse else list(hospital_ids.order_by().values_list("pk", flat=True))
    else:
        ids = list(hospital_ids)
        scope = Q(hospital_id__in=ids)
        if not ids:
            return {}
    figures: dict[int, TrainingFigures] = {}
    if not sparse and ids is not None:
        figures = {pk: TrainingFigures(year=year, on=day) for pk in ids}

    def line(hospital_id: int) -> TrainingFigures:
        item = figures.get(hospital_id)
        if item is None:
            item = figures[hospital_id] = TrainingFigures(year=year, on=day)
        return item

    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    sessions = (
        TrainingSession.objects.filter(scope, held_on__range=(start, end))
        .values("hospital_id")
        .annotate(
            all_staff=Count("pk", filter=Q(kind=SessionKind.ALL_STAFF)),
            new_trained=Sum("attendee_count", filter=Q(kind=SessionKind.NEW_STAFF)),
        )
    )
    for row in sessions:
        item = line(row["hospital_id"])
        item.all_staff_sessions = row["all_staff"]
        item.new_staff_trained = row["new_trained"] or 0
    for base in TrainingYear.objects.filter(scope, year=year):
        item = line(base.hospital_id)
        item.new_staff, item.special_posts, item.has_base = base.new_staff, base.special_posts, True
    valid = (
        Certificate.objects.filter(scope, valid_until__gte=day)
        .values("hospital_id")
        .annotate(n=Count("pk"))
    )
    for counted in valid:
        line(counted["hospital_id"]).certified = counted["n"]
    return figures


def training_figures(
    hospital: Hospital, year: int, *, on: dt.date | None = None
) -> TrainingFigures:
    return training_figures_for([hospital.pk], year, on=on)[hospital.pk]


def certificate_state(certificate: Certificate, on: dt.date | None = None) -> str:
    on = on or today()
    if certificate.valid_until < on:
        return CertificateState.LAPSED
    if (certificate.valid_until - on).days <= DUE_SOON_DAYS:
        return CertificateState.DUE_SOON
    return CertificateState.VALID


def certificates_in_state(
    queryset: QuerySet[Certificate], state: str, on: dt.date | None = None
) -> QuerySet[Certificate]:
    on = on or today()
    soon = on + dt.timedelta(days=DUE_SOON_DAYS)
    if state == CertificateState.LAPSED:
        return queryset.filter(valid_until__lt=on)
    if state == CertificateState.DUE_SOON:
        return queryset.filter(valid_until__gte=on, valid_until__lte=soon)
    if state == CertificateState.VALID:
        return queryset.filter(valid_until__gt=soon)
    return queryset


def hospitals_without_letter(
    hospitals: QuerySet[Hospital], year: int, level: str = LetterLevel.BUREAU_HOSPITAL
) -> QuerySet[Hospital]:
    """The hospitals (a queryset) with no letter of `level` recorded for `year`."""
    signed = ResponsibilityLetter.objects.filter(hospital=OuterRef("pk"), year=year, level=level)
    return hospitals.filter(~Exists(signed))


@dataclass
class TrainingSummary:
    """The bureau dashboard card: a region's (or a hospital's) figures for one year."""

    year: int
    on: dt.date
    hospitals: int = 0
    all_staff_ok: int = 0
    new_staff: int = 0
    new_staff_trained: int = 0
    special_posts: int = 0
    certified: int = 0
    certificates_due_soon: int = 0
    certificates_lapsed: int = 0
    letters_missing: int = 0

    @property
    def new_staff_display(self) -> str:
        return format_rate(_rate(self.new_staff_trained, self.new_staff))

    @property
    def certified_display(self) -> str:
        return format_rate(_rate(self.certified, self.special_posts))


def training_summary(
    hospitals: QuerySet[Hospital], *, year: int | None = None, on: dt.date | None = None
) -> TrainingSummary:
    """Totals over a queryset of hospitals (a region's active hospitals) in six queries: each
    hospital's counts are capped at its own denominators before they are added up."""
    on = on or today()
    year = year or on.year
    hospitals = hospitals.order_by()
    per = training_figures_for(hospitals, year, on=on, sparse=True)
    day = figure_date(year, on)
    summary = TrainingSummary(year=year, on=day, hospitals=hospitals.count())
    for item in per.values():
        summary.all_staff_ok += item.all_staff_ok
        summary.new_staff += item.new_staff
        summary.new_staff_trained += min(item.new_staff_trained, item.new_staff)
        summary.special_posts += item.special_posts
        summary.certified += min(item.certified, item.special_posts)
    certificates = Certificate.objects.filter(hospital_id__in=hospitals.values("pk")).aggregate(
        due_soon=Count(
            "pk",
            filter=Q(valid_until__gte=on, valid_until__lte=on + dt.timedelta(days=DUE_SOON_DAYS)),
        ),
        lapsed=Count("pk", filter=Q(valid_until__lt=on)),
    )
    summary.certificates_due_soon = certificates["due_soon"]
    summary.certificates_lapsed = certificates["lapsed"]
    summary.letters_missing = hospitals_without_letter(hospitals, year).count()
    return summary
