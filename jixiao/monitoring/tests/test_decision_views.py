"""Pages and API of finance decisions: the project page's section (history, state, buttons), the
decision form in 万元, the lift form, the list with its statistics and Excel export read back, and the
scoping of every read (agencies read their own projects' decisions, other counties nothing, the
province reads, only the county's performance section decides)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from jixiao.core.actors import SYSTEM
from jixiao.core.models import SecurityEvent
from jixiao.monitoring.models import Decision
from jixiao.monitoring.services import decide
from jixiao.org import services as org_services
from jixiao.projects.tests.factories import project_at

pytestmark = pytest.mark.django_db
API = "/api/v1/monitoring/decisions"


@pytest.fixture
def school(world):
    return project_at(world, "executing", code="XM-V1", budget_amount=Decimal("1000000"))


@pytest.fixture
def farm(world):
    return project_at(world, "executing", code="XM-V2", agency="102001", budget_amount=Decimal("500000"),
                      name="高标准农田建设")


def page(client, project):
    return client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()


def test_project_page_section(world, login, school):
    perf = login("perf_section")
    html = page(perf, school)
    assert 'data-testid="decisions-panel"' in html and "尚无监控结果应用决定" in html and "正常拨付" in html
    for label in ("继续执行", "调整绩效目标", "暂缓拨付", "停止拨付", "调减预算", "收回资金"):
        assert "?kind=" in html and label in html
    s = decide(actor=world.user("perf_section"), project=school, kind="suspend", reason="5月红灯")
    html = page(perf, school)
    assert "暂缓拨付中" in html and "5月红灯" in html and reverse("monitoring:decision_lift", args=[s.pk]) in html
    assert "?kind=suspend" not in html and "?kind=continue" not in html  # the state allows neither now
    # the agency reads the history, without buttons
    html = page(login("preparer"), school)
    assert "5月红灯" in html and "暂缓拨付中" in html
    assert "?kind=" not in html and reverse("monitoring:decision_lift", args=[s.pk]) not in html
    # the province reads it from above, without buttons
    html = page(login("prov_perf_section"), school)
    assert "5月红灯" in html and "?kind=" not in html and "解除暂缓拨付</a>" not in html


def test_no_section_without_decisions_for_readers(world, login, school):
    assert 'data-testid="decisions-panel"' not in page(login("preparer"), school)


def test_decision_form_in_wan(world, login, school):
    perf = login("perf_section")
    url = reverse("monitoring:decision_create", args=[school.pk])
    r = perf.get(f"{url}?kind=cut")
    assert r.status_code == 200 and 'value="cut" selected' in r.content.decode()
    assert "可调减至多 100.00 万元" in r.content.decode()
    r = perf.post(url, {"kind": "cut", "amount": "100.01", "reason": "执行缓慢"})
    assert r.status_code == 200 and "调减金额不能超过尚未支出的预算 100.00 万元" in r.content.decode()
    assert not Decision.objects.exists()
    r = perf.post(url, {"kind": "cut", "amount": "12.345678", "reason": "执行缓慢"})
    assert r.status_code == 302 and r["Location"].endswith("#decisions")
    assert Decision.objects.get().amount == Decimal("123456.78")
    assert "调减预算 12.35 万元" in page(perf, school)
    assert "调整后预算 87.65 万元" in page(perf, school)
    for username in ("preparer", "section_reviewer", "leader"):
        assert login(username).post(url, {"kind": "continue", "reason": "x"}).status_code == 403
    for username in ("far_perf_section", "prov_perf_section"):
        assert login(username).post(url, {"kind": "continue", "reason": "x"}).status_code == 404
    assert Decision.objects.count() == 1


def test_lift_form(world, login, school):
    s = decide(actor=SYSTEM, project=school, kind="suspend", reason="偏差")
    url = reverse("monitoring:decision_lift", args=[s.pk])
    assert login("preparer").post(url, {"lift_reason": "x"}).status_code == 403
    assert login("far_perf_section").post(url, {"lift_reason": "x"}).status_code == 404
    perf = login("perf_section")
    r = perf.post(url, {"lift_reason": ""})
    assert r.status_code == 200
    r = perf.post(url, {"lift_reason": "整改到位"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.lift_reason == "整改到位" and s.lifted_at is not None
    r = perf.post(url, {"lift_reason": "再解除"})
    assert r.status_code == 200 and "该暂缓拨付已经解除" in r.content.decode()


def test_list_filters_statistics_and_export(world, login, school, farm):
    perf_user = world.user("perf_section")
    decide(actor=perf_user, project=school, kind="cut", amount=Decimal("95100"), reason="学校项目执行缓慢")
    decide(actor=perf_user, project=farm, kind="suspend", reason="农田项目偏差")
    far = project_at(world, "executing", code="XM-V-FAR", region="654022", budget_amount=Decimal("100000"),
                     name="远方项目")
    decide(actor=world.user("far_perf_section"), project=far, kind="continue", reason="远方理由")
    perf = login("perf_section")
    url = reverse("monitoring:decision_list")
    html = perf.get(url).content.decode()
    assert "学校项目执行缓慢" in html and "农田项目偏差" in html and "远方理由" not in html
    assert "对 2 个项目作出监控结果应用决定，调减了 1 个项目的预算金额 9.51 万元，暂缓拨付 1 个项目。" in html
    html = perf.get(url, {"kind": "cut"}).content.decode()
    assert "学校项目执行缓慢" in html and "农田项目偏差" not in html
    html = perf.get(url, {"agency": "102001", "year": "2026"}).content.decode()
    assert "学校项目执行缓慢" not in html and "农田项目偏差" in html
    r = perf.get(url, {"kind": "cut", "format": "xlsx"})
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "监控结果应用台账" and rows[1][0] == "金额单位：万元"
    assert rows[2][:6] == ("年度", "单位", "项目编码", "项目名称", "处理方式", "金额（万元）")
    assert [r[2:6] for r in rows[3:]] == [("XM-V1", school.name, "调减预算", 9.51)]
    assert SecurityEvent.objects.filter(code="export", detail__what="monitoring_decisions").exists()
    # an agency reads its own projects' decisions only; another agency none of these; a county none of another's
    html = login("preparer").get(url).content.decode()
    assert "学校项目执行缓慢" in html and "农田项目偏差" not in html
    html = login("preparer_agri").get(url).content.decode()
    assert "学校项目执行缓慢" not in html and "农田项目偏差" in html
    html = login("far_perf_section").get(url).content.decode()
    assert "远方理由" in html and "学校项目执行缓慢" not in html
    assert login("expert").get(url).status_code == 403


@pytest.fixture
def api(world):
    def make(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def post(client, path, body):
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")


def test_api_create_list_lift_statistics(world, api, school, farm):
    perf = api("perf_section")
    r = post(perf, "", {"project": school.pk, "kind": "recover", "amount": "1", "reason": "违规"})
    assert r.status_code == 400 and "收回金额不能超过" in r.json()["errors"]["amount"][0]
    r = post(perf, "", {"project": school.pk, "kind": "suspend", "reason": "偏差超过 20%"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["kind"], body["kind_display"], body["project_code"], body["amount"]) == (
        "suspend", "暂缓拨付", "XM-V1", None)
    sid = body["id"]
    r = post(perf, "", {"project": farm.pk, "kind": "cut", "amount": "30000.50", "reason": "调减"})
    assert r.status_code == 201 and Decimal(r.json()["amount"]) == Decimal("30000.50")
    # refusals: a role that may not decide, another county's section, a project out of scope
    assert post(api("preparer"), "", {"project": school.pk, "kind": "continue", "reason": "x"}).status_code == 403
    r = post(api("far_perf_section"), "", {"project": school.pk, "kind": "continue", "reason": "x"})
    assert r.status_code == 400 and "project" in r.json()["errors"]
    assert Decision.objects.count() == 2
    # the list, scoped
    assert {d["project_code"] for d in perf.get(API).json()["items"]} == {"XM-V1", "XM-V2"}
    assert [d["project_code"] for d in api("preparer").get(API).json()["items"]] == ["XM-V1"]
    assert api("far_perf_section").get(API).json()["items"] == []
    assert [d["kind"] for d in api("prov_perf_section").get(API, {"kind": "cut"}).json()["items"]] == ["cut"]
    # lift
    r = post(perf, f"/{sid}/lift", {"reason": ""})
    assert r.status_code == 400
    r = post(api("far_perf_section"), f"/{sid}/lift", {"reason": "x"})
    assert r.status_code == 404
    r = post(perf, f"/{sid}/lift", {"reason": "整改到位"})
    assert r.status_code == 200 and r.json()["lift_reason"] == "整改到位" and r.json()["lifted_at"]
    r = post(perf, f"/{sid}/lift", {"reason": "再解除"})
    assert r.status_code == 409
    # statistics
    rows = perf.get(f"{API}/statistics", {"year": 2026}).json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["region_name"], row["projects"], row["decisions"]["cut"], row["decisions"]["suspend"]) == (
        "临朐县", 2, 1, 1)
    assert Decimal(row["cut_amount"]) == Decimal("30000.50") and Decimal(row["recovered_amount"]) == 0
    assert row["summary"] == "对 2 个项目作出监控结果应用决定，调减了 1 个项目的预算金额 3.00 万元，暂缓拨付 1 个项目。"
    assert api("preparer_agri").get(f"{API}/statistics").json()[0]["projects"] == 1


def test_decision_from_a_monitoring_table(world, login):
    from jixiao.monitoring.tests.factories import school_table

    table = school_table(world)
    url = reverse("monitoring:decision_create", args=[table.project_id])
    perf = login("perf_section")
    html = perf.get(f"{url}?kind=suspend&table={table.pk}").content.decode()
    assert f'<option value="{table.pk}" selected>' in html
    assert perf.get(f"{url}?table=99999999").status_code == 200  # not this project's: nothing prefilled
    r = perf.post(url, {"kind": "suspend", "reason": "监控表显示严重偏差", "table": table.pk})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Decision.objects.get().table == table
