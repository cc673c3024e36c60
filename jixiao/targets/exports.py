"""Excel out for target sheets (documents.md "Excel tables"):

- ``official_workbook``: one worksheet per sheet in the official layouts bureaus print and exchange —
  项目支出绩效目标申报表 (projects and policies) and 部门整体支出绩效目标表 (agencies' whole budgets) — styled
  (宋体 body, 黑体 headings, borders, merged label cells, 万元 with two decimals), ready to print: A4,
  one page wide, print area, the indicator header repeated on every page, row heights fitted to the
  wrapped text, indicators in the taxonomy's order (``rules.print_order``). Each carries a
  "项目编码：… 年度：… 版本：…" line, so the same file imports back by key. Set-based reads and a streaming
  writer: a county's ~700 sheets in a few seconds (bench/bench_official_export.py).
- ``flat_workbook``: the flat list (one row per indicator) for big exports, streamed with
  ``write_fast`` (constant memory) from one query over the indicators.
- ``import_template``: the flat layout, empty but for an example row, with a 说明 sheet.

Amounts are stored in yuan; the cells hold the exact 万元 value (yuan ÷ 10,000, shown with two
decimals), so a round trip through Excel keeps every cent."""

from __future__ import annotations

import re
from decimal import Decimal

from jixiao.core.excel import Column, Printed, SheetData, write_fast, write_printed, write_styled
from jixiao.core.text import printable
from jixiao.library.choices import Level1, Level2, Operator, ValueBasis
from jixiao.targets import rules
from jixiao.targets.choices import TargetKind
from jixiao.targets.import_read import AGENCY_TITLE, FLAT_HEADERS, PROJECT_TITLE, display_value
from jixiao.targets.models import TargetIndicator

LEVEL1_LABELS = dict(Level1.choices)
LEVEL2_LABELS = dict(Level2.choices)
BASIS_LABELS = dict(ValueBasis.choices)
KIND_LABELS = dict(TargetKind.choices)
WAN = Decimal(10000)
_BAD_TITLE = re.compile(r"[\[\]:*?/\\：]")

# --- the official layouts -------------------------------------------------------------------------
#
# Reading is set-based (a constant number of queries per chunk of sheets, plain values, no model
# instances); the layout is a pure function of those values (a ``core.excel.Printed`` grid); writing
# streams the grids with xlsxwriter (``core.excel.write_printed``).

#: A–F: label, level 1, level 2, level 3, value, weight — 100 units, one A4 page wide in portrait
WIDTHS = [12, 13, 16, 29, 18, 12]
_BODY = {"font_name": "宋体", "font_size": 10.5, "valign": "vcenter", "text_wrap": True, "border": 1}
STYLES = {
    "title": {"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter", "text_wrap": True},
    "note": {"font_name": "宋体", "font_size": 10.5, "valign": "vcenter", "text_wrap": True},
    "note_right": {"font_name": "宋体", "font_size": 10.5, "valign": "vcenter", "align": "right"},
    "head": {**_BODY, "font_name": "黑体", "align": "center"},
    "text": {**_BODY, "align": "left"},
    "centre": {**_BODY, "align": "center"},
    "money": {**_BODY, "align": "right", "text_wrap": False, "num_format": "#,##0.00"},
}
#: sheets read and laid out per round of queries (bounded memory for any number of sheets)
CHUNK = 500


def _wan(amount) -> float:
    """The exact 万元 value of a yuan amount as a number cell (formatted with two decimals)."""
    return float(Decimal(amount or 0) / WAN)


def sheet_title(*, project_code: str | None, agency_code: str, number: int, taken: set[str]) -> str:
    """A worksheet name: unique, ≤31 characters, none of []:*?/\\ (Excel's rules)."""
    base = project_code if project_code else f"{agency_code}部门整体"
    if number > 1:
        base += f"-v{number}"
    base = _BAD_TITLE.sub("_", printable(base))[:31] or "目标表"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _version_label(number: int) -> str:
    return "申报版" if number == 1 else f"第 {number - 1} 次调整"


def _heading(g: Printed, text: str, key_line: str) -> int:
    g.merge(0, 0, 0, 5, text, "title")
    g.heights[0] = 32
    g.merge(1, 0, 1, 3, key_line, "note")
    g.merge(1, 4, 1, 5, "金额单位：万元", "note_right")
    return 2


def _indicator_table(g: Printed, r: int, label: str, indicators: list[dict]) -> int:
    """一级 | 二级 | 三级 | 指标值 | 分值 in the taxonomy's order, level 1 and level 2 merged down
    their runs, column A (the block's label) merged down the whole table; the header row repeats
    atop every printed page."""
    for col, text in enumerate(("一级指标", "二级指标", "三级指标", "指标值", "分值"), start=1):
        g.put(r, col, text, "head")
    g.repeat_rows = (r, r)
    rows = rules.print_order(indicators) or [None]
    first = r + 1
    for n, i in enumerate(rows):
        row = first + n
        if i is None:
            for col in range(1, 6):
                g.put(row, col, None, "text")
            continue
        g.put(row, 1, LEVEL1_LABELS.get(i["level1"], i["level1"]), "centre")
        g.put(row, 2, LEVEL2_LABELS.get(i["level2"], i["level2"]), "centre")
        g.put(row, 3, i["name"], "text")
        g.put(row, 4, display_value(i["operator"], i["value"], i["unit"]), "centre")
        g.put(row, 5, float(i["weight"]) if i["weight"] is not None else None, "centre")
    last = first + len(rows) - 1
    for col, key in ((1, ("level1",)), (2, ("level1", "level2"))):
        run = first
        for n in range(1, len(rows) + 1):
            prev, cur = rows[n - 1], rows[n] if n < len(rows) else None
            same = cur is not None and prev is not None and all(cur[k] == prev[k] for k in key)
            if not same:
                end = first + n - 1
                if end > run:
                    g.merges.append((run, col, end, col))
                run = end + 1
    g.merge(r, 0, last, 0, label, "head")
    return last + 1


def project_layout(sheet: dict, indicators: list[dict], department: tuple[str, str], title: str) -> Printed:
    """项目支出绩效目标申报表 (documents.md) as a print grid."""
    g = Printed(title=title, widths=WIDTHS)
    r = _heading(g, PROJECT_TITLE, f"项目编码：{sheet['project__code']}  年度：{sheet['year']}  版本：{sheet['number']}"
                                   f"（{_version_label(sheet['number'])}）")
    g.put(r, 0, "项目名称", "head")
    g.merge(r, 1, r, 5, sheet["project__name"], "text")
    r += 1
    g.put(r, 0, "主管部门及代码", "head")
    g.merge(r, 1, r, 2, f"{department[0]}（{department[1]}）", "text")
    g.put(r, 3, "实施单位", "head")
    g.merge(r, 4, r, 5, sheet["agency__name"], "text")
    r += 1
    start, end = sheet["project__start_year"], sheet["project__end_year"]
    g.put(r, 0, "项目属性", "head")
    g.merge(r, 1, r, 2, "新增" if sheet["project__is_new"] else "延续", "text")
    g.put(r, 3, "项目期", "head")
    g.merge(r, 4, r, 5, f"{start}年" if start == end else f"{start}—{end}年", "text")
    r += 1
    g.merge(r, 0, r + 2, 0, "项目资金（万元）", "head")
    for n, (medium_label, medium, annual_label, annual) in enumerate((
        ("中期资金总额", sheet["medium_amount"], "年度资金总额", sheet["amount"]),
        ("其中：财政拨款", sheet["medium_fiscal"], "其中：财政拨款", sheet["fiscal_amount"]),
        ("其他资金", sheet["medium_other"], "其他资金", sheet["other_amount"]),
    )):
        g.put(r + n, 1, medium_label, "head" if n == 0 else "text")
        g.put(r + n, 2, _wan(medium), "money")
        g.put(r + n, 3, annual_label, "head" if n == 0 else "text")
        g.merge(r + n, 4, r + n, 5, _wan(annual), "money")
    r += 3
    g.merge(r, 0, r + 1, 0, "总体目标", "head")
    g.merge(r, 1, r, 2, "中期目标", "head")
    g.merge(r, 3, r, 5, "年度目标", "head")
    g.merge(r + 1, 1, r + 1, 2, sheet["medium_goal"], "text")
    g.merge(r + 1, 3, r + 1, 5, sheet["annual_goal"], "text")
    g.heights[r + 1] = 60
    _indicator_table(g, r + 2, "绩效指标", indicators)
    return g


def agency_layout(sheet: dict, indicators: list[dict], tasks: list[dict], title: str) -> Printed:
    """部门整体支出绩效目标表 (documents.md) as a print grid."""
    g = Printed(title=title, widths=WIDTHS)
    r = _heading(g, AGENCY_TITLE, f"单位编码：{sheet['agency__code']}  年度：{sheet['year']}  版本：{sheet['number']}"
                                  f"（{_version_label(sheet['number'])}）")
    g.put(r, 0, "部门（单位）名称", "head")
    g.merge(r, 1, r, 5, sheet["agency__name"], "text")
    r += 1
    start = r
    g.merge(r, 1, r + 1, 1, "任务名称", "head")
    g.merge(r, 2, r + 1, 2, "主要内容", "head")
    g.merge(r, 3, r, 5, "预算金额（万元）", "head")
    for col, text in ((3, "总额"), (4, "财政拨款"), (5, "其他资金")):
        g.put(r + 1, col, text, "head")
    r += 2
    for t in tasks or [None]:
        g.put(r, 1, t["name"] if t else None, "text")
        g.put(r, 2, t["content"] if t else None, "text")
        for col, key in ((3, "amount"), (4, "fiscal_amount"), (5, "other_amount")):
            g.put(r, col, _wan(t[key]) if t else None, "money")
        r += 1
    g.merge(start, 0, r - 1, 0, "年度主要任务", "head")
    g.merge(r, 0, r, 2, "金额合计", "head")
    for col, key in ((3, "amount"), (4, "fiscal_amount"), (5, "other_amount")):
        g.put(r, col, _wan(sheet[key]), "money")
    r += 1
    g.put(r, 0, "年度总体目标", "head")
    g.merge(r, 1, r, 5, sheet["annual_goal"], "text")
    g.heights[r] = 60
    _indicator_table(g, r + 1, "年度绩效指标", indicators)
    return g


_SHEET_FIELDS = ("id", "kind", "year", "number", "medium_goal", "annual_goal", "amount", "fiscal_amount",
                 "other_amount", "medium_amount", "medium_fiscal", "medium_other", "agency__code", "agency__name",
                 "agency__path", "project__code", "project__name", "project__is_new", "project__start_year",
                 "project__end_year")
_INDICATOR_FIELDS = ("sheet_id", "position", "level1", "level2", "name", "operator", "value", "unit", "weight")
_TASK_FIELDS = ("sheet_id", "position", "name", "content", "amount", "fiscal_amount", "other_amount")


def _sheet_ids(sheets) -> list[int]:
    """The sheets' ids in the order given (a queryset's own ordering, or a list's)."""
    if hasattr(sheets, "values_list"):
        return list(sheets.values_list("pk", flat=True))
    return [s if isinstance(s, int) else s.pk for s in sheets]


def official_layouts(sheets, *, progress=None):
    """One ``Printed`` grid per sheet, in order, read in chunks of :data:`CHUNK` sheets with four
    queries each (sheets with their agency and project, indicators, tasks, the departments of their
    agencies) — never a query per sheet. ``progress(done, total)`` after each chunk."""
    from jixiao.org.models import Agency
    from jixiao.targets.models import TargetSheet, TargetTask

    ids = _sheet_ids(sheets)
    taken: set[str] = set()
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at:at + CHUNK]
        rows = {s["id"]: s for s in TargetSheet.objects.filter(pk__in=chunk).values(*_SHEET_FIELDS)}
        indicators: dict[int, list[dict]] = {}
        for i in TargetIndicator.objects.filter(sheet_id__in=chunk).order_by("sheet_id", "position").values(
                *_INDICATOR_FIELDS):
            indicators.setdefault(i["sheet_id"], []).append(i)
        tasks: dict[int, list[dict]] = {}
        for t in TargetTask.objects.filter(sheet_id__in=chunk).order_by("sheet_id", "position").values(*_TASK_FIELDS):
            tasks.setdefault(t["sheet_id"], []).append(t)
        tops = {s["id"]: _top_agency_id(s["agency__path"]) for s in rows.values()}
        departments = {pk: (name, code) for pk, name, code in Agency.objects.filter(
            pk__in={t for t in tops.values() if t}).values_list("pk", "name", "code")}
        for pk in chunk:
            s = rows.get(pk)
            if s is None:
                continue
            title = sheet_title(project_code=s["project__code"], agency_code=s["agency__code"], number=s["number"],
                                taken=taken)
            if s["kind"] == TargetKind.AGENCY:
                yield agency_layout(s, indicators.get(pk, []), tasks.get(pk, []), title)
            else:
                department = departments.get(tops[pk], (s["agency__name"], s["agency__code"]))
                yield project_layout(s, indicators.get(pk, []), department, title)
        if progress is not None:
            progress(min(at + CHUNK, len(ids)), len(ids))


def _top_agency_id(path: str) -> int | None:
    """The top department of an agency: the first id of its ``path`` ("/12/45/")."""
    first = (path or "").strip("/").split("/")[0]
    return int(first) if first.isdigit() else None


def official_workbook(sheets, *, progress=None, target=None) -> bytes | None:
    """One worksheet per target sheet (a queryset, or a list of sheets or ids) in the official layout
    of its kind, ready to print on A4. With ``target`` (a path or file object) the workbook is
    written there and nothing is returned."""
    return write_printed(official_layouts(sheets, progress=progress), styles=STYLES, target=target)


# --- the flat list ---------------------------------------------------------------------------------

FLAT_EXPORT = [
    Column("kind", FLAT_HEADERS["kind"], width=10),
    Column("agency", FLAT_HEADERS["agency"], width=12),
    Column("project", FLAT_HEADERS["project"], required=False, width=18),
    Column("title", FLAT_HEADERS["title"], width=30),
    Column("year", FLAT_HEADERS["year"], width=8),
    Column("number", FLAT_HEADERS["number"], width=8),
    Column("annual_goal", FLAT_HEADERS["annual_goal"], required=False, width=30),
    Column("position", FLAT_HEADERS["position"], width=6),
    Column("level1", FLAT_HEADERS["level1"], width=12),
    Column("level2", FLAT_HEADERS["level2"], width=16),
    Column("name", FLAT_HEADERS["name"], width=28),
    Column("value", FLAT_HEADERS["value"], width=16),
    Column("weight", FLAT_HEADERS["weight"], required=False, width=8),
    Column("scoring_standard", FLAT_HEADERS["scoring_standard"], required=False, width=24),
    Column("explanation", FLAT_HEADERS["explanation"], required=False, width=24),
    Column("value_basis", FLAT_HEADERS["value_basis"], required=False, width=14),
]
FLAT_SHEET = "绩效指标"
_FLAT_FIELDS = ("sheet_id", "sheet__kind", "sheet__agency__code", "sheet__project__code", "sheet__project__name",
                "sheet__agency__name", "sheet__year", "sheet__number", "sheet__annual_goal", "position", "level1",
                "level2", "name", "operator", "value", "unit", "weight", "scoring_standard", "explanation",
                "value_basis")


def flat_rows(sheets_queryset):
    """One dict per indicator, in sheet order; the annual goal on each sheet's first row only. One
    streamed query (no query per row)."""
    qs = (TargetIndicator.objects.filter(sheet__in=sheets_queryset.values("pk"))
          .order_by("sheet__agency__code", "sheet__kind", "sheet__project__code", "sheet__number", "sheet_id",
                    "position")
          .values_list(*_FLAT_FIELDS))
    last = None
    for (sheet_id, kind, agency_code, project_code, project_name, agency_name, year, number, goal, position, level1,
         level2, name, operator, value, unit, weight, scoring, explanation, basis) in qs.iterator(chunk_size=5000):
        first = sheet_id != last
        last = sheet_id
        yield {
            "kind": KIND_LABELS.get(kind, kind), "agency": agency_code, "project": project_code or "",
            "title": project_name if project_code else agency_name, "year": year, "number": number,
            "annual_goal": goal if first else None, "position": position,
            "level1": LEVEL1_LABELS.get(level1, level1), "level2": LEVEL2_LABELS.get(level2, level2), "name": name,
            "value": display_value(operator, value, unit),
            "weight": float(weight) if weight is not None else None, "scoring_standard": scoring,
            "explanation": explanation, "value_basis": BASIS_LABELS.get(basis, basis),
        }


def flat_workbook(sheets_queryset, *, target=None) -> bytes | None:
    """The flat list of the sheets' indicators (xlsxwriter, constant memory). With ``target`` (a path
    or file object) the workbook is written there and nothing is returned."""
    return write_fast(SheetData(FLAT_SHEET, FLAT_EXPORT, flat_rows(sheets_queryset)), target=target)


# --- the import template -----------------------------------------------------------------------

EXAMPLE = {
    "kind": "项目", "agency": "101001", "project": "XM2026101001001", "title": "教学楼抗震加固改造项目", "year": 2026,
    "number": 1, "annual_goal": "完成1号、2号教学楼抗震加固，校舍安全达标。", "position": 1, "level1": "产出指标",
    "level2": "数量指标", "name": "加固教学楼栋数", "value": "≥2栋", "weight": 20,
    "scoring_standard": "完成得满分，每少1栋扣10分", "explanation": "", "value_basis": "计划标准",
}
NOTES = [
    ("对象类型", "项目、政策 或 部门整体；空白时按是否填写项目编码判断"),
    ("项目编码 / 单位编码", "项目（政策）填项目编码；部门整体填单位编码。每个目标表按“编码 + 年度 + 版本号”识别，重复导入不会重复创建"),
    ("年度", "须与导入时选择的年度一致；空白即该年度"),
    ("版本号", "1 为申报版；调整版须先在系统中发起调整。空白即 1"),
    ("年度目标", "每个目标表填在其第一行即可；有此列而整张表都未填写，导入后年度目标为空。没有此列则不改动年度目标"),
    ("一级指标", "、".join(Level1.labels) + "（也可省略“指标”二字，或填代码）"),
    ("二级指标", "、".join(Level2.labels) + "（须属于所填一级指标）"),
    ("指标值", "运算符、数值、计量单位写在一格，如 ≥95%、≤120万元、=100%；定性指标直接写文字，如 明显提升。"
               "也可另设“运算符”“计量单位”两列"),
    ("运算符", "、".join(f"{label}" for label in Operator.labels) + "（也接受 >=、<=、大于等于、不低于 等写法）"),
    ("分值", "数字，可留空"),
    ("指标值确定依据", "、".join(ValueBasis.labels) + "，空白即 计划标准"),
    ("合并单元格", "一级、二级指标及编码列可向下合并，系统按上一行补齐"),
    ("导入规则", "全部正确才导入；任何一格有误都不写入，并逐格列出 工作表、行、列 和原因"),
]


def import_template() -> bytes:
    """The flat layout with one example row, and a 说明 sheet (skipped by the import)."""
    note_columns = [Column("item", "项目", width=18), Column("text", "填写说明", width=90)]
    return write_styled([
        SheetData(FLAT_SHEET, FLAT_EXPORT, [EXAMPLE]),
        SheetData("说明", note_columns, [{"item": k, "text": v} for k, v in NOTES]),
    ])
