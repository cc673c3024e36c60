"""The ex-ante assessment in a real browser, all through the pages: the performance section starts an
assessment of a new major project and draws experts; the drawn expert with a login accepts the
invitation and scores from 我的评估; the two without a login are entered by the performance section
from their signed score sheets (代录); the section concludes 部分支持, downloads the Word opinion
and the project enters the library."""

from __future__ import annotations

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


def _sheet(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.7\nsigned score sheet")
    return str(path)


def test_assess_score_conclude(setup, sign_in, tmp_path):
    page = sign_in("perf_section")
    page.get_by_test_id("nav-areas").locator("[data-area=assessment]").click()
    page.get_by_role("link", name="发起评估").click()
    page.select_option("#id_project", label=f"{setup.code} 第一中学实验楼建设项目（临朐县第一中学）")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("待抽取专家")
    page.get_by_role("link", name="抽取专家").click()
    expect(page.locator("#id_seed")).to_have_count(0)  # the system draws the seed
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("专家评分中")

    expert = sign_in("expert")
    expert.get_by_test_id("nav-areas").locator("[data-area=assessment]").click()
    expert.get_by_test_id("my-assessments").get_by_role("link", name="答复邀请").click()
    expert.get_by_role("button", name="接受邀请").click()
    expect(expert.get_by_text("已接受邀请。")).to_be_visible()
    expert.get_by_role("link", name="评分").first.click()
    for code, value in {"necessity": "18", "economy": "14", "target_reasonableness": "16", "feasibility": "17",
                        "financing_compliance": "19"}.items():
        expert.fill(f"#id_score_{code}", value)
    expert.fill("#id_opinion_economy", "设备购置标准偏高")
    expert.fill("#id_opinion", "建议压减设备购置后支持")
    shot(expert, "assessment-score")
    expert.get_by_role("button", name="提交评分").click()
    expect(expert.get_by_test_id("my-assessments")).to_contain_text("已提交（84.00 分）")

    # 孙丽华 and 李国强 have no login: the performance section enters their signed score sheets (代录)
    page.reload()
    for name in ("孙丽华", "李国强"):
        page.get_by_test_id("proxy-link").click()
        page.select_option("#id_drawn", label=next(o for o in page.locator("#id_drawn option").all_inner_texts()
                                                   if o.startswith(name)))
        for code, value in {"necessity": "17", "economy": "15", "target_reasonableness": "16",
                            "feasibility": "16", "financing_compliance": "18"}.items():
            page.fill(f"#id_score_{code}", value)
        page.fill("#id_opinion", "同意立项，压减设备购置")
        page.set_input_files("#id_score_sheet", _sheet(tmp_path, f"{name}签字评分表.pdf"))
        page.get_by_role("button", name="保存代录评分").click()
        expect(page.get_by_text(f"已代录专家“{name}”的评分")).to_be_visible()
        expect(page.get_by_test_id(f"entry-{name}")).to_contain_text("代录")
    shot(page, "assessment-proxy")
    page.get_by_role("link", name="出具结论").click()
    page.select_option("#id_conclusion", label="部分支持")
    page.fill("#id_supported_amount", "800")
    page.fill("#id_opinion", "压减设备购置支出后部分支持")
    page.get_by_role("button", name="出具结论").click()
    expect(page.get_by_test_id("conclusion")).to_have_text("部分支持")
    expect(page.get_by_test_id("assessment-info")).to_contain_text("400.00 万元")
    shot(page, "assessment-concluded")
    with page.expect_download() as download:
        page.get_by_role("link", name="评估意见书").click()
    path = download.value.path()
    from docx import Document

    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert "第一中学实验楼建设项目" in text and "部分支持" in text
    page.get_by_role("link", name="第一中学实验楼建设项目").first.click()
    expect(page.get_by_test_id("project-stage")).to_have_text("已入库")
