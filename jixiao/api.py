"""The API root (django-ninja) at /api/v1/. Session (with CSRF) and token authentication;
OpenAPI at /api/v1/openapi.json — committed as docs/openapi.json and diffed by a test; built once per
process (``JixiaoAPI.get_openapi_schema``)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from jixiao.apiauth import DEFAULT_AUTH
from jixiao.core.apikit import validation_errors
from jixiao.core.errors import ServiceError, StaleVersion, ValidationFailed
from jixiao.core.excel import ImportFailed
from jixiao.core.text import clean_deep


class CleanParser(Parser):
    """JSON bodies as ninja parses them, with every string cleaned of control and zero-width characters
    (jixiao.core.text) — every schema of every route, by construction. Query strings and form fields
    are cleaned by CleanInputMiddleware before they get here."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except RequestDataTooBig:
            raise
        except (ValueError, RecursionError):  # not JSON, a number of 5,000 digits, nesting 10,000 deep
            raise HttpError(400, "请求体无法解析，应为 JSON。")
        return clean_deep(data)


class JixiaoAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema is built once per process (issue #12): building it walks every
    route and pydantic model (~380 ms), and the routes do not change while the process runs. The
    schema is cached per path prefix; ``schema_builds`` counts the builds (the test reads it)."""

    schema_builds = 0

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schema_cache", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
            self.schema_builds += 1
        return cache[path_prefix]


api = JixiaoAPI(
    parser=CleanParser(),
    title="绩效 Jixiao API",
    version="1",
    description="预算绩效管理一体化系统接口。认证：浏览器会话（需 CSRF）或个人令牌 `Authorization: Bearer <token>`。"
    "更新请求须带 `If-Match: <version>`（缺少返回 428），版本过期返回 412。",
    auth=DEFAULT_AUTH,
    urls_namespace="api",
)


@api.exception_handler(ValidationFailed)
def _validation(request, exc: ValidationFailed):
    return api.create_response(request, {"code": exc.code, "message": exc.message, "errors": exc.errors}, status=400)


@api.exception_handler(SchemaValidationError)
def _schema_invalid(request, exc: SchemaValidationError):
    errors = validation_errors(exc.errors) or {"__all__": ["请求无效"]}
    field, messages = next(iter(errors.items()))
    message = messages[0] if field == "__all__" else f"{field}：{messages[0]}"
    return api.create_response(request, {"code": "invalid", "message": message, "errors": errors}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request,
        {"code": "unauthenticated", "message": "请先登录，或在请求头中提供有效的 API 令牌（Authorization: Bearer …）。"},
        status=401,
    )


#: ninja raises these with English text; our own HttpErrors (CSRF) already speak Chinese.
_HTTP_ERRORS = {
    400: ("invalid", "请求体无法解析，应为 JSON。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    default = ("forbidden" if exc.status_code == 403 else f"http_{exc.status_code}", exc.message)
    code, message = _HTTP_ERRORS.get(exc.status_code, default)
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


@api.exception_handler(ImportFailed)
def _import_failed(request, exc: ImportFailed):
    return api.create_response(
        request,
        {"code": exc.code, "message": exc.message,
         "errors": [{"sheet": e.sheet, "row": e.row, "column": e.column, "header": e.header, "message": e.message}
                    for e in exc.report.errors]},
        status=400,
    )


@api.exception_handler(StaleVersion)
def _stale(request, exc: StaleVersion):
    return api.create_response(request, {"code": exc.code, "message": exc.message, "current_version": exc.current},
                               status=412)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    return api.create_response(request, {"code": exc.code, "message": exc.message}, status=exc.status)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    from jixiao.core.middleware import too_large

    return too_large(request)


@api.exception_handler(OverflowError)
def _overflow(request, exc):
    # SQLite's driver cannot bind an integer beyond 64 bits (an id of 10^30 in a path, query or body)
    return api.create_response(request, {"code": "invalid", "message": "数值超出允许范围。"}, status=400)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"code": "forbidden", "message": str(exc) or "无权进行此操作。"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "记录不存在或您无权访问。"}, status=404)


def _register_routers() -> None:
    from jixiao.assessment.api import router as assessment_router
    from jixiao.core.api import router as core_router
    from jixiao.core.api_config import router as config_router
    from jixiao.library.api import router as library_router
    from jixiao.monitoring.api import router as monitoring_router
    from jixiao.monitoring.api_board import router as board_router
    from jixiao.monitoring.api_decisions import router as decisions_router
    from jixiao.monitoring.api_execution import router as execution_router
    from jixiao.org.api import router as org_router
    from jixiao.pools.api import router as pools_router
    from jixiao.projects.api import router as projects_router
    from jixiao.targets.api import router as targets_router
    from jixiao.targets.api_statistics import router as target_statistics_router

    api.add_router("/", core_router)
    api.add_router("/config", config_router)
    api.add_router("/org/", org_router)
    api.add_router("/library/", library_router)
    api.add_router("/projects/", projects_router)
    api.add_router("/pools/", pools_router)
    api.add_router("/assessment/", assessment_router)
    api.add_router("/targets/", targets_router)
    api.add_router("/targets/statistics/", target_statistics_router)
    api.add_router("/monitoring/", execution_router)
    api.add_router("/monitoring/", monitoring_router)
    api.add_router("/monitoring/decisions", decisions_router)
    api.add_router("/monitoring/", board_router)


_register_routers()
