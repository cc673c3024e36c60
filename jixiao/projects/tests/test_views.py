"""F3 pages: the list and its filters (bounded queries), the detail page with the project's whole
life, create and edit in 万元, stage moves by the right roles, Excel export read back."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jixiao.core.actors import SYSTEM
from jixiao.core.choices import SecurityEventCode
from jixiao.core.models import SecurityEvent
from jixiao.org.models import Sector
from jixiao.projects import gates, services
from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def codes_in(response) -> set[str]:
    body = response.content.decode()
    table = re.search(r'data-testid="project-table".*?</table>', body, re.S).group(0)
    return set(re.findall(r"<tr>\s*<td>([^<]+)</td>", table))


@pytest.fixture
def several(world):
    edu = Sector.objects.get(code="education")
    agri = Sector.objects.get(code="agriculture_water")
    make_project(world, code="P1", name="义务教育薄弱学校改造项目", is_new=True, is_major=True, start_year=2026,
                 tags=["poverty"])
    make_project(world, code="P2", name="学前教育公用经费补助", kind="policy", sector=edu, year=2027, start_year=2027,
                 end_year=2029, budget_book="government_fund", tags=["government_debt"], fund_sources=["debt"])
    make_project(world, code="P3", agency="102001", name="高标准农田建设项目", sector=agri, function_code="2130153")
    make_project(world, code="F1", agency="101001", region="654022", name="察县校舍维修项目")
    p = make_project(world, code="P4", name="智慧校园建设项目")
    services.terminate(actor=world.user("perf_section"), project=p, version=p.version, note="并入其他项目")


def test_list_filters(world, login, several):
    c = login("perf_section")
    assert codes_in(c.get("/projects/")) == {"P1", "P2", "P3", "P4"}
    assert codes_in(c.get("/projects/", {"q": "农田"})) == {"P3"}
    assert codes_in(c.get("/projects/", {"agency": "102001"})) == {"P3"}
    assert codes_in(c.get("/projects/", {"sector": "agriculture_water"})) == {"P3"}
    assert codes_in(c.get("/projects/", {"stage": "terminated"})) == {"P4"}
    assert codes_in(c.get("/projects/", {"kind": "policy"})) == {"P2"}
    assert codes_in(c.get("/projects/", {"budget_book": "government_fund"})) == {"P2"}
    assert codes_in(c.get("/projects/", {"tag": "poverty"})) == {"P1"}
    assert codes_in(c.get("/projects/", {"tag": "government_debt"})) == {"P2"}
    assert codes_in(c.get("/projects/", {"major": "true"})) == {"P1"}
    assert codes_in(c.get("/projects/", {"new": "false"})) == {"P2", "P3", "P4"}
    assert codes_in(c.get("/projects/", {"new": "true"})) == {"P1"}
    assert codes_in(c.get("/projects/", {"year": "2027"})) == {"P2"}
    assert codes_in(c.get("/projects/", {"span_year": "2028"})) == {"P2"}
    assert codes_in(c.get("/projects/", {"span_year": "2025"})) == {"P3", "P4"}
    assert codes_in(c.get("/projects/", {"stage": "bogus"})) == {"P1", "P2", "P3", "P4"}


def test_list_is_scoped(world, login, several):
    assert codes_in(login("preparer").get("/projects/")) == {"P1", "P2", "P4"}
    assert codes_in(login("preparer_agri").get("/projects/")) == {"P3"}
    assert codes_in(login("dept_reviewer_agri").get("/projects/")) == {"P3"}
    assert codes_in(login("far_perf_section").get("/projects/")) == {"F1"}
    assert login("expert").get("/projects/").status_code == 403


def test_list_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    region = world.regions["370724"]
    rows = [dict(code=f"B{i:03d}", name=f"项目{i}", agency=world.agency("101001" if i % 2 else "102001"),
                 sector=Sector.objects.get(code="education"), function_code="205", fund_sources=["own"],
                 requested_amount=Decimal(1000 * i), year=2026, is_new=False, tags=["poverty"]) for i in range(120)]
    services.bulk_create_projects(actor=SYSTEM, region=region, rows=rows)
    c = login("perf_section")
    with django_assert_max_num_queries(12):
        r = c.get("/projects/")
    assert r.status_code == 200 and len(codes_in(r)) == 50
    with django_assert_max_num_queries(12):
        assert c.get("/projects/", {"page": 3, "tag": "poverty"}).status_code == 200


def test_list_totals_in_wan(world, login, several):
    body = login("perf_section").get("/projects/", {"agency": "102001"}).content.decode()
    assert "共 1 个项目，申报金额 120.00 万元" in body


def test_detail_shows_whole_life_and_actions(world, login):
    p = make_project(world)
    p = services.submit_for_assessment(actor=world.user("preparer"), project=p, version=p.version, note="请审核")
    services.record_event(actor=world.user("expert"), project=p, kind="assessment", title="事前评估：予以支持")
    body = login("perf_section").get(f"/projects/{p.pk}/").content.decode()
    timeline = re.search(r'data-testid="project-timeline".*?</ol>', body, re.S).group(0)
    assert timeline.index("建立项目") < timeline.index("申报入库") < timeline.index("事前评估：予以支持")
    assert "储备 → 已申报" in timeline and "请审核" in timeline and "王芳" in timeline
    actions = re.search(r'data-testid="project-actions".*?</div>\s*</div>', body, re.S).group(0)
    assert "批准入库" in actions and "退回储备" in actions and "终止" in actions
    preparer_body = login("preparer").get(f"/projects/{p.pk}/").content.decode()
    assert "project-actions" not in preparer_body  # nothing left for the agency in 已申报
    assert "/edit/" not in preparer_body  # the agency edits only in 储备
    assert "project-actions" not in login("leader").get(f"/projects/{p.pk}/").content.decode()


def test_detail_warns_about_exante(world, login):
    p = make_project(world, is_new=True, is_major=True, start_year=2026)
    assert "须先完成事前绩效评估并获得支持" in login("preparer").get(f"/projects/{p.pk}/").content.decode()


def test_create_in_wan(world, login):
    c = login("preparer")
    r = c.get("/projects/new/")
    assert r.status_code == 200
    options = re.search(r'name="agency".*?</select>', r.content.decode(), re.S).group(0)
    assert "第一中学" in options and "农业技术推广中心" not in options  # scoped choices
    data = {"name": "实验室改造项目", "kind": "project", "agency": world.agency("101001").pk,
            "sector": world.agency("101001").sector_id, "budget_book": "general_public", "function_code": "2050204",
            "fund_sources": ["own", "higher_transfer"], "requested_amount": "85.5", "is_new": "1", "year": "2026",
            "tags": ["poverty"]}
    r = c.post("/projects/new/", data)
    assert r.status_code == 302
    p = Project.objects.get(name="实验室改造项目")
    assert p.requested_amount == Decimal("855000.00") and p.fund_sources == ["higher_transfer", "own"]
    r = c.post("/projects/new/", dict(data, function_code="9999999"))
    assert r.status_code == 200 and "类级科目 999 不存在" in r.content.decode()


def test_move_by_page(world, login):
    p = make_project(world)
    c = login("preparer")
    r = c.post(f"/projects/{p.pk}/move/submit/", {"version": p.version, "note": "申请入库"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.stage == "submitted"
    perf = login("perf_section")
    r = perf.post(f"/projects/{p.pk}/move/budget/", {"version": p.version}, follow=True)
    assert "纳入预算未完成" in r.content.decode()
    r = perf.post(f"/projects/{p.pk}/move/admit/", {"version": p.version})
    p.refresh_from_db()
    assert p.stage == "admitted"

    def approved(project, amount):
        return True

    with gates.overridden(target=[approved]):
        perf.post(f"/projects/{p.pk}/move/budget/", {"version": p.version, "budget_amount": "100"})
    p.refresh_from_db()
    assert p.stage == "budgeted" and p.budget_amount == Decimal("1000000.00")
    r = perf.post(f"/projects/{p.pk}/move/start/", {"version": p.version - 1}, follow=True)
    assert "已被他人修改" in r.content.decode()
    assert perf.post(f"/projects/{p.pk}/move/fly/", {"version": p.version}).status_code == 404


def test_export_reads_back(world, login, several):
    r = login("perf_section").get("/projects/", {"format": "xlsx", "agency": "101001"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("项目编码", "项目名称", "类型") and "申报金额（万元）" in rows[0]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"P1", "P2", "P4"}
    header = list(rows[0])
    assert by_code["P1"][header.index("申报金额（万元）")] == 120
    assert by_code["P4"][header.index("阶段")] == "已终止"
    assert by_code["P2"][header.index("资金来源")] == "政府债务"
    assert SecurityEvent.objects.filter(code=SecurityEventCode.EXPORT, detail__what="projects").exists()
