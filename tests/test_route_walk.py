"""The meta-test: walk every URL pattern and every API operation for every persona (and anonymous)
and check the status the route table promises. It fails when a route exists that the table does not
cover, so no page or endpoint can appear without a decision about who may reach it — and every
denial is checked not to leak the object it protects."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jixiao.core import jobs
from jixiao.core.choices import SecurityEventCode
from jixiao.core.models import SecurityEvent
from jixiao.org.personas import PERSONAS
from tests.routes import API_ROUTES, HTML_ROUTES, Route

API_PREFIX = "api/v1/"
#: Ninja's own documentation routes are walked in HTML_ROUTES by name; every other route under the
#: API prefix is an operation and must be listed in API_ROUTES.
API_DOC_NAMES = {"api:openapi-json", "api:openapi-view"}


@jobs.job_handler("tests.echo")
def _echo(job, progress):
    progress(1, 1)
    return "完成", {"echo": job.params}, "echo.txt", b"echo"


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield name, prefix + str(p.pattern)


def html_route_names() -> set[str]:
    names = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if pattern.startswith(API_PREFIX) and name not in API_DOC_NAMES:
            continue
        if pattern.startswith(("static/", "media/")):
            continue
        names.add(name)
    return names


def api_operations() -> set[str]:
    from jixiao.api import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_html_route_is_in_the_table():
    covered = {r.key for r in HTML_ROUTES}
    missing = html_route_names() - covered
    assert not missing, f"routes with no access rule in tests/routes.py: {sorted(missing)}"
    stale = covered - html_route_names()
    assert not stale, f"tests/routes.py names routes that no longer exist: {sorted(stale)}"


def test_every_api_operation_is_in_the_table():
    covered = {r.key for r in API_ROUTES}
    missing = api_operations() - covered
    assert not missing, f"API operations with no access rule in tests/routes.py: {sorted(missing)}"
    stale = covered - api_operations()
    assert not stale, f"tests/routes.py names API operations that no longer exist: {sorted(stale)}"


@pytest.fixture
def walk_world(world):
    job = jobs.create_job(actor=world.user("preparer"), kind="tests.echo", title="测试任务")
    jobs.run_job(job)
    world.extras = {"job": job}
    return world


def _url(route: Route, world) -> tuple[str, object | None]:
    kwargs = route.target(world) if route.target else {}
    if route.key.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")):
        path = route.key.split(" ", 1)[1]
        for k, v in kwargs.items():
            path = path.replace("{" + k + "}", str(v))
        return path, kwargs
    return reverse(route.key, kwargs=kwargs), kwargs


def _protected(route: Route, world) -> tuple[str | None, str | None]:
    """The name of the object an object route protects (a denial must not show it), and the persona
    exempt from the check because the object is themselves (their own name is in the navigation)."""
    if route.target is None:
        return None, None
    if "agenc" in route.key:
        return world.agency("101001").name, None
    if "section" in route.key:
        return world.section("S01").name, None
    if "user" in route.key:
        return world.user("preparer").display_name, "preparer"
    return None, None


def _request(client: Client, method: str, url: str, is_api: bool):
    if method == "GET":
        return client.get(url)
    if is_api:
        # edit the version the caller can read (a fresh ETag), as a real client would
        probe = client.get(url)
        etag = probe.get("ETag", '"1"') if probe.status_code == 200 else '"1"'
        return client.generic(method, url, data="{}", content_type="application/json", HTTP_IF_MATCH=etag)
    return client.generic(method, url)


def _exports(user) -> int:
    return SecurityEvent.objects.filter(actor=user, code=SecurityEventCode.EXPORT).count()


def _export_problem(response, recorded: int) -> str | None:
    """Every downloaded file (but an empty import template) and every API list page is recorded as
    exactly one export (issue #11); any other read records none."""
    download = response.status_code == 200 and response.get("Content-Disposition", "").startswith("attachment")
    api_list = (response.status_code == 200 and response.get("Content-Type", "").startswith("application/json")
                and isinstance(body := response.json(), dict) and {"items", "count"} <= set(body))
    wanted = 1 if (download and not getattr(response, "jixiao_blank", False)) or api_list else 0
    if recorded != wanted:
        what = "download" if download else "API list page" if api_list else "read"
        return f"a {what} recorded {recorded} export events, expected {wanted}"
    return None


def _check(route: Route, world):
    url, _ = _url(route, world)
    is_api = route.key.split(" ", 1)[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"} and " /" in route.key
    method = route.key.split(" ", 1)[0] if is_api else route.method
    protected, exempt = _protected(route, world)
    failures = []
    anon = Client()
    response = _request(anon, method, url, is_api)
    expected = route.anonymous if route.anonymous is not None else (401 if is_api else 302)
    if response.status_code != expected:
        failures.append(f"anonymous: expected {expected}, got {response.status_code}")
    elif expected == 302 and route.anonymous is None and "/login/" not in response["Location"]:
        failures.append(f"anonymous: redirected to {response['Location']}, not the login page")
    for persona in PERSONAS:
        client = Client()
        user = world.user(persona.username)
        client.force_login(user)
        exports_before = _exports(user)
        response = _request(client, method, url, is_api)
        expected = route.expected(persona.username)
        if response.status_code != expected:
            failures.append(f"{persona.username} ({persona.role}): expected {expected}, got {response.status_code}")
            continue
        if method == "GET" and (problem := _export_problem(response, _exports(user) - exports_before)):
            failures.append(f"{persona.username}: {problem}")
        if expected in (403, 404) and protected and persona.username != exempt and protected in response.content.decode("utf-8", "replace"):
            failures.append(f"{persona.username}: the {expected} answer shows the protected object “{protected}”")
    assert not failures, f"{method} {url} ({route.key}):\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("route", HTML_ROUTES, ids=lambda r: f"{r.method} {r.key}")
def test_html_route_access(route, walk_world):
    _check(route, walk_world)


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.key)
def test_api_route_access(route, walk_world):
    _check(route, walk_world)
