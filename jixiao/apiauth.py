"""API authentication, and the per-operation role gate.

Session (with CSRF) or a personal bearer token. An operation that only some roles may call declares
it with ``auth=allowed(Model, action)`` (a CRUD action or one the model declares): the role is refused with 403 right
after authentication — before the request is parsed — so a forbidden caller gets the same answer
whatever it sends, and the rule is visible on the route itself. Row scope stays in the handler
(``get_for_user`` → 404)."""

from __future__ import annotations

from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from jixiao.core.viewkit import require


class _Gated:
    def __init__(self, *args, gate=None, **kwargs):
        self.gate = gate
        super().__init__(*args, **kwargs)

    def _admit(self, user):
        if user is not None and self.gate is not None:
            self.gate(user)  # PermissionDenied → the API's 403 handler
        return user


class TokenAuth(_Gated, HttpBearer):
    """``Authorization: Bearer jx_…`` — a personal token created on the API 令牌 page."""

    def authenticate(self, request, token):
        from jixiao.org.services import authenticate_token

        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return self._admit(user)


class ActiveSessionAuth(_Gated, SessionAuth):
    """Logged-in browser session (CSRF checked on unsafe methods)."""

    def _get_key(self, request):
        # Anonymous callers get 401 (not a CSRF complaint); a logged-in browser must send its CSRF token.
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败：浏览器会话的修改请求须带 X-CSRFToken 请求头（或改用 API 令牌）。")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return self._admit(user if user is not None and user.is_active else None)


def _auth(gate=None) -> list:
    return [TokenAuth(gate=gate), ActiveSessionAuth(gate=gate)]


DEFAULT_AUTH = _auth()


def allowed(model, action: str) -> list:
    """Only roles the model's scope rule allows ``action`` may call the operation."""

    def gate(user):
        require(user, model, action)

    return _auth(gate)

