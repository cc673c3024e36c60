"""Pure rules of target management: the automatic quality check of a target sheet (domain-rules §3),
reading a bureau's one-cell indicator value ("≥95%"), and the coverage arithmetic (§13).

Everything here works on plain values and the region's configuration passed in as arguments — no
ORM — so each rule is tested against hand-worked examples."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from jixiao.library.choices import OPERATOR_ALIASES

QUALITATIVE = "qualitative"
NUMERIC_OPERATORS = ("ge", "gt", "eq", "lt", "le")
HIGHER_IS_BETTER = ("ge", "gt")
LOWER_IS_BETTER = ("le", "lt")
COST_LEVEL2 = ("cost", "economic_cost", "social_cost", "ecological_cost")
LEVEL1_LABELS = {"output": "产出指标", "cost": "成本指标", "benefit": "效益指标", "satisfaction": "满意度指标"}


@dataclass(frozen=True)
class Row:
    """An indicator as the check sees it. ``position`` is the 1-based row shown to the user."""

    position: int
    level1: str
    level2: str
    name: str
    operator: str
    value: str
    unit: str = ""
    weight: Decimal | None = None


@dataclass(frozen=True)
class Standard:
    """A spending standard (预算支出标准): a cost indicator whose name contains ``keyword`` and whose
    unit is ``unit`` must not exceed ``ceiling``."""

    keyword: str
    unit: str
    ceiling: Decimal
    source: str = ""


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    row: int | None
    message: str


@dataclass(frozen=True)
class CheckInput:
    rows: tuple[Row, ...]
    annual_goal: str
    #: {level 1: {level 2, …}} of the sheet's taxonomy version, in display order
    taxonomy: Mapping[str, Iterable[str]]
    #: finding code → severity ("warning" / "error" / "off"), from configuration ``target_quality_rules``
    severities: Mapping[str, str]
    qualitative_share_max: Decimal = Decimal("30")  # percent
    weight_total: Decimal = Decimal("100")
    previous_goal: str = ""  # last year's approved annual goal of the same object
    #: (name, unit) → last year's actual value of the same project (from monitoring/evaluation)
    last_actuals: Mapping[tuple[str, str], Decimal] | None = None
    standards: tuple[Standard, ...] = ()


# --- reading values --------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
_OPERATOR_PREFIXES = sorted(OPERATOR_ALIASES, key=len, reverse=True)


def parse_number(text: str | None) -> Decimal | None:
    """The number a numeric target value states ("95", "1,200", "3.5"), else None."""
    if text is None:
        return None
    s = str(text).strip().replace(",", "").replace("，", "")
    if not s:
        return None
    try:
        n = Decimal(s)
    except InvalidOperation:
        return None
    return n if n.is_finite() else None


def split_value_cell(text: str) -> tuple[str, str, str]:
    """(operator, value, unit) from one cell as bureaus write it (documents.md): "≥95%" → (ge, 95, %),
    "≤120万元" → (le, 120, 万元), "100%" → (eq, 100, %), "明显提升" or "2022年12月底前完成" → (qualitative,
    text, ""). An operator followed by no number keeps the text as value, so the check reports it."""
    s = (text or "").strip()
    operator = None
    for prefix in _OPERATOR_PREFIXES:
        if s.startswith(prefix) and prefix != "定性":
            operator = str(OPERATOR_ALIASES[prefix])
            s = s[len(prefix):].strip()
            break
        if prefix == "定性" and s.startswith("定性"):
            rest = s[2:].lstrip("：:").strip()
            return QUALITATIVE, rest, ""
    match = _NUMBER.match(s)
    if operator is None:
        if match and len(s) - match.end() <= 8 and not re.search(r"\d", s[match.end():]):
            return "eq", match.group(0).replace(",", ""), s[match.end():].strip()
        return QUALITATIVE, s, ""
    if match:
        return operator, match.group(0).replace(",", ""), s[match.end():].strip()
    return operator, s, ""


# --- the quality check ---------------------------------------------------------------------------

def _add(out: list[Finding], inp: CheckInput, code: str, row: int | None, message: str) -> None:
    severity = inp.severities.get(code, "warning")
    if severity != "off":
        out.append(Finding(code, severity, row, message))


def normalise_name(text: str) -> str:
    """A name or goal without its spaces, for comparing what people typed."""
    return re.sub(r"\s+", "", text or "")


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """part ÷ whole as a percentage with two places (0 when the whole is 0)."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def check(inp: CheckInput) -> list[Finding]:
    """Every finding of domain-rules §3 on one sheet, in row order (sheet-level findings first):
    incomplete rows and level pairs outside the sheet's taxonomy; a level-1 kind missing; no 时效
    indicator; a numeric operator with a non-numeric value; too high a share of qualitative
    indicators; weights not summing to the form's total; duplicate level-3 names; a target weaker
    than last year's actual; a cost above the spending standard; the overall goal empty or copied
    unchanged from last year. Severities come from configuration (``off`` drops the check)."""
    out: list[Finding] = []
    rows = list(inp.rows)
    tree = {k: set(v) for k, v in inp.taxonomy.items()}
    goal = normalise_name(inp.annual_goal)
    if not goal:
        _add(out, inp, "goal_empty", None, "年度总体目标为空，请填写本年度要达到的产出和效果")
    elif inp.previous_goal and goal == normalise_name(inp.previous_goal):
        _add(out, inp, "goal_copied", None, "年度总体目标与上年批复的目标完全相同，请结合本年度任务重新填写")
    present = {r.level1 for r in rows}
    for level1 in tree:
        if level1 not in present:
            _add(out, inp, "missing_level1", None, f"缺少“{LEVEL1_LABELS.get(level1, level1)}”，至少应设置一项")
    if rows and not any(r.level2 == "timeliness" for r in rows):
        _add(out, inp, "no_timeliness", None, "没有时效指标，请说明完成时限（如“2026年12月底前完成”）")
    qualitative = sum(1 for r in rows if r.operator == QUALITATIVE)
    if rows:
        share = percent(qualitative, len(rows))
        if share > inp.qualitative_share_max:
            _add(out, inp, "qualitative_share", None,
                 f"定性指标 {qualitative} 项，占 {share}%，超过 {inp.qualitative_share_max}%，请尽量量化")
    weights = [r.weight for r in rows if r.weight is not None]
    if rows and not weights:
        _add(out, inp, "no_weights", None, f"所有指标均未填分值（满分 {inp.weight_total.normalize():f} 分），请为每项指标填写分值")
    if weights:
        total = sum(weights, Decimal("0"))
        if len(weights) < len(rows):
            _add(out, inp, "weight_total", None, f"有 {len(rows) - len(weights)} 项指标未填分值")
        elif total != inp.weight_total:
            _add(out, inp, "weight_total", None, f"分值合计为 {total.normalize():f}，应为 {inp.weight_total.normalize():f}")
    seen: dict[str, int] = {}
    for r in rows:
        if not r.name.strip() or not r.level1 or not r.level2 or not r.operator or not str(r.value).strip():
            missing = [label for label, v in (("一级指标", r.level1), ("二级指标", r.level2), ("三级指标", r.name.strip()),
                                               ("运算符", r.operator), ("指标值", str(r.value).strip())) if not v]
            _add(out, inp, "incomplete_row", r.position, f"第 {r.position} 项指标缺少：{'、'.join(missing)}")
        elif r.level1 not in tree or r.level2 not in tree[r.level1]:
            _add(out, inp, "wrong_level", r.position,
                 f"第 {r.position} 项“{r.name}”的一、二级指标不属于本年度使用的指标体系")
        key = normalise_name(r.name)
        if key:
            if key in seen:
                _add(out, inp, "duplicate_name", r.position, f"第 {r.position} 项“{r.name}”与第 {seen[key]} 项重名")
            else:
                seen[key] = r.position
        number = parse_number(r.value) if r.operator in NUMERIC_OPERATORS else None
        if r.operator in NUMERIC_OPERATORS and str(r.value).strip() and number is None:
            _add(out, inp, "non_numeric", r.position,
                 f"第 {r.position} 项“{r.name}”的运算符为数值比较，但指标值“{r.value}”不是数字")
        if number is not None and inp.last_actuals:
            actual = inp.last_actuals.get((key, r.unit.strip()))
            if actual is not None and (
                (r.operator in HIGHER_IS_BETTER and number < actual)
                or (r.operator in LOWER_IS_BETTER and number > actual)
            ):
                _add(out, inp, "weaker_than_last_year", r.position,
                     f"第 {r.position} 项“{r.name}”的目标值 {r.value}{r.unit} 低于上年实际完成值 "
                     f"{actual.normalize():f}{r.unit}")
        if number is not None and (r.level1 == "cost" or r.level2 in COST_LEVEL2):
            for std in inp.standards:
                if std.keyword in r.name and (not std.unit or std.unit == r.unit.strip()) and number > std.ceiling:
                    _add(out, inp, "cost_above_standard", r.position,
                         f"第 {r.position} 项“{r.name}”为 {r.value}{r.unit}，高于支出标准 "
                         f"{std.ceiling.normalize():f}{std.unit}" + (f"（{std.source}）" if std.source else ""))
                    break
    return sorted(out, key=lambda f: (f.row or 0))


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


# --- coverage (domain-rules §13) -----------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """Counts and amounts under target management against all of them, with the two rates."""

    total_count: int
    covered_count: int
    total_amount: Decimal
    covered_amount: Decimal

    @property
    def count_rate(self) -> Decimal:
        return percent(self.covered_count, self.total_count)

    @property
    def amount_rate(self) -> Decimal:
        return percent(self.covered_amount, self.total_amount)
