"""The route table the meta-test walks: every URL pattern and every API operation, with the status
each persona must get. A route missing from this table fails the meta-test, so a new page cannot be
added without deciding who may reach it.

Each entry: ``Route(key, method, target, ok, denied, overrides)`` where ``target(world)`` gives the
URL kwargs (objects in the home region), ``ok`` the personas that succeed (status ``ok_status``),
``denied`` the status every other logged-in persona gets (403 for a role that may not do it at all,
404 for an object outside the persona's scope), ``overrides`` exceptions by persona, and anonymous
users are sent to the login page (HTML) or get 401 (API) unless ``anonymous`` says otherwise.

The province's and the city's performance division (``personas.SUPERVISORS``, issue #12) get what
the other region's performance section gets — the same role outside the county: through on a
role-level route, 404 on the home county's objects — unless the route names them in ``ok`` or sets
``supervisors`` (the status of a read of a home-county object they see from above: 200).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jixiao.org.personas import PERSONAS, SUPERVISORS

ALL = frozenset(p.username for p in PERSONAS)
FAR = frozenset(u for u in ALL if u.startswith("far_"))
HOME = ALL - FAR - SUPERVISORS


def personas(*names: str) -> frozenset[str]:
    return frozenset(names)


def with_far(*names: str) -> frozenset[str]:
    """The named home personas plus their other-region counterparts (a role-level permission:
    everyone with the role gets through, each in their own region)."""
    out = set(names)
    for n in names:
        if f"far_{n}" in ALL:
            out.add(f"far_{n}")
    return frozenset(out)


def having(*roles: str) -> frozenset[str]:
    """Every persona (any region) whose role is one of ``roles``."""
    return frozenset(p.username for p in PERSONAS if p.role in roles)


def far_404(*names: str) -> dict[str, int]:
    """The other region's holders of a role that may do the action: the object is out of their
    scope (404), while every role that may not do it at all gets 403."""
    return {f"far_{n}": 404 for n in names}


ADMINS = personas("sysadmin", "secadmin", "auditor")
AGENCY_VIEWERS_HOME = personas(
    "preparer", "unit_head", "dept_reviewer", "section_reviewer", "perf_section", "leader", "sysadmin", "secadmin",
    "auditor", "section_reviewer_agri",
)
ALL_BUT_ASSIGNED = ALL - {"expert", "firm"}


@dataclass(frozen=True)
class Route:
    key: str
    method: str = "GET"
    target: Callable | None = None
    ok: frozenset[str] = frozenset()
    denied: int = 403
    ok_status: int = 200
    overrides: dict[str, int] = field(default_factory=dict)
    anonymous: int | None = None  # None: 302 to login for HTML, 401 for API
    supervisors: int | None = None  # None: as far_perf_section

    def expected(self, persona: str) -> int:
        if persona in SUPERVISORS and self.supervisors is not None:
            return self.supervisors
        if persona in self.overrides:
            return self.overrides[persona]
        if persona in SUPERVISORS and persona not in self.ok:
            return self.expected("far_perf_section")
        return self.ok_status if persona in self.ok else self.denied


def _agency(w):
    return {"pk": w.agency("101001").pk}


def _section(w):
    return {"pk": w.section("S01").pk}


def _user(w):
    return {"pk": w.user("preparer").pk}


def _config(w):
    from jixiao.core.models import RegionConfig

    return {"pk": RegionConfig.objects.get(region=w.regions["370724"], year=2026, key="rating_bands").pk}


def _review(w):
    """The review of a draft target sheet of 临朐县第一中学 (nothing to assign: the page says so)."""
    from jixiao.targets.services import review_of
    from jixiao.targets.tests.factories import make_sheet

    return {"pk": review_of(make_sheet(w)).pk}


def _job(w):
    return {"pk": w.extras["job"].pk}


CONFIG_READERS = with_far("perf_section", "section_reviewer", "leader", "sysadmin") | {"section_reviewer_agri"}

HTML_ROUTES: list[Route] = [
    Route("home", ok=ALL),
    Route("login", ok=frozenset(), denied=302, anonymous=200),
    Route("logout", ok=frozenset(), denied=405, anonymous=405),
    Route("logout", "POST", ok=ALL, ok_status=302, anonymous=302),
    Route("password_change", ok=ALL),
    Route("help", ok=ALL),
    Route("area", target=lambda w: {"code": "library"}, denied=404,
          ok=ALL - having("system_admin", "security_admin", "audit_admin")),
    Route("org:agency_list", ok=ALL_BUT_ASSIGNED),
    Route("org:agency_create", ok=with_far("sysadmin", "perf_section")),
    Route("org:agency_import", ok=with_far("sysadmin", "perf_section")),
    Route("org:agency_import_template", ok=with_far("sysadmin", "perf_section")),
    Route("org:agency_detail", supervisors=200, target=_agency, ok=AGENCY_VIEWERS_HOME, denied=404,
          overrides={"expert": 403, "firm": 403}),
    Route("org:agency_edit", target=_agency, ok=personas("sysadmin", "perf_section"),
          overrides=far_404("sysadmin", "perf_section")),
    Route("org:section_list", ok=with_far("section_reviewer", "perf_section", "leader", "sysadmin", "secadmin")
          | {"section_reviewer_agri"}),
    Route("org:section_create", ok=with_far("sysadmin", "perf_section")),
    Route("org:section_detail", supervisors=200, target=_section,
          ok=personas("section_reviewer", "section_reviewer_agri", "perf_section", "leader", "sysadmin", "secadmin"),
          overrides=far_404("section_reviewer", "perf_section", "leader", "sysadmin", "secadmin")),
    Route("org:section_edit", target=_section, ok=personas("sysadmin", "perf_section"),
          overrides=far_404("sysadmin", "perf_section")),
    Route("org:user_list", ok=with_far("sysadmin", "secadmin")),
    Route("org:user_create", ok=with_far("sysadmin")),
    Route("org:user_import", ok=with_far("sysadmin")),
    Route("org:user_import_template", ok=with_far("sysadmin")),
    Route("org:user_detail", target=_user, ok=personas("sysadmin", "secadmin"), overrides=far_404("sysadmin", "secadmin")),
    Route("org:user_edit", target=_user, ok=personas("sysadmin"), overrides={"far_sysadmin": 404}),
    Route("org:user_role", target=_user, ok=personas("secadmin"), overrides={"far_secadmin": 404}),
    Route("org:user_unlock", target=_user, ok=frozenset(), denied=405),
    Route("org:user_unlock", "POST", target=_user, ok=personas("secadmin"), ok_status=302,
          overrides=far_404("secadmin")),
    Route("org:user_password", target=_user, ok=personas("sysadmin"), overrides=far_404("sysadmin")),
    Route("org:token_list", ok=ALL),
    Route("core:inbox", ok=ALL),
    # 指定审核人: the performance section's (declared action of Review); the other region's is out of scope
    Route("core:review_assign", target=_review, ok=personas("perf_section"), overrides=far_404("perf_section")),
    Route("core:review_assign", "POST", target=_review, ok=personas("perf_section"),
          overrides=far_404("perf_section")),
    Route("core:config_list", ok=CONFIG_READERS),
    Route("core:config_seed", ok=frozenset(), denied=405),
    Route("core:config_seed", "POST", ok=with_far("perf_section"), ok_status=302),
    Route("core:config_edit", target=_config, ok=personas("perf_section"), denied=404),
    Route("core:change_log", ok=with_far("auditor")),
    Route("core:security_events", ok=with_far("auditor", "secadmin")),
    Route("core:audit_verify", ok=frozenset(), denied=405),
    Route("core:audit_verify", "POST", ok=with_far("auditor")),
    Route("core:audit_anchor", ok=with_far("auditor")),
    Route("core:job_detail", target=_job, ok=personas("preparer"), denied=404),
    Route("core:job_download", target=_job, ok=personas("preparer"), denied=404),
    # the caller's own last failed import (in the session): nobody has one in the walk
    Route("core:import_errors", ok=frozenset(), denied=404),
    Route("api_not_found", ok=frozenset(), denied=404, anonymous=404),  # JSON 404 for any unknown /api/ path
    Route("api:openapi-json", ok=ALL, anonymous=200),
    Route("api:openapi-view", ok=ALL, anonymous=200),
]

def _region(w):
    return {"id": w.regions["370724"].pk}


def _api(target):
    """API paths name their key ``id``."""
    return lambda w: {"id": target(w)["pk"]}


ORG_EDITORS = with_far("sysadmin", "perf_section")
SECTION_VIEWERS = with_far("section_reviewer", "perf_section", "leader", "sysadmin", "secadmin") | {
    "section_reviewer_agri"}

#: API operations by "METHOD /api/v1/path-template". Unsafe methods are sent with an empty JSON
#: body ``{}`` and the record's current ETag as If-Match, so a permitted create answers 400 (the
#: body is refused with field errors — the API tests cover successful writes) and a permitted
#: update answers 200.
API_ROUTES: list[Route] = [
    Route("GET /api/v1/inbox", ok=ALL),
    Route("GET /api/v1/jobs/{id}", target=_api(_job), ok=personas("preparer"), denied=404),
    Route("GET /api/v1/config", ok=CONFIG_READERS),
    Route("GET /api/v1/config/{id}", target=_api(_config), supervisors=200,
          ok=personas("perf_section", "section_reviewer", "leader", "sysadmin", "section_reviewer_agri"),
          overrides=far_404("perf_section", "section_reviewer", "leader", "sysadmin")),
    # an empty body is refused (400); the walk's If-Match is the record's ETag
    Route("PUT /api/v1/config/{id}", target=_api(_config), ok=personas("perf_section"), ok_status=400,
          overrides=far_404("perf_section")),
    Route("GET /api/v1/org/me", ok=ALL),
    Route("GET /api/v1/org/regions", ok=ALL),
    Route("GET /api/v1/org/regions/{id}", supervisors=200, target=_region, ok=HOME, denied=404),
    Route("GET /api/v1/org/agencies", ok=ALL_BUT_ASSIGNED),
    Route("POST /api/v1/org/agencies", ok=ORG_EDITORS, ok_status=400),
    Route("GET /api/v1/org/agencies/{id}", supervisors=200, target=_api(_agency), ok=AGENCY_VIEWERS_HOME, denied=404),
    Route("PATCH /api/v1/org/agencies/{id}", target=_api(_agency), ok=personas("sysadmin", "perf_section"),
          overrides={"far_sysadmin": 404, "far_perf_section": 404}),
    Route("GET /api/v1/org/sections", ok=SECTION_VIEWERS),
    Route("POST /api/v1/org/sections", ok=ORG_EDITORS, ok_status=400),
    Route("GET /api/v1/org/sections/{id}", supervisors=200, target=_api(_section), denied=404,
          ok=personas("section_reviewer", "section_reviewer_agri", "perf_section", "leader", "sysadmin", "secadmin")),
    Route("PATCH /api/v1/org/sections/{id}", target=_api(_section), ok=personas("sysadmin", "perf_section"),
          overrides={"far_sysadmin": 404, "far_perf_section": 404}),
    Route("GET /api/v1/org/users", ok=with_far("sysadmin", "secadmin")),
    Route("POST /api/v1/org/users", ok=with_far("sysadmin"), ok_status=400),
    Route("GET /api/v1/org/users/{id}", target=_api(_user), ok=personas("sysadmin", "secadmin"), denied=404),
    Route("PATCH /api/v1/org/users/{id}", target=_api(_user), ok=personas("sysadmin"),
          overrides={"far_sysadmin": 404}),
    Route("POST /api/v1/org/users/{id}/role", target=_api(_user), ok=with_far("secadmin"), ok_status=400),
]


def _collect_app_routes() -> None:
    """Each later app keeps its own table in ``jixiao/<app>/tests/routes.py`` (``HTML_ROUTES`` and
    ``API_ROUTES`` lists of :class:`Route`); the meta-test walks them all. Org and core are above."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for app in apps.get_app_configs():
        if app.name in ("jixiao.core", "jixiao.org") or not app.name.startswith("jixiao."):
            continue
        if find_spec(f"{app.name}.tests") is None or find_spec(f"{app.name}.tests.routes") is None:
            continue
        module = import_module(f"{app.name}.tests.routes")
        HTML_ROUTES.extend(getattr(module, "HTML_ROUTES", []))
        API_ROUTES.extend(getattr(module, "API_ROUTES", []))


_collect_app_routes()
