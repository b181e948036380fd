"""Hazard test helpers: hazards are created through the service, as the product does."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.dates import today
from core.uploads import clean_evidence_upload
from hazards.choices import Category, RiskLevel, Source
from hazards.services import hazard_list_for_supervision, hazard_raise, hazard_update


def jpeg_bytes(size=(40, 30), color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bytes(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 120, 0)).save(out, "PNG")
    return out.getvalue()


def upload(name="photo.jpg", data=None, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type)


_sizes = itertools.count(1)


def distinct_jpeg() -> bytes:
    """A photo different from every other one of the test run (evidence is stored once per
    identical file, so tests that upload "another photo" need other bytes)."""
    n = next(_sizes)
    return jpeg_bytes(size=(16 + n % 200, 16 + n // 200), color=(200, 30, 30))


def cleaned_photo(name="photo.jpg", data=None):
    return clean_evidence_upload(upload(name, data if data is not None else distinct_jpeg()))


def raise_hazard(
    *,
    hospital,
    found_by,
    source=Source.SELF_INSPECTION,
    risk_level=RiskLevel.GENERAL,
    category=Category.FIRE,
    location="门诊楼三层消防通道",
    description="消防通道堆放杂物,影响疏散",
    found_on: dt.date | None = None,
    deadline: dt.date | None = None,
    **kwargs,
):
    return hazard_raise(
        hospital=hospital,
        found_by=found_by,
        source=source,
        category=category,
        risk_level=risk_level,
        location=location,
        description=description,
        found_on=found_on or today(),
        deadline=deadline,
        **kwargs,
    )


# The hospital side's part of the 重大隐患 dossier (FIELD_AUTHORITY: hospital fields).
SIX_PART_PLAN = {
    "present_state_and_cause": "配电房电缆老化,绝缘层破损,系建设年代久远、未及时更换所致",
    "danger_analysis": "可能引发电气火灾,影响住院楼供电;需停电施工,整改难度较大",
    "plan_goal": "全面更换老化电缆,消除电气火灾隐患",
    "plan_methods": "分区停电、分段更换,施工期间启用备用电源",
    "plan_funds_materials": "资金 35 万元已列入年度预算,材料由后勤科采购",
    "plan_organisation": "分管副院长牵头,后勤保障科、保卫科具体负责",
    "plan_time_limit": "三个月内完成,每两周报告一次进度",
    "plan_safety_emergency": "施工期间专人值守,配备灭火器材,制定停电应急预案",
}
# The bureau's part: 挂牌督办 is a decision (hazard_list_for_supervision), not an edit.
LISTING = {"level": "county", "notice_no": "晋卫督〔2026〕12号", "reason": "重大事故隐患挂牌督办"}


def complete_dossier(hazard, officer, bureau, *, level="county"):
    """The whole 一患一档: the hospital's plan, then the bureau's 挂牌督办."""
    hazard_update(hazard=hazard, by=officer, changes=dict(SIX_PART_PLAN))
    hazard_list_for_supervision(hazard=hazard, by=bureau, **{**LISTING, "level": level})
    return hazard
