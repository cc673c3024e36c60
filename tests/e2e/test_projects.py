"""The project library in a real browser: the agency creates a project in 万元 and applies for the
library; the performance section admits it; both see the timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_preparer_applies_and_performance_section_admits(sign_in):
    page = sign_in("preparer")
    page.get_by_test_id("nav-areas").locator("[data-area=projects]").click()
    page.get_by_role("link", name="新建项目").click()
    page.fill("#id_name", "第一中学实验室改造项目")
    page.fill("#id_function_code", "2050204")
    page.check("input[name=fund_sources][value=own]")
    page.fill("#id_requested_amount", "85.5")
    page.fill("#id_year", "2026")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("project-stage")).to_have_text("储备")
    expect(page.get_by_test_id("project-info")).to_contain_text("85.50 万元")
    page.get_by_role("button", name="申报入库").click()
    expect(page.get_by_test_id("project-stage")).to_have_text("已申报")
    expect(page.get_by_test_id("project-waiting")).to_contain_text("等待绩效股审核入库")
    url = page.url

    perf = sign_in("perf_section")
    perf.goto(url)
    perf.get_by_role("button", name="批准入库").click()
    expect(perf.get_by_test_id("project-stage")).to_have_text("已入库")
    timeline = perf.get_by_test_id("project-timeline")
    expect(timeline).to_contain_text("建立项目")
    expect(timeline).to_contain_text("已申报 → 已入库")
    shot(perf, "project-detail-perf")
