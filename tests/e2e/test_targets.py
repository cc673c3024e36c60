"""Target management in a real browser: the preparer writes a project's sheet (indicators through
the table editor, level-2 choices following level 1) and submits it; the unit head passes it from
the review queue; the department reviewer returns it with an opinion; the preparer sees the
opinion, fixes the indicator and resubmits; it is approved through the whole chain."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = [
    ("output", "quantity", "加固教学楼栋数", "ge", "2", "栋", "20"),
    ("output", "quality", "工程验收合格率", "eq", "100", "%", "20"),
    ("output", "timeliness", "工程完工时间", "le", "12", "月", "10"),
    ("cost", "economic_cost", "每栋加固成本", "le", "60", "万元", "10"),
    ("benefit", "social", "校舍安全达标率", "ge", "95", "%", "30"),
    ("satisfaction", "beneficiary", "师生满意度", "ge", "80", "%", "10"),
]


@pytest.fixture
def project(world):
    # made before the browser starts (no ORM calls while Playwright's loop runs)
    from jixiao.projects.tests.factories import make_project

    return make_project(world)


def _approve(sign_in, username, url, opinion="同意"):
    page = sign_in(username)
    page.goto(url)
    page.fill("#review-opinion", opinion)
    page.get_by_test_id("approve-sheet").click()
    expect(page.locator(".alert-success")).to_be_visible()
    return page


def test_write_submit_return_fix_resubmit_approve(project, sign_in):
    page = sign_in("preparer")
    page.get_by_test_id("nav-areas").locator("[data-area=targets]").click()
    page.get_by_test_id("new-sheet").click()
    page.select_option("#id_subject", str(project.pk))
    page.get_by_role("button", name="保存").click()

    # the indicator editor: one row per indicator, level 2 offered after level 1
    expect(page.get_by_test_id("indicator-editor")).to_be_visible()
    rows = page.locator("#indicator-rows tr.indicator-row")
    for n, (level1, level2, name, operator, value, unit, weight) in enumerate(ROWS):
        page.get_by_role("button", name="增加一行").click()
        row = rows.nth(n)
        row.locator("select[name=level1]").select_option(level1)
        row.locator("select[name=level2]").select_option(level2)
        row.locator("input[name=name]").fill(name)
        row.locator("select[name=operator]").select_option(operator)
        row.locator("input[name=value]").fill(value)
        row.locator("input[name=unit]").fill(unit)
        row.locator("input[name=weight]").fill(weight)
    expect(rows.nth(5).locator(".row-no")).to_have_text("6")
    shot(page, "targets-indicator-editor")
    page.get_by_test_id("save-indicators").click()

    expect(page.get_by_test_id("sheet-status")).to_have_text("草稿")
    expect(page.get_by_test_id("indicator-table")).to_contain_text("≥80%")
    # the quality check blocks an empty goal; the preparer writes it in the header form
    expect(page.get_by_test_id("findings")).to_contain_text("年度总体目标为空")
    page.get_by_role("link", name="编辑目标").click()
    page.fill("#id_annual_goal", "完成第一中学1号、2号教学楼抗震加固，校舍安全达标，保障师生安全。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("findings")).to_contain_text("未发现问题")
    page.get_by_test_id("submit-sheet").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("审核中")
    url = page.url

    # the unit head passes it from the review queue
    head = sign_in("unit_head")
    head.goto("/targets/review/")
    queue = head.get_by_test_id("review-queue")
    expect(queue).to_contain_text("教学楼抗震加固改造项目")
    queue.locator("input[name=sheet]").first.check()
    head.get_by_role("button", name="批量通过").click()
    expect(head.locator(".alert-success")).to_contain_text("已通过 1 份")

    # the department reviewer returns it with an opinion
    dept = sign_in("dept_reviewer")
    dept.goto(url)
    expect(dept.get_by_test_id("review-steps").locator(".list-group-item-primary")).to_contain_text("主管部门审核")
    dept.fill("#review-opinion", "师生满意度目标值偏低，请不低于90%")
    dept.get_by_test_id("return-sheet").click()
    expect(dept.get_by_test_id("sheet-status")).to_have_text("已退回")

    # the preparer sees the opinion, fixes the indicator and resubmits
    page.goto(url)
    expect(page.get_by_test_id("returned-alert")).to_contain_text("师生满意度目标值偏低，请不低于90%")
    expect(page.get_by_test_id("review-history")).to_contain_text("师生满意度目标值偏低，请不低于90%")
    shot(page, "targets-returned-detail")
    page.get_by_test_id("edit-indicators").click()
    page.locator("#indicator-rows tr.indicator-row").nth(5).locator("input[name=value]").fill("92")
    page.get_by_test_id("save-indicators").click()
    expect(page.get_by_test_id("indicator-table")).to_contain_text("≥92%")
    page.get_by_test_id("submit-sheet").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("审核中")

    for username in ("unit_head", "dept_reviewer", "section_reviewer"):
        _approve(sign_in, username, url)
    perf = _approve(sign_in, "perf_section", url, "同意批复")
    expect(perf.get_by_test_id("sheet-status")).to_have_text("已批复")
    history = perf.get_by_test_id("review-history")
    expect(history).to_contain_text("同意批复")
    expect(history).to_contain_text("师生满意度目标值偏低")
    shot(perf, "targets-approved-detail")
    perf.get_by_role("link", name="绩效目标").first.click()
    expect(perf.get_by_test_id("sheet-table")).to_contain_text("已批复")
    expect(perf.get_by_test_id("sheet-table")).to_contain_text("1 次")
    shot(perf, "targets-list")
