"""Writes to the registry. Each runs in one transaction and records who made the change
(django-simple-history keeps the who/when trail shown on the detail pages)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet

from core.types import Actor
from core.uploads import safe_display_name

from .importing import check_upload
from .models import BureauDepartment, Hospital, HospitalImport, Region
from .tasks import run_hospital_import


def _stamp(instance: models.Model, by: Actor) -> None:
    # simple_history reads this when the change does not come through a request.
    instance._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped


@transaction.atomic
def hospital_save(*, hospital: Hospital, by: Actor) -> Hospital:
    """Create or update one hospital after full model validation."""
    hospital.full_clean()
    _stamp(hospital, by)
    hospital.save()
    return hospital


@transaction.atomic
def region_save(*, region: Region, by: Actor) -> Region:
    region.full_clean()
    _stamp(region, by)
    region.save()
    return region


@transaction.atomic
def department_save(
    *,
    department: BureauDepartment,
    hospitals: Iterable[Hospital],
    scope: QuerySet[Hospital],
    by: Actor,
) -> BureauDepartment:
    """Save a 挂钩科室 and make exactly `hospitals` its linked institutions.

    Only hospitals inside `scope` (a Hospital queryset the actor may see) are touched: an
    institution outside the actor's region keeps whatever department it had."""
    department.full_clean()
    _stamp(department, by)
    department.save()
    wanted = {hospital.pk for hospital in hospitals}
    current = scope.filter(linked_department=department)
    for hospital in current.exclude(pk__in=wanted).select_for_update(of=("self",)):
        hospital.linked_department = None
        _stamp(hospital, by)
        hospital.save(update_fields=["linked_department", "updated_at"])
    for hospital in (
        scope.filter(pk__in=wanted)
        .exclude(linked_department=department)
        .select_for_update(of=("self",))
    ):
        hospital.linked_department = department
        _stamp(hospital, by)
        hospital.save(update_fields=["linked_department", "updated_at"])
    return department


def hospital_import_start(*, upload: UploadedFile, by: Actor) -> HospitalImport:
    """Refuse what needs no parsing (size, not xlsx, zip bomb: SheetError), store the file and
    queue the import for a worker; the caller shows the import's page, which follows it."""
    check_upload(upload)
    # By id: below `accounts`, the actor is a `core.types.Actor`, not the `User` the FK holds.
    job = HospitalImport(created_by_id=by.pk, original_name=safe_display_name(upload.name or ""))
    job.file.save(f"{secrets.token_hex(16)}.xlsx", upload, save=False)
    job.save()
    transaction.on_commit(lambda: run_hospital_import.delay(job.pk), robust=True)
    return job
