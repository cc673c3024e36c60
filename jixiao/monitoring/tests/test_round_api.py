"""The monitoring API (issue #13 F6): rounds, a round's tables (scoped), one table with its computed
signals, saving with If-Match, submitting with the row-named refusals, the review steps."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from jixiao.monitoring.services import enter_execution
from jixiao.monitoring.tests.factories import budgeted_project, open_round, school_table
from jixiao.org import services as org_services

API = "/api/v1/monitoring"
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


FILLED = {"estimate": "1000000", "cause": "rules", "explanation": "招标未完成", "likelihood": "possible",
          "measures": "六月完成招标",
          "rows": [{"position": 1, "value_to_date": "0", "year_end": "2", "cause": "funding", "explanation": "资金晚到",
                    "likelihood": "possible", "measures": "加快进度"},
                   {"position": 2, "value_to_date": "45", "year_end": "100"},
                   {"position": 3, "value_to_date": "5", "year_end": "12"},
                   {"position": 4, "value_to_date": "55", "year_end": "58"},
                   {"position": 5, "value_to_date": "40", "year_end": "95"},
                   {"position": 6, "value_to_date": "40", "year_end": "92"}]}


def test_rounds_and_tables_scoped(world, api):
    table = school_table(world)
    agri = budgeted_project(world, code="XM-AGRI", agency="102001", sheet=False, name="玉米良种推广项目")
    rnd = open_round(world, month=6)
    r = call(api("preparer"), "GET", "/rounds")
    assert r.status_code == 200 and {x["id"] for x in r.json()["items"]} == {table.round_id, rnd.pk}
    assert call(api("far_perf_section"), "GET", "/rounds").json()["items"] == []
    r = call(api("preparer"), "GET", f"/rounds/{rnd.pk}/tables")
    subjects = [x["subject"] for x in r.json()["items"]]
    assert subjects == ["教学楼抗震加固改造项目"]  # not the other agency's table
    r = call(api("perf_section"), "GET", f"/rounds/{rnd.pk}/tables")
    items = {x["project"]: x for x in r.json()["items"]}
    assert set(items) == {table.project_id, agri.pk}
    assert items[agri.pk]["sheet"] is None and items[agri.pk]["goal_light"] is None
    assert items[agri.pk]["expected_basis"] == "time_progress" and items[agri.pk]["expected"] == "0.5000"
    assert call(api("far_perf_section"), "GET", f"/rounds/{rnd.pk}/tables").status_code == 404
    assert call(api("prov_perf_section"), "GET", f"/rounds/{rnd.pk}/tables").status_code == 200


def test_read_save_submit_a_table(world, api):
    table = school_table(world)
    enter_execution(actor=world.user("preparer"), project=table.project, year=2026, month=4, fund_source="own",
                    amount=Decimal("100000"))
    preparer = api("preparer")
    r = call(preparer, "GET", f"/tables/{table.pk}")
    body = r.json()
    assert r.status_code == 200 and r["ETag"] == '"1"'
    assert (body["executed"], body["rate"], body["expected"], body["budget_light"]) == (
        "100000.00", "0.1000", "0.4167", "red")
    assert body["budget_reason_required"] is True and body["estimate"] is None
    assert body["rows"][0]["target"] == "≥2栋" and body["rows"][0]["light"] is None
    assert "预算执行：预计全年执行数未填报" in body["problems"]
    # no If-Match: 428; a bad value: the row named, nothing saved
    assert call(preparer, "PATCH", f"/tables/{table.pk}", {"goal_progress": "x"}).status_code == 428
    r = call(preparer, "PATCH", f"/tables/{table.pk}", {"rows": [{"position": 1, "value_to_date": "两栋"}]}, version=1)
    assert r.status_code == 400 and "第 1 项指标“加固教学楼栋数”：截至目前完成值“两栋”不是数字" in json.dumps(r.json(), ensure_ascii=False)
    r = call(preparer, "PATCH", f"/tables/{table.pk}", {"cause": "无"}, version=1)
    assert r.status_code == 400
    r = call(preparer, "PATCH", f"/tables/{table.pk}", {**FILLED, "rows": FILLED["rows"][:1]}, version=1)
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["estimate"] == "1000000.00"
    assert call(preparer, "PATCH", f"/tables/{table.pk}", {"goal_progress": "x"}, version=1).status_code == 412
    r = call(preparer, "POST", f"/tables/{table.pk}/submit", version=2)
    assert r.status_code == 400
    assert "第 2 项指标“工程验收合格率”：截至目前完成值未填报" in json.dumps(r.json(), ensure_ascii=False)
    r = call(preparer, "PATCH", f"/tables/{table.pk}", FILLED, version=2)
    body = r.json()
    assert body["problems"] == [] and body["rows"][0]["light"] == "red" and body["goal_light"] == "red"
    assert call(preparer, "POST", f"/tables/{table.pk}/submit", version=3).json()["status"] == "in_review"
    # the reviewers along the chain
    r = call(api("dept_reviewer"), "POST", f"/tables/{table.pk}/approve", version=4)
    assert r.status_code == 409 and "当前审核步骤不由您负责" in json.dumps(r.json(), ensure_ascii=False)
    r = call(api("unit_head"), "POST", f"/tables/{table.pk}/approve", {"opinion": "同意"}, version=4)
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    r = call(api("dept_reviewer"), "POST", f"/tables/{table.pk}/return", {"opinion": "措施不具体"}, version=5)
    assert r.json()["status"] == "returned"
    # the other agency, the other county, the province: not theirs to write
    assert call(api("preparer_agri"), "GET", f"/tables/{table.pk}").status_code == 404
    assert call(api("far_perf_section"), "PATCH", f"/tables/{table.pk}", {}, version=6).status_code == 404
    assert call(api("prov_perf_section"), "GET", f"/tables/{table.pk}").status_code == 200
    assert call(api("prov_perf_section"), "PATCH", f"/tables/{table.pk}", {}, version=6).status_code == 404
    assert call(api("leader"), "PATCH", f"/tables/{table.pk}", {}, version=6).status_code == 403


def test_a_stated_expectation_through_the_api(world, api):
    """师生满意度 ≥ 90% at 92 in May: blue on the straight line, green with the stated 90 — and a
    qualitative indicator takes none."""
    from jixiao.monitoring.models import MonitoringRow

    table = school_table(world)
    preparer = api("preparer")
    r = call(preparer, "PATCH", f"/tables/{table.pk}", {"rows": [{"position": 6, "value_to_date": "92"}]}, version=1)
    row = r.json()["rows"][5]
    assert r.status_code == 200, r.content
    assert (row["stated_expected"], row["expected"], row["light"], row["reason_required"], row["expected_basis"]) == (
        "", "37.5", "blue", True, "年度指标值 × 5 ÷ 12")
    r = call(preparer, "PATCH", f"/tables/{table.pk}", {"rows": [{"position": 6, "stated_expected": "90"}]}, version=2)
    row = r.json()["rows"][5]
    assert (row["stated_expected"], row["expected"], row["progress"], row["light"], row["reason_required"],
            row["expected_basis"]) == ("90", "90", "1.0222", "green", False, "单位填报的截至本期预期值")
    assert MonitoringRow.objects.get(table=table, position=6).number_stated_expected == Decimal("90")
    # a qualitative indicator has no expectation to state
    from jixiao.targets.models import TargetIndicator

    TargetIndicator.objects.filter(pk=MonitoringRow.objects.get(table=table, position=1).indicator_id).update(
        operator="qualitative")
    r = call(preparer, "PATCH", f"/tables/{table.pk}", {"rows": [{"position": 1, "stated_expected": "1"}]}, version=3)
    assert r.status_code == 400 and "第 1 项指标“加固教学楼栋数”：定性指标不填截至本期预期值" in r.json()["message"]
