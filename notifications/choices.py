from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    HAZARD_DUE_SOON = "hazard_due_soon", _("隐患整改即将到期")
    HAZARD_OVERDUE = "hazard_overdue", _("隐患整改逾期")
    HAZARD_MAJOR_OVERDUE = "hazard_major_overdue", _("重大隐患逾期督办")
    HAZARD_SUBMITTED = "hazard_submitted", _("隐患整改提交验收")
    HAZARD_ACCEPTED = "hazard_accepted", _("隐患验收通过")
    HAZARD_REJECTED = "hazard_rejected", _("隐患验收不通过")
    HAZARD_EXTENSION = "hazard_extension", _("隐患延期申请")
    HAZARD_RAISED = "hazard_raised", _("新隐患")
    INSPECTION_TOMORROW = "inspection_tomorrow", _("安全生产检查日提醒")
    INSPECTION_MISSED = "inspection_missed", _("错过安全生产检查日")
    SECURITY_DEADLINE = "security_deadline", _("4+N 建设期限提醒")
    SECURITY_ITEM_REVIEW = "security_item_review", _("4+N 项目待确认")
    HALF_YEAR_REPORT_DUE = "half_year_report_due", _("4+N 半年报送提醒")
    HALF_YEAR_REPORT_SUBMITTED = "half_year_report_submitted", _("4+N 半年进展报告已报送")
    STATUTORY_TABLE_DUE = "statutory_table_due", _("隐患排查治理情况统计表待确认")
    TRAINING_CERTIFICATE_DUE = "training_certificate_due", _("特种作业人员证书到期提醒")
    REPORT_READY = "report_ready", _("报表已生成")
    REPORT_FAILED = "report_failed", _("报表生成失败")


# Events that concern a group (a hospital, a region) and may go to chat robots. A report being
# ready concerns only the person who asked for it.
PERSONAL_EVENTS = frozenset({EventKind.REPORT_READY, EventKind.REPORT_FAILED})
ROBOT_EVENT_CHOICES = [
    (value, label) for value, label in EventKind.choices if value not in PERSONAL_EVENTS
]


class Channel(models.TextChoices):
    """Channels with a Delivery row. In-app notifications are their own record (Notification)."""

    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信机器人")
    DINGTALK = "dingtalk", _("钉钉机器人")
    WEBHOOK = "webhook", _("Webhook 推送")


class WebhookEvent(models.TextChoices):
    """Events sent to integration webhooks (notifications.webhooks): machine-readable names,
    apart from EventKind (people's reminders) so they never show up in e-mail preferences."""

    HAZARD_RAISED = "hazard.raised", _("隐患登记")
    HAZARD_STATUS_CHANGED = "hazard.status_changed", _("隐患状态变更")
    HAZARD_OVERDUE = "hazard.overdue", _("隐患逾期")
    INSPECTION_SUBMITTED = "inspection.submitted", _("检查已提交")
    REPORT_READY = "report.ready", _("报表已生成")
    PING = "ping", _("测试推送")


# What a Delivery row's event may be: a reminder event or a webhook event.
DELIVERY_EVENT_CHOICES = [*EventKind.choices, *WebhookEvent.choices]
# The events an endpoint may subscribe to (a ping is sent on request only).
WEBHOOK_SUBSCRIBABLE = [
    (value, label) for value, label in WebhookEvent.choices if value != WebhookEvent.PING
]


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("企业微信机器人")
    DINGTALK = "dingtalk", _("钉钉机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


DELIVERY_STATUS_BADGES = {
    DeliveryStatus.PENDING: "secondary",
    DeliveryStatus.SENDING: "info",
    DeliveryStatus.SENT: "success",
    DeliveryStatus.FAILED: "danger",
}
