"""区划年度配置 in a real browser (issue #10): the performance section changes the 指标体系版本 through the
page and it is saved — its field is called ``version``, like the form's concurrency field, and every
save used to be refused as a stale edit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_taxonomy_version_is_saved_through_the_page(sign_in):
    page = sign_in("perf_section")
    page.goto("/core/config/?year=2026")
    card = page.get_by_test_id("config-taxonomy")
    expect(card).to_contain_text("2021版（财预〔2021〕101号）")
    card.get_by_role("link", name="修改").click()
    page.get_by_label("体系版本").select_option(label="经典版（10号文配套表）")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("“指标体系版本”已保存")
    expect(page.get_by_test_id("form-errors")).to_have_count(0)
    card = page.get_by_test_id("config-taxonomy")
    expect(card).to_contain_text("经典版（10号文配套表）")
    shot(page, "config-taxonomy-saved")
    # and again, back: the form carries the new concurrency version
    card.get_by_role("link", name="修改").click()
    expect(page.get_by_label("体系版本")).to_have_value("classic")
    page.get_by_label("体系版本").select_option("2021")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("config-taxonomy")).to_contain_text("2021版（财预〔2021〕101号）")
