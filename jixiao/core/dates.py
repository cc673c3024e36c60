"""The region's local date and time — the one place that turns an instant into what a user reads.

Instants are stored in UTC (``USE_TZ``); a person in the county reads Beijing time. An assessment
concluded at 05:55 on 12-02 Beijing time is 21:55 on 12-01 in UTC, so ``aware.date()`` dates its
opinion a day early. Every page, Word document, Excel export and log display takes its dates from
here: ``local_date(instant, region)``, ``local_datetime(...)``, ``format_local(...)`` and the
template filters ``{{ value|localday }}`` / ``{{ value|localtime_text }}`` (``core.templatetags.jixiao``).

The zone is the region's ``time_zone`` when the region has one, else ``settings.TIME_ZONE``
(``JIXIAO_TIME_ZONE``, default Asia/Shanghai) — never the server's own clock zone.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"

_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def zone(region=None) -> ZoneInfo:
    """The zone a region's users read times in."""
    name = getattr(region, "time_zone", "") or settings.TIME_ZONE
    return ZoneInfo(name)


def local_datetime(value: dt.datetime | None = None, region=None) -> dt.datetime:
    """An instant (default now) in the region's zone. A naive value is taken as already local."""
    if value is None:
        value = timezone.now()
    if timezone.is_naive(value):
        return value.replace(tzinfo=zone(region))
    return value.astimezone(zone(region))


def local_date(value: dt.datetime | dt.date | None = None, region=None) -> dt.date:
    """The region's calendar date of an instant (default today). A plain date is returned as is."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return local_datetime(value, region).date()


def parse_instant(text: str) -> dt.datetime | None:
    """An ISO 8601 timestamp as stored in JSON (the change log's before/after values), else None."""
    if not isinstance(text, str) or not _ISO_INSTANT.match(text.strip()):
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def format_local(value, region=None, *, seconds: bool = False) -> str:
    """What a user reads for a date or an instant: "2026-12-02" / "2026-12-02 05:55" local time.
    ISO strings of instants are read first; anything else is returned as text; None is ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = parse_instant(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, dt.datetime):
        return local_datetime(value, region).strftime(DATETIME_FORMAT + (":%S" if seconds else ""))
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return str(value)
