from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inspections import checklist_seed
from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate
from tests.factories import BureauDepartmentFactory, BureauUserFactory


@pytest.fixture
def safety_template(db):
    """The built-in seed-001 checklist (installed by migration; re-installed here because a
    transactional test elsewhere may have flushed it)."""
    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    return ChecklistTemplate.objects.get(code=checklist_seed.SAFETY_CODE, version=1)


@pytest.fixture
def department(county, hospital_a):
    department = BureauDepartmentFactory(region=county, name="医政医管股")
    hospital_a.linked_department = department
    hospital_a.save()
    return department


@pytest.fixture
def department_staff(county, department):
    return BureauUserFactory(username="linked_staff", region=county, department=department)


def png_file(name: str = "photo.png", color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
