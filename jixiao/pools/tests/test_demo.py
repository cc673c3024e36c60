"""The pools part of the demo county: sizes, valid credit codes, persona links, a task for the
expert persona, reproducible draws, idempotent."""

import io
import json

import pytest
from django.core.management import call_command

from jixiao.pools import rules
from jixiao.pools.models import Draw, DrawnExpert, Expert, Firm

pytestmark = pytest.mark.django_db


def build():
    out = io.StringIO()
    call_command("build_demo", "--scale", "county", "--seed", "1", "--year", "2026", stdout=out)
    return json.loads(out.getvalue())


def test_demo_pools():
    summary = build()
    assert summary["pool_experts"] == Expert.objects.count() >= 55
    assert Firm.objects.count() == 10 and len({f.kind for f in Firm.objects.all()}) == 6
    assert all(rules.credit_code_error(f.credit_code) is None for f in Firm.objects.all())
    assert Expert.objects.get(user__username="expert").name == "赵明远"
    assert Firm.objects.get(user__username="firm").kind == "accounting"
    assert DrawnExpert.objects.filter(expert__user__username="expert").exists()
    for draw in Draw.objects.all():
        originals = list(draw.drawn.filter(seed__isnull=True).order_by("order").values_list("expert_id", flat=True))
        assert originals == rules.choose(draw.pool, draw.count, draw.seed)
    assert DrawnExpert.objects.filter(status="replaced").count() == 1
    counts = (Expert.objects.count(), Firm.objects.count(), Draw.objects.count())
    again = build()
    assert (again["pool_experts"], again["pool_firms"], again["pool_draws"]) == (0, 0, 0)
    assert (Expert.objects.count(), Firm.objects.count(), Draw.objects.count()) == counts
