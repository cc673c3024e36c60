import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


class IdleTimeoutMiddleware:
    """Log a user out after JIXIAO_IDLE_TIMEOUT_MINUTES without a request (F14 session timeout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen")
            if last and now - last > settings.JIXIAO_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, "您已长时间未操作，为安全起见已自动退出，请重新登录。")
            else:
                request.session["last_seen"] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script: every asset is vendored under static/), a
    Permissions-Policy, and no caching of pages that carry a user's data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


_UNCLEANED_KEYS = ("password", "csrfmiddlewaretoken")


def _cleaned(querydict):
    """A QueryDict without control / zero-width characters (passwords left exactly as typed)."""
    from jixiao.core.text import clean

    dirty = False
    for key, values in querydict.lists():
        if any(k in key for k in _UNCLEANED_KEYS):
            continue
        if clean(key) != key or any(clean(v) != v for v in values if isinstance(v, str)):
            dirty = True
            break
    if not dirty:
        return querydict
    copy = querydict.copy()
    for key in list(copy.keys()):
        if any(k in key for k in _UNCLEANED_KEYS):
            continue
        values = [clean(v) if isinstance(v, str) else v for v in copy.getlist(key)]
        del copy[key]
        copy.setlist(clean(key), values)
    copy._mutable = False
    return copy


class CleanInputMiddleware:
    """Every form field and query parameter of every request without C0/C1 control and zero-width
    characters (jixiao.core.text), before any view or form sees it — by construction, not per field.
    JSON bodies are cleaned by the API's parser (jixiao.api). A body over DATA_UPLOAD_MAX_MEMORY_SIZE
    answers 413 (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

        try:
            if request.GET:
                request.GET = _cleaned(request.GET)
            if request.method in ("POST", "PUT", "PATCH") and request.content_type in (
                    "application/x-www-form-urlencoded", "multipart/form-data"):
                request.POST = _cleaned(request.POST)
        except RequestDataTooBig:
            return too_large(request)
        except TooManyFieldsSent:
            return too_many_fields(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # SQLite's driver cannot bind an integer beyond 64 bits: an id of 10^30 in a form or a URL is bad
        # input (400), not a server error. (The API answers the same in JSON, jixiao.api.)
        if isinstance(exception, OverflowError):
            from django.http import HttpResponse

            return HttpResponse("<!doctype html><meta charset='utf-8'><title>请求无效</title><p>数值超出允许范围。</p>",
                                status=400, content_type="text/html; charset=utf-8")
        return None


def too_many_fields(request):
    """400: a form with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (JSON under /api/)."""
    from django.http import JsonResponse
    from django.shortcuts import render

    message = (f"表单字段过多（每次最多提交 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个字段；"
               "一张目标表最多 200 项指标），未保存任何内容。")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_many_fields", "message": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def too_large(request):
    from django.http import HttpResponse, JsonResponse

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = f"请求过大（请求体最多 {limit} MB，表单字段最多 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个）。"
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_large", "message": message}, status=413)
    return HttpResponse(f"<!doctype html><meta charset='utf-8'><title>请求过大</title><p>{message}</p>",
                        status=413, content_type="text/html; charset=utf-8")


#: both of Django's technical debug pages (technical_404.html, technical_500.html) carry this line
_TECHNICAL_PAGE = b'<meta name="robots" content="NONE,NOARCHIVE">'


class ChinesePagesInDebugMiddleware:
    """Under JIXIAO_DEBUG=1 (``make run``) Django answers an unknown page or a bad request with its own
    English debug page instead of handler404/handler400. A user trying the system locally should meet
    the same Chinese 404/400 pages as in production: this puts them back. The API (``/api/``) keeps
    its JSON answers; with DEBUG off Django already calls the handlers and this does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code in (400, 404) and not request.path.startswith("/api/")
                and not getattr(response, "streaming", False) and _TECHNICAL_PAGE in response.content[:4000]):
            from jixiao.core import views

            return (views.not_found if response.status_code == 404 else views.bad_request)(request)
        return response
