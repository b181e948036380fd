"""Settings for 平安医院 Safe Hospital, read from the environment.

Embedded default (no environment at all): SQLite under var/, Celery on a filesystem broker under
var/, e-mail printed to the console. Production: DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS, EMAIL_URL and DEBUG=False.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="insecure-embedded-default-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "audit",
    "hospitals",
    "accounts",
    "notifications",
    "hazards",
    "inspections",
    "security",
    "training",
    "incidents",
    "reports",
    "sso",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]
# The benchmark tooling (`bench_generate` writes a million rows): development, the tests and
# `make bench` (BENCH_ENABLED=1) only, never in a production deployment unless asked for.
if env.bool("BENCH_ENABLED", default=DEBUG):
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.UploadBudgetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Keeps an API client's Accept-Language (the next middleware drops it for the pages).
    "api.middleware.ApiAcceptLanguageMiddleware",
    "core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.sessions.SessionTimeoutMiddleware",
    # Inside the WeCom / DingTalk apps the login page goes straight to their silent login.
    "sso.middleware.InAppLoginMiddleware",
    # The audit log: refusals, downloads and changes of every request (audit/middleware.py).
    "audit.middleware.AuditMiddleware",
    "core.middleware.RefusalLogMiddleware",
    "core.middleware.PrivacyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    # Login controls (等保): the second factor, then a required password change.
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.PasswordPolicyMiddleware",
    # Security and audit administrators reach their own pages only (after the login check).
    "audit.middleware.DutyFenceMiddleware",
    # A NotAllowed no view caught answers 403, as PermissionDenied does.
    "core.views_helpers.DomainErrorMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "accounts.sessions.session_context",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the Celery worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # Persistent connections: one per gunicorn sync worker / Celery child is safe (default 60 s);
    # runserver opens a thread, hence a connection, per request, so it closes them (0).
    RUNSERVER = len(sys.argv) > 1 and sys.argv[1] == "runserver"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if RUNSERVER else 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compiles a plan whose estimated cost is high (a figure over a province's million
    # hazards): measured at 1.5-2 s of compilation for a 0.5 s aggregate. Short OLTP queries
    # never gain from it (bench/RESULTS.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# /healthz answers 503 when more than this share of PostgreSQL's connection slots is in use.
HEALTHZ_MAX_CONNECTION_USE = env.float("HEALTHZ_MAX_CONNECTION_USE", default=0.9)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Single sign-on (sso app). Every provider is OFF unless configured here: nothing external is
# called by default. Local passwords stay the fallback (sso.backends.PasswordBackend is
# Django's ModelBackend plus the regions' "SSO required" rule).
SSO_OIDC_ENABLED = env.bool(
    "SSO_OIDC_ENABLED", default=bool(env.str("OIDC_RP_CLIENT_ID", default=""))
)
SSO_OIDC_NAME = env.str("SSO_OIDC_NAME", default="统一身份认证")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="") or None
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.float("SSO_HTTP_TIMEOUT", default=10.0)
OIDC_CREATE_USER = False  # never: an identity must be bound to an existing user
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:oidc_callback"
# Bind an unknown OIDC subject to the active user whose username equals this claim (e.g.
# "preferred_username"); empty = only identities bound by an administrator or the user.
SSO_OIDC_BIND_BY_CLAIM = env.str("SSO_OIDC_BIND_BY_CLAIM", default="")
SSO_CAS_ENABLED = env.bool("SSO_CAS_ENABLED", default=bool(env.str("CAS_SERVER_URL", default="")))
SSO_CAS_NAME = env.str("SSO_CAS_NAME", default="CAS 统一认证")
CAS_SERVER_URL = env.str("CAS_SERVER_URL", default="") or None
CAS_VERSION = env.str("CAS_VERSION", default="3")
CAS_CREATE_USER = False
SSO_WECOM_ENABLED = env.bool(
    "SSO_WECOM_ENABLED", default=bool(env.str("WECOM_CORP_ID", default=""))
)
WECOM_CORP_ID = env.str("WECOM_CORP_ID", default="")
WECOM_AGENT_ID = env.str("WECOM_AGENT_ID", default="")
WECOM_SECRET = env.str("WECOM_SECRET", default="")
# 政务微信 and private deployments: the same API under other base URLs.
WECOM_LOGIN_BASE = env.str("WECOM_LOGIN_BASE", default="https://login.work.weixin.qq.com")
WECOM_OAUTH_BASE = env.str("WECOM_OAUTH_BASE", default="https://open.weixin.qq.com")
WECOM_API_BASE = env.str("WECOM_API_BASE", default="https://qyapi.weixin.qq.com")
SSO_DINGTALK_ENABLED = env.bool(
    "SSO_DINGTALK_ENABLED", default=bool(env.str("DINGTALK_CLIENT_ID", default=""))
)
DINGTALK_CLIENT_ID = env.str("DINGTALK_CLIENT_ID", default="")
DINGTALK_CLIENT_SECRET = env.str("DINGTALK_CLIENT_SECRET", default="")
# 政务钉钉 and private deployments: the same API under other base URLs.
DINGTALK_LOGIN_BASE = env.str("DINGTALK_LOGIN_BASE", default="https://login.dingtalk.com")
DINGTALK_API_BASE = env.str("DINGTALK_API_BASE", default="https://api.dingtalk.com")
SSO_HTTP_TIMEOUT = env.float("SSO_HTTP_TIMEOUT", default=10.0)
# Break-glass: these usernames (and superusers) may always log in with a password, even in a
# region that requires SSO; SSO_REQUIREMENT_SUSPENDED=1 lifts every region's requirement while
# the identity provider is down.
SSO_BREAK_GLASS_USERS = env.list("SSO_BREAK_GLASS_USERS", default=[])
SSO_REQUIREMENT_SUSPENDED = env.bool("SSO_REQUIREMENT_SUSPENDED", default=False)

# django-axes' backend must stay first (it refuses locked-out logins before any other runs).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sso.backends.PasswordBackend",
    "sso.backends.ExternalIdentityBackend",
    *(["sso.backends.OIDCBackend"] if SSO_OIDC_ENABLED else []),
    *(["sso.backends.CASBackend"] if SSO_CAS_ENABLED else []),
]
# Password policy (accounts.passwords): length, three of four character classes, and a maximum
# age after which (as after an administrator set the password) the user must change it.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=8)
PASSWORD_MIN_CHARACTER_CLASSES = env.int("PASSWORD_MIN_CHARACTER_CLASSES", default=3)
if not 1 <= PASSWORD_MIN_CHARACTER_CLASSES <= 4:
    raise ImproperlyConfigured("PASSWORD_MIN_CHARACTER_CLASSES must be 1 to 4.")
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=0 if DEBUG else 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CHARACTER_CLASSES},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-factor login (accounts.twofactor, django-otp TOTP + recovery codes): "admins" (region
# administrators, staff, superusers and administrator-duty roles), "all" or "off".
TWO_FACTOR_REQUIRED = env.str("TWO_FACTOR_REQUIRED", default="off" if DEBUG else "admins")
if TWO_FACTOR_REQUIRED not in ("off", "admins", "all"):
    raise ImproperlyConfigured('TWO_FACTOR_REQUIRED must be "off", "admins" or "all".')
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="平安医院")
# Wrong codes: each failure doubles the wait before the next try (1 s, 2 s, 4 s …).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "login"
# Everyone lands on 我的工作 (what they must do now); the dashboards stay one tap away.
LOGIN_REDIRECT_URL = "my_work"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page says how long the lock has left (accounts.views.locked_out).
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Single sign-on attempts carry no password to guess: axes leaves them alone (sso.lockout).
AXES_WHITELIST_CALLABLE = "sso.lockout.is_sso_attempt"
# Behind nginx every request comes from the proxy: list it here (addresses or networks, e.g.
# "127.0.0.1,10.0.0.0/24") so X-Forwarded-For is believed from it and from nothing else.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
# One address that fails this many logins (any usernames) within the cool-off is slowed down
# (HTTP 429) without locking anybody's account: the lockout itself is per username + address.
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploads (evidence) and generated reports are private: no MEDIA_URL is routed; files are served
# only by views that apply visible_to(user).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = None
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/nonexistent-private-media/"},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# What one request may ask the server to decode and re-encode (core.uploads.UploadBudget): a
# phone's ten 12-megapixel photos fit; forty-five 36-megapixel PNGs do not.
UPLOAD_MAX_FILES_PER_REQUEST = env.int("UPLOAD_MAX_FILES_PER_REQUEST", default=10)
UPLOAD_MAX_PIXELS_PER_REQUEST = env.int("UPLOAD_MAX_PIXELS_PER_REQUEST", default=160_000_000)
# Django's own hard stop (HTTP 400) a little above ours, so ours can answer with a clear message.
DATA_UPLOAD_MAX_NUMBER_FILES = UPLOAD_MAX_FILES_PER_REQUEST + 10

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="平安医院 <noreply@safe-hospital.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Hazard ledger photos: "links" (each row links to its before/after photos; the download URL
# checks who may see them) or "thumbnails" (also a sheet of small embedded photos).
LEDGER_PHOTOS = env.str("LEDGER_PHOTOS", default="links")
if LEDGER_PHOTOS not in ("links", "thumbnails"):
    raise ImproperlyConfigured('LEDGER_PHOTOS must be "links" or "thumbnails".')
# An SMTP server that hangs must not hang a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Group robots (WeCom/DingTalk): (connect, read) timeouts in seconds. Webhooks may not point at
# loopback/private addresses unless explicitly allowed (isolated intranet deployments, tests).
NOTIFICATIONS_WEBHOOK_TIMEOUT = (
    env.float("WEBHOOK_CONNECT_TIMEOUT", default=3.05),
    env.float("WEBHOOK_READ_TIMEOUT", default=10.0),
)
NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS = env.bool(
    "NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS", default=False
)
# Outgoing integration webhooks (notifications.webhooks): host names and IP addresses/networks
# (e.g. "hooks.intranet.local,10.20.0.0/16") that may be private or loopback and may use plain
# http. Everything else must be https on a public address, as for the robots.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])

# Celery: Redis when REDIS_URL is set, otherwise a filesystem broker so a newcomer needs nothing.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 12 * 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Stored figure runs (reports.snapshots): dashboards over large scopes read them. A running
# period's run is recomputed every FIGURES_REFRESH_MINUTES; a page never uses one older than
# FIGURES_RUN_MAX_AGE seconds (it computes a new one instead).
FIGURES_REFRESH_MINUTES = env.int("FIGURES_REFRESH_MINUTES", default=5)
FIGURES_RUN_MAX_AGE = env.int("FIGURES_RUN_MAX_AGE", default=3600)

# Reports: a build with no heartbeat for this long is re-queued (or failed after the attempts);
# scopes up to REPORTS_DIRECT_MAX_ROWS rows may be downloaded directly instead of queued.
REPORTS_HEARTBEAT_TIMEOUT = env.int("REPORTS_HEARTBEAT_TIMEOUT", default=300)
REPORTS_MAX_ATTEMPTS = env.int("REPORTS_MAX_ATTEMPTS", default=3)
REPORTS_DIRECT_MAX_ROWS = env.int("REPORTS_DIRECT_MAX_ROWS", default=3000)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
# accounts.sessions: idle timeout with a warning before it, and an absolute lifetime.
# --- audit log and separated administrator duties (等保 8.1.4.2 / 8.1.4.3 / 8.1.4.6) ----------
AUDIT_LOG_ENABLED = env.bool("AUDIT_LOG_ENABLED", default=True)
# At least 180 days (网络安全法 art. 21); a smaller value fails the system check audit.E001.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
# On: accounts are managed by the security administrator only. Off (small deployments): the
# system administrator manages accounts as well.
ADMIN_DUTIES_SEPARATED = env.bool("ADMIN_DUTIES_SEPARATED", default=True)

SESSION_IDLE_TIMEOUT = timedelta(
    minutes=env.int(
        "SESSION_IDLE_MINUTES", default=env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
    )
)
SESSION_IDLE_WARNING = timedelta(minutes=2)
SESSION_ABSOLUTE_LIFETIME = timedelta(
    hours=env.int("SESSION_LIFETIME_HOURS", default=env.int("SESSION_ABSOLUTE_HOURS", default=12))
)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own origin
# only — no inline <script>, on*= handler, style= attribute or <style> block anywhere (behaviour
# lives in static/**/*.js with data-* attributes, looks in static/css/app.css). data: images are
# Bootstrap's own SVG icons (select arrow, close button, check marks) inside its CSS. Private
# files keep the stricter sandbox policy core.http.file_response sets (an existing header is
# never overwritten). Violations are logged by /csp-report/ (core.views.csp_report).
CSP_REPORT_PATH = "/csp-report/"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": CSP_REPORT_PATH,
    },
}
# A violation report is a small JSON document; anything bigger is refused unread.
CSP_REPORT_MAX_BYTES = 16 * 1024
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SITE_NAME = _("平安医院")

# Encryption at rest (core.crypto, core.fields.EncryptedCharField): SM4-GCM, 128-bit key as 32
# hex digits or base64. Required when DEBUG is off (system check core.E101); with DEBUG a key is
# derived from SECRET_KEY. Former keys stay readable from FIELD_ENCRYPTION_KEYS until
# `manage.py reencrypt_fields` has rewritten everything with the current key.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# REST API (api app): tokens, scopes, idempotency, pagination, throttling; schema and docs.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)
# Requests per token (or per logged-in user) and period, DRF syntax ("600/min"); "" = no limit.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.StableCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["api.filters.ApiFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "平安医院 Safe Hospital API",
    "DESCRIPTION": "Hospitals, regions, inspections, hazards (with events and evidence), 4+N "
    "items and report exports, scoped exactly as the pages. Authorization: Bearer <token>.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is for signed-in users and token holders (as every other API answer).
    "SERVE_PERMISSIONS": ["api.permissions.TokenScope"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set (the same TextChoices class on several models).
    "ENUM_NAME_OVERRIDES": {
        "HazardStatusEnum": "hazards.choices.Status",
        "HazardSourceEnum": "hazards.choices.Source",
        "HazardCategoryEnum": "hazards.choices.Category",
        "RiskLevelEnum": "hazards.choices.RiskLevel",
        "HazardEventKindEnum": "hazards.choices.EventType",
        "ExtensionStatusEnum": "hazards.choices.ExtensionStatus",
        "InspectionKindEnum": "inspections.choices.InspectionKind",
        "InspectionStatusEnum": "inspections.choices.InspectionStatus",
        "SecurityItemKindEnum": "security.choices.ItemKind",
        "SecurityItemStatusEnum": "security.choices.ItemStatus",
        "ReportStatusEnum": "reports.choices.ExportStatus",
        "ReportTypeEnum": "reports.choices.ReportType",
        "RegionLevelEnum": "hospitals.choices.RegionLevel",
        "HospitalLevelEnum": "hospitals.choices.HospitalLevel",
        "SupervisionLevelEnum": "hazards.choices.SupervisionLevel",
        # 停业整改 / 停用整改 (the suspend action's `kind`), without the empty "none" choice.
        "SuspensionKindEnum": "hazards.choices.Suspension",
    },
    # <int:pk> matches digits only: a negative id is not a route at all.
    "PATH_CONVERTER_OVERRIDES": {
        "int": {"type": "integer", "minimum": 0, "maximum": 9223372036854775807}
    },
}
