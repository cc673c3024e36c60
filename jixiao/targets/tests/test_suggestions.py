"""The indicator editor's library suggestions (issue #10): the level-1 kind the sheet lacks is always
offered (补成本), templates already on the sheet are marked 已采用, and what approved sheets of similar
projects used counts."""

import pytest

from jixiao.library.models import IndicatorTemplate
from jixiao.projects.tests.factories import make_project
from jixiao.targets import services
from jixiao.targets.tests.factories import GOOD_ROWS, approved_sheet, make_sheet

NO_COST = [r for r in GOOD_ROWS if r["level1"] != "cost"]


@pytest.mark.django_db
def test_missing_cost_kind_is_offered_and_marked(world, login):
    sheet = make_sheet(world, rows=NO_COST)
    got = services.suggestions_for(sheet)
    fills = [t for t in got if t.fills]
    assert fills and all(t.level1 == "cost" for t in fills) and got[0].fills == "cost"
    # another sector's template only with a real name overlap (改造项目按期竣工率 for 教学楼…改造项目)
    from jixiao.library.rules import FOREIGN_NAME_HITS, bigrams

    for t in got:
        if t.sector_id not in (None, sheet.project.sector_id):
            assert len(bigrams(t.name) & bigrams(sheet.project.name)) >= FOREIGN_NAME_HITS, t.name
    page = login("preparer").get(f"/targets/{sheet.pk}/indicators/").content.decode()
    assert 'data-testid="fills"' in page and "补成本指标" in page


@pytest.mark.django_db
def test_adopted_templates_are_marked_and_listed_last(world):
    sheet = make_sheet(world, rows=GOOD_ROWS)
    first = services.suggestions_for(sheet)[0]
    sheet = services.adopt_templates(actor=world.user("preparer"), sheet=sheet, version=sheet.version,
                                     templates=[first])
    got = services.suggestions_for(sheet)
    marked = [t for t in got if t.adopted]
    assert [t.pk for t in marked] == [first.pk] and got[-1].pk == first.pk


@pytest.mark.django_db
def test_similar_approved_sheets_lift_what_they_used(world):
    peer_project = make_project(world, code="XM2026101001002", name="第一中学教学楼抗震加固二期项目")
    template = IndicatorTemplate.objects.get(name="校舍维修工程按期完工率", region__isnull=True)
    rows = [*GOOD_ROWS, {"level1": "output", "level2": "timeliness", "name": template.name, "operator": "eq",
                         "value": "100", "unit": "%", "weight": "0", "template": template.pk}]
    approved_sheet(world, project=peer_project, rows=rows)
    sheet = make_sheet(world, rows=NO_COST)  # 教学楼抗震加固改造项目: shares 教学 学楼 楼抗 抗震 震加 加固
    got = {t.pk: t for t in services.suggestions_for(sheet, limit=50)}
    assert got[template.pk].peer_uses == 1
