"""Tokens and clients for the API tests."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from api.choices import Scope
from api.services import token_issue
from core.roles import Role
from tests.factories import UserFactory


def issue(user, scope=Scope.WRITE, *, days=30, name="测试令牌"):
    """A token for `user`, issued by the security administrator over the user's region (the
    account manager when duties are separated, as in production)."""
    region = user.region or user.hospital.region
    while region.parent_id:
        region = region.parent
    admin = UserFactory(role=Role.SECADMIN, region=region)
    token, secret = token_issue(
        owner=user,
        name=name,
        scope=scope,
        expires_on=timezone.localdate() + dt.timedelta(days=days),
        by=admin,
    )
    return token, secret


def api_client(secret: str | None, **headers) -> Client:
    if secret is not None:
        headers.setdefault("Authorization", f"Bearer {secret}")
    return Client(headers=headers)
