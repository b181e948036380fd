from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from hospitals.models import BureauDepartment, Hospital, MedicalConsortium, Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Region, BureauDepartment, MedicalConsortium, Hospital, User])
def test_every_foundation_model_has_working_admin_pages(client, model, hospital_a, officer_a):
    assert admin.site.is_registered(model)
    root = User.objects.create_superuser("root_admin", "root@example.org", "Root-pass-2026")
    client.force_login(root)
    opts = model._meta
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    BureauDepartment.objects.create(region=hospital_a.region, name="医政科")
    MedicalConsortium.objects.create(region=hospital_a.region, name="晋江市医院医共体")
    obj = model.objects.first()
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert client.get(url).status_code == 200
