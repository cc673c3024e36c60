"""The demo builder (``manage.py build_demo``) and the demo login table (``manage.py demo_logins``)."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from jixiao.core.audit import verify_all
from jixiao.core.models import ChangeLog, RegionConfig
from jixiao.org import demo
from jixiao.org.choices import AgencyKind, SectionKind
from jixiao.org.models import Agency, FinanceSection, Region, User
from jixiao.org.personas import AGENCIES, DEMO_PASSWORD, HOME, OTHER, PERSONAS


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def county(db):
    return json.loads(run("build_demo", "--scale", "county", "--seed", "1", "--year", "2026"))


def test_county_has_about_120_agencies_and_13_townships(county):
    home = Region.objects.get(code=HOME)
    agencies = Agency.objects.filter(region=home)
    assert 110 <= agencies.count() <= 130
    assert county["home_agencies"] == agencies.count()
    townships = agencies.filter(kind=AgencyKind.TOWNSHIP)
    assert townships.count() == 13
    assert {"临朐县城关街道办事处", "临朐县冶源街道办事处", "临朐县九山镇人民政府",
            "临朐县嵩山生态旅游区管理委员会"} <= set(townships.values_list("name", flat=True))
    departments = agencies.filter(kind=AgencyKind.DEPARTMENT)
    assert 30 <= departments.count() <= 40
    assert {"临朐县卫生健康局", "临朐县水利局", "临朐县财政局", "临朐县人力资源和社会保障局"} <= set(
        departments.values_list("name", flat=True))
    assert not agencies.filter(sector__isnull=True).exists()
    # every unit hangs under a department of the same county, and its path says so
    for unit in agencies.filter(kind=AgencyKind.UNIT).select_related("parent"):
        assert unit.parent.kind == AgencyKind.DEPARTMENT and unit.parent.region_id == home.pk
        assert unit.path == f"{unit.parent.path}{unit.pk}/"


def test_county_keeps_the_persona_agencies_and_the_other_county(county):
    for region, code, name, kind, parent, _sector in AGENCIES:
        agency = Agency.objects.get(region__code=region, code=code)
        assert (agency.name, agency.kind) == (name, kind)
        assert (agency.parent.code if agency.parent else None) == parent
    assert Agency.objects.filter(region__code=OTHER).count() == len([a for a in AGENCIES if a[0] == OTHER])
    assert User.objects.get(username="preparer").agency.code == "101001"


def test_every_department_and_township_is_looked_after_by_one_section(county):
    home = Region.objects.get(code=HOME)
    sections = FinanceSection.objects.filter(region=home)
    assert {"预算股", "教科文股", "农业股", "社保股", "经济建设股", "行政政法股", "绩效股"} == set(
        sections.values_list("name", flat=True))
    assert sections.get(name="预算股").kind == SectionKind.BUDGET
    assert not sections.get(kind=SectionKind.PERFORMANCE).agencies.exists()
    top = Agency.objects.filter(region=home, parent__isnull=True)
    for agency in top:
        assert agency.sections.count() == 1, agency.name
    assert sections.get(name="社保股").agencies.filter(name="临朐县卫生健康局").exists()
    assert sections.get(name="教科文股").agencies.filter(name="临朐县文化和旅游局").exists()
    assert sections.get(name="农业股").agencies.filter(kind=AgencyKind.TOWNSHIP).count() == 13


def test_every_persona_logs_in_with_the_demo_password(county):
    for persona in PERSONAS:
        assert Client().login(username=persona.username, password=DEMO_PASSWORD), persona.username


def test_same_seed_same_county():
    assert demo.plan_home(1) == demo.plan_home(1)
    assert demo.plan_home(1) != demo.plan_home(2)


def test_the_database_holds_the_plan_of_its_seed(county):
    planned = {(a.code, a.name) for a in demo.plan_home(1).agencies}
    built = set(Agency.objects.filter(region__code=HOME).values_list("code", "name"))
    assert built == planned


def test_building_twice_adds_nothing(county):
    before = (Agency.objects.count(), FinanceSection.objects.count(), User.objects.count(), ChangeLog.objects.count())
    run("build_demo", "--seed", "1", "--year", "2026")
    after = (Agency.objects.count(), FinanceSection.objects.count(), User.objects.count(), ChangeLog.objects.count())
    assert after == before


def test_if_empty_is_a_no_op_on_a_database_with_a_region(world):
    before = (Region.objects.count(), Agency.objects.count(), ChangeLog.objects.count())
    out = run("build_demo", "--seed", "1", "--if-empty")
    assert "跳过" in out
    assert (Region.objects.count(), Agency.objects.count(), ChangeLog.objects.count()) == before


def test_if_empty_builds_on_an_empty_database(db):
    run("build_demo", "--seed", "1", "--if-empty")
    assert Agency.objects.filter(region__code=HOME).count() >= 110


def test_small_province_run_is_set_based_and_consistent(db):
    summary = json.loads(run("build_demo", "--scale", "province", "--seed", "3", "--counties", "3",
                             "--year", "2026"))
    assert summary["counties_created"] == 3
    new = Region.objects.filter(level="county").exclude(code__in=[HOME, OTHER])
    assert new.count() == 3
    for region in new:
        assert region.code.startswith("37") and region.parent.code == region.code[:4] + "00"
        agencies = Agency.objects.filter(region=region)
        assert 100 <= agencies.count() <= 140
        for agency in agencies.select_related("parent"):
            expected = (agency.parent.path if agency.parent else "/") + f"{agency.pk}/"
            assert agency.path == expected
            assert agency.parent is None or agency.parent.region_id == region.pk
        sections = FinanceSection.objects.filter(region=region)
        assert sections.count() == 7
        for section in sections:
            assert not section.agencies.exclude(region=region).exists()
        assert RegionConfig.objects.filter(region=region, year=2026).exists()
        entry = ChangeLog.objects.get(region=region, object_type="org.region")
        assert entry.changes["bulk_created"][1]["agencies"] == agencies.count()
    assert summary["agencies_created"] == Agency.objects.filter(region__in=new).count()
    assert all(not problems for _count, problems in verify_all().values())


def test_demo_logins_lists_every_persona(county):
    out = run("demo_logins")
    assert DEMO_PASSWORD in out
    for persona in PERSONAS:
        assert persona.username in out
    assert "临朐县第一中学" in out and "单位填报人" in out


def test_demo_logins_on_an_empty_database(db):
    assert "build_demo" in run("demo_logins")
