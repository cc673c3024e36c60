"""The access matrix for Project (see tests/matrix.py)."""

import pytest

from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project, project_at
from tests.matrix import ModelMatrix

pytestmark = pytest.mark.django_db


def _form(world, **over):
    data = {"code": "", "name": "第一中学实验室改造项目", "kind": "project", "agency": world.agency("101001").pk,
            "sector": world.agency("101001").sector_id, "budget_book": "general_public", "function_code": "2050204",
            "fund_sources": ["own"], "requested_amount": "85.5", "budget_amount": "", "is_new": "1", "year": "2026",
            "start_year": "2026", "end_year": "2026", "description": ""}
    data.update(over)
    return data


class TestProjectMatrix(ModelMatrix):
    model = Project
    app, name = "projects", "project"
    in_scope, no_permission, out_of_scope, viewer_only = "preparer", "expert", "preparer_agri", "leader"

    # declared actions × every persona, each on a project of 第一中学 in a stage the action starts
    # from: the agency applies and starts work, the performance section decides and corrects;
    # nobody outside the county (the province's and the city's divisions only read it)
    action_personas = {
        "edit": {"preparer", "perf_section"},
        "correct": {"perf_section"},
        "submit": {"preparer", "perf_section"},
        "assess": {"perf_section"},
        "return": {"perf_section"},
        "admit": {"perf_section"},
        "budget": {"perf_section"},
        "start": {"preparer", "perf_section"},
        "complete": {"perf_section"},
        "terminate": {"perf_section"},
        "bulk_create": {"perf_section"},
    }
    #: the stage each declared action's object is in
    action_stages = {"correct": "admitted", "return": "submitted", "budget": "admitted", "start": "budgeted",
                     "complete": "executing"}

    def get_object(self, world):
        return make_project(world)

    def action_object(self, world, action):
        if action not in self.action_stages:
            return make_project(world)
        stage = self.action_stages[action]
        return project_at(world, stage, code=f"XM2026101001{list(self.action_stages).index(action) + 50:03d}")

    def create_data(self, world):
        return _form(world)

    def edit_data(self, world, obj):
        return _form(world, version=obj.version, code=obj.code, name="教学楼抗震加固改造项目（二期）", is_new="0",
                     start_year="2025", end_year="2027", requested_amount="120")


def test_agency_edits_only_in_reserve(world):
    """The one declared-action rule with a condition: past 储备 the agency's edit is refused (with the
    stage), the performance section's is not; a finished project nobody edits, SYSTEM included."""
    from jixiao.core.actors import SYSTEM
    from jixiao.core.errors import TransitionError
    from jixiao.core.scoping import check, permits

    admitted = project_at(world, "admitted", code="XM2026101001060")
    assert not permits(world.user("preparer"), admitted, "edit")
    with pytest.raises(TransitionError) as exc:
        check(world.user("preparer"), admitted, "edit")
    assert exc.value.code == "project.locked" and "“已入库”阶段，单位不能再修改" in exc.value.message
    assert permits(world.user("perf_section"), admitted, "edit") and permits(SYSTEM, admitted, "edit")
    done = project_at(world, "completed", code="XM2026101001061")
    for actor in (world.user("perf_section"), SYSTEM):
        with pytest.raises(TransitionError) as exc:
            check(actor, done, "edit")
        assert exc.value.code == "project.final"


class TestProjectMatrixFinance(TestProjectMatrix):
    """The performance section edits across the region; another region's does not see it."""

    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "sysadmin", "far_perf_section", \
        "section_reviewer"
