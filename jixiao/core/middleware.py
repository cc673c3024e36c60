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


#: what an account that must change its password may still reach: the change itself, logging out, files
PASSWORD_CHANGE_OPEN = ("/password/", "/logout/", "/static/")
PASSWORD_CHANGE_REQUIRED = "管理员重置了您的密码：请先修改密码，修改后才能继续使用系统。"


class PasswordChangeRequiredMiddleware:
    """After an administrator reset (or chose) a password, the account can do nothing but change it
    (issue #11): every page redirects to 修改密码, every API call answers 403 with the reason. API
    tokens of such an account do not authenticate at all (``org.services.token_usable``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import JsonResponse
        from django.shortcuts import redirect

        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and getattr(user, "must_change_password", False)
                and not request.path.startswith(PASSWORD_CHANGE_OPEN)):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "password_change_required", "message": PASSWORD_CHANGE_REQUIRED},
                                    status=403)
            messages.warning(request, PASSWORD_CHANGE_REQUIRED)
            return redirect("password_change")
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
    JSON bodies are cleaned by the API's parser (jixiao.api). Parsing here first is also where Django's
    request limits trip, so each gets its Chinese answer (JSON under /api/) before anything runs: a
    body over DATA_UPLOAD_MAX_MEMORY_SIZE 413, more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields or
    DATA_UPLOAD_MAX_NUMBER_FILES files 400, a multipart body that cannot be parsed 400 — never Django's
    English page, with or without DEBUG."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
        from django.http import UnreadablePostError
        from django.http.multipartparser import MultiPartParserError

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
        except TooManyFilesSent:
            return too_many_files(request)
        except (MultiPartParserError, UnreadablePostError):
            return unreadable_body(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # SQLite's driver cannot bind an integer beyond 64 bits: an id of 10^30 in a form or a URL is bad
        # input (400), not a server error. (The API answers the same in JSON, jixiao.api.)
        if isinstance(exception, OverflowError):
            from django.http import HttpResponse

            return HttpResponse("<!doctype html><meta charset='utf-8'><title>请求无效</title><p>数值超出允许范围。</p>",
                                status=400, content_type="text/html; charset=utf-8")
        return None


def _request_refused(request, *, status: int, code: str, heading: str, message: str):
    """The Chinese answer to a request refused before any view ran: the standalone error page (the
    session and the user may not be known yet), JSON ``{code, message}`` under /api/."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, "400.html", {"heading": heading, "message": message}, status=status)


def too_many_fields(request):
    """400: a form (or query string) with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS."""
    return _request_refused(request, status=400, code="too_many_fields", heading="表单内容过多（400）", message=(
        f"表单字段过多（每次最多提交 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个字段），未保存任何内容。"
        "请返回上一页，分批填写或改用 Excel 导入。"))


def too_many_files(request):
    """400: more files in one request than DATA_UPLOAD_MAX_NUMBER_FILES."""
    return _request_refused(request, status=400, code="too_many_files", heading="文件过多（400）", message=(
        f"一次上传的文件过多（最多 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个），未保存任何内容。请分批上传。"))


def unreadable_body(request):
    """400: a form body that cannot be parsed (a multipart body without or with a broken boundary, a
    body cut off in transit)."""
    return _request_refused(request, status=400, code="bad_request", heading="请求无效（400）", message=(
        "请求的表单内容无法解析（格式不完整或已损坏），未保存任何内容。请重新提交。"))


def too_large(request):
    """413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (JIXIAO_MAX_BODY_MB)."""
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    limit = f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size} 字节"
    return _request_refused(request, status=413, code="too_large", heading="请求过大（413）", message=(
        f"请求过大（请求体最多 {limit}，表单字段最多 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个），未保存任何内容。"))


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


class MissingSlashMiddleware:
    """A POST (PUT, PATCH, DELETE) to a page address written without its trailing slash. Django's
    APPEND_SLASH can only redirect, which turns the POST into a GET and drops what was sent — under
    DEBUG it raises instead (an English 500). Answer the mistake plainly, before CommonMiddleware: the
    Chinese 400 page naming the right address (JSON under /api/), nothing done. GET and HEAD keep
    Django's redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") and settings.APPEND_SLASH and not request.path_info.endswith("/"):
            from django.urls import is_valid_path

            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(request.path_info, urlconf) and is_valid_path(request.path_info + "/", urlconf):
                return missing_slash(request)
        return self.get_response(request)


def missing_slash(request):
    from django.http import JsonResponse
    from django.shortcuts import render

    right = request.path + "/"
    message = f"地址应以“/”结尾：{right}（{request.method} 请求不能自动转到正确地址，未处理任何内容）。"
    if request.path.startswith("/api/") or request.path == "/api":
        return JsonResponse({"code": "not_found", "message": f"接口不存在；{message}"}, status=404)
    return render(request, "400.html", {"message": message}, status=400)


class ApiJsonErrorsMiddleware:
    """Everything under /api/ answers JSON, errors included: an answer of 400 or more that is not JSON
    (ninja's plain-text "Method not allowed" for a method the route does not take, a page-style
    handler's HTML) becomes ``{"code", "message"}`` in Chinese with the same status (and ``Allow``)."""

    CODES = {400: ("bad_request", "请求的格式不正确，未处理。"), 401: ("unauthorized", "请先登录或提供 API 令牌。"),
             403: ("forbidden", "您的角色无权进行此操作。"), 404: ("not_found", "接口不存在。"),
             405: ("method_not_allowed", "该接口不支持 {method} 方法{allow}。"),
             413: ("too_large", "请求过大。"), 500: ("server_error", "服务器内部错误，请稍后重试或联系系统管理员。")}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code >= 400 and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            from django.http import JsonResponse

            code, message = self.CODES.get(response.status_code, self.CODES[500 if response.status_code >= 500 else 400])
            allow = response.get("Allow", "")
            message = message.format(method=request.method, allow=f"（可用：{allow}）" if allow else "")
            out = JsonResponse({"code": code, "message": message}, status=response.status_code)
            if allow:
                out["Allow"] = allow
            return out
        return response


def download_name(response) -> str:
    """The file name of an attachment response (``filename*=UTF-8''…`` or ``filename="…"``)."""
    from urllib.parse import unquote

    value = response.get("Content-Disposition", "")
    for part in value.split(";"):
        key, _, name = part.strip().partition("=")
        if key == "filename*":
            return unquote(name.split("''", 1)[-1])
        if key == "filename":
            return name.strip('"')
    return ""


class ExportAuditMiddleware:
    """Every file a signed-in user downloads — Excel exports, Word documents (事前评估意见书), job results,
    attachments, the audit anchor, through a page or the API — is a security event ``export``, by
    construction: a download the view did not record itself (``audit.record_export``, with what and
    how many rows) is recorded here with its file name and address. Empty import templates
    (``viewkit.file_response(blank=True)``) hold no data and are not exports."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (response.status_code == 200 and response.get("Content-Disposition", "").startswith("attachment")
                and not getattr(response, "jixiao_blank", False)
                and not getattr(request, "jixiao_export_recorded", False)
                and user is not None and user.is_authenticated):
            from jixiao.core import audit

            audit.record_export(request, "download", None, file=download_name(response)[:200],
                                path=request.path[:300])
        return response
