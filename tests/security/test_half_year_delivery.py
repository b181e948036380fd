"""Half-year report: e-mailed once, with its PDF, to the police contact; downloadable by the
hospital and its bureau; the page tells the truth about the delivery."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from notifications.choices import Channel, DeliveryStatus, EventKind
from notifications.models import Delivery
from notifications.services import deliver, retry_due_deliveries
from notifications.tasks import send_delivery
from security.models import HalfYearReport
from security.services import SecurityError, report_police_deliveries, report_save, report_submit
from tests.security.factories import SecurityPlanFactory

pytestmark = pytest.mark.django_db

POLICE = "zhian@jj-police.example"


@pytest.fixture
def plan(county):
    return SecurityPlanFactory(
        region=county,
        police_unit="晋江市公安局治安大队",
        police_contact="许警官",
        police_email=POLICE,
        bureau_contact="安办",
    )


def _draft(hospital, officer) -> HalfYearReport:
    return report_save(
        hospital=hospital,
        year=2025,
        half=2,
        progress="警务室已设立,安检门已安装。",
        problems="人脸识别尚未与公安联网。",
        next_steps="年内完成联网。",
        by=officer,
    )


def _police_mails():
    return [m for m in mail.outbox if m.to == [POLICE]]


def test_submission_sends_one_email_with_the_pdf_to_the_police(
    plan, hospital_a, officer_a, county_bureau, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(report=_draft(hospital_a, officer_a), by=officer_a)

    police = _police_mails()
    assert len(police) == 1
    message = police[0]
    assert "晋江市医院" in message.subject
    assert "许警官" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    assert filename.endswith(".pdf") and "晋江市医院" in filename
    assert content.startswith(b"%PDF")

    [delivery] = report_police_deliveries(report)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.recipient is None and delivery.address == POLICE
    assert delivery.attachment and delivery.attachment_object_id == report.pk

    # The task run again, the retry scan, and a second submit send nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_delivery.delay(delivery.pk).get() == "skipped"
        retry_due_deliveries()
        with pytest.raises(SecurityError):
            report_submit(report=report, by=officer_a)
    assert len(_police_mails()) == 1
    assert Delivery.objects.filter(target=f"email:{POLICE}").count() == 1


def test_notify_called_twice_for_the_same_submission_writes_one_delivery(
    plan, hospital_a, officer_a, django_capture_on_commit_callbacks
):
    from notifications.services import notify
    from security.report_pdf import ATTACHMENT_NAME

    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(report=_draft(hospital_a, officer_a), by=officer_a)
        # A retried request replays the same notify: the unique key absorbs it.
        notify(
            event=EventKind.HALF_YEAR_REPORT_SUBMITTED,
            recipients=[],
            addresses=[("许警官", POLICE.upper())],
            title="again",
            obj=report,
            occurrence="submitted",
            attachment=ATTACHMENT_NAME,
            robots=False,
        )
    assert len(_police_mails()) == 1
    assert Delivery.objects.filter(channel=Channel.EMAIL, recipient__isnull=True).count() == 1


def test_a_failed_attempt_is_retried_with_the_same_attachment(
    plan, hospital_a, officer_a, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMultiAlternatives

    original = EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1 and self.to == [POLICE]:
            raise smtplib.SMTPServerDisconnected("down")
        return original(self, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky):
        report = _draft(hospital_a, officer_a)
        # Queue nothing now: the first attempt is made by hand below.
        report = report_submit(report=report, by=officer_a)
        [delivery] = report_police_deliveries(report)
        assert deliver(delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        with django_capture_on_commit_callbacks(execute=True):
            result = retry_due_deliveries()
        assert result["single"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    [message] = _police_mails()
    assert message.attachments[0][1].startswith(b"%PDF")


def test_no_police_email_means_no_delivery_and_the_page_says_so(
    county, hospital_a, officer_a, client_for
):
    SecurityPlanFactory(region=county, police_contact="许警官")
    client = client_for(officer_a)
    report = _draft(hospital_a, officer_a)
    page = client.get(reverse("security:report", args=[report.pk])).content.decode()
    assert "区域方案未设置公安联系邮箱" in page
    response = client.post(reverse("security:report_submit", args=[report.pk]), follow=True)
    body = response.content.decode()
    assert "未向公安发送" in body
    assert "未通过系统发送" in body
    assert not report_police_deliveries(HalfYearReport.objects.get(pk=report.pk))
    assert mail.outbox == [] or all(m.to != [POLICE] for m in mail.outbox)


def test_report_page_shows_the_police_delivery_status(
    plan, hospital_a, officer_a, county_bureau, client_for
):
    report = report_submit(report=_draft(hospital_a, officer_a), by=officer_a)
    [delivery] = report_police_deliveries(report)
    url = reverse("security:report", args=[report.pk])
    page = client_for(county_bureau).get(url).content.decode()
    assert "待发送" in page and POLICE in page
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, last_error="收件地址被拒绝"
    )
    page = client_for(county_bureau).get(url).content.decode()
    assert "发送失败" in page and "收件地址被拒绝" in page
    assert deliver(delivery.pk) == "skipped"  # a failed row is not resent by itself


def test_pdf_download_for_hospital_and_bureau_404_for_others(
    plan, hospital_a, officer_a, officer_b, county_bureau, other_county_bureau, client_for
):
    draft = _draft(hospital_a, officer_a)
    url = reverse("security:report_pdf", args=[draft.pk])
    assert client_for(officer_a).get(url).status_code == 404  # drafts have no PDF
    report_submit(report=draft, by=officer_a)
    for user in (officer_a, county_bureau):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
    assert client_for(officer_b).get(url).status_code == 404
    assert client_for(other_county_bureau).get(url).status_code == 404
    page = client_for(officer_a).get(reverse("security:report", args=[draft.pk])).content.decode()
    assert url in page


def test_pdf_has_the_signature_lines_and_the_frozen_figures(plan, hospital_a, officer_a):
    from security.report_pdf import half_year_report_pdf

    report = report_submit(report=_draft(hospital_a, officer_a), by=officer_a)
    text = _pdf_text(half_year_report_pdf(report, compress=False))
    for label in ("单位(盖章)", "负责人", "填报人", "日期", "工作进展", "晋江市公安局治安大队"):
        assert label in text, label
    assert "配备专职保安员" in text


def _pdf_text(content: bytes) -> str:
    """The text drawn in the PDF (the embedded TrueType subsets map back to Unicode)."""
    import io

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(content)).pages
    return "".join((page.extract_text() or "").replace("\n", "") for page in pages)


def test_bureau_resends_a_failed_police_email_once(
    plan, hospital_a, officer_a, county_bureau, client_for, django_capture_on_commit_callbacks
):
    report = report_submit(report=_draft(hospital_a, officer_a), by=officer_a)
    [delivery] = report_police_deliveries(report)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=6, last_error="SMTP down"
    )
    url = reverse("security:report_police_resend", args=[report.pk])
    # The hospital may not; the bureau may, and the e-mail goes out once.
    client_for(officer_a).post(url)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    page = client_for(county_bureau).get(reverse("security:report", args=[report.pk]))
    assert url in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(county_bureau).post(url)
        client_for(county_bureau).post(url)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(_police_mails()) == 1
