"""Django settings for Jixiao. Everything that varies per installation comes from the environment
through the typed helpers in ``jixiao.envconfig``; see README "Configuration"."""

from __future__ import annotations

import secrets
from pathlib import Path

from jixiao.envconfig import database_from_url, env_bool, env_int, env_list, env_str

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
    "jixiao.core",
    "jixiao.org",
    "jixiao.library",
    "jixiao.projects",
    "jixiao.pools",
    "jixiao.assessment",
    "jixiao.targets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "jixiao.core.middleware.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jixiao.core.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jixiao.core.middleware.SecurityHeadersMiddleware",
    "jixiao.core.middleware.ChinesePagesInDebugMiddleware",
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
]

# Security policy (F14). Lockout after N failed logins for M minutes; idle session timeout.
JIXIAO_LOCKOUT_ATTEMPTS = env_int("JIXIAO_LOCKOUT_ATTEMPTS", 5, minimum=1)
JIXIAO_LOCKOUT_MINUTES = env_int("JIXIAO_LOCKOUT_MINUTES", 15, minimum=1)
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
# Form fields per request: the indicator editor sends 11 per row and a sheet holds up to 200 indicators
# (as import allows), so 2,200 and the form's own; Django's 1,000 failed at about 90 rows. More answers
# 400 with a Chinese page (jixiao.core.middleware).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000
JIXIAO_IMPORT_MAX_MB = env_int("JIXIAO_IMPORT_MAX_MB", 20, minimum=1)
JIXIAO_IMPORT_MEMORY_MB = env_int("JIXIAO_IMPORT_MEMORY_MB", 1024, minimum=64)
JIXIAO_IMPORT_SECONDS = env_int("JIXIAO_IMPORT_SECONDS", 120, minimum=5)

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
