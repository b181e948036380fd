"""Excel export of the registry: the same columns as the import template, so an exported
sheet documents exactly what the import expects."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.dates import today
from core.excel import Column, Sheet, workbook_bytes

from .importing import COLUMNS


def _value(field: str):
    def read(hospital):
        if field in ("level", "type", "ownership", "demonstration"):
            return getattr(hospital, f"get_{field}_display")() if getattr(hospital, field) else ""
        if field == "region":
            return hospital.region.name
        if field in ("consortium", "linked_department"):
            related = getattr(hospital, field)
            return related.name if related else ""
        if field == "is_consortium_lead":
            return _("是") if hospital.is_consortium_lead else _("否")
        return getattr(hospital, field)

    return read


INTEGER_FIELDS = {"beds_authorized", "beds_actual", "on_duty_staff", "daily_outpatients"}


def hospitals_workbook(queryset, *, scope: str) -> bytes:
    columns = [
        Column(
            str(column.label),
            _value(column.field),
            kind="int" if column.field in INTEGER_FIELDS else "text",
        )
        for column in COLUMNS
    ]
    columns.append(Column(_("状态"), lambda h: _("在用") if h.is_active else _("已停用")))
    sheet = Sheet(
        title=_("医疗卫生机构"),
        columns=columns,
        rows=queryset.select_related("region", "consortium", "linked_department").iterator(),
    )
    return workbook_bytes(
        [sheet],
        report_title=_("医疗卫生机构名录"),
        scope=scope,
        period=today().isoformat(),
    )
