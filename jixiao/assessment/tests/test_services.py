"""Services of the ex-ante assessment: creation rule, draw, scoring, combining, conclusion and its
effects on the project, the gate, inbox items, statistics, and that refusals write nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.assessment import services
from jixiao.assessment.models import ExAnteAssessment, ExpertReview, ExpertScore
from jixiao.assessment.tests import helpers
from jixiao.core.actors import SYSTEM
from jixiao.core.errors import StaleVersion, TransitionError, ValidationFailed
from jixiao.core.models import ChangeLog, InboxItem
from jixiao.org.models import Sector
from jixiao.pools import services as pool_services
from jixiao.pools.models import DrawnExpert, Expert
from jixiao.pools.tests.helpers import ensure_pool
from jixiao.projects import services as project_services
from jixiao.projects.models import Project, ProjectEvent
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db
D = Decimal


def test_create_moves_the_project_to_assessing_and_snapshots_the_dimensions(world):
    perf = world.user("perf_section")
    p = helpers.major_project(world, "EA1")
    a = services.create_assessment(actor=perf, project=p, note="县委常委会研究事项")
    p.refresh_from_db()
    assert p.stage == "assessing"
    assert a.status == "draft" and a.year == 2026 and a.object_kind == "project"
    assert a.requested_amount == D("12000000.00")
    assert [d["code"] for d in a.dimensions] == ["necessity", "economy", "target_reasonableness", "feasibility",
                                                 "financing_compliance"]
    assert a.max_score == D(100)
    assert list(ProjectEvent.objects.filter(project=p).values_list("title", flat=True)) == [
        "建立项目", "进入事前绩效评估", "发起事前绩效评估"]
    log = ChangeLog.objects.filter(object_id=str(a.pk), action="create", object_type__icontains="exanteassessment")
    assert log.get().actor == perf


def test_policy_gets_the_policy_wording(world):
    p = helpers.major_project(world, "EA2", kind="policy", name="县域人才引进补贴政策")
    a = services.create_assessment(actor=world.user("perf_section"), project=p)
    assert a.object_kind == "policy" and a.dimensions[0]["name"] == "政策设立必要性"


@pytest.mark.parametrize("over, message", [
    ({"is_major": False}, "不是重大项目"),
    ({"is_new": False, "start_year": 2025, "end_year": 2027}, "实施期内"),
])
def test_creation_refused_for_projects_that_need_none(world, over, message):
    p = helpers.major_project(world, "EA3", **over)
    with pytest.raises(TransitionError) as exc:
        services.create_assessment(actor=world.user("perf_section"), project=p)
    assert message in exc.value.message and exc.value.code == "assessment.not_eligible"
    assert not ExAnteAssessment.objects.exists()
    p.refresh_from_db()
    assert p.stage == "reserve"


def test_continuing_project_past_its_span_may_be_assessed(world):
    p = helpers.major_project(world, "EA4", is_new=False, is_major=False, year=2026, start_year=2023, end_year=2025)
    assert services.create_assessment(actor=world.user("perf_section"), project=p).status == "draft"


def test_creation_refused_outside_reserve_and_twice(world):
    perf = world.user("perf_section")
    a = helpers.draft(world)
    with pytest.raises(TransitionError) as exc:
        services.create_assessment(actor=perf, project=a.project)
    assert "评估中" in exc.value.message
    assert ExAnteAssessment.objects.count() == 1


def test_only_the_performance_section_creates(world):
    p = helpers.major_project(world, "EA5")
    with pytest.raises(PermissionDenied):
        services.create_assessment(actor=world.user("preparer"), project=p)
    with pytest.raises(PermissionDenied):  # another region's performance section
        services.create_assessment(actor=world.user("far_perf_section"), project=p)
    assert not ExAnteAssessment.objects.exists()


def test_draw_recuses_the_agency_and_opens_tasks(world):
    pool = ensure_pool(world)
    perf = world.user("perf_section")
    a = helpers.draft(world)
    a = services.draw_assessment_experts(actor=perf, assessment=a, version=a.version, count=3)
    assert a.status == "scoring" and a.draw.count == 3 and a.draw.subject == a
    drawn = set(DrawnExpert.objects.filter(draw=a.draw).values_list("expert__name", flat=True))
    assert drawn == {"赵明远", "孙丽华", "李国强"}  # 钱学军 works at 第一中学 itself: recused
    assert list(a.draw.excluded.all()) == [pool["experts"]["钱学军"]]
    assert ExpertReview.objects.filter(assessment=a, submitted_at__isnull=True).count() == 3
    item = InboxItem.objects.get(user=world.user("expert"), title__startswith="事前评估评分")
    assert item.url == f"/assessment/{a.pk}/"  # the assessment's page: accept or decline, then score
    with pytest.raises(TransitionError):
        services.draw_assessment_experts(actor=perf, assessment=a, version=a.version, count=3)


def test_draw_refusals_write_nothing(world):
    perf = world.user("perf_section")
    a = helpers.draft(world)
    with pytest.raises(ValidationFailed) as exc:
        services.draw_assessment_experts(actor=perf, assessment=a, version=a.version, count=4)  # only 3 eligible
    assert "只有 3 名" in exc.value.message
    with pytest.raises(ValidationFailed):
        services.draw_assessment_experts(actor=perf, assessment=a, version=a.version, count=2)
    with pytest.raises(StaleVersion):
        services.draw_assessment_experts(actor=perf, assessment=a, version=a.version + 1, count=3)
    a.refresh_from_db()
    assert a.status == "draft" and a.draw_id is None


def _scores(**over):
    return {k: {"score": v, "opinion": "意见"} for k, v in {**helpers.SCORES, **over}.items()}


def test_expert_scores_and_the_mean_is_combined(world):
    a = helpers.scoring(world)
    expert = world.user("expert")
    review = services.submit_scores(actor=expert, assessment=a, scores=_scores(), opinion="同意")
    assert review.total == D("85.50") and review.submitted_at
    assert ExpertScore.objects.filter(assessment=a, drawn=review.drawn).count() == 5
    assert not InboxItem.objects.filter(user=expert, title__startswith="事前评估评分", done_at__isnull=True).exists()
    a.refresh_from_db()
    assert a.combined_scores["economy"] == "15.50" and a.total_score == D("85.50")
    # the others score: (18 + 16 + 17) / 3 = 17 for 立项必要性; (15.5 + 12 + 13) / 3 = 13.5 for 投入经济性
    others = DrawnExpert.objects.filter(draw=a.draw).exclude(expert__user=expert).order_by("order")
    for drawn, (nec, eco) in zip(others, [("16", "12"), ("17", "13")], strict=True):
        services.submit_scores(actor=SYSTEM, assessment=a, drawn=drawn, opinion="可行",
                               scores=_scores(necessity=nec, economy=eco))
    a.refresh_from_db()
    assert a.combined_scores["necessity"] == "17.00" and a.combined_scores["economy"] == "13.50"
    assert a.total_score == D("17") + D("13.5") + 16 + 17 + 19
    # everyone has scored: the performance section is told
    assert InboxItem.objects.filter(user=world.user("perf_section"), done_at__isnull=True,
                                    title__startswith="专家评分已完成").count() == 1


def test_resubmitting_replaces_the_experts_scores(world):
    a = helpers.scoring(world)
    expert = world.user("expert")
    services.submit_scores(actor=expert, assessment=a, scores=_scores(), opinion="同意")
    review = services.submit_scores(actor=expert, assessment=a, scores=_scores(necessity="10"), opinion="再议")
    assert review.total == D("77.50") and review.opinion == "再议"
    assert ExpertScore.objects.filter(assessment=a, drawn=review.drawn).count() == 5


@pytest.mark.parametrize("scores, key", [
    (_scores(necessity="20.5"), "scores.necessity"),
    (_scores(economy="-1"), "scores.economy"),
    ({k: v for k, v in _scores().items() if k != "feasibility"}, "scores.feasibility"),
    ({**_scores(), "beauty": {"score": 1}}, "scores.beauty"),
])
def test_bad_scores_are_refused_and_nothing_is_written(world, scores, key):
    a = helpers.scoring(world)
    with pytest.raises(ValidationFailed) as exc:
        services.submit_scores(actor=world.user("expert"), assessment=a, scores=scores, opinion="同意")
    assert key in exc.value.errors
    assert not ExpertScore.objects.filter(assessment=a).exists()


def test_overall_opinion_required(world):
    a = helpers.scoring(world)
    with pytest.raises(ValidationFailed) as exc:
        services.submit_scores(actor=world.user("expert"), assessment=a, scores=_scores(), opinion=" ")
    assert "opinion" in exc.value.errors


def test_only_drawn_experts_score(world):
    a = helpers.scoring(world)
    with pytest.raises(PermissionDenied):
        services.submit_scores(actor=world.user("perf_section"), assessment=a, scores=_scores(), opinion="x")
    other = helpers.draft(world)  # the expert is not drawn for this one (no draw yet)
    with pytest.raises(PermissionDenied):
        services.submit_scores(actor=world.user("expert"), assessment=other, scores=_scores(), opinion="x")
    # an expert who declined (and was replaced) may no longer score
    mine = DrawnExpert.objects.get(draw=a.draw, expert__user=world.user("expert"))
    ensure_pool(world)
    pool_services.create_expert(actor=SYSTEM, region=a.region, name="冯振华", organisation="潍坊学院",
                                fields=[Sector.objects.get(code="education")])
    pool_services.decline_and_replace(actor=world.user("expert"), drawn=mine, reason="时间冲突")
    with pytest.raises(PermissionDenied):
        services.submit_scores(actor=world.user("expert"), assessment=a, scores=_scores(), opinion="x")
    assert not ExpertScore.objects.filter(assessment=a).exists()
    assert Expert.objects.filter(name="冯振华").exists()


def test_conclude_support_admits_the_project(world):
    perf = world.user("perf_section")
    a = helpers.scored(world)
    a = services.conclude(actor=perf, assessment=a, version=a.version, conclusion="support", opinion="予以支持")
    assert (a.status, a.conclusion, a.conclusion_label, a.admits) == ("concluded", "support", "予以支持", True)
    assert a.supported_amount == a.requested_amount and a.budget_effect == 0
    assert a.concluded_by == perf and a.concluded_at
    project = Project.objects.get(pk=a.project_id)
    assert project.stage == "admitted"
    assert services.exante_check(project) is True
    titles = list(project.events.values_list("title", flat=True))
    assert titles[-2:] == ["事前评估结论：予以支持", "批准入库"]
    assert not InboxItem.objects.filter(object_id=a.pk, done_at__isnull=True, title__startswith="专家评分已完成").exists()


def test_conclude_partial_without_admitting_leaves_the_gate_open(world):
    perf = world.user("perf_section")
    a = helpers.scored(world)
    with pytest.raises(ValidationFailed) as exc:
        services.conclude(actor=perf, assessment=a, version=a.version, conclusion="partial", opinion="部分")
    assert "supported_amount" in exc.value.errors
    a = services.conclude(actor=perf, assessment=a, version=a.version, conclusion="partial", opinion="部分支持",
                          supported_amount=D("9000000"), admit_project=False)
    assert a.supported_amount == D("9000000.00") and a.budget_effect == D("3000000.00")
    project = Project.objects.get(pk=a.project_id)
    assert project.stage == "assessing"
    project = project_services.admit(actor=perf, project=project, version=project.version)
    assert project.stage == "admitted"


def test_defer_returns_to_reserve_and_allows_reassessment(world):
    perf = world.user("perf_section")
    a = helpers.scored(world)
    a = services.conclude(actor=perf, assessment=a, version=a.version, conclusion="defer", opinion="前期论证不足")
    assert a.supported_amount is None and a.budget_effect is None and not a.admits
    project = Project.objects.get(pk=a.project_id)
    assert project.stage == "reserve"
    with pytest.raises(TransitionError) as exc:
        project_services.admit(actor=perf, project=project, version=project.version)
    assert "暂缓支持" in exc.value.message
    again = services.create_assessment(actor=perf, project=project, note="补充材料后重新评估")
    assert again.pk != a.pk and ExAnteAssessment.objects.filter(project=project).count() == 2
    project.refresh_from_db()
    assert services.exante_check(project) == "事前绩效评估尚未得出结论，暂不能入库"


def test_reject_terminates_and_cuts_the_whole_amount(world):
    perf = world.user("perf_section")
    a = helpers.scored(world)
    a = services.conclude(actor=perf, assessment=a, version=a.version, conclusion="reject", opinion="不予支持")
    assert a.supported_amount == 0 and a.budget_effect == a.requested_amount
    assert Project.objects.get(pk=a.project_id).stage == "terminated"


def test_conclusion_refusals(world):
    perf = world.user("perf_section")
    a = helpers.scoring(world)
    helpers.score_all(a, skip_user=world.user("expert"))
    a.refresh_from_db()
    with pytest.raises(TransitionError) as exc:
        services.conclude(actor=perf, assessment=a, version=a.version, conclusion="support", opinion="x")
    assert "尚有 1 位专家未提交评分" in exc.value.message
    a = helpers.score_all(a)
    with pytest.raises(ValidationFailed) as exc:
        services.conclude(actor=perf, assessment=a, version=a.version, conclusion="maybe", opinion="")
    assert set(exc.value.errors) == {"conclusion", "opinion"}
    with pytest.raises(PermissionDenied):
        services.conclude(actor=world.user("section_reviewer"), assessment=a, version=a.version,
                          conclusion="support", opinion="x")
    with pytest.raises(StaleVersion):
        services.conclude(actor=perf, assessment=a, version=a.version - 1, conclusion="support", opinion="x")
    a.refresh_from_db()
    assert a.status == "scoring" and not a.conclusion
    services.conclude(actor=perf, assessment=a, version=a.version, conclusion="support", opinion="支持")
    with pytest.raises(TransitionError) as exc:  # and the experts can no longer edit
        services.submit_scores(actor=world.user("expert"), assessment=a, scores=_scores(), opinion="改")
    assert "已出结论" in exc.value.message


def test_gate_refuses_new_major_projects_without_assessment(world):
    perf = world.user("perf_section")
    p = helpers.major_project(world, "EA9")
    p = project_services.submit_for_assessment(actor=perf, project=p, version=p.version)
    with pytest.raises(TransitionError) as exc:
        project_services.admit(actor=perf, project=p, version=p.version)
    assert exc.value.code == "project.exante_required"
    # projects that need no assessment are not asked
    plain = make_project(world, code="EA10")
    assert project_services.admit(actor=perf, project=plain, version=plain.version).stage == "admitted"


def test_statistics_one_group_by(world, django_assert_num_queries):
    perf = world.user("perf_section")
    for code, conclusion, amount in [("EA21", "support", None), ("EA22", "partial", D("8000000")),
                                     ("EA23", "reject", None), ("EA24", "partial", D("6000000"))]:
        a = helpers.scored(world, code)
        services.conclude(actor=perf, assessment=a, version=a.version, conclusion=conclusion, opinion="意见",
                          supported_amount=amount)
    helpers.draft(world)  # not concluded: not counted
    qs = ExAnteAssessment.objects.for_user(perf, "view")
    with django_assert_num_queries(1):
        rows = {r["conclusion"]: r for r in services.statistics(qs, year=2026)}
    assert rows["partial"]["count"] == 2
    assert rows["partial"]["requested"] == D("24000000.00") and rows["partial"]["supported"] == D("14000000.00")
    assert rows["partial"]["cut"] == D("10000000.00")
    assert rows["reject"]["cut"] == D("12000000.00") and rows["support"]["cut"] == 0
    full, totals = services.statistics_by_conclusion(qs, region=perf.region, year=2026)
    assert [r["label"] for r in full] == ["予以支持", "部分支持", "暂缓支持", "不予支持"]
    assert full[2]["count"] == 0 and totals["count"] == 4 and totals["cut"] == D("22000000.00")
    assert services.statistics(ExAnteAssessment.objects.for_user(world.user("far_perf_section")), year=2026) == []
    assert services.statistics(qs, year=2025) == []


def test_replacement_gets_the_task_and_scores(world):
    a = helpers.scoring(world)
    pool_services.create_expert(actor=SYSTEM, region=a.region, name="冯振华", organisation="潍坊学院",
                                fields=[Sector.objects.get(code="education")])
    mine = DrawnExpert.objects.get(draw=a.draw, expert__user=world.user("expert"))
    replacement = pool_services.decline_and_replace(actor=world.user("perf_section"), drawn=mine, reason="回避")
    assert replacement.expert.name == "冯振华"
    helpers.score_all(a)  # the two others and the replacement
    a.refresh_from_db()
    assert services.scoring_progress(a) == (3, 3)
    assert ExpertReview.objects.get(assessment=a, drawn=replacement).is_submitted
    # the replaced expert's task is closed
    assert not InboxItem.objects.filter(user=world.user("expert"), title__startswith="事前评估评分",
                                        done_at__isnull=True).exists()
    a = services.conclude(actor=world.user("perf_section"), assessment=a, version=a.version, conclusion="support",
                          opinion="支持")
    assert a.total_score == D("85.50")
