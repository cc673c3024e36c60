"""Helpers shared by the API routers — the ninja counterpart of viewkit: ``If-Match`` / ``ETag``,
ids in request bodies resolved through the caller's scope, the error schemas, pagination, and the
Chinese wording of schema-validation errors."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from jixiao.core.concurrency import parse_if_match
from jixiao.core.errors import ServiceError, ValidationFailed

#: the highest page number (and page size) a list accepts: 1,000,000 × 500 rows is more than any install has
MAX_PAGE = 1_000_000


class PreconditionRequired(ServiceError):
    """An update without ``If-Match``: refusing it (RFC 6585, 428) is what makes lost updates
    impossible rather than merely unlikely."""

    status = 428
    code = "precondition_required"


class ErrorOut(Schema):
    code: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: dict[str, list[str]] = {}


class StaleOut(ErrorOut):
    current_version: int


#: Documented error answers, merged into each operation's ``response=``.
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
CREATE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut}
UPDATE_ERRORS: dict[int, Any] = {**CREATE_ERRORS, 404: ErrorOut, 412: StaleOut, 428: ErrorOut}


class Pages(PageNumberPagination):
    """``?page=&page_size=``; a bounded page so one request cannot read a whole province, and a bounded
    page number (``?page=9223372036854775807`` is a 400, not an offset the database cannot bind)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=500, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        """Every list page read through the API is a bulk read, recorded as an export (security event
        ``export``, what=api_list: the address, the page and its rows) — the API serves programs, and
        a program paging through a region is an extraction however small its pages."""
        from jixiao.core import audit

        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = result["items"]
        result["items"] = items = list(items)
        audit.record_export(request, "api_list", len(items), path=request.path[:300], page=pagination.page,
                            total=result["count"])
        return result


def if_match(request) -> int:
    """The version the client edits, from ``If-Match: "<version>"``; refused with 428 when absent."""
    version = parse_if_match(request.headers.get("If-Match"))
    if version is None:
        raise PreconditionRequired(
            "更新请求须在请求头 If-Match 中给出所编辑记录的版本号（先读取记录，取其 ETag 或 version）。"
        )
    return version


def with_etag(response, obj):
    """Set ``ETag: "<version>"`` on the answer and return ``obj`` (for ``return with_etag(...)``)."""
    response["ETag"] = f'"{obj.version}"'
    return obj


def ref(queryset_or_model, user, pk: int | None, *, field: str, label: str):
    """An id in a request body → the record, looked up within what the caller may see. A missing id
    and a foreign one read the same, as a field error (never a hint that the row exists)."""
    if pk is None:
        return None
    qs = queryset_or_model.objects.all() if isinstance(queryset_or_model, type) else queryset_or_model
    obj = qs.for_user(user, "view").filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed({field: [f"{label}（id {pk}）不存在或不在您的权限范围内"]})
    return obj


def refs(queryset_or_model, user, pks, *, field: str, label: str) -> list:
    qs = queryset_or_model.objects.all() if isinstance(queryset_or_model, type) else queryset_or_model
    wanted = list(dict.fromkeys(pks))
    found = {o.pk: o for o in qs.for_user(user, "view").filter(pk__in=wanted)}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationFailed({field: [f"{label}（id {'、'.join(missing)}）不存在或不在您的权限范围内"]})
    return [found[pk] for pk in wanted]


# --- schema validation errors in Chinese -----------------------------------------------------------

_MESSAGES = {
    "missing": "此项为必填项",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为布尔值（true/false）",
    "bool_parsing": "应为布尔值（true/false）",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "json_invalid": "请求体不是有效的 JSON",
    "json_type": "请求体不是有效的 JSON",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为日期时间（ISO 8601）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "extra_forbidden": "不允许的字段",
    "finite_number": "应为有限的数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "数字过大",
    "int_too_big": "数字过大",
}


def _message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_too_long":
        return f"长度不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"长度不能少于 {ctx.get('min_length')} 个字符"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"取值无效，可选值：{expected}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    return "取值无效"


def validation_errors(errors: list[dict]) -> dict[str, list[str]]:
    """ninja's error list (``loc`` = source, parameter, field…) → ``{field: [中文说明]}``, the same
    shape as :class:`ValidationFailed`, so a client handles both kinds of 400 alike."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        # ("body", "payload", "name") → "name"; ("query", "page") → "page"; the whole body → "__all__"
        if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
            loc = loc[1:]
            if loc and loc[0] in ("payload", "filters") and len(loc) > 1:
                loc = loc[1:]
        field = ".".join(loc) if loc else "__all__"
        out.setdefault(field, []).append(_message(error))
    return out


# --- bounded numbers in request bodies -------------------------------------------------------------

from decimal import Decimal  # noqa: E402
from typing import Annotated  # noqa: E402

from jixiao.core.money import MONEY_MAX, MONEY_MIN  # noqa: E402

#: An amount in yuan in a request body: the one money range (jixiao.core.money), finite, never "1e400".
Money = Annotated[Decimal, Field(ge=MONEY_MIN, le=MONEY_MAX, allow_inf_nan=False)]


def bounded_decimal(max_digits: int, decimal_places: int, *, signed: bool = False):
    """A decimal a column of ``max_digits``/``decimal_places`` can hold (scores, weights, values)."""
    top = Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places)
    return Annotated[Decimal, Field(ge=-top if signed else 0, le=top, allow_inf_nan=False)]


def optional_related(path: str, default=""):
    """The resolver of an output field read through an optional relation (``"agency.name"``):
    ``default`` when the relation is empty. Use as ``resolve_agency_name = optional_related("agency.name")``;
    plain attributes and ``get_x_display`` need no resolver: ``Field(alias="agency_id")``,
    ``Field(alias="get_status_display")``."""
    first, *rest = path.split(".")

    def resolve(obj):
        value = getattr(obj, first)
        for attr in rest:
            if value is None:
                return default
            value = getattr(value, attr)
        return default if value is None else value

    return staticmethod(resolve)
