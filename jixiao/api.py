"""The API root (django-ninja) at /api/v1/. Session (with CSRF) and token authentication;
OpenAPI at /api/v1/openapi.json — committed as docs/openapi.json and diffed by a test."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from jixiao.core.errors import ServiceError, StaleVersion, ValidationFailed
from jixiao.core.excel import ImportFailed


class TokenAuth(HttpBearer):
    """``Authorization: Bearer jx_…`` — a personal token created on the API 令牌 page."""

    def authenticate(self, request, token):
        from jixiao.org.services import authenticate_token

        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """Logged-in browser session (CSRF checked on unsafe methods)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="绩效 Jixiao API",
    version="1",
    description="预算绩效管理一体化系统接口。认证：浏览器会话（需 CSRF）或个人令牌 `Authorization: Bearer <token>`。"
    "更新请求须带 `If-Match: <version>`，版本过期返回 412。",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(ValidationFailed)
def _validation(request, exc: ValidationFailed):
    return api.create_response(request, {"code": exc.code, "message": exc.message, "errors": exc.errors}, status=400)


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


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"code": "forbidden", "message": str(exc) or "无权进行此操作。"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": "记录不存在或您无权访问。"}, status=404)


def _register_routers() -> None:
    from jixiao.org.api import router as org_router

    api.add_router("/org/", org_router)


_register_routers()
