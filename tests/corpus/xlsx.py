"""Hostile .xlsx files, built by code (never committed binaries). Each builder returns bytes.

Add a case to ``UPLOADS`` in ``test_uploads.py``: ``Case("name", builder, "expected Chinese fragment")``."""

from __future__ import annotations

import io
import random
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def plain(rows=(("代码", "名称"), ("X1", "甲"))) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_part(part: str, xml: bytes | str, *, base: bytes | None = None, level: int = 6) -> bytes:
    """A valid workbook with one part replaced (or added)."""
    xml = xml.encode() if isinstance(xml, str) else xml
    src = zipfile.ZipFile(io.BytesIO(base or plain()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info.filename, src.read(info))
        dst.writestr(part, xml)
    return out.getvalue()


def sheet_xml(cells: str, dimension: str = "A1") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><dimension ref="{dimension}"/>'
            f"<sheetData>{cells}</sheetData></worksheet>")


def sparse_corners() -> bytes:
    """The 4.7 KB file of issue #11: one cell at A1, one at XFD1048576 (a 512 GB allocation)."""
    return with_part(SHEET, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'
                                      '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def sparse_corner_single_quotes() -> bytes:
    return with_part(SHEET, sheet_xml("<row r='1'><c r='A1'><v>1</v></c></row>"
                                      "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"))


def sparse_corner_odd_spacing() -> bytes:
    return with_part(SHEET, sheet_xml('<row r="1"><c\nr="A1"><v>1</v></c></row>'
                                      '<row\tr="900000"><c\tr="ZZ900000"><v>1</v></c></row>'))


def declared_dimension() -> bytes:
    return with_part(SHEET, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1048576"))


def zip_bomb() -> bytes:
    """20 MB of spaces deflate to ~20 KB (ratio ~1000)."""
    return with_part(SHEET, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * 20_000_000), level=9)


def huge_shared_string() -> bytes:
    """One 30 MB cell (the 300 MB cell of issue #11, smaller): a compression ratio no sheet has."""
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1"><si><t>'
           + "a" * 30_000_000 + "</t></si></sst>")
    return with_part("xl/sharedStrings.xml", xml, level=9)


def long_cell() -> bytes:
    """A 40,000-character cell of varied text: not a bomb, but over Excel's 32,767-character limit."""
    rng = random.Random(11)
    text = "".join(rng.choice("甲乙丙丁戊己庚辛壬癸abcdefghij0123456789") for _ in range(40_000))
    return plain((("代码", "名称"), ("X1", text)))


def truncated() -> bytes:
    data = plain()
    return data[: len(data) // 2]


def not_a_zip() -> bytes:
    return b"<html><body>not a workbook</body></html>"


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    return out.getvalue()


def many_entries() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(2_100):
            z.writestr(f"xl/media/{i}.txt", "")
    return out.getvalue()


def broken_sheet_xml() -> bytes:
    return with_part(SHEET, "<worksheet><sheetData><row><c r=")


def empty() -> bytes:
    return b""
