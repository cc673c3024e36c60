"""The rules of finance decisions (``rules.decision_errors``, ``lift_error``, ``decision_summary``) on
hand-worked states: amount bounds, suspension, stop, stages."""

from __future__ import annotations

from decimal import Decimal

from jixiao.monitoring import rules
from jixiao.monitoring.rules import DecisionState, DecisionTotals, decision_errors, decision_summary

# budget 100 万, cut 10 万 → adjusted 90 万; paid 60 万, 5 万 recovered → net 55 万 paid;
# unspent 90 − 55 = 35 万; recoverable 60 − 5 = 55 万
STATE = DecisionState(stage="executing", budget=Decimal("1000000"), cut=Decimal("100000"),
                      recovered=Decimal("50000"), executed=Decimal("600000"))


def errs(kind, amount=None, reason="偏差较大", state=STATE):
    return decision_errors(kind=kind, amount=amount, reason=reason, state=state)


def test_derived_figures():
    assert (STATE.adjusted, STATE.unspent, STATE.recoverable) == (
        Decimal("900000.00"), Decimal("350000.00"), Decimal("550000.00"))
    # more recovered than executed (a recovery of last year's payment): the net paid is floored at 0
    odd = DecisionState(stage="executing", budget=100, recovered=30, executed=10)
    assert (odd.unspent, odd.recoverable) == (Decimal("100.00"), Decimal("0.00"))


def test_cut_within_the_unspent_budget():
    assert errs("cut", Decimal("350000.00")) == {}
    assert errs("cut", Decimal("350000.01")) == {"amount": [
        "调减金额不能超过尚未支出的预算 35.00 万元（调整后预算 90.00 万元，已执行 60.00 万元，已收回 5.00 万元）"]}


def test_recover_within_the_paid_not_recovered():
    assert errs("recover", Decimal("550000.00")) == {}
    assert errs("recover", Decimal("550000.01")) == {"amount": [
        "收回金额不能超过已执行且尚未收回的资金 55.00 万元（已执行 60.00 万元，已收回 5.00 万元）"]}


def test_amount_required_for_cut_and_recover_and_refused_for_the_others():
    for kind in ("cut", "recover"):
        for amount in (None, Decimal(0), Decimal("-1")):
            assert list(errs(kind, amount)) == ["amount"], (kind, amount)
    assert errs("cut", None)["amount"] == ["“cut”须填写大于 0 的金额"]
    labelled = decision_errors(kind="cut", amount=None, reason="x", state=STATE, labels={"cut": "调减预算"})
    assert labelled["amount"] == ["“调减预算”须填写大于 0 的金额"]
    for kind in ("continue", "adjust_target", "suspend", "stop"):
        assert errs(kind) == {} and errs(kind, Decimal(0)) == {}
        assert list(errs(kind, Decimal(5))) == ["amount"]


def test_reason_required():
    assert errs("continue", reason="  ") == {"reason": ["请填写理由"]}


def test_one_suspension_in_force():
    suspended = DecisionState(stage="executing", budget=100, suspended=True)
    assert errs("suspend", state=suspended) == {"kind": ["该项目已暂缓拨付且尚未解除，不能重复暂缓"]}
    assert errs("continue", state=suspended) == {"kind": ["该项目暂缓拨付尚未解除，如继续执行请先解除暂缓拨付"]}
    for kind in ("stop", "adjust_target"):
        assert errs(kind, state=suspended) == {}
    assert errs("cut", Decimal(100), state=suspended) == {}


def test_stop_is_final_but_cut_and_recover_remain():
    stopped = DecisionState(stage="executing", budget=100, executed=40, stopped=True, suspended=True)
    for kind in ("continue", "adjust_target", "suspend", "stop"):
        assert errs(kind, state=stopped) == {"kind": [f"该项目本年度已停止拨付，不能再作出“{kind}”的决定"]}
    assert errs("cut", Decimal(60), state=stopped) == {}
    assert errs("recover", Decimal(40), state=stopped) == {}
    assert rules.lift_error(reason="x", lifted=False, stopped=True) == {
        "kind": ["该项目本年度已停止拨付，暂缓拨付不再解除"]}


def test_stages():
    for stage in ("reserve", "submitted", "admitted"):
        assert "kind" in errs("continue", state=DecisionState(stage=stage, budget=100))
        assert "kind" in errs("recover", Decimal(1), state=DecisionState(stage=stage, budget=100, executed=5))
    done = DecisionState(stage="completed", budget=100, executed=80)
    assert errs("recover", Decimal(80), state=done) == {}
    assert "kind" in errs("cut", Decimal(10), state=done)
    assert errs("suspend", state=DecisionState(stage="budgeted", budget=100)) == {}


def test_lift():
    assert rules.lift_error(reason="整改到位", lifted=False, stopped=False) == {}
    assert rules.lift_error(reason="", lifted=True, stopped=False) == {
        "lift_reason": ["请填写解除理由"], "kind": ["该暂缓拨付已经解除"]}


def test_summary_sentence():
    # the seed's figure: 12 projects cut by 109.51 万元
    totals = DecisionTotals(decisions={"cut": 14, "suspend": 2}, projects={"cut": 12, "suspend": 2},
                            projects_total=13, cut=Decimal("1095100.00"), recovered=Decimal(0))
    assert decision_summary(totals) == "对 13 个项目作出监控结果应用决定，调减了 12 个项目的预算金额 109.51 万元，暂缓拨付 2 个项目。"
    assert decision_summary(DecisionTotals({}, {}, 0, Decimal(0), Decimal(0))) == "本期未作出监控结果应用决定。"
    assert rules.wan_text(Decimal("123456789.05")) == "12,345.68"
