"""The budget year a page or an API call asks for (``?year=``), in one place.

A year is an integer from :data:`MIN_YEAR` to :data:`MAX_YEAR`; anything else — text, a negative
number, ``?year=99999999999999999999`` (which would overflow the database's integer) — is refused
with one Chinese message: the API answers 400 with it on the field ``year``; a page shows it and
falls back to the default year, so a hand-edited address never ends in an error page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Max
from django.utils import timezone

from jixiao.core.errors import ValidationFailed

MIN_YEAR, MAX_YEAR = 2000, 2100
YEAR_ERROR = f"年度应为 {MIN_YEAR}—{MAX_YEAR} 之间的整数"

_FROM_REQUEST = object()


def latest_year(queryset) -> int:
    """The latest ``year`` among the rows (the user's scoped queryset), else this year."""
    return queryset.aggregate(y=Max("year"))["y"] or timezone.localdate().year


def year_param(request, *, default: int | Callable[[], int] | None = None, value=_FROM_REQUEST) -> int:
    """The requested year, or ``default`` (a year or a function giving one, called only when needed;
    None: this year) when none is asked for.

    Pages call it with the request alone: it reads the form's ``year`` (POST) or ``?year=``, and on a
    bad value shows :data:`YEAR_ERROR` and answers the default. API handlers pass their parsed
    ``year`` parameter as ``value``: a bad value raises ``ValidationFailed`` (400)."""
    from_page = value is _FROM_REQUEST
    raw = (request.POST.get("year") or request.GET.get("year")) if from_page else value
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _default(default)
    try:
        year = int(str(raw).strip())
    except ValueError:
        year = None
    if year is not None and MIN_YEAR <= year <= MAX_YEAR:
        return year
    if not from_page:
        raise ValidationFailed({"year": [YEAR_ERROR]})
    messages.error(request, f"{YEAR_ERROR}，已显示默认年度。", fail_silently=True)
    return _default(default)


def _default(default) -> int:
    if default is None:
        return timezone.localdate().year
    return default() if callable(default) else int(default)
