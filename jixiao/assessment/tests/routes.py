"""Route table of the ex-ante assessment for the route-walk meta-test (tests/test_route_walk.py)."""

from __future__ import annotations

from jixiao.core.roles import Role
from tests.routes import Route, far_404, having, personas, with_far

VIEWERS = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                 Role.PERFORMANCE_SECTION, Role.VIEWER, Role.EXPERT)
#: who sees an assessment of 第一中学 (101001): its agency, its department, the finance bureau, and
#: the expert drawn for it
SEE = personas("preparer", "unit_head", "dept_reviewer", "section_reviewer", "section_reviewer_agri", "perf_section",
               "leader", "expert")
PERF = personas("perf_section")
EDITORS = with_far("perf_section")


def _hidden(ok, holders):
    return {p: 404 for p in holders - ok}


def _draft(w):
    from jixiao.assessment.tests.helpers import draft

    return {"pk": draft(w).pk}


def _scoring(w):
    from jixiao.assessment.tests.helpers import scoring

    return {"pk": scoring(w).pk}


def _concluded(w):
    from jixiao.assessment.tests.helpers import concluded

    return {"pk": concluded(w).pk}


def _api(target):
    return lambda w: {"id": target(w)["pk"]}


HTML_ROUTES = [
    Route("assessment:index", ok=VIEWERS, ok_status=302),
    Route("assessment:assessment_list", ok=VIEWERS),
    Route("assessment:assessment_create", ok=EDITORS),
    Route("assessment:assessment_statistics", ok=VIEWERS),
    Route("assessment:my_assessments", ok=personas("expert")),
    Route("assessment:assessment_detail", supervisors=200, target=_scoring, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("assessment:assessment_draw", target=_draft, ok=PERF, overrides=far_404("perf_section")),
    # an empty form is shown again with its errors: nothing is drawn
    Route("assessment:assessment_draw", "POST", target=_draft, ok=PERF, overrides=far_404("perf_section")),
    Route("assessment:assessment_score", target=_scoring, ok=personas("expert")),
    Route("assessment:assessment_score", "POST", target=_scoring, ok=personas("expert")),
    Route("assessment:assessment_proxy", target=_scoring, ok=PERF, overrides=far_404("perf_section")),
    # an empty form is shown again with its errors: nothing is entered
    Route("assessment:assessment_proxy", "POST", target=_scoring, ok=PERF, overrides=far_404("perf_section")),
    Route("assessment:assessment_conclude", target=_scoring, ok=PERF, overrides=far_404("perf_section")),
    Route("assessment:assessment_conclude", "POST", target=_scoring, ok=PERF, overrides=far_404("perf_section")),
    Route("assessment:assessment_opinion", supervisors=200, target=_concluded, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
]

API_ROUTES = [
    Route("GET /api/v1/assessment/", ok=VIEWERS),
    Route("POST /api/v1/assessment/", ok=EDITORS, ok_status=400),
    Route("GET /api/v1/assessment/statistics", ok=VIEWERS),
    Route("GET /api/v1/assessment/{id}", supervisors=200, target=_api(_scoring), ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("GET /api/v1/assessment/{id}/opinion", supervisors=200, target=_api(_concluded), ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    # the body is checked before the row: an empty body is refused with field errors
    Route("POST /api/v1/assessment/{id}/draw", target=_api(_draft), ok=EDITORS, ok_status=400),
    Route("POST /api/v1/assessment/{id}/scores", target=_api(_scoring), ok=personas("expert"), ok_status=400),
    Route("POST /api/v1/assessment/{id}/proxy-scores", target=_api(_scoring), ok=EDITORS, ok_status=400),
    Route("POST /api/v1/assessment/{id}/conclude", target=_api(_scoring), ok=EDITORS, ok_status=400),
]
