"""Notifications demo: an example robot (disabled until an administrator pastes a real webhook
URL) and one run of the real reminder rules over the other apps' demo data, so notification
centres and the delivery log have content. Idempotent: reminders are deduplicated."""

from __future__ import annotations

from hospitals.models import Region

from .choices import ROBOT_EVENT_CHOICES, RobotKind
from .models import Notification, Robot
from .tasks import run_reminders_now


def seed(*, stdout, style) -> None:
    city = Region.objects.filter(code="QZ").first() or Region.objects.filter(parent=None).first()
    if city is not None:
        Robot.objects.get_or_create(
            name="泉州市卫健局安全生产工作群(示例,填写真实地址后启用)",
            region=city,
            defaults={
                "kind": RobotKind.WECOM,
                "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=REPLACE-ME",
                "events": [value for value, _label in ROBOT_EVENT_CHOICES],
                "is_active": False,
            },
        )
    counts = run_reminders_now()
    created = sum(count for count in counts.values() if count > 0)
    stdout.write(
        style.SUCCESS(
            f"notifications demo: {created} new reminder notification(s), "
            f"{Notification.objects.count()} in-app notifications in total"
        )
    )
