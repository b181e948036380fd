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
    certified_guards = 8
    uncertified_guards = 2


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


def complete_records(hospital, *, guards_extra: int = 0):
    """Records that satisfy every computed 4+N rule for `hospital` (security.rules): enough
    certified guards, a fully equipped post, an equipped entrance, a networked alarm point with
    a monitoring centre, face recognition linked to the police, videos kept long enough, a
    staffed police room and mediation room."""
    from security.models import AlarmPoint, VideoSystem
    from security.selectors import guard_requirement, plan_for_hospital
    from security.staffing import EQUIPMENT_FIELDS

    plan = plan_for_hospital(hospital)
    required = guard_requirement(hospital, plan).required
    SecurityProfile.objects.update_or_create(
        hospital=hospital,
        defaults={
            "certified_guards": required + guards_extra,
            "uncertified_guards": 0,
            "monitoring_centre": True,
            "monitoring_24h": True,
            "face_installed": True,
            "face_linked_police": True,
            "police_room": True,
            "police_room_staffed": True,
            "mediation_room": True,
            "mediation_room_staffed": True,
        },
    )
    gear = {name: 2 for name in EQUIPMENT_FIELDS}
    GuardPost.objects.create(hospital=hospital, name="门诊大厅岗", guards_on_duty=2, **gear)
    Entrance.objects.create(
        hospital=hospital, name="门诊楼正门", walk_through_gates=1, xray_machines=1, wands=2
    )
    AlarmPoint.objects.create(hospital=hospital, location="门卫室", networked=True)
    VideoSystem.objects.create(
        hospital=hospital, name="门诊监控", cameras=20, retention_days=plan.video_retention_days
    )
    return SecurityProfile.objects.get(hospital=hospital)
