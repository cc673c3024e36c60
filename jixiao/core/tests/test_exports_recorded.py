"""Exports are recorded (issue #11): Word and Excel downloads and every API list page are security
events ``export``; the route walk (tests/test_route_walk.py) checks every download route."""

from jixiao.core.choices import SecurityEventCode
from jixiao.core.models import SecurityEvent


def _exports(user):
    return list(SecurityEvent.objects.filter(actor=user, code=SecurityEventCode.EXPORT).order_by("seq"))


def test_an_api_list_page_is_recorded_as_an_export_with_its_rows(world, login):
    user = world.user("perf_section")
    r = login("perf_section").get("/api/v1/org/agencies?page_size=3&page=2")
    assert r.status_code == 200
    (event,) = _exports(user)
    body = r.json()
    assert event.detail == {"what": "api_list", "rows": len(body["items"]), "path": "/api/v1/org/agencies",
                            "page": 2, "total": body["count"]}
    assert event.region_id == user.region_id and len(body["items"]) == 3


def test_a_download_no_view_recorded_is_recorded_by_the_middleware_and_a_blank_template_is_not(world, login):
    from django.test import RequestFactory

    from jixiao.core.middleware import ExportAuditMiddleware
    from jixiao.core.viewkit import DOCX, file_response

    user = world.user("perf_section")
    request = RequestFactory().get("/somewhere/opinion/")
    request.user = user
    ExportAuditMiddleware(lambda req: file_response(b"x", "临朐县事前绩效评估意见书.docx", DOCX))(request)
    ExportAuditMiddleware(lambda req: file_response(b"x", "项目库导入模板.xlsx", blank=True))(request)
    (event,) = _exports(user)
    assert event.detail == {"what": "download", "rows": None, "file": "临朐县事前绩效评估意见书.docx",
                            "path": "/somewhere/opinion/"}
