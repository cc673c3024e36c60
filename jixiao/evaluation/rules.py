"""Pure rules of self-evaluation scoring (单位自评, issue #14; domain-rules §6 and §8, 财预〔2020〕10号
《项目支出绩效评价管理办法》): the budget-execution score, each indicator's computed score, the weights of a
level-1 kind spread over its indicators as the target sheet weights them, the row rounding and the total,
the warnings a reviewer is shown (results claimed while money is unspent, over-achievement without an
explanation) and the rating band.

Everything works on plain values and the region's configuration passed in (``self_evaluation_weights`` and
``rating_bands`` of ``jixiao.core.config``, read by the caller) — no ORM. Money and values are Decimal (or
int); floats are refused. Scores are decided on the exact values (``fractions.Fraction``) and rounded half-up
to two decimals once, at the row (§6: "Scores round to 2 decimals at the row; total = sum of rows")."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from jixiao.library.choices import Operator

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
#: the qualitative levels (§6) and the share of the indicator's weight each allows, inclusive
QUALITATIVE_BANDS = {
    "achieved": (Fraction(80, 100), Fraction(1), "达成"),
    "partial": (Fraction(60, 100), Fraction(80, 100), "部分达成并具有一定效果"),
    "not_achieved": (Fraction(0), Fraction(60, 100), "未达成且效果较差"),
}
#: level-1 kinds as the target sheet names them; 成本 takes its weight from 产出 unless it has its own
KINDS = ("output", "cost", "benefit", "satisfaction")

Amount = Decimal | int


def _exact(value: Amount, what: str) -> Fraction:
    if isinstance(value, float) or isinstance(value, bool):
        raise ValueError(f"{what}不能使用浮点数")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what}应为有限的数字")
    return Fraction(value)


def _round(value: Fraction, places: Decimal = CENT) -> Decimal:
    """``value`` rounded half-up (away from zero) to ``places``, exactly."""
    steps = math.floor(abs(value) / Fraction(places) + Fraction(1, 2))
    return (Decimal(-steps if value < 0 else steps) * places).quantize(places)


def _points(value: Decimal) -> str:
    """A score as the forms print it: 8, 8.5, 8.75 (no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text


# --- 1. budget execution ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExecutionScore:
    """预算执行率 and its score. ``rate`` None and ``flagged`` for a zero budget (§6: rate undefined)."""

    rate: Decimal | None
    score: Decimal
    flagged: bool = False
    note: str = ""


def execution_score(*, executed: Amount, budget: Amount, weight: Amount = 10) -> ExecutionScore:
    """Execution rate = executed ÷ adjusted budget (全年预算数); score = min(rate, 1) × weight (§6). A zero
    budget has no rate: score 0, flagged for the reviewer. Negative amounts are refused."""
    e, b, w = _exact(executed, "全年执行数"), _exact(budget, "全年预算数"), _exact(weight, "分值")
    if e < 0 or b < 0:
        raise ValueError("预算数和执行数不能为负数")
    if b == 0:
        return ExecutionScore(None, _round(Fraction(0)), True,
                              "全年预算数为零，执行率无法计算，得 0 分" + ("（但有执行数）" if e else ""))
    rate = e / b
    return ExecutionScore(_round(rate, RATIO), _round(min(rate, Fraction(1)) * w))


# --- 2. indicators --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's computed score (rounded at the row). ``needs_explanation``: the actual value reached
    the over-achievement ratio (default 130%) of the target — the target was possibly set too low; the
    preparer must explain and a reviewer may deduct (§6). ``note`` says how the score was reached."""

    score: Decimal
    weight: Decimal
    needs_explanation: bool = False
    note: str = ""


def indicator_score(*, operator: str, weight: Amount, target: Amount | None = None, actual: Amount | None = None,
                    achievement: str | None = None, chosen: Amount | None = None,
                    over_ratio: Amount = Decimal("1.3")) -> IndicatorScore:
    """The score of one indicator (§6):

    * positive (≥ ＞): the target met → the full weight; else weight × actual ÷ target (never below 0);
    * equal (=): a target above 0 as positive; a target of 0 → full when actual ≤ 0, else 0;
    * reverse (≤ ＜): within the limit → full; limit < actual < 2 × limit → weight × (1 − (actual − limit) ÷
      limit); actual ≥ 2 × limit → 0 (a limit of 0 or less: full within it, else 0);
    * qualitative: the preparer's level (``achievement``: achieved / partial / not_achieved) and score
      (``chosen``, points) inside the level's band of the weight — 达成 80–100%, 部分达成 60–80%, 未达成 0–60%;
      a score outside its band is refused.

    The score never exceeds the weight (over-achievement is capped); a positive actual at or above
    ``over_ratio`` × target sets ``needs_explanation``. A numeric indicator without its actual value or
    target cannot be scored: ValueError in Chinese (the preparer must fill it or score it by hand)."""
    w = _exact(weight, "分值")
    if w < 0:
        raise ValueError("分值不能为负数")
    weight_d = _round(w)
    if operator == Operator.QUALITATIVE:
        if achievement not in QUALITATIVE_BANDS:
            raise ValueError("定性指标请选择完成程度：达成、部分达成并具有一定效果、未达成且效果较差")
        low, high, label = QUALITATIVE_BANDS[achievement]
        if chosen is None:
            raise ValueError(f"定性指标“{label}”请在 {_points(_round(low * w))}—{_points(_round(high * w))} 分之间打分")
        c = _exact(chosen, "得分")
        if not low * w <= c <= high * w:
            raise ValueError(f"“{label}”的得分应在 {_points(_round(low * w))}—{_points(_round(high * w))} 分之间，"
                             f"填写的是 {_points(_round(c))} 分")
        return IndicatorScore(_round(c), weight_d, note=f"定性：{label}")
    if operator not in (Operator.GE, Operator.GT, Operator.EQ, Operator.LE, Operator.LT):
        raise ValueError(f"未知的运算符“{operator}”")
    if target is None:
        raise ValueError("指标值不是数字，无法自动计分，请手工打分并说明")
    if actual is None:
        raise ValueError("请填写实际完成值")
    t, a = _exact(target, "指标值"), _exact(actual, "实际完成值")
    if operator == Operator.EQ and t <= 0:
        score = w if a <= 0 else Fraction(0)
        return IndicatorScore(_round(score), weight_d, note="目标为 0：不超过 0 得满分，否则不得分")
    if operator in (Operator.GE, Operator.GT, Operator.EQ):
        if t <= 0:
            score = w if a >= t else Fraction(0)
            return IndicatorScore(_round(score), weight_d, note="目标不大于 0：达到目标得满分，否则不得分")
        met = a > t if operator == Operator.GT else a >= t
        score = w if met else max(Fraction(0), w * a / t)
        over = a >= _exact(over_ratio, "超额比例") * t
        note = "达到目标，得满分" if met else "未达到目标：分值 × 实际值 ÷ 目标值"
        if over:
            note += f"；实际值达到目标的 {_points(_round(a / t * 100, Decimal('0.1')))}%，须说明是否目标偏低"
        return IndicatorScore(_round(min(score, w)), weight_d, over, note)
    # reverse
    within = a < t if operator == Operator.LT else a <= t
    if within:
        return IndicatorScore(weight_d, weight_d, note="控制在目标以内，得满分")
    if t <= 0 or a >= 2 * t:
        return IndicatorScore(_round(Fraction(0)), weight_d, note="超出目标一倍及以上（或目标不大于 0），不得分")
    score = w * (1 - (a - t) / t)
    return IndicatorScore(_round(min(score, w)), weight_d, note="超出目标：分值 × (1 − 超出部分 ÷ 目标值)")


# --- 3. weights ------------------------------------------------------------------------------------------------

def spread_weights(rows: Sequence[tuple[str, Amount]], totals: Mapping[str, Amount]) -> list[Fraction]:
    """The weight of each indicator row — (level-1 kind, the weight the target sheet gave it) — once each
    kind's total is the region's (``self_evaluation_weights``: 产出 50, 效益 30, 满意度 10 by default; 成本 0 →
    成本 indicators share 产出's): within a kind the weights follow the target sheet, scaled to the kind's
    total (a sheet weighting its outputs 20/20/10 keeps them; 10/10/5 becomes 20/20/10); a kind whose rows
    carry no weight splits its total evenly. A kind with rows but no total, or a total without rows, is
    refused — the sheet and the configuration must agree."""
    groups: dict[str, list[int]] = {}
    for n, (kind, _w) in enumerate(rows):
        if kind not in KINDS:
            raise ValueError(f"未知的一级指标“{kind}”")
        group = "output" if kind == "cost" and not _exact(totals.get("cost", 0), "成本分值") else kind
        groups.setdefault(group, []).append(n)
    out = [Fraction(0)] * len(rows)
    for group, members in groups.items():
        total = _exact(totals.get(group, 0), "分值")
        if total <= 0:
            raise ValueError(f"{_KIND_LABELS[group]}没有分值，不能计分（请检查自评分值配置）")
        given = [_exact(rows[n][1], "分值") for n in members]
        if any(g < 0 for g in given):
            raise ValueError("指标分值不能为负数")
        whole = sum(given, Fraction(0))
        for n, g in zip(members, given, strict=True):
            out[n] = total * g / whole if whole else total / len(members)
    return out


_KIND_LABELS = {"output": "产出指标", "cost": "成本指标", "benefit": "效益指标", "satisfaction": "满意度指标"}


# --- 4. total, warnings, rating --------------------------------------------------------------------------------

def total_score(scores: Iterable[Decimal]) -> Decimal:
    """The total: the sum of the rows' rounded scores (§6), execution included."""
    return sum((Decimal(s) for s in scores), Decimal("0.00")).quantize(CENT)


def consistency_warning(*, indicator_points: Amount, indicator_weight: Amount, execution_rate: Amount | None,
                        gap: Amount = Decimal("0.05")) -> bool:
    """§6 consistency rule: the indicators' score rate (their points ÷ their weight, 90 by default) exceeding
    the execution rate by more than ``gap`` (5 percentage points) — results claimed while money is unspent —
    is flagged for review. No execution rate (zero budget): no comparison (that case is flagged on its own)."""
    if execution_rate is None:
        return False
    weight = _exact(indicator_weight, "指标分值")
    if weight <= 0:
        return False
    return _exact(indicator_points, "指标得分") / weight - _exact(execution_rate, "执行率") > _exact(gap, "预警差值")


@dataclass(frozen=True)
class Rating:
    code: str
    label: str


def rating(score: Amount, bands: Sequence[Mapping]) -> Rating:
    """The rating band of ``score`` (§8): the first band, from the highest lower bound down, whose
    ``min_score`` the score reaches — ``bands`` as configuration ``rating_bands`` holds them (code, the
    region's label, min_score), in any order. A score below every band is refused."""
    s = _exact(score, "得分")
    for band in sorted(bands, key=lambda b: _exact(b["min_score"], "分数下限"), reverse=True):
        if s >= _exact(band["min_score"], "分数下限"):
            return Rating(band["code"], band["label"])
    raise ValueError(f"得分 {score} 低于所有评价等级的下限")


# --- 5. narrative checks (warnings before submit and for reviewers, issue #14) ----------------------------------

#: what real tables write instead of an answer: placeholders, never a reason or a measure
PLACEHOLDERS = frozenset({"无", "暂无", "没有", "无偏差", "未发现", "不适用", "无问题", "暂无问题", "无改进措施", "/", "-",
                          "—", "——", "0", "略", "同上", "见上", "n/a", "na", "none"})
_SIGNS = "≥≤＞＜＝=<>≧≦═﹦"
_DROP = str.maketrans("", "", " \t\r\n\u3000，。、；：,.;:！!？?（）()“”\"'《》【】[]")


def normalized(text: str | None) -> str:
    """``text`` reduced for comparison: no white space or punctuation, lower case (a copied paragraph
    re-punctuated or re-spaced is still the same paragraph)."""
    return (text or "").translate(_DROP).lower()


def is_placeholder(text: str | None) -> bool:
    """An empty narrative field or a placeholder ("暂无", "无", "/", "同上" …): flagged, never accepted as a
    reason, a problem found or a measure."""
    plain = normalized(text)
    return not plain or plain in PLACEHOLDERS


def repeats_target(actual: str | None, target: str | None) -> bool:
    """The actual value merely repeating the target as written: the same text (after normalising), or
    an actual that still carries the target's comparison sign ("≥95%" reported as done)."""
    a, t = normalized(actual), normalized(target)
    if not a:
        return False
    return a == t or (any(c in a for c in _SIGNS) and a.strip(_SIGNS) == t.strip(_SIGNS))


def copied_from(text: str | None, sources: Mapping[str, str], *, least: int = 12,
                similarity: float = 0.9) -> str | None:
    """The first of ``sources`` ({what it is: its text}, e.g. {"本单位 2025 年自评“存在问题”": …,
    "城关中学 2026 年自评“改进措施”": …}) that ``text`` copies: the same after normalising, or nearly
    (``similarity`` of the longest common blocks, difflib's ratio) — only for texts of at least ``least``
    characters (short answers such as "按计划完成" are alike without being copied). None when it copies
    none."""
    from difflib import SequenceMatcher

    plain = normalized(text)
    if len(plain) < least:
        return None
    for what, other in sources.items():
        theirs = normalized(other)
        if len(theirs) < least:
            continue
        if plain == theirs:
            return what
        matcher = SequenceMatcher(None, plain, theirs, autojunk=False)
        if matcher.real_quick_ratio() >= similarity and matcher.quick_ratio() >= similarity \
                and matcher.ratio() >= similarity:
            return what
    return None


# --- 6. the warnings of a self-evaluation (before submit, and for every reviewer) -------------------------------

@dataclass(frozen=True)
class RowFacts:
    """What the warnings read of one indicator row of a self-evaluation: its name, the target as written
    and its number, the actual as written and its number, the computed and the final score and its weight,
    the written explanation of an over-achievement and the reason for a deviation, and — from the year's
    last monitoring round — the likelihood the agency declared (``certain`` = 确定能) and the light."""

    name: str
    target_text: str = ""
    actual_text: str = ""
    computed: Decimal | None = None
    score: Decimal | None = None
    weight: Decimal | None = None
    needs_explanation: bool = False
    explanation: str = ""
    below_target: bool = False
    reason: str = ""
    monitored_likelihood: str = ""
    monitored_light: str = ""


def row_warnings(row: RowFacts) -> list[str]:
    """The warnings of one row, in Chinese, naming it (issue #14): over-achievement without an explanation;
    a deviation without a reason (or with a placeholder); the actual merely repeating the target; 确定能 in
    monitoring but below target at year end; a monitoring red that got full marks; a score set by hand
    away from the computed one is not a warning (it needs its written reason, which the service checks)."""
    out = []
    name = f"“{row.name}”"
    if row.needs_explanation and is_placeholder(row.explanation):
        out.append(f"{name}实际完成值达到目标的 130% 及以上，须说明是否目标设置偏低")
    if row.below_target and is_placeholder(row.reason):
        out.append(f"{name}未达到目标，须填写偏差原因和改进措施")
    if repeats_target(row.actual_text, row.target_text):
        out.append(f"{name}的实际完成值只是照抄了目标值“{row.target_text}”，请填写实际达到的数值或情况")
    if row.monitored_likelihood == "certain" and row.below_target:
        out.append(f"{name}在运行监控中填报“确定能”完成目标，年终却未达到目标，请说明原因")
    if row.monitored_light == "red" and row.score is not None and row.weight is not None and row.score >= row.weight:
        out.append(f"{name}在运行监控中为红灯，自评却得满分，请核实")
    return out


def execution_warning(*, declared: Amount | None, recorded: Amount | None, tolerance: Amount = Decimal("0.01")) -> str:
    """The execution the preparer declares against the execution data (the treasury's monthly rows, issue
    #13): a difference beyond ``tolerance`` yuan is a warning in Chinese ("" when they agree or either is
    missing). Amounts in yuan; the message in 万元."""
    if declared is None or recorded is None:
        return ""
    d, r = _exact(declared, "全年执行数"), _exact(recorded, "执行数据")
    if abs(d - r) <= _exact(tolerance, "容差"):
        return ""
    return (f"填报的全年执行数 {_round(d / 10000)} 万元与执行数据 {_round(r / 10000)} 万元不一致"
            f"（相差 {_round(abs(d - r) / 10000)} 万元），请核实或说明")


# --- 7. what the statistics count ---------------------------------------------------------------------------------

def completion_rate(done: int, required: int) -> Decimal | None:
    """自评完成率 = self-evaluations done ÷ required (per agency or region), four places; None when none
    was required."""
    if required < 0 or done < 0 or done > required:
        raise ValueError("完成数应在 0 与应评数之间")
    return _round(Fraction(done, required), RATIO) if required else None


@dataclass(frozen=True)
class Inflation:
    """Score inflation of one agency: how many of its self-evaluations were re-checked (财政抽评), their mean
    self score, mean re-check score and the mean gap (self − re-check; above 0: the agency scores itself
    higher than finance does)."""

    agency: object
    checked: int
    self_mean: Decimal
    recheck_mean: Decimal
    gap: Decimal


def inflation(pairs: Iterable[tuple[object, Amount, Amount]]) -> list[Inflation]:
    """Per agency, from (agency, self score, re-check score) of the evaluations that have both: the mean
    gap, largest first (ties by the agency as given first). Means are exact, rounded at the end."""
    groups: dict = {}
    for agency, own, recheck in pairs:
        g = groups.setdefault(agency, [0, Fraction(0), Fraction(0)])
        g[0] += 1
        g[1] += _exact(own, "自评得分")
        g[2] += _exact(recheck, "抽评得分")
    out = [Inflation(agency, n, _round(s / n), _round(r / n), _round((s - r) / n)) for agency, (n, s, r) in groups.items()]
    return sorted(out, key=lambda x: -x.gap)
