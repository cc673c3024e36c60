"""Settings for the test suite: the real settings plus a small test-only app that exercises the
generic review-chain machinery before any domain app uses it. DATABASE_URL still chooses SQLite or
PostgreSQL, so CI runs the same suite on both."""

from jixiao.settings import *  # noqa: F403
from jixiao.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.reviewapp"]
# Argon2 at full cost makes a suite of thousands of logins slow; tests still go through the hasher API.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Files the tests write (job results, uploads) go to a throw-away folder, not the server's var/media.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="jixiao-test-media-")
# The audit key and the head anchor of this test process: a throw-away folder (the key is generated
# there by the real code); conftest empties the anchor before each test, as the database is.
from pathlib import Path  # noqa: E402

_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="jixiao-test-audit-"))
JIXIAO_AUDIT_KEY = ""
JIXIAO_AUDIT_KEY_FILE = _AUDIT_DIR / "audit_key"
JIXIAO_AUDIT_ANCHOR_FILE = _AUDIT_DIR / "audit_anchor.log"
JIXIAO_ATTACHMENT_DIR = Path(MEDIA_ROOT) / "attachments"
