"""System checks for the settings of core (field encryption)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@checks.register(checks.Tags.security)
def check_field_encryption_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production refuses to start without FIELD_ENCRYPTION_KEY; a key that is not 128 bits is
    an error anywhere; development without one works with a derived key and is warned."""
    errors: list[checks.CheckMessage] = []
    texts = [getattr(settings, "FIELD_ENCRYPTION_KEY", "")]
    texts += list(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()))
    for text in filter(None, texts):
        try:
            crypto.parse_key(text)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="core.E102"))
    if not crypto.key_is_configured():
        if settings.DEBUG:
            errors.append(
                checks.Warning(
                    "FIELD_ENCRYPTION_KEY is not set: phone numbers are encrypted with a key "
                    "derived from SECRET_KEY (development only).",
                    hint="Set FIELD_ENCRYPTION_KEY to 32 hex digits, e.g. "
                    "`python -c 'import secrets; print(secrets.token_hex(16))'`.",
                    id="core.W101",
                )
            )
        else:
            errors.append(
                checks.Error(
                    "FIELD_ENCRYPTION_KEY is required when DEBUG is off (SM4 key for the "
                    "phone numbers and ID numbers stored encrypted).",
                    hint="Set FIELD_ENCRYPTION_KEY to 32 hex digits, e.g. "
                    "`python -c 'import secrets; print(secrets.token_hex(16))'`, and keep it "
                    "safe: without it the stored values cannot be read.",
                    id="core.E101",
                )
            )
    return errors
