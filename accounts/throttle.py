"""Login throttle per client address.

django-axes locks a *username at an address* after AXES_FAILURE_LIMIT failures, so a stranger
guessing passwords can never lock the real user out from their own desk. What axes alone would
not stop is one address walking through many usernames; this counts failed logins per address
(whatever the username) in the cache and answers 429 once an address passes
LOGIN_IP_FAILURE_LIMIT within the cool-off, until the window runs out. Nobody's account is
locked by it, and a whole hospital behind one NAT address only meets it after many failures.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

from core.http import client_ip


def _key(address: str) -> str:
    return f"login-failures:{address}"


def _window_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def failures_from(address: str) -> int:
    return int(cache.get(_key(address), 0) or 0)


def address_is_throttled(request) -> bool:
    return failures_from(client_ip(request)) >= settings.LOGIN_IP_FAILURE_LIMIT


@receiver(user_login_failed, dispatch_uid="accounts.throttle.count_failure")
def count_failure(sender, credentials=None, request=None, **kwargs):
    if request is None:
        return
    if credentials is not None and "password" not in credentials:
        return  # a refused single sign-on (not bound): no password was guessed
    key = _key(client_ip(request))
    # add() starts the window on the first failure; incr() never extends it.
    if not cache.add(key, 1, timeout=_window_seconds()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=_window_seconds())
