"""Pure rules of in-year monitoring ("双监控", domain-rules §5; issue #13): the execution figures, the
expected execution and the basis it was read from, the budget and indicator lights, deviations that
need a written reason, and the year-end execution forecast.

Everything works on plain values and the region's configuration passed in as arguments
(``monitoring_signals`` and ``deviation`` of ``jixiao.core.config``, read by the caller) — no ORM.

Arithmetic: money is Decimal yuan with two places (as ``core.money``, which this module cannot import:
it also defines the Django fields); rates and shares are shown as Decimal ratios with four places (a
percentage with two decimals, as ``core.money.format_percent`` prints it). Every light and deviation is
decided on the exact values (``fractions.Fraction`` of the amounts), not on the rounded figures, so a
boundary such as "ratio = 0.8" lands where the rule says whatever the month. Floats are refused."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from jixiao.library.choices import Operator
from jixiao.monitoring.choices import Achievement, ExpectationBasis, IndicatorKind, Light

CENT = Decimal("0.01")
#: ratios (execution rate, shares, progress) to four places: 0.8744 = 87.44%
RATIO = Decimal("0.0001")
MONTHS = range(1, 13)
#: the year-end forecast starts with the eighth month's checkpoint (issue #13, "Forecast")
FORECAST_FROM_MONTH = 8
#: the key :func:`reasons_required` gives the money (budget execution) row
BUDGET = "budget"

POSITIVE_OPERATORS = frozenset({Operator.GE, Operator.GT})
REVERSE_OPERATORS = frozenset({Operator.LE, Operator.LT})

Amount = Decimal | int
Monthly = Mapping[int, Amount] | Iterable[tuple[int, Amount]]


# --- plain arithmetic -------------------------------------------------------------------------------

def _exact(value: Amount, what: str = "金额") -> Fraction:
    if isinstance(value, float):
        raise ValueError(f"{what}不能使用浮点数")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what}应为有限的数字")
    return Fraction(value)


def _quantize(value: Fraction, places: Decimal) -> Decimal:
    """``value`` rounded half-up (away from zero) to ``places``, exactly: no intermediate rounding."""
    steps = math.floor(abs(value) / Fraction(places) + Fraction(1, 2))
    return (Decimal(-steps if value < 0 else steps) * places).quantize(places)


def _ratio(value: Fraction) -> Decimal:
    return _quantize(value, RATIO)


def _money(value: Fraction) -> Decimal:
    return _quantize(value, CENT)


def _month(month: int) -> int:
    if isinstance(month, bool) or not isinstance(month, int) or month not in MONTHS:
        raise ValueError(f"监控节点月份“{month}”应为 1 至 12 的整数")
    return month


def monthly_totals(rows: Monthly) -> dict[int, Fraction]:
    """{month: total} of a monthly series given as a mapping or as (month, amount) pairs (several pairs
    of one month — one per fund source or per payment — are added). Months outside 1–12 are refused."""
    pairs = rows.items() if isinstance(rows, Mapping) else rows
    out: dict[int, Fraction] = {}
    for month, amount in pairs:
        out[_month(month)] = out.get(month, Fraction(0)) + _exact(amount)
    return out


# --- 1. execution figures: derived when asked, never stored ------------------------------------------

def time_progress(month: int) -> Decimal:
    """时间进度 at checkpoint month m: m ÷ 12 (domain-rules §5), as a ratio with four places
    (5 → 0.4167)."""
    return _ratio(Fraction(_month(month), 12))


def execution_to_date(monthly: Monthly, month: int) -> Decimal:
    """执行数 to date: the sum of the monthly execution of months 1 … m (domain-rules §5, "budget
    execution"; glossary ``executed``), in yuan with two places. A month without a row spent nothing."""
    m = _month(month)
    return _money(sum((v for k, v in monthly_totals(monthly).items() if k <= m), Fraction(0)))


def execution_rate(executed: Amount, budget: Amount) -> Decimal | None:
    """预算执行率 = executed ÷ adjusted budget (domain-rules §6 and the glossary's ``execution_rate``),
    a ratio with four places (87.44% → 0.8744). A zero budget has no rate: None (§6: "rate undefined")."""
    b = _exact(budget, "预算数")
    if b == 0:
        return None
    return _ratio(_exact(executed, "执行数") / b)


# --- 2. expected execution and its basis --------------------------------------------------------------

@dataclass(frozen=True)
class Expectation:
    """The share of the year's money expected to be spent by the checkpoint, and where it came from.
    ``share`` is exact (it decides the lights); ``value`` is what the page shows; ``label`` names the
    basis in Chinese (用款计划 / 地区支出进度曲线 / 时间进度)."""

    share: Fraction
    basis: ExpectationBasis
    month: int

    @property
    def value(self) -> Decimal:
        return _ratio(self.share)

    @property
    def label(self) -> str:
        return self.basis.label


def plan_share(plan: Monthly, month: int) -> Fraction | None:
    """The spending plan's (用款计划) cumulative share at month m: planned amounts of months 1 … m ÷ the
    plan's total. None for an empty plan or one that plans nothing (no basis to read). The plan's own
    total is the base, so a budget adjusted after the plan was made keeps the plan's shape."""
    m = _month(month)
    totals = monthly_totals(plan)
    if any(v < 0 for v in totals.values()):
        raise ValueError("用款计划的计划金额不能为负数")
    whole = sum(totals.values(), Fraction(0))
    if whole == 0:
        return None
    return sum((v for k, v in totals.items() if k <= m), Fraction(0)) / whole


def profile_error(profile: Sequence[Amount]) -> str | None:
    """Why a region's spending profile (地区支出进度曲线) is not usable, in Chinese, or None. A profile is
    the cumulative share of the year's spending expected by the end of each month: 12 ratios from
    January to December, each between 0 and 1, never decreasing, December = 1 (the whole budget)."""
    if len(profile) != 12:
        return f"支出进度曲线应有 12 个月的累计比例，现有 {len(profile)} 个"
    try:
        shares = [_exact(v, "累计比例") for v in profile]
    except (TypeError, ValueError) as e:
        return f"支出进度曲线的累计比例有误：{e}"
    for n, v in enumerate(shares, start=1):
        if not 0 <= v <= 1:
            return f"支出进度曲线 {n} 月的累计比例应在 0 至 1 之间"
        if n > 1 and v < shares[n - 2]:
            return f"支出进度曲线 {n} 月的累计比例低于 {n - 1} 月（累计比例不能下降）"
    if shares[-1] != 1:
        return "支出进度曲线 12 月的累计比例应为 1（全年预算）"
    return None


def expected_progress(*, month: int, plan: Monthly | None = None,
                      profile: Sequence[Amount] | None = None) -> Expectation:
    """预期执行进度 at checkpoint month m with its basis (issue #13, "Expected progress", refining the
    time progress of domain-rules §5, which is the last resort):

    1. the project's spending plan (用款计划), when it plans anything: its cumulative share at m
       (:func:`plan_share`);
    2. otherwise the region's configured profile for the project's kind (``profile``: the 12 monthly
       cumulative shares the caller chose for this project's kind, checked by :func:`profile_error`):
       its share at m;
    3. otherwise the straight line m ÷ 12 (时间进度).

    Spending is back-loaded; the straight line alone paints half a county red in May."""
    m = _month(month)
    if plan is not None:
        share = plan_share(plan, m)
        if share is not None:
            return Expectation(share, ExpectationBasis.SPENDING_PLAN, m)
    if profile:
        error = profile_error(profile)
        if error:
            raise ValueError(error)
        return Expectation(_exact(profile[m - 1]), ExpectationBasis.SPENDING_PROFILE, m)
    return Expectation(Fraction(m, 12), ExpectationBasis.TIME_PROGRESS, m)


# --- 3. signals -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Thresholds:
    """The region's thresholds for one year: the fields of configuration ``monitoring_signals`` and
    ``deviation.threshold`` (domain-rules §5 defaults: 0.6 / 0.8, 0.6 / 0.8 / 1.2, 20%). No defaults
    here: they are data, seeded by the configuration."""

    budget_red_below: Decimal
    budget_yellow_below: Decimal
    indicator_red_below: Decimal
    indicator_yellow_below: Decimal
    indicator_blue_above: Decimal
    deviation: Decimal

    @classmethod
    def from_config(cls, signals: Mapping[str, Decimal], deviation: Mapping[str, Decimal]) -> Thresholds:
        """From the values of ``config.get(region, year, "monitoring_signals")`` and ``… "deviation"``."""
        return cls(**{f: signals[f] for f in ("budget_red_below", "budget_yellow_below", "indicator_red_below",
                                              "indicator_yellow_below", "indicator_blue_above")},
                   deviation=deviation["threshold"])


def _deviates(actual: Fraction, plan: Fraction, threshold: Decimal) -> bool:
    """|progress − plan| > threshold × plan (domain-rules §5, "Deviation"). With a plan of 0 any
    progress at all deviates (20% of nothing is nothing)."""
    return abs(actual - plan) > _exact(threshold) * abs(plan)


@dataclass(frozen=True)
class BudgetSignal:
    """预算执行 of one project (or agency budget) at a checkpoint. ``rate`` and ``light`` are None for a
    zero budget (``note`` says why); ``ratio`` (rate ÷ expected) is None when nothing was expected."""

    executed: Decimal
    budget: Decimal
    rate: Decimal | None
    expected: Expectation
    ratio: Decimal | None
    light: Light | None
    deviation: bool
    note: str = ""


def budget_signal(*, executed: Amount, budget: Amount, expected: Expectation, thresholds: Thresholds) -> BudgetSignal:
    """The budget execution light (domain-rules §5): ratio = execution rate ÷ expected progress; red
    below ``budget_red_below`` (0.6), yellow below ``budget_yellow_below`` (0.8), green from it up (no
    blue: spending ahead of plan is not a warning). The expected progress is the time progress m ÷ 12
    of §5 unless a spending plan or the region's profile gives a better one (:func:`expected_progress`).

    Deviation (§5): |rate − expected| > ``deviation`` × expected — over- as well as under-spending.
    Nothing expected yet (a plan that starts later): the light is green, and any spending deviates.
    A zero budget (§6: rate undefined) has no light and no deviation, with a note."""
    e, b = _exact(executed, "执行数"), _exact(budget, "预算数")
    if b == 0:
        note = "调整后预算为零，执行率无法计算" + ("，但已有支出" if e else "")
        return BudgetSignal(_money(e), _money(b), None, expected, None, None, False, note)
    rate = e / b
    deviation = _deviates(rate, expected.share, thresholds.deviation)
    if expected.share == 0:
        return BudgetSignal(_money(e), _money(b), _ratio(rate), expected, None, Light.GREEN, deviation)
    ratio = rate / expected.share
    if ratio < _exact(thresholds.budget_red_below):
        light = Light.RED
    elif ratio < _exact(thresholds.budget_yellow_below):
        light = Light.YELLOW
    else:
        light = Light.GREEN
    return BudgetSignal(_money(e), _money(b), _ratio(rate), expected, _ratio(ratio), light, deviation)


def positive_light(*, actual: Amount, expected: Amount, thresholds: Thresholds) -> Light:
    """A positive numeric indicator's light (domain-rules §5): progress = actual ÷ expected; red below
    ``indicator_red_below`` (0.6), yellow below ``indicator_yellow_below`` (0.8), green up to and including
    ``indicator_blue_above`` (1.2), blue above it (over-running). An expectation of 0 or less has no
    ratio: on or above it is green, below it red."""
    a, x = _exact(actual, "完成值"), _exact(expected, "预期值")
    if x <= 0:
        return Light.GREEN if a >= x else Light.RED
    progress = a / x
    if progress < _exact(thresholds.indicator_red_below):
        return Light.RED
    if progress < _exact(thresholds.indicator_yellow_below):
        return Light.YELLOW
    if progress > _exact(thresholds.indicator_blue_above):
        return Light.BLUE
    return Light.GREEN


def reverse_light(*, actual: Amount, limit: Amount, strict: bool) -> Light:
    """A reverse indicator's light (domain-rules §5): green within the limit, red outside — within is
    actual ≤ limit for ≤, actual < limit for ＜ (``strict``)."""
    a, limit_ = _exact(actual, "完成值"), _exact(limit, "指标值")
    within = a < limit_ if strict else a <= limit_
    return Light.GREEN if within else Light.RED


def qualitative_light(achievement: str | None) -> Light | None:
    """A qualitative indicator's light (domain-rules §5): 达成 green, 部分达成 yellow, 未达成 red; not
    yet assessed → None (shown as missing, never as a colour)."""
    if achievement in (None, ""):
        return None
    return {Achievement.ACHIEVED: Light.GREEN, Achievement.PARTIAL: Light.YELLOW,
            Achievement.NOT_ACHIEVED: Light.RED}[Achievement(achievement)]


def indicator_kind(operator: str, target: Amount | None) -> IndicatorKind:
    """How an indicator is monitored: ≥ ＞ positive; ≤ ＜ reverse; 定性 qualitative; = follows
    domain-rules §6 — a target above 0 as positive, a target of 0 (or below) as a limit (≤)."""
    if operator in POSITIVE_OPERATORS:
        return IndicatorKind.POSITIVE
    if operator in REVERSE_OPERATORS:
        return IndicatorKind.REVERSE
    if operator == Operator.EQ:
        return IndicatorKind.POSITIVE if target is not None and _exact(target, "指标值") > 0 else IndicatorKind.REVERSE
    if operator == Operator.QUALITATIVE:
        return IndicatorKind.QUALITATIVE
    raise ValueError(f"未知的运算符“{operator}”")


@dataclass(frozen=True)
class IndicatorProgress:
    """One indicator of the approved target sheet at a checkpoint, as the monitoring table holds it.
    ``operator`` is a ``library.choices.Operator`` value (as the targets app stores it); ``target`` the
    numeric reading of the annual target value (None when it is not numeric); ``actual`` the value to
    date (None: not reported); ``expected`` the agency's stated expectation for the checkpoint, if any;
    ``achievement`` an ``Achievement`` value for a qualitative indicator."""

    key: Hashable
    operator: str
    target: Amount | None = None
    actual: Amount | None = None
    expected: Amount | None = None
    achievement: str | None = None


@dataclass(frozen=True)
class IndicatorSignal:
    """The signal of one indicator: ``expected`` the value expected at the checkpoint (the limit for a
    reverse indicator), ``progress`` actual ÷ expected (positive indicators with an expectation above 0),
    ``light`` None when the value is missing or the target not numeric (``note`` says which)."""

    key: Hashable
    kind: IndicatorKind
    expected: Decimal | None
    progress: Decimal | None
    light: Light | None
    deviation: bool
    note: str = ""


def _shown(value: Fraction) -> Decimal:
    """An indicator value as shown: exact when it has at most four places, else four places."""
    d = _ratio(value)
    if Fraction(d) != value:
        return d
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def indicator_signal(ind: IndicatorProgress, *, month: int, thresholds: Thresholds) -> IndicatorSignal:
    """The signal of one indicator at checkpoint month m (domain-rules §5):

    * positive (≥ ＞; = with a target above 0, §6): expected = the agency's stated expectation for the
      checkpoint, else target × m ÷ 12; light by :func:`positive_light`; deviation when
      |actual − expected| > ``deviation`` × expected (for an expectation of 0 or less: when red);
    * reverse (≤ ＜; = with a target of 0, §6): the limit is the agency's stated expectation, else the
      annual target; light by :func:`reverse_light`; deviation when the value exceeds the limit by more
      than ``deviation`` × |limit| (being under a limit is never a deviation);
    * qualitative: light by :func:`qualitative_light`; anything short of 达成 is a deviation (as a
      yellow or red numeric indicator is one under the default thresholds).

    A missing value or a numeric operator without a numeric target gives no light and no deviation:
    the table shows it as missing rather than guessing."""
    m = _month(month)
    kind = indicator_kind(ind.operator, ind.target)
    if kind == IndicatorKind.QUALITATIVE:
        light = qualitative_light(ind.achievement)
        return IndicatorSignal(ind.key, kind, None, None, light, light in (Light.YELLOW, Light.RED),
                               "" if light else "尚未填报完成情况")
    if ind.target is None and ind.expected is None:
        return IndicatorSignal(ind.key, kind, None, None, None, False, "指标值不是数字，无法计算进度")
    if ind.expected is not None:
        expected = _exact(ind.expected, "预期值")
    elif kind == IndicatorKind.POSITIVE:
        expected = _exact(ind.target, "指标值") * Fraction(m, 12)
    else:
        expected = _exact(ind.target, "指标值")
    if ind.actual is None:
        return IndicatorSignal(ind.key, kind, _shown(expected), None, None, False, "尚未填报完成值")
    actual = _exact(ind.actual, "完成值")
    threshold = _exact(thresholds.deviation)
    if kind == IndicatorKind.POSITIVE:
        light = positive_light(actual=actual, expected=expected, thresholds=thresholds)
        if expected > 0:
            return IndicatorSignal(ind.key, kind, _shown(expected), _ratio(actual / expected), light,
                                   _deviates(actual, expected, thresholds.deviation))
        return IndicatorSignal(ind.key, kind, _shown(expected), None, light, light == Light.RED)
    light = reverse_light(actual=actual, limit=expected, strict=ind.operator == Operator.LT)
    return IndicatorSignal(ind.key, kind, _shown(expected), None, light,
                           actual - expected > threshold * abs(expected))


#: badness of a light for the goal: red worst, then yellow, green; blue (ahead of plan) is no risk to
#: the goal, so it is the best — a project whose every indicator runs ahead has a blue goal light
SEVERITY = {Light.RED: 3, Light.YELLOW: 2, Light.GREEN: 1, Light.BLUE: 0}


def goal_light(lights: Iterable[Light | None]) -> Light | None:
    """A project's goal light (总体目标进度) is its worst indicator's light (issue #13; the lights of
    domain-rules §5), worst by :data:`SEVERITY`. Indicators without a light (not reported) do not
    count; None when no indicator has one."""
    lit = [Light(v) for v in lights if v is not None]
    return max(lit, key=SEVERITY.__getitem__) if lit else None


def blue_count(lights: Iterable[Light | None]) -> int:
    """How many indicators over-run (蓝灯, domain-rules §5): shown per indicator and counted."""
    return sum(1 for v in lights if v == Light.BLUE)


def reasons_required(*, budget: BudgetSignal | None, indicators: Iterable[IndicatorSignal]) -> list[Hashable]:
    """The items that must carry a written reason before submit (domain-rules §5, "Deviation"): cause
    category, likelihood of reaching the goal and corrective measures. :data:`BUDGET` for the money when
    its execution deviates, then the key of every deviating indicator, in the order given."""
    out: list[Hashable] = [BUDGET] if budget is not None and budget.deviation else []
    return out + [s.key for s in indicators if s.deviation]


# --- 3b. what the annual report counts (domain-rules §13) ---------------------------------------------

WAN = 10_000
YI = 100_000_000
#: the budget-light keys and the goal-light keys a tally counts ("none": no light could be computed,
#: for the goal light also a table without indicator rows)
BUDGET_KEYS = ("red", "yellow", "green", "none")
GOAL_KEYS = ("red", "yellow", "green", "blue", "none")
#: the decision kinds whose amounts the report adds up
CUT, RECOVER = "cut", "recover"


@dataclass(frozen=True)
class Monitored:
    """One object of a round as the statistics count it: its agency, project (None: an agency's whole
    budget), the project's tags, the budget monitored (年初预算, yuan; None: unknown), its lights, its
    blue indicators and whether anything deviates beyond the threshold."""

    agency: int
    project: int | None
    tags: tuple[str, ...] = ()
    amount: Decimal | None = None
    budget_light: str | None = None
    goal_light: str | None = None
    blue: int = 0
    deviating: bool = False


@dataclass(frozen=True)
class Decided:
    """One finance decision of a round: its project, the project's tags, its kind and amount (yuan)."""

    project: int
    kind: str
    amount: Decimal | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tally:
    """The figures of a set of monitored objects and their decisions. ``amount`` adds the known budgets;
    ``amount_unknown`` counts the objects whose budget is not known (not added, never taken as 0)."""

    objects: int
    agencies: int
    amount: Decimal
    amount_unknown: int
    deviating: int
    budget_lights: dict
    goal_lights: dict
    blue_indicators: int
    decisions: dict  # kind → decisions
    decided_projects: dict  # kind → distinct projects
    cut: Decimal
    recovered: Decimal

    @property
    def decision_total(self) -> int:
        return sum(self.decisions.values())

    @property
    def deviation_share(self) -> Decimal | None:
        """Objects deviating beyond the threshold ÷ objects monitored (None for none monitored)."""
        return _ratio(Fraction(self.deviating, self.objects)) if self.objects else None


def tally(objects: Iterable[Monitored], decisions: Iterable[Decided] = ()) -> Tally:
    """Count ``objects`` and ``decisions``: objects, distinct agencies, the budget monitored, objects
    deviating, objects per budget light and per goal light, blue indicators, decisions (and distinct
    projects) per kind, and the amounts cut (调减预算) and recovered (收回资金)."""
    objects = list(objects)
    budget = dict.fromkeys(BUDGET_KEYS, 0)
    goal = dict.fromkeys(GOAL_KEYS, 0)
    amount, unknown = Decimal("0.00"), 0
    for o in objects:
        budget[o.budget_light if o.budget_light in budget else "none"] += 1
        goal[o.goal_light if o.goal_light in goal else "none"] += 1
        if o.amount is None:
            unknown += 1
        else:
            amount += o.amount
    counts: dict[str, int] = {}
    projects: dict[str, set] = {}
    cut = recovered = Decimal("0.00")
    for d in decisions:
        counts[d.kind] = counts.get(d.kind, 0) + 1
        projects.setdefault(d.kind, set()).add(d.project)
        if d.kind == CUT:
            cut += d.amount or 0
        elif d.kind == RECOVER:
            recovered += d.amount or 0
    return Tally(objects=len(objects), agencies=len({o.agency for o in objects}), amount=amount,
                 amount_unknown=unknown, deviating=sum(1 for o in objects if o.deviating), budget_lights=budget,
                 goal_lights=goal, blue_indicators=sum(o.blue for o in objects), decisions=counts,
                 decided_projects={k: len(v) for k, v in projects.items()}, cut=cut, recovered=recovered)


def tally_by_tag(objects: Iterable[Monitored], decisions: Iterable[Decided] = (),
                 tags: Sequence[str] = ()) -> dict[str, Tally]:
    """{tag: :func:`tally` of the objects (and decisions) whose project carries the tag}, for each of
    ``tags`` in that order and then any other tag found (sorted). An object with two tags counts under
    each, so the rows add up to more than the round's total. A tag nothing carries is left out."""
    objects, decisions = list(objects), list(decisions)
    found = {t for o in objects for t in o.tags} | {t for d in decisions for t in d.tags}
    order = [t for t in tags if t in found] + sorted(found - set(tags))
    return {t: tally([o for o in objects if t in o.tags], [d for d in decisions if t in d.tags]) for t in order}


def amount_text(amount: Amount) -> str:
    """An amount in the report's prose: 亿元 with two decimals at 1 亿 and above, else 万元 with two
    decimals (``740000000`` → ``7.40 亿元``; ``1095100`` → ``109.51 万元``)."""
    value = Fraction(_exact(amount))
    if abs(value) >= YI:
        return f"{_quantize(value / YI, CENT)} 亿元"
    return f"{_quantize(value / WAN, CENT)} 万元"


def monitoring_sentence(t: Tally, *, whole_budget: bool = False, what: str = "") -> str:
    """The report's sentence of a round or of a tag in it (the seeds' phrasing: "共对 39 个预算单位的 117
    个项目进行了监控，监控总金额 7.4 亿元"; "对扶贫资金安排的 4 个项目进行了监控，监控总金额 0.11 亿元"), with
    the objects deviating beyond the threshold and the decisions with amounts."""
    if not t.objects:
        return f"{what}没有监控对象。" if what else "没有监控对象。"
    if whole_budget:
        text = f"对 {t.objects} 个单位的部门整体支出进行了监控"
    elif what:
        text = f"对{what}安排的 {t.objects} 个项目进行了监控"
    else:
        text = f"共对 {t.agencies} 个预算单位的 {t.objects} 个项目进行了监控"
    text += f"，监控总金额 {amount_text(t.amount)}"
    if t.amount_unknown:
        text += f"（另有 {t.amount_unknown} 个对象预算数未知，未计入）"
    text += f"；偏离超过阈值的 {t.deviating} 个" if t.deviating else "；没有偏离超过阈值的对象"
    if t.cut:
        text += f"；调减了 {t.decided_projects.get(CUT, 0)} 个项目的预算金额 {amount_text(t.cut)}"
    if t.recovered:
        text += f"；收回 {t.decided_projects.get(RECOVER, 0)} 个项目的资金 {amount_text(t.recovered)}"
    return text + "。"


# --- 4. forecast ----------------------------------------------------------------------------------------

def forecast_year_end(*, monthly: Monthly, month: int, budget: Amount | None = None) -> Decimal | None:
    """The year-end execution forecast from the project's own monthly series (issue #13, "Forecast"),
    from the eighth month's checkpoint on (None before it: seven points are too few to show a trend
    worth printing beside the agency's estimate).

    Method — a linear trend of the monthly amounts: the least-squares line y = a + b·k through the
    amounts paid in months k = 1 … m (a month without payments counts as 0); each remaining month
    m+1 … 12 is expected to pay the line's value there (never less than 0); the forecast is the
    execution to date plus those amounts, capped at the adjusted budget (``budget``, when above 0: the
    treasury pays no more than the budget) but never below what is already paid. Why this method: it
    reads only the project's own payments, as the issue asks, so it also works for the many projects
    without a spending plan; and unlike the run rate (to date × 12 ÷ m) it follows a back-loaded
    project's rising monthly amounts. Example: 5, 10, … 40 in months 1–8 (180 paid) → line 5·k →
    45 + 50 + 55 + 60 → 390, where the run rate says 270. At month 12 the forecast is the execution."""
    m = _month(month)
    if m < FORECAST_FROM_MONTH:
        return None
    totals = monthly_totals(monthly)
    ys = [totals.get(k, Fraction(0)) for k in range(1, m + 1)]
    paid = sum(ys, Fraction(0))
    k_mean = Fraction(m + 1, 2)
    y_mean = paid / m
    slope = (sum((k - k_mean) * (y - y_mean) for k, y in enumerate(ys, start=1))
             / sum((k - k_mean) ** 2 for k in range(1, m + 1)))
    intercept = y_mean - slope * k_mean
    forecast = paid + sum((max(Fraction(0), intercept + slope * k) for k in range(m + 1, 13)), Fraction(0))
    if budget is not None and _exact(budget, "预算数") > 0:
        forecast = min(forecast, max(_exact(budget, "预算数"), paid))
    return _money(forecast)


def forecast_disagrees(*, forecast: Amount | None, estimate: Amount | None, thresholds: Thresholds) -> bool | None:
    """Whether the forecast and the agency's own estimate of the year's execution (预计全年执行数)
    disagree by more than the deviation threshold (issue #13): |forecast − estimate| > ``deviation`` ×
    estimate — the estimate is the plan the forecast is held against, as in domain-rules §5's
    deviation. None when either is missing (nothing to compare)."""
    if forecast is None or estimate is None:
        return None
    return _deviates(_exact(forecast, "预测数"), _exact(estimate, "预计执行数"), thresholds.deviation)


# --- 5. finance decisions (监控结果应用) -----------------------------------------------------------------

#: project stages a decision may be taken in: budgeted and under way (监控 covers the budget year's
#: execution); funds may still be recovered from a project completed or terminated in the year
DECIDABLE_STAGES = frozenset({"budgeted", "executing"})
RECOVERABLE_STAGES = DECIDABLE_STAGES | {"completed", "terminated"}
#: the kinds that carry an amount (the database refuses the others with one, and these without)
AMOUNT_KINDS = frozenset({"cut", "recover"})
#: what a stopped disbursement still allows: cutting the unspent budget and recovering funds
AFTER_STOP = frozenset({"cut", "recover"})


@dataclass(frozen=True)
class DecisionState:
    """What decides whether a decision may be taken on a project in a year (read by the services in
    one pass, for one project or many): its stage, the budget amount, the cuts and recoveries decided
    so far (yuan), the execution to date (the sum of its monthly execution rows), and whether a
    suspension is in force or disbursement was stopped."""

    stage: str
    budget: Amount
    cut: Amount = 0
    recovered: Amount = 0
    executed: Amount = 0
    suspended: bool = False
    stopped: bool = False

    @property
    def adjusted(self) -> Decimal:
        """调整后预算: the budget less every cut."""
        return _money(_exact(self.budget, "预算数") - _exact(self.cut, "调减金额"))

    @property
    def unspent(self) -> Decimal:
        """The adjusted budget not yet paid out, net of recoveries (never below 0)."""
        net = max(_exact(self.executed, "执行数") - _exact(self.recovered, "收回金额"), Fraction(0))
        return _money(max(_exact(self.adjusted) - net, Fraction(0)))

    @property
    def recoverable(self) -> Decimal:
        """What can still be recovered: the execution to date less what was recovered already."""
        return _money(max(_exact(self.executed, "执行数") - _exact(self.recovered, "收回金额"), Fraction(0)))


def wan_text(amount: Amount) -> str:
    """Yuan as 万元 with two places and thousands separators (``core.money.format_wan``'s text; this
    module cannot import it)."""
    return f"{_quantize(_exact(amount) / 10000, CENT):,.2f}"


def decision_errors(*, kind: str, amount: Amount | None, reason: str, state: DecisionState,
                    labels: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Why a decision of ``kind`` on a project in ``state`` is refused, as form errors (empty: allowed).

    - every decision states its reason;
    - only a budgeted project, or one under way, is decided on (a recovery also after it was completed
      or terminated in the year);
    - 调减预算 and 收回资金 carry an amount above 0 (the others none). A cut takes no more than the
      adjusted budget not yet spent (调整后预算 − (执行数 − 已收回)): the budget cannot be cut below what
      has been paid out. A recovery takes no more than what was paid out so far less what was
      recovered already (执行数 − 已收回): funds not paid cannot be recovered;
    - a suspension (暂缓拨付) stays in force until lifted: no second one, and no 继续执行 while it is
      (lift it instead);
    - 停止拨付 is final for the year: after it only cuts and recoveries (of the unspent budget and the
      funds paid), no continue, suspend, target adjustment or second stop — and no lifting
      (:func:`lift_error`)."""
    labels = labels or {}
    label = labels.get(kind, kind)
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str):
        errors.setdefault(field, []).append(message)

    if not (reason or "").strip():
        add("reason", "请填写理由")
    stages = RECOVERABLE_STAGES if kind == "recover" else DECIDABLE_STAGES
    if state.stage not in stages:
        add("kind", f"项目当前阶段不能作出“{label}”的决定（须已纳入预算或执行中）")
    if state.stopped and kind not in AFTER_STOP:
        add("kind", f"该项目本年度已停止拨付，不能再作出“{label}”的决定")
    elif state.suspended and kind == "suspend":
        add("kind", "该项目已暂缓拨付且尚未解除，不能重复暂缓")
    elif state.suspended and kind == "continue":
        add("kind", "该项目暂缓拨付尚未解除，如继续执行请先解除暂缓拨付")
    if kind in AMOUNT_KINDS:
        if amount is None or _exact(amount) <= 0:
            add("amount", f"“{label}”须填写大于 0 的金额")
        elif kind == "cut" and _exact(amount) > _exact(state.unspent):
            add("amount", f"调减金额不能超过尚未支出的预算 {wan_text(state.unspent)} 万元（调整后预算 "
                          f"{wan_text(state.adjusted)} 万元，已执行 {wan_text(state.executed)} 万元，"
                          f"已收回 {wan_text(state.recovered)} 万元）")
        elif kind == "recover" and _exact(amount) > _exact(state.recoverable):
            add("amount", f"收回金额不能超过已执行且尚未收回的资金 {wan_text(state.recoverable)} 万元（已执行 "
                          f"{wan_text(state.executed)} 万元，已收回 {wan_text(state.recovered)} 万元）")
    elif amount not in (None, "") and _exact(amount) != 0:
        add("amount", f"“{label}”不填写金额")
    return errors


def lift_error(*, reason: str, lifted: bool, stopped: bool) -> dict[str, list[str]]:
    """Why a suspension may not be lifted now: the reason is required; a suspension is lifted once; and
    not after disbursement was stopped for the year (停止拨付 is final)."""
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["lift_reason"] = ["请填写解除理由"]
    if lifted:
        errors.setdefault("kind", []).append("该暂缓拨付已经解除")
    elif stopped:
        errors.setdefault("kind", []).append("该项目本年度已停止拨付，暂缓拨付不再解除")
    return errors


@dataclass(frozen=True)
class DecisionTotals:
    """One row of the decision statistics (a region's year, optionally one round): decisions and
    projects by kind, the projects with any decision, the amounts cut and recovered (yuan)."""

    decisions: Mapping[str, int]
    projects: Mapping[str, int]
    projects_total: int
    cut: Decimal
    recovered: Decimal


def decision_summary(totals: DecisionTotals) -> str:
    """The annual report's sentence (domain-rules §5 and §13: "调减了 12 个专项项目的预算金额 109.51 万元"):
    the projects decided on, then the cuts and recoveries with their amounts, then the other kinds'
    project counts; nothing is said of a kind without decisions."""
    if not totals.projects_total:
        return "本期未作出监控结果应用决定。"
    parts = [f"对 {totals.projects_total} 个项目作出监控结果应用决定"]
    if totals.projects.get("cut"):
        parts.append(f"调减了 {totals.projects['cut']} 个项目的预算金额 {wan_text(totals.cut)} 万元")
    if totals.projects.get("recover"):
        parts.append(f"收回 {totals.projects['recover']} 个项目的资金 {wan_text(totals.recovered)} 万元")
    for kind, text in (("suspend", "暂缓拨付"), ("stop", "停止拨付"), ("adjust_target", "调整绩效目标"),
                       ("continue", "继续执行")):
        if totals.projects.get(kind):
            parts.append(f"{text} {totals.projects[kind]} 个项目")
    return "，".join(parts) + "。"
