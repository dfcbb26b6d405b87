"""Settings from the environment (django-environ).

Embedded default: SQLite and eager Celery. PostgreSQL when DATABASE_URL says so,
a real broker when REDIS_URL is set. With DEBUG off a SECRET_KEY is required.
"""
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; missing file is fine

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and env.str("SECRET_KEY_FILE", default=""):
    SECRET_KEY = Path(env.str("SECRET_KEY_FILE")).read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置：生产环境（DEBUG 关闭）必须通过环境变量 SECRET_KEY 或 SECRET_KEY_FILE 提供密钥。"
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "treebeard",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "pgtrigger",
    "core",
    "cadres",
    "tolerance",
    "assessment",
    "care",
    # 干部任免审批表 (PDF/Word) and LRMX interchange (issue #15): reads cadres and assessment
    # grades, so it lives above both and neither imports it.
    "appointment",
    # Leaders' dashboard and year-end report (issue 17): reads the other apps, nothing depends on it.
    "dashboard",
    # Information-sharing API (issue 18): depends on every app above, nothing depends on it.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 13: NUL bytes never reach a view (query parameters and posted values).
    "core.validation.StripNulMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Issue 13: a form posted twice (double click, resubmit) is saved once (core/idempotency.py).
    "core.idempotency.SubmitOnceMiddleware",
    # Idle timeout, absolute lifetime, one session per user, and each expiry audited (core.sessions).
    "core.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Second factor first (who is asking), then a password set by an administrator or past
    # its age is changed before anything else.
    "core.middleware.SecondFactorMiddleware",
    "core.middleware.PasswordPolicyMiddleware",
    "core.middleware.AdministratorScopeMiddleware",
    # Last, so that it sees the authenticated user and the final response.
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
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (issue #16): opening a PostgreSQL connection costs 8-17 ms per request,
# so each web thread and worker keeps its connection for CONN_MAX_AGE seconds, and
# CONN_HEALTH_CHECKS re-checks it before reuse so a restarted database costs one reconnect,
# not an error page. SQLite (the embedded default) opens a file, so it keeps 0.
_ON_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=600 if _ON_POSTGRES else 0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) speed up PostgreSQL; SQLite, the embedded default, simply ignores
# the extra columns, which is harmless, so its warning is silenced.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses the superuser once SUPERUSER_DISABLED (三权分立; core.backends).
    "core.backends.SuperuserLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 等保 8.1.4.1: length, character classes, username, reuse (core.passwords).
    {"NAME": "core.passwords.ComplexityValidator"},
    {"NAME": "core.passwords.HistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after inactivity and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# 等保 8.1.4.1 (core.sessions): a session ends this many seconds after login whatever the
# activity, and a user holds at most this many sessions (a new login ends the oldest; 0: no limit).
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_AGE", default=12 * 3600)
SESSION_CONCURRENT_LIMIT = env.int("SESSION_CONCURRENT_LIMIT", default=1)

# Repeated failed logins lock the (username, client IP) pair, never an IP alone:
# behind the reverse proxy every user could otherwise share one address.
# The numbers are the security policy's (core.security_policy: the 安全管理员 sets them in the UI;
# LOCKOUT_FAILURE_LIMIT and LOCKOUT_MINUTES are the defaults).
LOCKOUT_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOCKOUT_MINUTES = env.int("LOCKOUT_MINUTES", default=30)
AXES_FAILURE_LIMIT = "core.security_policy.axes_failure_limit"
AXES_COOLOFF_TIME = "core.security_policy.axes_cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # resets the lockout counter only; the failure log below stays
# Every failed login is kept (等保 8.1.4.3): a success no longer erases the record of failures.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# The project's own catalog: Chinese for third-party admin labels (core.labels).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads are never served from a public URL: MEDIA_ROOT sits outside the static tree
# and every download goes through a view that applies the permission selector.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security: production sits behind a TLS-terminating reverse proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Everything is served by the app itself (intranet, no CDN); no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Celery: eager when no broker is configured (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
# Schedules live in the database (django-celery-beat), editable in admin; defaults are
# created by core's migration. Run exactly one beat process.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Without these a Redis that accepts connections but never answers blocks .delay() for 45 s+.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "max_retries": 2,
    # Unacknowledged work (a worker killed mid-sweep) returns to the queue after this long.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 2

# Caches. "default" stays per process (nothing relies on it being shared). "shared" holds
# what every gunicorn worker must see alike, today the API's per-token rate counters: Redis
# when REDIS_URL is set (production, compose, .ci/run), else per process, which is exact only
# for the embedded single-process server. Short timeouts: a slow Redis must not hang a call.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "shared": ({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                "KEY_PREFIX": "dandang",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}} if REDIS_URL else
               {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}),
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dandang@localhost")

# Guardian: permissions live in our direct foreign-key tables; no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Audit trail (core.audit): the key of its hash chain. Keep it outside the database and
# apart from SECRET_KEY so that rotating one never breaks verification of old rows.
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="")
if not AUDIT_HMAC_KEY and env.str("AUDIT_HMAC_KEY_FILE", default=""):
    AUDIT_HMAC_KEY = Path(env.str("AUDIT_HMAC_KEY_FILE")).read_text().strip()

# Background jobs (core.jobs): exports, batch prints, imports and reports run in Celery with
# a progress page; their result files are kept this many days, then removed.
JOB_RESULT_DAYS = env.int("JOB_RESULT_DAYS", default=7)

# Information-sharing API (/api/v1/, app `api`): partner bodies' tokens, scopes, cursor pages,
# Chinese error bodies and a per-token rate; the OpenAPI schema at /api/schema/ (committed as
# docs/openapi.yaml), Swagger UI from the vendored sidecar assets at /api/docs/.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/min")
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=64 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication",
                                       "api.authentication.BrowserSessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.base.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "担当 · 信息共享接口",
    "DESCRIPTION": "纪检、监察、审计、信访、巡察等合作单位与组织部门的信息共享接口（《张家口市激励干部担当干事的规定》第十四条）。"
                   "以 Authorization: Bearer 令牌认证；令牌的权限范围与所属账号的权限共同决定可读写的记录，范围外的对象一律 404。"
                   "写入须带 Idempotency-Key。错误统一为 {detail, code, errors}。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# --- issue 12: people by name and post in every template ({{ user|person }}, {{ unit|unit_full }})
TEMPLATES[0]["OPTIONS"].setdefault("builtins", []).append("core.templatetags.people")

# Identity (等保 2.0 8.1.4.1 身份鉴别, core.passwords): defaults of the security policy, which
# the 安全管理员 changes in the UI (/security/policy/) within the bounds of core.security_policy
# (never weaker than level 3: at least 8 characters of 3 classes, expiry at most 90 days, ...).
# SECURITY_POLICY_BOUNDS = {"password_min_length": (10, 64)} narrows a bound for a stricter site.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=8)
PASSWORD_MIN_CLASSES = env.int("PASSWORD_MIN_CLASSES", default=3)
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
# Second factor (core.second_factor): TOTP for administrators and leaders always; for every
# user when SECOND_FACTOR_FOR_ALL is on.
SECOND_FACTOR_FOR_ALL = env.bool("SECOND_FACTOR_FOR_ALL", default=False)
OTP_TOTP_ISSUER = "担当"

# Personal data at rest (等保 2.0 8.1.4.8 / 8.1.4.11, core.fieldcrypt): ID numbers, reporters'
# identities and confidential notes are encrypted with SM4-GCM (or AES-GCM) under a key kept
# outside the database. Production refuses to start without it, like SECRET_KEY; a development
# key is derived only with DEBUG on. Rotation: put the new key in FIELD_ENCRYPTION_KEY, the old
# one in FIELD_ENCRYPTION_OLD_KEYS (comma separated), run `manage.py rotate_field_key`, then
# drop the old key.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY and env.str("FIELD_ENCRYPTION_KEY_FILE", default=""):
    FIELD_ENCRYPTION_KEY = Path(env.str("FIELD_ENCRYPTION_KEY_FILE")).read_text().strip()
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY 未设置：生产环境（DEBUG 关闭）必须通过环境变量 FIELD_ENCRYPTION_KEY 或 "
            "FIELD_ENCRYPTION_KEY_FILE 提供个人信息加密密钥（放在数据库之外）。"
        )
    FIELD_ENCRYPTION_KEY = "dev-only-field-key:" + SECRET_KEY
FIELD_ENCRYPTION_OLD_KEYS = env.list("FIELD_ENCRYPTION_OLD_KEYS", default=[])
FIELD_ENCRYPTION_ALGORITHM = env.str("FIELD_ENCRYPTION_ALGORITHM", default="SM4-GCM")  # or "AES-GCM"
# 三权分立 and the audit trail (GB/T 22239-2019 8.1.5, 8.1.4.3; issue 14).
# The Django superuser is for bootstrap only: once 系统管理员, 安全管理员 and 审计管理员 exist,
# set SUPERUSER_DISABLED=true (check --deploy warns until then); a disabled superuser can
# neither log in nor open the admin.
SUPERUSER_DISABLED = env.bool("SUPERUSER_DISABLED", default=False)
# Audit rows older than this many days are archived to a signed file by a Celery job, then
# removed from the table (网络安全法 art. 21: at least 6 months kept).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
AUDIT_ARCHIVE_DIR = Path(env.str("AUDIT_ARCHIVE_DIR", default=str(MEDIA_ROOT / "audit-archive")))
# axes keeps a record of every failed login (its counter still resets on success).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
