"""Services of the indicator library: each rule and each refusal, and that a refused write changed
nothing; the visibility helper (national + own region); taxonomy_for; suggest; admit; record_usage."""

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.core.actors import SYSTEM
from jixiao.core.errors import StaleVersion, ValidationFailed
from jixiao.core.models import ChangeLog, RegionConfig
from jixiao.core.services import update_region_config
from jixiao.library import services
from jixiao.library.models import IndicatorTemplate, get_visible_template
from jixiao.org.models import Sector
from jixiao.org.personas import HOME, OTHER

pytestmark = pytest.mark.django_db


def make(world, region=HOME, actor="perf_section", **kw):
    values = dict(name="校园安全设施配备率", level1="output", level2="quality", operator="ge", typical_value="95",
                  unit="%", sector=Sector.objects.get(code="education"))
    values.update(kw)
    return services.create_template(actor=world.user(actor) if actor else None, region=world.regions[region],
                                    **values)


def national(name="义务教育巩固率"):
    return IndicatorTemplate.objects.get(region__isnull=True, name=name)


# --- create / update ------------------------------------------------------------------------------

def test_create_is_audited_and_owned_by_the_region(world):
    t = make(world)
    assert t.region == world.regions[HOME] and t.version == 1
    assert ChangeLog.objects.filter(object_type="library.indicatortemplate", object_id=str(t.pk),
                                    action="create").exists()


@pytest.mark.parametrize("bad, field", [
    ({"name": " "}, "name"),
    ({"level1": "satisfaction", "level2": "quantity"}, "level2"),
    ({"level1": "outcome"}, "level1"),
    ({"operator": ">="}, "operator"),
    ({"operator": "ge", "typical_value": "较高"}, "typical_value"),
    ({"value_basis": "guess"}, "value_basis"),
    ({"name": "长" * 129}, "name"),
])
def test_create_refuses_bad_values(world, bad, field):
    before = IndicatorTemplate.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        make(world, **bad)
    assert field in exc.value.errors
    assert IndicatorTemplate.objects.count() == before


def test_classic_and_2021_pairs_are_both_accepted(world):
    make(world, name="单位成本", level1="output", level2="cost", operator="le", typical_value="10")
    make(world, name="经济成本", level1="cost", level2="economic_cost", operator="le", typical_value="10")


def test_qualitative_takes_text(world):
    t = make(world, name="办学条件改善", level2="sustainability", level1="benefit", operator="qualitative",
             typical_value="明显改善", unit="")
    assert t.value_display == "定性：明显改善"


def test_natural_key_is_unique_within_the_region_only(world):
    make(world)
    with pytest.raises(ValidationFailed) as exc:
        make(world)
    assert "本区划指标库已有" in exc.value.errors["name"][0]
    make(world, region=OTHER, actor="far_perf_section")  # another region may hold the same name
    make(world, sector=None)  # and a common one of the same name is a different key


def test_only_the_performance_section_writes(world):
    with pytest.raises(PermissionDenied):
        make(world, actor="section_reviewer")
    assert not IndicatorTemplate.objects.filter(region__isnull=False).exists()


def test_update_bumps_version_and_refuses_stale(world):
    t = make(world)
    t = services.update_template(actor=world.user("perf_section"), template=t, version=1, typical_value="98")
    assert (t.typical_value, t.version) == ("98", 2)
    with pytest.raises(StaleVersion):
        services.update_template(actor=world.user("perf_section"), template=t, version=1, typical_value="99")
    t.refresh_from_db()
    assert t.typical_value == "98"


def test_national_templates_are_read_only(world):
    n = national()
    with pytest.raises(PermissionDenied):
        services.update_template(actor=world.user("perf_section"), template=n, version=n.version, typical_value="1")
    n.refresh_from_db()
    assert n.typical_value == "95"


def test_other_region_cannot_edit(world):
    t = make(world)
    with pytest.raises(PermissionDenied):
        services.update_template(actor=world.user("far_perf_section"), template=t, version=1, name="改名")
    t.refresh_from_db()
    assert t.name == "校园安全设施配备率"


def test_copy_a_national_template_to_adapt_it(world):
    n = national()
    copy = services.copy_template(actor=world.user("perf_section"), template=n, region=world.regions[HOME])
    assert copy.region == world.regions[HOME] and copy.copied_from == n
    assert (copy.name, copy.operator, copy.typical_value, copy.sector) == (n.name, n.operator, "95", n.sector)
    copy = services.update_template(actor=world.user("perf_section"), template=copy, version=copy.version,
                                    typical_value="97")
    assert national().typical_value == "95"
    with pytest.raises(ValidationFailed):
        services.copy_template(actor=world.user("perf_section"), template=n, region=world.regions[HOME])


# --- visibility -----------------------------------------------------------------------------------

def test_visibility_national_plus_own_region(world):
    mine = make(world)
    theirs = make(world, region=OTHER, actor="far_perf_section", name="察县指标")
    n_national = IndicatorTemplate.objects.filter(region__isnull=True).count()
    for persona in ("preparer", "dept_reviewer", "section_reviewer", "perf_section", "expert", "firm", "leader"):
        qs = IndicatorTemplate.objects.visible_to(world.user(persona))
        assert qs.count() == n_national + 1, persona
        assert qs.filter(pk=mine.pk).exists() and not qs.filter(pk=theirs.pk).exists()
    for admin in ("sysadmin", "secadmin", "auditor"):
        assert not IndicatorTemplate.objects.visible_to(world.user(admin)).exists()
    assert get_visible_template(world.user("preparer"), national().pk).name == "义务教育巩固率"
    from django.http import Http404
    with pytest.raises(Http404):
        get_visible_template(world.user("preparer"), theirs.pk)


# --- taxonomy ---------------------------------------------------------------------------------

def test_taxonomy_for_follows_the_region_configuration(world):
    region = world.regions[HOME]
    tree = services.taxonomy_for(region, 2026)
    assert tree["version"] == "2021"
    assert [n["code"] for n in tree["tree"]] == ["output", "cost", "benefit", "satisfaction"]
    assert [c["label"] for c in tree["tree"][1]["children"]] == ["经济成本指标", "社会成本指标", "生态环境成本指标"]
    row = RegionConfig.objects.get(region=region, year=2026, key="taxonomy")
    update_region_config(actor=world.user("perf_section"), config=row, raw={"version": "classic"}, version=row.version)
    tree = services.taxonomy_for(region, 2026)
    assert tree["version"] == "classic"
    assert [n["code"] for n in tree["tree"]] == ["output", "benefit", "satisfaction"]
    assert [c["code"] for c in tree["tree"][0]["children"]] == ["quantity", "quality", "timeliness", "cost"]
    assert services.taxonomy_for(world.regions[OTHER], 2026)["version"] == "2021"


# --- suggest ---------------------------------------------------------------------------------------

def test_suggest_ranks_by_overlap_and_sector(world, django_assert_max_num_queries):
    region = world.regions[HOME]
    with django_assert_max_num_queries(1):
        result = services.suggest(region=region, sector_code="education", name="第一中学校舍维修改造项目",
                                  description="对教学楼屋面、门窗进行维修改造", limit=5)
    names = [t.name for t in result]
    assert names[0] == "校舍维修改造面积"
    assert "校舍维修工程验收合格率" in names
    assert all(a.suggestion_score >= b.suggestion_score for a, b in zip(result, result[1:], strict=False))


def test_suggest_sees_own_region_not_others_and_skips_inactive(world):
    mine = make(world, name="校舍维修资金到位率", level2="timeliness", typical_value="100")
    make(world, region=OTHER, actor="far_perf_section", name="校舍维修改造面积增量", level2="quantity")
    off = make(world, name="校舍维修停用指标", level2="quantity", active=False)
    names = [t.name for t in services.suggest(region=world.regions[HOME], sector_code="education",
                                              name="校舍维修", limit=50)]
    assert mine.name in names and "校舍维修改造面积增量" not in names and off.name not in names


# --- admission and usage -------------------------------------------------------------------------

def test_admit_creates_a_regional_template_once(world):
    region = world.regions[HOME]
    edu = Sector.objects.get(code="education")
    t = services.admit_template(actor=world.user("perf_section"), region=region, name="课后服务覆盖率",
                                level1="output", level2="quality", operator="ge", unit="%", value="90",
                                sector=edu, source_note="2026 年第一中学目标表")
    assert (t.region, t.kind, t.typical_value, t.source_note) == (region, "specific", "90", "2026 年第一中学目标表")
    assert "完成值达到或超过指标值" in t.scoring_standard
    again = services.admit_template(actor=world.user("perf_section"), region=region, name="课后服务覆盖率",
                                    level1="output", level2="quality", operator="ge", unit="%", value="95",
                                    sector=edu)
    assert again.pk == t.pk and IndicatorTemplate.objects.filter(name="课后服务覆盖率").count() == 1
    # already national: nothing new
    n = services.admit_template(actor=world.user("perf_section"), region=region, name="义务教育巩固率",
                                level1="output", level2="quality", operator="ge", unit="%", value="96", sector=edu)
    assert n.is_national


def test_admit_is_the_performance_sections(world):
    with pytest.raises(PermissionDenied):
        services.admit_template(actor=world.user("section_reviewer"), region=world.regions[HOME], name="新指标",
                                level1="output", level2="quantity", operator="ge", value="1", unit="个")
    assert not IndicatorTemplate.objects.filter(name="新指标").exists()


def test_admit_refuses_bad_values(world):
    with pytest.raises(ValidationFailed):
        services.admit_template(actor=world.user("perf_section"), region=world.regions[HOME], name="新指标",
                                level1="output", level2="quantity", operator="ge", value="很多")


def test_record_usage_is_one_update(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, b = national(), national("资助家庭经济困难学生人数")
    with CaptureQueriesContext(connection) as ctx:
        assert services.record_usage(actor=SYSTEM, templates=[a, b, a]) == 2
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("UPDATE")
    services.record_usage(actor=SYSTEM, templates=[a.pk])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.usage_count, b.usage_count) == (2, 1)
    assert services.record_usage(actor=SYSTEM, templates=[]) == 0


def test_ordered_sector_by_sector_in_taxonomy_order_common_last(world):
    rows = list(IndicatorTemplate.objects.filter(region__isnull=True).ordered()
                .values_list("sector__code", "level1", "level2"))
    assert rows[0][:2] == ("education", "output") and rows[-1][0] is None
    education = [r for r in rows if r[0] == "education"]
    order = ["output", "cost", "benefit", "satisfaction"]
    assert [order.index(r[1]) for r in education] == sorted(order.index(r[1]) for r in education)


def test_a_missing_actor_fails_loudly_and_writes_nothing(world):
    before = IndicatorTemplate.objects.count()
    for call in (
        lambda: services.create_template(actor=None, region=world.regions[HOME], name="无主指标", level1="output",
                                         level2="quality", operator="ge", typical_value="1"),
        lambda: services.admit_template(actor=None, region=world.regions[HOME], name="无主指标", level1="output",
                                        level2="quality", operator="ge", value="1"),
        lambda: services.record_usage(actor=None, templates=[]),
    ):
        with pytest.raises(TypeError, match="actor is None"):
            call()
    assert IndicatorTemplate.objects.count() == before
