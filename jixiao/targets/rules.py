"""Pure rules of target management: the automatic quality check of a target sheet (domain-rules §3),
reading a bureau's one-cell indicator value ("≥95%"), and the coverage arithmetic (§13).

Everything here works on plain values and the region's configuration passed in as arguments — no
ORM — so each rule is tested against hand-worked examples."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: runs of white space, removed wherever people's typing is compared or read
_SPACES = re.compile(r"\s+")

#: The most indicators one sheet holds: the import refuses more, the service too, and the page
#: editor must take that many (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS is derived from it).
MAX_INDICATORS = 200
#: The inputs of one indicator row of the page editor (targets/_indicator_row.html), each sent once per
#: row (``name="level1"`` repeated), and the editor form's own inputs besides the rows.
EDITOR_ROW_FIELDS = ("level1", "level2", "name", "operator", "value", "unit", "weight", "scoring_standard",
                     "value_basis", "explanation", "template")
EDITOR_FORM_FIELDS = ("csrfmiddlewaretoken", "version")


def editor_field_count(rows: int) -> int:
    """The form fields a browser sends when the indicator editor holds ``rows`` rows."""
    return rows * len(EDITOR_ROW_FIELDS) + len(EDITOR_FORM_FIELDS)


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

#: Comparison signs after NFKC (which folds ＞＝＜, ﹦, full-width digits and ％): the look-alikes NFKC
#: keeps apart, then the two-character spellings, onto the five signs split_value_cell reads.
_SIGN_FOLD = (("═", "="), ("⩾", "≥"), ("⩽", "≤"), ("≧", "≥"), ("≦", "≤"), ("≮", "≥"), ("≯", "≤"),
              ("≥=", "≥"), ("≤=", "≤"), (">=", "≥"), ("<=", "≤"), ("=>", "≥"), ("=<", "≤"), ("==", "="))
#: Words for a comparison, longest first (不少于 before 少于).
_WORD_OPERATORS = sorted({
    "大于等于": "ge", "大于或等于": "ge", "不少于": "ge", "不低于": "ge", "不小于": "ge", "不得低于": "ge",
    "不得少于": "ge", "至少": "ge", "达到": "ge", "≥": "ge",
    "小于等于": "le", "小于或等于": "le", "不超过": "le", "不高于": "le", "不大于": "le", "不多于": "le",
    "不得超过": "le", "不得高于": "le", "控制在": "le", "最多": "le", "≤": "le",
    "大于": "gt", "超过": "gt", "高于": "gt", "多于": "gt", ">": "gt",
    "小于": "lt", "低于": "lt", "少于": "lt", "<": "lt",
    "等于": "eq", "=": "eq",
}.items(), key=lambda kv: len(kv[0]), reverse=True)
#: A trailing "以上" / "以下" turns a plain number into a bound ("2次以上" → ≥ 2 次).
_SUFFIX_OPERATORS = (("及以上", "ge"), ("以上", "ge"), ("及以下", "le"), ("以下", "le"), ("以内", "le"))
#: A deadline ("11月底完成", "2026年12月底前", "6月30日前", "2026年") is a 时效 value, not a number.
_TIME = re.compile(r"^(\d{4}年(\d{1,2}月)?|\d{1,2}月(底|末|上旬|中旬|下旬|初|\d{1,2}日|份))")
#: Unit spellings folded onto one (the form's 计量单位 and a value's trailing unit compare equal).
UNIT_SYNONYMS = {
    "百分比": "%", "百分率": "%", "百分数": "%", "％": "%", "千分比": "‰",
    "㎡": "平方米", "m²": "平方米", "m2": "平方米", "平米": "平方米", "平方": "平方米",
    "m³": "立方米", "m3": "立方米",
    "km": "公里", "千米": "公里", "kg": "千克", "公斤": "千克", "t": "吨",
    "h": "小时", "个小时": "小时", "日": "天", "个工作日": "工作日", "人/次": "人次",
}


#: The units a value cell may carry after its number (domain-rules §2: name, operator, value, *unit*): the
#: counting words, measures and money of county target tables and of the national templates
#: (``library/data/templates.py``; a test reads every template's unit back). A value is numeric only when
#: the whole text is sign + number + such a unit — "5G网络覆盖率" is not 5 of "G网络覆盖率".
UNIT_WORDS = (
    "%", "‰", "个百分点", "百分点", "倍", "分", "级", "星",
    "个", "人", "名", "位", "户", "家", "所", "校", "村", "镇", "乡", "乡镇", "社区", "项", "件", "份", "本", "册",
    "套", "台", "辆", "艘", "架", "部", "张", "幅", "篇", "场", "场次", "期", "批", "次", "轮", "届", "课时", "学时",
    "节", "门", "班", "组", "支", "队", "座", "栋", "幢", "间", "层", "处", "条", "段", "根", "棵", "株", "头", "只",
    "羽", "尾", "匹", "眼", "口", "块", "片", "宗", "笔", "单", "例", "起", "颗", "盏", "种", "类", "床", "床位",
    "生", "人次", "户次", "车次", "架次", "台次", "项次", "个次", "人天", "人日", "人月", "人年",
    "天", "日", "工作日", "小时", "分钟", "秒", "周", "个月", "月", "季度", "年", "年度", "周岁", "岁",
    "元", "千元", "万元", "亿元",
    "米", "厘米", "毫米", "公里", "千米", "平方米", "平方公里", "平方千米", "立方米", "立方", "方", "亩", "标准亩",
    "公顷", "吨", "千克", "公斤", "斤", "克", "毫克", "微克", "升", "毫升", "千瓦", "千瓦时", "度", "兆瓦", "分贝",
    "km", "kg", "mg", "m", "cm", "mm", "t", "h", "kw", "kwh", "mw", "db", "l", "ml", "mb", "gb", "tb", "mbps",
)
_UNIT_PREFIX = r"(?:十万|百万|千万|十|百|千|万|亿)?"
_UNIT_BASE = "|".join(sorted(map(re.escape, UNIT_WORDS), key=len, reverse=True))
_UNIT_TERM = rf"{_UNIT_PREFIX}(?:{_UNIT_BASE})(?:\((?:{_UNIT_BASE})\))?"
#: term(·term)* (/ term-or-count (·term)*)* — "元/人·年", "万元/公里", "台(套)", "/10万", "微克/立方米"
_KNOWN_UNIT = re.compile(rf"^(?:{_UNIT_TERM}(?:·{_UNIT_TERM})*)?"
                         rf"(?:/(?:\d+{_UNIT_PREFIX}(?:{_UNIT_BASE})?|{_UNIT_TERM})(?:·{_UNIT_TERM})*)*$", re.IGNORECASE)
#: punctuation of a sentence: a text that opens with a number and goes on like this is a description
_SENTENCE = re.compile(r"[，,。；;、：:！!？?]")


@functools.lru_cache(maxsize=8192)  # pure, and a file repeats its units and values
def is_known_unit(unit: str) -> bool:
    """Whether ``unit`` (after NFKC) is a unit of :data:`UNIT_WORDS`, alone or compounded ("元/人·年")."""
    return bool(_KNOWN_UNIT.match(unit.replace("・", "·").replace("•", "·")))


@dataclass(frozen=True)
class ValueReading:
    """What one value cell says: the operator, the value as text, the unit, and — when the cell looks
    numeric but no number can be read from it — an ``error`` in Chinese (never guessed as 定性)."""

    operator: str
    value: str
    unit: str
    error: str = ""
    time: bool = False  # a deadline (时效): stored as 定性 with the text as written


@functools.lru_cache(maxsize=8192)  # pure, and a file repeats its units and values
def normalise_unit(unit: str) -> str:
    """One spelling per unit: "百分比" → "%", "㎡" → "平方米"; anything else as written, without spaces."""
    u = unicodedata.normalize("NFKC", unit or "").strip()
    u = _SPACES.sub("", u)
    return UNIT_SYNONYMS.get(u, UNIT_SYNONYMS.get(u.lower(), u))


@functools.lru_cache(maxsize=8192)  # pure, and a file repeats its units and values
def is_time_value(text: str) -> bool:
    """A deadline rather than a quantity: "11月底完成", "2026年12月底前", "6月30日前完成"."""
    s = _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))
    s = re.sub(r"^(不晚于|不迟于|截至|截止|于|在)", "", s)
    return bool(_TIME.match(s))


@functools.lru_cache(maxsize=8192)  # pure, and a file repeats its units and values
def read_value_cell(text: str) -> ValueReading:
    """(operator, value, unit) from one cell as bureaus write it, every common spelling of the sign:
    "≥95%", "≧20000亩", "═100%", "﹦1", "＞＝ 90 %", "≥= 3", "不少于2次", "达到 100 %", "2次以上",
    "100%" (=), "明显提升" / "定性：逐步改善" (定性), "11月底完成" (a time, 定性). A sign or word of
    comparison followed by something that is not a number ("≥较上年提高", "≥9O%") is an ``error``, and so
    is a number followed by what is not a known unit (:func:`is_known_unit`: "5G网络覆盖率" is neither 5 of
    "G网络覆盖率" nor silently 定性); a sentence that opens with a number ("5个乡镇全覆盖，群众满意") is 定性."""
    raw = (text or "").strip()
    if not raw:
        return ValueReading(QUALITATIVE, "", "")
    s = unicodedata.normalize("NFKC", raw.replace("㎡", "平方米").replace("m²", "平方米").replace("㎥", "立方米")
                              .replace("m³", "立方米"))
    if s.startswith("定性"):
        return ValueReading(QUALITATIVE, s[2:].lstrip("：:").strip(), "")
    squeezed = _SPACES.sub("", s)
    for a, b in _SIGN_FOLD:
        squeezed = squeezed.replace(a, b)
    if is_time_value(squeezed):
        return ValueReading(QUALITATIVE, raw, "", time=True)
    operator = None
    for word, op in _WORD_OPERATORS:
        if squeezed.startswith(word):
            operator, rest = op, squeezed[len(word):]
            break
    if operator is None:
        match = _NUMBER.match(squeezed)
        if not match:
            return ValueReading(QUALITATIVE, raw, "")
        rest = squeezed
    match = _NUMBER.match(rest)
    if not match:
        if (operator is not None and not re.search(r"\d", rest) and len(rest) > 1 and squeezed[0] not in "≥≤<>="
                and not re.match(r"[A-Za-z]|[零一二两三四五六七八九十百千万]+[个次项人天家户所座件名%]", rest)):
            # a word such as 达到/高于 opening a sentence ("达到国家标准", "高于全省平均水平")
            return ValueReading(QUALITATIVE, raw, "")
        return ValueReading(operator or QUALITATIVE, rest, "", error=f"指标值“{raw}”写了比较符号，但后面不是可读的数字")
    number = match.group(0).replace(",", "")
    unit = rest[match.end():]
    for suffix, op in _SUFFIX_OPERATORS:
        if unit.endswith(suffix) and operator is None:
            operator, unit = op, unit[: -len(suffix)]
            break
    per_count = is_known_unit(unit)  # "/10万": a rate per 100,000
    numeric_tail = (re.search(r"\d", unit) and not re.search(r"[\u4e00-\u9fff]", re.sub(r"[至到]", "", unit))
                    and not per_count)
    odd_percent = re.search(r"[%‰]", unit) and unit not in ("%", "‰")
    if numeric_tail or odd_percent or (operator is not None and not per_count
                                       and (re.search(r"\d", unit) or len(unit) > 8)):
        # "90-95%", "9O%", "≥3.5.1": numeric-looking, but not one number and a unit
        return ValueReading(operator or QUALITATIVE, rest, "", error=f"指标值“{raw}”无法读出一个数字和计量单位"
                                                                     f"（区间或笔误请改为一个目标值）")
    if operator is None and not per_count and (re.search(r"\d", unit) or len(unit) > 8 or _SENTENCE.search(unit)):
        return ValueReading(QUALITATIVE, raw, "")  # a sentence that opens with a number
    if unit and not is_known_unit(unit) and not is_known_unit(normalise_unit(unit)):
        # "5G网络覆盖率", "≥3年内完成": a number, then no unit anyone writes — never guessed either way
        return ValueReading(operator or QUALITATIVE, rest, "", error=(
            f"指标值“{raw}”无法读出：“{unit}”不是可识别的计量单位，数值目标请写成“数字＋计量单位”（如 ≥95%、≥2栋）"
            + ("" if operator else f"，文字目标请写成“定性：{raw}”")))
    return ValueReading(operator or "eq", number, normalise_unit(unit))


def read_operator(text: str) -> str | None:
    """The operator a separate 运算符 cell names, in any spelling of :func:`read_value_cell`
    ("≧", "＞＝", "不少于", "定性"), else None."""
    s = _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))
    for a, b in _SIGN_FOLD:
        s = s.replace(a, b)
    if s == "定性":
        return QUALITATIVE
    return dict(_WORD_OPERATORS).get(s) or {"ge": "ge", "gt": "gt", "eq": "eq", "lt": "lt", "le": "le",
                                             "qualitative": QUALITATIVE}.get(s)


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
    """(operator, value, unit) of :func:`read_value_cell`, without its error (the quality check reports
    a numeric operator without a number)."""
    r = read_value_cell(text)
    return r.operator, r.value, r.unit


# --- the quality check ---------------------------------------------------------------------------

def _add(out: list[Finding], inp: CheckInput, code: str, row: int | None, message: str) -> None:
    severity = inp.severities.get(code, "warning")
    if severity != "off":
        out.append(Finding(code, severity, row, message))


def normalise_name(text: str) -> str:
    """A name or goal without its spaces, for comparing what people typed."""
    return _SPACES.sub("", text or "")


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """part ÷ whole as a percentage with two places (0 when the whole is 0)."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def check(inp: CheckInput) -> list[Finding]:
    """Every finding of domain-rules §3 on one sheet, in row order (sheet-level findings first):
    incomplete rows and level pairs outside the sheet's taxonomy; a level-1 kind missing; no 时效
    indicator; a numeric operator with a non-numeric value; too high a share of qualitative
    indicators (a deadline such as "11月底完成" is not counted as qualitative); weights not summing to the form's total; duplicate level-3 names; a target weaker
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
    qualitative = sum(1 for r in rows if r.operator == QUALITATIVE and not is_time_value(r.value))
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


# --- 新建目标表: why the 编报对象 list is empty (issue #10) -----------------------------------------------

@dataclass(frozen=True)
class EmptySubjects:
    """Why no project and no agency can take a new sheet, and what to do: ``reason`` one of
    ``no_agency`` / ``no_project`` / ``no_open_project`` / ``all_have_sheets``; ``action`` names the
    page the hint links to (``agencies``, ``new_project``, ``projects``, ``sheets``)."""

    reason: str
    text: str
    action: str


def empty_subjects(*, year: int, projects: int, open_projects: int, agencies: int, open_stages: Iterable[str],
                   may_create_project: bool) -> EmptySubjects:
    """The hint under an empty 编报对象 list. ``projects``: the user's projects of ``year``;
    ``open_projects``: those in a stage that takes a sheet (``open_stages``, their labels);
    ``agencies``: the active agencies whose whole-budget sheet the user could start (all of which
    have one when this is asked). A sheet needs a project or an agency, a project needs an agency:
    the first missing link is the reason."""
    if agencies == 0:
        return EmptySubjects("no_agency", "本区划还没有可编报的单位，项目和部门整体支出目标表都无从建立。"
                                          "请先在“组织机构”中建立单位（系统管理员或绩效股）。", "agencies")
    whole = "，单位的部门整体支出目标表也都已建立"
    if projects == 0:
        todo = f"请先在项目库新建 {year} 年的项目" if may_create_project else f"请单位填报人先在项目库新建 {year} 年的项目"
        return EmptySubjects("no_project", f"{year} 年还没有您可以编报绩效目标的项目{whole}。{todo}，或换一个年度。",
                             "new_project" if may_create_project else "projects")
    if open_projects == 0:
        return EmptySubjects(
            "no_open_project", f"{year} 年的 {projects} 个项目都已完结或终止，不能再编报目标表"
                               f"（可编报的阶段：{'、'.join(open_stages)}）{whole}。请在项目库核对项目阶段，或换一个年度。",
            "projects")
    return EmptySubjects(
        "all_have_sheets", f"{year} 年可编报的 {open_projects} 个项目都已有绩效目标表{whole}。"
                           "修改或年中调整请到目标表列表中打开该表。", "sheets")


# --- 四个同步: the budget amount is the approved sheet's annual amount (issue #9) ----------------------

def budget_amount_refusal(*, first: bool, sheet_number: int | None, sheet_amount: Decimal | None,
                          amount: Decimal) -> str | None:
    """Budgets and their targets are approved together (四个同步; 财预〔2018〕167号): a project's budget
    amount is the annual amount (年度资金总额) of its approved target sheet — when it is first set
    (``first``: 纳入预算, against the approved sheet of any version) and at every later change, which
    needs an approved in-year adjustment (version 2 or later) first. None when the amount agrees,
    else why not (amounts in 万元)."""
    from jixiao.core.money import format_wan  # at call time: settings read this module before Django is up

    if sheet_number is None or (not first and sheet_number == 1):
        if first:
            return "未设置经批复的绩效目标，不得纳入预算安排资金"
        return "调整项目预算须先调整绩效目标：请编报调整后的绩效目标表并经审核批复"
    if sheet_amount != amount:
        if first:
            return (f"已批复的绩效目标表年度资金为 {format_wan(sheet_amount)} 万元，与纳入预算的金额 "
                    f"{format_wan(amount)} 万元不一致：请按批复的绩效目标安排预算，或先调整绩效目标")
        return (f"已批复的调整后绩效目标表年度资金为 {format_wan(sheet_amount)} 万元，与调整后的预算 "
                f"{format_wan(amount)} 万元不一致，请先调整绩效目标")
    return None

# --- print order ----------------------------------------------------------------------------------

def print_order(indicators: list) -> list:
    """Indicators in the order the official forms print them: by the taxonomy's level 1 (产出 → 成本 →
    效益 → 满意度), then its level 2 (数量 → 质量 → 时效 → …), then as entered (``position``), so each
    level-1 and level-2 cell merges over one run (财预〔2021〕101号 附件 indicator frame). Items are
    mappings or objects with ``level1``, ``level2``, ``position``; codes the taxonomy lacks go last."""
    from jixiao.library.data.taxonomy import LEVEL1, LEVEL2

    l1 = {code: n for n, (code, _) in enumerate(LEVEL1)}
    l2 = {code: n for n, (code, _) in enumerate(LEVEL2)}

    def get(item, key):
        return item[key] if isinstance(item, Mapping) else getattr(item, key)

    return sorted(indicators, key=lambda i: (l1.get(get(i, "level1"), len(l1)), l2.get(get(i, "level2"), len(l2)),
                                             get(i, "position")))


# --- checking an imported form against what it is attached to -------------------------------------
#
# A real published target table names its project (or agency) by 项目名称 and 实施单位 rather than by
# our code, prints its money split and a 金额合计, and is sometimes filled in 元 under a 万元 header.
# The import matches and checks it with these rules; amounts are Decimal yuan.

#: A single amount read in 万元 at or above this is taken for an amount typed in 元 (the national
#: default of configuration ``target_import_checks``): 100 亿元 for one project's year or one task.
AMOUNT_MAX_WAN = Decimal("1000000")
#: A project sheet's amount at or above this multiple of the project's amount is taken for 元 (a 元
#: figure read as 万元 is 10,000 times too large; no real sheet is 1,000 times its project).
YUAN_RATIO = Decimal("1000")
_NAME_DROP = re.compile(r"[\s\"'“”‘’《》〈〉<>()\[\]【】{}·・、，,。.;；:：\-—_]")


def name_key(text: str) -> str:
    """A project or agency name as two spellings of it compare: no spaces, punctuation or brackets,
    full-width forms folded (ＡＢＣ → abc), case folded."""
    return _NAME_DROP.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def same_name(stated: str, actual: str) -> bool:
    """Whether a name written in a file names ``actual``: equal as ``name_key`` reads them, or one
    contains the other when the shorter has four characters or more ("2026年教学楼抗震加固改造项目" names
    "教学楼抗震加固改造项目"; "教学楼" alone does not)."""
    a, b = name_key(stated), name_key(actual)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and short in long_


@dataclass(frozen=True)
class Candidate:
    """A project (or agency) a code-less form could name: ``key`` is what the caller resolves it by."""

    key: object
    name: str
    unit: str = ""  # the project's agency's name ("" for an agency)
    year: int | None = None
    label: str = ""  # how the error lists it ("XM2026… 教学楼抗震加固改造项目（临朐县第一中学）")


@dataclass(frozen=True)
class NameMatch:
    found: tuple[Candidate, ...]  # what the name (and unit, and year on a tie) leave
    by_name: tuple[Candidate, ...]  # what the name alone matches


def match_by_name(name: str, unit: str, candidates: Iterable[Candidate], *, year: int | None = None) -> NameMatch:
    """The candidates a form's 项目名称 (and 实施单位) name. Names equal as ``name_key`` reads them win;
    failing any, ``same_name`` (one contains the other). A stated unit then keeps those of that unit;
    on a tie, those of the import's ``year``. One found is the match; more are ambiguous (the caller
    lists them); none with some ``by_name`` is a unit that is not the project's."""
    key = name_key(name)
    pool = list(candidates)
    by_name = [c for c in pool if name_key(c.name) == key] or [c for c in pool if same_name(name, c.name)]
    found = [c for c in by_name if same_name(unit, c.unit)] if unit else list(by_name)
    if len(found) > 1 and year is not None:
        this_year = [c for c in found if c.year == year]
        if this_year:
            found = this_year
    return NameMatch(tuple(found), tuple(by_name))


def split_amounts(total: Decimal | None, fiscal: Decimal | None, other: Decimal | None
                  ) -> tuple[tuple[Decimal, Decimal, Decimal] | None, str | None]:
    """(total, 财政拨款, 其他资金) from the cells a form fills, or (None, message) when they do not add
    up; (None, None) when all three are blank. A blank total is the sum of its parts; blank parts are
    what the total leaves (both blank: all 财政拨款, as a new sheet is)."""
    zero = Decimal("0")
    if total is None and fiscal is None and other is None:
        return None, None
    if total is None:
        return ((fiscal or zero) + (other or zero), fiscal or zero, other or zero), None
    if fiscal is None and other is None:
        return (total, total, zero), None
    if fiscal is None:
        fiscal = total - other
    elif other is None:
        other = total - fiscal
    if fiscal < 0 or other < 0 or fiscal + other != total:
        return None, (f"财政拨款 {_wan(fiscal if fiscal >= 0 else zero)} 万元与其他资金 "
                      f"{_wan(other if other >= 0 else zero)} 万元之和应等于资金总额 {_wan(total)} 万元")
    return (total, fiscal, other), None


def total_problem(printed: Decimal, parts: Iterable[Decimal], *, what: str = "各项任务") -> str | None:
    """A printed 金额合计 that its rows do not add up to."""
    total = sum(parts, Decimal("0"))
    if printed == total:
        return None
    return f"金额合计 {_wan(printed)} 万元与{what}之和 {_wan(total)} 万元不符"


def yuan_suspect(amount: Decimal, *, reference: Decimal | None = None, amount_max_wan: Decimal = AMOUNT_MAX_WAN,
                 ratio: Decimal = YUAN_RATIO) -> str | None:
    """Why ``amount`` (yuan, read from a 万元 cell) looks typed in 元, or None: it reaches
    ``amount_max_wan`` 万元, or ``ratio`` times ``reference`` (the project's amount)."""
    wan = amount / Decimal(10000)
    hint = f"疑似按“元”填写：本表金额单位为万元，按元计应填 {_wan(amount / Decimal(10000))} 万元"
    if wan >= amount_max_wan:
        return f"金额 {_wan(amount)} 万元达到 {_wan(amount_max_wan * 10000)} 万元以上，{hint}"
    if reference and reference > 0 and amount >= reference * ratio:
        times = (amount / reference).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return f"金额 {_wan(amount)} 万元是项目金额 {_wan(reference)} 万元的 {times:,} 倍，{hint}"
    return None


def amount_problem(amount: Decimal, references: Iterable[Decimal]) -> str | None:
    """A project sheet's 年度资金总额 that is none of the amounts it may be (the project's budget or
    requested amount, the stored sheet's amount); None when it is one of them or none is known."""
    refs = [r for r in references if r]
    if not refs or amount in refs:
        return None
    known = "或".join(f"{_wan(r)} 万元" for r in dict.fromkeys(refs))
    return f"年度资金总额 {_wan(amount)} 万元与项目的金额（{known}）不一致"


def _wan(amount: Decimal) -> str:
    """Yuan as the 万元 text of a message: grouped, two decimals ("2,373.96")."""
    return f"{(Decimal(amount) / Decimal(10000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
