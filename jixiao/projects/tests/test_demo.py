"""The demo projects: a pure plan of the seed, every stage present, new major ones held before the
library, idempotent through extend_county."""

import random
from collections import Counter

import pytest

from jixiao.projects import demo
from jixiao.projects.models import Project, ProjectEvent
from jixiao.projects.rules import needs_exante

AGENCIES = [(f"{100 + i}", f"临朐县第{i}局", s, "department") for i, s in enumerate(
    ["education", "health", "agriculture_water", "transport", "social_security", "housing", "environment",
     "rural_revitalization", "urban_rural_community", "general_public_services", "science", "public_security"] * 10)]


def test_plan_is_a_function_of_the_seed():
    a = demo.plan_projects(random.Random("projects-1"), AGENCIES, year=2026)
    b = demo.plan_projects(random.Random("projects-1"), AGENCIES, year=2026)
    assert [p.fields for p in a] == [p.fields for p in b]
    assert 400 <= len(a) <= 840
    stages = Counter(p.stage for p in a)
    assert set(stages) == {"reserve", "submitted", "admitted", "budgeted", "executing", "completed", "terminated"}
    for p in a:
        f = p.fields
        if needs_exante(is_new=f["is_new"], is_major=f["is_major"], year=f["year"], end_year=f["end_year"]):
            assert p.stage in ("reserve", "submitted")
    tags = Counter(t for p in a for t in p.fields["tags"])
    assert tags["poverty"] and tags["government_debt"]
    total = sum(p.fields["requested_amount"] for p in a)
    assert 3 * 10**8 < total < 50 * 10**8  # several 亿元


@pytest.mark.django_db
def test_extend_county_on_the_persona_world_is_idempotent(world):
    summary = demo.extend_county(world=world, seed=1, year=2026)
    region = world.regions["370724"]
    assert summary["projects_created"] == Project.objects.filter(region=region).count() > 0
    live = Project.objects.filter(agency__code__in=demo.LIVE_AGENCIES, region=region).exclude(
        events__kind="migrated")
    assert live.exists() and ProjectEvent.objects.filter(kind="stage", actor__username="preparer").exists()
    assert demo.extend_county(world=world, seed=1, year=2026)["projects_created"] == 0
