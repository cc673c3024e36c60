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


def parse_text(value, *, max_length: int = 255):
    text = as_text(value)
    if len(text) > max_length:
        return None, f"内容过长（{len(text)} 字，最多 {max_length} 字）：“{excerpt(text)}”"
    return text, None


def parse_code(value):
    text = as_text(value)
    if any(ch.isspace() for ch in text):
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


# --- reading uploads safely ------------------------------------------------------------------------
#
# An upload is hostile until read. Before the reader sees it: the zip (entry count, declared sizes,
# compression ratio — zip bombs), each worksheet's declared <dimension> and the cell references in its
# <sheetData>, scanned as a stream (never loaded), so a 4.7 KB sheet naming A1 and XFD1048576 (which
# makes calamine allocate 512 GB and abort the process) is refused with a clear message. Then the read
# itself runs in a forked child process under an address-space and CPU-time limit, so whatever a reader
# does with a crafted file ends that child only and becomes a Chinese error here. The child returns plain
# rows (lists of Python values) with every text cleaned (jixiao.core.text.clean) and cut at Excel's own
# cell limit, which is what a 300 MB cell must never be allowed to cost.

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
#: bytes that may stand for a control or zero-width character in the XML (escape, char reference, DEL,
#: C1, U+200B–U+200D, U+2060, U+FEFF): only then is every text cell cleaned one by one.
_MAYBE_CONTROL = (b"_x", b"&#", b"\x7f", b"\xe2\x80\x8b", b"\xe2\x80\x8c", b"\xe2\x80\x8d", b"\xe2\x81\xa0",
                  b"\xef\xbb\xbf")
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
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


def _maybe_control(data: bytes) -> bool:
    return any(m in data for m in _MAYBE_CONTROL) or _C1.search(data) is not None


def _scan_sheet(stream, label: str) -> bool:
    """Stream a worksheet's XML: the declared dimension and every cell / row reference within bounds.
    Returns whether its text may hold control characters."""
    max_row = 0
    max_col = 26
    tail = b""
    read = 0
    control = False
    while True:
        chunk = stream.read(1 << 22)
        if not chunk:
            break
        read += len(chunk)
        if read > MAX_ENTRY_BYTES:
            raise _Refused(f"工作表“{label}”过大（超过 {MAX_ENTRY_BYTES // (1024 * 1024)} MB）")
        data = tail + chunk
        control = control or _maybe_control(data)
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
        tail = data[-512:]
    return control


def check_upload(data: bytes, *, max_bytes: int | None = None) -> bool:
    """Refuse (``_Refused``) what is not an .xlsx or could exhaust the server; read nothing else.
    Returns whether the text may hold control characters (so the reader cleans every cell)."""
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
    control = False
    try:
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as stream:
                    control = _scan_sheet(stream, names.get(info.filename, info.filename)) or control
            elif info.filename == "xl/sharedStrings.xml" and not control:
                with zf.open(info) as stream:
                    tail = b""
                    while chunk := stream.read(1 << 22):
                        control = control or _maybe_control(tail + chunk)
                        tail = chunk[-8:]
        return control
    except _Refused:
        raise
    except Exception:
        raise _Refused(NOT_XLSX)


def _load(data: bytes, control: bool = True) -> dict:
    """In the child: every sheet as rows of plain values (text cut at MAX_CELL_CHARS, and cleaned
    when ``control``)."""
    from python_calamine import CalamineWorkbook

    from jixiao.core.text import clean

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    long_cells = []
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
                    if len(v) >= MAX_CELL_CHARS:  # calamine cuts longer cells to this length
                        long_cells.append((name, r, column_letter(first_col + i), len(v)))
                        raw[i] = v = v[:40]
                    if control:
                        raw[i] = clean(v)
            rows.append(raw)
        sheets.append((name, start, rows))
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


def read_contained(data: bytes, *, memory_bytes: int, seconds: int, control: bool = True):
    """``_load(data)`` in a forked child limited to ``memory_bytes`` more address space and ``seconds``
    of CPU and wall time. Returns the result, or raises ``_Refused`` with the reason it failed."""
    import os
    import pickle
    import select
    import signal
    import time

    if not hasattr(os, "fork"):  # not a POSIX server: read in process (development on other systems)
        try:
            return _load(data, control)
        except Exception:
            raise _Refused(NOT_XLSX)
    import python_calamine  # noqa: F401 — loaded here, so the child's budget is for reading only

    from jixiao.core import text  # noqa: F401

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
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
                result = ("ok", _load(data, control))
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
    os.close(write_fd)
    chunks = []
    deadline = time.monotonic() + seconds + 2
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if timed_out or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)):
        raise _Refused(f"文件读取超时（超过 {seconds} 秒），已停止；请拆分文件后重试")
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
    """A workbook read by :func:`open_workbook`: ``sheet_names`` and ``get_sheet_by_name``."""

    def __init__(self, sheets):
        self._sheets = {name: (start, rows) for name, start, rows in sheets}
        self.sheet_names = [name for name, _, _ in sheets]

    def get_sheet_by_name(self, name: str) -> _Sheet:
        start, rows = self._sheets[name]
        if rows is None:
            raise ValueError(f"工作表“{name}”无法读取")
        return _Sheet(name, start, rows)


def open_workbook(data: bytes | io.BufferedIOBase, report: ImportReport, *, name: str = "文件"):
    """An upload → a :class:`Workbook`, or ``None`` with the reason in ``report``. Never raises on what
    the file holds, never lets the file take the server down (see the section comment above)."""
    if not isinstance(data, (bytes, bytearray)):
        limits = upload_limits()
        data = data.read(limits["max_bytes"] + 1)
    data = bytes(data)
    limits = upload_limits()
    try:
        control = check_upload(data, max_bytes=limits["max_bytes"])
        loaded = read_contained(data, memory_bytes=limits["memory_bytes"], seconds=limits["seconds"],
                                control=control)
    except _Refused as refused:
        report.add(name, None, None, str(refused))
        return None
    for sheet, row, column, _length in loaded["long_cells"]:
        report.add(sheet, row, column, f"单元格内容过长（达到 Excel 单元格上限 {MAX_CELL_CHARS} 字，超出部分无法读取）")
    return Workbook(loaded["sheets"])


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
    try:
        sheet_obj = workbook.get_sheet_by_name(sheet_name)
    except Exception:
        report.add(sheet_name, None, None, "工作表已损坏，无法读取（" + NOT_XLSX + "）")
        return
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
            ws.cell(row=r, column=1, value=printable(sd.caption)).font = Font(name="宋体", size=16, bold=True)
            ws.cell(row=r, column=1).alignment = Alignment(horizontal="center", vertical="center")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(ncol, 1))
            ws.row_dimensions[r].height = 30
            r += 1
        if sd.note:
            ws.cell(row=r, column=1, value=printable(sd.note)).alignment = Alignment(horizontal="right")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(ncol, 1))
            r += 1
        header_row = r
        for i, col in enumerate(sd.columns, start=1):
            cell = ws.cell(row=r, column=i, value=printable(col.written_header))
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
        ws.write(0, i, printable(col.written_header), bold)
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
