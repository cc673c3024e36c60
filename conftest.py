"""Shared fixtures: the persona world (see jixiao/org/personas.py) and logged-in clients."""

import pytest
from django.test import Client

from jixiao.org.personas import DEMO_PASSWORD, build_world

YEAR = 2026


@pytest.fixture
def world(db):
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
