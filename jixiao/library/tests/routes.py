"""Route table of the indicator library for the route-walk meta-test (tests/test_route_walk.py).

Every business role reads the library (national templates and its own region's); the administrators
(三员) do not. Only the performance section writes, and only its own region's templates: a national
template is outside every editor's change scope (404 on edit), while copying it is allowed."""

from __future__ import annotations

from tests.routes import ADMINS, ALL, Route, having, with_far

READERS = ALL - having("system_admin", "security_admin", "audit_admin")
EDITORS = with_far("perf_section")
assert not (READERS & ADMINS)


def _regional(w):
    """A template of the home region (临朐县), made through the service on first use."""
    from jixiao.core.actors import SYSTEM
    from jixiao.library import services
    from jixiao.library.models import IndicatorTemplate

    region = w.regions["370724"]
    t = IndicatorTemplate.objects.filter(region=region, name="临朐县校园安全设施配备率").first()
    if t is None:
        t = services.create_template(actor=SYSTEM, region=region, name="临朐县校园安全设施配备率", level1="output",
                                     level2="quality", operator="ge", typical_value="95", unit="%")
    return {"pk": t.pk}


def _national(w):
    from jixiao.library.models import IndicatorTemplate

    return {"pk": IndicatorTemplate.objects.filter(region__isnull=True).order_by("pk").first().pk}


def _api(target):
    return lambda w: {"id": target(w)["pk"]}


HOME_READERS = READERS - {u for u in READERS if u.startswith("far_")}

HTML_ROUTES: list[Route] = [
    Route("library:template_list", ok=READERS),
    Route("library:template_create", ok=EDITORS),
    Route("library:template_import", ok=EDITORS),
    Route("library:template_import_template", ok=EDITORS),
    Route("library:template_detail", target=_regional, ok=HOME_READERS, denied=404,
          overrides={u: 403 for u in ADMINS | with_far("sysadmin", "secadmin", "auditor")}),
    Route("library:template_edit", target=_regional, ok=frozenset({"perf_section"}),
          overrides={"far_perf_section": 404}),
    Route("library:template_copy", target=_national, ok=frozenset(), denied=405),
    Route("library:template_copy", "POST", target=_national, ok=EDITORS, ok_status=302),
    Route("library:suggest", ok=READERS),
    Route("library:framework_list", ok=READERS),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/library/templates", ok=READERS),
    Route("POST /api/v1/library/templates", ok=EDITORS, ok_status=400),
    Route("GET /api/v1/library/templates/{id}", target=_api(_regional), ok=HOME_READERS, denied=404,
          overrides={u: 403 for u in with_far("sysadmin", "secadmin", "auditor")}),
    Route("PATCH /api/v1/library/templates/{id}", target=_api(_regional), ok=frozenset({"perf_section"}),
          overrides={"far_perf_section": 404}),
    Route("POST /api/v1/library/templates/{id}/copy", target=_api(_national), ok=EDITORS, ok_status=201),
    Route("GET /api/v1/library/suggest", ok=READERS),
    Route("GET /api/v1/library/taxonomy", ok=READERS),
]
