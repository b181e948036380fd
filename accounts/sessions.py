"""How long a login lasts, and what a user is told about attempts on their account.

- Idle timeout (SESSION_IDLE_TIMEOUT): a session nobody has used for that long ends; the page
  warns SESSION_IDLE_WARNING before (static/js/session.js) and "继续使用" keeps it alive.
- Absolute lifetime (SESSION_ABSOLUTE_LIFETIME): however active, a login ends that long after
  it began, so a stolen cookie is worth a working day at most.
- Login rotates the session key (Django's login() does); a password change or deactivation
  ends every session of the user (the session auth hash, and inactive users are refused).
- Failed logins since the last successful one are counted on the user and shown at the next
  login, with the time and address of the latest.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import F
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import client_ip

from .models import User

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
# Writing the session on every request costs a write each; a minute's precision is plenty.
TOUCH_EVERY_SECONDS = 60


def _expired(request, now: float) -> str | None:
    login_at = request.session.get(LOGIN_AT)
    seen_at = request.session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return None  # a session from before these rules: it starts counting now
    if now - login_at > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
        return "lifetime"
    if now - seen_at > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Ends idle and over-age sessions; must come after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = _expired(request, now)
            if reason:
                logout(request)
                query = urlencode({"expired": reason, "next": request.get_full_path()})
                return redirect(f"{reverse('login')}?{query}")
            session = request.session
            session.setdefault(LOGIN_AT, now)
            if now - session.get(SEEN_AT, 0) >= TOUCH_EVERY_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="accounts.sessions.on_login")
def on_login(sender, request, user, **kwargs):
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    if user.failed_logins:
        messages.warning(
            request,
            _(
                "自您上次登录以来,该账号有 %(count)d 次登录失败,最近一次在 %(at)s,来自 %(ip)s。如非本人操作,请立即修改密码。"
            )
            % {
                "count": user.failed_logins,
                "at": timezone.localtime(user.last_failed_login_at).strftime("%Y-%m-%d %H:%M"),
                "ip": user.last_failed_login_ip or "—",
            },
        )
        type(user).objects.filter(pk=user.pk).update(failed_logins=0)
        user.failed_logins = 0


@receiver(user_login_failed, dispatch_uid="accounts.sessions.on_failure")
def on_failure(sender, credentials=None, request=None, **kwargs):
    username = (credentials or {}).get("username")
    if not username or request is None:
        return
    address = client_ip(request) or None
    User.objects.filter(username=username).update(
        failed_logins=F("failed_logins") + 1,
        last_failed_login_at=timezone.now(),
        last_failed_login_ip=address,
    )


def session_context(request) -> dict:
    """Template context: the timeout figures the warning script reads."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        "session_warning_seconds": int(settings.SESSION_IDLE_WARNING.total_seconds()),
    }


def expired_message(reason: str | None) -> str:
    if reason == "idle":
        return _("由于长时间未操作,您已自动退出登录,请重新登录。")
    if reason == "lifetime":
        return _("登录已超过最长有效时间,请重新登录。")
    return ""
