"""新建目标表 with an empty 编报对象 list says why and links to what to do (issue #10, the first hour)."""

import pytest
from django.urls import reverse

from jixiao.projects.tests.factories import make_project
from jixiao.targets import services
from jixiao.targets.rules import empty_subjects
from jixiao.targets.tests.factories import make_sheet

STAGES = ["储备", "评估中"]


def _hint(**kw):
    base = dict(year=2026, projects=0, open_projects=0, agencies=1, open_stages=STAGES, may_create_project=True)
    return empty_subjects(**{**base, **kw})


def test_no_agency_comes_first():
    h = _hint(agencies=0, projects=3, open_projects=3)
    assert (h.reason, h.action) == ("no_agency", "agencies")
    assert h.text == ("本区划还没有可编报的单位，项目和部门整体支出目标表都无从建立。"
                      "请先在“组织机构”中建立单位（系统管理员或绩效股）。")


def test_no_project_of_the_year():
    h = _hint()
    assert (h.reason, h.action) == ("no_project", "new_project")
    assert h.text == ("2026 年还没有您可以编报绩效目标的项目，单位的部门整体支出目标表也都已建立。"
                      "请先在项目库新建 2026 年的项目，或换一个年度。")
    # who may not create projects is told who does, and sent to the library
    h = _hint(may_create_project=False)
    assert h.action == "projects" and "请单位填报人先在项目库新建 2026 年的项目" in h.text


def test_every_project_closed():
    h = _hint(projects=2, open_projects=0)
    assert (h.reason, h.action) == ("no_open_project", "projects")
    assert h.text.startswith("2026 年的 2 个项目都已完结或终止，不能再编报目标表（可编报的阶段：储备、评估中）")


def test_every_project_has_its_sheet():
    h = _hint(projects=3, open_projects=2)
    assert (h.reason, h.action) == ("all_have_sheets", "sheets")
    assert h.text == ("2026 年可编报的 2 个项目都已有绩效目标表，单位的部门整体支出目标表也都已建立。"
                      "修改或年中调整请到目标表列表中打开该表。")


def _page(client, year=2026):
    return client.get(reverse("targets:sheet_create") + f"?year={year}").content.decode()


@pytest.mark.django_db
def test_the_page_shows_the_hint_only_when_the_list_is_empty(world, login):
    c = login("preparer")
    # the preparer's agency has no whole-budget sheet yet: the list offers it, no hint
    assert 'data-testid="form-hint"' not in _page(c)
    services.create_sheet(actor=world.user("preparer"), year=2026, agency=world.agency("101001"))
    page = _page(c)
    assert 'data-reason="no_project"' in page and "2026 年还没有您可以编报绩效目标的项目" in page
    assert f'href="{reverse("projects:project_create")}?year=2026"' in page
    make_project(world)
    assert 'data-testid="form-hint"' not in _page(c)  # the project is offered
    make_sheet(world)
    page = _page(c)
    assert 'data-reason="all_have_sheets"' in page and f'href="{reverse("targets:sheet_list")}?year=2026"' in page
