"""The target part of the demo county: one sheet per project in a stage that takes one and one
whole-budget sheet per agency, every review state present (with the personas' work waiting in their
inboxes), histories shaped like the review machinery's, the budget gate kept, non-trivial
statistics, idempotent. The county is built once (it takes seconds); the pure history is tested
on its own."""

import io
import json
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count

from jixiao.core.models import InboxItem, Review, ReviewEvent
from jixiao.org.models import Agency, User
from jixiao.projects.models import Project
from jixiao.targets import demo, statistics
from jixiao.targets.models import TargetSheet
from jixiao.targets.services import target_check

STEPS = [{"code": "agency_self", "name": "单位自审", "skip_when_empty": True},
         {"code": "department", "name": "主管部门审核", "skip_when_empty": True},
         {"code": "section", "name": "业务股室初审"}, {"code": "performance", "name": "绩效股复审"}]
PERF = (9, "陈静", "performance_section")
SECTION = (4, "刘洋", "section_reviewer")


def test_history_follows_the_review_machinery():
    holders = [[], [], [SECTION], [PERF]]
    rng = random.Random(1)
    approved = demo.history(rng, steps=STEPS, holders=holders, submitter=PERF, state="approved", returns=1)
    assert approved.status == "approved" and approved.position == 4 and approved.returns == 1
    actions = [(e.action, e.from_step) for e in approved.events]
    # the unheld steps the chain marks 无审核人时跳过 are skipped, as core.review does, each time the
    # review passes them — by the system, never under the previous actor's name
    assert actions[0] == ("submit", "") and ("skip", "单位自审") in actions and ("skip", "主管部门审核") in actions
    assert {e.actor for e in approved.events if e.action == "skip"} == {(None, "系统", "")}
    assert actions[-1] == ("approve", "绩效股复审") and sum(a == "return" for a, _ in actions) == 1
    # a step nobody holds that the chain does not skip: the course stops there, waiting
    stuck = demo.history(random.Random(1), steps=STEPS, holders=[[], [], [], [PERF]], submitter=PERF,
                         state="approved")
    assert (stuck.status, stuck.position) == ("in_review", 2)
    assert [(e.action, e.from_step) for e in stuck.events][-1] == ("skip", "主管部门审核")
    holders = [[], [(3, "张伟", "department_reviewer")], [SECTION], [PERF]]
    assert all(e.opinion for e in approved.events if e.action == "return")
    approved = demo.history(random.Random(1), steps=STEPS, holders=holders, submitter=PERF, state="approved", returns=1)
    waiting = demo.history(random.Random(2), steps=STEPS, holders=holders, submitter=PERF, state="in_review", at=1)
    assert waiting.status == "in_review" and waiting.position == 1 and waiting.events[-1].to_step == "主管部门审核"
    returned = demo.history(random.Random(3), steps=STEPS, holders=holders, submitter=PERF, state="returned")
    assert returned.status == "returned" and returned.position == -1 and returned.events[-1].action == "return"
    assert demo.history(random.Random(4), steps=STEPS, holders=holders, submitter=PERF, state="draft").events == []
    again = demo.history(random.Random(1), steps=STEPS, holders=holders, submitter=PERF, state="approved", returns=1)
    assert [(e.action, e.opinion, e.gap) for e in again.events] == [(e.action, e.opinion, e.gap) for e in approved.events]


def build():
    out = io.StringIO()
    call_command("build_demo", "--scale", "county", "--seed", "1", "--year", "2026", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_demo_targets():
    summary = build()
    region_sheets = TargetSheet.objects.filter(region__code="370724", year=2026)
    # (the monitoring demo's 调整绩效目标 decisions each open one adjustment: a sheet version of their own)
    adjustments = summary.get("monitoring_decisions", {}).get("adjust_target", 0)
    assert summary["target_sheets_created"] == summary["target_sheets"] == region_sheets.count() - adjustments
    assert region_sheets.filter(status="draft", number__gt=1).count() >= adjustments

    # as documented: one declared sheet per project in a stage that takes one, one per agency
    projects = Project.objects.filter(region__code="370724", year=2026, stage__in=demo.SHEET_STAGES)
    declared = region_sheets.filter(number=1)
    assert declared.exclude(kind="agency").count() == projects.count() > 500
    assert declared.filter(kind="agency").count() == Agency.objects.filter(region__code="370724", active=True).count()
    assert not region_sheets.filter(project__stage="terminated").exists()

    # every state
    status = dict(region_sheets.values_list("status").annotate(n=Count("pk")))
    assert set(status) == {"draft", "in_review", "returned", "approved", "superseded"}
    assert region_sheets.filter(published=True, status="approved").exists()
    assert region_sheets.filter(kind="policy").exists() and region_sheets.filter(kind="agency", status="approved").exists()
    for old in region_sheets.filter(status="superseded"):
        assert old.next.status == "approved" and old.next.number == 2 and old.next.adjustment_reason
    under_way = region_sheets.filter(number=2, status__in=["draft", "in_review"])
    assert under_way.exists() and all(s.previous.status == "approved" for s in under_way)
    reviews = Review.objects.filter(chain="target", region__code="370724")
    assert reviews.count() == region_sheets.count()
    waiting_at = set(reviews.filter(status="in_review").values_list("position", flat=True))
    assert waiting_at == {0, 1, 2, 3}
    assert ReviewEvent.objects.filter(review__chain="target", action="return").exclude(opinion="").count() > 100
    # skips are the system's (no user, 系统), only of steps the chain marks 无审核人时跳过, with the reason
    skips = ReviewEvent.objects.filter(review__chain="target", review__region__code="370724", action="skip")
    assert not skips.filter(actor__isnull=False).exists()
    assert set(skips.values_list("actor_name", flat=True)) <= {"系统"}
    # a step nobody holds that the chain does not skip (业务股室初审 of a department no section looks
    # after): the performance section assigned a reviewer, who then acts there
    assigns = ReviewEvent.objects.filter(review__chain="target", review__region__code="370724", action="assign")
    assert assigns.exists() and set(assigns.values_list("actor__username", flat=True)) == {"perf_section"}
    for r in Review.objects.filter(pk__in=assigns.values("review")[:50]):
        assert r.assigned and all(str(pos) in r.assigned for pos in range(len(r.steps))
                                  if r.steps[pos]["name"] in set(r.events.filter(action="assign")
                                                                  .values_list("from_step", flat=True)))
    assert set(skips.values_list("from_step", flat=True)) <= {"单位自审", "主管部门审核"}
    assert not skips.exclude(opinion__contains="无审核人时跳过").exists()
    # every waiting review item has the step's deadline
    assert not InboxItem.objects.filter(kind="review", done_at__isnull=True, due_at__isnull=True,
                                        title__startswith="【").exclude(title__startswith="【已退回】").exists()

    # the sheet's status mirrors its review; the history ends where the review stands
    sheet_status = dict(region_sheets.values_list("pk", "status"))
    for r in reviews.filter(status="in_review").prefetch_related("events"):
        assert sheet_status[r.object_id] == "in_review"
        events = list(r.events.all())
        assert events[-1].to_step == r.steps[r.position]["name"]
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)

    # the personas find work: a sheet at each of their steps, a returned one for the preparer
    for username in ("unit_head", "dept_reviewer", "section_reviewer", "perf_section", "preparer"):
        user = User.objects.get(username=username)
        assert InboxItem.objects.filter(user=user, kind="review", done_at__isnull=True).exists(), username

    # submitted sheets have no blocking findings; about a third carry warnings; about a third returned
    assert not region_sheets.exclude(status="draft").filter(error_count__gt=0).exists()
    assert region_sheets.filter(status="draft", error_count__gt=0).exists()
    warned = region_sheets.filter(warning_count__gt=0).count() / region_sheets.count()
    assert 0.2 < warned < 0.5
    report = statistics.review_for(User.objects.get(username="perf_section"), 2026)
    assert Decimal("25") < report.returned_rate < Decimal("45")
    assert {f["code"] for f in report.findings} >= {"no_timeliness", "weight_total", "qualitative_share"}

    # the budget gate holds for every project already budgeted
    for p in Project.objects.filter(region__code="370724", stage__in=["budgeted", "executing", "completed"]):
        assert target_check(p, p.budget_amount) is True, p.code
        sheet = TargetSheet.objects.get(project=p, status="approved")
        assert sheet.amount == p.budget_amount
    coverage = statistics.coverage_for(User.objects.get(username="leader"), 2026)
    assert Decimal("60") < coverage.projects.coverage.count_rate < Decimal("100")
    assert coverage.agencies_covered > coverage.agencies_total / 2

    # indicators drawn as the editor's suggestions rank them (issue #10): no sheet takes a template of
    # an unrelated sector, nor a topical common one (工程, 信息化 …) its project has nothing to do with
    from jixiao.library.rules import Candidate, fits
    from jixiao.targets.models import TargetIndicator

    unfit = []
    rows = (TargetIndicator.objects.filter(sheet__region__code="370724", template__isnull=False)
            .values_list("sheet__kind", "sheet__project__name", "sheet__agency__name", "sheet__project__sector__code",
                         "sheet__agency__sector__code", "template_id", "template__name", "template__keywords",
                         "template__sector__code", "template__level1"))
    for kind, p_name, a_name, p_sector, a_sector, tid, t_name, t_kw, t_sector, t_l1 in rows:
        topic, sector = (demo.whole_budget_topic(a_name), a_sector) if kind == "agency" else (p_name, p_sector)
        if not fits(topic, Candidate(tid, t_name, t_kw, t_sector, 0, t_l1), sector):
            unfit.append(f"{topic}: {t_name}")
    assert not unfit, unfit[:20]
    teachers = TargetIndicator.objects.filter(sheet__project__name__contains="乡村教师生活补助")
    assert teachers.exists()
    assert not teachers.filter(name__in=["工程设计使用年限", "网络安全事件发生次数"]).exists()

    again = build()
    assert again["target_sheets_created"] == 0 and TargetSheet.objects.count() == summary["target_sheets"] + adjustments
