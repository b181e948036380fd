"""Providers switched on against the fake provider of fake_provider.py (127.0.0.1, no network)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user

from sso.choices import Provider
from sso.models import ExternalIdentity

from . import fake_provider
from .fake_provider import Call, recorded

CLIENT_ID = "safe-hospital"
CLIENT_SECRET = "oidc-client-secret-for-the-test-suite-0001"


@pytest.fixture
def provider():
    server = fake_provider.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def no_outbound(monkeypatch):
    """Any HTTP request the product makes fails the test."""
    calls = []

    def refuse(self, request, **kwargs):
        calls.append(request.url)
        raise AssertionError(f"unexpected outbound HTTP call: {request.url}")

    monkeypatch.setattr("requests.Session.send", refuse)
    return calls


def _backends(settings, extra: str) -> None:
    if extra not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, extra]


class OIDCProvider:
    """The OIDC side of the fake provider: authorize (issues a code), token (checks the
    client, the code, the redirect URI and the PKCE verifier; signs an RS256 id_token),
    JWKS and userinfo."""

    def __init__(self, server):
        self.server = server
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.subject = "oidc-sub-0001"
        self.claims: dict = {"preferred_username": "officer_a", "name": "张三"}
        self.audience = CLIENT_ID
        self.algorithm = "RS256"
        server.route("GET", "/authorize", self.authorize)
        server.route("POST", "/token", self.token)
        server.route("GET", "/jwks", self.jwks)
        server.route("GET", "/userinfo", self.userinfo)

    def authorize(self, call: Call):
        q = {k: v[0] for k, v in call.query.items()}
        code = secrets.token_urlsafe(16)
        self.codes[code] = q
        target = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
        return 302, "", {"Location": target}

    def token(self, call: Call):
        form = {k: v[0] for k, v in call.form.items()}
        asked = self.codes.pop(form.get("code"), None)
        if (
            asked is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != asked["redirect_uri"]
        ):
            return 400, {"error": "invalid_grant"}
        if asked.get("code_challenge"):
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if challenge != asked["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        key, headers = (
            (CLIENT_SECRET, {}) if self.algorithm == "HS256" else (self.key, {"kid": "test-key"})
        )
        id_token = jwt.encode(
            {
                "iss": self.server.url,
                "sub": self.subject,
                "aud": self.audience,
                "iat": now,
                "exp": now + 300,
                "nonce": asked.get("nonce"),
            },
            key,
            algorithm=self.algorithm,
            headers=headers,
        )
        return {"access_token": "oidc-access-token", "token_type": "Bearer", "id_token": id_token}

    def jwks(self, call: Call):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": "test-key", "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def userinfo(self, call: Call):
        if call.headers.get("authorization") != "Bearer oidc-access-token":
            return 401, {"error": "invalid_token"}
        return {"sub": self.subject, **self.claims}


@pytest.fixture
def oidc(settings, provider):
    idp = OIDCProvider(provider)
    settings.SSO_OIDC_ENABLED = True
    settings.SSO_OIDC_NAME = "统一身份认证"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.url + "/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.url + "/token"
    settings.OIDC_OP_USER_ENDPOINT = provider.url + "/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = provider.url + "/jwks"
    _backends(settings, "sso.backends.OIDCBackend")
    return idp


@pytest.fixture
def cas(settings, provider):
    settings.SSO_CAS_ENABLED = True
    settings.CAS_SERVER_URL = provider.url + "/cas/"
    settings.CAS_VERSION = "3"
    _backends(settings, "sso.backends.CASBackend")
    return provider


@pytest.fixture
def wecom(settings, provider):
    settings.SSO_WECOM_ENABLED = True
    settings.WECOM_CORP_ID = "ww0123456789abcdef"
    settings.WECOM_AGENT_ID = "1000002"
    settings.WECOM_SECRET = "wecom-secret"
    settings.WECOM_API_BASE = provider.url
    provider.route("GET", "/cgi-bin/gettoken", recorded("wecom_gettoken.json"))
    provider.route("GET", "/cgi-bin/auth/getuserinfo", recorded("wecom_getuserinfo.json"))
    return provider


@pytest.fixture
def dingtalk(settings, provider):
    settings.SSO_DINGTALK_ENABLED = True
    settings.DINGTALK_CLIENT_ID = "dingclientid0001"
    settings.DINGTALK_CLIENT_SECRET = "dingtalk-secret"
    settings.DINGTALK_API_BASE = provider.url
    provider.route(
        "POST", "/v1.0/oauth2/userAccessToken", recorded("dingtalk_user_access_token.json")
    )
    provider.route("GET", "/v1.0/contact/users/me", recorded("dingtalk_users_me.json"))
    return provider


def bind(user, provider: Provider | str, subject: str) -> ExternalIdentity:
    return ExternalIdentity.objects.create(user=user, provider=provider, subject=subject)


def logged_in_as(client):
    class _Request:
        session = client.session

    user = get_user(_Request())
    return user if user.is_authenticated else None
