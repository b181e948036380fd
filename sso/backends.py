"""Authentication backends: passwords (with the regions' SSO requirement) and the providers.

A backend that refuses a login it recognised says why on `request.login_refusal` (a
translated message): the login page and the SSO pages show it instead of a generic error."""

from __future__ import annotations

import logging
from xml.etree import ElementTree

import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from django_cas_ng.backends import CASBackend as BaseCASBackend
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .choices import Provider
from .conf import is_enabled, provider_label
from .http import ProviderError, timeout_session
from .policy import password_login_refused
from .services import identity_bind_by_username, identity_user

logger = logging.getLogger("safehospital.sso")


def unbound_message() -> str:
    return _("该账号尚未绑定,请联系管理员。")


def sso_required_message() -> str:
    return _("您所在的区域要求使用单点登录,不能使用密码登录。请点击下方的单点登录按钮登录。")


def refuse(request, message: str) -> None:
    if request is not None:
        request.login_refusal = message


class PasswordBackend(ModelBackend):
    """Django's username + password backend, refusing users whose region requires SSO."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and password_login_refused(user):
            logger.info("password login refused (region requires SSO): %s", user.get_username())
            refuse(request, sso_required_message())
            return None
        return user


def _login_user(request, provider: str, subject: str):
    user = identity_user(provider=provider, subject=subject)
    if user is None:
        logger.info("SSO login refused (identity not bound): %s %s", provider, subject)
        refuse(request, unbound_message())
    return user


class ExternalIdentityBackend(ModelBackend):
    """WeCom and DingTalk: the view has already asked the provider who this is; the backend
    maps (provider, subject) to the bound user. It never calls anything external."""

    def authenticate(self, request, sso_provider=None, sso_subject=None, **kwargs):
        if not sso_provider or not sso_subject or not is_enabled(sso_provider):
            return None
        return _login_user(request, sso_provider, sso_subject)


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc, mapping the id_token's `sub` through ExternalIdentity. Nobody is
    created; an unknown subject is refused (or bound by SSO_OIDC_BIND_BY_CLAIM when set)."""

    def authenticate(self, request, **kwargs):
        # Only the OIDC callback view passes a nonce: the WeCom callback also carries `code`
        # and `state` in its query, and that code must never be sent to the OIDC provider.
        if "nonce" not in kwargs or "username" in kwargs or "sso_provider" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("id_token audience does not name this client")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        subject = str(payload.get("sub") or "")
        if not subject:
            raise SuspiciousOperation("id_token has no sub")
        user = identity_user(provider=Provider.OIDC, subject=subject)
        claim = settings.SSO_OIDC_BIND_BY_CLAIM
        if user is None and claim:
            claims = dict(payload)
            if claim not in claims:
                claims.update(self.get_userinfo(access_token, id_token, payload))
                if str(claims.get("sub", subject)) != subject:
                    raise SuspiciousOperation("userinfo sub differs from the id_token's")
            if claims.get(claim):
                user = identity_bind_by_username(
                    provider=Provider.OIDC, subject=subject, username=str(claims[claim])
                )
        if user is None:
            logger.info("SSO login refused (identity not bound): oidc %s", subject)
            refuse(self.request, unbound_message())
        return user

    def create_user(self, claims):
        raise SuspiciousOperation("SSO never creates users")


class CASBackend(BaseCASBackend):
    """django-cas-ng's ticket validation, mapping the CAS user through ExternalIdentity."""

    def authenticate(self, request, ticket=None, service=None, **kwargs):
        if not ticket or not service or not is_enabled(Provider.CAS):
            return None
        client = get_cas_client(service_url=service, request=request)
        client.session = timeout_session()  # python-cas sets no timeout of its own
        try:
            username, _attributes, _pgtiou = client.verify_ticket(ticket)
        except (requests.RequestException, ElementTree.ParseError, IndexError) as exc:
            logger.warning("CAS ticket validation failed: %s", exc)
            raise ProviderError(
                _("暂时无法完成%(provider)s登录,请稍后再试。")
                % {"provider": provider_label(Provider.CAS)},
                str(exc),
            ) from exc
        if not username:
            refuse(request, _("CAS 登录票据无效或已过期,请重新登录。"))
            return None
        return _login_user(request, Provider.CAS, str(username))
