"""The F9 API: contact details hidden from all but the performance section, versioned updates,
draws and replacements, the expert's own tasks."""

import json

import pytest
from django.test import Client

from jixiao.org import services as org_services
from jixiao.pools import rules
from jixiao.pools.models import Draw, DrawnExpert, Expert
from jixiao.pools.tests.helpers import FIRM_CODE, OTHER_FIRM_CODE, ensure_pool

API = "/api/v1/pools"

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    return ensure_pool(world)


@pytest.fixture
def api(world):
    def make(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def send(client, method, path, body=None, *, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.generic(method, API + path, json.dumps(body if body is not None else {}),
                          content_type="application/json", headers=headers)


def test_contact_details_only_for_the_performance_section(pool, api):
    expert = pool["experts"]["赵明远"]
    perf = api("perf_section").get(f"{API}/experts/{expert.pk}").json()
    assert perf["phone"] == "13800000000" and perf["fields"] == ["education", "health"]
    for persona in ("leader", "section_reviewer"):
        body = api(persona).get(f"{API}/experts/{expert.pk}").json()
        assert body["phone"] is None and body["email"] is None
        listed = api(persona).get(f"{API}/experts").json()["items"]
        assert {e["phone"] for e in listed} == {None}


def test_expert_create_update_with_if_match(pool, api, world):
    client = api("perf_section")
    r = send(client, "POST", "/experts", {"name": "冯立新", "organisation": "潍坊学院", "fields": ["science"],
                                          "agency": world.agency("101").pk})
    assert r.status_code == 201, r.content
    created = r.json()
    r = send(client, "PATCH", f"/experts/{created['id']}", {"title": "教授"})
    assert r.status_code == 428
    r = send(client, "PATCH", f"/experts/{created['id']}", {"title": "教授"}, version=created["version"])
    assert r.status_code == 200 and r.json()["title"] == "教授" and r["ETag"] == f'"{created["version"] + 1}"'
    r = send(client, "PATCH", f"/experts/{created['id']}", {"title": "研究员"}, version=created["version"])
    assert r.status_code == 412
    r = send(client, "POST", "/experts", {"name": "甲", "organisation": "乙", "fields": ["space"]})
    assert r.status_code == 400 and "space" in r.json()["errors"]["fields"][0]
    r = send(client, "POST", "/experts", {"name": "甲", "organisation": "乙", "fields": ["science"],
                                          "agency": world.agency("101", region="654022").pk})
    assert r.status_code == 400 and "不存在或不在您的权限范围内" in r.json()["errors"]["agency"][0]


def test_firm_api(pool, api):
    client = api("perf_section")
    r = send(client, "POST", "/firms", {"name": "丙所", "kind": "law", "credit_code": OTHER_FIRM_CODE[:-1] + "Y"})
    assert r.status_code == 400 and "校验位" in r.json()["errors"]["credit_code"][0]
    r = send(client, "POST", "/firms", {"name": "丙所", "kind": "law", "credit_code": OTHER_FIRM_CODE})
    assert r.status_code == 201
    firm = api("leader").get(f"{API}/firms?q={FIRM_CODE}").json()["items"]
    assert [f["name"] for f in firm] == ["山东正信会计师事务所"]
    assert send(api("leader"), "POST", "/firms", {}).status_code == 403


def test_draw_api_reproducible_and_refusals(pool, api, world):
    client = api("perf_section")
    body = {"purpose": "API 抽取", "count": 2, "fields": ["education"],
            "exclude_agencies": [world.agency("101001").pk]}
    # the seed is the system's: a call that sends one is refused (400, errors.seed) and draws nothing
    r = send(client, "POST", "/draws", dict(body, seed=31415))
    assert r.status_code == 400 and "不能指定" in r.json()["errors"]["seed"][0]
    assert not Draw.objects.filter(purpose="API 抽取").exists()
    r = send(client, "POST", "/draws", body)
    assert r.status_code == 201, r.content
    draw = r.json()
    seed = draw["seed"]
    assert [d["expert"] for d in draw["drawn"]] == rules.choose(draw["pool"], 2, seed)
    # anyone who sees the draw re-runs it
    v = api("leader").get(f"{API}/draws/{draw['id']}/verify").json()
    assert v["reproduced"] is True and v["seed"] == seed
    assert v["checks"][0]["recorded"] == v["checks"][0]["expected"] == [d["expert"] for d in draw["drawn"]]
    assert api("far_perf_section").get(f"{API}/draws/{draw['id']}/verify").status_code == 404
    r = send(client, "POST", "/draws", dict(body, count=9))
    assert r.status_code == 400 and "少于需要抽取的 9 名" in r.json()["errors"]["count"][0]
    assert api("far_perf_section").get(f"{API}/draws/{draw['id']}").status_code == 404
    row = draw["drawn"][0]["id"]
    r = send(client, "POST", f"/drawn/{row}/decline", {"reason": "联系不上"})
    assert r.status_code == 200 and r.json()["seed"] == rules.derived_seed(seed, 1)
    v = client.get(f"{API}/draws/{draw['id']}/verify").json()
    assert v["reproduced"] is True and [c["label"] for c in v["checks"]] == ["原始抽取", "第 1 次替补"]
    assert DrawnExpert.objects.get(pk=row).status == "replaced"
    assert send(client, "POST", f"/drawn/{row}/decline", {"reason": "再次"}).status_code == 409


def test_my_tasks_and_accept(pool, api):
    expert = api("expert")
    tasks = expert.get(f"{API}/my-tasks").json()["items"]
    assert [t["id"] for t in tasks] == [pool["mine"].pk]
    assert tasks[0]["purpose"] == "事前评估：县人民医院门诊楼改造" and tasks[0]["fields"] == ["health"]
    r = send(expert, "POST", f"/drawn/{pool['mine'].pk}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert send(expert, "POST", f"/drawn/{pool['mine'].pk}/accept").status_code == 409
    other = DrawnExpert.objects.exclude(pk=pool["mine"].pk).get(draw=pool["draw"])
    assert send(expert, "POST", f"/drawn/{other.pk}/accept").status_code == 404
    assert expert.get(f"{API}/experts").status_code == 403
    assert api("firm").get(f"{API}/my-tasks").json()["items"] == []
    assert api("perf_section").get(f"{API}/my-tasks").status_code == 403
    assert Expert.objects.filter(user__username="expert").exists()
