"""Certificate expiry reminders, run by the notifications reminder scan (registered in
TrainingConfig.ready(), `notifications.registry`).

A special-operation certificate that is about to lapse → the hospital's officers, once when it
enters each window (CERTIFICATE_REMINDER_DAYS: within 30 days, within 7 days) and once when it
has lapsed (for CERTIFICATE_LAPSED_LOOKBACK_DAYS after, so switching reminders on does not
flood anyone with old certificates). Windows, not exact days, so a scan that did not run on
the exact day still sends; the occurrence key (certificate, its date, the stage) makes every
notice go once, however often the scan runs. A renewed certificate (new date) starts afresh.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.choices import EventKind
from notifications.recipients import hospital_officers
from notifications.services import notify

from .choices import CERTIFICATE_LAPSED_LOOKBACK_DAYS, CERTIFICATE_REMINDER_DAYS
from .models import Certificate


def _stage(days_left: int) -> str | None:
    if days_left < 0:
        return "lapsed" if -days_left <= CERTIFICATE_LAPSED_LOOKBACK_DAYS else None
    inside = [offset for offset in CERTIFICATE_REMINDER_DAYS if days_left <= offset]
    return f"within:{min(inside)}" if inside else None


def remind_certificates(*, today: dt.date) -> int:
    sent = 0
    first = today - dt.timedelta(days=CERTIFICATE_LAPSED_LOOKBACK_DAYS)
    last = today + dt.timedelta(days=max(CERTIFICATE_REMINDER_DAYS))
    certificates = (
        Certificate.objects.filter(
            hospital__is_active=True, valid_until__gte=first, valid_until__lte=last
        )
        .select_related("hospital")
        .order_by("hospital_id", "valid_until", "pk")
    )
    officers: dict[int, list] = {}
    for certificate in certificates.iterator():
        days_left = (certificate.valid_until - today).days
        stage = _stage(days_left)
        if stage is None:
            continue
        hospital = certificate.hospital
        if hospital.pk not in officers:
            officers[hospital.pk] = hospital_officers(hospital)
        values = {
            "holder": certificate.holder,
            "type": certificate.get_cert_type_display(),
            "days": abs(days_left),
        }
        if days_left < 0:
            title = _("%(holder)s 的%(type)s作业证书已过期 %(days)s 天") % values
        else:
            title = _("%(holder)s 的%(type)s作业证书还有 %(days)s 天到期") % values
        created = notify(
            event=EventKind.TRAINING_CERTIFICATE_DUE,
            recipients=officers[hospital.pk],
            title=title,
            body=_("证书编号:%(number)s\n有效期至:%(until)s\n请及时复审或换证,确保持证上岗。")
            % {"number": certificate.number, "until": certificate.valid_until.isoformat()},
            url=reverse("training:certificate", args=[certificate.pk]),
            obj=certificate,
            hospital=hospital,
            occurrence=f"certificate:{certificate.valid_until.isoformat()}:{stage}",
        )
        sent += len(created)
    return sent


REMINDER_RULES = (remind_certificates,)
