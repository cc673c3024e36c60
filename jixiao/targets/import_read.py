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

from jixiao.core.excel import ImportReport, as_text, column_letter, is_blank, open_workbook, parse_wan
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


def canonical_value(operator: str, value: str, unit: str) -> tuple[str, str, str]:
    """The indicator value as one cell would read back: "≥95%" and (ge, "95", "%") compare equal."""
    if operator == Operator.QUALITATIVE:
        return _split(value) if _split(value)[0] == rules.QUALITATIVE else (operator, value, "")
    return _split(f"{OPERATOR_LABELS.get(operator, operator)}{value}{unit}")


def display_value(operator: str, value: str, unit: str) -> str:
    """One cell as bureaus write it ("≥95%", "≤120万元", "明显提升"); a qualitative text that would read
    back as a number gets the explicit "定性：" prefix so a round trip keeps it qualitative."""
    if operator == Operator.QUALITATIVE:
        return value if _split(value)[0] == rules.QUALITATIVE else f"定性：{value}"
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
    agency_code: str = ""  # the 单位编码 a flat project row names (checked against the project's)
    agency_cell: tuple = ()  # (row, column) of that cell
    bad: bool = False


class _Indicators:
    """Per-cell reading of indicator rows, shared by both layouts."""

    def __init__(self, report: ImportReport, worksheet: str):
        self.report = report
        self.worksheet = worksheet

    def err(self, row: int, column: str | None, message: str, header: str = "") -> None:
        self.report.add(self.worksheet, row, column, message, header)

    def read(self, row: int, cells: dict, letters: dict, *, separate: bool) -> dict | None:
        """``cells``: key → raw value (level1, level2, name, value, [operator, unit], weight, …)."""
        ok = True
        level1 = LEVEL1_NAMES.get(_squeeze(as_text(cells.get("level1"))))
        if level1 is None:
            raw = as_text(cells.get("level1"))
            self.err(row, letters.get("level1"), "必填，不能为空" if not raw else
                     f"一级指标“{raw}”无效，应为：{'、'.join(LEVEL1_LABELS.values())}", "一级指标")
            ok = False
        level2 = LEVEL2_NAMES.get(_squeeze(as_text(cells.get("level2"))))
        if level2 is None:
            raw = as_text(cells.get("level2"))
            self.err(row, letters.get("level2"), "必填，不能为空" if not raw else f"二级指标“{raw}”无效", "二级指标")
            ok = False
        name = as_text(cells.get("name"))
        if not name:
            self.err(row, letters.get("name"), "必填，不能为空", "三级指标")
            ok = False
        elif len(name) > LENGTHS["name"]:
            self.err(row, letters.get("name"), f"内容过长（{len(name)} 字，最多 {LENGTHS['name']} 字）", "三级指标")
            ok = False
        raw_value = as_text(cells.get("value"))
        raw_operator = as_text(cells.get("operator")) if separate else ""
        if raw_operator:
            operator = OPERATOR_NAMES.get(raw_operator.replace(" ", ""))
            if operator is None:
                self.err(row, letters.get("operator"), f"运算符“{raw_operator}”无效，应为：≥、＞、=、＜、≤ 或 定性", "运算符")
                ok = False
            value, unit = raw_value, as_text(cells.get("unit"))
        else:
            operator, value, unit = _split(raw_value)
            if separate and not unit:
                unit = as_text(cells.get("unit"))
        if not raw_value:
            self.err(row, letters.get("value"), "必填，不能为空", "指标值")
            ok = False
        elif len(value) > LENGTHS["value"]:
            self.err(row, letters.get("value"), f"内容过长（{len(value)} 字，最多 {LENGTHS['value']} 字）", "指标值")
            ok = False
        if len(unit) > LENGTHS["unit"]:
            self.err(row, letters.get("unit", letters.get("value")), f"计量单位最多 {LENGTHS['unit']} 个字", "计量单位")
            ok = False
        number = rules.parse_number(value) if operator in rules.NUMERIC_OPERATORS else None
        if number is not None and abs(number) >= Decimal("1e16"):
            self.err(row, letters.get("value"), "指标值过大", "指标值")
            ok = False
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
    "title": ("名称", ("名称", "项目名称", "单位名称", "项目（单位）名称")),
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
    "scoring_standard": ("评分标准", ("评分标准",)),
    "explanation": ("指标解释", ("指标解释",)),
    "value_basis": ("指标值确定依据", ("指标值确定依据", "确定依据")),
}
FLAT_HEADERS = {key: header for key, (header, _) in FLAT_COLUMNS.items()}
_FLAT_LOOKUP = {_squeeze(name): key for key, (_, names) in FLAT_COLUMNS.items() for name in names}
FLAT_CARRIED = frozenset({"level1", "level2", "name", "operator", "value", "unit", "number", "weight",
                          "scoring_standard", "explanation", "value_basis"})
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
            code = names.get(_squeeze(_text(raw)))
            if code is not None:
                cache[raw] = code
        return code

    def value_of(self, raw_value, raw_operator, raw_unit, separate: bool):
        key = (raw_value, raw_operator, raw_unit)
        hit = self.value.get(key)
        if hit is None:
            text = _text(raw_value)
            op_text = _text(raw_operator) if separate else ""
            if not text:
                return None
            if op_text:
                operator = OPERATOR_NAMES.get(op_text.replace(" ", ""))
                if operator is None:
                    return None
                value, unit = text, _text(raw_unit)
            else:
                operator, value, unit = _split(text)
                if separate and not unit:
                    unit = _text(raw_unit)
            if len(value) > LENGTHS["value"] or len(unit) > LENGTHS["unit"]:
                return None
            number = rules.parse_number(value) if operator in rules.NUMERIC_OPERATORS else None
            if number is not None and abs(number) >= Decimal("1e16"):
                return None
            hit = self.value[key] = (operator, value, unit, number)
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
_FLAT_ORDER = ("kind", "project", "agency", "year", "number", "annual_goal", *_INDICATOR_KEYS)


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
    separate = "operator" in index
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
        if len(raw) < width:
            raw = [*raw, *pad[:width - len(raw)]]
        raw.append(None)
        vals = getter(raw)
        if not any(vals) and 0 not in vals:
            continue
        (kind_raw, project_raw, agency_raw, year_raw, number_raw, goal_raw, l1_raw, l2_raw, name_raw, value_raw,
         op_raw, unit_raw, weight_raw, ss_raw, ex_raw, vb_raw) = vals
        key_raw = (kind_raw, project_raw, agency_raw, year_raw, number_raw)
        if parsed is None or (key_raw != last_raw and any(key_raw)):
            if all(_text(v) == "" for v in vals):
                continue
            parsed = _flat_key(reader, fast, letters, year, key_raw, carried, number, worksheet, has_goal, out)
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
            value = fast.value_of(value_raw, op_raw, unit_raw, separate)
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
            indicator = reader.read(number, cells, letters, separate=separate)
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
                                        carried=FLAT_CARRIED)
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

_KEY_PATTERNS = {
    "project": re.compile(r"项目编码[:：]\s*([^\s，,；;]+)"),
    "agency": re.compile(r"单位编码[:：]\s*([^\s，,；;]+)"),
    "year": re.compile(r"年度[:：]\s*(\d{4})"),
    "number": re.compile(r"版本(?:号)?[:：]\s*(\d+)"),
}
_MONEY_LABELS = {"中期资金总额": "medium", "年度资金总额": "annual"}
_SPLIT_LABELS = {"其中:财政拨款": "fiscal", "其中财政拨款": "fiscal", "财政拨款": "fiscal", "其他资金": "other",
                 "其中:其他资金": "other"}
_MONEY_FIELD = {("medium", "total"): "medium_amount", ("medium", "fiscal"): "medium_fiscal",
                ("medium", "other"): "medium_other", ("annual", "total"): "amount",
                ("annual", "fiscal"): "fiscal_amount", ("annual", "other"): "other_amount"}
OFFICIAL_CARRIED = frozenset({"level1", "level2", "name", "operator", "value", "unit", "number", "weight"})
_INDICATOR_HEADERS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "name", "指标值": "value",
                      "年度指标值": "value", "分值": "weight", "运算符": "operator", "计量单位": "unit",
                      "评分标准": "scoring_standard", "指标解释": "explanation"}


def _texts(raw) -> list[str]:
    return [_squeeze(as_text(c)) if c is not None else "" for c in raw]


def _next_value(raw, i: int):
    """The value beside a label: the next non-blank cell to the right (merged value cells keep their
    value in the first cell)."""
    for j in range(i + 1, len(raw)):
        if not is_blank(raw[j]):
            return raw[j], j
    return None, None


def _read_official(rows: list, worksheet: str, kind: str, first_col: int, year: int, report: ImportReport,
                   out: dict) -> None:
    def err(row, col_index, message, header=""):
        report.add(worksheet, row, column_letter(first_col + col_index) if col_index is not None else None,
                   message, header)

    key: dict = {}
    key_row = None
    header: dict = {}
    money_cols: dict[int, str] = {}
    goal_cols: dict[int, str] = {}
    task_cols: dict[str, int] | None = None
    tasks: list | None = [] if kind == "agency" else None
    indicator_cols: dict[str, int] | None = None
    indicators: list = []
    reader = _Indicators(report, worksheet)
    bad = False
    state = "header"
    last_level = {"level1": None, "level2": None}
    for number, raw in enumerate(rows, start=1):
        texts = _texts(raw)
        if not any(texts):
            if goal_cols:  # both goals left empty
                for fld in goal_cols.values():
                    header.setdefault(fld, "")
                goal_cols = {}
            continue
        joined = "".join(texts)
        if not key and ("编码:" in joined or "年度:" in joined):
            line = " ".join(as_text(c) for c in raw if not is_blank(c))
            for name, pattern in _KEY_PATTERNS.items():
                m = pattern.search(line)
                if m:
                    key[name] = m.group(1)
            if key.get(kind):
                key_row = number
                continue
        if indicator_cols is None and {"一级指标", "二级指标", "三级指标"} <= set(texts) and (
                "指标值" in texts or "年度指标值" in texts):
            indicator_cols = {}
            for i, t in enumerate(texts):
                if t in _INDICATOR_HEADERS and _INDICATOR_HEADERS[t] not in indicator_cols:
                    indicator_cols[_INDICATOR_HEADERS[t]] = i
            state = "indicators"
            continue
        if state == "indicators":
            cells = {k: (raw[i] if i < len(raw) else None) for k, i in indicator_cols.items()}
            if all(is_blank(cells.get(k)) for k in ("name", "value")):
                continue
            letters = {k: column_letter(first_col + i) for k, i in indicator_cols.items()}
            for level in ("level1", "level2"):
                if is_blank(cells.get(level)):
                    cells[level] = last_level[level]
                last_level[level] = cells[level]
            indicator = reader.read(number, cells, letters, separate="operator" in indicator_cols)
            if indicator is None:
                bad = True
            else:
                indicators.append(indicator)
            continue
        if kind == "agency":
            if task_cols is None and "任务名称" in texts:
                task_cols = {"name": texts.index("任务名称")}
                if "主要内容" in texts:
                    task_cols["content"] = texts.index("主要内容")
                state = "task_header"
                continue
            if state == "task_header" and ("总额" in texts or "财政拨款" in texts):
                for label, name in (("总额", "amount"), ("财政拨款", "fiscal_amount"), ("其他资金", "other_amount")):
                    if label in texts:
                        task_cols[name] = texts.index(label)
                state = "tasks"
                continue
            if "金额合计" in texts or "合计" in texts:
                state = "header"
                continue
            if state in ("tasks", "task_header") and task_cols is not None and "年度总体目标" not in texts:
                state = "tasks"
                name = as_text(raw[task_cols["name"]]) if task_cols["name"] < len(raw) else ""
                if not name:
                    continue
                task = {"name": name, "content": as_text(raw[task_cols["content"]])
                        if task_cols.get("content", 99) < len(raw) else ""}
                if len(name) > 128:
                    err(number, task_cols["name"], "任务名称最多 128 个字", "任务名称")
                    bad = True
                for fld, label in (("amount", "总额"), ("fiscal_amount", "财政拨款"), ("other_amount", "其他资金")):
                    i = task_cols.get(fld)
                    value = raw[i] if i is not None and i < len(raw) else None
                    parsed, error = parse_wan(0 if is_blank(value) else value)
                    if not error and parsed < 0:
                        error = "金额不能为负数"
                    if error:
                        err(number, i, error, f"预算金额：{label}")
                        bad = True
                    task[fld] = parsed
                if not bad:
                    if task["amount"] == 0 and (task["fiscal_amount"] or task["other_amount"]):
                        task["amount"] = task["fiscal_amount"] + task["other_amount"]
                    if task["fiscal_amount"] + task["other_amount"] not in (0, task["amount"]):
                        err(number, task_cols.get("amount"), "财政拨款与其他资金之和应等于总额", "预算金额：总额")
                        bad = True
                tasks.append(task)
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
            if t in _MONEY_LABELS:
                money_cols[i] = _MONEY_LABELS[t]
                which, fld = _MONEY_LABELS[t], "total"
            elif t in _SPLIT_LABELS and i in money_cols:
                which, fld = money_cols[i], _SPLIT_LABELS[t]
            elif t in ("中期目标", "年度目标"):
                goal_cols[i] = "medium_goal" if t == "中期目标" else "annual_goal"
                continue
            else:
                continue
            value, j = _next_value(raw, i)
            if j is not None and texts[j] in (*_MONEY_LABELS, *_SPLIT_LABELS):
                value, j = None, None
            parsed, error = parse_wan(0 if is_blank(value) else value)
            if not error and parsed < 0:
                error = "金额不能为负数"
            if error:
                err(number, j, error, t)
                bad = True
            else:
                header[_MONEY_FIELD[(which, fld)]] = parsed
        if goal_cols and not any(t in ("中期目标", "年度目标") for t in texts):
            for i, fld in goal_cols.items():
                header.setdefault(fld, as_text(raw[i]) if i < len(raw) else "")
            goal_cols = {}
    if key_row is None:
        label = "项目编码" if kind == "project" else "单位编码"
        report.add(worksheet, None, None, f"找不到“{label}：…  年度：…  版本：…”一行，请使用系统导出的表样，"
                                          f"或在表头下方补上该行")
        return
    code, sheet_year = key[kind], int(key.get("year") or year)
    version = int(key.get("number") or 1)
    if sheet_year != year:
        report.add(worksheet, key_row, None, f"年度应为 {year}（本次导入的年度），表中为 {sheet_year}")
        return
    if indicator_cols is None:
        report.add(worksheet, None, None, "找不到绩效指标表头（一级指标、二级指标、三级指标、指标值）")
        return
    if version < 1:
        report.add(worksheet, key_row, None, "版本号应为正整数")
        return
    k = (kind, code, sheet_year, version)
    if k in out:
        report.add(worksheet, key_row, None, f"{'项目编码' if kind == 'project' else '单位编码'} {code} 的目标表"
                                             f"已在工作表“{out[k].worksheet}”中出现，同一目标表只能出现一次")
        return
    out[k] = ParsedSheet(worksheet, key_row, "A", kind, code, sheet_year, version, "official", header=header,
                         indicators=indicators, carried=OFFICIAL_CARRIED, tasks=tasks, bad=bad)


def _detect(rows_head: list) -> tuple[str, object]:
    """("official-project" | "official-agency" | "flat" | "", header index) from the first rows."""
    for n, raw in enumerate(rows_head):
        joined = "".join(as_text(c) for c in raw if isinstance(c, str))
        if PROJECT_TITLE in joined:
            return "official-project", None
        if AGENCY_TITLE in joined:
            return "official-agency", None
        index = _flat_header(raw)
        if index is not None:
            return "flat", (n, index)
    return "", None


def read_workbook(data, *, year: int, report: ImportReport, name: str = "文件") -> tuple[dict, list[str]]:
    """Every target sheet the workbook states, keyed (kind, code, year, number), and the names of the
    worksheets that are neither layout (skipped)."""
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
            if len(head) >= _HEADER_ROWS:
                break
        layout, info = _detect(head)
        if not layout:
            skipped.append(ws_name)
            continue
        if layout == "flat":
            n, index = info
            _read_flat(chain(head[n + 1:], rows), ws_name, index, n + 1, first_col, year, report, parsed)
        else:
            _read_official(list(chain(head, rows)), ws_name, layout.split("-")[1], first_col, year, report, parsed)
    return parsed, skipped
