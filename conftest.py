"""Shared fixtures: the persona world (see jixiao/org/personas.py) and logged-in clients."""

import pytest
from django.test import Client

from jixiao.org.personas import DEMO_PASSWORD, build_world

YEAR = 2026


def pytest_collection_modifyitems(items):
    """A transactional test flushes the database afterwards. Without ``serialized_rollback`` Django
    then re-creates content types and permissions (post_migrate), and the next serialized test on the
    same worker fails to restore its snapshot (duplicate content type): which test meets that depends
    on how pytest-xdist distributes them. So every transactional test declares serialized_rollback."""
    bad = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            bad.append(item.nodeid)
    if bad:
        raise pytest.UsageError(
            "transactional tests without serialized_rollback=True (see conftest.py): " + ", ".join(bad))


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
