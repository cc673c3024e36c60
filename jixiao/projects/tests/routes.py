"""Route table of the project library for the route-walk meta-test (tests/test_route_walk.py)."""

from __future__ import annotations

from jixiao.core.roles import Role
from tests.routes import Route, having, personas

VIEWERS = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                 Role.PERFORMANCE_SECTION, Role.VIEWER)
EDITORS = having(Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION)
#: who sees the project of 第一中学 (101001): its own agency, its department, the finance bureau
SEE = personas("preparer", "unit_head", "dept_reviewer", "section_reviewer", "section_reviewer_agri", "perf_section",
               "leader")
CHANGE = personas("preparer", "perf_section")


def _project(w):
    from jixiao.projects.tests.factories import make_project

    return {"pk": make_project(w).pk}


def _api_project(w):
    return {"id": _project(w)["pk"]}


def _api_move(w):
    return {"id": _project(w)["pk"], "action": "submit"}


def _hidden(ok, holders):
    """Holders of a role that may do it at all, for whom the object is out of scope: 404."""
    return {p: 404 for p in holders - ok}


HTML_ROUTES = [
    Route("projects:project_list", ok=VIEWERS),
    Route("projects:project_create", ok=EDITORS),
    Route("projects:project_import", ok=EDITORS),
    Route("projects:project_import_template", ok=EDITORS),
    Route("projects:project_detail", supervisors=200, target=_project, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("projects:project_edit", target=_project, ok=CHANGE, overrides=_hidden(CHANGE, EDITORS)),
    Route("projects:project_move", target=lambda w: {**_project(w), "action": "submit"}, ok=frozenset(), denied=405),
    Route("projects:project_move", "POST", target=lambda w: {**_project(w), "action": "submit"}, ok=CHANGE,
          ok_status=302, overrides=_hidden(CHANGE, EDITORS)),
]

API_ROUTES = [
    Route("GET /api/v1/projects/", ok=VIEWERS),
    Route("POST /api/v1/projects/", ok=EDITORS, ok_status=400),
    Route("GET /api/v1/projects/{id}", supervisors=200, target=_api_project, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("GET /api/v1/projects/{id}/events", supervisors=200, target=_api_project, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("PATCH /api/v1/projects/{id}", target=_api_project, ok=CHANGE, overrides=_hidden(CHANGE, EDITORS)),
    # the preparer (first in the walk) applies with version 1; the performance section's If-Match "1"
    # is then stale
    Route("POST /api/v1/projects/{id}/moves/{action}", target=_api_move, ok=CHANGE,
          overrides={**_hidden(CHANGE, EDITORS), "perf_section": 412}),
]
