"""Every setting of Yiwang, read from environment variables in this one module.

Zero configuration gives the embedded shape: SQLite in WAL mode under ``var/``, a database
cache, a database-backed task queue. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL``
moves cache and sessions to Redis. ``YIWANG_ENV=production`` refuses to start unless the
secret key, the allowed hosts and the database URL are given. docs/configuration.md lists
every variable; keep the two in step.
"""

import os
import secrets
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent
BASE_DIR = PROJECT_DIR.parent


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = env("YIWANG_ENV", "test" if "pytest" in sys.modules else "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"YIWANG_ENV must be development, test or production, not {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env("YIWANG_DATA_DIR", str(BASE_DIR / "var")))

if PRODUCTION:
    missing = [
        name
        for name in (
            "YIWANG_SECRET_KEY",
            "YIWANG_ALLOWED_HOSTS",
            "DATABASE_URL",
            "YIWANG_FIELD_ENCRYPTION_KEY",
            "YIWANG_LOOKUP_HASH_KEY",
            "YIWANG_AUDIT_CHAIN_KEY",
            "YIWANG_OIDC_PRIVATE_KEY",
        )
        if env(name) is None
    ]
    if missing:
        raise ImproperlyConfigured(
            "Production settings need these environment variables: " + ", ".join(missing)
        )


def _local_secret(filename, make=lambda: secrets.token_urlsafe(50)):
    """A random secret kept in the data directory (mode 600, made on first use), so no key
    of a development or demo install ever lives in the code."""
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _secret(name, filename, *, test_value, make=lambda: secrets.token_urlsafe(50)):
    """The environment's value; else a fixed value under test; else a local file's."""
    return env(name) or (test_value if ENVIRONMENT == "test" else _local_secret(filename, make))


def _new_rsa_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


SECRET_KEY = _secret("YIWANG_SECRET_KEY", "secret_key", test_value="test-only-key")
# Personal data: the AES-GCM key that encrypts resident ID numbers, and the HMAC key of the
# hash they are looked up by (yiwang.core.crypto). Each is 32 bytes, base64. Losing the
# encryption key loses the numbers; changing the hash key breaks lookups.
FIELD_ENCRYPTION_KEY = _secret(
    "YIWANG_FIELD_ENCRYPTION_KEY",
    "field_encryption_key",
    test_value="dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5ISE=",
    make=lambda: __import__("base64").b64encode(secrets.token_bytes(32)).decode(),
)
LOOKUP_HASH_KEY = _secret(
    "YIWANG_LOOKUP_HASH_KEY",
    "lookup_hash_key",
    test_value="dGVzdC1vbmx5LWxvb2t1cC1oYXNoLWtleS0wMDAwMDA=",
    make=lambda: __import__("base64").b64encode(secrets.token_bytes(32)).decode(),
)
# The HMAC key of the audit log's hash chain: without it nobody can rewrite a row and its
# successors so that `manage.py verify_audit_log` still passes.
AUDIT_CHAIN_KEY = _secret("YIWANG_AUDIT_CHAIN_KEY", "audit_chain_key", test_value="test-audit")
AUDIT_RETENTION_DAYS = max(180, int(env("YIWANG_AUDIT_RETENTION_DAYS", "365")))
DEBUG = env_bool("YIWANG_DEBUG", ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list(
    "YIWANG_ALLOWED_HOSTS", [".localhost", "localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("YIWANG_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "yiwang.core",
    "yiwang.orgs",
    "yiwang.accounts",
    "yiwang.portal",
    "yiwang.catalog",
    "yiwang.hall",
    "yiwang.supervision",
    "yiwang.stats",
    "yiwang.evaluation",
    "yiwang.appointments",
    "yiwang.participation",
    "yiwang.interaction",
    "yiwang.monitoring",
    "yiwang.search",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "yiwang.accounts.apps.YiwangUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Serves the API docs' Swagger UI from our own static files, not a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff reach the back office only after their second factor (TOTP).
    "yiwang.accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "yiwang.portal.middleware.ClosedSiteMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Databases. SQLite needs IMMEDIATE transactions and a busy timeout, or concurrent writers
# fail with "database is locked"; WAL lets readers go on while one writer writes.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {})
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "yiwang.sqlite3",
            "OPTIONS": {},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: Redis when REDIS_URL is set, shared by every app process; otherwise a
# database table, which every process of the embedded setup shares too.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("YIWANG_CACHE_PREFIX", "yiwang"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
elif ENVIRONMENT == "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yiwang_cache",
        }
    }

# Background tasks through the django_tasks API (the one Wagtail 8 uses). The database
# backend needs no extra service; `manage.py db_worker` runs the queue.
TASKS_BACKEND = env(
    "YIWANG_TASKS_BACKEND",
    "django_tasks.backends.immediate.ImmediateBackend"
    if ENVIRONMENT == "test"
    else "django_tasks_db.DatabaseBackend",
)
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}

# Search (docs/search.md): the engine and, for Tantivy, where its index lives on local disk
# (written by the task worker, read by every web process on the machine). Tests use a
# folder of their own per process.
SEARCH_ENGINE = env("YIWANG_SEARCH_ENGINE", "tantivy")
SEARCH_INDEX_DIR = Path(
    env(
        "YIWANG_SEARCH_INDEX_DIR",
        str(
            Path(tempfile.gettempdir()) / f"yiwang-test-search-{os.getpid()}"
            if ENVIRONMENT == "test"
            else DATA_DIR / "search"
        ),
    )
)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # At least three of: upper case, lower case, digits, symbols.
    {"NAME": "yiwang.accounts.validators.CharacterClassesValidator"},
]
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"
WAGTAILADMIN_LOGIN_URL = LOGIN_URL  # the admin's own login would skip the second factor
LOGIN_REDIRECT_URL = "/accounts/centre/"
# Where people log in once for the whole site group (一次认证、全网通行): portals on other
# hostnames send visitors here and receive a one-time ticket back (accounts/sso.py); other
# departments' systems use OpenID Connect at {IDENTITY_URL}/o/.
IDENTITY_URL = env("YIWANG_IDENTITY_URL", env("YIWANG_BASE_URL", "http://localhost:8000")).rstrip(
    "/"
)

# SMS: console (prints) by default, a recording fake in tests; a real gateway's backend
# implements yiwang.core.sms.BaseSmsBackend.
SMS_BACKEND = env(
    "YIWANG_SMS_BACKEND",
    "yiwang.core.sms.RecordingSmsBackend"
    if ENVIRONMENT == "test"
    else "yiwang.core.sms.ConsoleSmsBackend",
)
SMS_CODE_TTL_SECONDS = int(env("YIWANG_SMS_CODE_TTL", "300"))
# Brute-force protection, per (account, client address), counted in the cache.
LOGIN_MAX_FAILURES = int(env("YIWANG_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env("YIWANG_LOGIN_LOCKOUT_SECONDS", "900"))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    env("YIWANG_LOGIN_MAX_FAILURES_PER_ADDRESS", str(10 * LOGIN_MAX_FAILURES))
)
# How many reverse proxies in front of the app servers append to X-Forwarded-For (nginx
# in production: 1). 0 trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(env("YIWANG_TRUSTED_PROXIES", "0"))

# OpenID Connect provider (django-oauth-toolkit). RS256 signing key: PEM text.
# Under test a key made in memory for the run (generating one takes a few milliseconds).
OIDC_PRIVATE_KEY = env("YIWANG_OIDC_PRIVATE_KEY") or (
    _new_rsa_key()
    if ENVIRONMENT == "test"
    else _local_secret("oidc_rsa_private_key.pem", _new_rsa_key)
)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# The issuer is the identity host itself: discovery at {IDENTITY_URL}/.well-known/
# openid-configuration (also under /o/), endpoints under /o/. docs/oidc.md.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": IDENTITY_URL,
    "OIDC_RSA_PRIVATE_KEY": OIDC_PRIVATE_KEY,
    # Key rotation: the previous key (PEM) stays published in the JWKS, so ID tokens it
    # signed still verify until they expire; new tokens are signed with the current key.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        key for key in [env("YIWANG_OIDC_PREVIOUS_PRIVATE_KEY")] if key
    ],
    "OAUTH2_VALIDATOR_CLASS": "yiwang.accounts.oidc.PlatformOAuth2Validator",
    "OAUTH2_BACKEND_CLASS": "yiwang.accounts.oidc.PlatformOAuthLibCore",
    "SCOPES": {
        "openid": "以一网统一身份认证账号登录",
        "profile": "姓名和用户名",
        "phone": "已核验的手机号码",
        "real_name": "实名等级和脱敏的身份证号码",
        "legal_person": "本次登录所代表的法人（名称、统一社会信用代码）",
    },
    "DEFAULT_SCOPES": ["openid"],
    # Authorization code flow with PKCE (S256) only; no implicit or password grants.
    "PKCE_REQUIRED": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
    "ALLOW_URI_WILDCARDS": False,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 30 * 60,
    "ID_TOKEN_EXPIRE_SECONDS": 30 * 60,
    # A refresh token dies this long after its access token expired (idle timeout).
    "REFRESH_TOKEN_EXPIRE_SECONDS": 12 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "force",
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    # RFC 9700 (OAuth 2.0 Security BCP): enforce every recommendation now.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": PRODUCTION,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("YIWANG_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = env("YIWANG_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("YIWANG_MEDIA_ROOT", str(DATA_DIR / "media")))
# The embedded setup serves uploaded files itself; production leaves that to nginx or S3.
SERVE_MEDIA = env_bool("YIWANG_SERVE_MEDIA", not PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("YIWANG_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
    SECURE_HSTS_SECONDS = int(env("YIWANG_HSTS_SECONDS", "31536000"))
    SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

# The online service hall: case files outside MEDIA_ROOT (served only after an access check),
# upload limits, and the malware scanner (ClamAV's clamd when a socket is configured).
HALL_PRIVATE_ROOT = Path(env("YIWANG_PRIVATE_ROOT", str(DATA_DIR / "private")))
HALL_UPLOAD_MAX_BYTES = int(env("YIWANG_UPLOAD_MAX_MB", "20")) * 1024 * 1024
CLAMD_SOCKET = env("YIWANG_CLAMD_SOCKET", "")
CLAMD_TIMEOUT = int(env("YIWANG_CLAMD_TIMEOUT", "30"))
HALL_SCANNER = env(
    "YIWANG_SCANNER",
    "yiwang.hall.scanning.ClamdScanner" if CLAMD_SOCKET else "yiwang.hall.scanning.NoScanner",
)

EMAIL_BACKEND = env("YIWANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("YIWANG_DEFAULT_FROM_EMAIL", "noreply@yiwang.localhost")

WAGTAIL_SITE_NAME = env("YIWANG_PLATFORM_NAME", "一网")
WAGTAILADMIN_BASE_URL = env("YIWANG_BASE_URL", "http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "doc", "odt", "ofd", "pdf", "xlsx", "xls", "zip", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAILEMBEDS_RESPONSIVE_HTML = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("YIWANG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Every task start and finish is logged at INFO: thousands of lines after a demo load.
        "django_tasks": {"level": env("YIWANG_TASK_LOG_LEVEL", "WARNING")},
        # SpiffWorkflow logs every task state change at INFO.
        "spiff": {"level": "WARNING"},
        "SpiffWorkflow": {"level": "WARNING"},
        # fontTools logs its font subsetting at INFO for every PDF the platform writes.
        "fontTools": {"level": "WARNING"},
    },
}

# Website monitoring: host name -> IP address the crawler connects to for names the resolver
# does not know ("gov.example=10.0.0.5,other.example=10.0.0.6"); *.localhost goes to
# 127.0.0.1 anyway. The URL and the Host header stay as they are.
MONITORING_RESOLVE = dict(
    pair.split("=", 1) for pair in env_list("YIWANG_MONITORING_RESOLVE") if "=" in pair
)
