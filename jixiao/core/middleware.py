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
