"""Test settings: the same as production code paths, with a fast hasher and in-memory cache."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789abcdef")

from .settings import *  # noqa: F403
from .settings import VAR_DIR

DEBUG = False
if "bench" not in INSTALLED_APPS:  # noqa: F405 (the benchmark's own tests, tests/bench/)
    INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-media", "base_url": "/nonexistent-private-media/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
LANGUAGE_CODE = "zh-hans"
# A fixed key for tests (production reads FIELD_ENCRYPTION_KEY from the environment).
FIELD_ENCRYPTION_KEY = "00112233445566778899aabbccddeeff"
FIELD_ENCRYPTION_KEYS: list[str] = []
# Login controls on in production, off here for the tests of everything else; the controls'
# own tests turn them on (override_settings).
TWO_FACTOR_REQUIRED = "off"
PASSWORD_MAX_AGE_DAYS = 0
