"""Scopes: reads need a token (any scope) or a session; writes need a `write` token or a
session (the docs page's "try it out", CSRF-checked). What the user may see and do beyond that
is decided by visible_to(user) and the services, as on the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class TokenScope(BasePermission):
    message = _("该令牌只有只读权限,不能执行写操作。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.has_separate_duty:
            # The security and audit administrators see no records (audit.DutyFenceMiddleware
            # fences the pages; a token is authenticated after the middleware, so here).
            raise PermissionDenied(_("安全管理员和审计管理员不能使用业务接口。"))
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken):
            return token.can_write
        return True
