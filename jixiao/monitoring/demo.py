"""Demo in-year monitoring for 临朐县 (issue #13): a year of budget execution, spending plans, two
monitoring rounds with tables in every state, and finance decisions on red projects.

* **Budget execution** (``MonthlyExecution``) of every project of the year budgeted, under way or
  completed (已纳入预算, 执行中, 已完结), by fund source (上级转移支付 and 本级安排, split as the project's
  fund sources say), and of every agency's whole budget (部门整体支出, against its whole-budget target
  sheet's amount), up to the demo's "current" month: the month before today when the demo year is this
  year, else all twelve. Spending is back-loaded as in the seeds' counties — little in the first
  quarter, most in the third and fourth (region-wide about a quarter spent by the end of May, against
  a straight line of 5/12) — and the county ends near 90–98 %; a tenth of the projects under way and a
  fifth of those only budgeted lag badly. Written as the treasury export's import writes it
  (``services.replace_months``, set-based), one change-log entry on the region.
* **Spending plans** (用款计划) for about a third of the projects (tranches around their payment
  nodes; one project of 第一中学 entered by hand by its preparer through ``enter_spending_plan``), and
  the region's spending profiles (地区支出进度曲线) for projects and whole budgets set through the
  configuration service — policies keep none — so the tables' expected execution shows all three
  bases: 用款计划, 地区支出进度曲线, 时间进度.
* **Two rounds** opened by the performance section (``services.open_round``, all budgeted projects):
  1—5 月 (checkpoint 5, deadline 15 June, closed once filled: the tables never submitted stay
  missing) and 1—8 月 (checkpoint 8, deadline 15 September, open). Tables in every state — empty
  (missing, late after the deadline), drafts filled in part (some deviations still without their
  reasons), submitted and in review at each step, returned with the reviewer's opinion, approved
  (some after a return, some submitted late) — with values to date and year-end estimates drawn so
  that every light occurs (red, yellow, green; blue indicators), and every deviation beyond the
  threshold of a submitted table carrying its cause category, explanation, likelihood and measures.
  Two ways, for speed:

  - **through the services** with the persona logins for 第一中学 (101001) and 农技中心 (102001): their
    preparers fill (``save_table``) and submit, the unit head, the department reviewer and the
    performance section approve or return — so in 1—8 月 ``unit_head`` and ``dept_reviewer`` have a
    table waiting, ``preparer`` a returned one and ``preparer_agri`` a draft to finish;
  - **set-based** for every other agency (they have no logins: their tables stand for paper returns
    the performance section entered, "单位纸质报送，由绩效股录入"): the values through
    ``services.write_table_entries``, the deviations' reasons where ``readings.read_tables`` says they
    are required, the review courses drawn by the chain's rules (``targets.demo.history``) and written
    by ``review.write_histories``, dated around the round's deadline.
* **Finance decisions** on red projects of the last round through ``services.decide`` as the
  performance section: 继续执行, 调整绩效目标 (opens the target adjustment), 暂缓拨付 (one lifted later
  through ``lift_suspension``), 停止拨付, 调减预算 and 收回资金 with their amounts.

Measured on the 2-core development machine (fresh SQLite file, ``build_demo --scale county --seed 1``,
the summary's ``seconds``): 13.9 s before this module; this step alone adds 3.3 s (about 7,000 execution
rows, 1,300 plan rows, 610 tables, a dozen decisions; measured on the built county with the machine
shared, load 5 — the first version, with Django's ``bulk_update`` for the tables and rows, added 9 s,
hence ``core.bulk.update``). Whole builds on the shared machine ranged 17–26 s.

Deterministic for the seed (``random.Random("monitoring-<seed>")``) and the day it runs (the current
month); idempotent: a region that has monitoring rounds for the year gets no more."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from jixiao.core import audit
from jixiao.core import config as region_config
from jixiao.core import review as review_machinery
from jixiao.core.actors import SYSTEM
from jixiao.core.choices import ChangeAction, ReviewAction, ReviewStatus
from jixiao.core.dates import local_date
from jixiao.core.models import RegionConfig, Review
from jixiao.core.services import save_region_config
from jixiao.library.choices import Operator
from jixiao.monitoring import services
from jixiao.monitoring.choices import Achievement, Light
from jixiao.monitoring.models import (
    MonitoringRound,
    MonitoringRow,
    MonitoringTable,
    MonthlyExecution,
    SpendingPlan,
)
from jixiao.monitoring.readings import read_table, read_tables
from jixiao.org.models import Region
from jixiao.org.personas import HOME
from jixiao.projects.choices import FundSource
from jixiao.projects.models import Project
from jixiao.targets import demo as target_demo
from jixiao.targets.choices import SheetStatus, TargetKind
from jixiao.targets.models import TargetSheet
from jixiao.targets.rules import parse_number

LIVE_AGENCIES = target_demo.LIVE_AGENCIES
EXECUTED_STAGES = ("budgeted", "executing", "completed")
#: the region's spending profiles (cumulative % at the end of each month), as a county sets them from
#: its past years: projects pay late (tenders, works, acceptance); a whole budget pays salaries monthly
PROJECT_PROFILE = "4,8,15,21,28,40,47,55,66,74,83,100"
AGENCY_PROFILE = "6,13,21,29,37,47,55,63,71,79,87,100"
#: policies (补助, 奖补) pay by quarter: cumulative share at the end of each month
POLICY_CURVE = [0.03, 0.06, 0.24, 0.26, 0.28, 0.5, 0.52, 0.55, 0.74, 0.76, 0.79, 1.0]
#: (checkpoint month, deadline (month, day), closed once filled)
ROUNDS = ((5, (6, 15), True), (8, (9, 15), False))
#: a project's health: (weight, final execution share range, back-loading exponent range) by stage
HEALTH = {
    "executing": [("good", 80, (0.95, 1.0), (0.7, 1.15)), ("slow", 13, (0.82, 0.94), (1.15, 1.5)),
                  ("lag", 7, (0.25, 0.6), (1.6, 2.6))],
    "budgeted": [("good", 70, (0.93, 1.0), (0.8, 1.25)), ("slow", 20, (0.75, 0.92), (1.2, 1.6)),
                 ("lag", 10, (0.1, 0.45), (2.0, 3.0))],
    "completed": [("good", 100, (0.97, 1.0), (0.5, 0.8))],
}
#: indicator bands by health (weights): how far the value to date is from the expected
BANDS = {"good": [("green", 76), ("blue", 13), ("yellow", 8), ("red", 3)],
         "slow": [("green", 50), ("yellow", 27), ("red", 12), ("blue", 11)],
         "lag": [("green", 25), ("yellow", 30), ("red", 40), ("blue", 5)]}
FACTOR = {"green": (0.85, 1.15), "yellow": (0.62, 0.78), "red": (0.25, 0.55), "blue": (1.3, 1.8)}
#: table states by round (weights): missing = never filled; draft = filled in part
STATES = {5: [("approved", 76), ("in_review", 5), ("returned", 4), ("draft", 6), ("missing", 9)],
          8: [("approved", 30), ("in_review", 33), ("returned", 10), ("draft", 12), ("missing", 15)]}
#: the live agencies' tables, in project-code order, per round: (state, step position to stop at or
#: return from, returns before)
LIVE_PLAN = {5: [("approved", None, 0), ("approved", 2, 1), ("approved", None, 0), ("approved", 2, 1)],
             8: [("in_review", 0, 0), ("returned", 1, 0), ("in_review", 1, 0), ("draft", None, 0)]}

CAUSES = [("funding", 30), ("rules", 20), ("staffing", 10), ("equipment", 15), ("other", 25)]
BUDGET_EXPLANATIONS = {
    "funding": ["上级转移支付资金下达较晚，项目资金尚未全部到位，部分支出未能按进度拨付。",
                "配套资金筹措不到位，项目按资金到位情况分批支付。"],
    "rules": ["项目实施方案调整，需重新履行政府采购程序，支付进度滞后。",
              "工程结算需经审计确认后支付，审计尚未完成。"],
    "staffing": ["项目单位财务人员调整，报账资料准备不及时，支付进度滞后。",
                 "项目负责人岗位变动，项目推进和报账衔接不够。"],
    "equipment": ["设备采购合同已签订，设备尚未到货验收，资金未支付。",
                  "施工场地和设备条件未完全具备，开工时间推迟。"],
    "other": ["受雨季天气影响施工进度放缓，工程款按形象进度支付，前期支付比例较低。",
              "项目按合同约定分期付款，主要款项在竣工验收后支付。"],
}
OVER_EXPLANATION = "项目提前启动，按合同约定预付工程款，支出进度快于计划。"
INDICATOR_EXPLANATIONS = {
    "funding": "资金到位较晚，项目实施进度受影响，阶段性完成值低于预期。",
    "rules": "实施方案调整，相关审批程序尚未完成，阶段性完成值低于预期。",
    "staffing": "项目实施人员不足，阶段性任务完成滞后。",
    "equipment": "设备、场地等条件未完全具备，部分任务未按计划实施。",
    "other": "项目集中在下半年实施，阶段性完成值低于预期。",
}
BLUE_EXPLANATION = "年初目标设定偏保守，实际完成情况好于预期。"
REVERSE_EXPLANATION = "原材料和人工价格上涨，实际成本超出控制标准。"
MEASURES = ["加快项目实施进度，督促实施单位按合同节点推进，及时办理资金支付手续。",
            "与上级主管部门沟通，争取资金尽快下达，确保按期完成。",
            "完善项目管理制度，明确责任人和时间节点，每月调度执行进度。",
            "加快政府采购进度，尽快完成招标并签订合同。",
            "加强成本核算和过程控制，严格按预算标准执行。"]
BLUE_MEASURES = "结合实际完成情况，在年中调整时合理提高指标值。"
GOAL_PROGRESS = {
    "good": "截至{m}月底，项目按实施方案推进，各项产出指标完成进度符合预期，预计能够完成年度绩效目标。",
    "mixed": "截至{m}月底，项目总体有序推进，但部分指标完成进度低于预期，下半年将加快实施，力争完成年度绩效目标。",
    "bad": "截至{m}月底，项目实施进度滞后，部分产出指标完成值明显低于预期，完成年度绩效目标存在一定困难。",
}
RETURN_OPINIONS = ["偏差原因说明过于笼统，请结合项目实际补充具体原因。",
                   "预计全年执行数与当前执行进度不符，请核实后重新填报。",
                   "纠偏措施不具体，请明确责任人和完成时限。",
                   "部分指标截至目前完成值与佐证材料不一致，请核实后重新报送。"]
RESUBMIT = "已按审核意见补充偏差原因说明和纠偏措施。"
QUALITATIVE_TEXT = {Achievement.ACHIEVED: "按计划推进，达到预期", Achievement.PARTIAL: "初见成效，尚未完全达到预期",
                    Achievement.NOT_ACHIEVED: "进展缓慢，尚未见效"}
#: the finance decisions on red projects of the last round, in order of the worst execution first
DECISIONS = ["stop", "suspend", "cut", "recover", "suspend", "cut", "adjust_target", "suspend", "recover", "cut",
             "continue", "continue"]
DECISION_REASONS = {
    "continue": "项目执行进度虽滞后，但单位已说明原因并制定了纠偏措施，资金已落实，继续执行并加强跟踪。",
    "adjust_target": "项目实施内容调整，原定绩效目标已不适应实际，请单位调整绩效目标后重新报审。",
    "suspend": "项目执行进度严重滞后，偏差原因说明不充分，暂缓拨付剩余资金，待整改到位后再行拨付。",
    "stop": "项目前期条件不具备，年内无法实施，停止拨付本年度资金。",
    "cut": "项目执行进度严重滞后，预计年内无法形成支出，调减部分预算，统筹用于其他急需支出。",
    "recover": "项目实际支出低于预期，部分已拨付资金闲置，收回结余资金。",
}
LIFT_REASON = "单位已完成整改，补充了实施计划和偏差原因说明，恢复拨付。"


def pick(rng: random.Random, weighted):
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


# --- the plan: pure functions of the seed ------------------------------------------------------------

def data_months(year: int, today: dt.date) -> int:
    """The months of ``year`` with execution data on ``today``: all twelve for a past year, up to the
    month before today's for this year, none for a later year."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def _cumulative(text: str) -> list[float]:
    return [int(v) / 100 for v in text.split(",")]


def spending_plan(rng: random.Random, budget: Decimal) -> dict[int, Decimal]:
    """A project's 用款计划: a small monthly amount for management and a few tranches (预付款, 进度款,
    尾款) at payment nodes, adding up to the budget."""
    weights = [1.0] * 12
    for month, share in zip(sorted(rng.sample(range(3, 13), rng.randint(2, 4))), (8, 12, 16, 20), strict=False):
        weights[month - 1] += share * rng.uniform(0.6, 1.4)
    weights[11] += rng.uniform(2, 10)  # 年底结算
    return split(budget, weights)


def split(total: Decimal, weights: list[float], unit: Decimal = Decimal(100)) -> dict[int, Decimal]:
    """``total`` yuan over months 1–12 in proportion to ``weights``, in whole ``unit`` (百元, as
    payments are) except the last month with a weight, which takes the rest (the sum is exact)."""
    whole = sum(weights)
    out: dict[int, Decimal] = {}
    if total <= 0 or whole <= 0:
        return out
    last = max(i for i, w in enumerate(weights) if w > 0)
    paid = Decimal(0)
    for i, w in enumerate(weights):
        if w <= 0:
            continue
        if i == last:
            amount = total - paid
        else:
            amount = (total * Decimal(w / whole) / unit).quantize(Decimal(1), ROUND_HALF_UP) * unit
            amount = min(amount, total - paid)
        if amount > 0:
            out[i + 1] = amount
            paid += amount
    return out


def execution_curve(rng: random.Random, base: list[float], *, final: float, power: float,
                    start: int = 1) -> list[float]:
    """Cumulative shares of the budget paid by the end of each month: the base curve (a plan's, the
    profile, or the policies' quarters) raised to ``power`` (above 1: later than the base), nothing
    before ``start``, lumpy month to month (each month's amount ×0.6–1.4), ending at ``final``."""
    shaped = [0.0 if m + 1 < start else b ** power for m, b in enumerate(base)]
    steps = [max(shaped[0], 0.0)] + [max(shaped[i] - shaped[i - 1], 0.0) for i in range(1, 12)]
    steps = [s * rng.uniform(0.6, 1.4) for s in steps]
    whole = sum(steps) or 1.0
    out, running = [], 0.0
    for s in steps:
        running += s / whole * final
        out.append(running)
    return out


def sources(project_sources: list[str], rng: random.Random) -> list[tuple[str, float]]:
    """The fund sources the payments come from, with shares: 上级转移支付 and 本级安排 (a project
    financed by debt or PPP pays the rest from 本级 in this demo)."""
    higher = FundSource.HIGHER_TRANSFER in project_sources
    own = any(s != FundSource.HIGHER_TRANSFER for s in project_sources) or not project_sources
    if higher and own:
        share = rng.uniform(0.3, 0.7)
        return [(FundSource.HIGHER_TRANSFER, share), (FundSource.OWN, 1 - share)]
    return [(FundSource.HIGHER_TRANSFER if higher else FundSource.OWN, 1.0)]


def monthly_rows(total: Decimal, curve: list[float], shares: list[tuple[str, float]], months: int) -> dict:
    """{(month, fund source): yuan} of the months 1 … ``months`` of a cumulative ``curve`` of ``total``."""
    steps = [curve[0]] + [curve[i] - curve[i - 1] for i in range(1, 12)]
    paid = split(_round_to(total * Decimal(str(round(curve[-1], 6))), 100), steps) if curve[-1] > 0 else {}
    out = {}
    for month, amount in paid.items():
        if month > months:
            continue
        rest = amount
        for n, (source, share) in enumerate(shares):
            part = rest if n == len(shares) - 1 else (amount * Decimal(str(round(share, 4))) / 100).quantize(
                Decimal(1), ROUND_HALF_UP) * 100
            if part > 0:
                out[(month, source)] = part
            rest -= part
    return out


def _places(target: Decimal | None, unit: str) -> int:
    if target is not None and target != target.to_integral_value():
        return max(1, -target.normalize().as_tuple().exponent)
    return 1 if unit == "%" else 0


def _number_text(value: float, places: int) -> str:
    q = Decimal(str(max(value, 0.0))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{q:f}"


def row_values(rng: random.Random, *, operator: str, target: Decimal | None, unit: str, value: str, month: int,
               band: str) -> dict:
    """What an agency writes for one indicator at checkpoint ``month``, its band (green, yellow, red,
    blue) drawn for the project: the value to date around the expected (target × m ÷ 12 for a positive
    indicator, as ``rules.indicator_signal`` reads it), the expected year-end value; a limit kept
    (or broken, red) for a reverse one; a qualitative one's 完成情况. A positive rate (unit %: 验收合格率,
    满意度) is held all year, so the agency states the target itself as its expectation for the
    checkpoint (``stated_expected``) and reports a rate around it — never blue: a rate does not run ahead."""
    if operator == Operator.QUALITATIVE:
        achievement = {"green": Achievement.ACHIEVED, "blue": Achievement.ACHIEVED, "yellow": Achievement.PARTIAL,
                       "red": Achievement.NOT_ACHIEVED}[band]
        return {"value_to_date": QUALITATIVE_TEXT[achievement],
                "year_end": value if achievement != Achievement.NOT_ACHIEVED else "难以完全达到预期",
                "achievement": achievement}
    target = target if target is not None else Decimal(0)
    places = _places(target, unit)
    cap = 100.0 if unit == "%" else None
    t = float(target)
    positive = operator in (Operator.GE, Operator.GT) or (operator == Operator.EQ and target > 0)
    if positive and unit == "%" and target > 0:
        actual = t * rng.uniform(*FACTOR["green" if band == "blue" else band])
        year_end = t * {"green": rng.uniform(1.0, 1.05), "blue": rng.uniform(1.0, 1.05),
                        "yellow": rng.uniform(0.9, 1.0), "red": rng.uniform(0.6, 0.9)}[band]
        return {"value_to_date": _number_text(min(actual, cap), places),
                "year_end": _number_text(min(year_end, cap), places), "stated_expected": _number_text(t, places)}
    if positive:
        actual = t * month / 12 * rng.uniform(*FACTOR[band])
        year_end = t * {"green": rng.uniform(1.0, 1.05), "blue": rng.uniform(1.05, 1.2),
                        "yellow": rng.uniform(0.9, 1.0), "red": rng.uniform(0.6, 0.9)}[band]
        if operator == Operator.EQ and band in ("green", "blue"):
            year_end = t
    else:  # a limit: kept, or broken when red
        if band == "red":
            actual = t * rng.uniform(1.25, 1.6) if t > 0 else rng.randint(1, 3)
        else:
            actual = t * rng.uniform(0.6, 0.98) if t > 0 else 0.0
        year_end = actual if band == "red" else t * rng.uniform(0.8, 1.0)
    if cap is not None:
        actual, year_end = min(actual, cap), min(year_end, cap)
    return {"value_to_date": _number_text(actual, places), "year_end": _number_text(year_end, places)}


def _with_numbers(values: dict) -> dict:
    out = dict(values)
    if "achievement" not in values:
        out["number_to_date"] = parse_number(values["value_to_date"])
        out["number_year_end"] = parse_number(values["year_end"])
        if "stated_expected" in values:
            out["number_stated_expected"] = parse_number(values["stated_expected"])
    return out


def _round_to(amount: Decimal, unit: int) -> Decimal:
    return (amount / unit).quantize(Decimal(1), ROUND_HALF_UP) * unit


# --- building ----------------------------------------------------------------------------------------

@dataclass
class Ctx:
    world: object
    region: Region
    year: int
    months: int
    rng: random.Random
    now: dt.datetime
    health: dict  # project id → good / slow / lag

    @property
    def perf(self):
        return self.world.user("perf_section")


def _configure_profiles(ctx: Ctx) -> None:
    row = RegionConfig.objects.get(region=ctx.region, year=ctx.year, key="spending_profiles")
    save_region_config(actor=ctx.perf, region=ctx.region, year=ctx.year, key="spending_profiles",
                       raw={"project": PROJECT_PROFILE, "policy": "", "agency": AGENCY_PROFILE}, version=row.version)


def _execution(ctx: Ctx, projects: list[Project]) -> tuple[dict, dict]:
    """The spending plans and the monthly execution of the projects: ({(project, agency, month): yuan},
    {(project, agency, month, source): yuan})."""
    rng = ctx.rng
    plans: dict[tuple, Decimal] = {}
    rows: dict[tuple, Decimal] = {}
    profile = _cumulative(PROJECT_PROFILE)
    for p in projects:
        budget = p.budget_amount
        if budget <= 0:
            continue
        chosen = pick(rng, HEALTH[p.stage])
        health, _w, final, power = next(h for h in HEALTH[p.stage] if h[0] == chosen)
        ctx.health[p.pk] = health
        base = POLICY_CURVE if p.kind == "policy" else profile
        if p.kind != "policy" and p.stage != "completed" and rng.random() < 0.45:
            plan = spending_plan(rng, budget)
            for month, amount in plan.items():
                plans[(p.pk, p.agency_id, month)] = amount
            running, base = Decimal(0), []
            for month in range(1, 13):
                running += plan.get(month, Decimal(0))
                base.append(float(running / budget))
        start = rng.randint(4, 9) if health == "lag" and p.stage == "budgeted" else 1
        if p.stage == "completed":  # paid in full by the month it was finished
            done = rng.randint(6, 10)
            base = [min(1.0, profile[m] / profile[done - 1]) for m in range(12)]
        curve = execution_curve(rng, base, final=rng.uniform(*final), power=rng.uniform(*power), start=start)
        for (month, source), amount in monthly_rows(budget, curve, sources(p.fund_sources, rng), ctx.months).items():
            rows[(p.pk, p.agency_id, month, source)] = amount
    return plans, rows


def _whole_budgets(ctx: Ctx) -> dict:
    """{(None, agency, month, source): yuan}: each agency's whole budget paid out evenly through the
    year (salaries), with the December 结算 — against its latest whole-budget sheet's amount."""
    rng = ctx.rng
    profile = _cumulative(AGENCY_PROFILE)
    amounts: dict[int, Decimal] = {}
    for agency_id, amount in (TargetSheet.objects.filter(region=ctx.region, year=ctx.year, kind=TargetKind.AGENCY)
                              .order_by("agency_id", "number").values_list("agency_id", "amount")):
        amounts[agency_id] = amount
    out = {}
    for agency_id, amount in sorted(amounts.items()):
        if amount <= 0:
            continue
        curve = execution_curve(rng, profile, final=rng.uniform(0.9, 0.99), power=rng.uniform(0.9, 1.15))
        share = rng.uniform(0.0, 0.3)
        split_ = [(FundSource.OWN, 1 - share), (FundSource.HIGHER_TRANSFER, share)] if share > 0.05 else [
            (FundSource.OWN, 1.0)]
        for (month, source), paid in monthly_rows(amount, curve, split_, ctx.months).items():
            out[(None, agency_id, month, source)] = paid
    return out


def _live_plan_entry(ctx: Ctx, projects: list[Project], plans: dict) -> int:
    """第一中学's preparer enters one project's plan by hand (the agency has no treasury export of it):
    the plan's months through ``enter_spending_plan``; the project is left out of the set-based plans."""
    preparer = ctx.world.user(LIVE_AGENCIES["101001"])
    mine = [p for p in projects if p.agency.code == "101001" and p.stage == "executing" and p.kind != "policy"]
    if not mine:
        return 0
    p = mine[0]
    months = {k[2]: plans.pop(k) for k in [k for k in plans if k[0] == p.pk]}
    if not months:
        months = spending_plan(ctx.rng, p.budget_amount)
    for month, amount in sorted(months.items()):
        services.enter_spending_plan(actor=preparer, project=p, year=ctx.year, month=month, amount=amount)
    return len(months)


# --- tables ------------------------------------------------------------------------------------------

def _bands(ctx: Ctx, table) -> dict:
    health = ctx.health.get(table.project_id, "good")
    return BANDS[health]


def _values(ctx: Ctx, table, rows, month: int) -> dict[int, dict]:
    """{row: its values} for a table's indicator rows."""
    bands = _bands(ctx, table)
    out = {}
    for r in rows:
        ind = r.indicator
        out[r.pk] = row_values(ctx.rng, operator=ind.operator, target=ind.number, unit=ind.unit, value=ind.value,
                               month=month, band=pick(ctx.rng, bands))
    return out


def _estimate(ctx: Ctx, table, reading) -> Decimal | None:
    budget = reading.budget_adjusted
    if budget is None:
        return None
    health = ctx.health.get(table.project_id, "good")
    low, high = {"good": (0.95, 1.0), "slow": (0.86, 0.97), "lag": (0.7, 0.95)}[health]
    return min(budget, _round_to(budget * Decimal(str(round(ctx.rng.uniform(low, high), 4))), 100))


def _reasons(ctx: Ctx, table, reading, *, complete: bool) -> tuple[dict, dict[int, dict]]:
    """The written reasons of every deviation beyond the threshold (the money row's and each
    indicator's), as the agency writes them; ``complete`` False leaves some out (a draft)."""
    rng = ctx.rng
    health = ctx.health.get(table.project_id, "good")
    table_values: dict = {}
    if reading.budget_required and (complete or rng.random() < 0.5):
        under = reading.budget is not None and reading.budget.rate is not None and \
            reading.budget.rate < reading.expectation.value
        cause = pick(rng, CAUSES) if under else "other"
        table_values = {
            "cause": cause, "explanation": rng.choice(BUDGET_EXPLANATIONS[cause]) if under else OVER_EXPLANATION,
            "likelihood": pick(rng, [("possible", 55), ("impossible", 30), ("certain", 15)]) if health == "lag" else
            pick(rng, [("certain", 55), ("possible", 45)]),
            "measures": rng.choice(MEASURES[:4]) if under else "按合同节点控制支付进度，确保资金安全、规范使用。"}
    rows: dict[int, dict] = {}
    for r in reading.rows:
        if not r.required or not (complete or rng.random() < 0.5):
            continue
        if r.light == Light.BLUE:
            rows[r.row_id] = {"cause": "other", "explanation": BLUE_EXPLANATION, "likelihood": "certain",
                              "measures": BLUE_MEASURES}
            continue
        cause = pick(rng, CAUSES)
        reverse = r.signal.kind == "reverse"
        rows[r.row_id] = {
            "cause": "funding" if reverse else cause,
            "explanation": REVERSE_EXPLANATION if reverse else INDICATOR_EXPLANATIONS[cause],
            "likelihood": "impossible" if r.light == Light.RED and rng.random() < 0.3 else
            pick(rng, [("possible", 60), ("certain", 40)]),
            "measures": MEASURES[4] if reverse else rng.choice(MEASURES[:4])}
    return table_values, rows


def _goal_progress(reading, month: int) -> str:
    lights = [r.light for r in reading.rows if r.light is not None]
    if reading.budget_light == Light.RED or Light.RED in lights:
        key = "bad" if lights.count(Light.RED) > 1 or reading.budget_light == Light.RED else "mixed"
    elif Light.YELLOW in lights or reading.budget_light == Light.YELLOW:
        key = "mixed"
    else:
        key = "good"
    return GOAL_PROGRESS[key].format(m=month)


def _holders(ctx: Ctx, cache: dict, steps: list[dict], agency_id: int) -> list[list[tuple]]:
    if agency_id not in cache:
        probe = Review(region_id=ctx.region.pk, agency_id=agency_id, chain=services.CHAIN, year=ctx.year)
        cache[agency_id] = [[(u.pk, u.display_name or u.username, u.role)
                             for u in review_machinery.users_for_role(probe, s["role"]).order_by("pk")]
                            for s in steps]
    return cache[agency_id]


def _bulk_tables(ctx: Ctx, rnd: MonitoringRound, tables: list[MonitoringTable]) -> dict[str, int]:
    """Every table of the agencies without logins, set-based (see the module docstring)."""
    rng, month = ctx.rng, rnd.month
    states = {t.pk: pick(rng, STATES[month]) for t in tables}
    rows_of: dict[int, list] = {}
    for r in (MonitoringRow.objects.filter(table__in=[t.pk for t in tables]).select_related("indicator")
              .order_by("table_id", "position")):
        rows_of.setdefault(r.table_id, []).append(r)
    # 1. the values of every table filled in any part (the empty ones are the missing returns)
    filled = [t for t in tables if states[t.pk] != "missing"]
    row_values_: dict[int, dict] = {}
    for t in filled:
        values = _values(ctx, t, rows_of.get(t.pk, []), month)
        if states[t.pk] == "draft":  # a draft: some rows not yet filled
            for pk in [pk for pk in values if rng.random() < 0.3]:
                del values[pk]
        row_values_.update({pk: _with_numbers(v) for pk, v in values.items()})
    services.write_table_entries(actor=SYSTEM, round=rnd, tables={}, rows=row_values_)
    # 2. the estimates, the goal progress and the reasons the readings now require
    readings = read_tables(filled)
    table_values: dict[int, dict] = {}
    reason_rows: dict[int, dict] = {}
    for t in filled:
        reading = readings[t.pk]
        complete = states[t.pk] != "draft"
        estimate = _estimate(ctx, t, reading)
        values = {"estimate": estimate if complete or rng.random() < 0.6 else None,
                  "goal_progress": _goal_progress(reading, month)}
        money, rows = _reasons(ctx, t, reading, complete=complete)
        table_values[t.pk] = {**values, **money}
        reason_rows.update(rows)
    services.write_table_entries(actor=SYSTEM, round=rnd, tables=table_values, rows=reason_rows)
    # 3. the review courses of the tables submitted
    steps = region_config.review_steps(ctx.region, ctx.year, services.CHAIN)
    cache: dict = {}
    perf = ctx.perf
    submitter = (perf.pk, perf.display_name or perf.username, perf.role)
    deadline = services.deadline_instant(rnd.deadline, ctx.region)
    courses, status_values = [], {}
    submitted = [t.pk for t in filled if states[t.pk] not in ("draft", "missing")]
    filled = list(MonitoringTable.objects.filter(pk__in=[t.pk for t in filled]).order_by("pk"))  # as written
    readings = read_tables([t for t in filled if t.pk in set(submitted)])
    ct = ContentType.objects.get_for_model(MonitoringTable)
    review_of = dict(Review.objects.filter(content_type=ct, chain=services.CHAIN, object_id__in=submitted)
                     .values_list("object_id", "pk"))
    for t in filled:
        state = states[t.pk]
        if state == "draft":
            continue
        if readings[t.pk].problems():  # drawn incomplete after all: left a draft
            states[t.pk] = "draft"
            continue
        returns = rng.choice([0, 0, 0, 0, 1]) if state in ("approved", "in_review") else 1
        h = target_demo.history(rng, steps=steps, holders=_holders(ctx, cache, steps, t.agency_id),
                                submitter=submitter, state=state, returns=returns)
        for e in h.events:
            if e.action == ReviewAction.RETURN:
                e.opinion = rng.choice(RETURN_OPINIONS)
            elif e.action == ReviewAction.SUBMIT and e is not h.events[0]:
                e.opinion = RESUBMIT
        late = rng.random() < 0.12
        first = deadline + dt.timedelta(days=rng.uniform(1, 20)) if late else \
            deadline - dt.timedelta(days=rng.uniform(1, 14))
        times, at = [], first
        for e in h.events:
            at = at + dt.timedelta(days=e.gap) if times else at
            times.append(at.replace(second=0, microsecond=0))
        if times and times[-1] > ctx.now:  # a round just past: the course ends before today
            shift = times[-1] - ctx.now + dt.timedelta(hours=rng.uniform(2, 48))
            times = [x - shift for x in times]
        holders: tuple = ()
        if h.status == ReviewStatus.IN_REVIEW:
            holders = tuple(u[0] for u in _holders(ctx, cache, steps, t.agency_id)[h.position])
        review_id = review_of[t.pk]
        courses.append(review_machinery.PastCourse(
            review_id=review_id, status=h.status, position=h.position,
            events=[review_machinery.PastEvent(e.action, e.from_status, e.to_status, e.from_step, e.to_step,
                                               *e.actor, e.opinion, x) for e, x in zip(h.events, times, strict=True)],
            holders=holders, fallback=(perf.pk,), since=times[-1] if times else None, url=t.get_absolute_url()))
        submits = [x for e, x in zip(h.events, times, strict=True) if e.action == ReviewAction.SUBMIT]
        approvals = [x for e, x in zip(h.events, times, strict=True) if e.to_status == ReviewStatus.APPROVED]
        status_values[t.pk] = {"status": h.status, "submitted_at": submits[-1] if submits else None,
                               "approved_at": approvals[-1] if approvals else None, "return_count": h.returns}
    review_machinery.write_histories(actor=SYSTEM, region_id=ctx.region.pk, courses=courses)
    services.write_table_entries(actor=SYSTEM, round=rnd, tables=status_values)
    counts: dict[str, int] = {}
    for t in tables:
        state = status_values.get(t.pk, {}).get("status") or ("missing" if states[t.pk] == "missing" else "draft")
        counts[state] = counts.get(state, 0) + 1
    return counts


def _step_user(table):
    review = review_machinery.review_for(table, services.CHAIN)
    return review_machinery.assignees(review).order_by("pk").first()


def _fill_live(ctx: Ctx, table, preparer, month: int, *, complete: bool = True):
    rows = list(MonitoringRow.objects.filter(table=table).select_related("indicator").order_by("position"))
    values = _values(ctx, table, rows, month)
    by_pk = {r.pk: r.position for r in rows}
    table = services.save_table(actor=preparer, table=table, version=table.version,
                                rows={by_pk[pk]: v for pk, v in values.items()})
    reading = read_table(table)
    money, reasons = _reasons(ctx, table, reading, complete=complete)
    estimate = _estimate(ctx, table, reading)
    return services.save_table(actor=preparer, table=table, version=table.version,
                               estimate=estimate if estimate is not None else None,
                               goal_progress=_goal_progress(reading, month),
                               rows={by_pk[pk]: v for pk, v in reasons.items()}, **money)


def _approve_to(table, position: int | None):
    """Approve step by step until the review waits at ``position`` (None: to the end)."""
    while table.status == "in_review":
        review = review_machinery.review_for(table, services.CHAIN)
        if position is not None and review.position >= position:
            break
        table = services.approve_table(actor=_step_user(table), table=table, version=table.version,
                                       opinion=target_demo.APPROVE_OPINIONS[review.position % 4])
    return table


def _live_tables(ctx: Ctx, rnd: MonitoringRound, tables: list[MonitoringTable]) -> int:
    """The personas' agencies' tables through the services (see :data:`LIVE_PLAN`)."""
    plan = iter(LIVE_PLAN[rnd.month] * 3)
    for t in tables:
        preparer = ctx.world.user(LIVE_AGENCIES[t.agency.code])
        state, at, returns = next(plan)
        t = _fill_live(ctx, t, preparer, rnd.month, complete=state != "draft")
        if state == "draft":
            continue
        t = services.submit_table(actor=preparer, table=t, version=t.version)
        if returns or state == "returned":
            t = _approve_to(t, at)
            t = services.return_table(actor=_step_user(t), table=t, version=t.version,
                                      opinion=ctx.rng.choice(RETURN_OPINIONS))
            if state == "returned":
                continue
            t = services.submit_table(actor=preparer, table=t, version=t.version, opinion=RESUBMIT)
        _approve_to(t, at if state == "in_review" else None)
    return len(tables)


def _open(ctx: Ctx, month: int, deadline: tuple[int, int]) -> MonitoringRound:
    return services.open_round(actor=ctx.perf, region=ctx.region, year=ctx.year, month=month,
                               deadline=dt.date(ctx.year, *deadline), title=f"{ctx.year}年1—{month}月绩效运行监控",
                               scope_kind="all_projects")


# --- decisions ---------------------------------------------------------------------------------------

def _decide(ctx: Ctx, rnd: MonitoringRound) -> dict[str, int]:
    """The performance section's decisions on the red projects of ``rnd`` (see :data:`DECISIONS`)."""
    rng, perf = ctx.rng, ctx.perf
    live = set(LIVE_AGENCIES)
    tables = list(MonitoringTable.objects.filter(round=rnd, project__isnull=False)
                  .exclude(agency__code__in=live).select_related("project").order_by("pk"))
    readings = read_tables(tables)
    red = sorted((t for t in tables if readings[t.pk].budget_light == Light.RED),
                 key=lambda t: (readings[t.pk].rate or 0, t.pk))
    adjustable = set(TargetSheet.objects.filter(region=ctx.region, year=ctx.year, status=SheetStatus.APPROVED,
                                                next__isnull=True).values_list("project_id", flat=True))
    made: dict[str, int] = {}
    suspensions = []
    queue = list(DECISIONS)
    for t in red:
        if not queue:
            break
        kind = queue[0]
        if kind == "adjust_target" and t.project_id not in adjustable:
            continue
        state = services.decision_states([t.project])[t.project_id]
        amount = None
        if kind == "cut":
            amount = _round_to(state.unspent * Decimal(str(round(rng.uniform(0.2, 0.5), 3))), 1000)
        elif kind == "recover":
            amount = _round_to(state.recoverable * Decimal(str(round(rng.uniform(0.05, 0.25), 3))), 100)
        if kind in ("cut", "recover") and (amount or 0) < 10_000:  # not worth a decision
            continue
        queue.pop(0)
        d = services.decide(actor=perf, project=t.project, kind=kind, reason=DECISION_REASONS[kind], amount=amount,
                            table=t)
        made[kind] = made.get(kind, 0) + 1
        if kind == "suspend":
            suspensions.append(d)
    if suspensions:
        services.lift_suspension(actor=perf, decision=suspensions[0], reason=LIFT_REASON)
        made["lifted"] = 1
    return made


# --- entry point ---------------------------------------------------------------------------------------

def extend_county(*, world, seed: int, year: int) -> dict:
    region = world.regions[HOME]
    if MonitoringRound.objects.filter(region=region, year=year).exists():
        return {"monitoring_rounds_created": 0}
    months = data_months(year, local_date(None, region))
    if not months:
        return {"monitoring_rounds_created": 0}
    ctx = Ctx(world=world, region=region, year=year, months=months, rng=random.Random(f"monitoring-{seed}"),
              now=timezone.now(), health={})
    _configure_profiles(ctx)
    projects = list(Project.objects.filter(region=region, year=year, stage__in=EXECUTED_STAGES)
                    .select_related("agency").order_by("code"))
    plans, execution = _execution(ctx, projects)
    execution.update(_whole_budgets(ctx))
    hand = _live_plan_entry(ctx, projects, plans)
    services.replace_months(model=SpendingPlan, region=region, year=year, months=range(1, 13), rows=plans)
    services.replace_months(model=MonthlyExecution, region=region, year=year, months=range(1, months + 1),
                            rows=execution)
    audit.record_change(actor=SYSTEM, obj=region, action=ChangeAction.UPDATE, before={}, after={"demo_execution": {
        "year": year, "months": months, "execution_rows": len(execution), "spending_plan_rows": len(plans) + hand}})
    summary = {"execution_rows": len(execution), "spending_plan_rows": len(plans) + hand,
               "monitoring_rounds_created": 0, "monitoring_tables": 0}
    last = None
    for month, deadline, closes in ROUNDS:
        if month > months:
            break
        rnd = _open(ctx, month, deadline)
        tables = list(MonitoringTable.objects.filter(round=rnd).select_related("agency").order_by("project__code"))
        live = [t for t in tables if t.agency.code in LIVE_AGENCIES]
        _live_tables(ctx, rnd, live)
        counts = _bulk_tables(ctx, rnd, [t for t in tables if t.agency.code not in LIVE_AGENCIES])
        if closes:
            rnd.refresh_from_db()
            services.close_round(actor=ctx.perf, round=rnd, version=rnd.version)
        summary["monitoring_rounds_created"] += 1
        summary["monitoring_tables"] += len(tables)
        summary[f"monitoring_{month}_states"] = counts
        last = rnd
    if last is not None:
        summary["monitoring_decisions"] = _decide(ctx, last)
    return summary

