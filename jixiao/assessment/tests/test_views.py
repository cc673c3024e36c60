"""Pages of the ex-ante assessment: the whole flow through the forms, the expert's own pages, the
list's query budget, statistics, and refusals that show nothing."""

from decimal import Decimal

import pytest

from jixiao.assessment.models import ExAnteAssessment, ExpertScore
from jixiao.assessment.tests import helpers
from jixiao.pools.models import DrawnExpert
from jixiao.pools.tests.helpers import ensure_pool
from jixiao.projects.models import Project

pytestmark = pytest.mark.django_db


def test_flow_through_the_pages(world, login):
    ensure_pool(world)
    p = helpers.major_project(world, "EA31", name="县医院门诊综合楼建设项目")
    perf = login("perf_section")
    r = perf.get("/assessment/new/")
    assert r.status_code == 200 and "县医院门诊综合楼建设项目" in r.content.decode()
    r = perf.post("/assessment/new/", {"project": p.pk, "note": "重大项目"})
    a = ExAnteAssessment.objects.get(project=p)
    assert r.status_code == 302 and r["Location"] == f"/assessment/{a.pk}/"
    # the project's timeline links to the assessment
    assert f'href="/assessment/{a.pk}/"' in perf.get(f"/projects/{p.pk}/").content.decode()
    r = perf.post(f"/assessment/{a.pk}/draw/", {"version": a.version, "count": 3})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "scoring"

    expert = login("expert")
    assert f'href="/assessment/{a.pk}/"' in expert.get("/pools/tasks/").content.decode()
    r = expert.get("/assessment/mine/")
    assert "县医院门诊综合楼建设项目" in r.content.decode() and "未提交" in r.content.decode()
    form = {f"score_{k}": v for k, v in helpers.SCORES.items()} | {"opinion": "同意立项", "opinion_economy": "测算偏高"}
    # an expert accepts before scoring: the assessment's page offers 接受邀请, not 评分
    assert expert.get(f"/assessment/{a.pk}/score/").status_code == 403
    page = expert.get(f"/assessment/{a.pk}/").content.decode()
    mine = DrawnExpert.objects.get(draw=a.draw, expert__user__username="expert")
    assert f"/pools/drawn/{mine.pk}/accept/" in page and f"/assessment/{a.pk}/score/" not in page
    r = expert.post(f"/pools/drawn/{mine.pk}/accept/", {"next": f"/assessment/{a.pk}/"})
    assert r.status_code == 302 and r["Location"] == f"/assessment/{a.pk}/"
    assert f"/assessment/{a.pk}/score/" in expert.get(f"/assessment/{a.pk}/").content.decode()
    r = expert.post(f"/assessment/{a.pk}/score/", form | {"score_necessity": "25"})
    assert r.status_code == 200 and not ExpertScore.objects.exists()
    r = expert.post(f"/assessment/{a.pk}/score/", form)
    assert r.status_code == 302 and ExpertScore.objects.filter(assessment=a).count() == 5
    assert ExpertScore.objects.get(assessment=a, dimension="economy").opinion == "测算偏高"
    assert "已提交（85.50 分）" in expert.get("/assessment/mine/").content.decode()

    r = perf.get(f"/assessment/{a.pk}/conclude/")
    assert "已提交 1 / 3 人" in r.content.decode()
    a = helpers.score_all(a, skip_user=world.user("expert"))
    r = perf.post(f"/assessment/{a.pk}/conclude/", {"version": a.version, "conclusion": "partial",
                                                    "supported_amount": "900", "opinion": "压减后支持",
                                                    "admit_project": "on"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.supported_amount == Decimal("9000000.00") and a.budget_effect == Decimal("3000000.00")
    assert Project.objects.get(pk=p.pk).stage == "admitted"
    page = perf.get(f"/assessment/{a.pk}/").content.decode()
    assert "部分支持" in page and "300.00 万元" in page and "赵明远" in page
    # after the conclusion the expert's page is read-only and a post changes nothing
    r = expert.post(f"/assessment/{a.pk}/score/", form | {"score_necessity": "1"})
    assert r.status_code == 200 and "已出结论" in r.content.decode()
    assert ExpertScore.objects.get(assessment=a, dimension="necessity", drawn__expert__user__username="expert").score == 18


def test_agency_sees_the_conclusion_not_the_experts(world, login):
    a = helpers.concluded(world)
    page = login("preparer").get(f"/assessment/{a.pk}/").content.decode()
    assert "予以支持" in page and "赵明远" not in page
    assert "赵明远" in login("perf_section").get(f"/assessment/{a.pk}/").content.decode()
    assert login("preparer_agri").get(f"/assessment/{a.pk}/").status_code == 404


def test_expert_not_drawn_gets_nothing(world, login):
    a = helpers.draft(world)
    expert = login("expert")
    assert expert.get(f"/assessment/{a.pk}/").status_code == 404
    assert expert.get(f"/assessment/{a.pk}/score/").status_code == 404
    assert "第一中学新校区建设项目01" not in expert.get("/assessment/list/").content.decode()


def test_create_refusal_is_shown_on_the_form(world, login):
    a = helpers.draft(world)
    r = login("perf_section").post("/assessment/new/", {"project": a.project_id})
    assert r.status_code == 200 and ExAnteAssessment.objects.count() == 1


def test_list_filters_and_query_budget(world, login, django_assert_max_num_queries):
    helpers.concluded(world)
    helpers.scoring(world)
    helpers.draft(world)
    perf = login("perf_section")
    with django_assert_max_num_queries(12):
        r = perf.get("/assessment/list/")
    assert r.status_code == 200 and r.content.decode().count('href="/assessment/') >= 3
    page = perf.get("/assessment/list/?conclusion=support&status=concluded&year=2026&agency=101001").content.decode()
    assert "第一中学新校区建设项目03" in page and "第一中学新校区建设项目01" not in page
    assert "第一中学新校区建设项目03" not in perf.get("/assessment/list/?sector=health").content.decode()


def test_statistics_page_in_wan(world, login):
    helpers.concluded(world)
    page = login("leader").get("/assessment/statistics/?year=2026").content.decode()
    assert "共完成事前绩效评估 1 个" in page and "1,200.00" in page and "1,200.00 万元" in page
    assert "共完成事前绩效评估 0 个" in login("far_leader").get("/assessment/statistics/?year=2026").content.decode()


def test_opinion_download(world, login):
    a = helpers.concluded(world)
    r = login("preparer").get(f"/assessment/{a.pk}/opinion.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r["Content-Disposition"]
