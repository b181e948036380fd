"""Demo incidents and patrols: for every demo hospital with an officer, six weeks of patrols
(mostly three or four a day, some days short, a few findings, one raised as a hazard) and a
handful of incidents over half a year (seed 003: five 医托 cases in six months at one hospital).

Everything goes through the services, as the product writes it. Idempotent: a hospital that
already has patrols is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.dates import today
from hazards.choices import Category, RiskLevel
from hospitals.demo_size import demo_size
from hospitals.models import Hospital

from .choices import IncidentKind
from .models import Patrol
from .services import incident_create, patrol_create, patrol_raise_hazard

ROUTES = [
    "门诊大厅—挂号收费处—急诊科—发热门诊",
    "住院部各楼层—护士站—楼梯间",
    "停车场—院区周界—配电房—液氧站",
    "医技楼—药库—财务室—监控中心",
]
PATROLLERS = ["陈志强", "林建华", "黄文斌", "王国伟", "吴俊杰"]
FINDINGS = [
    "住院部三楼安全出口堆放杂物",
    "发热门诊候诊区有疑似医托人员拉客,已劝离",
    "停车场东侧监控摄像头画面模糊",
    "配电房门未上锁",
]
INCIDENTS = [
    (IncidentKind.TOUT, "门诊大厅", "一名男子在挂号处向患者推荐院外诊所", "保安 陈志强", False),
    (IncidentKind.TOUT, "发热门诊候诊区", "疑似医托人员拉拢外地患者", "保卫科 林建华", True),
    (IncidentKind.VIOLENCE, "急诊科", "患者家属因候诊时间长辱骂并推搡医生", "保卫科 黄文斌", True),
    (IncidentKind.THEFT, "住院部五楼", "病房内患者手机被盗", "保安 王国伟", True),
    (
        IncidentKind.ELEVATOR,
        "门诊楼2号电梯",
        "电梯停在两层之间,困住3人,约15分钟救出",
        "维保 吴俊杰",
        False,
    ),
    (IncidentKind.FIRE, "食堂后厨", "油锅起火,灭火毯扑灭,无人员受伤", "后勤 林建华", False),
]


def _officer(hospital):
    return (
        User.objects.filter(role=Role.OFFICER, hospital=hospital, is_active=True)
        .order_by("pk")
        .first()
    )


def _seed_hospital(hospital, officer, rng: random.Random) -> None:
    days = demo_size().patrol_days
    first = today() - dt.timedelta(days=days)
    raised = False
    for offset in range(days + 1):
        day = first + dt.timedelta(days=offset)
        # Mostly the rule's three or four patrols; about one day in eight falls short.
        count = rng.choice([1, 2]) if rng.random() < 0.12 else rng.choice([3, 3, 4])
        if day == today():
            count = 1
        for index in range(count):
            findings = rng.choice(FINDINGS) if rng.random() < 0.08 else ""
            patrol = patrol_create(
                hospital=hospital,
                by=officer,
                patrolled_on=day,
                started_at=dt.time(8 + index * 5, rng.choice([0, 15, 30])),
                route=ROUTES[index % len(ROUTES)],
                patroller=rng.choice(PATROLLERS),
                findings=findings,
            )
            if findings and not raised and day < today():
                patrol_raise_hazard(
                    patrol=patrol,
                    by=officer,
                    category=Category.SECURITY,
                    risk_level=RiskLevel.GENERAL,
                    location=findings[:8],
                    description=findings,
                )
                raised = True
    now = timezone.localtime()
    for index, (kind, where, what, who, police) in enumerate(INCIDENTS):
        if rng.random() < 0.35:
            continue
        occurred = now - dt.timedelta(days=7 + index * 25 + rng.randint(0, 10), hours=3)
        incident_create(
            hospital=hospital,
            by=officer,
            kind=kind,
            occurred_at=occurred.replace(second=0, microsecond=0),
            location=where,
            description=what,
            handled_by=who,
            police_involved=police,
            police_case_number=f"J{occurred:%Y%m%d}{index:03d}" if police else "",
            outcome="已处置完毕" if index % 2 == 0 else "",
        )


def seed(*, stdout, style) -> None:
    rng = random.Random(2615)
    seeded = 0
    hospitals = Hospital.objects.active().select_related("region").order_by("pk")
    for hospital in hospitals[: demo_size().history_hospitals]:
        if Patrol.objects.filter(hospital=hospital).exists():
            continue
        officer = _officer(hospital)
        if officer is None:
            continue
        _seed_hospital(hospital, officer, rng)
        seeded += 1
    stdout.write(style.SUCCESS(f"incidents demo: {seeded} 家医院的治安事件与巡查记录已生成"))
