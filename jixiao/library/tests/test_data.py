"""The national data the migration loads: both taxonomies, the two frameworks (points add up), and
at least 15 templates in each of the 12 sectors of the issue, plus common ones for every level."""

from collections import Counter
from decimal import Decimal

import pytest

from jixiao.library.choices import Operator
from jixiao.library.data import templates as data
from jixiao.library.loader import load_national
from jixiao.library.models import Framework, FrameworkItem, IndicatorTemplate, TaxonomyEntry

pytestmark = pytest.mark.django_db

ISSUE_SECTORS = ["education", "science", "rural_revitalization", "environment", "agriculture_water",
                 "social_security", "culture_sports_media", "housing", "transport", "health",
                 "agricultural_development", "urban_rural_community"]


def test_both_taxonomies_are_loaded():
    pairs = {(e.taxonomy, e.level1, e.level2) for e in TaxonomyEntry.objects.all()}
    assert ("classic", "output", "cost") in pairs and ("classic", "cost", "economic_cost") not in pairs
    assert ("2021", "cost", "ecological_cost") in pairs and ("2021", "output", "cost") not in pairs
    assert sum(1 for p in pairs if p[0] == "classic") == 9
    assert sum(1 for p in pairs if p[0] == "2021") == 11


def test_frameworks_points_add_up():
    for fw in Framework.objects.all():
        items = list(FrameworkItem.objects.filter(framework=fw))
        top = [i for i in items if i.level == 1]
        assert sum(i.points for i in top) == Decimal(100), fw.code
        for item in items:
            children = [c for c in items if c.parent_id == item.pk]
            if children:
                assert sum(c.points for c in children) == item.points, (fw.code, item.name)
    codes = set(Framework.objects.values_list("code", flat=True))
    assert codes == {"evaluation_2020", "agency_whole_budget"}
    decision = FrameworkItem.objects.get(framework__code="evaluation_2020", level=1, name="决策")
    assert [c.name for c in decision.children.order_by("position")] == ["项目立项", "绩效目标", "资金投入"]


def test_templates_cover_every_sector_of_the_issue():
    national = IndicatorTemplate.objects.filter(region__isnull=True)
    per_sector = Counter(national.values_list("sector__code", flat=True))
    for code in ISSUE_SECTORS:
        assert per_sector[code] >= 15, code
    serves = set(national.filter(sector__isnull=True).values_list("serves", flat=True))
    assert serves == {"project", "agency", "finance"}
    assert national.count() == len(data.rows())
    # every operator code is a real choice, every qualitative template is scored by bands
    assert set(national.values_list("operator", flat=True)) <= set(Operator.values)
    for t in national.filter(operator=Operator.QUALITATIVE):
        assert "80%" in t.scoring_standard


def test_a_typical_template_reads_like_a_bureau_wrote_it():
    t = IndicatorTemplate.objects.get(region__isnull=True, name="义务教育巩固率")
    assert (t.level1, t.level2, t.operator, t.typical_value, t.unit) == ("output", "quality", "ge", "95", "%")
    assert t.sector.code == "education" and t.value_display == "≥95%"


def test_loading_again_adds_nothing():
    before = (TaxonomyEntry.objects.count(), Framework.objects.count(), FrameworkItem.objects.count(),
              IndicatorTemplate.objects.count())
    assert load_national() == {"taxonomy": 0, "frameworks": 0, "templates": 0}
    after = (TaxonomyEntry.objects.count(), Framework.objects.count(), FrameworkItem.objects.count(),
             IndicatorTemplate.objects.count())
    assert before == after
