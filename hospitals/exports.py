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
# Printed widths (characters): long headers wrap in their cell, so 22 columns fit an A3
# landscape page at ≥ 70%.
WIDTHS = {
    "name": 22,
    "credit_code": 20,
    "address": 22,
    "legal_representative": 12,
    "security_head_phone": 13,
    "contact_phone": 13,
    "consortium": 14,
    "linked_department": 12,
}
WRAPPED = {"name", "address", "consortium", "linked_department"}


def hospitals_workbook(queryset, *, scope: str) -> bytes:
    columns = [
        Column(
            str(column.label),
            _value(column.field),
            width=WIDTHS.get(column.field, 8 if column.field in INTEGER_FIELDS else 10),
            kind="int" if column.field in INTEGER_FIELDS else "text",
            wrap=column.field in WRAPPED,
        )
        for column in COLUMNS
    ]
    columns.append(Column(_("状态"), lambda h: _("在用") if h.is_active else _("已停用"), width=7))
    sheet = Sheet(
        title=_("医疗卫生机构"),
        columns=columns,
        rows=queryset.select_related("region", "consortium", "linked_department").iterator(),
        # The registry reads back through the import: nothing but hospitals below the header.
        sign_off=False,
    )
    return workbook_bytes(
        [sheet],
        report_title=_("医疗卫生机构名录"),
        scope=scope,
        period=today().isoformat(),
    )
