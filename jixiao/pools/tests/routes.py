"""F9 route table for the route-walk meta-test (tests/test_route_walk.py)."""

from jixiao.pools.tests.helpers import ensure_pool
from tests.routes import Route, far_404, having, personas, with_far

VIEWERS = having("section_reviewer", "performance_section", "viewer")
HOME_VIEWERS = personas("section_reviewer", "section_reviewer_agri", "perf_section", "leader")
FAR_VIEWERS = far_404("section_reviewer", "perf_section", "leader")
EDITORS = with_far("perf_section")
ASSIGNED = personas("expert", "firm")


def _expert(w):
    return {"pk": ensure_pool(w)["experts"]["赵明远"].pk}


def _firm(w):
    return {"pk": ensure_pool(w)["firm"].pk}


def _draw(w):
    return {"pk": ensure_pool(w)["draw"].pk}


def _mine(w):
    return {"pk": ensure_pool(w)["mine"].pk}


def _api(target):
    return lambda w: {"id": target(w)["pk"]}


HTML_ROUTES = [
    Route("pools:index", ok=VIEWERS | ASSIGNED, ok_status=302),
    Route("pools:expert_list", ok=VIEWERS),
    Route("pools:expert_create", ok=EDITORS),
    Route("pools:expert_import", ok=EDITORS),
    Route("pools:expert_import_template", ok=EDITORS),
    Route("pools:expert_detail", supervisors=200, target=_expert, ok=HOME_VIEWERS, overrides=FAR_VIEWERS),
    Route("pools:expert_edit", target=_expert, ok=personas("perf_section"), overrides=far_404("perf_section")),
    Route("pools:firm_list", ok=VIEWERS),
    Route("pools:firm_create", ok=EDITORS),
    Route("pools:firm_import", ok=EDITORS),
    Route("pools:firm_import_template", ok=EDITORS),
    Route("pools:firm_detail", supervisors=200, target=_firm, ok=HOME_VIEWERS, overrides=FAR_VIEWERS),
    Route("pools:firm_edit", target=_firm, ok=personas("perf_section"), overrides=far_404("perf_section")),
    Route("pools:firm_record_create", target=_firm, ok=personas("perf_section"), overrides=far_404("perf_section")),
    Route("pools:draw_list", ok=VIEWERS),
    Route("pools:draw_create", ok=EDITORS),
    Route("pools:draw_detail", supervisors=200, target=_draw, ok=HOME_VIEWERS, overrides=FAR_VIEWERS),
    Route("pools:draw_verify", supervisors=200, target=_draw, ok=HOME_VIEWERS, overrides=FAR_VIEWERS),
    Route("pools:drawn_accept", target=_mine, ok=frozenset(), denied=405),
    # only the drawn expert accepts; the performance section may not accept for them
    Route("pools:drawn_accept", "POST", target=_mine, ok=personas("expert"), ok_status=302,
          overrides=far_404("perf_section")),
    Route("pools:drawn_decline", target=_mine, ok=frozenset(), denied=405),
    # an empty form (no reason) is sent back with a message: nothing changes
    Route("pools:drawn_decline", "POST", target=_mine, ok=personas("expert", "perf_section"), ok_status=302,
          overrides=far_404("perf_section")),
    Route("pools:my_tasks", ok=ASSIGNED),
]

API_ROUTES = [
    Route("GET /api/v1/pools/experts", ok=VIEWERS),
    Route("POST /api/v1/pools/experts", ok=EDITORS, ok_status=400),
    Route("GET /api/v1/pools/experts/{id}", supervisors=200, target=_api(_expert), ok=HOME_VIEWERS, overrides=FAR_VIEWERS),
    Route("PATCH /api/v1/pools/experts/{id}", target=_api(_expert), ok=personas("perf_section"),
          overrides=far_404("perf_section")),
    Route("GET /api/v1/pools/firms", ok=VIEWERS),
    Route("POST /api/v1/pools/firms", ok=EDITORS, ok_status=400),
    Route("GET /api/v1/pools/firms/{id}", supervisors=200, target=_api(_firm), ok=HOME_VIEWERS, overrides=FAR_VIEWERS),
    Route("PATCH /api/v1/pools/firms/{id}", target=_api(_firm), ok=personas("perf_section"),
          overrides=far_404("perf_section")),
    Route("GET /api/v1/pools/draws", ok=VIEWERS),
    Route("POST /api/v1/pools/draws", ok=EDITORS, ok_status=400),
    Route("GET /api/v1/pools/draws/{id}", supervisors=200, target=_api(_draw), ok=HOME_VIEWERS, overrides=FAR_VIEWERS),
    Route("GET /api/v1/pools/draws/{id}/verify", supervisors=200, target=_api(_draw), ok=HOME_VIEWERS,
          overrides=FAR_VIEWERS),
    Route("POST /api/v1/pools/drawn/{id}/accept", target=_api(_mine), ok=personas("expert"),
          overrides=far_404("perf_section")),
    # the body is checked before the row: an empty body is refused with field errors
    Route("POST /api/v1/pools/drawn/{id}/decline", target=_api(_mine), ok=EDITORS | {"expert"}, ok_status=400),
    Route("GET /api/v1/pools/my-tasks", ok=ASSIGNED),
]
