"""Settings for Licheng. Everything a deployment changes comes from environment variables
(see README "Configuration"); every reader fails loudly on a malformed value."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from licheng.env import env_bool, env_int, env_list, env_path, env_str, oidc_providers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("LICHENG_VAR_DIR", BASE_DIR / "var")


def _persistent_secret(name: str, env_name: str, make: object) -> str:
    """Read a secret from the environment, or create it once in VAR_DIR so restarts keep it."""
    value = env_str(env_name, "")
    if value:
        return value
    path = VAR_DIR / name
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = make() if callable(make) else str(make)
    path.write_text(value)
    path.chmod(0o600)
    return value


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


DEBUG = env_bool("LICHENG_DEBUG", False)
SECRET_KEY = _persistent_secret("secret_key", "LICHENG_SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Key for personal data encrypted at rest (national IDs). Losing it loses those fields: back it up.
FIELD_ENCRYPTION_KEY = _persistent_secret("field_key", "LICHENG_FIELD_KEY", _fernet_key)
ALLOWED_HOSTS = env_list("LICHENG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("LICHENG_CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies (addresses or networks) whose X-Forwarded-For header is believed for the client's
# address in the audit trail and login throttling. Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("LICHENG_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs page from its own static files (not a CDN with an inline script)
    "django_tasks",
    "django_tasks_db",
    "licheng.core",
    "licheng.audit",
    "licheng.schools",
    "licheng.people",
    "licheng.courses",
    "licheng.accounts",
    "licheng.files",
    "licheng.notifications",
    "licheng.portfolio",
    "licheng.performances",
    "licheng.records",
    "licheng.counselling",
    "licheng.schedule",
    "licheng.progress",
    "licheng.announcements",
    "licheng.workinggroup",
    "licheng.submissions",
    "licheng.receipts",
    "licheng.lifecycle",
    "licheng.backups",
    "licheng.credentials",
    "licheng.portability",
    "licheng.duplicates",
    "licheng.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "licheng.core.security.SecurityHeadersMiddleware",
    "licheng.accounts.sessions.SlidingSessionMiddleware",
    "licheng.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "licheng.files.upload.UploadLimitMiddleware",  # reads every upload with its route's limit, before CSRF
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "licheng.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "licheng.core.middleware.SchoolMiddleware",
]

ROOT_URLCONF = "licheng.urls"
WSGI_APPLICATION = "licheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "licheng.core.context_processors.school",
                "licheng.core.security.csp_nonce",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'licheng.sqlite3'}"),
        conn_max_age=env_int("LICHENG_DB_CONN_MAX_AGE", 60),
        # A persistent connection the database (or the network) dropped is tested and replaced
        # before a request uses it, so a node recovers by itself after an outage.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Give up on an unreachable database within seconds (the page answers 503, see
    # licheng/core/unavailable.py) instead of hanging a web worker until gunicorn kills it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("LICHENG_DB_CONNECT_TIMEOUT", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while one writes; a busy timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["licheng.accounts.backends.SchoolModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# OpenID Connect providers this deployment trusts (education cloud, city): see docs/configuration.md.
OIDC_PROVIDERS = oidc_providers_from_env()
# Discovery documents and signing keys are fetched again after this many seconds.
OIDC_METADATA_MAX_AGE = env_int("LICHENG_OIDC_METADATA_MAX_AGE", 3600)

# Sessions end after this many idle minutes (sliding: a request renews the session when its last
# renewal is over a minute old, see licheng/accounts/sessions.py).
SESSION_COOKIE_AGE = env_int("LICHENG_SESSION_MINUTES", 30) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("LICHENG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Failed-login throttling: this many failures for one account or one address within the window
# locks further attempts until the window passes.
# Content-Security-Policy of pages (licheng.core.security): report violations without blocking.
CSP_REPORT_ONLY = env_bool("LICHENG_CSP_REPORT_ONLY", False)

# Password-reset requests per e-mail address and per account, and per client address, per hour.
PASSWORD_RESET_MAX_PER_HOUR = env_int("LICHENG_PASSWORD_RESET_MAX_PER_HOUR", 3)
PASSWORD_RESET_MAX_PER_ADDRESS = env_int("LICHENG_PASSWORD_RESET_MAX_PER_ADDRESS", 30)

# Parent binding (親子綁定): a code a student or the registry issues is valid this many days; this many
# wrong codes from one account (or one sign-in identity) within 15 minutes refuse more (from one
# address: 4 times that).
PARENT_CODE_DAYS = env_int("LICHENG_PARENT_CODE_DAYS", 7)
PARENT_CODE_MAX_WRONG = env_int("LICHENG_PARENT_CODE_MAX_WRONG", 5)

LOGIN_MAX_FAILURES = env_int("LICHENG_LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LICHENG_LOGIN_FAILURE_WINDOW_MINUTES", 15)
# A whole school often shares one public address (NAT), so the per-address limit is higher.
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LICHENG_LOGIN_MAX_FAILURES_PER_ADDRESS", 50)

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "licheng" / "static"]
WHITENOISE_USE_FINDERS = True

# Uploaded files live in a private folder outside any web root and are served only through
# permission-checked views. LICHENG_STORAGE_DIR moves it; docs/deployment.md covers object storage.
STORAGE_DIR = env_path("LICHENG_STORAGE_DIR", VAR_DIR / "files")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(STORAGE_DIR), "base_url": None, "file_permissions_mode": 0o600},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads always stream to a temporary file (never held in memory); licheng.files checks and
# stores them content-addressed.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_PERMISSIONS = 0o600

TASKS = {
    "default": {
        "BACKEND": env_str("LICHENG_TASK_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_HOST = env_str("LICHENG_EMAIL_HOST", "")
EMAIL_PORT = env_int("LICHENG_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("LICHENG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("LICHENG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LICHENG_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("LICHENG_EMAIL_FROM", "licheng@localhost")
# The address people reach the site at, for links in e-mails (e.g. https://licheng.example.edu.tw).
LICHENG_SITE_URL = env_str("LICHENG_SITE_URL", "").rstrip("/")
# Years a course-outcome credential stays valid (licheng.credentials); 0: no expiry.
CREDENTIAL_VALID_YEARS = env_int("LICHENG_CREDENTIAL_VALID_YEARS", 10)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # No mail server configured: messages are written as files under var/mail for inspection.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LICHENG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- object storage and backups (licheng.backups, licheng.files); see docs/operations.md ---


def _s3_client_config() -> object:
    from botocore.config import Config

    return Config(
        connect_timeout=env_int("LICHENG_S3_CONNECT_TIMEOUT", 5),
        read_timeout=env_int("LICHENG_S3_READ_TIMEOUT", 30),
        retries={"max_attempts": env_int("LICHENG_S3_MAX_ATTEMPTS", 3), "mode": "standard"},
    )


# Primary file storage on S3-compatible object storage instead of LICHENG_STORAGE_DIR: set the bucket.
S3_BUCKET = env_str("LICHENG_S3_BUCKET", "")
S3_OPTIONS = {
    "endpoint_url": env_str("LICHENG_S3_ENDPOINT_URL", "") or None,
    "access_key": env_str("LICHENG_S3_ACCESS_KEY", "") or None,
    "secret_key": env_str("LICHENG_S3_SECRET_KEY", "") or None,
    "region_name": env_str("LICHENG_S3_REGION", "") or None,
    # Content-addressed names never change their bytes: an upload to an existing name is the same file.
    "file_overwrite": True,
    "default_acl": None,
    "querystring_auth": True,
    # Short timeouts and few retries: while the store is unreachable an upload is refused within
    # seconds ("not saved, try again") rather than holding a web worker for minutes.
    "client_config": _s3_client_config(),
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**S3_OPTIONS, "bucket_name": S3_BUCKET, "location": env_str("LICHENG_S3_PREFIX", "")},
    }

# Backups (manage.py backup / restore / scrub): a folder by default, or a bucket of its own.
BACKUP_DIR = env_path("LICHENG_BACKUP_DIR", VAR_DIR / "backups")
BACKUP_S3_BUCKET = env_str("LICHENG_BACKUP_S3_BUCKET", "")
if BACKUP_S3_BUCKET:
    STORAGES["backups"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **S3_OPTIONS,
            "endpoint_url": env_str("LICHENG_BACKUP_S3_ENDPOINT_URL", "") or S3_OPTIONS["endpoint_url"],
            "access_key": env_str("LICHENG_BACKUP_S3_ACCESS_KEY", "") or S3_OPTIONS["access_key"],
            "secret_key": env_str("LICHENG_BACKUP_S3_SECRET_KEY", "") or S3_OPTIONS["secret_key"],
            "region_name": env_str("LICHENG_BACKUP_S3_REGION", "") or S3_OPTIONS["region_name"],
            "bucket_name": BACKUP_S3_BUCKET,
            "location": env_str("LICHENG_BACKUP_S3_PREFIX", ""),
        },
    }
else:
    STORAGES["backups"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BACKUP_DIR), "base_url": None, "file_permissions_mode": 0o600},
    }
# The admin page and /backups/health alarm when the last good backup is older than this.
BACKUP_MAX_AGE_HOURS = env_int("LICHENG_BACKUP_MAX_AGE_HOURS", 26)
# How many good backups to keep; older ones (and file copies only they used) are removed.
BACKUP_KEEP = env_int("LICHENG_BACKUP_KEEP", 14)
# The periodic runner (manage.py periodic) enqueues licheng.backups.tasks.run_backup this often.
BACKUP_INTERVAL_HOURS = env_int("LICHENG_BACKUP_INTERVAL_HOURS", 24)
