"""The assessment API: scoped list and detail, create, draw and conclude with If-Match, expert
scoring, statistics, the opinion document, coded refusals."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from jixiao.assessment.models import ExAnteAssessment, ExpertScore
from jixiao.assessment.tests import helpers
from jixiao.org import services as org_services
from jixiao.pools.models import DrawnExpert
from jixiao.pools.tests.helpers import ensure_pool

API = "/api/v1/assessment/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    def make(username):
        _, key = org_services.create_api_token(actor=world.user(username), name="接口测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def send(client, path, body=None, version=None):
    headers = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json", **headers)


def test_whole_flow(world, api):
    ensure_pool(world)
    p = helpers.major_project(world, "EA41")
    perf = api("perf_section")
    r = send(perf, "", {"project": p.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    aid = body["id"]
    assert body["status"] == "draft" and body["requested_amount"] == "12000000.00" and len(body["dimensions"]) == 5
    assert send(perf, "", {"project": p.pk}).json()["code"] == "assessment.not_eligible"
    assert send(perf, f"{aid}/draw", {"count": 3}).status_code == 428
    assert send(perf, f"{aid}/draw", {"count": 3}, version=9).status_code == 412
    # nobody chooses the seed: a body that still sends one is refused, and nothing is drawn
    r = send(perf, f"{aid}/draw", {"count": 3, "seed": 1}, version=1)
    assert r.status_code == 400 and "不能指定" in r.json()["errors"]["seed"][0]
    assert ExAnteAssessment.objects.get(pk=aid).status == "draft"
    r = send(perf, f"{aid}/draw", {"count": 3}, version=1)
    assert r.status_code == 200 and r.json()["status"] == "scoring" and r["ETag"] == '"2"'

    scores = {k: {"score": v, "opinion": "好"} for k, v in helpers.SCORES.items()}
    expert = api("expert")
    assert send(expert, f"{aid}/scores", {"scores": scores, "opinion": "同意"}).status_code == 403  # not accepted
    mine = DrawnExpert.objects.get(draw__object_id=aid, expert__user__username="expert")
    r = expert.post(f"/api/v1/pools/drawn/{mine.pk}/accept", content_type="application/json")
    assert r.status_code == 200, r.content
    r = send(expert, f"{aid}/scores", {"scores": {**scores, "necessity": {"score": "21"}}, "opinion": "同意"})
    assert r.status_code == 400 and "scores.necessity" in r.json()["errors"]
    r = send(expert, f"{aid}/scores", {"scores": scores, "opinion": "同意"})
    assert r.status_code == 200
    reviews = r.json()["reviews"]
    assert len(reviews) == 1 and reviews[0]["expert"] == "赵明远" and reviews[0]["total"] == "85.50"
    assert send(perf, f"{aid}/scores", {"scores": scores, "opinion": "x"}).status_code == 403

    r = send(perf, f"{aid}/conclude", {"conclusion": "support", "opinion": "支持"}, version=2)
    assert r.status_code == 409 and r.json()["code"] == "assessment.scoring_open"
    helpers.score_all(ExAnteAssessment.objects.get(pk=aid), skip_user=world.user("expert"))
    r = send(perf, f"{aid}/conclude", {"conclusion": "reject", "opinion": "不予支持"}, version=2)
    assert r.status_code == 200
    out = r.json()
    assert out["conclusion"] == "reject" and out["budget_effect"] == "12000000.00" and out["supported_amount"] == "0.00"
    assert Decimal(out["total_score"]) > 0 and all(d["combined"] for d in out["dimensions"])
    assert api("perf_section").get(f"/api/v1/projects/{p.pk}").json()["stage"] == "terminated"
    # the agency reads the conclusion, not the experts' scores
    mine = api("preparer").get(f"{API}{aid}").json()
    assert mine["conclusion_label"] == "不予支持" and mine["reviews"] == []
    assert len(api("leader").get(f"{API}{aid}").json()["reviews"]) == 3
    r = send(expert, f"{aid}/scores", {"scores": scores, "opinion": "改"})
    assert r.status_code == 409 and r.json()["code"] == "assessment.concluded"


def test_list_scope_and_filters(world, api):
    a = helpers.concluded(world)
    helpers.draft(world)
    assert api("perf_section").get(API).json()["count"] == 2
    assert [x["id"] for x in api("perf_section").get(f"{API}?conclusion=support").json()["items"]] == [a.pk]
    assert api("preparer_agri").get(API).json()["count"] == 0
    assert api("far_perf_section").get(API).json()["count"] == 0
    assert [x["id"] for x in api("expert").get(API).json()["items"]] == [a.pk]  # drawn for this one only
    assert api("far_perf_section").get(f"{API}{a.pk}").status_code == 404
    assert api("firm").get(API).status_code == 403


def test_statistics_and_opinion(world, api):
    a = helpers.concluded(world)
    r = api("leader").get(f"{API}statistics?year=2026")
    body = r.json()
    assert body["year"] == 2026 and body["totals"]["count"] == 1
    support = next(x for x in body["rows"] if x["conclusion"] == "support")
    assert support["count"] == 1 and support["requested"] == "12000000.00" and support["cut"] == "0.00"
    r = api("preparer").get(f"{API}{a.pk}/opinion")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert api("preparer_agri").get(f"{API}{a.pk}/opinion").status_code == 404


def test_expert_not_drawn_cannot_score(world, api):
    a = helpers.draft(world)
    r = send(api("expert"), f"{a.pk}/scores", {"scores": {}, "opinion": "x"})
    assert r.status_code == 404 and not ExpertScore.objects.exists()
