"""The ex-ante assessment in a real browser: the performance section starts an assessment of a new
major project and draws experts, the drawn expert scores from 我的评估, the performance section
concludes 部分支持 and the project enters the library."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def setup(world):
    from jixiao.assessment.tests.helpers import major_project
    from jixiao.pools.tests.helpers import ensure_pool

    ensure_pool(world)  # built before Playwright starts (see conftest)
    return major_project(world, "EA2026901", name="第一中学实验楼建设项目")


def _others_score(project, world):
    from django.db import connection

    from jixiao.assessment.models import ExAnteAssessment
    from jixiao.assessment.tests.helpers import score_all

    try:
        score_all(ExAnteAssessment.objects.get(project=project), skip_user=world.user("expert"))
    finally:
        connection.close()


def _in_thread(fn):
    """The ORM may not run in Playwright's event loop: the other two experts score in a thread."""
    errors = []

    def run():
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 — re-raised in the test
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if errors:
        raise errors[0]


def test_assess_score_conclude(setup, sign_in, world):
    page = sign_in("perf_section")
    page.get_by_test_id("nav-areas").locator("[data-area=assessment]").click()
    page.get_by_role("link", name="发起评估").click()
    page.select_option("#id_project", label=f"{setup.code} 第一中学实验楼建设项目（临朐县第一中学）")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("待抽取专家")
    page.get_by_role("link", name="抽取专家").click()
    page.fill("#id_seed", "7")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("专家评分中")

    expert = sign_in("expert")
    expert.get_by_test_id("nav-areas").locator("[data-area=assessment]").click()
    expert.get_by_test_id("my-assessments").get_by_role("link", name="评分").click()
    for code, value in {"necessity": "18", "economy": "14", "target_reasonableness": "16", "feasibility": "17",
                        "financing_compliance": "19"}.items():
        expert.fill(f"#id_score_{code}", value)
    expert.fill("#id_opinion_economy", "设备购置标准偏高")
    expert.fill("#id_opinion", "建议压减设备购置后支持")
    shot(expert, "assessment-score")
    expert.get_by_role("button", name="提交评分").click()
    expect(expert.get_by_test_id("my-assessments")).to_contain_text("已提交（84.00 分）")

    _in_thread(lambda: _others_score(setup, world))
    page.reload()
    page.get_by_role("link", name="出具结论").click()
    page.select_option("#id_conclusion", label="部分支持")
    page.fill("#id_supported_amount", "800")
    page.fill("#id_opinion", "压减设备购置支出后部分支持")
    page.get_by_role("button", name="出具结论").click()
    expect(page.get_by_test_id("conclusion")).to_have_text("部分支持")
    expect(page.get_by_test_id("assessment-info")).to_contain_text("400.00 万元")
    shot(page, "assessment-concluded")
    page.get_by_role("link", name="第一中学实验楼建设项目").first.click()
    expect(page.get_by_test_id("project-stage")).to_have_text("已入库")
