from __future__ import annotations

import factory

from notifications.choices import EventKind, RobotKind
from notifications.models import Notification, Robot


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    event = EventKind.HAZARD_RAISED
    dedupe_key = factory.Sequence(lambda n: f"test|{n}|")
    title = factory.Sequence(lambda n: f"测试消息{n}")
    body = "消息内容"
    url = "/hazards/"


class RobotFactory(factory.django.DjangoModelFactory):
    """Saved directly (bypassing the form's URL check): tests point robots at a local server."""

    class Meta:
        model = Robot

    name = factory.Sequence(lambda n: f"安全生产群{n}")
    kind = RobotKind.WECOM
    webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    events = factory.LazyFunction(lambda: list(EventKind.values))
    is_active = True
