from __future__ import annotations

import datetime as dt

from django.utils import timezone

from incidents.models import Incident, Patrol


def incident_data(**overrides) -> dict:
    data = {
        "kind": "tout",
        "occurred_at": timezone.now() - dt.timedelta(hours=3),
        "location": "门诊大厅",
        "description": "疑似医托拉拢患者",
        "handled_by": "保安 陈志强",
        "police_involved": False,
        "police_case_number": "",
        "outcome": "",
    }
    data.update(overrides)
    return data


def make_incident(hospital, by, **overrides) -> Incident:
    return Incident.objects.create(hospital=hospital, created_by=by, **incident_data(**overrides))


def make_patrols(hospital, by, day: dt.date, count: int) -> list[Patrol]:
    return [
        Patrol.objects.create(
            hospital=hospital,
            created_by=by,
            patrolled_on=day,
            started_at=dt.time(8 + index, 0),
            route="门诊—急诊",
            patroller="陈志强",
        )
        for index in range(count)
    ]
