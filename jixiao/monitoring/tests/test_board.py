"""The warnings board (预警看板) and the monitoring statistics (issue #13): counts by light, every filter,
scoping (the other county sees nothing, an agency its own), the Excel read back, the number of queries,
and the statistics against a hand-worked example."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.monitoring import board as boards
from jixiao.monitoring import rules, services
from jixiao.monitoring.models import Decision, MonitoringTable
from jixiao.monitoring.tests.factories import budgeted_project, open_round

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 20)  # after the deadline (2026-06-10): unsubmitted tables are late


def _rows(**over):
    """Values for the six indicators at May: row 1 (≥2 栋) at 0 → red, row 6 (≥90%) at 60 → blue (60 ÷ 37.5 =
    1.6), the rest on plan (green)."""
    rows = {1: {"value_to_date": "0", "year_end": "2"}, 2: {"value_to_date": "45", "year_end": "100"},
            3: {"value_to_date": "5", "year_end": "12"}, 4: {"value_to_date": "55", "year_end": "58"},
            5: {"value_to_date": "40", "year_end": "95"}, 6: {"value_to_date": "60", "year_end": "92"}}
    rows.update(over)
    return rows


@pytest.fixture
def rnd(world):
    """A May round of three projects of 临朐县 (time progress 5/12 = 41.67%):

    - 学校 XM-MON-1 (第一中学, 100 万, 扶贫, 6 indicators): 10 万 executed → rate 10%, ratio 0.24 → red; goal red
      (row 1), one blue indicator; the money deviates and its reasons are missing;
    - XM-MON-2 (第一中学, 60 万, no sheet): 24 万 → 40%, ratio 0.96 → green; no deviation;
    - XM-AGRI (农业技术推广中心, 20 万, 扶贫 and PPP, no sheet): 6 万 → 30%, ratio 0.72 → yellow; deviates (28%).
    """
    school = budgeted_project(world, tags=["poverty"])
    budgeted_project(world, code="XM-MON-2", sheet=False, name="校园绿化项目", amount=Decimal("600000"))
    agri = budgeted_project(world, code="XM-AGRI", agency="102001", sheet=False, name="玉米良种推广项目",
                            amount=Decimal("200000"), tags=["poverty", "ppp"])
    perf = world.user("perf_section")
    for code, amount in (("XM-MON-1", 100000), ("XM-MON-2", 240000), ("XM-AGRI", 60000)):
        project = type(school).objects.get(code=code)
        services.enter_execution(actor=perf, project=project, year=2026, month=4, fund_source="own",
                                 amount=Decimal(amount))
    rnd = open_round(world, month=5)
    table = rnd.tables.get(project=school)
    services.save_table(actor=world.user("preparer"), table=table, version=table.version, rows=_rows())
    assert rnd.tables.count() == 3 and agri.agency.code == "102001"
    return rnd


def _board(world, rnd, persona="perf_section", **flt):
    result = boards.board(world.user(persona), rnd, boards.BoardFilter(**flt), today=TODAY)
    return result, sorted(t.project.code for t, _r in result.rows)


def test_counts_by_light(world, rnd):
    result, codes = _board(world, rnd)
    assert codes == ["XM-AGRI", "XM-MON-1", "XM-MON-2"]
    c = result.counts.as_dict()
    assert c["budget"] == {"red": 1, "yellow": 1, "green": 1, "none": 0}
    assert c["goal"] == {"red": 1, "yellow": 0, "green": 0, "blue": 0, "none": 0, "no_rows": 2}
    assert (c["blue_indicators"], c["deviating"], c["missing_reasons"]) == (1, 2, 2)
    assert (c["unsubmitted"], c["late"]) == (3, 3)
    early = boards.board(world.user("perf_section"), rnd, boards.BoardFilter(), today=dt.date(2026, 6, 1))
    assert early.counts.late == 0 and early.counts.unsubmitted == 3


@pytest.mark.parametrize(("flt", "expected"), [
    ({"light": "red"}, ["XM-MON-1"]),
    ({"light": "yellow"}, ["XM-AGRI"]),
    ({"light": "green"}, ["XM-MON-2"]),
    ({"light_of": "goal", "light": "red"}, ["XM-MON-1"]),
    ({"light_of": "goal", "light": "none"}, ["XM-AGRI", "XM-MON-2"]),
    ({"deviation": "beyond"}, ["XM-AGRI", "XM-MON-1"]),
    ({"deviation": "none"}, ["XM-MON-2"]),
    ({"deviation": "missing"}, ["XM-AGRI", "XM-MON-1"]),
    ({"tag": "ppp"}, ["XM-AGRI"]),
    ({"tag": "poverty"}, ["XM-AGRI", "XM-MON-1"]),
    ({"status": "late"}, ["XM-AGRI", "XM-MON-1", "XM-MON-2"]),
    ({"status": "in_review"}, []),
    ({"tag": "poverty", "light": "red"}, ["XM-MON-1"]),
])
def test_filters(world, rnd, flt, expected):
    assert _board(world, rnd, **flt)[1] == expected


def test_agency_and_sector_filters(world, rnd):
    agri = world.agency("102001")
    assert _board(world, rnd, agency=agri.pk)[1] == ["XM-AGRI"]
    table = rnd.tables.get(project__code="XM-AGRI")
    sector = table.project.sector_id
    expected = sorted(MonitoringTable.objects.filter(round=rnd, project__sector_id=sector)
                      .values_list("project__code", flat=True))
    assert _board(world, rnd, sector=sector)[1] == expected and "XM-AGRI" in expected
    # a light filter counts the set the other filters leave
    result, _ = _board(world, rnd, agency=agri.pk, light="red")
    assert result.rows == [] and result.counts.objects == 1 and result.counts.budget["yellow"] == 1


def test_reasons_written_leave_the_missing_filter(world, rnd):
    table = rnd.tables.get(project__code="XM-MON-1")
    reasons = {"cause": "funding", "explanation": "资金下达晚", "likelihood": "possible", "measures": "加快支付"}
    rows = _rows()
    for pos in (1, 6):  # row 1 (red) and row 6 (blue) deviate beyond 20%
        rows[pos] = {**rows[pos], **reasons}
    services.save_table(actor=world.user("preparer"), table=table, version=table.version, rows=rows, **reasons)
    assert _board(world, rnd, deviation="missing")[1] == ["XM-AGRI"]
    assert _board(world, rnd, deviation="beyond")[1] == ["XM-AGRI", "XM-MON-1"]


def test_scoped(world, rnd):
    assert _board(world, rnd, "preparer")[1] == ["XM-MON-1", "XM-MON-2"]
    assert _board(world, rnd, "preparer_agri")[1] == ["XM-AGRI"]
    assert _board(world, rnd, "dept_reviewer")[1] == ["XM-MON-1", "XM-MON-2"]
    assert _board(world, rnd, "far_perf_section")[1] == []
    assert _board(world, rnd, "prov_perf_section")[1] == ["XM-AGRI", "XM-MON-1", "XM-MON-2"]


def test_board_page(world, rnd, login):
    perf = login("perf_section")
    page = perf.get("/monitoring/board/")  # the latest round the user sees
    body = page.content.decode()
    assert page.status_code == 200 and rnd.title in body
    for text in ('data-count="budget-red">红灯 1', 'data-count="budget-yellow">黄灯 1', "蓝灯指标共 <span",
                 "校园绿化项目", "玉米良种推广项目", "逾期", 'data-agency="102001"'):
        assert text in body, text
    red = perf.get(f"/monitoring/board/?round={rnd.pk}&light=red").content.decode()
    assert "教学楼抗震加固改造项目" in red and "校园绿化项目" not in red and "玉米良种推广项目" not in red
    table = rnd.tables.get(project__code="XM-MON-1")
    assert f'href="/monitoring/tables/{table.pk}/"' in red  # drill-down to the table
    bad = perf.get(f"/monitoring/board/?round={rnd.pk}&light=purple&agency=x")
    assert bad.status_code == 200 and "玉米良种推广项目" in bad.content.decode()  # an invalid value is ignored
    assert login("preparer").get("/monitoring/board/").content.decode().count("玉米良种推广项目") == 0
    assert login("far_perf_section").get(f"/monitoring/board/?round={rnd.pk}").status_code == 404
    assert "尚无您可以查看的监控批次" in login("far_perf_section").get("/monitoring/board/").content.decode()
    assert login("prov_perf_section").get(f"/monitoring/board/?round={rnd.pk}").status_code == 200
    assert login("expert").get("/monitoring/board/").status_code == 403


def test_board_excel(world, rnd, login):
    perf = login("perf_section")
    r = perf.get(f"/monitoring/board/?round={rnd.pk}&tag=poverty&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert values[0][0] == f"{rnd.title}预警看板" and values[1][0] == "金额单位：万元"
    header = values[2]
    data = [dict(zip(header, row, strict=True)) for row in values[3:]]
    assert [d["项目编码"] for d in data] == ["XM-MON-1", "XM-AGRI"]  # by agency code, then project code
    school, agri = data
    assert school["调整后预算（万元）"] == 100 and school["执行数（万元）"] == 10 and school["执行率"] == "10.00%"
    assert (school["执行进度灯"], school["目标灯"], school["蓝灯指标数"]) == ("红灯", "红灯", 1)
    assert (agri["执行进度灯"], agri["目标灯"], agri["标签"]) == ("黄灯", "无指标", "扶贫、PPP")
    assert school["逾期"] == "逾期" and school["偏差说明未完整"] == "是"
    from jixiao.core.models import SecurityEvent

    assert SecurityEvent.objects.filter(code="export", detail__what=f"预警看板 {rnd.title}").count() == 1


def test_board_queries_do_not_grow_with_rows(world, rnd, login):
    from jixiao.core.actors import SYSTEM
    from jixiao.projects import services as project_services
    from jixiao.projects.tests.factories import _fields

    perf = login("perf_section")
    url = "/monitoring/board/?round={}&light=red"

    def queries(rnd):
        with CaptureQueriesContext(connection) as ctx:
            assert perf.get(url.format(rnd.pk)).status_code == 200
        return len(ctx.captured_queries)

    small = queries(rnd)
    agency = world.agency("101001")
    rows = [{**_fields(world, agency, {"budget_amount": Decimal(1000), "requested_amount": Decimal(1000)}),
             "agency": agency, "code": f"B{i:03d}", "stage": "budgeted"} for i in range(30)]
    project_services.bulk_create_projects(actor=SYSTEM, region=world.regions["370724"], rows=rows)
    bigger = open_round(world, month=5, title="五月第二轮")
    assert bigger.tables.count() == 33
    assert queries(bigger) == small


# --- statistics --------------------------------------------------------------------------------------

def _decide(world, rnd, code, kind, amount=None):
    """A decision of the performance section on the project's table of ``rnd`` (services.decide_many)."""
    project = rnd.tables.get(project__code=code).project
    return services.decide_many(actor=world.user("perf_section"), kind=kind, projects=[project],
                                reason="监控发现偏差", amounts={project.pk: amount} if amount else None, round=rnd)


def test_tally_hand_worked():
    objects = [
        rules.Monitored(agency=1, project=11, tags=("poverty",), amount=Decimal("1000000.00"), budget_light="red",
                        goal_light="red", blue=1, deviating=True),
        rules.Monitored(agency=1, project=12, amount=Decimal("600000.00"), budget_light="green"),
        rules.Monitored(agency=2, project=13, tags=("poverty", "ppp"), amount=Decimal("200000.00"),
                        budget_light="yellow", deviating=True),
        rules.Monitored(agency=2, project=14, amount=None),  # budget unknown: not added, counted apart
    ]
    decisions = [rules.Decided(project=11, kind="cut", amount=Decimal("109510.00"), tags=("poverty",)),
                 rules.Decided(project=13, kind="recover", amount=Decimal("50000.00"), tags=("poverty", "ppp")),
                 rules.Decided(project=13, kind="suspend", tags=("poverty", "ppp")),
                 rules.Decided(project=11, kind="cut", amount=Decimal("0.49"), tags=("poverty",))]
    t = rules.tally(objects, decisions)
    assert (t.objects, t.agencies, t.amount, t.amount_unknown, t.deviating) == (4, 2, Decimal("1800000.00"), 1, 2)
    assert t.budget_lights == {"red": 1, "yellow": 1, "green": 1, "none": 1}
    assert t.goal_lights == {"red": 1, "yellow": 0, "green": 0, "blue": 0, "none": 3}
    assert t.decisions == {"cut": 2, "recover": 1, "suspend": 1} and t.decided_projects["cut"] == 1
    assert (t.cut, t.recovered, t.blue_indicators, t.deviation_share) == (Decimal("109510.49"), Decimal("50000.00"),
                                                                           1, Decimal("0.5000"))
    by_tag = rules.tally_by_tag(objects, decisions, ["poverty", "ppp", "government_debt"])
    assert list(by_tag) == ["poverty", "ppp"]  # a tag nothing carries is left out
    assert (by_tag["poverty"].objects, by_tag["poverty"].amount, by_tag["poverty"].cut) == (
        2, Decimal("1200000.00"), Decimal("109510.49"))
    assert (by_tag["ppp"].objects, by_tag["ppp"].amount, by_tag["ppp"].recovered, by_tag["ppp"].cut) == (
        1, Decimal("200000.00"), Decimal("50000.00"), Decimal("0.00"))
    assert rules.monitoring_sentence(t) == (
        "共对 2 个预算单位的 4 个项目进行了监控，监控总金额 180.00 万元（另有 1 个对象预算数未知，未计入）；偏离超过阈值的 2 个；"
        "调减了 1 个项目的预算金额 10.95 万元；收回 1 个项目的资金 5.00 万元。")
    assert rules.monitoring_sentence(by_tag["ppp"], what="PPP资金") == (
        "对PPP资金安排的 1 个项目进行了监控，监控总金额 20.00 万元；偏离超过阈值的 1 个；收回 1 个项目的资金 5.00 万元。")
    assert rules.amount_text(Decimal("740000000")) == "7.40 亿元" and rules.amount_text(Decimal("99999999.99")) == \
        "10000.00 万元"
    assert rules.monitoring_sentence(rules.tally([])) == "没有监控对象。"


def test_statistics_of_a_round(world, rnd):
    _decide(world, rnd, "XM-MON-1", "cut", Decimal("109510.00"))
    _decide(world, rnd, "XM-AGRI", "recover", Decimal("50000.00"))
    _decide(world, rnd, "XM-AGRI", "suspend")
    green = rnd.tables.get(project__code="XM-MON-2").project
    services.decide(actor=world.user("perf_section"), project=green, kind="continue", reason="正常推进")  # no round
    stats = boards.statistics(world.user("perf_section"), 2026)
    [f] = stats.rounds
    t = f.total
    # the cut lowers the adjusted budget (rate 100000 ÷ 890490), not the amount monitored (年初预算)
    assert (t.objects, t.agencies, t.amount, t.deviating) == (3, 2, Decimal("1800000.00"), 2)
    assert t.budget_lights == {"red": 1, "yellow": 1, "green": 1, "none": 0}
    assert t.goal_lights == {"red": 1, "yellow": 0, "green": 0, "blue": 0, "none": 2} and t.blue_indicators == 1
    assert t.decisions == {"cut": 1, "recover": 1, "suspend": 1}
    assert (t.cut, t.recovered) == (Decimal("109510.00"), Decimal("50000.00"))
    assert f.sentence == ("共对 2 个预算单位的 3 个项目进行了监控，监控总金额 180.00 万元；偏离超过阈值的 2 个；"
                          "调减了 1 个项目的预算金额 10.95 万元；收回 1 个项目的资金 5.00 万元。")
    assert list(f.by_tag) == ["poverty", "ppp"]
    assert (f.by_tag["poverty"].objects, f.by_tag["poverty"].amount) == (2, Decimal("1200000.00"))
    assert f.tag_sentences["poverty"].startswith("对扶贫资金安排的 2 个项目进行了监控，监控总金额 120.00 万元")
    assert stats.decisions.decision_total == 4 and stats.unlinked == 1
    # an agency counts its own
    mine = boards.statistics(world.user("preparer"), 2026)
    assert (mine.rounds[0].total.objects, mine.rounds[0].total.amount, mine.rounds[0].total.cut) == (
        2, Decimal("1600000.00"), Decimal("109510.00"))
    assert mine.rounds[0].total.recovered == Decimal("0.00") and mine.decisions.decision_total == 2
    assert boards.statistics(world.user("far_perf_section"), 2026).rounds == []
    assert boards.statistics(world.user("perf_section"), 2025).rounds == []


def test_statistics_page_and_excel(world, rnd, login):
    _decide(world, rnd, "XM-MON-1", "cut", Decimal("109510.00"))
    perf = login("perf_section")
    body = perf.get("/monitoring/statistics/?year=2026").content.decode()
    assert "共对 2 个预算单位的 3 个项目进行了监控，监控总金额 180.00 万元" in body and "其中：扶贫" in body
    r = perf.get("/monitoring/statistics/?year=2026&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = list(ws.iter_rows(values_only=True))
    header = values[2]
    data = [dict(zip(header, row, strict=True)) for row in values[3:]]
    assert [d["范围"] for d in data] == ["全部预算项目", "其中：扶贫", "其中：PPP"]
    total = data[0]
    assert (total["监控对象数"], total["单位数"], total["监控金额（万元）"], total["偏离超过阈值"]) == (3, 2, 180, 2)
    assert (total["执行红灯"], total["目标蓝灯"], total["调减预算（万元）"]) == (1, 0, 10.95)
    assert total["处理决定"] == "调减预算 1 项（1 个项目）"
    assert login("far_perf_section").get("/monitoring/statistics/?year=2026").content.decode().count(
        "共对") == 0
    assert login("expert").get("/monitoring/statistics/").status_code == 403


def test_statistics_queries_do_not_grow_with_rows(world, rnd):
    """A fixed number of queries per round, whatever the round's size."""
    from jixiao.core.actors import SYSTEM
    from jixiao.projects import services as project_services
    from jixiao.projects.tests.factories import _fields

    user = world.user("perf_section")

    def queries(fn, *args):
        fn(*args)  # warm: the region's configuration is read once per process
        with CaptureQueriesContext(connection) as ctx:
            fn(*args)
        return len(ctx.captured_queries)

    small = queries(boards.monitored, user, rnd)
    agency = world.agency("101001")
    rows = [{**_fields(world, agency, {"budget_amount": Decimal(1000), "requested_amount": Decimal(1000),
                                       "tags": ["poverty"]}),
             "agency": agency, "code": f"S{i:03d}", "stage": "budgeted"} for i in range(25)]
    project_services.bulk_create_projects(actor=SYSTEM, region=world.regions["370724"], rows=rows)
    rnd2 = open_round(world, month=5, title="五月第二轮")
    assert rnd2.tables.count() == 28
    assert queries(boards.monitored, user, rnd2) == small
    assert queries(boards.statistics, user, 2026) == queries(boards.statistics, user, 2025) + 2 * small


# --- API ---------------------------------------------------------------------------------------------

@pytest.fixture
def api(world):
    from django.test import Client

    from jixiao.org import services as org_services

    def make(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def test_board_api(world, rnd, api):
    perf = api("perf_section")
    r = perf.get(f"/api/v1/monitoring/rounds/{rnd.pk}/board", {"page_size": 2})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["count"] == 3 and len(data["items"]) == 2 and data["late"] in (True, False)
    assert data["counts"]["budget"] == {"red": 1, "yellow": 1, "green": 1, "none": 0}
    assert data["counts"]["blue_indicators"] == 1
    second = perf.get(f"/api/v1/monitoring/rounds/{rnd.pk}/board", {"page_size": 2, "page": 2}).json()
    assert [i["project_code"] for i in data["items"] + second["items"]] == ["XM-MON-1", "XM-MON-2", "XM-AGRI"]
    red = perf.get(f"/api/v1/monitoring/rounds/{rnd.pk}/board", {"light": "red"}).json()
    [school] = red["items"]
    assert (school["project_code"], school["budget_light"], school["goal_light"], school["rate"]) == (
        "XM-MON-1", "red", "red", "0.1000")
    assert school["budget_adjusted"] == "1000000.00" and school["tags"] == "扶贫"
    goal = perf.get(f"/api/v1/monitoring/rounds/{rnd.pk}/board", {"light_of": "goal", "light": "none"}).json()
    assert sorted(i["project_code"] for i in goal["items"]) == ["XM-AGRI", "XM-MON-2"]
    mine = api("preparer").get(f"/api/v1/monitoring/rounds/{rnd.pk}/board").json()
    assert mine["count"] == 2 and "XM-AGRI" not in {i["project_code"] for i in mine["items"]}
    assert api("far_perf_section").get(f"/api/v1/monitoring/rounds/{rnd.pk}/board").status_code == 404
    assert api("prov_perf_section").get(f"/api/v1/monitoring/rounds/{rnd.pk}/board").json()["count"] == 3


def test_statistics_api(world, rnd, api):
    _decide(world, rnd, "XM-MON-1", "cut", Decimal("109510.00"))
    data = api("perf_section").get("/api/v1/monitoring/statistics", {"year": 2026}).json()
    [f] = data["rounds"]
    assert f["round"] == rnd.pk and f["sentence"].startswith("共对 2 个预算单位的 3 个项目进行了监控，监控总金额 180.00 万元")
    assert (f["total"]["objects"], f["total"]["amount"], f["total"]["cut"]) == (3, "1800000.00", "109510.00")
    assert [t["tag"] for t in f["by_tag"]] == ["poverty", "ppp"] and f["by_tag"][0]["label"] == "扶贫"
    assert f["by_tag"][1]["amount"] == "200000.00" and f["by_tag"][1]["cut"] == "0.00"
    assert data["decisions"]["decisions"] == {"cut": 1} and data["unlinked"] == 0
    assert api("far_perf_section").get("/api/v1/monitoring/statistics", {"year": 2026}).json()["rounds"] == []
    assert api("perf_section").get("/api/v1/monitoring/statistics", {"year": 1900}).status_code == 400


# --- the bulk decision -------------------------------------------------------------------------------

def test_bulk_decision_from_the_board(world, rnd, login):
    perf = login("perf_section")
    page = perf.get(f"/monitoring/board/?round={rnd.pk}").content.decode()
    assert 'data-testid="bulk-decision"' in page and 'name="projects"' in page
    assert "调整绩效目标</option>" not in page  # decided one project at a time
    school, agri = (rnd.tables.get(project__code=c) for c in ("XM-MON-1", "XM-AGRI"))
    url = "/monitoring/board/decide/"
    query = f"round={rnd.pk}&light=red"
    # a cut without the amount of one project: nothing decided, the project named
    r = perf.post(url, {"round": rnd.pk, "query": query, "kind": "cut", "reason": "执行进度严重滞后",
                        "projects": [school.project_id, agri.project_id], f"amount-{school.project_id}": "10.951"},
                  follow=True)
    body = r.content.decode()
    assert r.redirect_chain[-1][0] == f"/monitoring/board/?{query}"
    assert "XM-AGRI（玉米良种推广项目）：“调减预算”须填写大于 0 的金额" in body and not Decision.objects.exists()
    r = perf.post(url, {"round": rnd.pk, "kind": "cut", "reason": "执行进度严重滞后", "projects": [school.project_id],
                        f"amount-{school.project_id}": "十万"}, follow=True)
    assert "XM-MON-1：金额" in r.content.decode() and not Decision.objects.exists()
    r = perf.post(url, {"round": rnd.pk, "kind": "cut", "reason": "执行进度严重滞后",
                        "projects": [school.project_id, agri.project_id], f"amount-{school.project_id}": "10.951",
                        f"amount-{agri.project_id}": "2"}, follow=True)
    assert "已对 2 个项目作出“调减预算”的决定。" in r.content.decode()
    made = {d.project.code: d for d in Decision.objects.select_related("project")}
    assert made["XM-MON-1"].amount == Decimal("109510.00") and made["XM-AGRI"].amount == Decimal("20000.00")
    assert {d.table_id for d in made.values()} == {school.pk, agri.pk}  # linked to the round's tables
    stats = boards.statistics(world.user("perf_section"), 2026).rounds[0].total
    assert stats.cut == Decimal("129510.00") and stats.decided_projects == {"cut": 2}
    # suspending both: no amount
    perf.post(url, {"round": rnd.pk, "kind": "suspend", "reason": "偏差较大", "projects": [school.project_id,
                                                                                          agri.project_id]})
    assert Decision.objects.filter(kind="suspend").count() == 2
    # nothing selected
    r = perf.post(url, {"round": rnd.pk, "kind": "continue", "reason": "x"}, follow=True)
    assert "请先勾选要处理的项目" in r.content.decode()


def test_bulk_decision_is_the_performance_sections_of_the_county(world, rnd, login):
    school = rnd.tables.get(project__code="XM-MON-1")
    data = {"round": rnd.pk, "kind": "suspend", "reason": "偏差较大", "projects": [school.project_id]}
    for persona, status in (("preparer", 403), ("section_reviewer", 403), ("far_perf_section", 404),
                            ("prov_perf_section", 404)):
        assert login(persona).post("/monitoring/board/decide/", data).status_code == status, persona
    assert not Decision.objects.exists()
    prov = login("prov_perf_section").get(f"/monitoring/board/?round={rnd.pk}").content.decode()
    assert 'data-testid="bulk-decision"' not in prov and "玉米良种推广项目" in prov
    assert 'data-testid="bulk-decision"' not in login("preparer").get("/monitoring/board/").content.decode()


# --- the project page --------------------------------------------------------------------------------

def test_project_page_shows_the_latest_table(world, rnd, login):
    school = rnd.tables.get(project__code="XM-MON-1")
    facts = boards.monitoring_facts(school.project, world.user("perf_section"))
    assert facts == [{"label": "绩效运行监控", "url": f"/monitoring/tables/{school.pk}/", "value":
                      f"{rnd.title}（截至 5 月末，待填报，已逾期）：执行进度红灯、目标红灯、蓝灯指标 1 个、超过阈值的偏差 3 项"}]
    green = rnd.tables.get(project__code="XM-MON-2")
    later = open_round(world, month=6, scope_kind="picked", projects=[green.project], title="六月监控",
                       deadline=dt.date(2099, 7, 10))
    [fact] = boards.monitoring_facts(green.project, world.user("preparer"))
    assert fact["value"].startswith("六月监控（截至 6 月末，待填报）：执行进度") and "无指标" in fact["value"]
    assert fact["url"] == f"/monitoring/tables/{later.tables.get().pk}/"
    page = login("preparer").get(f"/projects/{school.project_id}/").content.decode()
    assert "绩效运行监控" in page and f"/monitoring/tables/{school.pk}/" in page
    assert boards.monitoring_facts(school.project, world.user("preparer_agri")) == []  # not its agency's
    assert boards.monitoring_facts(school.project, world.user("expert")) == []
    unmonitored = budgeted_project(world, code="XM-NEW", sheet=False)
    assert boards.monitoring_facts(unmonitored, world.user("perf_section")) == []
