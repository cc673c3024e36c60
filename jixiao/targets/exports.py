"""Excel out for target sheets (documents.md "Excel tables"):

- ``official_workbook``: one worksheet per sheet in the official layouts bureaus print and exchange —
  项目支出绩效目标申报表 (projects and policies) and 部门整体支出绩效目标表 (agencies' whole budgets) — styled
  (宋体 body, 黑体 headings, borders, merged label cells, 万元 with two decimals, A4 fitted to width).
  Each carries a "项目编码：… 年度：… 版本：…" line, so the same file imports back by key.
- ``flat_workbook``: the flat list (one row per indicator) for big exports, streamed with
  ``write_fast`` (constant memory) from one query over the indicators.
- ``import_template``: the flat layout, empty but for an example row, with a 说明 sheet.

Amounts are stored in yuan; the cells hold the exact 万元 value (yuan ÷ 10,000, shown with two
decimals), so a round trip through Excel keeps every cent."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from jixiao.core.excel import Column, SheetData, write_fast, write_styled
from jixiao.core.text import printable
from jixiao.library.choices import Level1, Level2, Operator, ValueBasis
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

WIDTHS = [12, 14, 16, 30, 18, 10]  # A–F: label, level 1, level 2, level 3, value, weight (print-friendly on A4)


def _wan(amount) -> float:
    """The exact 万元 value of a yuan amount as a number cell (formatted with two decimals)."""
    return float(Decimal(amount or 0) / WAN)


def sheet_title(sheet, taken: set[str]) -> str:
    """A worksheet name: unique, ≤31 characters, none of []:*?/\\ (Excel's rules)."""
    base = sheet.project.code if sheet.project_id else f"{sheet.agency.code}部门整体"
    if sheet.number > 1:
        base += f"-v{sheet.number}"
    base = _BAD_TITLE.sub("_", base)[:31] or "目标表"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


class _Writer:
    def __init__(self, ws):
        from openpyxl.styles import Alignment, Border, Font, Side

        self.ws = ws
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.body = Font(name="宋体", size=10.5)
        self.bold = Font(name="黑体", size=10.5)
        self.title_font = Font(name="黑体", size=16)
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.right = Alignment(horizontal="right", vertical="center")

    def cell(self, row, col, value=None, *, bold=False, align=None, money=False, border=True):
        if isinstance(value, str):
            value = printable(value)  # stored text XML cannot carry must not fail the export
        c = self.ws.cell(row=row, column=col, value=value)
        if isinstance(value, str) and value.startswith("="):
            c.data_type = "s"  # text stays text: never a live formula
        c.font = self.bold if bold else self.body
        c.alignment = align or (self.center if bold else self.left)
        if money:
            c.number_format = "#,##0.00"
            c.alignment = self.right
        if border:
            c.border = self.border
        return c

    def merge(self, r1, c1, r2, c2, value=None, **kw):
        first = self.cell(r1, c1, value, **kw)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1) and kw.get("border", True):
                    self.ws.cell(row=r, column=c).border = self.border
        if (r1, c1) != (r2, c2):
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        return first

    def title(self, text: str, key_line: str) -> int:
        c = self.merge(1, 1, 1, 6, text, border=False)
        c.font, c.alignment = self.title_font, self.center
        self.ws.row_dimensions[1].height = 32
        self.merge(2, 1, 2, 4, key_line, border=False).font = self.body
        c = self.merge(2, 5, 2, 6, "金额单位：万元", border=False)
        c.alignment = self.right
        return 3

    def indicators(self, r: int, label: str, indicators: list) -> int:
        """The indicator table: 一级 | 二级 | 三级 | 指标值 | 分值, level 1 and level 2 merged down
        their runs; column A holds the block's label merged down the whole table."""
        self.cell(r, 2, "一级指标", bold=True)
        self.cell(r, 3, "二级指标", bold=True)
        self.cell(r, 4, "三级指标", bold=True)
        self.cell(r, 5, "指标值", bold=True)
        self.cell(r, 6, "分值", bold=True)
        start = r
        first = r + 1
        rows = indicators or [None]
        for n, i in enumerate(rows):
            row = first + n
            if i is None:
                for col in range(2, 7):
                    self.cell(row, col, None)
                continue
            self.cell(row, 2, LEVEL1_LABELS.get(i.level1, i.level1), align=self.center)
            self.cell(row, 3, LEVEL2_LABELS.get(i.level2, i.level2), align=self.center)
            self.cell(row, 4, i.name)
            self.cell(row, 5, display_value(i.operator, i.value, i.unit), align=self.center)
            self.cell(row, 6, float(i.weight) if i.weight is not None else None, align=self.center)
        last = first + len(rows) - 1
        for col, attr in ((2, "level1"), (3, "level2")):
            run_start = first
            for n in range(1, len(rows) + 1):
                prev = rows[n - 1]
                cur = rows[n] if n < len(rows) else None
                same = (cur is not None and prev is not None and getattr(cur, attr) == getattr(prev, attr)
                        and (attr == "level1" or cur.level1 == prev.level1))
                if not same:
                    end = first + n - 1
                    if end > run_start:
                        self.ws.merge_cells(start_row=run_start, start_column=col, end_row=end, end_column=col)
                    run_start = end + 1
        self.merge(start, 1, last, 1, label, bold=True)
        return last + 1


def _department(agency):
    top = agency
    while top.parent_id is not None and top.parent is not None:
        top = top.parent
    return top


def _project_sheet(w: _Writer, sheet) -> None:
    project = sheet.project
    r = w.title(PROJECT_TITLE, f"项目编码：{project.code}  年度：{sheet.year}  版本：{sheet.number}"
                               f"（{sheet.version_label}）")
    department = _department(sheet.agency)
    w.cell(r, 1, "项目名称", bold=True)
    w.merge(r, 2, r, 6, project.name)
    r += 1
    w.cell(r, 1, "主管部门及代码", bold=True)
    w.merge(r, 2, r, 3, f"{department.name}（{department.code}）")
    w.cell(r, 4, "实施单位", bold=True)
    w.merge(r, 5, r, 6, sheet.agency.name)
    r += 1
    w.cell(r, 1, "项目属性", bold=True)
    w.merge(r, 2, r, 3, "新增" if project.is_new else "延续")
    w.cell(r, 4, "项目期", bold=True)
    period = (f"{project.start_year}年" if project.start_year == project.end_year
              else f"{project.start_year}—{project.end_year}年")
    w.merge(r, 5, r, 6, period)
    r += 1
    w.merge(r, 1, r + 2, 1, "项目资金（万元）", bold=True)
    for n, (medium_label, medium, annual_label, annual) in enumerate((
        ("中期资金总额", sheet.medium_amount, "年度资金总额", sheet.amount),
        ("其中：财政拨款", sheet.medium_fiscal, "其中：财政拨款", sheet.fiscal_amount),
        ("其他资金", sheet.medium_other, "其他资金", sheet.other_amount),
    )):
        w.cell(r + n, 2, medium_label, bold=n == 0)
        w.cell(r + n, 3, _wan(medium), money=True)
        w.cell(r + n, 4, annual_label, bold=n == 0)
        w.merge(r + n, 5, r + n, 6, _wan(annual), money=True)
    r += 3
    w.merge(r, 1, r + 1, 1, "总体目标", bold=True)
    w.merge(r, 2, r, 3, "中期目标", bold=True)
    w.merge(r, 4, r, 6, "年度目标", bold=True)
    w.merge(r + 1, 2, r + 1, 3, sheet.medium_goal)
    w.merge(r + 1, 4, r + 1, 6, sheet.annual_goal)
    w.ws.row_dimensions[r + 1].height = max(60, 15 * (1 + max(len(sheet.medium_goal), len(sheet.annual_goal)) // 30))
    w.indicators(r + 2, "绩效指标", list(sheet.indicators.all()))


def _agency_sheet(w: _Writer, sheet) -> None:
    r = w.title(AGENCY_TITLE, f"单位编码：{sheet.agency.code}  年度：{sheet.year}  版本：{sheet.number}"
                              f"（{sheet.version_label}）")
    w.cell(r, 1, "部门（单位）名称", bold=True)
    w.merge(r, 2, r, 6, sheet.agency.name)
    r += 1
    tasks = list(sheet.tasks.all())
    w.cell(r, 2, "任务名称", bold=True)
    w.cell(r, 3, "主要内容", bold=True)
    w.merge(r, 4, r, 6, "预算金额（万元）", bold=True)
    w.merge(r + 1, 2, r + 1, 3, None)
    w.ws.merge_cells(start_row=r, start_column=2, end_row=r + 1, end_column=2)
    w.ws.merge_cells(start_row=r, start_column=3, end_row=r + 1, end_column=3)
    w.cell(r + 1, 4, "总额", bold=True)
    w.cell(r + 1, 5, "财政拨款", bold=True)
    w.cell(r + 1, 6, "其他资金", bold=True)
    start = r
    r += 2
    for t in tasks or [None]:
        w.cell(r, 2, t.name if t else None)
        w.cell(r, 3, t.content if t else None)
        w.cell(r, 4, _wan(t.amount) if t else None, money=True)
        w.cell(r, 5, _wan(t.fiscal_amount) if t else None, money=True)
        w.cell(r, 6, _wan(t.other_amount) if t else None, money=True)
        r += 1
    w.merge(start, 1, r - 1, 1, "年度主要任务", bold=True)
    w.merge(r, 1, r, 3, "金额合计", bold=True)
    w.cell(r, 4, _wan(sheet.amount), money=True)
    w.cell(r, 5, _wan(sheet.fiscal_amount), money=True)
    w.cell(r, 6, _wan(sheet.other_amount), money=True)
    r += 1
    w.cell(r, 1, "年度总体目标", bold=True)
    w.merge(r, 2, r, 6, sheet.annual_goal)
    w.ws.row_dimensions[r].height = max(60, 15 * (1 + len(sheet.annual_goal) // 45))
    w.indicators(r + 1, "年度绩效指标", list(sheet.indicators.all()))


def official_workbook(sheets) -> bytes:
    """One worksheet per target sheet in the official layout of its kind."""
    from openpyxl import Workbook

    from jixiao.targets.models import TargetSheet

    if hasattr(sheets, "select_related"):
        sheets = (sheets.select_related("project", "agency", "agency__parent", "agency__parent__parent")
                  .prefetch_related("indicators", "tasks"))
    else:
        sheets = list(sheets)
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(sheets, "indicators", "tasks", "project", "agency__parent__parent")
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for sheet in sheets:
        assert isinstance(sheet, TargetSheet)
        ws = wb.create_sheet(printable(sheet_title(sheet, taken)))
        for n, width in enumerate(WIDTHS):
            ws.column_dimensions[chr(65 + n)].width = width
        w = _Writer(ws)
        if sheet.kind == TargetKind.AGENCY:
            _agency_sheet(w, sheet)
        else:
            _project_sheet(w, sheet)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
    if not wb.sheetnames:
        wb.create_sheet("目标表")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
