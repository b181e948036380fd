"""Demo training records and responsibility letters for every demo hospital with an officer,
written through the services (as the officer would). Idempotent: a hospital that already has a
training session is left alone, so running `seed_demo` again neither fails nor duplicates."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.choices import Role
from accounts.models import User
from core.dates import today
from core.uploads import clean_evidence_upload
from hospitals.demo_size import demo_size
from hospitals.models import Hospital

from . import services
from .choices import CertificateType, LetterLevel, SessionKind
from .models import TrainingSession

TRAINERS = ("县消防救援大队 陈教官", "保卫科 林科长", "后勤保障部 王工", "院办 黄主任")
HOLDERS = ("张建华", "李明", "王志强", "陈国庆", "刘伟", "黄海", "吴俊", "郑斌")


def _image(text: str, seed: int) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 320), (236 - seed % 40, 242, 248))
    ImageDraw.Draw(image).text((20, 150), f"{text} {seed}", fill=(30, 60, 120))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(f"{text}-{seed}.png", buffer.getvalue(), content_type="image/png")


def _day(year: int, month: int, day: int, on: dt.date) -> dt.date:
    return min(dt.date(year, month, day), on)


def _seed_hospital(hospital, officer, rng, on: dt.date) -> None:
    year = on.year
    plan = [
        (SessionKind.ALL_STAFF, _day(year - 1, 4, 18, on), "全员安全生产培训(上半年)", 180),
        (SessionKind.ALL_STAFF, _day(year - 1, 10, 20, on), "全员安全生产培训(下半年)", 175),
        (SessionKind.FIRE_FOUR, _day(year, 3, 12, on), "消防安全“四个能力”培训及疏散演练", 120),
        (
            SessionKind.NEW_STAFF,
            _day(year, 7, 8, on),
            "新进员工岗前安全教育",
            8 + rng.randint(0, 4),
        ),
        (SessionKind.GUIDE, _day(year, 5, 16, on), "两个《指南》系统学习", 40),
    ]
    # Some hospitals have held both all-staff trainings this year, some only one.
    plan.append((SessionKind.ALL_STAFF, _day(year, 4, 22, on), "全员安全生产培训(上半年)", 190))
    if rng.random() < 0.6:
        plan.append(
            (SessionKind.ALL_STAFF, _day(year, 10, 24, on), "全员安全生产培训(下半年)", 185)
        )
    for index, (kind, day, title, count) in enumerate(plan):
        services.session_save(
            hospital=hospital,
            fields={
                "held_on": day,
                "kind": kind,
                "title": title,
                "trainer": rng.choice(TRAINERS),
                "hours": Decimal("2.0") if kind != SessionKind.NEW_STAFF else Decimal("4.0"),
                "attendee_count": count,
                "attendees": "\n".join(rng.sample(HOLDERS, 4)),
                "note": "",
            },
            by=officer,
            photos=[clean_evidence_upload(_image("training", hospital.pk * 100 + index))],
            sign_in_sheets=[clean_evidence_upload(_image("sign-in", hospital.pk * 100 + index))],
        )
    new_staff = 12
    types = list(CertificateType.values)
    services.training_year_save(
        hospital=hospital, year=year, new_staff=new_staff, special_posts=len(types), by=officer
    )
    for index, cert_type in enumerate(types):
        # One about to lapse, one lapsed, the rest valid for years.
        offset = {0: 20, 1: -10}.get(index, 365 * rng.randint(1, 4))
        services.certificate_save(
            hospital=hospital,
            fields={
                "holder": HOLDERS[(hospital.pk + index) % len(HOLDERS)],
                "cert_type": cert_type,
                "number": f"T{hospital.pk:04d}{index:02d}{rng.randint(1000, 9999)}",
                "valid_until": on + dt.timedelta(days=offset),
                "note": "",
            },
            by=officer,
        )
    levels = [LetterLevel.HOSPITAL_DEPARTMENT, LetterLevel.DEPARTMENT_POST]
    if rng.random() < 0.7:  # the rest show on the bureau's "not signed" list
        levels.insert(0, LetterLevel.BUREAU_HOSPITAL)
    for index, level in enumerate(levels):
        party_a, party_b = {
            LetterLevel.BUREAU_HOSPITAL: (f"{hospital.region.name}卫生健康局", hospital.name),
            LetterLevel.HOSPITAL_DEPARTMENT: (hospital.name, "后勤保障部"),
            LetterLevel.DEPARTMENT_POST: ("后勤保障部", "配电房值班岗"),
        }[level]
        services.letter_save(
            hospital=hospital,
            fields={
                "year": year,
                "level": level,
                "party_a": party_a,
                "party_b": party_b,
                "signed_on": _day(year, 2, 10 + index, on),
                "note": "",
            },
            by=officer,
            scans=[clean_evidence_upload(_image("letter", hospital.pk * 100 + index))],
        )


def seed(*, stdout, style) -> None:
    rng = random.Random(2026)
    on = today()
    seeded = 0
    hospitals = Hospital.objects.filter(is_active=True).select_related("region").order_by("pk")
    for hospital in hospitals[: demo_size().history_hospitals]:
        officer = User.objects.filter(role=Role.OFFICER, hospital=hospital, is_active=True).first()
        if officer is None or TrainingSession.objects.filter(hospital=hospital).exists():
            continue
        _seed_hospital(hospital, officer, rng, on)
        seeded += 1
    stdout.write(style.SUCCESS(f"training demo: {seeded} 家医院的培训、证书与责任书已生成"))
