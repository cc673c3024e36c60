"""The expert draw in a real browser: the performance section draws two health experts and sees the
seed the system drew, and re-runs it (复核); the drawn expert accepts the invitation from 我的任务."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pool(world):
    from jixiao.pools.tests.helpers import ensure_pool

    return ensure_pool(world)  # built before Playwright starts (see conftest)


def test_performance_section_draws_and_expert_accepts(pool, sign_in):
    page = sign_in("perf_section")
    page.get_by_test_id("nav-areas").locator("[data-area=pools]").click()
    expect(page.get_by_test_id("expert-table")).to_contain_text("赵明远")
    page.get_by_role("link", name="专家抽取").click()
    page.get_by_role("link", name="随机抽取").click()
    page.fill("#id_purpose", "县中医院设备购置事前评估")
    page.fill("#id_count", "2")
    page.select_option("#id_fields", label="卫生健康")
    expect(page.locator("#id_seed")).to_have_count(0)  # the system draws the seed; nobody chooses it
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("seed")).to_have_text(re.compile(r"^\d+$"))
    expect(page.get_by_test_id("draw-info")).to_contain_text("复核一致")
    page.get_by_test_id("verify-link").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("复核一致")
    expect(page.get_by_test_id("verify-table")).to_contain_text("赵明远")
    page.go_back()
    expect(page.get_by_test_id("drawn-table")).to_contain_text("赵明远")
    shot(page, "draw-result")

    expert = sign_in("expert")
    expect(expert.get_by_test_id("inbox-count")).to_have_text("2")
    expert.get_by_test_id("nav-areas").locator("[data-area=pools]").click()
    tasks = expert.get_by_test_id("task-table")
    expect(tasks).to_contain_text("县中医院设备购置事前评估")
    tasks.locator("tr", has_text="县中医院设备购置事前评估").get_by_role("button", name="接受").click()
    expect(expert.get_by_text("已接受邀请。")).to_be_visible()
    expect(tasks.locator("tr", has_text="县中医院设备购置事前评估")).to_contain_text("已接受")
    expect(expert.get_by_test_id("inbox-count")).to_have_text("1")
