"""Finance decisions (监控结果应用, issue #13) through the services with their actor: each kind's rules
on the stored state, the timeline and change log, scoping, the target adjustment opened by
调整绩效目标, the bulk decision (all or nothing) and the statistics against a hand-worked example."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.core.actors import SYSTEM
from jixiao.core.errors import TransitionError, ValidationFailed
from jixiao.core.models import ChangeLog
from jixiao.monitoring import services
from jixiao.monitoring.models import Decision, MonitoringRound, MonitoringTable
from jixiao.monitoring.services import decide, decide_many, enter_execution, lift_suspension
from jixiao.monitoring.statistics import decision_statistics
from jixiao.projects.models import ProjectEvent
from jixiao.projects.tests.factories import project_at
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import approved_sheet

pytestmark = pytest.mark.django_db


def running(world, code, budget="1000000", agency="101001", region="370724", stage="executing"):
    return project_at(world, stage, code=code, agency=agency, region=region, budget_amount=Decimal(budget))


def paid(world, project, amount, month=3):
    enter_execution(actor=SYSTEM, project=project, year=project.year, month=month, fund_source="own",
                    amount=Decimal(amount))


@pytest.fixture
def perf(world):
    return world.user("perf_section")


@pytest.fixture
def school(world):
    return running(world, "XM-D1")


def test_continue_is_recorded_in_timeline_and_change_log(world, perf, school):
    d = decide(actor=perf, project=school, kind="continue", reason="进度正常")
    assert (d.kind, d.amount, d.year, d.agency_id, d.decided_by) == ("continue", None, 2026, school.agency_id, perf)
    event = ProjectEvent.objects.get(project=school, kind="monitoring_decision")
    assert (event.title, event.note, event.data["decision"]) == ("继续执行", "进度正常", d.pk)
    assert ChangeLog.objects.filter(object_type="monitoring.decision", object_id=str(d.pk), action="create").exists()


def test_cut_and_recover_bounds_on_the_stored_state(world, perf, school):
    paid(world, school, "600000")
    with pytest.raises(ValidationFailed) as exc:
        decide(actor=perf, project=school, kind="cut", amount=Decimal("400000.01"), reason="执行缓慢")
    assert exc.value.errors["amount"][0].startswith("调减金额不能超过尚未支出的预算 40.00 万元")
    cut = decide(actor=perf, project=school, kind="cut", amount=Decimal("400000"), reason="执行缓慢")
    assert cut.amount == Decimal("400000.00")
    assert services.budgets([school.pk])[school.pk] == (Decimal("1000000.00"), Decimal("600000.00"))
    with pytest.raises(ValidationFailed):  # nothing left unspent
        decide(actor=perf, project=school, kind="cut", amount=Decimal("0.01"), reason="再减")
    with pytest.raises(ValidationFailed) as exc:
        decide(actor=perf, project=school, kind="recover", amount=Decimal("600000.01"), reason="违规支出")
    assert exc.value.errors == {"amount": ["收回金额不能超过已执行且尚未收回的资金 60.00 万元（已执行 60.00 万元，已收回 0.00 万元）"]}
    decide(actor=perf, project=school, kind="recover", amount=Decimal("100000"), reason="违规支出")
    # recovered funds are no longer paid out: 10 万 of budget is unspent again
    decide(actor=perf, project=school, kind="cut", amount=Decimal("100000"), reason="收回部分调减")
    state = services.decision_states([school])[school.pk]
    assert (state.adjusted, state.recovered, state.unspent) == (Decimal("500000.00"), Decimal("100000.00"),
                                                                 Decimal("0.00"))
    assert Decision.objects.filter(project=school).count() == 3
    event = ProjectEvent.objects.filter(project=school, kind="monitoring_decision").order_by("pk").first()
    assert event.title == "调减预算 40.00 万元"


def test_amount_and_kind_refusals_write_nothing(world, perf, school):
    for kwargs, field in ((dict(kind="cut"), "amount"), (dict(kind="continue", amount=Decimal(5)), "amount"),
                          (dict(kind="cut", amount=Decimal("-1")), "amount"), (dict(kind="freeze"), "kind"),
                          (dict(kind="continue", reason=" "), "reason")):
        with pytest.raises(ValidationFailed) as exc:
            decide(actor=perf, project=school, **{"reason": "理由", **kwargs})
        assert field in exc.value.errors, kwargs
    reserve = project_at(world, "reserve", code="XM-D-RES")
    with pytest.raises(ValidationFailed) as exc:
        decide(actor=perf, project=reserve, kind="suspend", reason="x")
    assert exc.value.errors == {"kind": ["项目当前阶段不能作出“暂缓拨付”的决定（须已纳入预算或执行中）"]}
    assert not Decision.objects.exists() and not ProjectEvent.objects.filter(kind="monitoring_decision").exists()


def test_who_may_decide(world, school):
    far = running(world, "XM-D-FAR", agency="101001", region="654022")
    for username in ("preparer", "unit_head", "dept_reviewer", "section_reviewer", "leader", "sysadmin"):
        with pytest.raises(PermissionDenied):
            decide(actor=world.user(username), project=school, kind="continue", reason="x")
    # the performance section of another county, and the province's division looking down: not theirs
    for username in ("far_perf_section", "prov_perf_section", "city_perf_section"):
        with pytest.raises(PermissionDenied):
            decide(actor=world.user(username), project=school, kind="continue", reason="x")
    with pytest.raises(PermissionDenied):
        decide(actor=world.user("perf_section"), project=far, kind="continue", reason="x")
    assert not Decision.objects.exists()
    d = decide(actor=SYSTEM, project=school, kind="continue", reason="演示数据")
    assert d.decided_by is None


def test_suspend_lift_suspend_stop(world, perf, school):
    s1 = decide(actor=perf, project=school, kind="suspend", reason="偏差超过 20%")
    with pytest.raises(ValidationFailed) as exc:
        decide(actor=perf, project=school, kind="suspend", reason="再暂缓")
    assert exc.value.errors == {"kind": ["该项目已暂缓拨付且尚未解除，不能重复暂缓"]}
    with pytest.raises(ValidationFailed):
        decide(actor=perf, project=school, kind="continue", reason="继续")
    with pytest.raises(ValidationFailed) as exc:
        lift_suspension(actor=perf, decision=s1, reason=" ")
    assert exc.value.errors == {"lift_reason": ["请填写解除理由"]}
    with pytest.raises(PermissionDenied):
        lift_suspension(actor=world.user("preparer"), decision=s1, reason="整改")
    s1 = lift_suspension(actor=perf, decision=s1, reason="已整改")
    assert s1.lifted_at is not None and s1.lifted_by == perf and s1.lift_reason == "已整改"
    with pytest.raises(TransitionError):
        lift_suspension(actor=perf, decision=s1, reason="再解除")
    cont = decide(actor=perf, project=school, kind="continue", reason="恢复正常")
    with pytest.raises(TransitionError) as exc:  # only a suspension is lifted
        lift_suspension(actor=perf, decision=cont, reason="x")
    assert exc.value.message == "只有暂缓拨付的决定可以解除"
    s2 = decide(actor=perf, project=school, kind="suspend", reason="再次偏差")
    decide(actor=perf, project=school, kind="stop", reason="项目无法实施")
    with pytest.raises(TransitionError) as exc:
        lift_suspension(actor=perf, decision=s2, reason="解除")
    assert exc.value.message == "该暂缓拨付已经解除，或该项目本年度已停止拨付"
    for kind in ("suspend", "continue", "stop", "adjust_target"):
        with pytest.raises(ValidationFailed):
            decide(actor=perf, project=school, kind=kind, reason="x")
    decide(actor=perf, project=school, kind="cut", amount=Decimal("1000000"), reason="停止后调减全部预算")
    titles = list(ProjectEvent.objects.filter(project=school, kind="monitoring_decision").order_by("pk")
                  .values_list("title", flat=True))
    assert titles == ["暂缓拨付", "解除暂缓拨付", "继续执行", "暂缓拨付", "停止拨付", "调减预算 100.00 万元"]


def test_adjust_target_opens_the_adjustment(world, perf):
    project = running(world, "XM-D-ADJ")
    with pytest.raises(ValidationFailed) as exc:
        decide(actor=perf, project=project, kind="adjust_target", reason="目标偏高")
    assert exc.value.errors == {"kind": ["该项目 2026 年没有已批复的绩效目标表，无法调整绩效目标"]}
    sheet = approved_sheet(world, project=project)
    d = decide(actor=perf, project=project, kind="adjust_target", reason="目标偏高")
    new = TargetSheet.objects.get(project=project, number=2)
    assert d.sheet == new and new.previous == sheet and new.status == "draft"
    assert new.adjustment_reason == "监控结果应用：目标偏高"
    # the adjustment is under way: a second one is refused by the targets app, nothing written
    with pytest.raises(TransitionError):
        decide(actor=perf, project=project, kind="adjust_target", reason="再调")
    assert Decision.objects.filter(project=project).count() == 1
    assert TargetSheet.objects.filter(project=project).count() == 2


def _round(world, region="370724", title="2026年5月监控"):
    return MonitoringRound.objects.create(region=world.regions[region], year=2026, month=5, title=title,
                                          deadline=dt.date(2026, 6, 10), scope_kind="all_projects")


def _table(world, rnd, project):
    return MonitoringTable.objects.create(region_id=project.region_id, round=rnd, agency_id=project.agency_id,
                                          project=project)


def test_table_must_be_the_projects(world, perf, school):
    other = running(world, "XM-D2")
    rnd = _round(world)
    table = _table(world, rnd, other)
    with pytest.raises(ValidationFailed) as exc:
        decide(actor=perf, project=school, kind="continue", reason="x", table=table)
    assert exc.value.errors == {"table": ["所选监控表不是该项目的"]}
    d = decide(actor=perf, project=other, kind="continue", reason="x", table=table)
    assert d.table == table


def test_bulk_all_or_nothing(world, perf):
    a, b, c = (running(world, f"XM-B{i}") for i in range(3))
    decide(actor=perf, project=b, kind="suspend", reason="早前暂缓")
    before = (Decision.objects.count(), ProjectEvent.objects.count(), ChangeLog.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        decide_many(actor=perf, kind="suspend", projects=[a, b, c], reason="5月监控红灯")
    assert exc.value.errors == {"projects": [f"XM-B1（{b.name}）：该项目已暂缓拨付且尚未解除，不能重复暂缓"]}
    assert (Decision.objects.count(), ProjectEvent.objects.count(), ChangeLog.objects.count()) == before
    with pytest.raises(ValidationFailed) as exc:
        decide_many(actor=perf, kind="cut", projects=[a, c], reason="调减", amounts={a.pk: Decimal("100")})
    assert exc.value.errors == {"projects": [f"XM-B2（{c.name}）：“调减预算”须填写大于 0 的金额"]}
    far = running(world, "XM-B-FAR", agency="101001", region="654022")
    with pytest.raises(ValidationFailed) as exc:
        decide_many(actor=perf, kind="suspend", projects=[a, far], reason="x")
    assert exc.value.errors == {"projects": [f"项目（id {far.pk}）不存在或不在您的数据权限范围内"]}
    with pytest.raises(ValidationFailed):
        decide_many(actor=perf, kind="adjust_target", projects=[a], reason="x")
    with pytest.raises(PermissionDenied):
        decide_many(actor=world.user("section_reviewer"), kind="suspend", projects=[a], reason="x")
    assert Decision.objects.count() == before[0]

    rnd = _round(world)
    table = _table(world, rnd, a)
    ids = decide_many(actor=perf, kind="cut", projects=[a.pk, c.pk], reason="5月监控执行缓慢",
                      amounts={a.pk: Decimal("100000"), c.pk: Decimal("25000.50")}, round=rnd)
    rows = {d.project_id: d for d in Decision.objects.filter(pk__in=ids)}
    assert (rows[a.pk].amount, rows[a.pk].table, rows[a.pk].decided_by) == (Decimal("100000.00"), table, perf)
    assert (rows[c.pk].amount, rows[c.pk].table, rows[c.pk].kind, rows[c.pk].reason) == (
        Decimal("25000.50"), None, "cut", "5月监控执行缓慢")
    assert list(ProjectEvent.objects.filter(project=c, kind="monitoring_decision").values_list("title", flat=True)) \
        == ["调减预算 2.50 万元"]
    log = ChangeLog.objects.filter(object_type="org.region").latest("pk")
    assert log.changes["monitoring_decisions"][1]["decision_ids"] == ids
    assert services.budgets([c.pk])[c.pk] == (Decimal("1000000.00"), Decimal("974999.50"))


def test_statistics_hand_worked(world, perf):
    """临朐县 2026: P1 cut 10 万 and 5.5 万 and continued, P2 cut 0.95 万 and suspended (lifted), P3
    suspended and 2 万 recovered of 3 万 paid — 3 projects; cuts 3 decisions on 2 projects, 16.45 万;
    one recovery of 2 万. A decision in another county is not counted for this county's reader."""
    p1, p2, p3 = running(world, "XM-S1"), running(world, "XM-S2"), running(world, "XM-S3")
    decide(actor=perf, project=p1, kind="cut", amount=Decimal("100000"), reason="a")
    decide(actor=perf, project=p1, kind="cut", amount=Decimal("55000"), reason="b")
    decide(actor=perf, project=p1, kind="continue", reason="c")
    decide(actor=perf, project=p2, kind="cut", amount=Decimal("9500"), reason="d")
    s = decide(actor=perf, project=p2, kind="suspend", reason="e")
    lift_suspension(actor=perf, decision=s, reason="f")
    decide(actor=perf, project=p3, kind="suspend", reason="g")
    paid(world, p3, "30000")
    decide(actor=perf, project=p3, kind="recover", amount=Decimal("20000"), reason="h")
    far = running(world, "XM-S-FAR", agency="101001", region="654022")
    decide(actor=world.user("far_perf_section"), project=far, kind="cut", amount=Decimal("10000"), reason="i")

    scoped = Decision.objects.for_user(perf, "view")
    with CaptureQueriesContext(connection) as ctx:
        rows = decision_statistics(scoped)
    assert len(ctx.captured_queries) == 1
    assert len(rows) == 1
    t = rows[0]["totals"]
    assert (rows[0]["region_name"], rows[0]["year"]) == ("临朐县", 2026)
    assert (t.projects_total, t.cut, t.recovered) == (3, Decimal("164500.00"), Decimal("20000.00"))
    assert dict(t.decisions) == {"continue": 1, "adjust_target": 0, "suspend": 2, "stop": 0, "cut": 3, "recover": 1}
    assert dict(t.projects) == {"continue": 1, "adjust_target": 0, "suspend": 2, "stop": 0, "cut": 2, "recover": 1}
    assert rows[0]["summary"] == ("对 3 个项目作出监控结果应用决定，调减了 2 个项目的预算金额 16.45 万元，"
                                  "收回 1 个项目的资金 2.00 万元，暂缓拨付 2 个项目，继续执行 1 个项目。")
    # 山东省's division reads its counties from above (临朐县), not 察布查尔 (Xinjiang); the far county its own
    prov = decision_statistics(Decision.objects.for_user(world.user("prov_perf_section"), "view"))
    assert [(r["region_name"], r["totals"].cut) for r in prov] == [("临朐县", Decimal("164500.00"))]
    far_rows = decision_statistics(Decision.objects.for_user(world.user("far_perf_section"), "view"))
    assert [(r["region_name"], r["totals"].cut, r["totals"].projects_total) for r in far_rows] == [
        ("察布查尔锡伯自治县", Decimal("10000.00"), 1)]
    # by round: the decisions linked to a table of the round
    rnd = _round(world)
    table = _table(world, rnd, p1)
    decide(actor=perf, project=p1, kind="cut", amount=Decimal("1000"), reason="j", table=table)
    by_round = decision_statistics(Decision.objects.for_user(perf, "view").filter(table__isnull=False), by_round=True)
    assert [(r["round_title"], r["totals"].cut, r["totals"].projects_total) for r in by_round] == [
        ("2026年5月监控", Decimal("1000.00"), 1)]
