"""The access matrix for Project (see tests/matrix.py)."""

import pytest

from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project
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

    def get_object(self, world):
        return make_project(world)

    def create_data(self, world):
        return _form(world)

    def edit_data(self, world, obj):
        return _form(world, version=obj.version, code=obj.code, name="教学楼抗震加固改造项目（二期）", is_new="0",
                     start_year="2025", end_year="2027", requested_amount="120")


class TestProjectMatrixFinance(TestProjectMatrix):
    """The performance section edits across the region; another region's does not see it."""

    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "sysadmin", "far_perf_section", \
        "section_reviewer"
