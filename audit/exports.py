"""The audit log as an Excel workbook (the same filters and scope as the page)."""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.translation import gettext as _

from core.excel import Column, Sheet, workbook_bytes


def _local(entry):
    return timezone.localtime(entry.at).replace(tzinfo=None)


def audit_workbook(queryset, *, scope: str, period: str) -> bytes:
    columns = [
        Column(_("序号"), lambda e: e.seq, width=8, kind="int"),
        Column(_("时间"), _local, width=17, kind="datetime"),
        Column(_("操作人"), lambda e: e.actor_name or "", width=12),
        Column(_("账号"), lambda e: e.username, width=14),
        Column(_("事件"), lambda e: e.get_action_display(), width=12),
        Column(
            _("对象"),
            lambda e: " ".join(filter(None, [e.object_type, e.object_id, e.object_repr])),
            width=24,
            wrap=True,
        ),
        Column(_("请求"), lambda e: f"{e.method} {e.path}".strip(), width=30, wrap=True),
        Column(_("响应状态"), lambda e: e.status or "", width=8),
        Column(_("来源地址"), lambda e: e.ip or "", width=15),
        Column(_("客户端"), lambda e: e.user_agent, width=24, wrap=True),
        Column(
            _("详情"),
            lambda e: json.dumps(e.detail, ensure_ascii=False) if e.detail else "",
            width=30,
            wrap=True,
        ),
        Column(_("哈希"), lambda e: e.hash, width=20),
    ]
    sheet = Sheet(title=_("审计日志"), columns=columns, rows=queryset.iterator(), sign_off=False)
    return workbook_bytes([sheet], report_title=_("审计日志"), scope=scope, period=period)
