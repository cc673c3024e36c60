"""Excel in and out: streaming read with every bad cell reported as sheet/row/column/Chinese message,
and styled writing that reads back to the same values."""

import io
import time
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from jixiao.core.excel import (
    MAX_REPORTED_ERRORS,
    CellError,
    Column,
    ImportFailed,
    ImportReport,
    SheetData,
    column_letter,
    open_workbook,
    parse_bool,
    parse_choice,
    parse_code,
    parse_decimal,
    parse_int,
    parse_wan,
    read_table,
    write_fast,
    write_styled,
)

KINDS = {"department": "预算部门", "unit": "预算单位"}
COLUMNS = [
    Column("code", "单位代码", parse_code),
    Column("name", "单位名称"),
    Column("kind", "类型", parse_choice(KINDS)),
    Column("amount", "预算金额", parse_wan, money=True),
    Column("staff", "人数", parse_int, required=False),
    Column("active", "在用", parse_bool, required=False),
]
HEADER = ["单位代码", "单位名称", "类型", "预算金额（万元）", "人数", "在用"]


def xlsx(rows, *, title="单位", start_column=1, sheets=None) -> bytes:
    """A workbook whose first sheet holds ``rows`` from row 1 (``None`` rows stay empty)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows, start=1):
        if row is None:
            continue
        for c, value in enumerate(row, start=start_column):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for name, extra in (sheets or {}).items():
        other = wb.create_sheet(name)
        for row in extra:
            other.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read(data, columns=COLUMNS, **kw):
    report = ImportReport()
    wb = open_workbook(data, report)
    rows = [] if wb is None else list(read_table(wb, columns, report, **kw))
    return rows, report


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_header_below_a_title_row_and_numbers_as_text():
    rows, report = read(xlsx([
        ["临朐县2026年预算单位表"],
        ["金额单位：万元"],
        HEADER,
        [101, "临朐县教育和体育局", "预算部门", 550.56, 12, "是"],  # numbers typed as numbers
        ["101001", "临朐县第一中学", "unit", "1,662.00", "30", "否"],  # …and as text
    ]))
    assert report.ok, report.lines()
    assert [r.number for r in rows] == [4, 5]
    assert rows[0].values == {"code": "101", "name": "临朐县教育和体育局", "kind": "department",
                              "amount": Decimal("5505600.00"), "staff": 12, "active": True}
    assert rows[1].values == {"code": "101001", "name": "临朐县第一中学", "kind": "unit",
                              "amount": Decimal("16620000.00"), "staff": 30, "active": False}
    assert rows[0].letters == {"code": "A", "name": "B", "kind": "C", "amount": "D", "staff": "E", "active": "F"}
    assert all(isinstance(r.values["amount"], Decimal) for r in rows)


def test_every_bad_cell_is_reported_with_sheet_row_column_and_chinese_message():
    rows, report = read(xlsx([
        HEADER,
        ["101", "教体局", "预算部门", 100, None, None],  # good
        [None, "无代码单位", "预算单位", 10, None, None],  # missing required code
        ["102", None, "部门", "十万", "3.5", "也许"],  # missing name, bad choice, bad amount, bad int, bad bool
        ["1 03", "有空格", "预算部门", 5, None, None],  # space in a code
    ]))
    assert [r.number for r in rows] == [2]
    assert not report.ok
    got = {(e.sheet, e.row, e.column, e.header): e.message for e in report.errors}
    assert got == {
        ("单位", 3, "A", "单位代码"): "必填，不能为空",
        ("单位", 4, "B", "单位名称"): "必填，不能为空",
        ("单位", 4, "C", "类型"): "“部门”不是有效选项，应为：预算部门、预算单位",
        ("单位", 4, "D", "预算金额"): "金额应为数字（万元），收到“十万”",
        ("单位", 4, "E", "人数"): "应为整数，收到“3.5”",
        ("单位", 4, "F", "在用"): "应填“是”或“否”，收到“也许”",
        ("单位", 5, "A", "单位代码"): "代码“1 03”中不能有空格",
    }
    assert "工作表“单位”第 4 行 C 列（类型）：“部门”不是有效选项，应为：预算部门、预算单位" in report.lines()
    failed = ImportFailed(report)
    assert failed.status == 400 and failed.message == "导入未完成：发现 7 处错误，未写入任何数据。"


def test_extra_columns_are_ignored_and_letters_stay_true():
    rows, report = read(xlsx([
        ["序号", "单位代码", "备注", "单位名称", "类型", "预算金额（万元）", "联系人"],
        [1, "101", "任意说明", "教体局", "预算部门", 1, "张三"],
        [2, "102", None, "农业农村局", "部门", 2, None],
    ]))
    assert [r.values["code"] for r in rows] == ["101"]
    assert "备注" not in rows[0].values and "联系人" not in rows[0].values
    assert rows[0].letters["name"] == "D"
    assert [(e.row, e.column) for e in report.errors] == [(3, "E")]


def test_blank_rows_are_skipped_without_errors():
    rows, report = read(xlsx([
        HEADER,
        ["101", "教体局", "预算部门", 1],
        None,
        ["", "  ", None, ""],
        ["102", "农业农村局", "预算部门", 2],
        None,
        None,
        ["103", None, "预算部门", 3],
    ]))
    assert [r.number for r in rows] == [2, 5]
    assert [(e.row, e.column, e.message) for e in report.errors] == [(8, "B", "必填，不能为空")]


def test_a_table_not_starting_in_column_a_names_the_real_columns():
    """Reported letters must be the ones the user sees in Excel even when column A is empty."""
    data = xlsx([
        None,
        ["预算单位表"],
        HEADER,
        ["101", "教体局", "部门", 1],
    ], start_column=2)
    rows, report = read(data)
    assert rows == []
    assert [(e.row, e.column) for e in report.errors] == [(4, "D")]
    good, report = read(xlsx([HEADER, ["101", "教体局", "预算部门", 1]], start_column=3))
    assert report.ok and good[0].letters["code"] == "C" and good[0].number == 2


def test_missing_header_and_missing_required_column():
    _, report = read(xlsx([["随便", "什么"], [1, 2]]))
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("找不到表头行，请使用导出的模板：单位代码、单位名称")
    _, report = read(xlsx([["单位代码", "单位名称", "在用"], ["101", "教体局", "是"]]))
    assert [(e.row, e.column, e.message) for e in report.errors] == [(1, None, "缺少必需的列：类型、预算金额")]


def test_headers_match_despite_spaces_asterisks_and_bracket_width():
    rows, report = read(xlsx([
        ["*单位代码", "单位 名称", "类型*", "预算金额(万元)"],
        ["101", "教体局", "预算部门", "0.01"],
    ]))
    assert report.ok, report.lines()
    assert rows[0].values["amount"] == Decimal("100.00")


def test_named_sheet_and_missing_sheet():
    data = xlsx([["说明页"]], title="说明", sheets={"预算单位": [HEADER, ["101", "教体局", "预算部门", 1]]})
    rows, report = read(data, sheet="预算单位")
    assert report.ok and rows[0].sheet == "预算单位"
    _, report = read(data, sheet="用户")
    assert [str(e) for e in report.errors] == ["工作表“用户”：找不到工作表“用户”"]


@pytest.mark.parametrize(
    "data",
    [
        "code,name\n101,教体局\n".encode(),  # a CSV renamed .xlsx
        b"",
        b"PK\x03\x04 not really a zip",
        "一份 Word 文档".encode(),
    ],
)
def test_a_non_xlsx_upload_is_reported_not_raised(data):
    rows, report = read(data)
    assert rows == []
    assert [str(e) for e in report.errors] == ["工作表“文件”：不是有效的 Excel 文件（请上传 .xlsx 格式）"]


def test_a_docx_is_not_a_workbook():
    import docx

    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("绩效目标申报表")
    document.save(out)
    rows, report = read(out.getvalue())
    assert rows == [] and not report.ok and "不是有效的 Excel 文件" in report.errors[0].message


def test_ten_thousand_rows_stream_through():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("单位")
    ws.append(["2026年预算单位表"])
    ws.append(HEADER)
    for i in range(10_000):
        ws.append([f"U{i:05d}", f"单位{i}", "预算单位", i / 100 if i % 1000 else "坏值", i, "是"])
    out = io.BytesIO()
    wb.save(out)
    started = time.monotonic()
    rows, report = read(out.getvalue())
    elapsed = time.monotonic() - started
    assert len(rows) == 9_990
    assert len(report.errors) == 10
    assert report.errors[0] == CellError("单位", 3, "D", "金额应为数字（万元），收到“坏值”", "预算金额")
    assert rows[-1].number == 10_002 and rows[-1].values["amount"] == Decimal("999900.00")
    print(f"read 10,000 rows in {elapsed:.2f}s")  # informative only (-s); no timed assertion


def test_report_caps_the_number_of_errors():
    report = ImportReport()
    for i in range(MAX_REPORTED_ERRORS + 5):
        report.add("单位", i + 2, "A", "必填，不能为空")
    assert len(report.errors) == MAX_REPORTED_ERRORS and report.truncated
    assert report.lines()[-1] == f"错误超过 {MAX_REPORTED_ERRORS} 处，其余未列出。"


def test_cell_parsers():
    assert parse_decimal("87.44%") == (Decimal("87.44"), None)
    assert parse_decimal(0.1) == (Decimal("0.1"), None)
    assert parse_decimal("1,234.5") == (Decimal("1234.5"), None)
    assert parse_decimal("abc")[1] == "应为数字，收到“abc”"
    assert parse_int(370724.0) == (370724, None)
    assert parse_code(370724.0) == ("370724", None)
    assert parse_bool("√") == (True, None) and parse_bool("N") == (False, None)
    assert parse_wan(" 550.56 ") == (Decimal("5505600.00"), None)


# --- writing ------------------------------------------------------------------------------------------

ROWS = [
    {"code": "101", "name": "临朐县教育和体育局", "kind": "预算部门", "amount": Decimal("1662000000.00"), "staff": 120,
     "active": "是"},
    {"code": "101001", "name": "临朐县第一中学", "kind": "预算单位", "amount": Decimal("5505600.00"), "staff": None,
     "active": "否"},
    {"code": "101002", "name": "城关街道中心小学", "kind": "预算单位", "amount": Decimal("5505649.99"), "staff": 8,
     "active": "是"},
]


def test_write_styled_reads_back_with_calamine():
    data = write_styled([SheetData("预算单位", COLUMNS, ROWS, caption="临朐县2026年预算单位表", note="金额单位：万元")])
    rows, report = read(data)
    assert report.ok, report.lines()
    assert [r.number for r in rows] == [4, 5, 6]
    assert [r.values["amount"] for r in rows] == [
        Decimal("1662000000.00"), Decimal("5505600.00"), Decimal("5505600.00")]  # stored as 万元, two decimals
    assert [r.values["kind"] for r in rows] == ["department", "unit", "unit"]
    assert rows[0].values["code"] == "101" and rows[1].values["staff"] is None


def test_write_styled_layout_with_openpyxl():
    data = write_styled([SheetData("预算单位", COLUMNS, ROWS, caption="临朐县2026年预算单位表", note="金额单位：万元")])
    ws = load_workbook(io.BytesIO(data))["预算单位"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:F1", "A2:F2"} <= merged
    assert ws["A1"].value == "临朐县2026年预算单位表" and ws["A1"].font.b
    assert ws["A2"].value == "金额单位：万元"
    headers = [c.value for c in ws[3]]
    assert headers == HEADER
    assert all(c.font.b for c in ws[3])
    assert all(c.border.left.style == "thin" for c in ws[3])
    assert ws["D4"].value == Decimal("166200.00") or ws["D4"].value == 166200
    assert ws["D5"].value == pytest.approx(550.56) and ws["D5"].number_format == "#,##0.00"
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["B"].width == 16


def test_write_styled_without_caption_and_several_sheets():
    data = write_styled([
        SheetData("单位", COLUMNS, ROWS[:1]),
        SheetData("一个非常非常非常非常非常非常非常长的工作表名称超过三十一个字符", COLUMNS, []),
    ])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "单位" and len(wb.sheetnames[1]) == 31
    assert [c.value for c in wb["单位"][1]] == HEADER
    rows, report = read(data)
    assert report.ok and rows[0].number == 2


def test_write_fast_round_trip():
    big = [{**ROWS[i % 3], "code": f"U{i}"} for i in range(3000)]
    data = write_fast(SheetData("单位", [*COLUMNS[:3], Column("amount", "预算金额（万元）", parse_wan, money=True)], big))
    rows, report = read(data)
    assert report.ok, report.lines()[:3]
    assert len(rows) == 3000
    assert rows[1].values["amount"] == Decimal("5505600.00")
    assert rows[2].values["amount"] == Decimal("5505600.00")


def test_an_empty_sheet_reports_the_missing_header():
    rows, report = read(xlsx([]))
    assert rows == []
    assert len(report.errors) == 1 and report.errors[0].message.startswith("找不到表头行")


def test_text_starting_with_equals_is_written_as_text_not_a_formula():
    import io

    from openpyxl import load_workbook

    from jixiao.core.excel import Column, SheetData, write_fast, write_styled

    cols = [Column("v", "指标值")]
    rows = [{"v": "=100%"}, {"v": '=HYPERLINK("http://x","点我")'}]
    for data in (write_styled([SheetData("表", cols, rows)]), write_fast(SheetData("表", cols, rows))):
        ws = load_workbook(io.BytesIO(data)).active
        values = [c.value for c in ws["A"][1:]]
        types = [c.data_type for c in ws["A"][1:]]
        assert values == ["=100%", '=HYPERLINK("http://x","点我")'] and types == ["s", "s"]


def _sheet_xml(data: bytes) -> str:
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(data))
    return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def test_every_writer_writes_text_starting_with_equals_as_text():
    """Caption, note, headers and cells of write_styled, write_fast and write_printed: "=100%" stays the
    text "=100%" (no <f> element anywhere, calamine reads the text back)."""
    from python_calamine import CalamineWorkbook

    from jixiao.core.excel import Printed, write_printed

    cols = [Column("v", "=指标值"), Column("w", "金额", money=True)]
    rows = [{"v": "=100%", "w": Decimal("10000")}, {"v": "=SUM(A1:A2)", "w": None}]
    grid = Printed("=表", widths=[10, 10])
    grid.put(0, 0, "=100%", "t")
    grid.merge(1, 0, 1, 1, "=1+1", "t")
    written = {
        "write_styled": write_styled([SheetData("表", cols, rows, caption="=标题", note="=说明")]),
        "write_fast": write_fast(SheetData("表", cols, rows)),
        "write_printed": write_printed([grid], styles={"t": {"text_wrap": True}}),
    }
    for name, data in written.items():
        assert "<f>" not in _sheet_xml(data) and "<f " not in _sheet_xml(data), name
        cells = [v for row in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
                 for v in row if v != ""]
        assert {"=100%"} <= set(cells), (name, cells)
    styled = CalamineWorkbook.from_filelike(io.BytesIO(written["write_styled"])).get_sheet_by_index(0).to_python()
    assert [r[0] for r in styled] == ["=标题", "=说明", "=指标值", "=100%", "=SUM(A1:A2)"]


def _with_formulas(data: bytes, cells: dict) -> bytes:
    """The workbook with formula cells as Excel or another program leaves them: ``cells`` maps a cell
    reference to (formula, cached value or None, type) — None: no cached result; type "str" for text,
    "e" for an error value, "" for a number."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = body.decode()
                for ref, (formula, cached, kind) in cells.items():
                    t = f' t="{kind}"' if kind else ""
                    v = f"<v>{cached}</v>" if cached is not None else ""
                    new = f'<c r="{ref}"{t}><f>{formula}</f>{v}</c>'
                    xml, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', new, xml, count=1)
                    if not n:
                        row = re.search(r"\d+", ref).group(0)
                        xml, n = re.subn(rf'(<row r="{row}"[^>]*>)', rf"\1{new}", xml, count=1)
                    assert n, ref
                body = xml.encode()
            dst.writestr(info, body)
    return out.getvalue()


def test_a_formula_is_read_by_its_cached_value_or_reported_as_a_formula_never_as_blank():
    data = xlsx([HEADER, ["101", "临朐县教育和体育局", "预算部门", 1, None, None],
                 ["102", "临朐县农业农村局", "预算部门", 1, None, None],
                 ["103", "临朐县财政局", "预算部门", 1, None, None]])
    data = _with_formulas(data, {
        "B2": ("&quot;教育&quot;&amp;&quot;局&quot;", "教育局", "str"),  # cached text: read as such
        "D2": ("100*2", "200", ""),  # cached number
        "B3": ("A1&amp;&quot;局&quot;", None, ""),  # no cached result (written by a program that does not calculate)
        "D3": ("1/0", "#DIV/0!", "e"),  # an error value
        "G4": ("SUM(D2:D3)", None, ""),  # outside the table's columns: not read, not reported
    })
    rows, report = read(data)
    assert [(r.number, r.values["name"], r.values["amount"]) for r in rows] == [
        (2, "教育局", Decimal("2000000.00")), (4, "临朐县财政局", Decimal("10000.00"))]
    errors = [(e.row, e.column, e.message) for e in report.errors]
    assert [(row, col) for row, col, _ in errors] == [(3, "B"), (3, "D")]
    assert errors[0][2].startswith("单元格是公式（=A1&\"局\"），没有可读取的计算结果") and "粘贴" in errors[0][2]
    assert errors[1][2].startswith("单元格是公式（=1/0），计算结果是错误值 #DIV/0!")
    assert not any("必填" in m for *_, m in errors)
