"""Excel in and out (house style 7; documents.md).

Reading streams rows with python-calamine and collects *every* bad cell as (sheet, row, column,
Chinese message) before anything is written; an import either commits whole or reports and writes
nothing. Writing produces styled sheets the way bureaus expect (title row, bold bordered headers,
万元 columns with two decimals) with openpyxl, or fast plain sheets with xlsxwriter for big exports.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.core.errors import ServiceError
from jixiao.core.money import MoneyError, from_wan, to_wan

MAX_REPORTED_ERRORS = 2000


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None
    column: str | None
    message: str
    header: str = ""

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”"
        if self.row:
            where += f"第 {self.row} 行"
        if self.column:
            where += f" {self.column} 列"
            if self.header:
                where += f"（{self.header}）"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    errors: list[CellError] = field(default_factory=list)
    truncated: bool = False

    def add(self, sheet: str, row: int | None, column: str | None, message: str, header: str = "") -> None:
        if len(self.errors) >= MAX_REPORTED_ERRORS:
            self.truncated = True
            return
        self.errors.append(CellError(sheet, row, column, message, header))

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = [str(e) for e in self.errors]
        if self.truncated:
            out.append(f"错误超过 {MAX_REPORTED_ERRORS} 处，其余未列出。")
        return out


class ImportFailed(ServiceError):
    """Raised by import services after collecting every error; the transaction rolls back whole."""

    status = 400
    code = "import_failed"

    def __init__(self, report: ImportReport):
        # in the order a person reads the file: sheet, row, column
        report.errors.sort(key=lambda e: (e.sheet, e.row or 0, len(e.column or ""), e.column or ""))
        self.report = report
        super().__init__(f"导入未完成：发现 {len(report.errors)} 处错误，未写入任何数据。")


# --- cell parsers: value → (parsed, error message or None) ---------------------------------------

def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def as_text(value: Any) -> str:
    """A cell as the text the user sees: 370724.0 → "370724", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def parse_text(value, *, max_length: int = 255):
    text = as_text(value)
    if len(text) > max_length:
        return None, f"内容过长（{len(text)} 字，最多 {max_length} 字）"
    return text, None


def parse_code(value):
    text = as_text(value)
    if any(ch.isspace() for ch in text):
        return None, f"代码“{text}”中不能有空格"
    return text, None


def parse_int(value):
    text = as_text(value)
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None, f"应为整数，收到“{text}”"
    if d != d.to_integral_value():
        return None, f"应为整数，收到“{text}”"
    return int(d), None


def parse_decimal(value):
    text = as_text(value).replace(",", "")
    if isinstance(value, float):
        text = repr(value)
    try:
        d = Decimal(text.rstrip("%"))
    except InvalidOperation:
        return None, f"应为数字，收到“{as_text(value)}”"
    if not d.is_finite():
        return None, f"应为数字，收到“{as_text(value)}”"
    return d, None


def parse_wan(value):
    """An amount in 万元 (number or numeric text) → Decimal yuan."""
    try:
        return from_wan(value if not isinstance(value, str) else value.strip()), None
    except (MoneyError, InvalidOperation):
        return None, f"金额应为数字（万元），收到“{as_text(value)}”"


def parse_bool(value):
    text = as_text(value)
    if text in ("是", "Y", "y", "1", "TRUE", "true", "True", "√"):
        return True, None
    if text in ("否", "N", "n", "0", "FALSE", "false", "False", ""):
        return False, None
    return None, f"应填“是”或“否”，收到“{text}”"


def parse_choice(mapping: dict[str, str]):
    """Accept the Chinese label or the code; report the accepted labels on a miss."""
    by_label = {label: code for code, label in mapping.items()}

    def parse(value):
        text = as_text(value)
        if text in by_label:
            return by_label[text], None
        if text in mapping:
            return text, None
        return None, f"“{text}”不是有效选项，应为：{'、'.join(mapping.values())}"

    return parse


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[Any], tuple[Any, str | None]] = parse_text
    required: bool = True
    aliases: tuple[str, ...] = ()
    width: int = 16
    money: bool = False  # written as 万元 with two decimals

    @property
    def written_header(self) -> str:
        """The header as written to a sheet: money columns carry their unit."""
        return self.header + ("（万元）" if self.money and "万元" not in self.header else "")

    def names(self) -> set[str]:
        return {self.header, self.written_header, *self.aliases}


@dataclass
class Row:
    sheet: str
    number: int  # the Excel row number users see
    values: dict[str, Any]
    letters: dict[str, str]  # key → column letter, for errors found later (e.g. unknown code)


def open_workbook(data: bytes | io.BufferedIOBase, report: ImportReport, *, name: str = "文件"):
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(data, (bytes, bytearray)):
            data = io.BytesIO(data)
        return CalamineWorkbook.from_filelike(data)
    except Exception:
        report.add(name, None, None, "不是有效的 Excel 文件（请上传 .xlsx 格式）")
        return None


def _normalise_header(value) -> str:
    return "".join(as_text(value).split()).replace("（", "(").replace("）", ")").replace("*", "")


def read_table(
    workbook, columns: list[Column], report: ImportReport, *, sheet: str | None = None, header_search_rows: int = 10
) -> Iterator[Row]:
    """Stream the rows of a flat table: find the header row (within the first rows; a title row may
    sit above it), map headers to columns, parse every cell, report every bad cell, skip blank rows.

    Rows with errors are reported and not yielded; the caller checks ``report.ok`` before writing."""
    names = workbook.sheet_names
    sheet_name = sheet or (names[0] if names else None)
    if sheet_name not in names:
        report.add(sheet or "?", None, None, f"找不到工作表“{sheet}”")
        return
    sheet_obj = workbook.get_sheet_by_name(sheet_name)
    # calamine pads the rows above the used range but not the columns left of it: offset the letters.
    first_column = (getattr(sheet_obj, "start", None) or (0, 0))[1]
    rows = sheet_obj.iter_rows()
    wanted = {_normalise_header(n): c for c in columns for n in c.names()}
    index: dict[str, int] = {}
    number = 0
    for raw in rows:
        number += 1
        found = {}
        for i, cell in enumerate(raw):
            col = wanted.get(_normalise_header(cell))
            if col is not None and col.key not in found:
                found[col.key] = i
        if len(found) >= max(1, sum(1 for c in columns if c.required) // 2 + 1) or len(found) == len(columns):
            index = found
            break
        if number >= header_search_rows:
            break
    if not index:
        report.add(sheet_name, None, None, "找不到表头行，请使用导出的模板：" + "、".join(c.header for c in columns))
        return
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        report.add(sheet_name, number, None, "缺少必需的列：" + "、".join(missing))
        return
    letters = {key: column_letter(first_column + i) for key, i in index.items()}
    for raw in rows:
        number += 1
        if all(is_blank(v) for v in raw):
            continue
        values: dict[str, Any] = {}
        bad = False
        for col in columns:
            i = index.get(col.key)
            value = raw[i] if i is not None and i < len(raw) else None
            if is_blank(value):
                if col.required:
                    report.add(sheet_name, number, letters.get(col.key), "必填，不能为空", col.header)
                    bad = True
                values[col.key] = None
                continue
            parsed, error = col.parse(value)
            if error:
                report.add(sheet_name, number, letters.get(col.key), error, col.header)
                bad = True
            values[col.key] = parsed
        if not bad:
            yield Row(sheet_name, number, values, letters)


# --- writing -----------------------------------------------------------------------------------

@dataclass
class SheetData:
    title: str  # sheet name (≤ 31 chars)
    columns: list[Column]
    rows: Iterable[dict[str, Any]]
    caption: str = ""  # a title row above the header, merged across the table
    note: str = ""  # a line under the caption, e.g. "金额单位：万元"


def write_styled(sheets: list[SheetData]) -> bytes:
    """Styled workbook with openpyxl: merged caption, bold bordered grey header, money as 万元 0.00,
    frozen header. Use for official tables and anything a person will print."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    for sd in sheets:
        ws = wb.create_sheet(sd.title[:31])
        r = 1
        ncol = len(sd.columns)
        if sd.caption:
            ws.cell(row=r, column=1, value=sd.caption).font = Font(name="宋体", size=16, bold=True)
            ws.cell(row=r, column=1).alignment = Alignment(horizontal="center", vertical="center")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(ncol, 1))
            ws.row_dimensions[r].height = 30
            r += 1
        if sd.note:
            ws.cell(row=r, column=1, value=sd.note).alignment = Alignment(horizontal="right")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(ncol, 1))
            r += 1
        header_row = r
        for i, col in enumerate(sd.columns, start=1):
            cell = ws.cell(row=r, column=i, value=col.written_header)
            cell.font = Font(name="黑体", bold=True)
            cell.fill = PatternFill("solid", fgColor="D9E1F2")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
            ws.column_dimensions[column_letter(i - 1)].width = col.width
        for data in sd.rows:
            r += 1
            for i, col in enumerate(sd.columns, start=1):
                value = data.get(col.key)
                if col.money and value is not None:
                    value = to_wan(value)
                cell = ws.cell(row=r, column=i, value=value)
                if isinstance(value, str) and value.startswith("="):
                    # text is text: a value someone typed as "=…" must not become a live formula
                    cell.data_type = "s"
                cell.border = border
                if col.money:
                    cell.number_format = "#,##0.00"
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_fast(sheet: SheetData, *, target=None) -> bytes | None:
    """Large plain sheets with xlsxwriter in constant-memory mode (rows streamed to disk)."""
    import xlsxwriter

    out = target or io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    ws = wb.add_worksheet(sheet.title[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    for i, col in enumerate(sheet.columns):
        ws.write(0, i, col.written_header, bold)
        ws.set_column(i, i, col.width)
    for r, data in enumerate(sheet.rows, start=1):
        for i, col in enumerate(sheet.columns):
            value = data.get(col.key)
            if col.money and value is not None:
                ws.write_number(r, i, float(to_wan(value)), money)  # xlsx stores IEEE doubles anyway
            elif value is not None:
                if isinstance(value, str):
                    ws.write_string(r, i, value)  # never a formula, whatever the text starts with
                else:
                    ws.write(r, i, value)
    wb.close()
    if target is None:
        return out.getvalue()
    return None
