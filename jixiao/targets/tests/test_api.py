"""The target-sheet API: create, header and indicators with If-Match, submit / return / approve
along the chain, adjustment, publishing, the scoped list and detail, coded refusals that change
nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jixiao.org import services as org_services
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import CHAIN_ACTORS, GOOD_ROWS, approved_sheet, make_project, make_sheet

API = "/api/v1/targets/sheets"
pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    def make(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def call(client, method, path="", body=None, version=None):
    headers = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
    return client.generic(method, f"{API}{path}", data=json.dumps(body or {}), content_type="application/json",
                          **headers)


def test_write_submit_return_resubmit_approve(world, api):
    project = make_project(world)
    preparer = api("preparer")
    r = call(preparer, "POST", "", {"year": 2026, "project": project.pk, "annual_goal": "完成加固"})
    assert r.status_code == 201, r.content
    body = r.json()
    sid, version = body["id"], body["version"]
    assert body["status"] == "draft" and body["amount"] == "1200000.00" and body["project_code"] == project.code
    assert [s["state"] for s in body["steps"]] == ["todo"] * 4 and r["ETag"] == f'"{version}"'
    assert call(preparer, "POST", "", {"year": 2026, "project": project.pk}).json()["code"] == "target.exists"

    # indicators: If-Match is required, a stale one refused, then saved and checked
    rows = [dict(r) for r in GOOD_ROWS[:-1]]
    assert call(preparer, "PUT", f"/{sid}/indicators", {"indicators": rows}).status_code == 428
    assert call(preparer, "PUT", f"/{sid}/indicators", {"indicators": rows}, version=version + 5).status_code == 412
    r = call(preparer, "PUT", f"/{sid}/indicators", {"indicators": rows}, version=version)
    body = r.json()
    assert r.status_code == 200 and len(body["indicators"]) == 5
    codes = {f["code"] for f in body["findings"]}
    assert {"missing_level1", "weight_total"} <= codes and body["error_count"] > 0
    # blocking findings refuse the submit, nothing moves
    r = call(preparer, "POST", f"/{sid}/submit", {}, version=body["version"])
    assert r.status_code == 400 and "findings" in r.json()["errors"]
    assert TargetSheet.objects.get(pk=sid).status == "draft"
    r = call(preparer, "PUT", f"/{sid}/indicators", {"indicators": GOOD_ROWS}, version=body["version"])
    body = r.json()
    assert body["error_count"] == 0 and body["indicators"][0]["number"] == "2.0000"
    r = call(preparer, "POST", f"/{sid}/submit", {"opinion": "请审核"}, version=body["version"])
    body = r.json()
    assert r.status_code == 200 and body["status"] == "in_review" and body["steps"][0]["state"] == "current"

    # a reviewer of another step cannot act; a return needs an opinion
    assert call(api("dept_reviewer"), "POST", f"/{sid}/approve", {}, version=body["version"]).status_code == 409
    head = api("unit_head")
    assert call(head, "POST", f"/{sid}/return", {"opinion": ""}, version=body["version"]).status_code == 400
    r = call(head, "POST", f"/{sid}/return", {"opinion": "满意度偏低"}, version=body["version"])
    body = r.json()
    assert body["status"] == "returned" and body["return_count"] == 1
    assert [(e["action"], e["opinion"]) for e in body["history"]] == [("submit", "请审核"), ("return", "满意度偏低")]
    # reviewers never edit the sheet
    assert call(head, "PATCH", f"/{sid}", {"annual_goal": "改"}, version=body["version"]).status_code == 403
    r = call(preparer, "PATCH", f"/{sid}", {"annual_goal": "完成1号、2号楼加固"}, version=body["version"])
    body = r.json()
    assert r.status_code == 200 and body["annual_goal"] == "完成1号、2号楼加固"
    body = call(preparer, "POST", f"/{sid}/submit", {}, version=body["version"]).json()
    for who in CHAIN_ACTORS:
        r = call(api(who), "POST", f"/{sid}/approve", {"opinion": "同意"}, version=body["version"])
        assert r.status_code == 200, (who, r.content)
        body = r.json()
    assert body["status"] == "approved" and body["approved_at"] and all(s["state"] == "done" for s in body["steps"])


def test_adjust_and_publish(world, api):
    sheet = approved_sheet(world)
    perf = api("perf_section")
    assert call(api("preparer"), "POST", f"/{sheet.pk}/publish", {"published": True},
                version=sheet.version).status_code == 403
    r = call(perf, "POST", f"/{sheet.pk}/publish", {"published": True, "redacted": True}, version=sheet.version)
    assert r.status_code == 400
    r = call(perf, "POST", f"/{sheet.pk}/publish", {"published": True}, version=sheet.version)
    assert r.status_code == 200 and r.json()["published"] is True
    assert call(api("preparer"), "POST", f"/{sheet.pk}/adjust", {"reason": ""}).status_code == 400
    r = call(api("preparer"), "POST", f"/{sheet.pk}/adjust", {"reason": "资金调减"})
    body = r.json()
    assert r.status_code == 201 and body["number"] == 2 and body["previous"] == sheet.pk
    assert body["status"] == "draft" and len(body["indicators"]) == len(GOOD_ROWS)
    assert call(api("preparer"), "POST", f"/{sheet.pk}/adjust", {"reason": "再调"}).json()["code"] == \
        "target.adjusting"


def test_agency_sheet_tasks(world, api):
    preparer = api("preparer")
    r = call(preparer, "POST", "", {"year": 2026, "agency": world.agency("101001").pk})
    body = r.json()
    assert r.status_code == 201 and body["kind"] == "agency"
    tasks = [{"name": "日常教学", "amount": "3000000"}, {"name": "校舍维修", "fiscal_amount": "125000",
                                                        "other_amount": "0", "amount": "125000"}]
    r = call(preparer, "PUT", f"/{body['id']}/tasks", {"tasks": tasks}, version=body["version"])
    assert r.status_code == 200 and r.json()["amount"] == "3125000.00" and len(r.json()["tasks"]) == 2
    # another agency's id reads like a missing one
    r = call(preparer, "POST", "", {"year": 2026, "agency": world.agency("102001").pk})
    assert r.status_code == 400 and "agency" in r.json()["errors"]


def test_list_and_detail_are_scoped(world, api):
    sheet = make_sheet(world)
    ids = [s["id"] for s in api("perf_section").get(f"{API}?status=draft").json()["items"]]
    assert ids == [sheet.pk]
    assert api("perf_section").get(f"{API}?status=approved").json()["items"] == []
    assert api("far_perf_section").get(API).json()["items"] == []
    assert api("far_perf_section").get(f"{API}/{sheet.pk}").status_code == 404
    assert api("preparer_agri").get(f"{API}/{sheet.pk}").status_code == 404
    assert api("firm").get(f"{API}/{sheet.pk}").status_code == 403
    r = api("leader").get(f"{API}/{sheet.pk}")
    assert r.status_code == 200 and r["ETag"] == f'"{sheet.version}"' and len(r.json()["indicators"]) == 6
    goal = sheet.annual_goal
    r = call(api("preparer_agri"), "PATCH", f"/{sheet.pk}", {"annual_goal": "改"}, version=sheet.version)
    assert r.status_code == 404
    sheet.refresh_from_db()
    assert sheet.annual_goal == goal
