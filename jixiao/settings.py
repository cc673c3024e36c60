"""Django settings for Jixiao. Everything that varies per installation comes from the environment
through the typed helpers in ``jixiao.envconfig``; see README "Configuration"."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import global_settings as _django_defaults

from jixiao.envconfig import database_from_url, env_bool, env_int, env_list, env_str
from jixiao.targets import rules as _target_rules

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JIXIAO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("JIXIAO_DEBUG", False)


def _secret_key() -> str:
    """JIXIAO_SECRET_KEY wins; otherwise a key generated once into var/ (a single intranet server
    keeps it across restarts without anyone pasting secrets into files in the repository)."""
    configured = env_str("JIXIAO_SECRET_KEY", "")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# The audit chain's HMAC key and head anchor live outside the database (docs/security.md).
JIXIAO_AUDIT_KEY = env_str("JIXIAO_AUDIT_KEY", "")
JIXIAO_AUDIT_KEY_FILE = Path(env_str("JIXIAO_AUDIT_KEY_FILE", str(VAR_DIR / "audit_key")))
JIXIAO_AUDIT_ANCHOR_FILE = Path(env_str("JIXIAO_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit_anchor.log")))
ALLOWED_HOSTS = env_list("JIXIAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JIXIAO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the Swagger UI assets locally (no CDN on an intranet)
    "django_tasks",  # background work (core.jobs): the backport of Django 6's Tasks framework
    "django_tasks_db",  # its database backend: the queue is a table, `manage.py db_worker` runs it
    "jixiao.core",
    "jixiao.org",
    "jixiao.library",
    "jixiao.projects",
    "jixiao.pools",
    "jixiao.assessment",
    "jixiao.targets",
    "jixiao.monitoring",
    "jixiao.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "jixiao.core.middleware.MissingSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "jixiao.core.middleware.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jixiao.core.middleware.IdleTimeoutMiddleware",
    "jixiao.core.middleware.PasswordChangeRequiredMiddleware",
    "jixiao.core.middleware.ExportAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jixiao.core.middleware.SecurityHeadersMiddleware",
    "jixiao.core.middleware.ChinesePagesInDebugMiddleware",
    "jixiao.core.middleware.ApiJsonErrorsMiddleware",
]

ROOT_URLCONF = "jixiao.urls"
WSGI_APPLICATION = "jixiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jixiao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jixiao.core.context_processors.shell",
            ],
            "builtins": ["jixiao.core.templatetags.jixiao"],
        },
    }
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", ""), sqlite_default=VAR_DIR / "jixiao.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = ["jixiao.org.auth.LockoutBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jixiao.org.auth.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "jixiao.org.auth.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jixiao.org.auth.KnownPasswordValidator"},
    {"NAME": "jixiao.org.auth.PasswordHistoryValidator"},
]
#: a new password may not be the current one nor one of this many before it
JIXIAO_PASSWORD_HISTORY = env_int("JIXIAO_PASSWORD_HISTORY", 5, minimum=1)

# Security policy (F14). Lockout after N failed logins for M minutes; idle session timeout.
JIXIAO_LOCKOUT_ATTEMPTS = env_int("JIXIAO_LOCKOUT_ATTEMPTS", 5, minimum=1)
JIXIAO_LOCKOUT_MINUTES = env_int("JIXIAO_LOCKOUT_MINUTES", 15, minimum=1)
#: Failed logins from one source address within JIXIAO_LOCKOUT_MINUTES after which every login from
#: that address is refused until the window passes (throttling by address, issue #11; an office
#: behind one NAT address shares the count, hence a higher number than the per-account one).
JIXIAO_SOURCE_LOCKOUT_ATTEMPTS = env_int("JIXIAO_SOURCE_LOCKOUT_ATTEMPTS", 20, minimum=1)
#: an API token stops working this many days after it was created (a new one is made on the 令牌 page)
JIXIAO_TOKEN_DAYS = env_int("JIXIAO_TOKEN_DAYS", 90, minimum=1)
JIXIAO_IDLE_TIMEOUT_MINUTES = env_int("JIXIAO_IDLE_TIMEOUT_MINUTES", 30, minimum=1)

SESSION_COOKIE_AGE = JIXIAO_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("JIXIAO_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env_str("JIXIAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "jixiao" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body other than uploaded files (a form, a JSON document): larger answers 413. Uploaded files
# are bounded by JIXIAO_IMPORT_MAX_MB (the Excel reader, jixiao.core.excel).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("JIXIAO_MAX_BODY_MB", 10, minimum=1) * 1024 * 1024
# Form fields per request: what the largest form needs — the indicator editor holding a sheet of the most
# indicators a sheet may have (targets.rules: the import's maximum, 11 inputs a row and the form's own);
# Django's 1,000 failed at about 90 rows. More answers 400 with a Chinese page (JSON under /api/,
# jixiao.core.middleware). targets.rules is pure Python (no Django), so settings may read it.
DATA_UPLOAD_MAX_NUMBER_FIELDS = max(_django_defaults.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                                    _target_rules.editor_field_count(_target_rules.MAX_INDICATORS))
# Background jobs (core.jobs): django-tasks with its database backend — the queue is a table in our
# own database, run by `manage.py db_worker` (started by `make run`); no broker to install.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Work at or above these sizes runs as a background job with a progress page; smaller stays in the
# request: an official-layout export of this many sheets, an import file of this many KB.
JIXIAO_JOB_THRESHOLDS = {
    "export_sheets": env_int("JIXIAO_JOB_EXPORT_SHEETS", 200, minimum=1),
    "import_kb": env_int("JIXIAO_JOB_IMPORT_KB", 1024, minimum=1),
}

JIXIAO_IMPORT_MAX_MB = env_int("JIXIAO_IMPORT_MAX_MB", 20, minimum=1)
JIXIAO_IMPORT_MEMORY_MB = env_int("JIXIAO_IMPORT_MEMORY_MB", 1024, minimum=64)
JIXIAO_IMPORT_SECONDS = env_int("JIXIAO_IMPORT_SECONDS", 120, minimum=5)
# Attachments (申报书, 可研报告, 专家材料, 佐证材料: jixiao.core.attachments): files outside the database, one
# size limit for every kind.
JIXIAO_ATTACHMENT_DIR = Path(env_str("JIXIAO_ATTACHMENT_DIR", str(MEDIA_ROOT / "attachments")))
JIXIAO_ATTACHMENT_MAX_MB = env_int("JIXIAO_ATTACHMENT_MAX_MB", 20, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JIXIAO_LOG_LEVEL", "WARNING")},
}

# Static files are served by WhiteNoise straight from the app folders (no collectstatic step needed
# on a single intranet server); `manage.py collectstatic` still works for a front web server.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
