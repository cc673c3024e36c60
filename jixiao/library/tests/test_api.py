"""The library API: list with filters (national + own region), detail, create, update with If-Match,
copy, suggest, taxonomy; refusals in Chinese."""

import json

import pytest
from django.test import Client

from jixiao.core.actors import SYSTEM
from jixiao.library import services
from jixiao.library.models import IndicatorTemplate
from jixiao.org.models import Sector
from jixiao.org.services import create_api_token

API = "/api/v1/library"

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    def make(username):
        _, key = create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def send(client, method, path, body=None, *, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.generic(method, API + path, json.dumps(body if body is not None else {}),
                          content_type="application/json", headers=headers)


def regional(world, region="370724", actor=SYSTEM, name="临朐县校园安全设施配备率"):
    return services.create_template(actor=actor, region=world.regions[region], name=name, level1="output",
                                    level2="quality", operator="ge", typical_value="95", unit="%",
                                    sector=Sector.objects.get(code="education"))


def test_list_filters_and_scope(world, api):
    mine, theirs = regional(world), regional(world, region="654022", name="察县指标")
    r = api("preparer").get(f"{API}/templates", {"sector": "education", "page_size": 500})
    assert r.status_code == 200
    names = {i["name"] for i in r.json()["items"]}
    assert "义务教育巩固率" in names and mine.name in names and theirs.name not in names
    r = api("preparer").get(f"{API}/templates", {"national": "false"})
    assert [i["id"] for i in r.json()["items"]] == [mine.pk]
    r = api("expert").get(f"{API}/templates", {"level1": "satisfaction", "serves": "finance"})
    assert r.json()["count"] == 0
    r = api("expert").get(f"{API}/templates", {"q": "三保"})
    assert [i["name"] for i in r.json()["items"]] == ["“三保”支出保障率"]
    assert api("auditor").get(f"{API}/templates").status_code == 403


def test_detail_and_etag(world, api):
    t = regional(world)
    r = api("leader").get(f"{API}/templates/{t.pk}")
    assert r.status_code == 200 and r["ETag"] == '"1"'
    body = r.json()
    assert (body["operator"], body["operator_display"], body["sector"], body["national"]) == ("ge", "≥", "education", False)
    assert api("far_leader").get(f"{API}/templates/{t.pk}").status_code == 404


def test_create_update_copy(world, api):
    client = api("perf_section")
    r = send(client, "POST", "/templates", {"name": "临朐县课后服务覆盖率", "level1": "output", "level2": "quality",
                                            "operator": "ge", "typical_value": "90", "unit": "%",
                                            "sector": "education"})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert IndicatorTemplate.objects.get(pk=pk).region == world.regions["370724"]
    assert send(client, "PATCH", f"/templates/{pk}", {"typical_value": "95"}).status_code == 428
    r = send(client, "PATCH", f"/templates/{pk}", {"typical_value": "95"}, version=1)
    assert r.status_code == 200 and r.json()["typical_value"] == "95" and r["ETag"] == '"2"'
    r = send(client, "PATCH", f"/templates/{pk}", {"typical_value": "96"}, version=1)
    assert r.status_code == 412 and r.json()["current_version"] == 2
    r = send(client, "PATCH", f"/templates/{pk}", {"level2": "beneficiary"}, version=2)
    assert r.status_code == 400 and r.json()["errors"]["level2"] == ["二级指标与一级指标不匹配"]
    r = send(client, "PATCH", f"/templates/{pk}", {"sector": "space"}, version=2)
    assert r.status_code == 400 and "不存在" in r.json()["errors"]["sector"][0]
    national = IndicatorTemplate.objects.get(region__isnull=True, name="义务教育巩固率")
    assert send(client, "PATCH", f"/templates/{national.pk}", {"typical_value": "1"},
                version=national.version).status_code == 404
    r = send(client, "POST", f"/templates/{national.pk}/copy")
    assert r.status_code == 201 and r.json()["copied_from"] == national.pk and r.json()["national"] is False
    assert send(api("section_reviewer"), "POST", "/templates", {}).status_code == 403


def test_create_refuses_bad_body_in_chinese(world, api):
    r = send(api("perf_section"), "POST", "/templates", {"name": "x", "level1": "output", "level2": "quantity",
                                                         "operator": "ge", "typical_value": "很多"})
    assert r.status_code == 400 and r.json()["errors"]["typical_value"][0].startswith("运算符为数值比较时")
    assert not IndicatorTemplate.objects.filter(name="x").exists()


def test_suggest_and_taxonomy(world, api):
    r = api("preparer").get(f"{API}/suggest", {"sector": "health", "name": "基本公共卫生服务项目",
                                               "description": "居民电子健康档案、老年人健康管理", "limit": 5})
    assert r.status_code == 200
    items = r.json()
    assert len(items) == 5 and items[0]["score"] >= items[-1]["score"]
    assert {"建立居民电子健康档案人数", "65岁及以上老年人健康管理人数"} <= {i["name"] for i in items}
    r = api("preparer").get(f"{API}/taxonomy", {"year": 2026})
    assert r.json()["version"] == "2021" and [n["code"] for n in r.json()["tree"]] == [
        "output", "cost", "benefit", "satisfaction"]
