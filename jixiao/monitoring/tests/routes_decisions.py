"""Route table of finance decisions (监控结果应用) for the route-walk meta-test."""

from __future__ import annotations

from decimal import Decimal

from jixiao.core.roles import Role
from tests.routes import Route, having, personas


def _running(w):
    from jixiao.projects.tests.factories import project_at

    return project_at(w, "executing", code="XM-ROUTE-DEC", budget_amount=Decimal("1000000"))


def _project(w):
    return {"pk": _running(w).pk}


def _suspension(w):
    from jixiao.core.actors import SYSTEM
    from jixiao.monitoring.models import Decision
    from jixiao.monitoring.services import decide

    project = _running(w)
    d = Decision.objects.filter(project=project, kind="suspend").first() or decide(
        actor=SYSTEM, project=project, kind="suspend", reason="偏差超过阈值")
    return {"pk": d.pk}


#: who reads decisions: whoever reads the projects (any region, each its own)
READERS = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                 Role.PERFORMANCE_SECTION, Role.VIEWER)
#: who decides and lifts: the performance section (declared ``decide`` / ``lift``), on its own county's projects
DECIDERS = having(Role.PERFORMANCE_SECTION)
HOME_DECIDER = personas("perf_section")

HTML_ROUTES = [
    Route("monitoring:decision_list", ok=READERS),
    Route("monitoring:decision_create", target=_project, ok=HOME_DECIDER,
          overrides={p: 404 for p in DECIDERS - HOME_DECIDER}),
    Route("monitoring:decision_lift", target=_suspension, ok=HOME_DECIDER,
          overrides={p: 404 for p in DECIDERS - HOME_DECIDER}),
]


def _api(target):
    return lambda w: {"id": target(w)["pk"]}


API_ROUTES = [
    Route("GET /api/v1/monitoring/decisions", ok=READERS),
    Route("GET /api/v1/monitoring/decisions/statistics", ok=READERS),
    # an empty body is refused (400) for every role that may decide at all
    Route("POST /api/v1/monitoring/decisions", ok=DECIDERS, ok_status=400),
    Route("POST /api/v1/monitoring/decisions/{id}/lift", target=_api(_suspension), ok=DECIDERS, ok_status=400),
]
