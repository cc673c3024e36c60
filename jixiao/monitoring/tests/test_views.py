"""The import pages (the house import page with CSV) and the project page's execution facts."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jixiao.monitoring.models import MonthlyExecution
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_csv_import_through_the_page_then_the_project_page_shows_execution(world, login):
    project = make_project(world, code="XM-SCH", budget_amount=Decimal("0"))
    client = login("preparer")
    page = client.get("/monitoring/execution/import/?year=2026")
    assert page.status_code == 200 and 'name="year_field"' in page.content.decode() and 'value="2026"' in page.content.decode()
    data = "项目编码,月份,支付金额,资金性质\r\nXM-SCH,1,1000,本级\r\nXM-SCH,2,500.5,上级补助\r\n".encode("gb18030")
    response = client.post("/monitoring/execution/import/", {"year_field": "2026", "file": upload("执行.csv", data)})
    assert response.status_code == 302, response.content.decode()[:500]
    assert MonthlyExecution.objects.filter(project=project).count() == 2
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert "截至 2026 年 2 月执行 0.15 万元（调整后预算为 0，无执行率）" in detail
    assert "2026 年未录入用款计划" in detail


def test_bad_csv_lists_every_cell_on_the_page_and_writes_nothing(world, login):
    make_project(world, code="XM-SCH")
    data = "项目编码,月份,支付金额,资金性质\nXM-SCH,1,abc,本级\nXM-NO,2,1,本级\n".encode()
    page = login("perf_section").post("/monitoring/execution/import/", {"year_field": "2026",
                                                                          "file": upload("bad.csv", data)})
    text = page.content.decode()
    assert page.status_code == 200 and "发现 2 处错误" in text
    assert "金额应为数字（元），收到“abc”" in text and "项目编码 XM-NO 不存在或不在您的权限范围内" in text
    assert not MonthlyExecution.objects.exists()


def test_templates_download_with_the_headers(world, login):
    response = login("perf_section").get("/monitoring/execution/import/template.xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    assert headers == ["项目编码", "单位代码", "月份", "实际支付金额", "资金来源", "功能科目"]
    plan = login("preparer").get("/monitoring/plans/import/template.xlsx")
    assert [c.value for c in next(load_workbook(io.BytesIO(plan.content)).active.iter_rows(min_row=2, max_row=2))] == [
        "项目编码", "月份", "计划金额"]


def test_hand_entry_page_saves_a_month_then_refuses_a_stale_form(world, login):
    project = make_project(world, code="XM-SCH", budget_amount=Decimal("0"))
    client = login("preparer")
    url = f"/monitoring/projects/{project.pk}/execution/?year=2026&month=3&fund_source=own"
    assert "2026 年尚无执行数据" in client.get(url).content.decode()
    response = client.post(url, {"month": 3, "fund_source": "own", "amount": "1.5", "version": ""})
    assert response.status_code == 302
    row = MonthlyExecution.objects.get(project=project)
    assert (row.month, row.amount, row.entry) == (3, Decimal("15000.00"), "manual")
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page and "截至最后一个有数据的月份执行 1.50 万元" in page
    client.post(url, {"month": 3, "fund_source": "own", "amount": "2", "version": "1"})
    stale = client.post(url, {"month": 3, "fund_source": "own", "amount": "9", "version": "1"})
    assert stale.status_code == 200 and "该记录已被他人修改" in stale.content.decode()
    assert MonthlyExecution.objects.get().amount == Decimal("20000.00")
    # the project page links here
    assert f"/monitoring/projects/{project.pk}/execution/?year=2026" in client.get(f"/projects/{project.pk}/").content.decode()


def test_the_province_sees_the_facts_without_an_entry_link(world, login):
    project = make_project(world, code="XM-SCH")
    page = login("prov_perf_section").get(f"/projects/{project.pk}/").content.decode()
    assert "2026 年尚无执行数据" in page and f"/monitoring/projects/{project.pk}/execution/" not in page


def test_plan_entry_page(world, login):
    project = make_project(world, code="XM-SCH")
    client = login("perf_section")
    url = f"/monitoring/projects/{project.pk}/plan/?year=2026&month=6"
    assert "2026 年未录入用款计划" in client.get(url).content.decode()
    assert client.post(url, {"month": 6, "amount": "3", "version": ""}).status_code == 302
    page = client.get(url).content.decode()
    assert "2026 年已录入 1 个月，计划合计 3.00 万元" in page
    assert "2026 年已有 1 个月的用款计划" in client.get(f"/projects/{project.pk}/").content.decode()
    assert login("preparer_agri").get(url).status_code == 404


def test_the_year_chosen_on_the_form_decides(world, login):
    make_project(world, code="XM-SCH")
    data = "项目编码,月份,支付金额,资金性质\nXM-SCH,2026-01,1,本级\n".encode()
    page = login("perf_section").post("/monitoring/execution/import/?year=2026", {"year_field": "2025",
                                                                                  "file": upload("y.csv", data)})
    assert "月份 2026 年 1 月不在 2025 年度内" in page.content.decode()
    assert not MonthlyExecution.objects.exists()


def test_the_project_pages_rate_is_against_the_adjusted_budget(world, login):
    """The page's execution rate uses the budget less 调减预算, as the monitoring table and the API do."""
    from jixiao.monitoring import services
    from jixiao.monitoring.tests.factories import budgeted_project

    project = budgeted_project(world, code="XM-CUT", amount=Decimal("1000000"))
    perf = world.user("perf_section")
    services.enter_execution(actor=perf, project=project, year=2026, month=3, fund_source="own",
                             amount=Decimal("300000"))
    client = login("perf_section")
    assert "截至 2026 年 3 月执行 30.00 万元，执行率 30.00%" in client.get(f"/projects/{project.pk}/").content.decode()
    services.decide(actor=perf, project=project, kind="cut", reason="进度滞后，调减预算", amount=Decimal("400000"))
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert "执行率 50.00%（按调整后预算 60.00 万元计）" in detail
