"""A year of inspection history for the demo hospitals (runs after the hospitals and hazards
demos): monthly assignments, submitted self- and linked-department inspections, some missed
days, failures that raised hazards through `hazards.services.hazard_raise` (most of the older
ones 立查立改), a few bureau 四不两直 / joint checks, and a self-inspection in progress.

Idempotent: assignments are unique per month; an assignment that already has an inspection is
skipped; every random decision is derived from a fixed seed and the row it concerns.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.choices import Role
from accounts.models import User
from core.dates import add_months, today
from core.uploads import CleanedUpload
from hazards.choices import RiskLevel
from hazards.models import Hazard
from hazards.services import hazard_raise
from hospitals.demo_size import demo_size
from hospitals.models import BureauDepartment, Hospital

from . import checklist_seed
from .choices import ASSIGNMENT_TO_INSPECTION_KIND, KIND_TO_HAZARD_SOURCE, InspectionKind, Result
from .models import (
    Answer,
    Assignment,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
)
from .selectors import template_in_force
from .services import assignments_generate, inspection_start

SEED = 2026
DEMO_PASSWORD = "Demo-2026-pingan"

SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪郭邱曾苏庄施"
GIVEN = [
    "志强",
    "建华",
    "丽娟",
    "文斌",
    "秀英",
    "国平",
    "晓东",
    "海燕",
    "伟明",
    "美玲",
    "振宇",
    "雅琴",
]

# (item code, what the inspector wrote, where) — typical findings of hospital safety checks.
FINDINGS = {
    "FIRE-04": ("住院部楼梯间防火门被木楔顶住处于常开状态", "住院部2号楼梯间"),
    "FIRE-05": ("内科病区走廊加床2张,占用疏散通道", "内科病区走廊"),
    "FIRE-06": ("门诊楼3楼灭火器压力表指针处于红区", "门诊楼3楼"),
    "FIRE-09": ("地下车库安全出口指示灯不亮", "地下车库"),
    "FIRE-10": ("本季度未开展消防演练,无演练记录", "保卫科"),
    "LOGI-01": ("配电房绝缘手套未按期检测", "配电房"),
    "LOGI-02": ("职工宿舍发现私拉电线为电动车充电", "职工宿舍"),
    "LOGI-03": ("食堂油烟管道清洗记录超过3个月", "职工食堂"),
    "CHEM-02": ("危化品库未落实双人双锁", "检验科危化品库"),
    "CHEM-04": ("医疗废物暂存间交接登记不全", "医疗废物暂存间"),
    "EQUIP-02": ("2号电梯维保记录缺失一个月", "门诊楼2号电梯"),
    "EQUIP-05": ("液氧罐周边堆放可燃杂物", "液氧站"),
    "SEC-02": ("监控室夜间无人值守", "安防监控室"),
    "SEC-04": ("儿科病区一键报警按钮故障", "儿科病区护士站"),
    "TRAIN-04": ("2名新入职保洁人员未参加安全培训", "后勤服务中心"),
}
FIXES = {
    "FIRE-04": "当场撤除木楔,防火门恢复常闭",
    "FIRE-05": "当场撤除加床,疏通通道",
    "FIRE-06": "当场更换灭火器",
    "FIRE-09": "当场更换指示灯电池",
    "LOGI-02": "当场拆除私拉电线",
    "CHEM-02": "当场加装第二把锁并明确双人管理",
    "EQUIP-05": "当场清理可燃杂物",
    "SEC-02": "当场安排专人值守并补排班表",
}
MAJOR_CODES = {"EQUIP-05", "SEC-02"}


def _photo(color) -> CleanedUpload:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 36), color).save(buffer, "JPEG", quality=70)
    data = buffer.getvalue()
    return CleanedUpload(
        content=ContentFile(data, name="demo.jpg"),
        original_name="现场照片.jpg",
        content_type="image/jpeg",
        size=len(data),
        kind="image",
    )


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _ensure_people(rng: random.Random) -> tuple[dict[int, User], dict[int, User]]:
    """An officer for every hospital and a member of staff for every linked department (the
    accounts demo creates only a few logins); all share the demo password."""
    password = make_password(DEMO_PASSWORD)
    officers: dict[int, User] = {}
    for user in User.objects.filter(role=Role.OFFICER, is_active=True).order_by("pk"):
        officers.setdefault(user.hospital_id, user)
    for hospital in Hospital.objects.active().exclude(pk__in=officers).order_by("pk"):
        user, _created = User.objects.get_or_create(
            username=f"aq{hospital.credit_code[-6:].lower()}",
            defaults={
                "full_name": _name(rng),
                "role": Role.OFFICER,
                "hospital": hospital,
                "password": password,
                "email": f"aq{hospital.pk}@example.org",
            },
        )
        officers[hospital.pk] = user
    staff: dict[int, User] = {}
    for user in User.objects.filter(role=Role.BUREAU, is_active=True).exclude(department=None):
        staff.setdefault(user.department_id, user)
    linked = BureauDepartment.objects.filter(linked_hospitals__isnull=False).distinct()
    for department in linked.exclude(pk__in=staff).select_related("region"):
        user, _created = User.objects.get_or_create(
            username=f"gg{department.pk:03d}",
            defaults={
                "full_name": _name(rng),
                "role": Role.BUREAU,
                "region": department.region,
                "department": department,
                "password": password,
                "email": f"gg{department.pk}@example.org",
            },
        )
        staff[department.pk] = user
    return officers, staff


def _plan_answers(inspection: Inspection, items, *, rng: random.Random) -> list[Answer]:
    """Answers of a past inspection: mostly 合格, some 不适用, now and then a finding."""
    failures = set()
    roll = rng.random()
    if roll < 0.3:
        candidates = [item.code for item in items if item.code in FINDINGS]
        failures = set(rng.sample(candidates, k=1 if roll < 0.22 else 2))
    answers = []
    for item in items:
        answer = Answer(
            inspection=inspection,
            item=item,
            hazard_category=item.category,
            hazard_risk_level=item.default_risk_level,
            answered_by=inspection.created_by,
            result=Result.PASS,
        )
        if item.code in failures:
            answer.result = Result.FAIL
            answer.note, answer.hazard_location = FINDINGS[item.code]
            answer.hazard_description = answer.note
        elif item.code in ("EQUIP-03", "EQUIP-04") and inspection.hospital.level == "1":
            answer.result = Result.NOT_APPLICABLE
            answer.note = "本院无锅炉、压力容器"
        answers.append(answer)
    return answers


def _raise_hazards(inspection: Inspection, answers, *, rng: random.Random, recent: bool) -> int:
    """Turn the planned findings into hazards through the one hazard service. Returns how many
    items stay 不合格."""
    source = KIND_TO_HAZARD_SOURCE[inspection.kind]
    by = inspection.created_by
    when = inspection.inspected_on
    failed = 0
    for answer in answers:
        if answer.result != Result.FAIL:
            continue
        code = answer.item.code
        major = recent and code in MAJOR_CODES and rng.random() < 0.5
        if recent:
            on_the_spot = code in FIXES and not major and rng.random() < 0.5
        elif code in FIXES:
            on_the_spot = True
        else:
            # Older findings that needed a deadline were rectified outside this demo's
            # history; keep only the plausible on-the-spot fixes.
            Answer.objects.filter(pk=answer.pk).update(
                result=Result.PASS, note="", hazard_location="", hazard_description=""
            )
            continue
        hazard = hazard_raise(
            hospital=inspection.hospital,
            found_by=by,
            source=source,
            category=answer.item.category,
            risk_level=RiskLevel.MAJOR if major else RiskLevel.GENERAL,
            location=answer.hazard_location,
            description=answer.hazard_description,
            found_on=when,
            photos=[_photo((180, 60, 50))],
            fixed_on_the_spot=on_the_spot,
            after_photos=[_photo((60, 160, 80))] if on_the_spot else (),
            rectification_measures=FIXES.get(code, "") if on_the_spot else "",
            source_label=f"{inspection.get_kind_display()} {when.isoformat()} 第{code}项",
            source_url=reverse("inspections:detail", args=[inspection.pk])
            + f"#item-{answer.item_id}",
        )
        if on_the_spot:
            # History: a fix on the spot was closed out on the day it was found.
            closed_at = timezone.make_aware(dt.datetime.combine(when, dt.time(11, 30)))
            Hazard.objects.filter(pk=hazard.pk).update(closed_on=when, closed_at=closed_at)
        Answer.objects.filter(pk=answer.pk).update(
            hazard=hazard,
            fixed_on_the_spot=on_the_spot,
            rectification_measures=FIXES.get(code, "") if on_the_spot else "",
            hazard_risk_level=RiskLevel.MAJOR if major else RiskLevel.GENERAL,
        )
        failed += 1
    return failed


def _record_history(plans, items_by_template, now: dt.date) -> None:
    """Create submitted inspections for (assignment-or-None, hospital, kind, by, when, rng,
    extra) plans in bulk, then raise their hazards."""
    inspections = []
    for plan in plans:
        assignment, hospital, kind, by, when, template, _rng, extra = plan
        inspections.append(
            Inspection(
                hospital=hospital,
                kind=kind,
                template=template,
                assignment=assignment,
                inspected_on=when,
                location=extra.get("location", "全院"),
                participants=extra.get("participants", ""),
                third_party_firm=extra.get("third_party_firm", ""),
                created_by=by,
                status="submitted",
                submitted_by=by,
                submitted_at=timezone.make_aware(
                    dt.datetime.combine(when, dt.time(16, _rng.randint(0, 59)))
                ),
            )
        )
    Inspection.objects.bulk_create(inspections, batch_size=500)
    planned = []
    all_answers = []
    for inspection, plan in zip(inspections, plans, strict=True):
        answers = _plan_answers(inspection, items_by_template[inspection.template_id], rng=plan[6])
        planned.append(answers)
        all_answers.extend(answers)
    Answer.objects.bulk_create(all_answers, batch_size=2000)
    recent_from = now - dt.timedelta(days=60)
    for inspection, answers, plan in zip(inspections, planned, plans, strict=True):
        if not any(a.result == Result.FAIL for a in answers):
            Inspection.objects.filter(pk=inspection.pk).update(summary="本次检查未发现问题。")
            continue
        failed = _raise_hazards(
            inspection, answers, rng=plan[6], recent=inspection.inspected_on >= recent_from
        )
        Inspection.objects.filter(pk=inspection.pk).update(
            failed_count=failed,
            summary="发现问题已当场或限期整改,隐患已登记。" if failed else "本次检查未发现问题。",
        )


def seed(*, stdout, style) -> None:
    rng = random.Random(SEED)
    now = today()
    hospitals = list(Hospital.objects.active().select_related("region"))
    if not hospitals:
        stdout.write("inspections demo: no hospitals, skipped")
        return
    # The built-in checklists come with migration 0002; a database emptied since (a test's
    # flush, an operator's truncate) gets them back, or no demo inspection could start.
    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    officers, staff = _ensure_people(rng)

    months = demo_size().inspection_months
    first_year, first_month = add_months(now.year, now.month, -(months - 1))
    for offset in range(months):
        year, month = add_months(first_year, first_month, offset)
        assignments_generate(year=year, month=month)
    next_year, next_month = add_months(now.year, now.month, 1)
    assignments_generate(year=next_year, month=next_month)

    hospital_by_id = {h.pk: h for h in hospitals}
    pending = (
        Assignment.objects.filter(due_date__lt=now, inspection__isnull=True)
        .select_related("hospital", "hospital__region")
        .order_by("due_date", "pk")
    )
    templates: dict = {}
    items_by_template: dict = {}
    plans = []
    missed = 0
    for assignment in pending:
        local = random.Random(
            f"{SEED}-{assignment.kind}-{assignment.hospital_id}-{assignment.period}"
        )
        # Roughly 1 in 12 inspection days is missed; small township clinics miss more.
        miss_rate = 0.15 if assignment.hospital.level == "1" else 0.06
        if local.random() < miss_rate:
            missed += 1
            continue
        if assignment.kind == "self":
            by = officers.get(assignment.hospital_id)
        else:
            by = staff.get(assignment.department_id)
        if by is None or assignment.hospital_id not in hospital_by_id:
            continue
        when = assignment.due_date + dt.timedelta(days=1 if local.random() < 0.08 else 0)
        when = min(when, now)
        key = (assignment.hospital.region_id, when)
        if key not in templates:
            templates[key] = template_in_force(assignment.hospital, on=when)
        template = templates[key]
        if template is None:
            continue
        if template.pk not in items_by_template:
            items_by_template[template.pk] = list(
                ChecklistItem.objects.filter(template=template).order_by("section__order", "order")
            )
        plans.append(
            (
                assignment,
                assignment.hospital,
                ASSIGNMENT_TO_INSPECTION_KIND[assignment.kind],
                by,
                when,
                template,
                local,
                {},
            )
        )
    _record_history(plans, items_by_template, now)
    submitted = len(plans)

    adhoc = _bureau_checks(rng, hospitals, now)
    draft = _draft_in_progress(officers, staff, now)
    stdout.write(
        style.SUCCESS(
            f"inspections demo: {Assignment.objects.count()} assignments, "
            f"{submitted} inspections submitted now ({missed} days left missed), "
            f"{adhoc} bureau checks, {draft} draft in progress"
        )
    )


def _bureau_checks(rng: random.Random, hospitals, now: dt.date) -> int:
    """A few 四不两直, joint and spot checks a quarter by bureau staff without a department
    (安办)."""
    inspectors = list(
        User.objects.filter(role=Role.BUREAU, is_active=True, department__isnull=True)
        .select_related("region")
        .order_by("pk")
    )
    kinds = [InspectionKind.UNANNOUNCED, InspectionKind.JOINT, InspectionKind.SPOT_CHECK]
    plans = []
    items_by_template: dict = {}
    for by in inspectors:
        in_region = [h for h in hospitals if by.region.contains(h.region)]
        if not in_region:
            continue
        # Four quarters of the bureau's own checks, then one 第三方安全生产技术顾问 visit (seed
        # 000: consultants the bureau invites to key units).
        for quarter in range(5):
            when = now - dt.timedelta(days=20 + quarter * 91 if quarter < 4 else 45)
            local = random.Random(f"{SEED}-adhoc-{by.pk}-{quarter}")
            hospital = local.choice(in_region)
            kind = kinds[quarter % len(kinds)] if quarter < 4 else InspectionKind.THIRD_PARTY
            if Inspection.objects.filter(
                created_by=by, hospital=hospital, kind=kind, inspected_on=when
            ).exists():
                continue
            template = template_in_force(hospital, on=when)
            if template is None:
                continue
            items_by_template.setdefault(
                template.pk,
                list(
                    ChecklistItem.objects.filter(template=template).order_by(
                        "section__order", "order"
                    )
                ),
            )
            extra = {"location": "门急诊、住院部、后勤区域"}
            if kind == InspectionKind.JOINT:
                extra["participants"] = "市消防救援支队、公安分局内保大队"
            if kind == InspectionKind.THIRD_PARTY:
                extra["third_party_firm"] = "福建安信安全生产技术咨询有限公司"
                extra["participants"] = "注册安全工程师 郑工、电气工程师 许工"
            plans.append((None, hospital, kind, by, when, template, local, extra))
    _record_history(plans, items_by_template, now)
    return len(plans)


def _draft_in_progress(officers: dict[int, User], staff: dict[int, User], now: dt.date) -> int:
    """The flagship hospital has this month's next inspection day half filled in."""
    assignment = (
        Assignment.objects.filter(period=now.replace(day=1), due_date__gte=now)
        .filter(hospital__name="晋江市医院")
        .order_by("due_date")
        .first()
    )
    if assignment is None or Inspection.objects.filter(assignment=assignment).exists():
        return 0
    if assignment.kind == "self":
        by = officers.get(assignment.hospital_id)
    else:
        by = staff.get(assignment.department_id)
    if by is None:
        return 0
    inspection = inspection_start(by=by, assignment=assignment, location="门诊楼、住院部")
    answers = list(
        inspection.answers.select_related("item").order_by("item__section__order", "item__order")[
            :15
        ]
    )
    for answer in answers:
        answer.result = Result.PASS
        answer.answered_by = by
    Answer.objects.bulk_update(answers, ["result", "answered_by"])
    return 1
