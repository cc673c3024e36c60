"""The library's demo step: regional templates through the services, deterministic, idempotent."""

import pytest

from jixiao.library.demo import extend_county
from jixiao.library.models import IndicatorTemplate
from jixiao.org.personas import HOME

pytestmark = pytest.mark.django_db


def test_demo_step_is_idempotent(world):
    first = extend_county(world=world, seed=7, year=2026)
    assert first["library_regional_templates"] == 8
    usage = list(IndicatorTemplate.objects.order_by("pk").values_list("usage_count", flat=True))
    assert sum(usage) == 12 * 40
    copy = IndicatorTemplate.objects.get(region=world.regions[HOME], name="义务教育巩固率")
    assert copy.typical_value == "97" and copy.copied_from.typical_value == "95"
    assert extend_county(world=world, seed=7, year=2026) == first
    assert list(IndicatorTemplate.objects.order_by("pk").values_list("usage_count", flat=True)) == usage
