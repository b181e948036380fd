"""Hazard reminder rules, run by the notifications reminder scan (notifications/tasks.py).

Each rule is a query of what is due today; every reminder is keyed by (event, hazard,
occurrence) so running a rule again — or concurrently — sends nothing new. Occurrences include
the deadline, so an approved extension starts a fresh set of reminders.
Offsets are region settings: hazard_reminder_days ("3,1") and overdue_repeat_days (7).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.channels import absolute_url
from notifications.choices import EventKind
from notifications.recipients import (
    RegionSettings,
    hospital_officers,
    hospital_people_named,
    object_url,
    region_admins,
    region_bureau_staff,
)
from notifications.services import notify

from .choices import Status
from .models import Hazard
from .selectors import open_hazards


def _hazards():
    return open_hazards(Hazard.objects.filter(hospital__is_active=True)).select_related(
        "hospital", "hospital__region"
    )


class _People:
    """Per-run cache of who is told about a hospital's hazards (a run visits many hazards)."""

    def __init__(self):
        self._officers: dict[int, list] = {}
        self._bureau: dict[int, list] = {}
        self._admins: dict[int, list] = {}

    def hospital_side(self, hazard: Hazard) -> list:
        hospital = hazard.hospital
        if hospital.pk not in self._officers:
            self._officers[hospital.pk] = hospital_officers(hospital)
        return self._officers[hospital.pk] + hospital_people_named(
            hospital, hazard.responsible_person
        )

    def bureau(self, region) -> list:
        if region.pk not in self._bureau:
            self._bureau[region.pk] = region_bureau_staff(region)
        return self._bureau[region.pk]

    def admins(self, region) -> list:
        if region.pk not in self._admins:
            self._admins[region.pk] = region_admins(region)
        return self._admins[region.pk]


def _describe(hazard: Hazard) -> str:
    lines = [
        _("机构:%(hospital)s") % {"hospital": hazard.hospital.name},
        _("部位:%(location)s") % {"location": hazard.location},
        _("等级:%(level)s") % {"level": hazard.get_risk_level_display()},
        _("整改期限:%(deadline)s") % {"deadline": hazard.deadline.isoformat()},
    ]
    if hazard.responsible_person:
        lines.append(_("责任人:%(person)s") % {"person": hazard.responsible_person})
    lines.append(hazard.description[:200])
    return "\n".join(lines)


def remind_due_soon(*, today: dt.date) -> int:
    """Deadline approaching (default 3 days and 1 day before) → officers + responsible person."""
    settings = RegionSettings()
    people = _People()
    sent = 0
    max_offset = 31
    for hazard in _hazards().filter(
        deadline__gt=today, deadline__lte=today + dt.timedelta(days=max_offset)
    ):
        days_left = (hazard.deadline - today).days
        if days_left not in settings.days(hazard.hospital.region, "hazard_reminder_days"):
            continue
        created = notify(
            event=EventKind.HAZARD_DUE_SOON,
            recipients=people.hospital_side(hazard),
            title=_("隐患 %(code)s 将于 %(days)s 天后到期")
            % {"code": hazard.code, "days": days_left},
            body=_describe(hazard),
            url=object_url(hazard),
            obj=hazard,
            occurrence=f"{hazard.deadline.isoformat()}:before:{days_left}",
        )
        sent += len(created)
    return sent


def _explanation_request(hazard: Hazard) -> tuple[str, str]:
    """(line, link) asking for the 书面说明理由 while the hospital owes one, else ("", "")."""
    if hazard.status not in (Status.PENDING, Status.IN_PROGRESS):
        return "", ""
    if hazard.has_current_explanation:
        return "", ""
    link = absolute_url(reverse("hazards:action", args=[hazard.pk, "explain"]))
    line = _("请尽快提交逾期未整改的书面说明理由:%(link)s") % {"link": link}
    return line, link


def remind_overdue(*, today: dt.date) -> int:
    """Overdue → officers the day after the deadline, then every overdue_repeat_days days;
    bureau staff of the region with the first notice; 重大隐患 → administrators each time
    (督办 escalation). While no written explanation covers the current deadline, the notice
    asks for it and links to the form."""
    settings = RegionSettings()
    people = _People()
    sent = 0
    for hazard in _hazards().filter(deadline__lt=today):
        region = hazard.hospital.region
        repeat = max(int(settings.value(region, "overdue_repeat_days") or 7), 1)
        days_overdue = (today - hazard.deadline).days
        cycle = (days_overdue - 1) // repeat
        recipients = people.hospital_side(hazard)
        if cycle == 0:
            recipients += people.bureau(region)
        occurrence = f"{hazard.deadline.isoformat()}:overdue:{cycle}"
        ask, _link = _explanation_request(hazard)
        created = notify(
            event=EventKind.HAZARD_OVERDUE,
            recipients=recipients,
            title=_("隐患 %(code)s 已逾期 %(days)s 天")
            % {"code": hazard.code, "days": days_overdue},
            body=f"{ask}\n{_describe(hazard)}" if ask else _describe(hazard),
            url=object_url(hazard),
            obj=hazard,
            occurrence=occurrence,
        )
        sent += len(created)
        if hazard.is_major:
            created = notify(
                event=EventKind.HAZARD_MAJOR_OVERDUE,
                recipients=people.admins(region),
                title=_("【督办】重大隐患 %(code)s 已逾期 %(days)s 天")
                % {"code": hazard.code, "days": days_overdue},
                body=_describe(hazard),
                url=object_url(hazard),
                obj=hazard,
                occurrence=occurrence,
            )
            sent += len(created)
    return sent


REMINDER_RULES = (remind_due_soon, remind_overdue)
