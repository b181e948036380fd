"""Encryption at rest for personal data (phone numbers, ID numbers): SM4-GCM.

- Algorithm: SM4 (GB/T 32907-2016, 128-bit block and key) in GCM mode, through the
  `cryptography` library (OpenSSL's SM4); a fresh random 96-bit nonce per value and a 128-bit
  authentication tag, so a changed or swapped byte is detected, never decrypted into garbage.
- Stored form: ``sm4gcm1:<key id>:<base64(nonce + ciphertext + tag)>``. "sm4gcm1" names the
  scheme (a new one gets a new prefix); the key id (first 8 hex digits of SHA-256 of the key)
  says which key wrote the value, so keys can rotate: FIELD_ENCRYPTION_KEY writes (and reads),
  FIELD_ENCRYPTION_KEYS are former keys kept for reading until `manage.py reencrypt_fields` has
  rewritten every value with the current key.
- Keys are 128 bits, given as 32 hex digits or base64 of 16 bytes. With DEBUG (or in tests)
  and no key, one is derived from SECRET_KEY and a system check warns; production refuses to
  start without one (system check core.E101).
- The empty string stays empty (a blank field says only that it is blank).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

SCHEME = "sm4gcm1"
PREFIX = SCHEME + ":"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 16


class DecryptionError(Exception):
    """A stored value cannot be decrypted: its key is not configured, or it was altered."""


@dataclass(frozen=True)
class Key:
    secret: bytes

    @property
    def id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:8]


def parse_key(text: str) -> Key:
    """A 128-bit key from 32 hex digits or base64 of 16 bytes; anything else is refused."""
    text = text.strip()
    raw: bytes | None = None
    if len(text) == 2 * KEY_BYTES:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = None
    if raw is None:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            _("字段加密密钥须为 128 位:32 个十六进制字符,或 16 字节的 base64 编码。")
        )
    return Key(raw)


def derived_key() -> Key:
    """The development/test key: derived from SECRET_KEY (never used in production)."""
    digest = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return Key(digest[:KEY_BYTES])


def key_is_configured() -> bool:
    return bool(getattr(settings, "FIELD_ENCRYPTION_KEY", ""))


@lru_cache(maxsize=8)
def _keys(current: str, former: tuple[str, ...], secret_key: str) -> tuple[Key, dict[str, Key]]:
    key = parse_key(current) if current else derived_key()
    readable = {key.id: key}
    for text in former:
        old = parse_key(text)
        readable.setdefault(old.id, old)
    return key, readable


def keys() -> tuple[Key, dict[str, Key]]:
    """(the key that writes, every key that may read by id) from the settings."""
    return _keys(
        getattr(settings, "FIELD_ENCRYPTION_KEY", ""),
        tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ())),
        settings.SECRET_KEY,
    )


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def key_id_of(value: str) -> str | None:
    if not is_encrypted(value):
        return None
    return value[len(PREFIX) :].split(":", 1)[0]


def encrypt(plaintext: str) -> str:
    if plaintext == "":
        return ""
    key, _readable = keys()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key.secret), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode("ascii")
    return f"{PREFIX}{key.id}:{blob}"


def decrypt(stored: str) -> str:
    """The plaintext of a stored value. A value without the prefix is plaintext written before
    encryption was switched on (the migrations and `reencrypt_fields` encrypt those)."""
    if not is_encrypted(stored):
        return stored
    try:
        key_id, blob = stored[len(PREFIX) :].split(":", 1)
        raw = base64.b64decode(blob, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise DecryptionError(_("加密字段的存储格式无效。")) from exc
    _current, readable = keys()
    key = readable.get(key_id)
    if key is None:
        raise DecryptionError(
            _(
                "无法解密:该值由密钥 %(key_id)s 加密,而 FIELD_ENCRYPTION_KEY 和 "
                "FIELD_ENCRYPTION_KEYS 中没有这个密钥。"
            )
            % {"key_id": key_id}
        )
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(_("加密字段的存储格式无效。"))
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key.secret), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError(
            _("解密失败:密钥 %(key_id)s 与数据不符,或数据已被篡改。") % {"key_id": key_id}
        ) from exc


def needs_rewrite(stored: str) -> bool:
    """Whether `reencrypt_fields` should rewrite the value: plaintext, or an older key's."""
    if stored == "":
        return False
    current, _readable = keys()
    return key_id_of(stored) != current.id
