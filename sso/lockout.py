"""django-axes and single sign-on.

Axes counts failed logins to stop password guessing. An SSO login carries no password: the
provider has already authenticated the person, and a refusal here only means "not bound".
Counted as failures, those refusals (which carry no username either) would add up to a lockout
of *every* SSO login from a hospital's shared address. So SSO attempts are left out of axes
(`AXES_WHITELIST_CALLABLE`) and out of the per-address login throttle."""

from __future__ import annotations


def is_sso_attempt(request, credentials=None) -> bool:
    return credentials is not None and "password" not in credentials
