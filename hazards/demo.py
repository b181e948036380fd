"""Demo hazard history across the demo hospitals: bureau supervision and spot checks, reports
and the hospitals' own findings — open, overdue, awaiting acceptance, closed, 立查立改, a few
重大隐患 with their governance plans, and extension requests.

Everything is created through hazards.services (so events, history and notifications are real),
then the timestamps are moved back to when they would have happened. Idempotent: a hospital
that already has demo hazards (recognised by their source labels) is skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.choices import Role
from accounts.models import User
from core.dates import today
from core.uploads import clean_evidence_upload
from hospitals.models import Hospital

from .choices import Category, EventType, EvidenceStage, RiskLevel, Source, Status
from .models import ExtensionRequest, Hazard, HazardEvent
from .services import (
    HazardError,
    hazard_accept,
    hazard_add_evidence,
    hazard_explain_overdue,
    hazard_list_for_supervision,
    hazard_order_suspension,
    hazard_raise,
    hazard_record_progress,
    hazard_record_recheck,
    hazard_refuse_extension,
    hazard_reject,
    hazard_request_extension,
    hazard_start_rectification,
    hazard_submit,
    hazard_update,
)

DEMO_LABELS = {
    Source.SUPERVISION: "2026年安全生产专项督查",
    Source.SPOT_CHECK: "卫健局“四不两直”抽查",
    Source.REPORT: "职工安全隐患报告",
    Source.SELF_INSPECTION: "保卫科日常巡查",
    Source.JOINT: "卫健、消防、公安联合检查",
}
DEMO_HOSPITAL_OFFICERS = {
    "晋江市医院": "jjyy_officer",
    "晋江市中医院": "jjzy_officer",
    "晋江仁和医院": "jjry_officer",
    "晋江市磁灶镇卫生院": "jjcz_officer",
    "南安市医院": "nayy_officer",
    "惠安县医院": "hayy_officer",
}
REGION_BUREAU = {"JJ": "jj_bureau", "NA": "na_bureau", "HA": "ha_bureau", "QZ": "qz_bureau"}

# category, location, description, measures, interim measures, responsible department
# fmt: off
FINDINGS = [
    (Category.FIRE, "门诊楼三层东侧消防通道", "消防通道堆放纸箱、轮椅等杂物,影响人员疏散", "清理杂物,设置“禁止堆放”标识,纳入每日巡查", "安排保洁员每日两次巡查清理", "总务科"),
    (Category.FIRE, "住院部七楼护士站", "灭火器压力表指针处于红区,已失效", "更换失效灭火器,建立灭火器月检台账", "从相邻楼层临时调配两具灭火器", "保卫科"),
    (Category.FIRE, "医技楼地下一层", "防火门闭门器损坏,常闭式防火门处于开启状态", "更换闭门器,恢复防火门常闭功能", "张贴“防火门保持常闭”提示并专人检查", "后勤保障科"),
    (Category.FIRE, "行政楼消防控制室", "值班人员未持证上岗,夜间单人值守", "安排持证人员双人值班,组织值班人员参加消防设施操作员培训", "由持证的保卫科人员临时顶岗", "保卫科"),
    (Category.FIRE, "住院楼外墙", "室外消火栓被违规停放车辆遮挡", "施划禁停标线,加装隔离桩", "安排保安在该区域巡查劝离车辆", "保卫科"),
    (Category.LOGISTICS, "住院楼配电房", "配电柜前未铺设绝缘垫,部分电缆桥架盖板缺失", "铺设绝缘垫,补齐电缆桥架盖板", "设置警示标识,非电工人员禁止入内", "后勤保障科"),
    (Category.LOGISTICS, "食堂后厨", "燃气管道软管老化开裂,未安装燃气泄漏报警装置", "更换金属软管,加装燃气泄漏报警及自动切断装置", "每日开火前用肥皂水检漏,专人负责", "后勤保障科"),
    (Category.LOGISTICS, "门诊楼电梯机房", "电梯机房门未上锁,堆放杂物", "清理杂物,机房门加锁并落实钥匙管理", "张贴警示标识", "总务科"),
    (Category.HAZMAT, "检验科危化品柜", "易制毒化学品未执行双人双锁管理,领用台账不全", "落实双人双锁,补全领用登记台账", "危化品柜钥匙暂由科主任统一保管", "检验科"),
    (Category.HAZMAT, "病理科", "甲醛、二甲苯存放区通风设施损坏", "维修排风系统,增设气体浓度检测仪", "暂停该区域试剂分装,移至通风橱操作", "病理科"),
    (Category.SPECIAL_EQUIPMENT, "锅炉房", "蒸汽锅炉安全阀超期未校验", "委托特检机构校验安全阀并取得报告", "降压运行并安排专人值守", "后勤保障科"),
    (Category.SPECIAL_EQUIPMENT, "医用氧气站", "液氧储罐压力表检定证书过期", "送检压力表,建立计量器具检定台账", "使用备用压力表并每班记录读数", "设备科"),
    (Category.MEDICAL, "手术室", "手术患者身份核对记录不完整,部分未执行三方核查", "组织专项培训,将三方核查纳入质控考核", "由护士长每日抽查核对记录", "医务科"),
    (Category.MEDICAL, "急诊科", "抢救车药品效期管理不规范,发现过期药品", "清理过期药品,实行效期标识和每周清点", "立即补齐抢救药品", "护理部"),
    (Category.SECURITY, "门诊大厅", "一键报警装置未与公安110联网,测试无响应", "联系厂家维修并完成与110联网测试", "安排保安在大厅固定岗位值守", "保卫科"),
    (Category.SECURITY, "住院部北门", "夜间监控摄像头故障,存在盲区", "更换故障摄像头,检查录像保存时间不少于30天", "夜间增加保安巡逻频次", "保卫科"),
    (Category.SECURITY, "儿科病区", "病区门禁系统损坏,外来人员可随意进出", "维修门禁系统并实行探视登记", "安排专人在病区入口值守登记", "保卫科"),
    (Category.TRAINING, "全院", "新入职员工未参加岗前消防安全培训", "补训并考核,建立员工安全培训档案", "新员工暂不单独值夜班", "保卫科"),
    (Category.TRAINING, "保安队", "保安人员未按要求开展防暴处置演练", "制定季度演练计划并开展一次防暴演练", "每日班前讲解防暴器械使用要点", "保卫科"),
]
# fmt: on

MAJOR_FINDINGS = [
    {
        "category": Category.LOGISTICS,
        "location": "老住院楼配电房及强电井",
        "description": "配电房主进线电缆老化、绝缘层龟裂,强电井内电缆桥架未做防火封堵,存在引发电气火灾的重大风险",
        "present_state_and_cause": "老住院楼建于2003年,供电线路未随负荷增加改造,电缆长期过载运行导致老化;强电井防火封堵在历次改造中被破坏后未恢复",
        "danger_analysis": "一旦发生电气火灾,火势可经强电井蔓延至各病区,危及约400名住院患者安全;需分区停电施工,涉及ICU、手术室保障,整改难度大",
        "plan_goal": "三个月内完成主进线电缆更换和全部强电井防火封堵,消除电气火灾重大隐患",
        "plan_methods": "委托有资质单位设计施工;按病区分批停电,ICU、手术室由发电车保障;强电井采用防火包和防火泥封堵并验收",
        "plan_funds_materials": "整改资金约68万元,已列入本年度专项预算;电缆及封堵材料由后勤保障科组织采购",
        "plan_organisation": "院长任组长,分管副院长具体负责,后勤保障科、保卫科、医务科、护理部分工落实",
        "plan_time_limit": "第一个月完成设计与采购,第二、三个月分批施工;每两周向卫健局书面报告进度",
        "plan_safety_emergency": "施工期间每日红外测温巡检,配电房24小时专人值守;配备推车式灭火器;制定停电及火灾应急预案并组织演练",
        "supervision_level": "county",
        "supervision_notice_no": "卫督〔2026〕3号",
        "suspension": "",
        "funds": "680000",
    },
    {
        "category": Category.FIRE,
        "location": "门诊综合楼自动喷水灭火系统",
        "description": "门诊综合楼自动喷水灭火系统湿式报警阀组损坏,消防水泵无法自动启动,整栋楼灭火系统处于瘫痪状态",
        "present_state_and_cause": "湿式报警阀组压力开关锈蚀失灵,维保单位未按合同每月测试,长期未发现",
        "danger_analysis": "门诊楼日均人流量逾5000人次,自动灭火系统失效时发生火灾极易造成群死群伤;更换阀组需停水作业,需与消防部门协调",
        "plan_goal": "30日内恢复自动喷水灭火系统功能并通过消防检测",
        "plan_methods": "更换报警阀组及压力开关,联动调试消防水泵;更换维保单位并加强履约考核",
        "plan_funds_materials": "资金约12万元,从医院安全生产专项经费列支",
        "plan_organisation": "分管副院长牵头,保卫科负责,消防维保单位实施",
        "plan_time_limit": "30日内完成,完成后申请消防检测",
        "plan_safety_emergency": "整改期间门诊楼每层增设微型消防站,保安每小时巡查一次;夜间关闭非必要区域;完善疏散预案",
        "supervision_level": "city",
        "supervision_notice_no": "泉卫督〔2026〕7号",
        "suspension": "suspend_use",
        "suspension_scope": "门诊综合楼五层报告厅",
        "suspension_notice_no": "停用通知〔2026〕2号",
        "funds": "120000",
    },
]


def _photo(rng: random.Random, label: str):
    image = Image.new("RGB", (320, 240), (rng.randint(90, 200), rng.randint(90, 200), 120))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 300, 220), outline=(255, 255, 255), width=4)
    draw.text((40, 110), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return clean_evidence_upload(SimpleUploadedFile(f"{label}.jpg", out.getvalue(), "image/jpeg"))


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _backdate(hazard: Hazard, days: list[dt.date], closed_on: dt.date | None = None) -> None:
    """Spread the hazard's events over the given days (in order) and move the close-out."""
    events = list(HazardEvent.objects.filter(hazard=hazard).order_by("at", "pk"))
    for index, event in enumerate(events):
        day = days[min(index, len(days) - 1)]
        HazardEvent.objects.filter(pk=event.pk).update(
            at=_aware(day, 9 + index % 8, 10 * index % 60)
        )
    for kind in (EventType.EXTENSION_REQUESTED,):
        requested = HazardEvent.objects.filter(hazard=hazard, kind=kind).order_by("at")
        for event, extension in zip(
            requested, hazard.extensions.order_by("created_at", "pk"), strict=False
        ):
            ExtensionRequest.objects.filter(pk=extension.pk).update(created_at=event.at)
            ExtensionRequest.objects.filter(pk=extension.pk, decided_at__isnull=False).update(
                decided_at=event.at + dt.timedelta(days=1)
            )
    # Field history follows the same timeline as the events.
    history = list(hazard.history.order_by("history_date", "history_id"))
    for index, record in enumerate(history):
        day = days[min(index, len(days) - 1)]
        type(record).objects.filter(pk=record.pk).update(
            history_date=_aware(day, 9 + index % 8, (10 * index + 5) % 60)
        )
    updates = {"created_at": _aware(days[0], 9)}
    if closed_on:
        updates.update(closed_on=closed_on, closed_at=_aware(closed_on, 16))
    if hazard.submitted_at:
        updates["submitted_at"] = _aware(days[-1], 10)
    if hazard.rechecked_at:
        updates["rechecked_at"] = _aware(days[-1], 11)
    Hazard.objects.filter(pk=hazard.pk).update(**updates)


def _start(hazard, officer, finding):
    hazard_start_rectification(
        hazard=hazard,
        by=officer,
        responsible_department=finding[5],
        responsible_person=officer.display_name,
        rectification_measures=finding[3],
        interim_measures=finding[4],
        funds=None,
    )


def _seed_hospital(rng, hospital, officer, bureau, *, on: dt.date) -> int:
    count = 0
    picks = rng.sample(FINDINGS, k=min(len(FINDINGS), rng.randint(9, 13)))
    for index, finding in enumerate(picks):
        category, location, description, measures, _interim, _dept = finding
        by_bureau = index % 3 == 0
        source = rng.choice(
            [Source.SUPERVISION, Source.SPOT_CHECK, Source.JOINT]
            if by_bureau
            else [Source.SELF_INSPECTION, Source.REPORT]
        )
        found_by = bureau if by_bureau else officer
        found_on = on - dt.timedelta(days=rng.randint(3, 150))
        scenario = rng.choices(
            ["spot", "closed", "in_progress", "pending", "acceptance", "overdue", "rejected"],
            weights=[22, 30, 12, 8, 10, 12, 6],
        )[0]
        if scenario == "overdue":
            found_on = on - dt.timedelta(days=rng.randint(45, 120))
            deadline = found_on + dt.timedelta(days=rng.choice([15, 30]))
        else:
            deadline = found_on + dt.timedelta(days=rng.choice([7, 15, 30, 45]))
            if scenario in ("in_progress", "pending", "acceptance", "rejected") and deadline < on:
                deadline = on + dt.timedelta(days=rng.randint(2, 20))
        # A closed hazard met its deadline back then; it is submitted "today" by the services,
        # so it is raised with a deadline still ahead and given its historical one afterwards.
        historical_deadline = deadline
        if scenario == "closed":
            deadline = max(deadline, on)
        hazard = hazard_raise(
            hospital=hospital,
            found_by=found_by,
            source=source,
            category=category,
            risk_level=RiskLevel.GENERAL,
            location=location,
            description=description,
            found_on=found_on,
            photos=[_photo(rng, "before")],
            deadline=deadline,
            fixed_on_the_spot=scenario == "spot",
            after_photos=[_photo(rng, "after")] if scenario == "spot" else (),
            rectification_measures=measures if scenario == "spot" else "",
            source_label=DEMO_LABELS[source],
        )
        count += 1
        if scenario == "spot":
            _backdate(hazard, [found_on], closed_on=found_on)
            continue
        if scenario == "pending":
            _backdate(hazard, [found_on])
            continue
        _start(hazard, officer, finding)
        started = min(found_on + dt.timedelta(days=1), on)
        hazard_record_progress(hazard=hazard, by=officer, note="已联系相关科室落实整改,材料采购中")
        if scenario == "in_progress":
            if rng.random() < 0.4:
                hazard_request_extension(
                    hazard=hazard,
                    by=officer,
                    requested_deadline=hazard.deadline + dt.timedelta(days=15),
                    reason="所需配件需厂家定制,到货周期约两周",
                )
            _backdate(hazard, [found_on, started, started])
            continue
        if scenario == "overdue":
            if rng.random() < 0.5:
                hazard_explain_overdue(
                    hazard=hazard,
                    by=officer,
                    explanation="施工单位进场延误,且需避开门诊高峰时段施工,未能按期完成。",
                )
            if rng.random() < 0.5:
                extension = hazard_request_extension(
                    hazard=hazard,
                    by=officer,
                    requested_deadline=on + dt.timedelta(days=20),
                    reason="整改涉及招标采购,申请延期",
                )
                if rng.random() < 0.5:
                    hazard_refuse_extension(
                        extension=extension,
                        by=bureau,
                        note="该隐患风险较高,须按原期限加快整改并采取临时措施",
                    )
            _backdate(hazard, [found_on, started, started + dt.timedelta(days=7)])
            continue
        hazard_add_evidence(
            hazard=hazard, by=officer, files=[_photo(rng, "after")], stage=EvidenceStage.AFTER
        )
        submitted = min(found_on + dt.timedelta(days=rng.randint(2, 6)), on)
        hazard_submit(hazard=hazard, by=officer, note="已按整改措施完成整改,请验收")
        acceptor = bureau if hazard.found_side == "bureau" else officer
        if scenario == "acceptance":
            _backdate(hazard, [found_on, started, started, submitted, submitted])
            continue
        if scenario == "rejected":
            hazard_reject(hazard=hazard, by=acceptor, note="现场复核发现整改不彻底,请继续整改")
            _backdate(hazard, [found_on, started, started, submitted, submitted, submitted])
            continue
        hazard_accept(hazard=hazard, by=acceptor, note="现场核查,整改到位,同意销号")
        closed = min(submitted + dt.timedelta(days=rng.randint(0, 3)), on)
        _backdate(hazard, [found_on, started, started, submitted, submitted, closed], closed)
        Hazard.objects.filter(pk=hazard.pk).update(deadline=max(historical_deadline, submitted))
    return count


HOSPITAL_PLAN_FIELDS = (
    "present_state_and_cause",
    "danger_analysis",
    "plan_goal",
    "plan_methods",
    "plan_funds_materials",
    "plan_organisation",
    "plan_time_limit",
    "plan_safety_emergency",
)


def _seed_major(
    rng, hospital, officer, bureau, spec, *, on: dt.date, close: bool, city_bureau=None
) -> None:
    city_bureau = city_bureau or bureau
    found_on = on - dt.timedelta(days=75 if close else 40)
    hazard = hazard_raise(
        hospital=hospital,
        found_by=bureau,
        source=Source.SUPERVISION,
        category=spec["category"],
        risk_level=RiskLevel.MAJOR,
        location=spec["location"],
        description=spec["description"],
        found_on=found_on,
        photos=[_photo(rng, "major")],
        deadline=on + dt.timedelta(days=5) if close else found_on + dt.timedelta(days=90),
        source_label=DEMO_LABELS[Source.SUPERVISION],
    )
    hazard_start_rectification(
        hazard=hazard,
        by=officer,
        responsible_department="后勤保障科",
        responsible_person=officer.display_name,
        rectification_measures=spec["plan_methods"],
        interim_measures=spec["plan_safety_emergency"],
        funds=Decimal(spec["funds"]),
    )
    plan = {key: value for key, value in spec.items() if key in HOSPITAL_PLAN_FIELDS}
    hazard_update(hazard=hazard, by=officer, changes=plan, note="制定重大隐患治理方案")
    # 挂牌督办 and 停用整改 are the bureau's decisions, by the bureau of the listing level.
    lister = city_bureau if spec["supervision_level"] == "city" else bureau
    hazard_list_for_supervision(
        hazard=hazard,
        by=lister,
        level=spec["supervision_level"],
        notice_no=spec["supervision_notice_no"],
        reason="重大事故隐患,按分级挂牌督办要求实行挂牌督办",
    )
    if spec.get("suspension"):
        hazard_order_suspension(
            hazard=hazard,
            by=lister,
            kind=spec["suspension"],
            scope=spec["suspension_scope"],
            notice_no=spec["suspension_notice_no"],
            reason="危险区域人员密集,整改期间停止使用",
        )
    hazard_record_progress(hazard=hazard, by=officer, note="已完成设计和采购,分批施工中")
    days = [found_on, found_on + dt.timedelta(days=3), found_on + dt.timedelta(days=5)]
    if not close:
        hazard_request_extension(
            hazard=hazard,
            by=officer,
            requested_deadline=hazard.deadline + dt.timedelta(days=30),
            reason="施工需分批停电,须避开手术高峰,申请延期30天",
        )
        _backdate(hazard, [*days, found_on + dt.timedelta(days=20), on])
        return
    hazard_add_evidence(
        hazard=hazard, by=officer, files=[_photo(rng, "after")], stage=EvidenceStage.AFTER
    )
    hazard_submit(hazard=hazard, by=officer, note="治理方案各项任务已完成,申请复查验收")
    hazard_record_recheck(
        hazard=hazard, by=bureau, note="现场复查:电缆已全部更换,防火封堵完整,检测报告合格"
    )
    hazard_accept(hazard=hazard, by=bureau, note="复查合格,同意销号")
    closed = found_on + dt.timedelta(days=55)
    _backdate(
        hazard,
        [
            *days,
            found_on + dt.timedelta(days=30),
            found_on + dt.timedelta(days=50),
            found_on + dt.timedelta(days=50),
            found_on + dt.timedelta(days=53),
            closed,
            closed,
        ],
        closed,
    )
    Hazard.objects.filter(pk=hazard.pk).update(deadline=found_on + dt.timedelta(days=60))


def seed(*, stdout, style) -> None:
    rng = random.Random(2026)
    on = today()
    users = {u.username: u for u in User.objects.filter(role__in=[Role.OFFICER, Role.BUREAU])}
    created = 0
    for name, username in DEMO_HOSPITAL_OFFICERS.items():
        hospital = Hospital.objects.select_related("region").filter(name=name).first()
        officer = users.get(username)
        if hospital is None or officer is None:
            continue
        if Hazard.objects.filter(hospital=hospital, source_label__in=DEMO_LABELS.values()).exists():
            continue
        bureau = users.get(REGION_BUREAU.get(hospital.region.code, "")) or users.get("qz_bureau")
        if bureau is None:
            continue
        try:
            created += _seed_hospital(rng, hospital, officer, bureau, on=on)
            if name in ("晋江市医院", "南安市医院"):
                city_bureau = users.get("qz_bureau") or bureau
                _seed_major(
                    rng,
                    hospital,
                    officer,
                    bureau,
                    MAJOR_FINDINGS[0],
                    on=on,
                    close=name == "南安市医院",
                    city_bureau=city_bureau,
                )
                _seed_major(
                    rng,
                    hospital,
                    officer,
                    bureau,
                    MAJOR_FINDINGS[1],
                    on=on,
                    close=False,
                    city_bureau=city_bureau,
                )
                created += 2
        except HazardError as exc:  # demo data must never half-apply silently
            raise RuntimeError(f"hazards demo failed at {name}: {exc}") from exc
    open_count = Hazard.objects.filter(status__in=[Status.PENDING, Status.IN_PROGRESS]).count()
    stdout.write(
        style.SUCCESS(f"hazards demo: {created} hazards created ({open_count} open in total)")
    )
