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
