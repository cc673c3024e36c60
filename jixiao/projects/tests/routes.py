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
#: the declared stage moves (Project.scope.actions): the agency applies and starts work, the
#: performance section decides; another role gets 403 from the move's declaration, another
#: region's performance section (and the province's and the city's) 404
DECIDERS = having(Role.PERFORMANCE_SECTION)
PERF = personas("perf_section")
#: move → (the stage its project is in, who may make it)
MOVES = {
    "submit": ("reserve", CHANGE, EDITORS),
    "return": ("submitted", PERF, DECIDERS),
    "admit": ("reserve", PERF, DECIDERS),
    "budget": ("admitted", PERF, DECIDERS),
    "start": ("budgeted", CHANGE, EDITORS),
    "complete": ("executing", PERF, DECIDERS),
    "terminate": ("reserve", PERF, DECIDERS),
}


def _project(w):
    from jixiao.projects.tests.factories import make_project

    return {"pk": make_project(w).pk}


def _api_project(w):
    return {"id": _project(w)["pk"]}


def _move(action):
    """A project of 第一中学 in the stage ``action`` starts from (its own code per move)."""
    def target(w):
        from jixiao.projects.tests.factories import project_at

        stage = MOVES[action][0]
        code = f"XM2026101001{list(MOVES).index(action) + 70:03d}"
        return {"pk": project_at(w, stage, code=code).pk, "action": action}

    return target


def _api_move(action):
    return lambda w: {"id": _move(action)(w)["pk"], "action": action}


#: what the one who may make the move gets from the API's empty body (If-Match the version they
#: read): a note is required to return or terminate (400); 纳入预算 asks for an approved target
#: sheet (409); the second of two who may is then stale (412)
API_MOVE_STATUS = {"return": 400, "terminate": 400, "budget": 409}


def _hidden(ok, holders):
    """Holders of a role that may do it at all, for whom the object is out of scope: 404."""
    return {p: 404 for p in holders - ok}


def _attachment_owner(w):
    return {"owner": "projects.project", "pk": _project(w)["pk"]}


def _attachment(w):
    """A 申报书 of the project of 第一中学 (uploaded once per world)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.core import attachments
    from jixiao.core.actors import SYSTEM
    from jixiao.projects.tests.factories import make_project

    project = make_project(w)
    existing = attachments.for_owner(project).first()
    if existing is None:
        existing = attachments.upload(actor=SYSTEM, owner=project, kind="application",
                                      file=SimpleUploadedFile("申报书.pdf", b"%PDF-1.7 test"))
    return {"pk": existing.pk}


PROJECT_VIEWER_ROLES = (Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                        Role.PERFORMANCE_SECTION, Role.VIEWER)


HTML_ROUTES = [
    Route("projects:project_list", ok=VIEWERS),
    Route("projects:project_create", ok=EDITORS),
    Route("projects:project_import", ok=EDITORS),
    Route("projects:project_import_template", ok=EDITORS),
    Route("projects:project_detail", supervisors=200, target=_project, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("projects:project_edit", target=_project, ok=CHANGE, overrides=_hidden(CHANGE, EDITORS)),
    Route("projects:project_move", target=lambda w: {**_project(w), "action": "submit"}, ok=frozenset(), denied=405),
    # every move: an empty form is refused with a message (no version), the page redirects back
    *[Route("projects:project_move", "POST", target=_move(a), ok=ok, ok_status=302, overrides=_hidden(ok, holders))
      for a, (_, ok, holders) in MOVES.items()],
    # 附件 (core.attachments) of the project of 第一中学: the project's own scoping decides
    Route("core:attachment_upload", "POST", target=_attachment_owner, ok=CHANGE, ok_status=302,
          overrides=_hidden(CHANGE, having(*PROJECT_VIEWER_ROLES) - SEE), supervisors=403),
    Route("core:attachment_download", target=_attachment, ok=SEE, supervisors=200,
          overrides=_hidden(SEE, having(*PROJECT_VIEWER_ROLES))),
    Route("core:attachment_delete", target=_attachment, ok=frozenset(), denied=405),
]

API_ROUTES = [
    Route("GET /api/v1/projects/", ok=VIEWERS),
    Route("POST /api/v1/projects/", ok=EDITORS, ok_status=400),
    Route("GET /api/v1/projects/{id}", supervisors=200, target=_api_project, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("GET /api/v1/projects/{id}/events", supervisors=200, target=_api_project, ok=SEE, overrides=_hidden(SEE, VIEWERS)),
    Route("PATCH /api/v1/projects/{id}", target=_api_project, ok=CHANGE, overrides=_hidden(CHANGE, EDITORS)),
    # the preparer (first in the walk) applies (starts) with version 1; the performance section's
    # If-Match "1" is then stale
    *[Route("POST /api/v1/projects/{id}/moves/{action}", target=_api_move(a), ok=ok,
            ok_status=API_MOVE_STATUS.get(a, 200),
            overrides={**_hidden(ok, holders), **({"perf_section": 412} if ok == CHANGE else {})})
      for a, (_, ok, holders) in MOVES.items()],
]
