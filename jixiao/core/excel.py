"""Excel in and out (house style 7; documents.md).

Reading streams rows with python-calamine and collects *every* bad cell as (sheet, row, column,
Chinese message) before anything is written; an import either commits whole or reports and writes
nothing. Writing produces styled sheets the way bureaus expect (title row, bold bordered headers,
万元 columns with two decimals) with openpyxl, or fast plain sheets with xlsxwriter for big exports.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.core.errors import ServiceError
from jixiao.core.money import MoneyError, from_wan_checked, to_wan
from jixiao.core.text import excerpt, printable

MAX_REPORTED_ERRORS = 2000
#: errors listed on the import page; the full list (up to MAX_REPORTED_ERRORS) downloads as .xlsx
MAX_SHOWN_ERRORS = 200
#: the longest message of one bad cell (parsers quote at most an excerpt of the value: core.text.excerpt)
MAX_MESSAGE_CHARS = 200


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
        # a message quotes at most a short excerpt of the bad cell (a 300 MB cell is not echoed back)
        self.errors.append(CellError(excerpt(sheet, 40), row, column, excerpt(message, MAX_MESSAGE_CHARS),
                                     excerpt(header, 40)))

    @property
    def ok(self) -> bool:
        return not self.errors

    def rows(self) -> list[dict]:
        return [{"sheet": e.sheet, "row": e.row, "column": e.column, "header": e.header, "message": e.message}
                for e in self.errors]

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


class FormulaCell:
    """A cell holding a formula with no value to read: no cached result (a file written by a program
    that does not calculate, or a value a user retyped as "=100%"), or an error result (#NAME?, #DIV/0!).
    The reader puts it where calamine gives an empty cell, so no reader takes it for a blank (必填，不能为空)
    or for a value: every reader reports it with :func:`formula_message`. It reads as "" where text is
    asked for and is never blank (:func:`is_blank`). A formula *with* a cached value is read by that value."""

    __slots__ = ("formula", "error")

    def __init__(self, formula: str, error: str = ""):
        self.formula = formula
        self.error = error

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"FormulaCell({self.formula!r}, {self.error!r})"

    def message(self) -> str:
        shown = excerpt(self.formula, 40) if self.formula else "公式"
        if self.error:
            return f"单元格是公式（{shown}），计算结果是错误值 {excerpt(self.error, 12)}：请改正公式，或复制后“粘贴为数值”再导入"
        return (f"单元格是公式（{shown}），没有可读取的计算结果：请在 Excel 中复制该单元格，“选择性粘贴 → 数值”后再导入"
                f"（要填写文字“{excerpt(self.formula.lstrip('='), 20)}”，请去掉开头的“=”）")


class FormulaRow(list):
    """A row holding at least one :class:`FormulaCell` (readers on a fast path test ``row.__class__``)."""

    __slots__ = ()


def formula_message(value: Any) -> str | None:
    """The report of a formula cell with no value to read, or None for any other cell."""
    return value.message() if value.__class__ is FormulaCell else None


def parse_text(value, *, max_length: int = 255):
    text = as_text(value)
    if len(text) > max_length:
        return None, f"内容过长（{len(text)} 字，最多 {max_length} 字）：“{excerpt(text)}”"
    return text, None


_WHITESPACE = re.compile(r"\s")  # the characters str.isspace() calls space (sre's Unicode whitespace class)


def parse_code(value):
    text = as_text(value)
    if _WHITESPACE.search(text):
        return None, f"代码“{excerpt(text)}”中不能有空格"
    return text, None


def parse_int(value):
    text = as_text(value)
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None, f"应为整数，收到“{excerpt(text)}”"
    if d != d.to_integral_value():
        return None, f"应为整数，收到“{excerpt(text)}”"
    return int(d), None


def parse_decimal(value):
    text = as_text(value).replace(",", "")
    if isinstance(value, float):
        text = repr(value)
    try:
        d = Decimal(text.rstrip("%"))
    except InvalidOperation:
        return None, f"应为数字，收到“{excerpt(as_text(value))}”"
    if not d.is_finite():
        return None, f"应为数字，收到“{excerpt(as_text(value))}”"
    return d, None


def parse_wan(value):
    """An amount in 万元 (number or numeric text) → Decimal yuan."""
    try:
        return from_wan_checked(value if not isinstance(value, str) else value.strip()), None
    except (MoneyError, InvalidOperation, ArithmeticError) as exc:
        if "过大" in str(exc) or "负数" in str(exc):
            return None, f"{exc}，收到“{excerpt(as_text(value))}”"
        return None, f"金额应为数字（万元），收到“{excerpt(as_text(value))}”"


def parse_bool(value):
    text = as_text(value)
    if text in ("是", "Y", "y", "1", "TRUE", "true", "True", "√"):
        return True, None
    if text in ("否", "N", "n", "0", "FALSE", "false", "False", ""):
        return False, None
    return None, f"应填“是”或“否”，收到“{excerpt(text)}”"


def parse_choice(mapping: dict[str, str]):
    """Accept the Chinese label or the code; report the accepted labels on a miss."""
    by_label = {label: code for code, label in mapping.items()}

    def parse(value):
        text = as_text(value)
        if text in by_label:
            return by_label[text], None
        if text in mapping:
            return text, None
        return None, f"“{excerpt(text)}”不是有效选项，应为：{'、'.join(mapping.values())}"

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
    #: names a region gave this column (its own export's headers): recognised like the aliases, and
    #: preferred to them when a header row holds both (``read_table``)
    mapped: tuple[str, ...] = ()

    @property
    def written_header(self) -> str:
        """The header as written to a sheet: money columns carry their unit."""
        return self.header + ("（万元）" if self.money and "万元" not in self.header else "")

    def names(self) -> set[str]:
        return {self.header, self.written_header, *self.aliases, *self.mapped}


@dataclass
class Row:
    sheet: str
    number: int  # the Excel row number users see
    values: dict[str, Any]
    letters: dict[str, str]  # key → column letter, for errors found later (e.g. unknown code)


# --- reading uploads safely ------------------------------------------------------------------------
#
# An upload is hostile until read. The read itself runs in a forked child process under an address-space
# and CPU-time limit, so whatever a reader does with a crafted file ends that child only and becomes a
# Chinese error here. Beside it (two cores: at no cost in time) this process checks the zip (entry count,
# declared sizes, compression ratio — zip bombs), each worksheet's declared <dimension> and the cell
# references in its <sheetData>, scanned as a stream (never loaded), so a 4.7 KB sheet naming A1 and
# XFD1048576 (which makes calamine allocate 512 GB and abort) is refused with a clear message and the child
# ended. The child returns plain rows (lists of Python values) with every text cleaned
# (jixiao.core.text.clean, once per distinct text) and cut at Excel's own cell limit, which is what a
# 300 MB cell must never be allowed to cost.

#: Excel's own limit on the characters of one cell; longer is not a spreadsheet someone typed.
MAX_CELL_CHARS = 32_767
#: Zip entries in an .xlsx (a workbook with 200 sheets has ~ 410).
MAX_ZIP_ENTRIES = 2_000
#: Declared uncompressed bytes of one entry / of all entries (a 100,000-row sheet is ~ 60 MB of XML).
MAX_ENTRY_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 400 * 1024 * 1024
#: Uncompressed ÷ compressed for an entry above 1 MB; spreadsheet XML compresses 5–30×, bombs 1000×.
MAX_RATIO = 200
#: Cells of a sheet's bounding box (from A1): the reader allocates every one of them. 10 million is
#: 100,000 rows × 100 columns; XFD1048576 would be 17 billion.
MAX_SHEET_CELLS = 10_000_000
NOT_XLSX = "不是有效的 Excel 文件（请上传 .xlsx 格式）"

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=[\"']([^\"']*)[\"']")
# Fast paths (a literal " r=" prefix, so the regex engine skips ahead): only columns of two letters
# and more, and rows of six digits and more, can make a sheet too large; other whitespace before r=
# (never written by Excel) falls back to the general patterns.
_WIDE_COLUMN = re.compile(rb""" r=["']([A-Za-z]{2,4})\d""")
_DEEP_ROW = re.compile(rb""" r=["'][A-Za-z]{0,4}(\d{6,12})["']""")
_ANY_COLUMN = re.compile(rb"""\sr=["']([A-Za-z]{1,4})\d""")
_ANY_ROW = re.compile(rb"""\sr=["'][A-Za-z]{0,4}(\d{1,12})["']""")
_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d{1,12})$")


def column_index(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def upload_limits() -> dict:
    from django.conf import settings

    return {
        "max_bytes": getattr(settings, "JIXIAO_IMPORT_MAX_MB", 20) * 1024 * 1024,
        "memory_bytes": getattr(settings, "JIXIAO_IMPORT_MEMORY_MB", 1024) * 1024 * 1024,
        "seconds": getattr(settings, "JIXIAO_IMPORT_SECONDS", 120),
    }


class _Refused(Exception):
    """An upload refused before reading; the message is the Chinese reason."""


def _sheet_names(zf) -> dict[str, str]:
    """Worksheet part → the name the user sees (best effort: the part path when unknown)."""
    import xml.etree.ElementTree as ET

    names: dict[str, str] = {}
    try:
        if zf.getinfo("xl/workbook.xml").file_size > 10 * 1024 * 1024:
            return names
        if zf.getinfo("xl/_rels/workbook.xml.rels").file_size > 10 * 1024 * 1024:
            return names
        rels = {}
        for el in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels")):
            target = el.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[el.get("Id")] = target
        for el in ET.fromstring(zf.read("xl/workbook.xml")).iter():
            if el.tag.endswith("}sheet") or el.tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                if rid in rels:
                    names[rels[rid]] = el.get("name", rels[rid])
    except Exception:  # a damaged part is reported by the reader itself, below
        return names
    return names


#: formula cells without a readable value collected per file (each costs a few hundred bytes in the parent)
MAX_FORMULA_CELLS = 20_000
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\s[^>]*>")
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_CELL_REF = re.compile(rb"""\sr=["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']""")
_CELL_TYPE = re.compile(rb"""\st=["'](\w+)["']""")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_CACHED = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


class _TooManyFormulas(Exception):
    pass


def _formula_cells(data: bytes, found: dict) -> None:
    """Add to ``found`` ((row, column) 0-based → FormulaCell) the formula cells of this XML piece that
    have no cached value or an error value. A cell cut by the chunk's end is found in the next piece
    (``_scan_sheet`` carries the last bytes over); the same cell found twice is the same entry."""
    import html

    for m in _FORMULA_TAG.finditer(data):
        p = m.start()
        opens = list(_CELL_OPEN.finditer(data, max(0, p - 1024), p))
        if not opens:
            continue
        start = opens[-1]
        close = _CELL_CLOSE.search(data, p)
        if close is None or _CELL_CLOSE.search(data, start.end(), p):
            continue
        ref = _CELL_REF.search(start.group(0))
        if ref is None:
            continue
        cell = data[start.end():close.start()]
        cached = _CACHED.search(cell)
        kind = _CELL_TYPE.search(start.group(0))
        error = kind is not None and kind.group(1) == b"e"
        if cached is not None and cached.group(1).strip() and not error:
            continue  # read by its cached value
        text = _FORMULA_TEXT.search(cell)
        formula = html.unescape(text.group(1).decode("utf-8", "replace")) if text and text.group(1) else ""
        key = (int(ref.group(2)) - 1, column_index(ref.group(1).decode("ascii")) - 1)
        if key not in found and len(found) >= MAX_FORMULA_CELLS:
            raise _TooManyFormulas
        found[key] = FormulaCell(f"={formula}" if formula else "",
                                 html.unescape(cached.group(1).decode("utf-8", "replace")) if error and cached else "")


def _scan_sheet(stream, label: str, formulas: dict | None = None) -> None:
    """Stream a worksheet's XML: the declared dimension and every cell / row reference within bounds;
    with ``formulas``, collect its formula cells that have no value to read (:func:`_formula_cells`)."""
    max_row = 0
    max_col = 26
    tail = b""
    read = 0
    while True:
        chunk = stream.read(1 << 22)
        if not chunk:
            break
        read += len(chunk)
        if read > MAX_ENTRY_BYTES:
            raise _Refused(f"工作表“{label}”过大（超过 {MAX_ENTRY_BYTES // (1024 * 1024)} MB）")
        data = tail + chunk
        head = data.find(b"sheetData")  # the dimension comes before the cells
        for m in _DIMENSION.finditer(data, 0, head if head >= 0 else len(data)):
            corners = [_REF.match(p.decode("ascii", "replace")) for p in m.group(1).split(b":")]
            if all(corners):
                rows = max(int(c.group(2)) for c in corners)
                cols = max(column_index(c.group(1)) for c in corners)
                if rows * cols > MAX_SHEET_CELLS:
                    raise _Refused(
                        f"工作表“{label}”声明的范围 {m.group(1).decode('ascii', 'replace')[:40]} 过大"
                        f"（{rows} 行 × {cols} 列，超过 {MAX_SHEET_CELLS} 个单元格）")
        odd = b"\tr=" in data or b"\nr=" in data or b"\rr=" in data
        columns = set((_ANY_COLUMN if odd else _WIDE_COLUMN).findall(data))
        if columns:
            max_col = max(max_col, max(column_index(c.decode("ascii")) for c in columns))
        rows_here = set((_ANY_ROW if odd else _DEEP_ROW).findall(data))
        if rows_here:
            max_row = max(max_row, max(map(int, rows_here)))
        if max_row * max_col > MAX_SHEET_CELLS or max_col > 16_384 or max_row > 1_048_576:
            raise _Refused(f"工作表“{label}”的单元格范围过大（到第 {max_row} 行、第 {max_col} 列，"
                           f"超过 {MAX_SHEET_CELLS} 个单元格或 Excel 的行列上限）")
        if formulas is not None and (b"<f" in data or b":f" in data):
            try:
                _formula_cells(data, formulas.setdefault(label, {}))
            except _TooManyFormulas:
                raise _Refused(f"文件中没有计算结果的公式单元格过多（超过 {MAX_FORMULA_CELLS} 个）：请在 Excel 中打开、"
                               "保存（或复制后“粘贴为数值”）再导入")
        tail = data[-512:]


def check_upload(data: bytes, *, max_bytes: int | None = None, formulas: dict | None = None) -> None:
    """Refuse (``_Refused``) what is not an .xlsx or could exhaust the server; read nothing else. With
    ``formulas``, fills it: sheet name → {(row, column): FormulaCell} of formulas with no value to read."""
    import zipfile

    limit = max_bytes if max_bytes is not None else upload_limits()["max_bytes"]
    if len(data) > limit:
        raise _Refused(f"文件过大（{len(data) / 1024 / 1024:.1f} MB，最大 {limit // (1024 * 1024)} MB）")
    if not data.startswith(b"PK"):
        raise _Refused(NOT_XLSX)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _Refused(NOT_XLSX)
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _Refused(f"文件结构异常（压缩包内有 {len(infos)} 个部件，最多 {MAX_ZIP_ENTRIES} 个）")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise _Refused(f"文件解压后过大（超过 {MAX_TOTAL_BYTES // (1024 * 1024)} MB），疑为压缩炸弹，已拒绝")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(f"文件压缩比异常（{info.filename[:60]} 解压后为压缩前的 "
                           f"{info.file_size // max(info.compress_size, 1)} 倍），疑为压缩炸弹，已拒绝")
    names = _sheet_names(zf)
    try:
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as stream:
                    _scan_sheet(stream, names.get(info.filename, info.filename), formulas)
    except _Refused:
        raise
    except Exception:
        raise _Refused(NOT_XLSX)


def _load(data: bytes) -> dict:
    """In the child: every sheet as rows of plain values, each text cut at MAX_CELL_CHARS and cleaned of
    control and zero-width characters (``core.text.clean``). Equal texts become one object, cleaned
    once (a flat sheet repeats its level names, units and codes on every row), so the rows pickle and
    unpickle as references and the parent's caches keyed by text find them by identity. Each sheet's
    rows are pickled on their own as soon as it is read — so neither the child nor the parent ever holds
    more than one sheet as Python objects (a region's year of payments is a million rows in a dozen
    sheets); :class:`Workbook` unpickles a sheet when it is asked for."""
    import pickle

    from python_calamine import CalamineWorkbook

    from jixiao.core.text import clean

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    long_cells = []
    seen: dict[str, str] = {}
    known = seen.get
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            start = sheet.start
            raw_rows = sheet.iter_rows()
        except Exception:
            sheets.append((name, None, None))
            continue
        rows = []
        first_col = (start or (0, 0))[1]
        for r, raw in enumerate(raw_rows, start=1):
            for i, v in enumerate(raw):
                if v.__class__ is str and v:
                    w = known(v)
                    if w is None:
                        w = seen[v] = clean(v[:40] if len(v) >= MAX_CELL_CHARS else v)
                    if len(v) >= MAX_CELL_CHARS:  # calamine cuts longer cells to this length
                        long_cells.append((name, r, column_letter(first_col + i), len(v)))
                    raw[i] = w
            rows.append(raw)
        sheets.append((name, start, pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)))
        del rows, raw_rows, sheet
    return {"sheets": sheets, "long_cells": long_cells}


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class _ContainedRead:
    """A :func:`_load` running in a forked child limited to ``memory_bytes`` more address space and
    ``seconds`` of CPU and wall time: :meth:`result` waits for it (the rows, or ``_Refused`` with the
    reason it failed); :meth:`cancel` ends it. Started before the parent's own scan of the upload
    (:func:`open_workbook`), so the two run side by side."""

    def __init__(self, data: bytes, *, memory_bytes: int, seconds: int):
        import os
        import time

        self.seconds = seconds
        self.pid = None
        if not hasattr(os, "fork"):  # not a POSIX server: read in process (development on other systems)
            try:
                self.value = ("ok", _load(data))
            except Exception:
                self.value = ("error", None)
            return
        import python_calamine  # noqa: F401 — loaded here, so the child's budget is for reading only

        from jixiao.core import text  # noqa: F401

        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            self._child(data, read_fd, write_fd, memory_bytes, seconds)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd
        self.deadline = time.monotonic() + seconds + 2

    @staticmethod
    def _child(data, read_fd, write_fd, memory_bytes, seconds):
        import os
        import pickle

        status = 0
        try:
            os.close(read_fd)
            import faulthandler
            import resource

            faulthandler.disable()  # a reader that aborts ends this child quietly

            limit = _vm_bytes() + memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
            try:
                result = ("ok", _load(data))
            except MemoryError:
                result = ("memory", None)
            except BaseException as exc:  # noqa: BLE001 — any reader failure is reported, not raised
                result = ("memory" if isinstance(exc, (ImportError, OSError)) else "error", type(exc).__name__)
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view):]
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)

    def cancel(self) -> None:
        """End the child (the parent's scan refused the upload): nothing it read is wanted."""
        import os
        import signal

        if self.pid is None:
            return
        os.close(self.fd)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        self.pid = None

    def result(self):
        import os
        import pickle
        import select
        import signal
        import time

        if self.pid is None:
            kind, value = self.value
        else:
            chunks = []
            timed_out = False
            try:
                while True:
                    left = self.deadline - time.monotonic()
                    if left <= 0:
                        timed_out = True
                        break
                    ready, _, _ = select.select([self.fd], [], [], min(left, 1.0))
                    if not ready:
                        continue
                    chunk = os.read(self.fd, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
            finally:
                os.close(self.fd)
                if timed_out:
                    os.kill(self.pid, signal.SIGKILL)
                _, status = os.waitpid(self.pid, 0)
                self.pid = None
            if timed_out or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)):
                raise _Refused(f"文件读取超时（超过 {self.seconds} 秒），已停止；请拆分文件后重试")
            try:
                kind, value = pickle.loads(b"".join(chunks)) if chunks else ("crashed", None)
            except Exception:
                kind, value = "crashed", None
        if kind == "ok":
            return value
        if kind in ("memory", "crashed"):
            raise _Refused("文件无法读取：读取所需内存超出限制或文件结构异常，已停止（服务器未受影响）；"
                           "请检查文件或拆分后重试")
        raise _Refused(NOT_XLSX)


def read_contained(data: bytes, *, memory_bytes: int, seconds: int):
    """``_load(data)`` in a forked child limited to ``memory_bytes`` more address space and ``seconds``
    of CPU and wall time. Returns the result, or raises ``_Refused`` with the reason it failed."""
    return _ContainedRead(data, memory_bytes=memory_bytes, seconds=seconds).result()


class _Sheet:
    """What the readers use of a calamine sheet: ``start`` and ``iter_rows()`` (rows above the used
    range padded, as calamine does)."""

    def __init__(self, name, start, rows):
        self.name = name
        self.start = start
        self._rows = rows

    def iter_rows(self):
        return iter(self._rows)


class Workbook:
    """A workbook read by :func:`open_workbook`: ``sheet_names`` and ``get_sheet_by_name``. A sheet's rows
    are a list, or the child reader's pickle of it (unpickled — and its formula cells without a value
    put in place, ``formulas``: sheet → {(row, column): FormulaCell} — each time the sheet is asked for;
    the readers ask once per sheet)."""

    def __init__(self, sheets, formulas: dict | None = None):
        self._sheets = {name: (start, rows) for name, start, rows in sheets}
        self.sheet_names = [name for name, _, _ in sheets]
        self._formulas = formulas or {}

    def get_sheet_by_name(self, name: str) -> _Sheet:
        import pickle

        start, rows = self._sheets[name]
        if rows is None:
            raise ValueError(f"工作表“{name}”无法读取")
        if isinstance(rows, bytes):
            rows = pickle.loads(rows)  # written by our own child reader (_load), never by the upload
        cells = self._formulas.get(name)
        if cells:
            start, rows = _place_formulas(start, rows, cells)
        return _Sheet(name, start, rows)


def open_workbook(data: bytes | io.BufferedIOBase, report: ImportReport, *, name: str = "文件"):
    """An upload → a :class:`Workbook`, or ``None`` with the reason in ``report``. Never raises on what
    the file holds, never lets the file take the server down (see the section comment above)."""
    if not isinstance(data, (bytes, bytearray)):
        limits = upload_limits()
        data = data.read(limits["max_bytes"] + 1)
    data = bytes(data)
    limits = upload_limits()
    formulas: dict = {}
    try:
        if len(data) > limits["max_bytes"]:  # the size first: nothing this large is even handed to a reader
            check_upload(data, max_bytes=limits["max_bytes"])
        # The contained child reads while this process scans the upload (check_upload): on two cores the
        # scan costs no time. The child cannot hurt the server whatever the file holds (its limits), and
        # when the scan refuses the file the child is ended and the scan's reason is reported.
        reading = _ContainedRead(data, memory_bytes=limits["memory_bytes"], seconds=limits["seconds"])
        try:
            check_upload(data, max_bytes=limits["max_bytes"], formulas=formulas)
        except _Refused:
            reading.cancel()
            raise
        loaded = reading.result()
    except _Refused as refused:
        report.add(name, None, None, str(refused))
        return None
    for sheet, row, column, _length in loaded["long_cells"]:
        report.add(sheet, row, column, f"单元格内容过长（达到 Excel 单元格上限 {MAX_CELL_CHARS} 字，超出部分无法读取）")
    return Workbook(loaded["sheets"], formulas={n: cells for n, cells in formulas.items() if cells})


def _place_formulas(start, rows: list, cells: dict | None):
    """Put each :class:`FormulaCell` where calamine left an empty cell (widening the rows' range when
    the formula lies outside calamine's used range); the rows holding one become :class:`FormulaRow`.
    Calamine pads the rows above its range but not the columns left of it: ``start`` moves left."""
    if not cells:
        return start, rows
    first_row, first_col = start or (0, min(c for _, c in cells))
    left = min(first_col, min(c for _, c in cells))
    if left < first_col:
        pad = [""] * (first_col - left)
        rows = [[*pad, *row] for row in rows]
        first_col = left
    for (r, c), cell in sorted(cells.items()):
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        i = c - first_col
        if len(row) <= i:
            row = [*row, *[""] * (i + 1 - len(row))]
        if row[i] in ("", None):
            row = row if row.__class__ is FormulaRow else FormulaRow(row)
            row[i] = cell
        rows[r] = row
    return (first_row, first_col), rows


#: CSV cells of a whole file (the same bound as an .xlsx sheet's bounding box)
MAX_CSV_CELLS = MAX_SHEET_CELLS
NOT_CSV = "不是有效的 CSV 文件（应为逗号分隔的文本，UTF-8 或 GBK 编码）"


def open_csv(data: bytes | io.BufferedIOBase, report: ImportReport, *, name: str = "CSV 文件"):
    """A CSV upload (as payment systems export them: UTF-8 with or without BOM, or GBK/GB18030; comma,
    tab or semicolon separated) → a :class:`Workbook` of one sheet called ``name``, or ``None`` with the
    reason in ``report``. The same bounds as :func:`open_workbook`: the upload size, the cell count,
    Excel's cell length; every cell cleaned (``core.text.clean``). Cells stay text: the column parsers
    read numbers and dates from text as from spreadsheet values."""
    import csv

    from jixiao.core.text import clean

    limits = upload_limits()
    if not isinstance(data, (bytes, bytearray)):
        data = data.read(limits["max_bytes"] + 1)
    data = bytes(data)
    if len(data) > limits["max_bytes"]:
        report.add(name, None, None, f"文件过大（{len(data) / 1024 / 1024:.1f} MB，最大 "
                                     f"{limits['max_bytes'] // (1024 * 1024)} MB）")
        return None
    if data.startswith(b"PK") or b"\x00" in data[:4096]:
        report.add(name, None, None, NOT_CSV)
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover — gb18030 decodes any byte string
        report.add(name, None, None, NOT_CSV)
        return None
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows, cells = [], 0
    try:
        for number, raw in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            cells += len(raw)
            if cells > MAX_CSV_CELLS:
                report.add(name, None, None, f"文件过大（超过 {MAX_CSV_CELLS} 个单元格）")
                return None
            row = []
            for i, value in enumerate(raw):
                if len(value) > MAX_CELL_CHARS:
                    report.add(name, number, column_letter(i),
                               f"单元格内容过长（超过 Excel 单元格上限 {MAX_CELL_CHARS} 字）")
                    value = value[:40]
                row.append(clean(value))
            rows.append(row)
    except csv.Error:
        report.add(name, None, None, NOT_CSV)
        return None
    return Workbook([(name, (0, 0), rows)])


def open_table(data: bytes, report: ImportReport, *, filename: str = ""):
    """An upload that may be an .xlsx or a .csv (by its leading bytes: an .xlsx is a zip): the
    :class:`Workbook` of :func:`open_workbook` or :func:`open_csv`, or ``None`` with the reason."""
    if not isinstance(data, (bytes, bytearray)):
        data = data.read(upload_limits()["max_bytes"] + 1)
    if bytes(data[:2]) == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return open_workbook(data, report)
    return open_csv(data, report, name=filename or "CSV 文件")


def _normalise_header(value) -> str:
    return "".join(as_text(value).split()).replace("（", "(").replace("）", ")").replace("*", "")


@dataclass
class Header:
    """A flat table's header row as :func:`find_header` found it: the rows after it (``rows``, an
    iterator positioned on the first data row), its Excel row ``number``, each column key's position
    in a row (``index``) and its letter (``letters``)."""

    sheet: str
    rows: Iterator
    number: int
    index: dict[str, int]
    letters: dict[str, str]


def find_header(workbook, columns: list[Column], report: ImportReport, *, sheet: str | None = None,
                header_search_rows: int = 10) -> Header | None:
    """Find the header row of a flat table (within the first rows; a title row may sit above it) and
    map headers to columns — a column's region-given names (``Column.mapped``) first —, or report why
    not (no such sheet, no header row, a required column missing) and return None."""
    names = workbook.sheet_names
    sheet_name = sheet or (names[0] if names else None)
    if sheet_name not in names:
        report.add(sheet or "?", None, None, f"找不到工作表“{sheet}”")
        return None
    try:
        sheet_obj = workbook.get_sheet_by_name(sheet_name)
    except Exception:
        report.add(sheet_name, None, None, "工作表已损坏，无法读取（" + NOT_XLSX + "）")
        return None
    # calamine pads the rows above the used range but not the columns left of it: offset the letters.
    first_column = (getattr(sheet_obj, "start", None) or (0, 0))[1]
    rows = iter(sheet_obj.iter_rows())
    wanted = {_normalise_header(n): c for c in columns for n in c.names()}
    # a region's own names win over the common spellings, in the mapping and in the header row
    preferred = {_normalise_header(n): c for c in columns for n in c.mapped}
    wanted.update(preferred)
    index: dict[str, int] = {}
    number = 0
    for raw in rows:
        number += 1
        found = {}
        by_mapping = set()
        for i, cell in enumerate(raw):
            name = _normalise_header(cell)
            col = wanted.get(name)
            if col is None:
                continue
            if col.key not in found or (name in preferred and col.key not in by_mapping):
                found[col.key] = i
                if name in preferred:
                    by_mapping.add(col.key)
        if len(found) >= max(1, sum(1 for c in columns if c.required) // 2 + 1) or len(found) == len(columns):
            index = found
            break
        if number >= header_search_rows:
            break
    if not index:
        report.add(sheet_name, None, None, "找不到表头行，请使用导出的模板：" + "、".join(c.header for c in columns))
        return None
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        report.add(sheet_name, number, None, "缺少必需的列：" + "、".join(missing))
        return None
    letters = {key: column_letter(first_column + i) for key, i in index.items()}
    return Header(sheet_name, rows, number, index, letters)


def parse_row(raw, columns: list[Column], header: Header, number: int, report: ImportReport) -> Row | None:
    """One data row parsed cell by cell, every bad cell reported; None when it has any (or is blank:
    then nothing is reported). The readers' slow path: a fast reader hands any row it does not take
    at sight to this, so the messages are the same."""
    if all(is_blank(v) for v in raw):
        return None
    index, letters, sheet_name = header.index, header.letters, header.sheet
    values: dict[str, Any] = {}
    bad = False
    for col in columns:
        i = index.get(col.key)
        value = raw[i] if i is not None and i < len(raw) else None
        if value.__class__ is FormulaCell:
            report.add(sheet_name, number, letters.get(col.key), value.message(), col.header)
            bad = True
            values[col.key] = None
            continue
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
    return None if bad else Row(sheet_name, number, values, letters)


def read_table(
    workbook, columns: list[Column], report: ImportReport, *, sheet: str | None = None, header_search_rows: int = 10
) -> Iterator[Row]:
    """Stream the rows of a flat table: find the header row (:func:`find_header`), parse every cell
    (:func:`parse_row`), report every bad cell, skip blank rows.

    Rows with errors are reported and not yielded; the caller checks ``report.ok`` before writing."""
    header = find_header(workbook, columns, report, sheet=sheet, header_search_rows=header_search_rows)
    if header is None:
        return
    number = header.number
    for raw in header.rows:
        number += 1
        row = parse_row(raw, columns, header, number, report)
        if row is not None:
            yield row


# --- writing -----------------------------------------------------------------------------------

@dataclass
class SheetData:
    title: str  # sheet name (≤ 31 chars)
    columns: list[Column]
    rows: Iterable[dict[str, Any]]
    caption: str = ""  # a title row above the header, merged across the table
    note: str = ""  # a line under the caption, e.g. "金额单位：万元"


_TITLE_ILLEGAL = re.compile(r"[\\/*?:\[\]]")


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no control characters or \\ / * ? : [ ], at most 31 characters."""
    return (_TITLE_ILLEGAL.sub("_", printable(title)).strip("'") or "Sheet")[:31]


def _wan_or_text(value):
    """A stored amount in 万元, or "金额异常" for a value no amount can be (never an exception)."""
    try:
        return to_wan(value)
    except (MoneyError, ArithmeticError, ValueError):
        return "金额异常"


def _text_cell(ws, row: int, column: int, text: str):
    """An openpyxl cell holding ``text`` as text (openpyxl makes any string starting with "=" a formula)."""
    cell = ws.cell(row=row, column=column, value=printable(text))
    cell.data_type = "s"
    return cell


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
        ws = wb.create_sheet(_sheet_title(sd.title))
        r = 1
        ncol = len(sd.columns)
        if sd.caption:
            _text_cell(ws, r, 1, sd.caption).font = Font(name="宋体", size=16, bold=True)
            ws.cell(row=r, column=1).alignment = Alignment(horizontal="center", vertical="center")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(ncol, 1))
            ws.row_dimensions[r].height = 30
            r += 1
        if sd.note:
            _text_cell(ws, r, 1, sd.note).alignment = Alignment(horizontal="right")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(ncol, 1))
            r += 1
        header_row = r
        for i, col in enumerate(sd.columns, start=1):
            cell = _text_cell(ws, r, i, col.written_header)
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
                    value = _wan_or_text(value)
                elif isinstance(value, str):
                    value = printable(value)  # stored text XML cannot carry must not fail the export
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
    ws = wb.add_worksheet(_sheet_title(sheet.title))
    bold = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    for i, col in enumerate(sheet.columns):
        ws.write_string(0, i, printable(col.written_header), bold)
        ws.set_column(i, i, col.width)
    for r, data in enumerate(sheet.rows, start=1):
        for i, col in enumerate(sheet.columns):
            value = data.get(col.key)
            if col.money and value is not None:
                wan = _wan_or_text(value)
                if isinstance(wan, str):
                    ws.write_string(r, i, wan)
                else:
                    ws.write_number(r, i, float(wan), money)  # xlsx stores IEEE doubles anyway
            elif value is not None:
                if isinstance(value, str):
                    ws.write_string(r, i, printable(value))  # never a formula, whatever the text starts with
                else:
                    ws.write(r, i, value)
    wb.close()
    if target is None:
        return out.getvalue()
    return None


# --- printed forms (official tables laid out for A4) -------------------------------------------------
#
# An official table is built as a :class:`Printed` grid — plain data: cells, merges, column widths,
# print setup — by the app's export code, and written by :func:`write_printed` with xlsxwriter in
# constant-memory mode (rows streamed to disk, one worksheet after another), so a county's hundreds
# of sheets take seconds and a bounded amount of memory. Row heights are computed from the text
# (:func:`fit_row_heights`), because neither Excel, WPS nor LibreOffice grows a row for wrapped text
# in a merged cell when printing, and a row that is too low hides or overlaps the text.

#: Excel's column-width unit is the widest digit of the default font (Calibri 11: 7 px) plus 5 px of
#: padding per column; the text itself has about 2 px of margin on each side.
_UNIT_PX, _COLUMN_PAD_PX, _TEXT_MARGIN_PX = 7, 5, 4
#: a full-width (CJK) character is one em; Latin letters and digits at most 0.6 em in the fonts that
#: stand in for 宋体 (SimSun in WPS/Excel: 0.5 em; Noto CJK in LibreOffice: ≤ 0.6 em)
_HALF_EM = 0.6
#: line pitch as a multiple of the font size: Noto CJK (LibreOffice) sets 10.5 pt text 15.2 pt apart,
#: SimSun (WPS) tighter; 1.5 fits both with a little air
LINE_PITCH = 1.5
#: points above and below the text in a cell
CELL_PAD_PT = 5.0


def column_px(width: float) -> int:
    """A column's printed width in pixels (96 dpi) for Excel's width unit."""
    return int(width * _UNIT_PX + _COLUMN_PAD_PX)


def _char_em(ch: str) -> float:
    import unicodedata

    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else _HALF_EM


def wrapped_lines(text: str, *, width_px: float, font_pt: float) -> int:
    """How many lines ``text`` takes when wrapped into ``width_px`` (greedy, character by character
    — CJK text breaks anywhere; a Latin word is kept whole when it fits on a line of its own, as
    Excel and WPS do). Explicit line breaks start a new line. Empty text is one line."""
    em_px = font_pt * 96 / 72
    usable = max(width_px - _TEXT_MARGIN_PX, em_px)
    lines = 0
    for paragraph in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines += 1
        used = 0.0
        for token in re.findall(r"[A-Za-z0-9.,%]+|.", paragraph):
            w = sum(_char_em(ch) for ch in token) * em_px
            if used + w <= usable:
                used += w
            elif len(token) > 1 and w <= usable:  # the word moves to the next line whole
                lines += 1
                used = w
            else:
                for ch in token:
                    cw = _char_em(ch) * em_px
                    if used + cw > usable:
                        lines += 1
                        used = 0.0
                    used += cw
    return lines


def text_height_pt(lines: int, font_pt: float) -> float:
    return round(lines * font_pt * LINE_PITCH + CELL_PAD_PT, 1)


@dataclass
class Printed:
    """One worksheet of a printed form: ``cells[(row, col)] = (value, style)`` (0-based; a merged
    area's other cells are present with ``None`` so they carry the border), ``merges`` as
    ``(first_row, first_col, last_row, last_col)``, ``heights[row]`` in points (rows without one are
    computed), ``repeat_rows`` printed atop every page, ``wide`` for A4 landscape. A form to be filled in
    and imported back may add ``validations`` — ``(first_row, first_col, last_row, last_col, options)``,
    xlsxwriter's ``data_validation`` options (a dropdown: ``{"validate": "list", "source": [...]}``) —,
    ``protect`` (the sheet is protected without a password: only cells whose style says ``"locked":
    False`` take input) and ``hidden_columns`` (outside the print area: a key the import reads)."""

    title: str
    widths: list[float]
    cells: dict[tuple[int, int], tuple[Any, str]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    repeat_rows: tuple[int, int] | None = None
    wide: bool = False
    validations: list[tuple[int, int, int, int, dict]] = field(default_factory=list)
    protect: bool = False
    hidden_columns: tuple[int, ...] = ()

    @property
    def last_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    def put(self, row: int, col: int, value: Any, style: str) -> None:
        self.cells[(row, col)] = (value, style)

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: Any, style: str) -> None:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                self.cells[(r, c)] = (value if (r, c) == (r1, c1) else None, style)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


def fit_row_heights(sheet: Printed, styles: dict[str, dict], *, min_pt: float = 20.0) -> dict[int, float]:
    """Row heights (points) so every wrapped text fits its cell or merged area: a single-row cell sets
    its row's height; a merged area over several rows that still lacks height spreads the difference
    over its rows. Rows given in ``sheet.heights`` keep at least that height."""
    spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
    widths = [column_px(w) for w in sheet.widths]
    heights: dict[int, float] = {}
    tall: list[tuple[int, int, float]] = []
    for (r, c), (value, style) in sheet.cells.items():
        if value is None or value == "":
            continue
        fmt = styles[style]
        font = fmt.get("font_size", 11)
        r2, c2 = spans.get((r, c), (r, c))
        width = sum(widths[c:c2 + 1])
        lines = wrapped_lines(value, width_px=width, font_pt=font) if fmt.get("text_wrap") and isinstance(
            value, str) else 1
        need = text_height_pt(lines, font)
        if r2 == r:
            heights[r] = max(heights.get(r, min_pt), need)
        else:
            tall.append((r, r2, need))
    for r in range(sheet.last_row + 1):
        heights[r] = max(heights.get(r, min_pt), sheet.heights.get(r, 0))
    for r1, r2, need in tall:
        have = sum(heights[r] for r in range(r1, r2 + 1))
        if have < need:
            extra = (need - have) / (r2 - r1 + 1)
            for r in range(r1, r2 + 1):
                heights[r] = round(heights[r] + extra + 0.05, 1)
    return heights


def write_printed(sheets: Iterable[Printed], *, styles: dict[str, dict], target=None) -> bytes | None:
    """The workbook of printed forms, one worksheet each: A4, fitted to one page wide (as many pages
    tall as it needs), centred, print area = the form, ``repeat_rows`` on every page, row heights
    fitted to the text. xlsxwriter in constant-memory mode: each worksheet's rows are written in
    order and streamed to a temporary file. Text is always text (a value starting with "=" is no
    formula)."""
    import xlsxwriter

    out = target or io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    formats = {name: wb.add_format(props) for name, props in styles.items()}
    any_sheet = False
    for sheet in sheets:
        any_sheet = True
        ws = wb.add_worksheet(_sheet_title(sheet.title))
        for c, w in enumerate(sheet.widths):
            ws.set_column(c, c, w)
        for c in sheet.hidden_columns:
            ws.set_column(c, c, 12, None, {"hidden": True})
        ws.set_paper(9)  # A4
        ws.set_landscape() if sheet.wide else ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        last = sheet.last_row
        ws.print_area(0, 0, last, len(sheet.widths) - 1)
        if sheet.repeat_rows:
            ws.repeat_rows(*sheet.repeat_rows)
        heights = fit_row_heights(sheet, styles)
        rows: dict[int, list[tuple[int, Any, str]]] = {}
        for (r, c), (value, style) in sheet.cells.items():
            rows.setdefault(r, []).append((c, value, style))
        for r in range(last + 1):
            ws.set_row(r, heights[r])
            for c, value, style in sorted(rows.get(r, ())):
                fmt = formats[style]
                if value is None or value == "":
                    ws.write_blank(r, c, None, fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, printable(value), fmt)
                elif isinstance(value, (int, float, Decimal)):
                    ws.write_number(r, c, float(value), fmt)
                else:
                    ws.write(r, c, value, fmt)
        # Merged areas are registered without ``merge_range``, which writes the area's blank cells
        # row by row and so, in constant-memory mode, would flush rows not yet written; the cells are
        # written above in row order instead (xlsxwriter writes ``merge`` as the <mergeCells> list).
        ws.merge.extend([list(m) for m in sheet.merges])
        for r1, c1, r2, c2, options in sheet.validations:
            ws.data_validation(r1, c1, r2, c2, options)
        if sheet.protect:
            # no password: the protection keeps what the system knows from being typed over by mistake;
            # the import checks every cell it reads whatever the sheet allowed
            ws.protect("", {"format_rows": True, "format_columns": True, "select_locked_cells": True,
                            "select_unlocked_cells": True})
    if not any_sheet:
        wb.add_worksheet("Sheet1")
    wb.close()
    if target is None:
        return out.getvalue()
    return None
