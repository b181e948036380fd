"""Demo 4+N data: plans for 泉州市 and 晋江市, and for every covered demo hospital a checklist in
varied states, guard figures, posts and gear, entrances, alarm points, video systems, drills and
one submitted half-year report.

Idempotent: a hospital that already has a security profile is left alone, plans are looked up
by region, so running `seed_demo` again neither fails nor duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.choices import Role
from accounts.models import User
from core.dates import today
from hospitals.models import Hospital, Region

from .choices import (
    STANDARD_KINDS,
    DrillScenario,
    ItemAction,
    ItemKind,
    ItemStatus,
    PostArea,
    ReportStatus,
)
from .models import (
    PLAN_BEGINNING,
    THRESHOLD_FIELDS,
    AlarmDrill,
    AlarmPoint,
    ChecklistItem,
    DrillFinding,
    EmergencyDrill,
    Entrance,
    GuardPost,
    HalfYearReport,
    ItemEvent,
    ItemEvidence,
    PlanVersion,
    SecurityPlan,
    SecurityProfile,
    VideoSystem,
)
from .rules import shortfalls
from .selectors import (
    PlanIndex,
    guard_requirement,
    half_year_of,
    hospital_facts,
    previous_half_year,
)
from .services import addressees, build_snapshot, checklist_ensure
from .staffing import EQUIPMENT_FIELDS

PLANS = {
    "QZ": {
        "name": "泉州市加快推进平安医院建设“4+N”三年行动计划",
        "bureau_contact": "陈思远",
        "bureau_phone": "0595-22180000",
        "police_unit": "泉州市公安局治安支队",
        "police_contact": "郑警官",
        "police_phone": "0595-22170000",
        "police_email": "zhian@qz-police.example",
    },
    "JJ": {
        # 晋江 set its own (later) dates, so the demo shows both days left and days late.
        "name": "晋江市平安医院建设“4+N”三年行动计划",
        "guards_deadline": dt.date(2026, 12, 31),
        "screening_deadline": dt.date(2026, 6, 30),
        "alarm_deadline": dt.date(2026, 6, 30),
        "face_deadline": dt.date(2027, 6, 30),
        "police_room_deadline": dt.date(2026, 12, 31),
        "bureau_contact": "林晓红",
        "bureau_phone": "0595-85680000",
        "police_unit": "晋江市公安局治安大队",
        "police_contact": "许警官",
        "police_phone": "0595-85670000",
        "police_email": "zhian@jj-police.example",
    },
}

POSTS = [
    ("门卫值班室", PostArea.GATE, 2),
    ("门诊大厅岗", PostArea.OUTPATIENT, 2),
    ("急诊岗", PostArea.OUTPATIENT, 2),
    ("住院部大门岗", PostArea.INPATIENT, 1),
    ("停车场岗", PostArea.PARKING, 1),
    ("收费大厅岗", PostArea.PAYMENT, 1),
]
ENTRANCES = ["门诊楼正门", "急诊入口", "住院部入口", "东侧便门"]
ALARM_LOCATIONS = [
    "门卫值班室",
    "急诊分诊台",
    "门诊导医台",
    "收费处",
    "药房窗口",
    "精神科病区护士站",
    "儿科护士站",
    "住院部一楼大厅",
    "信息中心机房",
    "麻醉药品库房",
]
VIDEOS = [
    ("门诊及急诊公共区域", 64),
    ("住院部各楼层", 96),
    ("停车场及周界", 40),
    ("重点要害部位", 24),
]
CUSTOM_ITEMS = [
    ("电子巡更系统", "保安巡逻点位安装电子巡更点,每日巡查不少于 3 次并自动留痕。"),
    ("周界报警系统", "院区围墙加装红外对射周界报警,与监控中心联动。"),
    ("智能门禁", "住院部、ICU、新生儿科等重点区域实行刷卡/人脸门禁。"),
    ("“三铁一器”配备", "重点部位铁门、铁窗、铁柜和报警器配齐。"),
]
FINDINGS = {
    DrillScenario.KNIFE_ATTACK: "急诊分诊台处置人员到场后未能第一时间取用钢叉,器械存放位置不合理。",
    DrillScenario.FIRE: "住院部 5 楼疏散通道堆放杂物,影响疏散。",
    DrillScenario.ANTI_TERROR: "门诊入口安检门报警后复检流程不熟练。",
    DrillScenario.ELEVATOR: "电梯五方通话中轿厢与值班室通话不清晰。",
    DrillScenario.PRESSURE_VESSEL: "液氧站应急切断阀标识不清。",
}


def _png(text: str) -> ContentFile:
    image = Image.new("RGB", (480, 320), (236, 242, 248))
    ImageDraw.Draw(image).text(
        (20, 150), text.encode("ascii", "ignore").decode() or "evidence", fill=(30, 60, 120)
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(
        buffer.getvalue(), name=f"demo-{hashlib.sha1(text.encode()).hexdigest()[:16]}.png"
    )


def _seed_plans(stdout) -> None:
    for code, values in PLANS.items():
        region = Region.objects.filter(code=code).first()
        if region is None:
            continue
        plan, created = SecurityPlan.objects.get_or_create(region=region, defaults=values)
        if created:
            stdout.write(f"  4+N 方案:{region.name}")
        # The plan's values are its first version, in force from the beginning (as a plan
        # saved on the plan page starts).
        PlanVersion.objects.get_or_create(
            plan=plan,
            effective_from=PLAN_BEGINNING,
            defaults={name: getattr(plan, name) for name in THRESHOLD_FIELDS},
        )


def _users(hospital):
    officer = User.objects.filter(role=Role.OFFICER, hospital=hospital, is_active=True).first()
    ids = hospital.region.ancestor_ids
    bureau = (
        User.objects.filter(role=Role.BUREAU, region_id__in=ids, is_active=True)
        .order_by("-region__path")
        .first()
    )
    return officer, bureau


def _local(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _set_item(item, status, *, rng, officer, bureau, deadline):
    """Walk the item to `status` with a history dated in the past (progress, evidence,
    declaration, confirmation on the 达标日期), so figures "as of" an earlier period end replay
    what was true then instead of counting everything as done today."""
    if status == ItemStatus.NOT_STARTED:
        return
    met_on = None
    if status == ItemStatus.MET and bureau is not None:
        base = deadline or today()
        met_on = min(base - dt.timedelta(days=rng.randint(5, 200)), today())
        submitted_on = met_on - dt.timedelta(days=rng.randint(2, 10))
    else:
        submitted_on = today() - dt.timedelta(days=rng.randint(1, 20))
    started_on = submitted_on - dt.timedelta(days=rng.randint(20, 90))
    if status == ItemStatus.IN_PROGRESS:
        started_on = today() - dt.timedelta(days=rng.randint(10, 90))

    def record(when: dt.datetime, **fields) -> None:
        # ItemEvent.at is set on insert; the demo backdates it to when this happened.
        event = ItemEvent.objects.create(item=item, **fields)
        ItemEvent.objects.filter(pk=event.pk).update(at=when)

    record(
        _local(started_on),
        actor=officer,
        action=ItemAction.PROGRESS,
        from_status=ItemStatus.NOT_STARTED,
        to_status=ItemStatus.IN_PROGRESS,
        note="已制定建设方案,正在采购实施。",
    )
    item.status = ItemStatus.IN_PROGRESS
    item.progress_note = "已制定建设方案,正在采购实施。"
    if status in (ItemStatus.PENDING, ItemStatus.MET):
        evidence = ItemEvidence(
            item=item,
            original_name=f"{item.display_name}现场照片.png",
            content_type="image/png",
            size=0,
            uploaded_by=officer,
        )
        content = _png(f"{item.hospital_id}-{item.kind}-{item.pk}")
        evidence.size = content.size
        evidence.file.save(content.name, content, save=False)
        evidence.save()
        record(
            _local(submitted_on, 9),
            actor=officer,
            action=ItemAction.EVIDENCE_ADDED,
            note=evidence.original_name,
        )
        record(
            _local(submitted_on),
            actor=officer,
            action=ItemAction.SUBMITTED,
            from_status=ItemStatus.IN_PROGRESS,
            to_status=ItemStatus.PENDING,
            note="已建设完成,申请确认。",
        )
        item.status = ItemStatus.PENDING
        item.submitted_at = _local(submitted_on)
    if met_on is not None:
        item.met_on = met_on
        item.status = ItemStatus.MET
        item.confirmed_by = bureau
        item.confirmed_at = _local(met_on, 15)
        item.review_note = "经现场核查,符合要求。"
        record(
            item.confirmed_at,
            actor=bureau,
            action=ItemAction.CONFIRMED,
            from_status=ItemStatus.PENDING,
            to_status=ItemStatus.MET,
            note=item.review_note,
            met_on=item.met_on,
        )
    item.save()
    ItemEvent.objects.filter(item=item, action=ItemAction.CREATED).update(at=_local(started_on, 8))
    type(item).objects.filter(pk=item.pk).update(created_at=_local(started_on, 8))


def _seed_hospital(hospital, plan, rng) -> None:
    officer, bureau = _users(hospital)
    strong = rng.random() < 0.6  # most hospitals are well advanced by now
    required = guard_requirement(hospital, plan).required
    guards = required + rng.randint(0, 4) if strong else max(required - rng.randint(2, 8), 0)
    certified = max(guards - rng.randint(0, 3), 0)
    SecurityProfile.objects.create(
        hospital=hospital,
        certified_guards=certified,
        uncertified_guards=guards - certified,
        monitoring_centre=True,
        monitoring_24h=strong or rng.random() < 0.5,
        face_installed=strong or rng.random() < 0.5,
        face_linked_police=strong,
        police_room=True,
        police_room_staffed=strong or rng.random() < 0.6,
        police_room_date=dt.date(2022, rng.randint(3, 11), rng.randint(1, 28)),
        mediation_room=True,
        mediation_room_staffed=True,
        mediation_room_date=dt.date(2022, rng.randint(1, 10), rng.randint(1, 28)),
        updated_by=officer,
    )
    posts = []
    for name, area, on_duty in POSTS[: rng.randint(3, 6)]:
        gear = {f: on_duty for f in EQUIPMENT_FIELDS}
        gear["forks"] = 2
        if not strong and rng.random() < 0.5:
            gear[rng.choice(EQUIPMENT_FIELDS)] = 0
        posts.append(
            GuardPost(hospital=hospital, name=name, area=area, guards_on_duty=on_duty, **gear)
        )
    GuardPost.objects.bulk_create(posts)
    Entrance.objects.bulk_create(
        Entrance(
            hospital=hospital,
            name=name,
            walk_through_gates=1,
            xray_machines=0 if (not strong and index == 1) else 1,
            wands=2,
        )
        for index, name in enumerate(ENTRANCES[: rng.randint(2, 4)])
    )
    points = AlarmPoint.objects.bulk_create(
        AlarmPoint(hospital=hospital, location=location, networked=strong or index % 4 != 3)
        for index, location in enumerate(rng.sample(ALARM_LOCATIONS, rng.randint(5, 9)))
    )
    VideoSystem.objects.bulk_create(
        VideoSystem(
            hospital=hospital,
            name=name,
            cameras=cameras,
            retention_days=90 if strong or rng.random() < 0.6 else 30,
        )
        for name, cameras in VIDEOS[: rng.randint(2, 4)]
    )
    # One-key alarm drills: quarterly over two years, getting faster.
    start = today() - dt.timedelta(days=720)
    seconds = rng.randint(90, 150)
    drills = []
    for quarter in range(8):
        seconds = max(40, seconds - rng.randint(0, 15))
        drills.append(
            AlarmDrill(
                hospital=hospital,
                date=start + dt.timedelta(days=90 * quarter + rng.randint(0, 20)),
                alarm_point=rng.choice(points),
                response_seconds=seconds,
                recorded_by=officer,
                notes="保卫科、保安员按预案到场处置。",
            )
        )
    AlarmDrill.objects.bulk_create(drills)
    for scenario in rng.sample(list(FINDINGS), 3):
        drill = EmergencyDrill.objects.create(
            hospital=hospital,
            date=today() - dt.timedelta(days=rng.randint(20, 300)),
            scenario=scenario,
            title=f"{DrillScenario(scenario).label}应急演练",
            location="门诊楼" if scenario != DrillScenario.PRESSURE_VESSEL else "液氧站",
            participants=rng.randint(20, 80),
            police_involved=scenario in (DrillScenario.ANTI_TERROR, DrillScenario.KNIFE_ATTACK),
            duration_minutes=rng.randint(20, 60),
            response_seconds=rng.randint(45, 180),
            summary="演练按预案组织,各岗位职责明确,处置基本规范。",
            recorded_by=officer,
        )
        if rng.random() < 0.6:
            DrillFinding.objects.create(
                drill=drill, description=FINDINGS[scenario], created_by=officer
            )
    # The checklist: standard items in varied states, one or two N items.
    items = {i.kind: i for i in checklist_ensure(hospital=hospital)}
    weights = [0.05, 0.15, 0.15, 0.65] if strong else [0.15, 0.45, 0.15, 0.25]
    statuses = [ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.PENDING, ItemStatus.MET]
    facts = hospital_facts(hospital)
    for kind in STANDARD_KINDS:
        status = rng.choices(statuses, weights)[0]
        if shortfalls(kind, facts) and status in (ItemStatus.PENDING, ItemStatus.MET):
            # The same rule as item_submit/item_confirm: what the records say is short can be
            # neither declared nor confirmed 已达标.
            status = ItemStatus.IN_PROGRESS
        _set_item(
            items[kind],
            status,
            rng=rng,
            officer=officer,
            bureau=bureau,
            deadline=plan.deadline_for(kind),
        )
    for name, description in rng.sample(CUSTOM_ITEMS, rng.randint(1, 2)):
        item = ChecklistItem.objects.create(
            hospital=hospital,
            kind=ItemKind.CUSTOM,
            name=name,
            description=description,
            target_date=dt.date(
                today().year + 1, rng.choice([6, 12]), 30 if rng.random() < 0.5 else 28
            ),
        )
        ItemEvent.objects.create(
            item=item, actor=officer, action=ItemAction.CREATED, to_status=ItemStatus.NOT_STARTED
        )
        _set_item(
            item, rng.choice(statuses), rng=rng, officer=officer, bureau=bureau, deadline=today()
        )
    # The last half-year's report, submitted; this half-year's: some submitted, some drafts.
    previous = previous_half_year(*half_year_of(today()))
    _report(hospital, plan, officer, previous, submit=True)
    roll = rng.random()
    if roll < 0.6:
        _report(hospital, plan, officer, half_year_of(today()), submit=roll < 0.4)


def _report(hospital, plan, officer, period, *, submit: bool) -> None:
    year, half = period
    report, _created = HalfYearReport.objects.get_or_create(
        hospital=hospital,
        year=year,
        half=half,
        defaults={
            "progress": "本半年度持续推进“4+N”建设:保安员按标准配备,主要出入口安检常态化,"
            "一键报警系统与监控中心联网,警务室和调解室正常运行。",
            "problems": "部分区域视频存储容量不足;人脸识别系统与公安平台联调尚在进行。",
            "next_steps": "完成视频扩容和人脸识别联网,每季度开展一键报警演练。",
            "created_by": officer,
        },
    )
    if submit and not report.is_submitted:
        report.snapshot = build_snapshot(hospital)
        report.addressed_to = addressees(plan)
        report.status = ReportStatus.SUBMITTED
        report.submitted_by = officer
        report.submitted_at = timezone.now()
        report.save()


def seed(*, stdout, style) -> None:
    rng = random.Random(2026)
    _seed_plans(stdout)
    index = PlanIndex.load()
    seeded = 0
    hospitals = Hospital.objects.select_related("region").order_by("pk")
    for hospital in hospitals:
        if not index.covers(hospital):
            continue
        if SecurityProfile.objects.filter(hospital=hospital).exists():
            continue
        _seed_hospital(hospital, index.for_hospital(hospital), rng)
        seeded += 1
    stdout.write(style.SUCCESS(f"security demo: {seeded} 家医院的 4+N 数据已生成"))
