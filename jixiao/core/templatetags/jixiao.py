"""Template filters for money and numbers (documents.md): {{ amount|wan }}, {{ amount|amount }},
{{ ratio|percent }}, {{ score|score }}."""

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
