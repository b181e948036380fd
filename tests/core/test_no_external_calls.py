"""Data stays in China: with no environment at all, nothing in the settings points outside this
machine (no SSO provider, webhook, mail relay, object store or CDN is called by default)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1", "[::1]"}

SCRIPT = """
import json, django
from django.conf import settings
django.setup()
found = []
def walk(name, value):
    if isinstance(value, str):
        found.append((name, str(value)))
    elif isinstance(value, dict):
        for k, v in value.items():
            walk(f"{name}.{k}", v)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            walk(f"{name}[{i}]", v)
for name in dir(settings):
    if name.isupper():
        walk(name, getattr(settings, name))
enabled = {
    "WECOM": settings.SSO_WECOM_ENABLED,
    "DINGTALK": settings.SSO_DINGTALK_ENABLED,
    "OIDC": settings.SSO_OIDC_ENABLED,
    "CAS": settings.SSO_CAS_ENABLED,
}
print(json.dumps({"strings": found, "email": settings.EMAIL_BACKEND, "sso": enabled}))
"""


def test_default_settings_configure_no_outbound_url(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    # Every single sign-on provider is off: its (public, documented) base URLs are never used.
    assert not any(data["sso"].values()), data["sso"]
    outbound = []
    for name, value in data["strings"]:
        if name.split("_", 1)[0] in data["sso"]:
            continue
        for scheme in ("http://", "https://", "redis://", "amqp://", "smtp://", "ldap://"):
            if value.startswith(scheme) and urlparse(value).hostname not in LOCAL_HOSTS:
                outbound.append(f"{name} = {value}")
    assert outbound == [], outbound
    assert "console" in data["email"] or "locmem" in data["email"]
