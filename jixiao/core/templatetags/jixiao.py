"""Template filters for money and numbers (documents.md): {{ amount|wan }}, {{ amount|amount }},
{{ ratio|percent }}, {{ score|score }}; local dates (core.dates): {{ instant|localday }},
{{ instant|localtime_text }}."""

from django import template

from jixiao.core import money

register = template.Library()


@register.filter
def wan(value):
    return money.format_wan(value) if value not in (None, "") else ""


@register.filter
def amount(value):
    return money.format_amount(value) if value not in (None, "") else ""


@register.filter
def percent(value):
    return money.format_percent(value)


@register.filter
def score(value):
    return money.format_score(value)


@register.simple_tag(takes_context=True)
def may(context, obj, action_name: str) -> bool:
    """``{% may sheet "publish" as show %}``: whether the request's user may do the declared action
    to the object now — the same declaration the service's guard reads (core.scoping.permits).
    Views usually pass ``acts = actions_for(user, obj)`` instead, for every action at once."""
    from jixiao.core.scoping import permits

    request = context.get("request")
    return bool(request is not None and permits(request.user, obj, action_name))


@register.filter
def localday(value):
    """``{{ instant|localday }}``: the region's local date, "2026-12-02" (core.dates); also reads
    ISO strings stored in JSON; other text is shown as is."""
    from jixiao.core import dates

    if isinstance(value, str):
        value = dates.parse_instant(value) or value
        if isinstance(value, str):
            return value
    if value is None:
        return ""
    return dates.local_date(value).strftime(dates.DATE_FORMAT)


@register.filter
def localtime_text(value):
    """``{{ instant|localtime_text }}``: local date and time, "2026-12-02 05:55" (core.dates);
    also reads ISO strings stored in JSON."""
    from jixiao.core import dates

    return dates.format_local(value)


@register.inclusion_tag("includes/attachments.html", takes_context=True)
def attachment_panel(context, obj, title: str = "附件"):
    """``{% attachment_panel project %}``: the record's attachments (core.attachments), with download
    links, and an upload form for the kinds the request's user may add (delete buttons likewise). The
    page has fetched ``obj`` through its scoping already."""
    from jixiao.core import attachments

    request = context.get("request")
    user = request.user if request is not None else None
    kinds = attachments.kinds_for(user, obj) if user is not None else []
    may_add = {k for k, _label in kinds}
    rows = list(attachments.for_owner(obj))
    return {
        "obj": obj, "title": title, "rows": rows, "kinds": kinds, "may_remove": may_add,
        "owner_key": obj._meta.label_lower, "next": request.get_full_path() if request is not None else "",
        "max_mb": attachments.max_bytes() // (1024 * 1024), "allowed": attachments.ALLOWED_TEXT,
        "accept": ",".join(f".{e}" for e in attachments.SIGNATURES), "csrf_token": context.get("csrf_token"),
    }
