from __future__ import annotations

import pytest

from hazards.choices import EvidenceStage
from hazards.services import (
    hazard_add_evidence,
    hazard_start_rectification,
    hazard_submit,
)
from tests.hazards.factories import SIX_PART_PLAN, cleaned_photo, raise_hazard


def start(hazard, officer):
    return hazard_start_rectification(
        hazard=hazard,
        by=officer,
        responsible_department="后勤保障科",
        responsible_person="李建国",
        rectification_measures="清理杂物,设置禁止堆放标识",
        interim_measures="安排专人值守,设置警示标志",
    )


def submit(hazard, officer, **kwargs):
    hazard_add_evidence(
        hazard=hazard, by=officer, files=[cleaned_photo()], stage=EvidenceStage.AFTER
    )
    return hazard_submit(hazard=hazard, by=officer, note="已整改完毕", **kwargs)


@pytest.fixture
def self_found(hospital_a, officer_a):
    """A 一般隐患 from hospital A's own self-inspection."""
    return raise_hazard(hospital=hospital_a, found_by=officer_a)


@pytest.fixture
def bureau_found(hospital_a, county_bureau):
    return raise_hazard(hospital=hospital_a, found_by=county_bureau, source="linked_department")


@pytest.fixture
def major(hospital_a, county_bureau):
    return raise_hazard(
        hospital=hospital_a,
        found_by=county_bureau,
        source="supervision",
        risk_level="major",
        category="logistics",
        location="住院楼配电房",
        description="配电房电缆老化,绝缘层破损",
    )


@pytest.fixture
def plan():
    return dict(SIX_PART_PLAN)
