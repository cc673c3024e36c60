"""Coverage and review statistics: the figures by hand-worked example, scope by persona, the pages,
the API and the Excel exports, and the query budget (set-based, not a query per project)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jixiao.core.models import SecurityEvent
from jixiao.org import services as org_services
from jixiao.org.models import Agency
from jixiao.projects import services as project_services
from jixiao.targets import services, statistics
from jixiao.targets.tests.factories import (
    GOOD_ROWS,
    approve_through,
    approved_sheet,
    make_project,
    make_sheet,
)

pytestmark = pytest.mark.django_db
YEAR = 2026


def _admitted(world, code, **fields):
    p = make_project(world, code=code, **fields)
    return project_services.admit(actor=world.user("perf_section"), project=p, version=p.version)


def _agency_sheet(world, code="101001", approve=True):
    preparer = world.user("preparer")
    sheet = services.create_sheet(actor=preparer, year=YEAR, agency=world.agency(code),
                                  annual_goal="保障学校正常运转，提升教育教学质量。")
    sheet = services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
        {"name": "保障学校运转", "amount": "8000000"}, {"name": "教学质量提升", "amount": "2000000"}])
    sheet = services.save_indicators(actor=preparer, sheet=sheet, version=sheet.version, rows=GOOD_ROWS)
    if approve:
        sheet = services.submit_sheet(actor=preparer, sheet=sheet, version=sheet.version)
        sheet = approve_through(world, sheet)
    return sheet


@pytest.fixture
def figures(world):
    """Three counted projects of 第一中学 (1.2 M, 3 M budgeted, 0.5 M policy with two fund sources),
    one approved, one returned once then approved … and one reserve project that does not count."""
    a = _admitted(world, "XM2026101001001")  # approved: covered, amount 1,200,000 (requested, no budget yet)
    approved_sheet(world, project=a)
    b = _admitted(world, "XM2026101001002", name="校园安防提升项目", requested_amount=Decimal("3000000"),
                  fund_sources=["own", "higher_transfer"], budget_book="government_fund")
    sb = make_sheet(world, project=b)  # in review, returned once at 主管部门审核
    sb = services.submit_sheet(actor=world.user("preparer"), sheet=sb, version=sb.version)
    sb = services.approve_sheet(actor=world.user("unit_head"), sheet=sb, version=sb.version)
    sb = services.return_sheet(actor=world.user("dept_reviewer"), sheet=sb, version=sb.version, opinion="指标值偏低")
    c = _admitted(world, "XM2026101001003", name="学生资助政策", kind="policy", requested_amount=Decimal("500000"),
                  fund_sources=["higher_transfer"])
    make_sheet(world, project=c, rows=GOOD_ROWS[:-1])  # draft, a blocking finding (no 满意度指标)
    make_project(world, code="XM2026101001004", name="储备项目", requested_amount=Decimal("9000000"))
    _agency_sheet(world)
    return {"a": a, "b": b, "c": c, "returned": sb}


def test_coverage_by_hand(world, figures):
    report = statistics.coverage_for(world.user("perf_section"), YEAR)
    p = report.projects.coverage
    assert (p.total_count, p.covered_count) == (3, 1)
    assert p.total_amount == Decimal("4700000.00") and p.covered_amount == Decimal("1200000.00")
    assert p.count_rate == Decimal("33.33") and p.amount_rate == Decimal("25.53")
    kinds = {r.key: r.coverage for r in report.by_kind}
    assert (kinds["project"].total_count, kinds["project"].covered_count) == (2, 1)
    assert kinds["policy"].total_amount == Decimal("500000.00") and kinds["policy"].covered_count == 0
    books = {r.key: r.coverage for r in report.by_budget_book}
    assert books["general_public"].total_count == 2 and books["government_fund"].total_amount == Decimal("3000000.00")
    assert books["state_capital"].total_count == 0  # every book is listed, zero rows included
    sources = {r.key: r.coverage for r in report.by_fund_source}
    # the two-source project counts under both: rows add up to more than the total
    assert sources["own"].total_count == 2 and sources["higher_transfer"].total_count == 2
    assert sources["own"].covered_amount == Decimal("1200000.00")
    assert sum(s.total_count for s in sources.values()) == 4 > p.total_count
    home = Agency.objects.filter(region=world.regions["370724"], active=True).count()
    assert report.agencies_covered == 1 and report.agencies_total == home > 1
    assert report.agencies_amount == Decimal("10000000.00") and report.agencies_with_projects == 1


def test_approved_adjustment_counts_once(world, figures):
    perf = world.user("perf_section")
    a = figures["a"]
    sheet = services.current_sheet(a)
    adjusted = services.adjust_sheet(actor=world.user("preparer"), sheet=sheet, reason="年中调整")
    adjusted = services.submit_sheet(actor=world.user("preparer"), sheet=adjusted, version=adjusted.version)
    approve_through(world, adjusted)
    report = statistics.coverage_for(perf, YEAR)
    assert report.projects.coverage.covered_count == 1
    review = statistics.review_for(perf, YEAR)
    status = {r["status"]: r["count"] for r in review.by_status}
    assert status["superseded"] == 1 and status["approved"] == 2  # a's adjustment and the agency sheet


def test_scope_follows_the_persona(world, figures):
    agri = statistics.coverage_for(world.user("preparer_agri"), YEAR)
    assert agri.projects.coverage.total_count == 0 and agri.agencies_total == 1 and agri.agencies_covered == 0
    mine = statistics.coverage_for(world.user("preparer"), YEAR)
    assert mine.projects.coverage.total_count == 3 and mine.agencies_total == 1 and mine.agencies_covered == 1
    dept = statistics.coverage_for(world.user("dept_reviewer"), YEAR)
    assert dept.projects.coverage.total_count == 3 and dept.agencies_covered == 1 and dept.agencies_total >= 2
    region = statistics.coverage_for(world.user("leader"), YEAR)
    assert region.agencies_total > dept.agencies_total
    far = statistics.coverage_for(world.user("far_perf_section"), YEAR)
    assert far.projects.coverage.total_count == 0 and far.agencies_covered == 0
    assert statistics.review_for(world.user("preparer_agri"), YEAR).sheets == 0


def test_review_statistics_by_hand(world, figures):
    report = statistics.review_for(world.user("perf_section"), YEAR)
    # sheets: a (approved), b (returned), c (draft), agency (approved)
    assert report.sheets == 4 and report.submitted == 3 and report.returned == 1 and report.returns == 1
    assert report.returned_rate == Decimal("33.33")
    assert report.by_step == [{"step": "主管部门审核", "returns": 1, "sheets": 1, "share": Decimal("100.00")}]
    status = {r["status"]: r["count"] for r in report.by_status}
    assert status == {"draft": 1, "in_review": 0, "returned": 1, "approved": 2, "superseded": 0}
    kinds = {r["kind"]: r for r in report.by_kind}
    assert kinds["project"]["returned_rate"] == Decimal("50.00") and kinds["agency"]["count"] == 1
    top = report.findings[0]
    assert top["code"] == "missing_level1" and top["sheets"] == 1 and top["label"] == "缺少一级指标"
    assert top["share"] == Decimal("25.00")


def test_queries_do_not_grow_with_projects(world, figures):
    perf = world.user("perf_section")
    with CaptureQueriesContext(connection) as small:
        statistics.coverage_for(perf, YEAR)
        statistics.review_for(perf, YEAR)
    for n in range(5, 25):
        _admitted(world, f"XM2026101001{n:03d}", name=f"项目{n}", fund_sources=["own", "debt"])
    with CaptureQueriesContext(connection) as big:
        report = statistics.coverage_for(perf, YEAR)
        statistics.review_for(perf, YEAR)
    assert len(big) == len(small) <= 16
    assert report.projects.coverage.total_count == 23


def test_each_figure_is_one_join_aggregate(world, figures):
    """Issue #12: no correlated EXISTS per project (coverage evaluated it twice per row) and no id
    list through IN (SELECT …) (review statistics): every statistics query is a join aggregate."""
    with CaptureQueriesContext(connection) as q:
        statistics.coverage_for(world.user("prov_perf_section"), YEAR)
        statistics.review_for(world.user("prov_perf_section"), YEAR)
    sql = [x["sql"].upper() for x in q.captured_queries]
    assert not [s for s in sql if "EXISTS" in s or "IN (SELECT" in s], sql
    aggregates = [s for s in sql if "COUNT(" in s or "SUM(" in s]
    assert len(aggregates) == 6  # coverage: projects, agencies, approved sheets; review: sheets, returns, findings


def test_province_and_city_divisions_count_the_regions_below(world, figures):
    """The province's and the city's performance division run the statistics over every region
    below theirs (the home county is in the city): the county's own figures, read from above."""
    county = statistics.coverage_for(world.user("perf_section"), YEAR)
    county_review = statistics.review_for(world.user("perf_section"), YEAR)
    for persona in ("prov_perf_section", "city_perf_section"):
        report = statistics.coverage_for(world.user(persona), YEAR)
        assert report.projects.coverage == county.projects.coverage, persona
        assert (report.agencies_total, report.agencies_covered) == (county.agencies_total, county.agencies_covered)
        assert report.agencies_amount == county.agencies_amount == Decimal("10000000.00")
        review = statistics.review_for(world.user(persona), YEAR)
        assert (review.sheets, review.returned, review.returns) == (4, 1, 1)
        assert review.findings == county_review.findings
        assert [s["returns"] for s in review.by_step] == [1]


def test_pages_and_excel(world, figures, login):
    perf = login("perf_section")
    r = perf.get("/targets/coverage/?year=2026")
    body = r.content.decode()
    assert r.status_code == 200 and "33.33%" in body and "25.53%" in body and "各计一次" in body
    assert "470.00" in body and "120.00" in body  # 万元
    r = perf.get("/targets/coverage/?year=2026&format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:3] == ["按对象类型", "按预算类型", "按资金来源"]
    rows = list(wb["按对象类型"].iter_rows(values_only=True))
    assert rows[0][0] == "临朐县2026年度绩效目标覆盖情况" and rows[1][0] == "金额单位：万元"
    total = next(row for row in rows if row[0] == "合计")
    assert total[1:3] == (3, 1) and total[3] == pytest.approx(33.33) and total[4] == pytest.approx(470.0)
    assert SecurityEvent.objects.filter(code="export", detail__what="绩效目标覆盖情况 2026").exists()

    r = perf.get("/targets/statistics/?year=2026")
    body = r.content.decode()
    assert r.status_code == 200 and "退回率 33.33%" in body and "主管部门审核" in body and "缺少一级指标" in body
    r = perf.get("/targets/statistics/?year=2026&format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    steps = list(wb["按审核步骤退回"].iter_rows(values_only=True))
    assert ("主管部门审核", 1, 1) == steps[2][:3]
    # an unreadable year falls back to the latest year with sheets
    assert "2026 年" in perf.get("/targets/statistics/?year=abc").content.decode()


def test_roles_without_statistics(world, figures, login):
    for username in ("expert", "sysadmin", "firm"):
        assert login(username).get("/targets/coverage/").status_code == 403
        assert login(username).get("/targets/statistics/").status_code == 403
    body = login("preparer_agri").get("/targets/coverage/?year=2026").content.decode()
    assert "共有 0 个项目" in body


def test_api(world, figures):
    from django.test import Client

    def api(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="统计接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    body = api("leader").get("/api/v1/targets/statistics/coverage?year=2026").json()
    assert body["year"] == 2026 and body["projects"]["total_count"] == 3
    assert body["projects"]["covered_amount"] == "1200000.00" and body["projects"]["amount_rate"] == "25.53"
    assert {r["key"] for r in body["by_fund_source"]} >= {"own", "higher_transfer", "debt"}
    assert body["agencies"]["covered_count"] == 1 and body["definitions"]
    body = api("dept_reviewer").get("/api/v1/targets/statistics/review?year=2026").json()
    assert body["returned"] == 1 and body["returned_rate"] == "33.33"
    assert body["by_step"][0]["step"] == "主管部门审核"
    assert api("expert").get("/api/v1/targets/statistics/review").status_code == 403
    assert Client().get("/api/v1/targets/statistics/coverage").status_code == 401
