"""Route table of budget execution data for the route-walk meta-test (tests/test_route_walk.py)."""

from __future__ import annotations

from jixiao.core.roles import Role
from jixiao.monitoring.tests import routes_decisions
from tests.routes import FAR, Route, having, personas


def _project(w):
    from jixiao.projects.tests.factories import make_project

    return {"pk": make_project(w).pk}


#: the hand entry of 第一中学's project: its preparer and the county's performance section; the other
#: agency's preparer and the other regions' performance sections do not see the project (404)
ENTER = personas("preparer", "perf_section")

#: the declared action ``import`` of MonthlyExecution and SpendingPlan: an agency's preparer and the
#: performance section, each into their own scope (the page itself is role-level)
IMPORTERS = having(Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION)

def _agency(w):
    return {"pk": w.agency("101001").pk}


def _table(w):
    from jixiao.monitoring.tests.factories import school_table

    return {"pk": school_table(w).pk}


def _round(w):
    from jixiao.monitoring.tests.factories import school_table

    return {"pk": school_table(w).round_id}


#: who reads rounds and tables at all (MONITORING_VIEWERS), in any region
VIEWER_ROLES = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                      Role.PERFORMANCE_SECTION, Role.VIEWER)
PERF_ROLE = having(Role.PERFORMANCE_SECTION)
#: a round is the whole county's: every reader of the county sees it (the other county's: 404)
ROUND_SEE = VIEWER_ROLES - FAR
#: 第一中学's table: its own agency, its department, the finance bureau and the leader
TABLE_SEE = personas("preparer", "unit_head", "dept_reviewer", "section_reviewer", "section_reviewer_agri",
                     "perf_section", "leader")
FILL = having(Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION)
TABLE_REVIEWERS = having(Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION)
REVIEW_SEE = TABLE_SEE - {"preparer", "leader"}


def _api(target):
    return lambda w: {"id": target(w)["pk"]}


def _hidden(ok, holders):
    return {p: 404 for p in holders - ok}


HTML_ROUTES = [
    Route("monitoring:execution_import", ok=IMPORTERS),
    Route("monitoring:execution_import_template", ok=IMPORTERS),
    Route("monitoring:execution_entry", target=_project, ok=ENTER,
          overrides={p: 404 for p in IMPORTERS - ENTER}),
    Route("monitoring:plan_entry", target=_project, ok=ENTER, overrides={p: 404 for p in IMPORTERS - ENTER}),
    Route("monitoring:plan_import", ok=IMPORTERS),
    Route("monitoring:plan_import_template", ok=IMPORTERS),
    # the region's own column names: the performance section of each region (RegionConfig's change)
    Route("monitoring:import_columns", ok=having(Role.PERFORMANCE_SECTION)),
    # 第一中学's whole budget by hand: its preparer and the county's performance section
    Route("monitoring:agency_execution_entry", target=_agency, ok=ENTER,
          overrides={p: 404 for p in IMPORTERS - ENTER}),
    Route("monitoring:round_list", ok=VIEWER_ROLES),
    Route("monitoring:round_create", ok=PERF_ROLE),
    # an empty form is shown again with its errors: nothing opened
    Route("monitoring:round_create", "POST", ok=PERF_ROLE),
    Route("monitoring:round_detail", target=_round, ok=ROUND_SEE, supervisors=200,
          overrides=_hidden(ROUND_SEE, VIEWER_ROLES)),
    # closing without a version: refused with a message and a redirect (the role gate first)
    Route("monitoring:round_detail", "POST", target=_round, ok=personas("perf_section"), ok_status=302,
          supervisors=302, overrides={p: 404 for p in VIEWER_ROLES & FAR}),
    # 导出填报表: whoever reads the round gets its tables they see; one who sees none of them (the other
    # agency's people) is sent back to the round page with a message
    Route("monitoring:round_tables_xlsx", target=_round, ok=TABLE_SEE, supervisors=200,
          overrides={**_hidden(ROUND_SEE, VIEWER_ROLES), **{p: 302 for p in ROUND_SEE - TABLE_SEE}}),
    # 导入填报表: the fillers (the declared action ``fill``'s roles) of the round's region; the province's
    # performance division reaches the page, and the import refuses every table as outside its scope
    Route("monitoring:round_tables_import", target=_round, ok=FILL - FAR, supervisors=200,
          overrides={p: 404 for p in FILL & FAR}),
    # the board and the statistics: role-level (the latest round the persona sees, or none); each reads its scope
    Route("monitoring:board", ok=VIEWER_ROLES),
    Route("monitoring:statistics", ok=VIEWER_ROLES),
    # the bulk decision (POST only): the walk names no round, so whoever may decide at all gets 404, the rest 403
    Route("monitoring:board_decide", ok=frozenset(), denied=405),
    Route("monitoring:board_decide", "POST", ok=frozenset(), overrides={p: 404 for p in PERF_ROLE}),
    Route("monitoring:table_detail", target=_table, ok=TABLE_SEE, supervisors=200,
          overrides=_hidden(TABLE_SEE, VIEWER_ROLES)),
    # saving without a version: the page again with the stale-form error, nothing saved
    Route("monitoring:table_detail", "POST", target=_table, ok=personas("preparer", "perf_section"),
          overrides={**_hidden(TABLE_SEE, VIEWER_ROLES), **_hidden(personas("preparer", "perf_section"), FILL)}),
    Route("monitoring:table_submit", target=_table, ok=frozenset(), denied=405),
    Route("monitoring:table_submit", "POST", target=_table, ok=personas("preparer"), ok_status=302,
          overrides=_hidden(personas("preparer"), having(Role.AGENCY_PREPARER))),
    Route("monitoring:table_review", target=_table, ok=frozenset(), denied=405),
    Route("monitoring:table_review", "POST", target=_table, ok=REVIEW_SEE, ok_status=302, supervisors=302,
          overrides=_hidden(REVIEW_SEE, TABLE_REVIEWERS)),
]

#: whoever reads the projects reads their execution data (MonthlyExecution's ``view``), each in their scope
READERS = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                 Role.PERFORMANCE_SECTION, Role.VIEWER)

API_ROUTES = [
    Route("GET /api/v1/monitoring/execution", ok=READERS),
    Route("GET /api/v1/monitoring/execution/projects", ok=READERS),
    # the walk sends no file: the importers get the field errors (400), every other role 403
    Route("POST /api/v1/monitoring/execution/import", ok=IMPORTERS, ok_status=400),
    Route("POST /api/v1/monitoring/plans/import", ok=IMPORTERS, ok_status=400),
    # rounds and tables: as the pages (a round is the county's; a table 第一中学's)
    Route("GET /api/v1/monitoring/rounds", ok=VIEWER_ROLES),
    Route("GET /api/v1/monitoring/rounds/{id}", target=_api(_round), ok=ROUND_SEE, supervisors=200,
          overrides=_hidden(ROUND_SEE, VIEWER_ROLES)),
    Route("GET /api/v1/monitoring/rounds/{id}/tables", target=_api(_round), ok=ROUND_SEE, supervisors=200,
          overrides=_hidden(ROUND_SEE, VIEWER_ROLES)),
    Route("GET /api/v1/monitoring/rounds/{id}/board", target=_api(_round), ok=ROUND_SEE, supervisors=200,
          overrides=_hidden(ROUND_SEE, VIEWER_ROLES)),
    # the fill-in workbook: as the pages (the other agency's people see the round, none of its tables: 400)
    Route("GET /api/v1/monitoring/rounds/{id}/tables.xlsx", target=_api(_round), ok=TABLE_SEE, supervisors=200,
          overrides={**_hidden(ROUND_SEE, VIEWER_ROLES), **{p: 400 for p in ROUND_SEE - TABLE_SEE}}),
    # the walk sends no file: the fillers of the round's region get the field error (400), every other role 403
    Route("POST /api/v1/monitoring/rounds/{id}/tables/import", target=_api(_round), ok=FILL - FAR, ok_status=400,
          supervisors=400, overrides={p: 400 for p in FILL & FAR}),
    Route("GET /api/v1/monitoring/statistics", ok=VIEWER_ROLES),
    Route("GET /api/v1/monitoring/tables/{id}", target=_api(_table), ok=TABLE_SEE, supervisors=200,
          overrides=_hidden(TABLE_SEE, VIEWER_ROLES)),
    # an empty body changes nothing but the version: the preparer and the county's performance section
    Route("PATCH /api/v1/monitoring/tables/{id}", target=_api(_table), ok=personas("preparer", "perf_section"),
          overrides=_hidden(personas("preparer", "perf_section"), FILL)),
    # nothing filled yet: the submit is refused with every missing figure (400)
    Route("POST /api/v1/monitoring/tables/{id}/submit", target=_api(_table), ok=personas("preparer"), ok_status=400,
          overrides=_hidden(personas("preparer"), having(Role.AGENCY_PREPARER))),
    # a draft has no step to pass: 409 for the reviewers who see it (the province's too)
    Route("POST /api/v1/monitoring/tables/{id}/approve", target=_api(_table), ok=REVIEW_SEE, ok_status=409,
          supervisors=409, overrides=_hidden(REVIEW_SEE, TABLE_REVIEWERS)),
    # the walk's empty body lacks the opinion: refused (400) before the table is looked up
    Route("POST /api/v1/monitoring/tables/{id}/return", target=_api(_table), ok=TABLE_REVIEWERS, ok_status=400,
          supervisors=400),
]

# the finance decisions (监控结果应用) keep their own table
HTML_ROUTES += routes_decisions.HTML_ROUTES
API_ROUTES += routes_decisions.API_ROUTES
