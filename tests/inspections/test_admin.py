from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from inspections.models import Amendment, Assignment, ChecklistItem, ChecklistTemplate, Inspection

from .factories import started

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", [ChecklistTemplate, ChecklistItem, Assignment, Inspection, Amendment]
)
def test_admin_pages_are_read_only(client, model, safety_template, officer_a, hospital_a):
    started(officer_a, hospital_a)
    root = User.objects.create_superuser("root_insp", "root@example.org", "Root-pass-2026")
    client.force_login(root)
    opts = model._meta
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
