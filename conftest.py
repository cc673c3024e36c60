"""Shared fixtures: the persona world (see jixiao/org/personas.py) and logged-in clients."""

import pytest
from django.test import Client

from jixiao.org.personas import DEMO_PASSWORD, build_world

YEAR = 2026


@pytest.fixture(autouse=True)
def _fresh_audit_anchor():
    """The audit anchor file lives outside the database; each test starts with an empty one, as it
    starts with an empty database (both chains anchored at sequence 0, as after ``migrate``)."""
    from django.conf import settings

    from jixiao.core import audit

    settings.JIXIAO_AUDIT_ANCHOR_FILE.unlink(missing_ok=True)
    audit.start_anchor()
    yield


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    # The world stands for committed data: run the on-commit work of its writes (the audit anchor).
    with django_capture_on_commit_callbacks(execute=True):
        return build_world(year=YEAR)


@pytest.fixture
def login(world):
    """``login("preparer")`` → a Django test client logged in as that persona."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return make


@pytest.fixture
def password():
    return DEMO_PASSWORD
