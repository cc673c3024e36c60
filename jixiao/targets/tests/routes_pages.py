"""Route table of the target pages and the sheet API for the route-walk meta-test
(tests/test_route_walk.py). The sheets belong to 临朐县第一中学 (101001): its agency, its department,
the finance bureau (every section reviewer and the performance section) and the leader read them;
only the preparer and the performance section write them; experts read only the sheets they are
drawn for."""

from __future__ import annotations

from jixiao.core.roles import Role
from tests.routes import Route, having, personas, with_far

VIEWERS = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                 Role.PERFORMANCE_SECTION, Role.VIEWER, Role.EXPERT)
#: every role that may act on a sheet's review or write it (the change permission)
CHANGERS = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                  Role.PERFORMANCE_SECTION, Role.EXPERT)
REVIEWERS = having(Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                   Role.EXPERT)
WRITERS = having(Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION)
SEE = personas("preparer", "unit_head", "dept_reviewer", "section_reviewer", "section_reviewer_agri", "perf_section",
               "leader")
EDIT = personas("preparer", "perf_section")
ACT = SEE - {"leader"}
PERF = personas("perf_section")
#: the declared actions (TargetSheet.scope.actions) gate the routes by role: 403 for other roles
SUBMITTERS = having(Role.AGENCY_PREPARER)
SUBMIT = personas("preparer")
REVIEW = ACT - {"preparer"}
PERF_ROLE = having(Role.PERFORMANCE_SECTION)


def _hidden(ok, holders):
    """Holders of the role outside the sheet's scope get 404 (the role itself may)."""
    return {p: 404 for p in holders - ok}


def _draft(w):
    from jixiao.targets.tests.factories import make_sheet

    return {"pk": make_sheet(w).pk}


def _approved(w):
    from jixiao.targets.tests.factories import approved_sheet

    return {"pk": approved_sheet(w).pk}


def _agency_sheet(w):
    from jixiao.targets import services

    return {"pk": services.create_sheet(actor=w.user("preparer"), year=2026, agency=w.agency("101001")).pk}


def _panel(w):
    from jixiao.targets.tests.factories import make_sheet

    return {"pk": make_sheet(w, include_expert_panel=True).pk}


def _api(target):
    return lambda w: {"id": target(w)["pk"]}


HTML_ROUTES = [
    Route("targets:sheet_list", ok=VIEWERS),
    Route("targets:review_queue", ok=REVIEWERS),
    # an empty bulk form is refused with a message: nothing is reviewed
    Route("targets:review_queue", "POST", ok=REVIEWERS, ok_status=302),
    Route("targets:sheet_create", ok=WRITERS),
    Route("targets:sheet_create", "POST", ok=WRITERS),
    Route("targets:sheet_export", ok=VIEWERS),
    Route("targets:sheet_import", ok=WRITERS),
    Route("targets:import_template", ok=WRITERS),
    Route("targets:sheet_detail", supervisors=200, target=_draft, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("targets:sheet_edit", target=_draft, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:sheet_edit", "POST", target=_draft, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:indicator_edit", target=_draft, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    # no version in an empty post: the editor is shown again with the error, nothing saved
    Route("targets:indicator_edit", "POST", target=_draft, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:task_edit", target=_agency_sheet, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:task_edit", "POST", target=_agency_sheet, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:adopt", target=_draft, ok=frozenset(), denied=405),
    Route("targets:adopt", "POST", target=_draft, ok=EDIT, ok_status=302, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:sheet_submit", target=_draft, ok=frozenset(), denied=405),
    # the transitions without a version are refused with a message and a redirect to the sheet
    Route("targets:sheet_submit", "POST", target=_draft, ok=SUBMIT, ok_status=302,
          overrides=_hidden(SUBMIT, SUBMITTERS)),
    Route("targets:sheet_approve", target=_draft, ok=frozenset(), denied=405),
    Route("targets:sheet_approve", "POST", target=_draft, ok=REVIEW, ok_status=302,
          overrides=_hidden(REVIEW, REVIEWERS)),
    # 代录 (a panel member without a login): the performance section's (Review's declared action)
    Route("targets:sheet_proxy", target=_draft, ok=frozenset(), denied=405),
    # the province's and city's performance division read the sheet; the service refuses them (302)
    Route("targets:sheet_proxy", "POST", target=_draft, supervisors=302, ok=PERF, ok_status=302,
          overrides=_hidden(PERF, with_far("perf_section"))),
    Route("targets:sheet_return", target=_draft, ok=frozenset(), denied=405),
    Route("targets:sheet_return", "POST", target=_draft, ok=REVIEW, ok_status=302,
          overrides=_hidden(REVIEW, REVIEWERS)),
    Route("targets:sheet_adjust", target=_approved, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:sheet_adjust", "POST", target=_approved, ok=EDIT, overrides=_hidden(EDIT, WRITERS)),
    Route("targets:sheet_publish", target=_approved, ok=frozenset(), denied=405),
    Route("targets:sheet_publish", "POST", target=_approved, ok=PERF, ok_status=302,
          overrides=_hidden(PERF, with_far("perf_section"))),
    Route("targets:sheet_admit", target=_approved, ok=frozenset(), denied=405),
    # no indicator named: 404 (nothing admitted)
    Route("targets:sheet_admit", "POST", target=_approved, ok=frozenset(), denied=403,
          overrides={"perf_section": 404, "far_perf_section": 404}),
    Route("targets:sheet_draw", target=_panel, ok=PERF, overrides=_hidden(PERF, with_far("perf_section"))),
    Route("targets:sheet_draw", "POST", target=_panel, ok=PERF, overrides=_hidden(PERF, with_far("perf_section"))),
    Route("targets:sheet_versions", supervisors=200, target=_approved, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("targets:sheet_xlsx", supervisors=200, target=_approved, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
]

API_ROUTES = [
    Route("GET /api/v1/targets/sheets", ok=VIEWERS),
    Route("POST /api/v1/targets/sheets", ok=WRITERS, ok_status=400),
    Route("GET /api/v1/targets/sheets/{id}", supervisors=200, target=_api(_draft), ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    # an empty patch at the current ETag saves nothing new; reviewers may not edit (403)
    Route("PATCH /api/v1/targets/sheets/{id}", target=_api(_draft), ok=EDIT,
          overrides={**_hidden(EDIT, WRITERS), **{p: 403 for p in CHANGERS - WRITERS}}),
    # the body is checked before the row: an empty body is refused with field errors
    Route("PUT /api/v1/targets/sheets/{id}/indicators", target=_api(_draft), ok=WRITERS, ok_status=400),
    Route("PUT /api/v1/targets/sheets/{id}/tasks", target=_api(_agency_sheet), ok=WRITERS, ok_status=400),
    # the walk sends If-Match "1" to a sheet already at a later version: refused as stale (412)
    Route("POST /api/v1/targets/sheets/{id}/submit", target=_api(_draft), ok=SUBMIT, ok_status=412,
          overrides=_hidden(SUBMIT, SUBMITTERS)),
    Route("POST /api/v1/targets/sheets/{id}/approve", target=_api(_draft), ok=REVIEW, ok_status=412,
          overrides=_hidden(REVIEW, REVIEWERS)),
    Route("POST /api/v1/targets/sheets/{id}/return", target=_api(_draft), ok=REVIEWERS, ok_status=400),
    Route("POST /api/v1/targets/sheets/{id}/adjust", target=_api(_approved), ok=WRITERS, ok_status=400),
    Route("POST /api/v1/targets/sheets/{id}/publish", target=_api(_approved), ok=PERF_ROLE, ok_status=400),
]
