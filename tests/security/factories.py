from __future__ import annotations

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from security.choices import ItemKind, ItemStatus
from security.models import (
    AlarmDrill,
    ChecklistItem,
    Entrance,
    GuardPost,
    SecurityPlan,
    SecurityProfile,
)
from tests.factories import HospitalFactory, RegionFactory


class SecurityPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityPlan
        skip_postgeneration_save = True

    region = factory.SubFactory(RegionFactory)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    hospital = factory.SubFactory(HospitalFactory)
    kind = ItemKind.GUARDS
    status = ItemStatus.NOT_STARTED


class CustomItemFactory(ChecklistItemFactory):
    kind = ItemKind.CUSTOM
    name = factory.Sequence(lambda n: f"电子巡更系统{n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityProfile

    hospital = factory.SubFactory(HospitalFactory)
    full_time_guards = 10
    certified_guards = 8


class GuardPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardPost

    hospital = factory.SubFactory(HospitalFactory)
    name = "门诊大厅岗"
    guards_on_duty = 2


class EntranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrance

    hospital = factory.SubFactory(HospitalFactory)
    name = "门诊楼正门"
    walk_through_gates = 1
    xray_machines = 1
    wands = 2


class AlarmDrillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlarmDrill

    hospital = factory.SubFactory(HospitalFactory)
    date = factory.Faker("date_between", start_date="-1y", end_date="today")
    response_seconds = 60


def png_upload(name: str = "证明.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
