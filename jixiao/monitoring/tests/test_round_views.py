"""Pages of monitoring rounds and tables (issue #13 F6): they render, forms save, errors are Chinese,
and each user sees only their scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.monitoring.models import MonitoringRound, MonitoringTable
from jixiao.monitoring.services import enter_execution
from jixiao.monitoring.tests.factories import budgeted_project, school_table

pytestmark = pytest.mark.django_db


def test_open_a_round_on_the_page(world, login):
    school = budgeted_project(world)
    budgeted_project(world, code="XM-MON-2", sheet=False)
    perf = login("perf_section")
    page = perf.get("/monitoring/rounds/new/")
    assert page.status_code == 200 and "发起监控批次" in page.content.decode()
    r = perf.post("/monitoring/rounds/new/", {"title": "", "year": "2026", "month": "5", "deadline": "2026-06-10",
                                              "scope_kind": "picked", "codes": "XM-NOPE"})
    body = r.content.decode()
    assert r.status_code == 200 and "指定项目时请填写项目编码" not in body
    assert "这个字段是必填项" in body
    r = perf.post("/monitoring/rounds/new/", {"title": "五月监控", "year": "2026", "month": "5",
                                              "deadline": "2026-06-10", "scope_kind": "picked", "codes": "XM-NOPE"})
    assert "以下项目编码不存在或不在您的范围内：XM-NOPE" in r.content.decode()
    assert not MonitoringRound.objects.exists()
    r = perf.post("/monitoring/rounds/new/", {"title": "五月监控", "year": "2026", "month": "5",
                                              "deadline": "2026-06-10", "scope_kind": "all_projects"})
    rnd = MonitoringRound.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/monitoring/rounds/{rnd.pk}/"
    page = perf.get(r["Location"]).content.decode()
    assert "各单位填报情况" in page and "临朐县第一中学" in page and school.name in page
    assert "没有已批复的绩效目标表，只监控预算执行" in page  # XM-MON-2
    assert perf.get("/monitoring/rounds/").content.decode().count("五月监控") == 1


def test_round_page_per_agency_and_scoped(world, login):
    table = school_table(world)
    agri = budgeted_project(world, code="XM-AGRI", agency="102001", sheet=False, name="玉米良种推广项目")
    from jixiao.monitoring.tests.factories import open_round

    rnd = open_round(world, month=6)
    assert rnd.tables.count() == 2 and table.round_id != rnd.pk
    page = login("preparer").get(f"/monitoring/rounds/{rnd.pk}/").content.decode()
    assert "临朐县第一中学" in page and agri.name not in page.split("监控表")[-1]
    assert "农业技术推广中心" not in page  # the other agency's counts are not the preparer's to see
    page = login("perf_section").get(f"/monitoring/rounds/{rnd.pk}/").content.decode()
    assert 'data-agency="101001"' in page and 'data-agency="102001"' in page
    assert login("far_perf_section").get(f"/monitoring/rounds/{rnd.pk}/").status_code == 404
    assert login("prov_perf_section").get(f"/monitoring/rounds/{rnd.pk}/").status_code == 200
    assert "结束批次" not in login("prov_perf_section").get(f"/monitoring/rounds/{rnd.pk}/").content.decode()


def _form(table, **values):
    data = {"version": str(table.version), "estimate": "100", "goal_progress": "按计划推进",
            "cause": "rules", "explanation": "招标未完成", "likelihood": "possible", "measures": "六月完成招标"}
    for pos, (to_date, year_end) in {1: ("0", "2"), 2: ("45", "100"), 3: ("5", "12"), 4: ("55", "58"),
                                     5: ("40", "95"), 6: ("40", "92")}.items():
        data[f"row-{pos}-value_to_date"], data[f"row-{pos}-year_end"] = to_date, year_end
    data.update(values)
    return data


def test_fill_and_submit_on_the_page(world, login):
    table = school_table(world)
    enter_execution(actor=world.user("preparer"), project=table.project, year=2026, month=4, fund_source="own",
                    amount=Decimal("100000"))
    client = login("preparer")
    url = f"/monitoring/tables/{table.pk}/"
    page = client.get(url).content.decode()
    for text in ("预算执行", "年初预算（万元）", "调整后预算（万元）", "依据：时间进度", "41.67%", "10.00%", "红灯",
                 "加固教学楼栋数", "≥2栋", "未填报", "提交前还需完成", "预算执行：预计全年执行数未填报"):
        assert text in page, text
    assert "value=\"0\"" not in page  # nothing prefilled as a placeholder
    # a bad value: the Chinese error names the row, what was typed stays, nothing is saved
    r = client.post(url, _form(table, **{"row-1-value_to_date": "两栋", "estimate": "abc"}))
    body = r.content.decode()
    assert r.status_code == 200 and "未保存" in body
    assert "预算执行：预计全年执行数" in body
    r = client.post(url, _form(table, **{"row-1-value_to_date": "两栋"}))
    body = r.content.decode()
    assert "第 1 项指标“加固教学楼栋数”：截至目前完成值“两栋”不是数字" in body and 'value="两栋"' in body
    table.refresh_from_db()
    assert table.version == 1 and table.estimate is None
    # a deviation without its reason: saved, but not submittable
    r = client.post(url, _form(table))
    assert r.status_code == 302
    table.refresh_from_db()
    assert table.version == 2 and table.estimate == Decimal("1000000.00")
    page = client.get(url).content.decode()
    assert "第 1 项指标“加固教学楼栋数”偏差超过阈值，须填写偏差原因类别" in page
    r = client.post(f"/monitoring/tables/{table.pk}/submit/", {"version": table.version}, follow=True)
    assert "第 1 项指标“加固教学楼栋数”偏差超过阈值" in r.content.decode()
    assert MonitoringTable.objects.get(pk=table.pk).status == "draft"
    client.post(url, _form(table, **{"version": "2", "row-1-cause": "funding", "row-1-explanation": "资金晚到",
                                      "row-1-likelihood": "possible", "row-1-measures": "加快进度"}))
    table.refresh_from_db()
    # a stale form is refused
    r = client.post(url, _form(table, version="1"))
    assert "监控表已被他人修改" in r.content.decode()
    r = client.post(f"/monitoring/tables/{table.pk}/submit/", {"version": table.version}, follow=True)
    assert "监控表已提交审核" in r.content.decode()
    table.refresh_from_db()
    assert table.status == "in_review"
    # the reviewer sees it and passes it
    head = login("unit_head")
    assert "提交审核意见" in head.get(url).content.decode()
    r = head.post(f"/monitoring/tables/{table.pk}/review/", {"action": "return", "opinion": "", "version": table.version},
                  follow=True)
    assert "退回时必须填写审核意见" in r.content.decode()
    head.post(f"/monitoring/tables/{table.pk}/review/", {"action": "approve", "opinion": "同意", "version": table.version})
    table.refresh_from_db()
    page = login("dept_reviewer").get(url).content.decode()
    assert "单位自审" in page and "同意" in page and "提交审核意见" in page
    # the province reads it, with no form
    page = login("prov_perf_section").get(url).content.decode()
    assert 'name="estimate"' not in page and "100.00" in page


def test_table_pages_are_scoped(world, login):
    table = school_table(world)
    url = f"/monitoring/tables/{table.pk}/"
    assert login("preparer_agri").get(url).status_code == 404
    assert login("far_perf_section").get(url).status_code == 404
    assert login("expert").get(url).status_code == 403
    assert login("prov_perf_section").post(url, _form(table)).status_code == 404
    assert login("leader").post(url, _form(table)).status_code == 403
    table.refresh_from_db()
    assert table.version == 1


def _row(page: str, position: int) -> str:
    """The page's indicator row of ``position`` (its own <tr>)."""
    return page.split(f'<tr data-position="{position}">', 1)[1].split("</tr>", 1)[0]


def test_a_stated_expectation_on_the_page_decides_the_light(world, login):
    """师生满意度 ≥ 90% at 92 in May: blue against 90 × 5 ÷ 12, green against the agency's stated 90."""
    table = school_table(world)
    client = login("preparer")
    url = f"/monitoring/tables/{table.pk}/"
    page = client.get(url).content.decode()
    assert "截至本期预期值（可选）" in page and "年度指标值 × 5 ÷ 12" in page
    assert client.post(url, _form(table, **{"row-6-value_to_date": "92"})).status_code == 302
    row = _row(client.get(url).content.decode(), 6)
    assert 'data-light="blue"' in row and "37.50%" in row and "245.33%" in row and "依据：年度指标值 × 5 ÷ 12" in row
    assert "第 6 项指标“师生满意度”偏差超过阈值" in client.get(url).content.decode()
    # a percent sign is not a number: refused, naming the row, what was typed kept
    table.refresh_from_db()
    r = client.post(url, _form(table, **{"row-6-value_to_date": "92", "row-6-stated_expected": "90%"}))
    body = r.content.decode()
    assert "第 6 项指标“师生满意度”：截至本期预期值“90%”不是数字" in body and 'value="90%"' in body
    r = client.post(url, _form(table, **{"row-6-value_to_date": "92", "row-6-stated_expected": "90"}))
    assert r.status_code == 302
    page = client.get(url).content.decode()
    row = _row(page, 6)
    assert 'data-light="green"' in row and "90%" in row and "102.22%" in row and "依据：单位填报的截至本期预期值" in row
    assert 'name="row-6-stated_expected" value="90"' in row
    assert "第 6 项指标“师生满意度”偏差超过阈值" not in page
    # the other rows keep the straight line (the reverse ones their annual limit)
    assert "依据：年度指标值 × 5 ÷ 12" in _row(page, 5) and "依据：年度指标值（上限）" in _row(page, 3)
    # cleared: back to the straight line
    table.refresh_from_db()
    client.post(url, _form(table, **{"row-6-value_to_date": "92", "row-6-stated_expected": ""}))
    assert 'data-light="blue"' in _row(client.get(url).content.decode(), 6)
