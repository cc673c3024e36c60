"""The project library API: scoped lists and filters, create, versioned update (If-Match), stage
moves with their coded refusals, the timeline."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from jixiao.org import services as org_services
from jixiao.projects import gates
from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project

API = "/api/v1/projects/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    def make(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def send(client, method, path, body=None, *, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.generic(method, API + path, json.dumps(body if body is not None else {}),
                          content_type="application/json", headers=headers)


def body(world, **over):
    d = {"name": "第一中学实验室改造项目", "agency": world.agency("101001").pk, "sector": "education",
         "function_code": "2050204", "fund_sources": ["own"], "requested_amount": "855000.00", "year": 2026,
         "tags": ["poverty"]}
    d.update(over)
    return d


def test_list_scoped_and_filtered(world, api):
    make_project(world, code="A1", tags=["poverty"])
    make_project(world, code="A2", agency="102001", name="农技推广项目")
    r = api("preparer").get(API)
    assert [i["code"] for i in r.json()["items"]] == ["A1"]
    r = api("perf_section").get(API, {"tag": "poverty"})
    assert [i["code"] for i in r.json()["items"]] == ["A1"]
    item = api("perf_section").get(API, {"agency": "102001"}).json()["items"][0]
    assert item["code"] == "A2" and item["requested_amount"] == "1200000.00" and item["stage_display"] == "储备"
    assert api("expert").get(API).status_code == 403
    assert api("far_perf_section").get(API).json()["items"] == []


def test_create_and_read(world, api):
    r = send(api("preparer"), "POST", "", body(world))
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["code"] == "XM2026101001001" and data["stage"] == "reserve" and r["ETag"] == '"1"'
    assert data["requested_amount"] == "855000.00" and data["tags"] == ["poverty"]
    r = api("preparer").get(f"{API}{data['id']}")
    assert r.status_code == 200 and r["ETag"] == '"1"'
    events = api("preparer").get(f"{API}{data['id']}/events").json()
    assert [e["title"] for e in events] == ["建立项目"]


def test_create_refusals(world, api):
    r = send(api("preparer"), "POST", "", body(world, agency=world.agency("102001").pk))
    assert r.status_code == 400 and "agency" in r.json()["errors"]  # another agency reads as missing
    r = send(api("preparer"), "POST", "", body(world, sector="space", function_code="9"))
    assert r.status_code == 400 and "sector" in r.json()["errors"]
    r = send(api("perf_section"), "POST", "", body(world, function_code="9990101"))
    assert r.status_code == 400 and "类级科目" in r.json()["errors"]["function_code"][0]
    r = send(api("perf_section"), "POST", "", body(world, fund_sources=["gold"]))
    assert r.status_code == 400 and "fund_sources.0" in r.json()["errors"]
    assert send(api("leader"), "POST", "", body(world)).status_code == 403
    assert not Project.objects.exists()


def test_update_needs_if_match(world, api):
    p = make_project(world)
    c = api("preparer")
    assert send(c, "PATCH", f"{p.pk}", {"name": "新名称"}).status_code == 428
    assert send(c, "PATCH", f"{p.pk}", {"name": "新名称"}, version=9).status_code == 412
    r = send(c, "PATCH", f"{p.pk}", {"name": "新名称", "requested_amount": "1000.5"}, version=1)
    assert r.status_code == 200 and r["ETag"] == '"2"' and r.json()["requested_amount"] == "1000.50"
    assert send(c, "PATCH", f"{p.pk}", {"name": None}, version=2).status_code == 400
    assert send(api("preparer_agri"), "PATCH", f"{p.pk}", {"name": "x"}, version=2).status_code == 404


@pytest.fixture
def own_exante_checks_only():
    """The test's own check alone (not the assessment app's)."""
    with gates.overridden(exante=[]):
        yield


def test_moves(world, api, own_exante_checks_only):
    p = make_project(world, is_new=True, is_major=True, start_year=2026)
    r = send(api("preparer"), "POST", f"{p.pk}/moves/submit", {"note": "申请"}, version=1)
    assert r.status_code == 200 and r.json()["stage"] == "submitted"
    r = send(api("preparer"), "POST", f"{p.pk}/moves/admit", version=2)
    assert r.status_code == 403
    r = send(api("perf_section"), "POST", f"{p.pk}/moves/admit", version=2)
    assert r.status_code == 409 and r.json()["code"] == "project.exante_required"
    assert "须先完成事前绩效评估并获得支持" in r.json()["message"]
    r = send(api("perf_section"), "POST", f"{p.pk}/moves/budget", version=2)
    assert r.status_code == 409 and r.json()["code"] == "project.illegal_stage"
    r = send(api("perf_section"), "POST", f"{p.pk}/moves/terminate", version=2)
    assert r.status_code == 400 and "note" in r.json()["errors"]
    assert send(api("perf_section"), "POST", f"{p.pk}/moves/fly", version=2).status_code == 400

    def supported(project):
        return True

    gates.register_exante_check(supported)
    try:
        r = send(api("perf_section"), "POST", f"{p.pk}/moves/admit", version=2)
    finally:
        gates.unregister_exante_check(supported)
    assert r.status_code == 200 and r.json()["stage"] == "admitted"
    events = api("leader").get(f"{API}{p.pk}/events").json()
    assert [(e["from_stage"], e["to_stage"]) for e in events[1:]] == [("reserve", "submitted"), ("submitted", "admitted")]
    p.refresh_from_db()
    assert p.budget_amount == Decimal(0)
