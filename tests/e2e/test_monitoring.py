"""In-year monitoring in a real browser (issue #13): the agency's preparer fills its monitoring table —
a deviation with its written reason — and submits it; the performance section reads it and suspends
the project's disbursement from the table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VALUES = {1: ("0", "2"), 2: ("45", "100"), 3: ("5", "12"), 4: ("55", "58"), 5: ("40", "95"), 6: ("40", "92")}


@pytest.fixture
def table(world):
    from jixiao.monitoring.tests.factories import school_table

    return school_table(world)


def test_agency_fills_a_deviation_and_finance_suspends(table, sign_in):
    page = sign_in("preparer")
    page.goto(f"/monitoring/tables/{table.pk}/")
    expect(page.get_by_test_id("basis")).to_contain_text("依据：时间进度")
    expect(page.get_by_test_id("table-problems")).to_contain_text("预算执行：预计全年执行数未填报")
    page.get_by_test_id("estimate").fill("100")
    for position, (to_date, year_end) in VALUES.items():
        page.locator(f'[name="row-{position}-value_to_date"]').fill(to_date)
        page.locator(f'[name="row-{position}-year_end"]').fill(year_end)
    page.get_by_test_id("save-table").click()
    expect(page.locator(".alert-success").first).to_contain_text("监控表已保存")
    # nothing paid by May and no building reinforced yet: both rows need their reasons
    problems = page.get_by_test_id("table-problems")
    expect(problems).to_contain_text("预算执行偏差超过阈值")
    expect(problems).to_contain_text("第 1 项指标“加固教学楼栋数”偏差超过阈值")
    expect(page.locator('[data-position="1"] [data-light="red"]')).to_be_visible()
    page.get_by_test_id("submit-table").click()
    expect(page.locator(".alert-danger").first).to_contain_text("偏差超过阈值")
    money = page.get_by_test_id("reasons-budget")
    money.locator('[name="cause"]').select_option(label="制度保障")
    money.locator('[name="likelihood"]').select_option(label="有可能")
    money.locator('[name="explanation"]').fill("招标程序尚未完成，资金未支付")
    money.locator('[name="measures"]').fill("六月底前完成招标并支付首期款")
    row = page.get_by_test_id("reasons-1")
    row.locator('[name="row-1-cause"]').select_option(label="经费保障")
    row.locator('[name="row-1-likelihood"]').select_option(label="有可能")
    row.locator('[name="row-1-explanation"]').fill("上级资金五月才下达")
    row.locator('[name="row-1-measures"]').fill("加快施工进度")
    page.get_by_test_id("save-table").click()
    expect(page.get_by_test_id("table-problems")).to_have_count(0)
    shot(page, "monitoring-table-filled")
    page.get_by_test_id("submit-table").click()
    expect(page.locator(".alert-success").first).to_contain_text("监控表已提交审核")
    expect(page.get_by_test_id("table-status")).to_contain_text("审核中")

    finance = sign_in("perf_section")
    finance.goto(f"/monitoring/rounds/{table.round_id}/")
    expect(finance.get_by_test_id("agency-counts").locator('[data-agency="101001"] [data-count="submitted"]')).to_have_text("1")
    finance.get_by_test_id("table-list").get_by_role("link", name="教学楼抗震加固改造项目").click()
    expect(finance.get_by_test_id("reasons-budget")).to_contain_text("招标程序尚未完成")
    finance.get_by_test_id("decide").click()
    finance.get_by_label("处理方式").select_option(label="暂缓拨付")
    finance.get_by_label("理由").fill("执行进度严重滞后，待招标完成后恢复拨付")
    finance.get_by_role("button", name="确定").click()
    expect(finance.locator(".alert-success").first).to_contain_text("暂缓拨付")
    shot(finance, "monitoring-suspended")
