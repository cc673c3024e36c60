"""The first hour in a real browser (issue #10): an agency user who mistypes an address or follows a
link to a record not theirs meets the project's Chinese 404/403 pages — also under JIXIAO_DEBUG=1, as
`make run` starts it; 新建目标表 with nothing to choose says why and links to what to do."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True  # what `make run` (JIXIAO_DEBUG=1) runs with


@pytest.fixture
def other_agencys_project(world):
    from jixiao.projects.tests.factories import make_project

    return make_project(world, code="XM2026102001001", agency="102001", name="高标准农田建设项目")


def test_agency_user_meets_chinese_404_and_403_pages(debug_on, other_agencys_project, sign_in):
    page = sign_in("preparer")
    response = page.goto("/no/such/page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在（404）")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Page not found")
    expect(page.locator("body")).not_to_contain_text("URLconf")
    expect(page.get_by_test_id("nav-areas")).to_be_visible()  # the system's own layout, the user still signed in
    shot(page, "first-hour-404-preparer")

    # another agency's project: the same 404, nothing of it shown
    response = page.goto(f"/projects/{other_agencys_project.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在（404）")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("高标准农田")

    response = page.goto("/org/users/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问（403）")).to_be_visible()
    page.get_by_role("link", name="返回首页").click()
    expect(page.get_by_test_id("nav-areas")).to_be_visible()


@pytest.fixture
def whole_budget_sheet_done(world):
    """The preparer's agency has its 部门整体 sheet and no project of 2026: nothing left to choose."""
    from jixiao.targets import services

    return services.create_sheet(actor=world.user("preparer"), year=2026, agency=world.agency("101001"))


def test_empty_subject_list_says_why_and_leads_on(whole_budget_sheet_done, sign_in):
    page = sign_in("preparer")
    page.goto("/targets/new/?year=2026")
    select = page.locator("#id_subject")
    expect(select.locator("option")).to_have_count(1)  # only 请选择
    hint = page.get_by_test_id("form-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("2026 年还没有您可以编报绩效目标的项目")
    expect(hint).to_contain_text("请先在项目库新建 2026 年的项目")
    shot(page, "first-hour-empty-subjects")
    hint.get_by_role("link", name="新建 2026 年项目").click()
    page.wait_for_url("**/projects/new/?year=2026")
    expect(page.locator("#id_year")).to_have_value("2026")
