"""Reading a target workbook (F5 import, the first half): the official layouts
(项目支出绩效目标申报表 / 部门整体支出绩效目标表, one object per worksheet, as ``exports.official_workbook``
writes them) and the flat list (one row per indicator, as ``exports.flat_workbook`` and the import
template write it), in any mix of worksheets — workbook in, :class:`ParsedSheet` plain rows out.

Self-contained: no database, no ORM, no writes. Every bad cell is reported to the
``ImportReport`` by sheet, row and column (in Chinese) and reading goes on, so one pass finds them
all. Resolving the parsed sheets against the database and writing them is ``targets.imports``
(the service ``import_sheets``) and ``targets.import_write``.

The flat reader's row loop runs a million times at province scale and is written for speed (see
``_read_flat``); anything unusual leaves the fast path for the full per-cell reader."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import chain

from jixiao.core.excel import (
    FormulaCell,
    ImportReport,
    as_text,
    column_letter,
    is_blank,
    open_workbook,
    parse_wan,
)
from jixiao.library.choices import OPERATOR_ALIASES, Level1, Level2, Operator, ValueBasis
from jixiao.targets import rules
from jixiao.targets.choices import TargetKind
from jixiao.targets.models import TargetIndicator

PROJECT_TITLE = "项目支出绩效目标申报表"
AGENCY_TITLE = "部门整体支出绩效目标表"
_HEADER_ROWS = 12  # a flat layout's header row sits within the first rows (a caption may sit above)

# --- reading what people type ------------------------------------------------------------------


def _squeeze(text: str) -> str:
    return (re.sub(r"\s+", "", text or "").replace("（", "(").replace("）", ")").replace("：", ":")
            .replace("*", ""))


_WEIGHT_BAND = re.compile(r"\(?\(\d+(\.\d+)?([-~—～至]\d+(\.\d+)?)?分?\)分?$")


def _level_key(text: str) -> str:
    """A level-1/2 cell as the lookup reads it: squeezed, a weight band dropped ("成本指标(0-20)分",
    "产出指标（50分）" → "成本指标", "产出指标")."""
    return _WEIGHT_BAND.sub("", _squeeze(text))


def _label_map(choices, *, strip_suffix: bool) -> dict[str, str]:
    out = {}
    for code, label in choices.choices:
        out[code] = code
        out[_squeeze(label)] = code
        if strip_suffix and label.endswith("指标"):
            out[_squeeze(label[:-2])] = code
    return out


LEVEL1_NAMES = _label_map(Level1, strip_suffix=True)
LEVEL2_NAMES = _label_map(Level2, strip_suffix=True)
LEVEL2_NAMES.setdefault("满意度", "beneficiary")
LEVEL2_NAMES.setdefault("满意度指标", "beneficiary")
LEVEL2_NAMES.setdefault("生态成本", "ecological_cost")
LEVEL2_NAMES.setdefault("生态成本指标", "ecological_cost")
OPERATOR_NAMES = {**{k: str(v) for k, v in OPERATOR_ALIASES.items()},
                  **{code: code for code in Operator.values}, **{label: code for code, label in Operator.choices}}
BASIS_NAMES = {**{code: code for code in ValueBasis.values}, **{label: code for code, label in ValueBasis.choices}}
OPERATOR_LABELS = dict(Operator.choices)
KIND_NAMES = {"项目": TargetKind.PROJECT, "政策": TargetKind.POLICY, "部门整体": TargetKind.AGENCY,
              "部门": TargetKind.AGENCY, "单位": TargetKind.AGENCY, "单位整体": TargetKind.AGENCY,
              **{code: code for code in TargetKind.values}}
LENGTHS = {f: TargetIndicator._meta.get_field(f).max_length for f in ("name", "value", "unit")}
LEVEL1_LABELS = dict(Level1.choices)
LEVEL2_LABELS = dict(Level2.choices)


@lru_cache(maxsize=65536)
def _split(text: str) -> tuple[str, str, str]:
    return rules.split_value_cell(text)


@lru_cache(maxsize=65536)
def _reads_as_text(text: str) -> bool:
    """Whether a cell holding ``text`` reads back as that qualitative text (not a number, not an error)."""
    reading = rules.read_value_cell(text)
    return reading.operator == rules.QUALITATIVE and not reading.error


def read_value(text: str, op_text: str = "", unit_text: str = "") -> tuple[tuple | None, list]:
    """((operator, value, unit, number), []) from the 指标值 cell and, when the form has them, the
    运算符 and 计量单位 cells; (None, [(column key, message, header), …]) when they cannot be read: an
    unknown operator, a numeric-looking value with no readable number, a value's unit that is not the
    unit column's ("95%" under 计量单位 “个”), a value or unit too long. Spellings are
    ``rules.read_value_cell``'s; units are folded by ``rules.normalise_unit``."""
    errors = []
    operator = None
    if op_text:
        operator = rules.read_operator(op_text)
        if operator is None:
            errors.append(("operator", f"运算符“{op_text}”无效，应为：≥、＞、=、＜、≤ 或 定性", "运算符"))
    column_unit = rules.normalise_unit(unit_text)
    if operator == rules.QUALITATIVE:
        reading = rules.ValueReading(rules.QUALITATIVE, text, "")
    else:
        reading = rules.read_value_cell(text)
        if reading.error:
            errors.append(("value", reading.error, "指标值"))
    value, unit = reading.value, reading.unit
    if operator is None:
        operator = reading.operator
    elif reading.operator not in (operator, "eq", rules.QUALITATIVE):
        errors.append(("value", f"指标值“{text}”的比较符号与运算符“{op_text}”不一致", "指标值"))
    elif reading.operator == rules.QUALITATIVE and operator in rules.NUMERIC_OPERATORS and not reading.time:
        value, unit = text, ""  # the quality check reports a numeric operator without a number
    if column_unit and operator in rules.NUMERIC_OPERATORS:
        if unit and unit != column_unit:
            errors.append(("unit", f"指标值“{text}”的单位“{unit}”与计量单位“{unit_text}”不一致", "计量单位"))
        unit = column_unit
    if len(value) > LENGTHS["value"]:
        errors.append(("value", f"内容过长（{len(value)} 字，最多 {LENGTHS['value']} 字）", "指标值"))
    if len(unit) > LENGTHS["unit"]:
        errors.append(("unit", f"计量单位最多 {LENGTHS['unit']} 个字", "计量单位"))
    number = rules.parse_number(value) if operator in rules.NUMERIC_OPERATORS else None
    if number is not None and abs(number) >= Decimal("1e16"):
        errors.append(("value", "指标值过大", "指标值"))
    if errors:
        return None, errors
    return (operator, value, unit, number), []


def canonical_value(operator: str, value: str, unit: str) -> tuple[str, str, str]:
    """The indicator value as one cell would read back: "≥95%" and (ge, "95", "%") compare equal."""
    if operator == Operator.QUALITATIVE:
        return _split(value) if _reads_as_text(value) else (operator, value, "")
    return _split(f"{OPERATOR_LABELS.get(operator, operator)}{value}{unit}")


def display_value(operator: str, value: str, unit: str) -> str:
    """One cell as bureaus write it ("≥95%", "≤120万元", "明显提升"); a qualitative text that would read
    back as a number, or not at all ("5G网络覆盖率"), gets the explicit "定性：" prefix so a round trip
    keeps it qualitative."""
    if operator == Operator.QUALITATIVE:
        return value if _reads_as_text(value) else f"定性：{value}"
    if operator == Operator.EQ and _split(f"{value}{unit}") == (operator, value, unit):
        return f"{value}{unit}"  # "100%", never "=100%" (a spreadsheet would take it for a formula)
    return f"{OPERATOR_LABELS.get(operator, operator)}{value}{unit}"


def _weight(text) -> tuple[Decimal | None, str | None]:
    if is_blank(text):
        return None, None
    s = as_text(text).replace("分", "").strip()
    try:
        w = Decimal(s)
    except InvalidOperation:
        return None, f"分值“{as_text(text)}”不是数字"
    if not w.is_finite() or w < 0 or w >= 10000:
        return None, "分值应为 0—9999 之间的数字"
    return w.quantize(Decimal("0.01")), None


def _int(value) -> int | None:
    text = as_text(value)
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return int(d) if d == d.to_integral_value() else None


# --- what a worksheet says --------------------------------------------------------------------


@dataclass
class ParsedSheet:
    """One target sheet as the file states it, before it is resolved against the database."""

    worksheet: str
    row: int  # where the key is (for errors on the sheet as a whole)
    key_column: str
    kind: str  # "project" (project or policy) or "agency"
    code: str
    year: int
    number: int
    layout: str  # "flat" or "official"
    header: dict = field(default_factory=dict)  # the header fields the file carries
    indicators: list = field(default_factory=list)  # dicts of indicator fields
    carried: frozenset = frozenset()  # indicator fields the layout carries
    tasks: list | None = None
    agency_code: str = ""  # the 单位编码 a project row (or the 实施单位 cell) names (checked against the project's)
    agency_cell: tuple = ()  # (row, column) of that cell
    bad: bool = False
    #: what the file says the sheet is for, checked against the project or agency it resolves to:
    #: 项目名称 (or 部门名称) and 实施单位 (a project's); a form without a code is matched by them
    name: str = ""
    unit: str = ""
    #: (row, column letter) of the cells the resolution reports on: "name", "unit", "amount"
    cells: dict = field(default_factory=dict)


#: the cells of an indicator row besides its levels and name, with the headers a message names
_DETAIL_CELLS = (("value", "指标值"), ("operator", "运算符"), ("unit", "计量单位"), ("weight", "分值"),
                 ("scoring_standard", "评分标准"), ("explanation", "指标解释"), ("value_basis", "指标值确定依据"))


_TOTAL_LABELS = frozenset({"合计", "总计", "小计", "分值合计", "总分"})


def no_indicator(cells: dict) -> bool:
    """A row that states no indicator, skipped in both layouts: 三级指标 and every other indicator cell
    blank — an empty row between indicators, or a row naming only a 一级/二级指标 (a heading, or the
    merged level cells of rows above; its levels carry down) — or a total row (合计 / 小计 … in a level or
    name cell, whatever weight it sums). A row with no 三级指标 but anything else filled (指标值, 分值,
    评分标准 …) is not skipped: ``_Indicators.read`` reports it."""
    if any(_squeeze(as_text(cells.get(k))) in _TOTAL_LABELS for k in ("level1", "level2", "name")):
        return True
    return is_blank(cells.get("name")) and all(is_blank(cells.get(k)) for k, _ in _DETAIL_CELLS)


class _Indicators:
    """Per-cell reading of indicator rows, shared by both layouts."""

    def __init__(self, report: ImportReport, worksheet: str):
        self.report = report
        self.worksheet = worksheet

    def err(self, row: int, column: str | None, message: str, header: str = "") -> None:
        self.report.add(self.worksheet, row, column, message, header)

    def read(self, row: int, cells: dict, letters: dict) -> dict | None:
        """``cells``: key → raw value (level1, level2, name, value, [operator, unit], weight, …). A formula
        cell with no value to read (``core.excel.FormulaCell``) is reported as such, never as blank."""
        ok = True
        formulas = {k for k, v in cells.items() if v.__class__ is FormulaCell}
        for k in formulas:
            self.err(row, letters.get(k), cells[k].message(), FLAT_HEADERS.get(k, ""))
            ok = False
        if formulas:
            cells = {k: (None if k in formulas else v) for k, v in cells.items()}
        level1 = LEVEL1_NAMES.get(_level_key(as_text(cells.get("level1"))))
        if level1 is None and "level1" not in formulas:
            raw = as_text(cells.get("level1"))
            self.err(row, letters.get("level1"), "必填，不能为空" if not raw else
                     f"一级指标“{raw}”无效，应为：{'、'.join(LEVEL1_LABELS.values())}", "一级指标")
            ok = False
        level2 = LEVEL2_NAMES.get(_level_key(as_text(cells.get("level2"))))
        if level2 is None and "level2" not in formulas:
            raw = as_text(cells.get("level2"))
            self.err(row, letters.get("level2"), "必填，不能为空" if not raw else f"二级指标“{raw}”无效", "二级指标")
            ok = False
        name = as_text(cells.get("name"))
        if "name" in formulas:
            pass
        elif not name:
            filled = [label for k, label in _DETAIL_CELLS if not is_blank(cells.get(k))]
            self.err(row, letters.get("name"), f"三级指标为空，但本行填写了{'、'.join(filled)}：请填写三级指标名称，"
                     "或删除本行" if filled else "必填，不能为空", "三级指标")
            ok = False
        elif len(name) > LENGTHS["name"]:
            self.err(row, letters.get("name"), f"内容过长（{len(name)} 字，最多 {LENGTHS['name']} 字）", "三级指标")
            ok = False
        raw_value = as_text(cells.get("value"))
        operator = value = unit = number = None
        if formulas & {"value", "operator", "unit"}:
            pass
        elif not raw_value:
            self.err(row, letters.get("value"), "必填，不能为空", "指标值")
            ok = False
        else:
            hit, errors = read_value(raw_value, as_text(cells.get("operator")), as_text(cells.get("unit")))
            for key, message, header in errors:
                self.err(row, letters.get(key, letters.get("value")), message, header)
                ok = False
            if hit is not None:
                operator, value, unit, number = hit
        weight, error = _weight(cells.get("weight"))
        if error:
            self.err(row, letters.get("weight"), error, "分值")
            ok = False
        basis = BASIS_NAMES.get(as_text(cells.get("value_basis")) or "plan")
        if basis is None:
            self.err(row, letters.get("value_basis"),
                     f"“{as_text(cells.get('value_basis'))}”不是有效选项，应为：{'、'.join(ValueBasis.labels)}",
                     "指标值确定依据")
            ok = False
        if not ok:
            return None
        return {"level1": level1, "level2": level2, "name": name, "operator": operator, "value": value,
                "unit": unit, "number": number, "weight": weight,
                "scoring_standard": as_text(cells.get("scoring_standard")),
                "explanation": as_text(cells.get("explanation")), "value_basis": basis,
                "_row": row, "_letters": letters}


# --- the flat layout ---------------------------------------------------------------------------

FLAT_COLUMNS = {
    # key: (header, accepted spellings)
    "kind": ("对象类型", ("对象类型", "类型", "目标类型")),
    "project": ("项目编码", ("项目编码", "项目代码")),
    "agency": ("单位编码", ("单位编码", "单位代码", "部门编码", "部门代码")),
    "title": ("名称", ("名称", "项目名称", "项目（单位）名称")),
    "year": ("年度", ("年度", "预算年度")),
    "number": ("版本号", ("版本号", "版本")),
    "annual_goal": ("年度目标", ("年度目标", "年度总体目标")),
    "position": ("序号", ("序号",)),
    "level1": ("一级指标", ("一级指标",)),
    "level2": ("二级指标", ("二级指标",)),
    "name": ("三级指标", ("三级指标", "三级指标名称")),
    "operator": ("运算符", ("运算符", "指标值运算符")),
    "value": ("指标值", ("指标值", "目标值", "年度指标值")),
    "unit": ("计量单位", ("计量单位", "度量单位", "单位")),
    "weight": ("分值", ("分值", "权重")),
    "scoring_standard": ("评分标准", ("评分标准", "评(扣)分标准", "评扣分标准", "扣分标准")),
    "explanation": ("指标解释", ("指标解释",)),
    "value_basis": ("指标值确定依据", ("指标值确定依据", "确定依据")),
}
FLAT_HEADERS = {key: header for key, (header, _) in FLAT_COLUMNS.items()}
#: read, checked, never written: a project row's 实施单位 (or an agency row's name)
_FLAT_EXTRA = {"agency_name": ("单位名称", "部门名称", "实施单位", "实施单位名称", "部门（单位）名称")}
_FLAT_LOOKUP = {_squeeze(name): key for key, (_, names) in FLAT_COLUMNS.items() for name in names}
_FLAT_LOOKUP.update({_squeeze(name): key for key, names in _FLAT_EXTRA.items() for name in names})
FLAT_CARRIED = frozenset({"level1", "level2", "name", "operator", "value", "unit", "number", "weight",
                          "scoring_standard", "explanation", "value_basis"})
#: indicator fields a worksheet carries only when it has their column (both layouts): an update takes
#: the file's 评分标准 / 指标解释 / 指标值确定依据 where it has the column, and keeps the stored ones where not
OPTIONAL_CARRIED = frozenset({"scoring_standard", "explanation", "value_basis"})


def carried_by(base: frozenset, columns) -> frozenset:
    """The indicator fields a worksheet with these column keys carries."""
    return (base - OPTIONAL_CARRIED) | (OPTIONAL_CARRIED & set(columns))
_CARRY_DOWN = ("kind", "project", "agency", "year", "number")


def _flat_header(raw: list) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for i, cell in enumerate(raw):
        if isinstance(cell, str):
            key = _FLAT_LOOKUP.get(_squeeze(cell))
            # "单位" alone is the unit column only when a 单位编码 is not what was meant
            if key is not None and key not in found:
                found[key] = i
    if "name" in found and "value" in found and ("project" in found or "agency" in found):
        return found
    return None


def _text(v) -> str:
    if v.__class__ is str:
        return v.strip()
    return "" if v is None else as_text(v)


class _FastRows:
    """Caches from a raw cell to what it reads as, for the cells that repeat down a province file
    (level names, value cells, weights, codes): each distinct spelling is read once. A miss or a
    bad cell goes to ``_Indicators.read``, which reports it."""

    def __init__(self):
        self.level1: dict = {}
        self.level2: dict = {}
        self.value: dict = {}
        self.weight: dict = {None: None, "": None}
        self.basis: dict = {None: "plan", "": "plan"}
        self.ints: dict = {}

    def level(self, cache: dict, names: dict, raw):
        code = cache.get(raw)
        if code is None:
            code = names.get(_level_key(_text(raw)))
            if code is not None:
                cache[raw] = code
        return code

    def value_of(self, raw_value, raw_operator, raw_unit):
        key = (raw_value, raw_operator, raw_unit)
        hit = self.value.get(key)
        if hit is None:
            text = _text(raw_value)
            if not text:
                return None
            hit, errors = read_value(text, _text(raw_operator), _text(raw_unit))
            if errors:
                return None
            self.value[key] = hit
        return hit

    def weight_of(self, raw):
        try:
            return self.weight[raw], True
        except KeyError:
            w, error = _weight(raw)
            if error:
                return None, False
            self.weight[raw] = w
            return w, True

    def int_of(self, raw):
        try:
            return self.ints[raw]
        except KeyError:
            n = self.ints[raw] = _int(raw)
            return n


_INDICATOR_KEYS = ("level1", "level2", "name", "value", "operator", "unit", "weight", "scoring_standard",
                   "explanation", "value_basis")
#: The flat columns in the order the row loop unpacks them.
_FLAT_ORDER = ("kind", "project", "agency", "year", "number", "annual_goal", "title", "agency_name", *_INDICATOR_KEYS)


def _read_flat(rows, worksheet: str, index: dict[str, int], number: int, first_col: int, year: int,
               report: ImportReport, out: dict) -> None:
    """The rows of a flat worksheet into ``out`` (one ParsedSheet per key). This loop runs a million
    times at province scale, so it is written for speed: one C-level ``itemgetter`` per row, the key
    resolved once per run of rows of the same sheet, every repeated cell read from a cache — and
    anything unusual handed to ``_Indicators.read``, which reports it."""
    from operator import itemgetter

    letters = {key: column_letter(first_col + i) for key, i in index.items()}
    reader = _Indicators(report, worksheet)
    fast = _FastRows()
    width = max(index.values()) + 1
    pad = [None] * (width + 1)
    getter = itemgetter(*[index.get(k, -1) for k in _FLAT_ORDER])  # -1: the None appended to each row
    has_goal = "annual_goal" in index
    l1_cache, l2_cache, value_cache = fast.level1, fast.level2, fast.value
    weight_cache, basis_cache = fast.weight, fast.basis
    name_max = LENGTHS["name"]
    carried = (None, None, None, None, None)  # kind, project, agency, year, number as last resolved
    last_raw = None
    last_l1 = last_l2 = None
    parsed = None
    for raw in rows:
        number += 1
        formula_row = raw.__class__ is not list  # core.excel.FormulaRow: a formula with no value to read
        if len(raw) < width:
            raw = [*raw, *pad[:width - len(raw)]]
        raw.append(None)
        vals = getter(raw)
        if formula_row and any(v.__class__ is FormulaCell for v in vals):
            for key, v in zip(_FLAT_ORDER, vals, strict=True):
                if v.__class__ is FormulaCell:
                    reader.err(number, letters.get(key), v.message(), FLAT_HEADERS[key])
            if parsed is not None:
                parsed.bad = True
            continue
        if not any(vals) and 0 not in vals:
            continue
        (kind_raw, project_raw, agency_raw, year_raw, number_raw, goal_raw, title_raw, unit_name_raw, l1_raw,
         l2_raw, name_raw, value_raw, op_raw, unit_raw, weight_raw, ss_raw, ex_raw, vb_raw) = vals
        key_raw = (kind_raw, project_raw, agency_raw, year_raw, number_raw)
        if parsed is None or (key_raw != last_raw and any(key_raw)):
            if all(_text(v) == "" for v in vals):
                continue
            parsed = _flat_key(reader, fast, letters, year, key_raw, carried, number, worksheet, has_goal, out)
            if parsed is not None:
                _flat_names(parsed[0], title_raw, unit_name_raw, number, letters)
            last_raw = key_raw
            last_l1 = last_l2 = None
            if parsed is None:
                continue
            carried = parsed[1]
            parsed = parsed[0]
        if has_goal and goal_raw and not parsed.header["annual_goal"]:
            parsed.header["annual_goal"] = _text(goal_raw)
        if l1_raw:
            last_l1 = l1_raw
        else:
            l1_raw = last_l1
        if l2_raw:
            last_l2 = l2_raw
        else:
            l2_raw = last_l2
        # the fast path: every cell read from the caches
        level1 = l1_cache.get(l1_raw)
        if level1 is None and l1_raw is not None:
            level1 = fast.level(l1_cache, LEVEL1_NAMES, l1_raw)
        level2 = l2_cache.get(l2_raw)
        if level2 is None and l2_raw is not None:
            level2 = fast.level(l2_cache, LEVEL2_NAMES, l2_raw)
        name = name_raw.strip() if name_raw.__class__ is str else _text(name_raw)
        value = value_cache.get((value_raw, op_raw, unit_raw))
        if value is None:
            value = fast.value_of(value_raw, op_raw, unit_raw)
        if weight_raw in weight_cache:
            weight, weight_ok = weight_cache[weight_raw], True
        else:
            weight, weight_ok = fast.weight_of(weight_raw)
        basis = basis_cache.get(vb_raw)
        if basis is None:
            basis = BASIS_NAMES.get(_text(vb_raw))
            if basis is not None:
                basis_cache[vb_raw] = basis
        if (level1 is None or level2 is None or not name or len(name) > name_max or value is None
                or not weight_ok or basis is None):
            if all(_text(v) == "" for v in vals):
                continue
            cells = dict(zip(_FLAT_ORDER, vals, strict=True))
            cells["level1"], cells["level2"] = l1_raw, l2_raw
            if no_indicator(cells):
                continue
            indicator = reader.read(number, cells, letters)
            if indicator is None:
                parsed.bad = True
                continue
        else:
            indicator = {"level1": level1, "level2": level2, "name": name, "operator": value[0], "value": value[1],
                         "unit": value[2], "number": value[3], "weight": weight,
                         "scoring_standard": _text(ss_raw) if ss_raw else "",
                         "explanation": _text(ex_raw) if ex_raw else "",
                         "value_basis": basis, "_row": number, "_letters": letters}
        parsed.indicators.append(indicator)


def _flat_names(parsed: ParsedSheet, title_raw, unit_raw, number: int, letters: dict) -> None:
    """The 名称 and 单位名称 a flat sheet's first row states (checked against the project or agency)."""
    title, unit = _text(title_raw), _text(unit_raw)
    if parsed.kind == "agency" and not title:
        title, unit, key = unit, "", "agency_name"
    else:
        key = "title"
    if title and not parsed.name:
        parsed.name, parsed.cells["name"] = title, (number, letters.get(key))
    if unit and parsed.kind == "project" and not parsed.unit:
        parsed.unit, parsed.cells["unit"] = unit, (number, letters.get("agency_name"))


def _flat_key(reader, fast, letters, year, key_raw, carried, number, worksheet, has_goal, out):
    """(ParsedSheet, resolved key cells) for the row's key cells, or None after reporting them.
    Merged cells (or what people leave blank under a merged-looking block) carry down: all key
    cells under blank codes, the rest when the codes repeat the row above."""
    kind_raw, project_raw, agency_raw, year_raw, number_raw = (v if _text(v) else None for v in key_raw)
    if project_raw is None and agency_raw is None:
        kind_raw = kind_raw if kind_raw is not None else carried[0]
        project_raw, agency_raw = carried[1], carried[2]
        year_raw = year_raw if year_raw is not None else carried[3]
        number_raw = number_raw if number_raw is not None else carried[4]
    elif project_raw == carried[1] and agency_raw == carried[2]:
        kind_raw = kind_raw if kind_raw is not None else carried[0]
        year_raw = year_raw if year_raw is not None else carried[3]
        number_raw = number_raw if number_raw is not None else carried[4]
    resolved = (kind_raw, project_raw, agency_raw, year_raw, number_raw)
    kind = None
    if kind_raw is not None:
        kind = KIND_NAMES.get(_text(kind_raw))
        if not kind:
            reader.err(number, letters.get("kind"), f"对象类型“{_text(kind_raw)}”无效，应为：项目、政策 或 部门整体",
                       FLAT_HEADERS["kind"])
            return None
    project_code = _text(project_raw)
    agency_code = _text(agency_raw)
    if kind == TargetKind.AGENCY or (kind is None and not project_code):
        kind, code, key_col = "agency", agency_code, "agency"
    else:
        kind, code, key_col = "project", project_code, "project"
    if not code:
        reader.err(number, letters.get(key_col) or letters.get("project") or letters.get("agency"),
                   "必填，不能为空（项目填项目编码，部门整体填单位编码）", FLAT_HEADERS[key_col])
        return None
    if year_raw is not None and fast.int_of(year_raw) != year:
        reader.err(number, letters.get("year"), f"年度应为 {year}（本次导入的年度），收到“{_text(year_raw)}”",
                   FLAT_HEADERS["year"])
        return None
    version = 1
    if number_raw is not None:
        version = fast.int_of(number_raw)
        if version is None or version < 1:
            reader.err(number, letters.get("number"), f"版本号应为正整数，收到“{_text(number_raw)}”",
                       FLAT_HEADERS["number"])
            return None
    key = (kind, code, year, version)
    parsed = out.get(key)
    if parsed is None:
        parsed = out[key] = ParsedSheet(worksheet, number, letters[key_col], kind, code, year, version, "flat",
                                        carried=carried_by(FLAT_CARRIED, letters))
        if kind == "project" and agency_code:
            parsed.agency_code, parsed.agency_cell = agency_code, (number, letters.get("agency"))
        if has_goal:
            parsed.header["annual_goal"] = ""
    elif parsed.layout == "official":
        reader.err(number, letters[key_col], f"{'项目编码' if kind == 'project' else '单位编码'} {code} 的目标表"
                   f"已在工作表“{parsed.worksheet}”中出现，同一目标表只能出现一次", FLAT_HEADERS[key_col])
        return None
    elif "annual_goal" not in parsed.header and has_goal:
        parsed.header["annual_goal"] = ""
    return parsed, resolved


# --- the official layouts ----------------------------------------------------------------------
#
# Read from the system's own export (title, "项目编码：… 年度：… 版本：…" key line) and from forms as
# bureaus publish them: any title or none, no key line, the header block and the indicator header
# anywhere in the first rows, the header spellings in use. A form is recognised by its indicator
# header row (一级指标 | 二级指标 | 三级指标 | 指标值 …); without a code it names its project by 项目名称 +
# 实施单位 (its agency by 部门（单位）名称), which ``targets.imports`` matches.

_KEY_PATTERNS = {
    "project": re.compile(r"项目编码[:：]\s*([^\s，,；;]+)"),
    "agency": re.compile(r"单位编码[:：]\s*([^\s，,；;]+)"),
    "year": re.compile(r"年度[:：]\s*(\d{4})"),
    "number": re.compile(r"版本(?:号)?[:：]\s*(\d+)"),
}
_MONEY_LABELS = {"中期资金总额": "medium", "年度资金总额": "annual", "资金总额": "annual", "年度资金": "annual"}
_SPLIT_LABELS = {"其中:财政拨款": "fiscal", "其中财政拨款": "fiscal", "财政拨款": "fiscal", "其中:当年财政拨款": "fiscal",
                 "当年财政拨款": "fiscal", "财政资金": "fiscal", "其中:财政资金": "fiscal", "其他资金": "other",
                 "其中:其他资金": "other"}
_MONEY_FIELD = {("medium", "total"): "medium_amount", ("medium", "fiscal"): "medium_fiscal",
                ("medium", "other"): "medium_other", ("annual", "total"): "amount",
                ("annual", "fiscal"): "fiscal_amount", ("annual", "other"): "other_amount"}
OFFICIAL_CARRIED = frozenset({"level1", "level2", "name", "operator", "value", "unit", "number", "weight"})
_INDICATOR_HEADERS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "三级指标名称": "name",
                      "指标名称": "name", "指标值": "value", "年度指标值": "value", "目标值": "value",
                      "年度目标值": "value", "指标值(目标值)": "value", "分值": "weight", "权重": "weight",
                      "分值(权重)": "weight", "权重(分值)": "weight", "运算符": "operator", "指标值类型": "value_type",
                      "指标性质": "value_type", "计量单位": "unit", "度量单位": "unit", "单位": "unit",
                      "评分标准": "scoring_standard", "评(扣)分标准": "scoring_standard",
                      "评扣分标准": "scoring_standard", "扣分标准": "scoring_standard", "指标解释": "explanation"}
_VALUE_HEADERS = frozenset(k for k, v in _INDICATOR_HEADERS.items() if v == "value")
#: an indicator header with these is a monitoring or self-evaluation table, not a target table
_NOT_TARGET = ("完成值", "得分", "完成情况", "偏差")
_PARENTHESIS = re.compile(r"\([^()]*\)$")
#: the text labels of a form's header block: label → what it states
_TEXT_LABELS = {
    "project": {"项目名称": "name", "项目编码": "code", "项目代码": "code", "实施单位": "unit", "项目实施单位": "unit",
                "实施单位名称": "unit", "预算年度": "year"},
    "agency": {"部门(单位)名称": "name", "部门名称": "name", "单位名称": "name", "部门(单位)": "name",
               "预算部门": "name", "预算单位": "name", "预算部门名称": "name", "预算单位名称": "name",
               "单位编码": "code", "单位代码": "code", "部门编码": "code", "部门代码": "code",
               "部门(单位)编码": "code", "部门(单位)代码": "code", "预算年度": "year"},
}
_AGENCY_SIGNS = frozenset({"年度主要任务", "任务名称", "金额合计", "部门(单位)名称", "部门名称", "预算部门"})
#: "金额单位：万元", "单位：元", "项目资金（万元）", "预算金额（元）": the unit the form's amounts are in
_MONEY_UNIT = re.compile(r"^(?:(?:金额|资金)?单位:(万元|元)|[^()]{0,8}(?:资金|金额|总额|合计)[^()]{0,4}\((万元|元)\))$")
_TITLE_YEAR = re.compile(r"(20\d{2})\s*年")
_TRAILING_CODE = re.compile(r"^(.*?)\s*[(（]\s*(?:代码|编码)?[:：]?\s*([A-Za-z0-9-]*\d[A-Za-z0-9-]*)\s*[)）]$")


def _texts(raw) -> list[str]:
    return [_squeeze(as_text(c)) if c is not None else "" for c in raw]


def _label(text: str) -> str:
    """A squeezed header-block cell as a label: trailing colons and a unit in brackets dropped."""
    return _PARENTHESIS.sub("", text.rstrip(":")) if text.endswith(("(万元)", "(元)")) else text.rstrip(":")


def _header_key(text: str) -> str | None:
    """The indicator column a squeezed header cell names ("分值(分)", "权重(%)" → weight), or None."""
    key = _INDICATOR_HEADERS.get(text)
    if key is None and text.endswith(")"):
        key = _INDICATOR_HEADERS.get(_PARENTHESIS.sub("", text))
    return key


def _indicator_columns(texts: list[str]) -> dict[str, int] | None:
    """The indicator header row's columns (key → index), or None when the row is not one: it names
    the three levels and a value column (指标值 / 目标值 / 年度指标值 …) and nothing of a monitoring or
    self-evaluation table (实际完成值, 得分 …)."""
    if "三级指标" not in texts and "三级指标名称" not in texts:
        return None
    if "一级指标" not in texts or "二级指标" not in texts or not any(t in _VALUE_HEADERS for t in texts):
        return None
    if any(bad in t for t in texts if t for bad in _NOT_TARGET):
        return None
    columns: dict[str, int] = {}
    for i, t in enumerate(texts):
        key = _header_key(t) if t else None
        if key is not None and key not in columns:
            columns[key] = i
    return columns


def _value_type(text: str) -> str:
    """A 指标值类型 / 指标性质 cell as the 运算符 it stands for: a sign ("≥"), 定性, or nothing for 定量
    (the value cell then says it all)."""
    if not text or rules.read_operator(text) is not None:
        return text
    if "定性" in text:
        return "定性"
    if "定量" in text or "数值" in text:
        return ""
    return text


def _next_value(raw, i: int, texts: list[str] | None = None, labels=()):
    """The value beside a label: the next non-blank cell to the right (merged value cells keep their
    value in the first cell); None when that is the next label."""
    for j in range(i + 1, len(raw)):
        if not is_blank(raw[j]):
            if texts is not None and _label(texts[j]) in labels:
                return None, None
            return raw[j], j
    return None, None


def _parse_yuan(value):
    """An amount in 元 (a form whose header says 元) → Decimal yuan."""
    from jixiao.core.money import MoneyError, checked, yuan

    try:
        return checked(yuan(repr(value) if isinstance(value, float) else value)), None
    except (MoneyError, InvalidOperation, ArithmeticError) as exc:
        if "过大" in str(exc) or "负数" in str(exc):
            return None, f"{exc}，收到“{as_text(value)[:40]}”"
        return None, f"金额应为数字（元），收到“{as_text(value)[:40]}”"


def _amount(value, money_unit: str):
    """(yuan or None when blank, error): a money cell in the form's unit."""
    if is_blank(value):
        return None, None
    parsed, error = parse_wan(value) if money_unit == "万元" else _parse_yuan(value)
    if not error and parsed < 0:
        error = "金额不能为负数"
    return parsed, error


@dataclass
class ImportChecks:
    """The thresholds of the 元-under-万元 check (configuration ``target_import_checks``)."""

    amount_max_wan: Decimal = rules.AMOUNT_MAX_WAN
    yuan_ratio: Decimal = rules.YUAN_RATIO


def _form_kind(head: list) -> str:
    """"project" or "agency" for a worksheet whose first rows hold an indicator header row (a form
    without the system's title), else ""."""
    seen: set[str] = set()
    for raw in head:
        texts = _texts(raw)
        if _indicator_columns(texts) is not None:
            joined = "".join(seen)
            if any(w in joined for w in ("部门整体", "单位整体", "整体支出")) or seen & {"年度主要任务", "任务名称"}:
                return "agency"
            if "项目名称" in seen or seen & set(_MONEY_LABELS):
                return "project"
            return "agency" if seen & _AGENCY_SIGNS else "project"
        for t in texts:
            if t:
                seen.add(_label(t))
                if ":" in t:
                    seen.add(t.split(":", 1)[0])
    return ""


def _read_official(rows: list, worksheet: str, kind: str, first_col: int, year: int, report: ImportReport,
                   out: dict, checks: ImportChecks | None = None) -> None:
    checks = checks or ImportChecks()

    def letter(col_index):
        return column_letter(first_col + col_index) if col_index is not None else None

    def err(row, col_index, message, header=""):
        report.add(worksheet, row, letter(col_index), message, header)

    key: dict = {}
    key_row = None
    header: dict = {}
    stated: dict = {}  # name, unit, code, year as the header block labels state them
    cells: dict = {}  # where they are: (row, column letter)
    title_years: list[str] = []
    in_title = True  # rows above the first label: the title (and its year)
    money_units: set[str] = set()
    money: dict = {}  # (which, total|fiscal|other) → (yuan or None, row, column index)
    money_cols: dict[int, str] = {}
    goal_cols: dict[int, str] = {}
    task_cols: dict[str, int] | None = None
    tasks: list | None = [] if kind == "agency" else None
    task_cells: list = []  # per task: {field: (row, column index)}
    printed_total: dict = {}  # field → (yuan, row, column index) of the 金额合计 row
    indicator_cols: dict[str, int] | None = None
    indicators: list = []
    reader = _Indicators(report, worksheet)
    bad = False
    state = "header"
    last_level = {"level1": None, "level2": None}
    labels = _TEXT_LABELS[kind]
    all_labels = {*labels, *_MONEY_LABELS, *_SPLIT_LABELS, "中期目标", "年度目标", "年度总体目标", "主管部门",
                  "主管部门及代码", "项目属性", "项目期", "实施期限", "项目资金", *_TEXT_LABELS["project"],
                  *_TEXT_LABELS["agency"]}

    def money_unit() -> str:
        return "元" if money_units == {"元"} else "万元"

    for number, raw in enumerate(rows, start=1):
        if raw.__class__ is not list:  # core.excel.FormulaRow: formulas with no value to read
            own = set(indicator_cols.values()) if state == "indicators" else set()
            for i, v in enumerate(raw):
                if v.__class__ is FormulaCell and i not in own:  # indicator cells: reported by reader.read
                    err(number, i, v.message())
                    bad = True
            raw = [None if v.__class__ is FormulaCell and i not in own else v for i, v in enumerate(raw)]
        texts = _texts(raw)
        if not any(texts) and not any(v.__class__ is FormulaCell for v in raw):
            if goal_cols:  # both goals left empty
                for fld in goal_cols.values():
                    header.setdefault(fld, "")
                goal_cols = {}
            continue
        joined = "".join(texts)
        if not key and ("编码:" in joined or "年度:" in joined):
            line = " ".join(as_text(c) for c in raw if not is_blank(c))
            found = {name: m.group(1) for name, pattern in _KEY_PATTERNS.items() if (m := pattern.search(line))}
            if found.get(kind):
                key, key_row = found, number
                continue
        if indicator_cols is None:
            columns = _indicator_columns(texts)
            if columns is not None:
                indicator_cols = columns
                state = "indicators"
                continue
        if state == "indicators":
            cells_ = {k: (raw[i] if i < len(raw) else None) for k, i in indicator_cols.items()}
            letters = {k: letter(i) for k, i in indicator_cols.items()}
            if "value_type" in cells_:
                vt = cells_.pop("value_type")
                if "operator" not in cells_:
                    cells_["operator"] = _value_type(as_text(vt))
                    letters["operator"] = letters["value_type"]
            for level in ("level1", "level2"):
                if is_blank(cells_.get(level)):
                    cells_[level] = last_level[level]
                last_level[level] = cells_[level]
            if no_indicator(cells_):
                continue
            indicator = reader.read(number, cells_, letters)
            if indicator is None:
                bad = True
            else:
                indicators.append(indicator)
            continue
        # the header block: names, code, year and the money unit, wherever the labels sit
        labelled = False
        for i, t in enumerate(texts):
            if not t:
                continue
            m = _MONEY_UNIT.match(t)
            if m:
                money_units.add(m.group(1) or m.group(2))
            lab = _label(t)
            what, value, j = labels.get(lab), None, None
            if what is not None:
                value, j = _next_value(raw, i, texts, all_labels)
            elif ":" in t:  # "项目名称：XX" in one cell
                head_, _, rest = as_text(raw[i]).replace("：", ":").partition(":")
                what = labels.get(_squeeze(head_))
                value, j = (rest.strip() or None, i) if what is not None else (None, None)
            if what is None:
                if lab in all_labels:
                    labelled = True
                continue
            labelled = True
            if value is not None and what not in stated:
                stated[what], cells[what] = as_text(value), (number, letter(j))
        if labelled:
            in_title = False
        elif in_title:
            title_years.extend((y, number) for y in
                               _TITLE_YEAR.findall(" ".join(as_text(c) for c in raw if isinstance(c, str))))
        if kind == "agency":
            if task_cols is None and ("任务名称" in texts or "主要任务" in texts):
                name_label = "任务名称" if "任务名称" in texts else "主要任务"
                task_cols = {"name": texts.index(name_label)}
                for content_label in ("主要内容", "任务内容"):
                    if content_label in texts:
                        task_cols["content"] = texts.index(content_label)
                        break
                state = "task_header"
                if not ("总额" in texts or "财政拨款" in texts):
                    continue
            if state == "task_header" and ("总额" in texts or "财政拨款" in texts):
                for label, name in (("总额", "amount"), ("财政拨款", "fiscal_amount"), ("其他资金", "other_amount")):
                    if label in texts:
                        task_cols[name] = texts.index(label)
                state = "tasks"
                continue
            if "金额合计" in texts or "合计" in texts:
                state = "header"
                if task_cols is not None:
                    for fld in ("amount", "fiscal_amount", "other_amount"):
                        i = task_cols.get(fld)
                        value = raw[i] if i is not None and i < len(raw) else None
                        parsed, error = _amount(value, money_unit())
                        if error:
                            err(number, i, error, "金额合计")
                            bad = True
                        elif parsed is not None:
                            printed_total[fld] = (parsed, number, i)
                continue
            if state in ("tasks", "task_header") and task_cols is not None and "年度总体目标" not in texts:
                state = "tasks"
                name = as_text(raw[task_cols["name"]]) if task_cols["name"] < len(raw) else ""
                if not name:
                    continue
                task = {"name": name, "content": as_text(raw[task_cols["content"]])
                        if task_cols.get("content", 99) < len(raw) else ""}
                where = {}
                if len(name) > 128:
                    err(number, task_cols["name"], "任务名称最多 128 个字", "任务名称")
                    bad = True
                task_bad = False
                for fld, label in (("amount", "总额"), ("fiscal_amount", "财政拨款"), ("other_amount", "其他资金")):
                    i = task_cols.get(fld)
                    value = raw[i] if i is not None and i < len(raw) else None
                    parsed, error = _amount(value, money_unit())
                    if error:
                        err(number, i, error, f"预算金额：{label}")
                        bad = task_bad = True
                    task[fld] = parsed or Decimal("0")
                    where[fld] = (number, i)
                if not task_bad:
                    if task["amount"] == 0 and (task["fiscal_amount"] or task["other_amount"]):
                        task["amount"] = task["fiscal_amount"] + task["other_amount"]
                    if task["fiscal_amount"] + task["other_amount"] not in (0, task["amount"]):
                        err(number, task_cols.get("amount"), "财政拨款与其他资金之和应等于总额", "预算金额：总额")
                        bad = True
                tasks.append(task)
                task_cells.append(where)
                continue
            if "年度总体目标" in texts:
                i = texts.index("年度总体目标")
                value, _ = _next_value(raw, i)
                header["annual_goal"] = as_text(value)
                state = "header"
                continue
            continue
        # project / policy header block
        for i, t in enumerate(texts):
            lab = _label(t)
            if lab in _MONEY_LABELS:
                money_cols[i] = _MONEY_LABELS[lab]
                which, fld = _MONEY_LABELS[lab], "total"
            elif lab in _SPLIT_LABELS and i in money_cols:
                which, fld = money_cols[i], _SPLIT_LABELS[lab]
            elif lab in ("中期目标", "年度目标"):
                goal_cols[i] = "medium_goal" if lab == "中期目标" else "annual_goal"
                continue
            else:
                continue
            value, j = _next_value(raw, i)
            if j is not None and _label(texts[j]) in (*_MONEY_LABELS, *_SPLIT_LABELS):
                value, j = None, None
            money[(which, fld)] = (value, number, j if j is not None else i)
        if goal_cols and not any(_label(t) in ("中期目标", "年度目标") for t in texts):
            for i, fld in goal_cols.items():
                header.setdefault(fld, as_text(raw[i]) if i < len(raw) else "")
            goal_cols = {}

    what_code = "项目编码" if kind == "project" else "单位编码"
    what_name = "项目名称" if kind == "project" else "部门（单位）名称"
    if len(money_units) > 1:
        report.add(worksheet, None, None, "表中同时标明金额单位“万元”和“元”，无法确定金额单位，请统一后再导入")
        return
    unit = money_unit()
    # money: read in the form's unit, split checked, 元 under a 万元 header reported
    for which in ("medium", "annual"):
        amounts: dict = {}
        for fld in ("total", "fiscal", "other"):
            if (which, fld) not in money:
                continue
            value, row, col = money[(which, fld)]
            parsed, error = _amount(value, unit)
            if not error and parsed is not None and unit == "万元":
                error = rules.yuan_suspect(parsed, amount_max_wan=checks.amount_max_wan)
            if error:
                err(row, col, error, "中期资金总额" if which == "medium" else "年度资金总额")
                bad = True
                continue
            amounts[fld] = (parsed, row, col)
        if bad or not amounts:
            continue
        split, error = rules.split_amounts(*(amounts[f][0] if f in amounts else None
                                             for f in ("total", "fiscal", "other")))
        if error:
            row, col = next(amounts[f][1:] for f in ("total", "fiscal", "other") if f in amounts)
            err(row, col, error, "中期资金总额" if which == "medium" else "年度资金总额")
            bad = True
        elif split is not None:
            for fld, v in zip(("total", "fiscal", "other"), split, strict=True):
                header[_MONEY_FIELD[(which, fld)]] = v
            if which == "annual":
                row, col = next(amounts[f][1:] for f in ("total", "fiscal", "other") if f in amounts)
                cells["amount"] = (row, letter(col))
    if tasks and unit == "万元":
        for task, where in zip(tasks, task_cells, strict=True):
            for fld in ("amount", "fiscal_amount", "other_amount"):
                error = rules.yuan_suspect(task[fld], amount_max_wan=checks.amount_max_wan)
                if error and task[fld]:
                    err(where[fld][0], where[fld][1], error, "预算金额")
                    bad = True
                    break
    if tasks is not None and not bad:
        for fld, (printed, row, col) in printed_total.items():
            problem = rules.total_problem(printed, (t[fld] for t in tasks))
            if problem:
                err(row, col, problem, "金额合计")
                bad = True
    # the sheet's key: the key line, else the labels (a code-less form is matched by its names)
    code = key.get(kind) or stated.get("code", "")
    name = stated.get("name", "")
    unit_name = stated.get("unit", "")
    agency_code, agency_cell = "", ()
    if kind == "agency":
        m = _TRAILING_CODE.match(name)
        if m:
            name = m.group(1)
            code = code or m.group(2)
    else:
        m = _TRAILING_CODE.match(unit_name)
        if m:
            unit_name, agency_code, agency_cell = m.group(1), m.group(2), cells["unit"]
    code = code.strip()
    if key_row is None and not code and not name:
        report.add(worksheet, None, None,
                   f"找不到{what_code}或{what_name}：请在表头填写“{what_name}”"
                   f"{'和“实施单位”' if kind == 'project' else ''}（或“{what_code}”），"
                   f"或使用系统导出的表样（含“{what_code}：…  年度：…  版本：…”一行）")
        return
    sheet_year = key.get("year") or stated.get("year")
    year_cell = key_row if key.get("year") else (cells["year"][0] if stated.get("year") else None)
    if not sheet_year and len({y for y, _ in title_years}) == 1:
        sheet_year, year_cell = title_years[0]
    try:
        sheet_year = int(_squeeze(str(sheet_year or year)).rstrip("年度"))
    except ValueError:
        report.add(worksheet, year_cell, None, f"年度“{sheet_year}”不是年份")
        return
    version = int(key.get("number") or 1)
    row = key_row or (cells["code"][0] if "code" in cells else cells.get("name", (None,))[0])
    if sheet_year != year:
        report.add(worksheet, year_cell or row, None, f"年度应为 {year}（本次导入的年度），表中为 {sheet_year}")
        return
    if indicator_cols is None:
        report.add(worksheet, None, None, "找不到绩效指标表头（一级指标、二级指标、三级指标、指标值）")
        return
    if version < 1:
        report.add(worksheet, key_row, None, "版本号应为正整数")
        return
    k = (kind, code, sheet_year, version) if code else (kind, "", sheet_year, version, worksheet)
    if k in out:
        report.add(worksheet, row, None, f"{what_code} {code} 的目标表"
                                         f"已在工作表“{out[k].worksheet}”中出现，同一目标表只能出现一次")
        return
    key_column = "A" if key_row else (cells["code"][1] if "code" in cells and not key.get(kind)
                                      else cells.get("name", (None, None))[1])
    out[k] = ParsedSheet(worksheet, row, key_column, kind, code, sheet_year, version, "official", header=header,
                         indicators=indicators, carried=carried_by(OFFICIAL_CARRIED | OPTIONAL_CARRIED, indicator_cols),
                         tasks=tasks, bad=bad, agency_code=agency_code, agency_cell=agency_cell, name=name,
                         unit=unit_name, cells=cells)


_SYSTEM_ROWS = _HEADER_ROWS  # the system's title, or a flat header row, within the first rows
_FORM_ROWS = 200  # a form's indicator header within the first rows (a department's tasks sit above it)


def _detect(rows_head: list) -> tuple[str, object]:
    """("official-project" | "official-agency" | "flat" | "", header index) from the first rows: the
    system's title or a flat header row in the first rows, else a form's indicator header row."""
    for n, raw in enumerate(rows_head[:_SYSTEM_ROWS]):
        joined = "".join(as_text(c) for c in raw if isinstance(c, str))
        if PROJECT_TITLE in joined:
            return "official-project", None
        if AGENCY_TITLE in joined:
            return "official-agency", None
        index = _flat_header(raw)
        if index is not None:
            return "flat", (n, index)
    kind = _form_kind(rows_head)
    return (f"official-{kind}", None) if kind else ("", None)


def read_workbook(data, *, year: int, report: ImportReport, name: str = "文件",
                  checks: ImportChecks | None = None) -> tuple[dict, list[str]]:
    """Every target sheet the workbook states — keyed (kind, code, year, number), a form without a code
    (kind, "", year, number, worksheet) — and the names of the worksheets that are neither layout
    (skipped)."""
    wb = open_workbook(data, report, name=name)
    parsed: dict = {}
    skipped: list[str] = []
    if wb is None:
        return parsed, skipped
    for ws_name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(ws_name)
        except Exception:  # a chart sheet or a damaged part: not ours to read
            skipped.append(ws_name)
            continue
        first_col = (getattr(sheet, "start", None) or (0, 0))[1]
        rows = iter(sheet.iter_rows())
        head = []
        for raw in rows:
            head.append(raw)
            if len(head) >= _SYSTEM_ROWS:
                break
        layout, info = _detect(head)
        if not layout:
            for raw in rows:
                head.append(raw)
                if len(head) >= _FORM_ROWS:
                    break
            layout, info = _detect(head)
        if not layout:
            skipped.append(ws_name)
            continue
        if layout == "flat":
            n, index = info
            _read_flat(chain(head[n + 1:], rows), ws_name, index, n + 1, first_col, year, report, parsed)
        else:
            _read_official(list(chain(head, rows)), ws_name, layout.split("-")[1], first_col, year, report, parsed,
                           checks)
    return parsed, skipped
