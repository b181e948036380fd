"""One realistic world for the access matrix, built once per test module through the services
(as the product builds it) and the factories of tests/.

    泉州市 (city, QZ) ── 晋江市 (county 1, JJ): hospital A, hospital B
                     └─ 南安市 (county 2, NA): hospital C

The actors (ACTORS) are: anonymous, the officers of hospitals A and B, bureau staff of
county 1, county 2 and the city, the (system) administrator of county 1, and the security and
audit administrators of county 1 (the separated duties: accounts; the audit log). Every object the matrix
requests belongs to hospital A (or county 1), so for each object URL the officer of B is the
"other hospital" and the county-2 bureau the "other region"; the city bureau sees it from above.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from api.services import token_issue
from audit.choices import Action
from audit.recorder import audit_record
from core.dates import today
from core.roles import Role
from core.uploads import clean_evidence_upload
from hazards.choices import EvidenceStage, RiskLevel, Status
from hazards.services import (
    hazard_add_evidence,
    hazard_request_extension,
    hazard_start_rectification,
    hazard_submit,
)
from hospitals.models import HospitalImport, ImportStatus
from incidents import services as incident_services
from inspections import checklist_seed
from inspections.choices import AssignmentKind, PhotoKind, Result
from inspections.models import ChecklistItem as TemplateItem
from inspections.models import ChecklistSection, ChecklistTemplate
from inspections.services import (
    answer_photo_add,
    inspection_start,
    inspection_submit,
    template_copy,
)
from notifications.choices import DeliveryStatus, EventKind
from notifications.models import Delivery, WebhookEndpoint
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from security import services as security_services
from security.choices import DrillScenario
from security.models import (
    AlarmDrill,
    AlarmPoint,
    EmergencyDrill,
    Entrance,
    GuardPost,
    HalfYearReport,
    VideoSystem,
)
from tests.factories import (
    AdminUserFactory,
    BureauDepartmentFactory,
    BureauUserFactory,
    HospitalFactory,
    OfficerFactory,
    RegionFactory,
    UserFactory,
)
from tests.hazards.factories import (
    cleaned_photo,
    complete_dossier,
    jpeg_bytes,
    raise_hazard,
    upload,
)
from tests.inspections.factories import make_assignment
from tests.notifications.factories import NotificationFactory, RobotFactory
from tests.security.factories import SecurityPlanFactory, complete_records, png_upload
from training import services as training_services

ACTORS = (
    "anon",
    "officer_a",
    "officer_b",
    "bureau_1",
    "bureau_2",
    "bureau_city",
    "admin_1",
    "secadmin_1",
    "auditor_1",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def build_world() -> World:
    w = World()
    o = w.objects
    on = today()

    # --- regions, hospitals, people ----------------------------------------------------------
    o["city"] = city = RegionFactory(name="泉州市", code="QZ", level="city")
    o["county1"] = county1 = RegionFactory(name="晋江市", code="JJ", level="county", parent=city)
    o["county2"] = county2 = RegionFactory(name="南安市", code="NA", level="county", parent=city)
    o["department"] = BureauDepartmentFactory(region=county1, name="医政医管股")
    o["hospital_a"] = hospital_a = HospitalFactory(
        name="晋江市医院", region=county1, level="3", linked_department=o["department"]
    )
    o["hospital_b"] = hospital_b = HospitalFactory(name="晋江市中医院", region=county1)
    o["hospital_c"] = hospital_c = HospitalFactory(name="南安市医院", region=county2)

    w.users = users = {
        "officer_a": OfficerFactory(username="m_officer_a", hospital=hospital_a),
        "officer_b": OfficerFactory(username="m_officer_b", hospital=hospital_b),
        "bureau_1": BureauUserFactory(username="m_bureau_1", region=county1),
        "bureau_2": BureauUserFactory(username="m_bureau_2", region=county2),
        "bureau_city": BureauUserFactory(username="m_bureau_city", region=city),
        "admin_1": AdminUserFactory(username="m_admin_1", region=county1),
        "secadmin_1": UserFactory(username="m_secadmin_1", role=Role.SECADMIN, region=county1),
        "auditor_1": UserFactory(username="m_auditor_1", role=Role.AUDITOR, region=county1),
    }
    officer_a, bureau_1, admin_1 = users["officer_a"], users["bureau_1"], users["admin_1"]
    o["officer_c"] = OfficerFactory(username="m_officer_c", hospital=hospital_c)
    o["linked_staff"] = BureauUserFactory(
        username="m_linked", region=county1, department=o["department"]
    )

    # --- hazards -----------------------------------------------------------------------------
    # A 一般隐患 found by A itself, waiting to be started; with a photo and a pending extension.
    o["hazard"] = hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        photos=[cleaned_photo()],
        deadline=on + dt.timedelta(days=20),
    )
    o["evidence"] = hazard.evidence.get()
    o["extension"] = hazard_request_extension(
        hazard=hazard,
        by=officer_a,
        requested_deadline=on + dt.timedelta(days=40),
        reason="需采购专用设备",
    )
    # A 重大隐患 found by the county bureau, submitted for acceptance (the bureau accepts).
    o["major"] = major = raise_hazard(
        hospital=hospital_a,
        found_by=bureau_1,
        source="supervision",
        risk_level=RiskLevel.MAJOR,
        category="logistics",
        location="住院楼配电房",
        description="配电房电缆老化,绝缘层破损",
        deadline=on + dt.timedelta(days=30),
    )
    hazard_start_rectification(
        hazard=major,
        by=officer_a,
        responsible_department="后勤保障科",
        responsible_person="李建国",
        rectification_measures="更换电缆",
        interim_measures="专人值守",
    )
    complete_dossier(major, officer_a, bureau_1)
    hazard_add_evidence(
        hazard=major, by=officer_a, files=[cleaned_photo()], stage=EvidenceStage.AFTER
    )
    hazard_submit(hazard=major, by=officer_a, note="已整改完毕")
    major.refresh_from_db()
    assert major.status == Status.PENDING_ACCEPTANCE
    # A's own 一般隐患, rectified and submitted: the hospital accepts it itself.
    o["submitted_hazard"] = submitted_hazard = raise_hazard(
        hospital=hospital_a, found_by=officer_a, deadline=on + dt.timedelta(days=10)
    )
    hazard_start_rectification(
        hazard=submitted_hazard,
        by=officer_a,
        responsible_department="总务科",
        responsible_person="王五",
        rectification_measures="更换灭火器",
        interim_measures="临时调配",
    )
    hazard_add_evidence(
        hazard=submitted_hazard, by=officer_a, files=[cleaned_photo()], stage=EvidenceStage.AFTER
    )
    hazard_submit(hazard=submitted_hazard, by=officer_a, note="已更换")
    o["hazard_c"] = raise_hazard(hospital=hospital_c, found_by=o["officer_c"])

    # --- inspections ---------------------------------------------------------------------------
    checklist_seed.install(ChecklistTemplate, ChecklistSection, TemplateItem)
    o["seed_template"] = seed = ChecklistTemplate.objects.get(
        code=checklist_seed.SAFETY_CODE, version=1
    )
    submitted = inspection_start(by=officer_a, hospital=hospital_a, kind="self")
    submitted.answers.update(result=Result.PASS)
    o["answer"] = answer = submitted.answers.order_by("pk").first()
    o["photo"], _created = answer_photo_add(
        answer=answer,
        by=officer_a,
        upload=clean_evidence_upload(upload("现场.jpg", jpeg_bytes(size=(30, 20)))),
        kind=PhotoKind.FINDING,
    )
    o["inspection"] = inspection_submit(inspection=submitted, by=officer_a)
    # A draft self-inspection of A (visible to A's officers only) with a photo of its own.
    o["draft"] = draft = inspection_start(by=officer_a, hospital=hospital_a, kind="self")
    o["draft_answer"] = draft_answer = draft.answers.order_by("pk").first()
    o["draft_photo"], _created = answer_photo_add(
        answer=draft_answer,
        by=officer_a,
        upload=clean_evidence_upload(upload("草稿.jpg", jpeg_bytes(size=(31, 21)))),
        kind=PhotoKind.FINDING,
    )
    o["draft_section"] = draft_answer.item.section
    o["assignment"] = make_assignment(hospital_a, due_date=on, kind=AssignmentKind.SELF)
    # County 1's own unused version (the administrator of county 1 may edit it).
    o["template"] = template = template_copy(template=seed, by=admin_1)
    o["template_section"] = template.sections.order_by("order", "pk").first()
    o["template_item"] = template.items.order_by("pk").first()

    # --- 4+N -------------------------------------------------------------------------------------
    o["plan"] = SecurityPlanFactory(region=city)
    o["profile"] = complete_records(hospital_a)
    items = security_services.checklist_ensure(hospital=hospital_a)
    security_services.checklist_ensure(hospital=hospital_b)
    security_services.checklist_ensure(hospital=hospital_c)
    o["item"] = item = items[0]
    o["custom_item"] = security_services.custom_item_create(
        hospital=hospital_a, name="电子巡更系统", by=officer_a
    )
    (o["item_evidence"],) = security_services.evidence_add(
        item=item, uploads=[clean_evidence_upload(png_upload())], by=officer_a
    )
    o["guard_post"] = GuardPost.objects.filter(hospital=hospital_a).first()
    o["entrance"] = Entrance.objects.filter(hospital=hospital_a).first()
    o["alarm_point"] = AlarmPoint.objects.filter(hospital=hospital_a).first()
    o["video"] = VideoSystem.objects.filter(hospital=hospital_a).first()
    o["alarm_drill"] = AlarmDrill.objects.create(
        hospital=hospital_a, date=on - dt.timedelta(days=3), response_seconds=50
    )
    o["drill"] = drill = EmergencyDrill.objects.create(
        hospital=hospital_a,
        date=on - dt.timedelta(days=5),
        scenario=DrillScenario.values[0],
        title="防暴演练",
        location="门诊大厅",
        participants=30,
    )
    o["finding"] = security_services.finding_add(
        drill=drill, description="报警按钮被遮挡", by=officer_a
    )
    year = on.year - 1
    o["report"] = report = security_services.report_save(
        hospital=hospital_a,
        year=year,
        half=1,
        progress="完成保安配备",
        problems="无",
        next_steps="继续",
        by=officer_a,
    )
    o["report"] = security_services.report_submit(report=report, by=officer_a)
    o["draft_report"] = security_services.report_save(
        hospital=hospital_a,
        year=year,
        half=2,
        progress="推进中",
        problems="无",
        next_steps="继续",
        by=officer_a,
    )
    assert HalfYearReport.objects.filter(hospital=hospital_a).count() == 2

    # --- training and responsibility letters ----------------------------------------------------
    o["training_session"] = training_services.session_save(
        hospital=hospital_a,
        fields={
            "held_on": on - dt.timedelta(days=2),
            "kind": "all_staff",
            "title": "全员安全生产培训",
            "trainer": "陈教官",
            "hours": 2,
            "attendee_count": 100,
        },
        by=officer_a,
        photos=[clean_evidence_upload(png_upload())],
    )
    o["training_file"] = o["training_session"].files.get()
    o["certificate"] = training_services.certificate_save(
        hospital=hospital_a,
        fields={
            "holder": "张建华",
            "cert_type": "power",
            "number": "T-0001",
            "valid_until": on + dt.timedelta(days=200),
        },
        by=officer_a,
    )
    o["letter"] = training_services.letter_save(
        hospital=hospital_a,
        fields={
            "year": on.year,
            "level": "hospital_department",
            "party_a": "晋江市医院",
            "party_b": "后勤保障部",
            "signed_on": on,
        },
        by=officer_a,
        scans=[clean_evidence_upload(png_upload())],
    )
    o["letter_scan"] = o["letter"].scans.get()
    # --- incidents and patrols of hospital A ------------------------------------------------
    o["incident"] = incident_services.incident_create(
        hospital=hospital_a,
        by=officer_a,
        kind="tout",
        occurred_at=timezone.now() - dt.timedelta(days=2),
        location="门诊大厅",
        description="疑似医托拉客",
        handled_by="保安 陈志强",
        police_involved=False,
        attachments=[clean_evidence_upload(png_upload())],
    )
    o["incident_attachment"] = o["incident"].attachments.get()
    o["patrol"] = incident_services.patrol_create(
        hospital=hospital_a,
        by=officer_a,
        patrolled_on=on,
        started_at=dt.time(8, 0),
        route="门诊大厅—急诊科",
        patroller="陈志强",
        findings="安全出口堆放杂物",
    )

    # --- notifications, robots, deliveries ------------------------------------------------------
    o["notification"] = NotificationFactory(recipient=officer_a, url="/hazards/")
    o["robot"] = RobotFactory(region=county1, created_by=admin_1)
    o["robot_c"] = RobotFactory(hospital=hospital_c)
    o["delivery"] = Delivery.objects.create(
        channel="email",
        target=officer_a.email,
        recipient=officer_a,
        address=officer_a.email,
        event=EventKind.HAZARD_RAISED,
        dedupe_key="matrix|failed",
        title="测试",
        body="测试",
        status=DeliveryStatus.FAILED,
    )

    o["delivery_c"] = Delivery.objects.create(
        channel="email",
        target=o["officer_c"].email,
        recipient=o["officer_c"],
        address=o["officer_c"].email,
        event=EventKind.HAZARD_RAISED,
        dedupe_key="matrix|failed|c",
        title="测试",
        body="测试",
        status=DeliveryStatus.FAILED,
    )

    # Integration webhooks: one of a county-1 account, one of a county-2 account. Their URL is
    # refused by the SSRF guard, so a test ping fails at once without touching the network.
    o["webhook"] = WebhookEndpoint.objects.create(
        name="对接平台",
        url="https://127.0.0.1:9/hook",
        secret="whsec_matrix",
        events=[],
        owner=bureau_1,
        created_by=admin_1,
    )
    o["webhook_c"] = WebhookEndpoint.objects.create(
        name="南安对接", url="https://127.0.0.1:9/hook", secret="whsec_c", owner=o["officer_c"]
    )
    o["webhook_delivery"] = Delivery.objects.create(
        channel="webhook",
        target=f"webhook:{o['webhook'].pk}",
        webhook=o["webhook"],
        event="hazard.raised",
        dedupe_key="matrix|webhook|failed",
        title="测试",
        payload="{}",
        status=DeliveryStatus.FAILED,
    )
    # --- audit log: an entry of county 1 (officer A) and one of county 2 (officer C) -------
    o["audit_entry"] = audit_record(Action.LOGIN, actor=officer_a)
    o["audit_entry_c"] = audit_record(Action.LOGIN, actor=o["officer_c"])

    # --- report exports -------------------------------------------------------------------------
    export = ReportExport(
        report_type=ReportType.HAZARD_LEDGER,
        region=county1,
        hospital=hospital_a,
        period_kind="quarter",
        period_key=f"{year}-Q3",
        period_start=dt.date(year, 7, 1),
        period_end=dt.date(year, 9, 30),
        requested_by=bureau_1,
        status=ExportStatus.FAILED,
        error="测试失败",
        attempts=1,
    )
    export.save()
    o["export"] = export
    done = ReportExport(
        report_type=ReportType.HAZARD_LEDGER,
        region=county1,
        hospital=hospital_a,
        period_kind="quarter",
        period_key=f"{year}-Q2",
        period_start=dt.date(year, 4, 1),
        period_end=dt.date(year, 6, 30),
        requested_by=bureau_1,
        status=ExportStatus.READY,
        filename="ledger.xlsx",
        row_count=1,
    )
    done.file.save("ledger.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=False)
    done.save()
    o["export_done"] = done
    o["export_c"] = ReportExport.objects.create(
        report_type=ReportType.HAZARD_LEDGER,
        region=county2,
        hospital=hospital_c,
        period_kind="quarter",
        period_key=f"{year}-Q3",
        period_start=dt.date(year, 7, 1),
        period_end=dt.date(year, 9, 30),
        requested_by=users["bureau_2"],
        status=ExportStatus.FAILED,
        error="测试失败",
    )

    # --- an API token of A's officer, issued by county 1's security administrator -------------
    o["api_token"], _secret = token_issue(
        owner=officer_a, name="对接令牌", scope="read", expires_on=None, by=users["secadmin_1"]
    )

    # --- the administrator's import with an error report ----------------------------------------
    o["import"] = HospitalImport.objects.create(
        created_by=admin_1,
        original_name="名录.xlsx",
        status=ImportStatus.FAILED,
        error_count=1,
        errors=[{"row": 2, "column": "机构名称", "message": "必填"}],
    )
    o["city_admin"] = AdminUserFactory(username="m_city_admin", region=city)
    o["import_other"] = HospitalImport.objects.create(
        created_by=o["city_admin"],
        original_name="市级名录.xlsx",
        status=ImportStatus.FAILED,
        error_count=1,
        errors=[{"row": 3, "column": "等级", "message": "无效"}],
    )
    return w
