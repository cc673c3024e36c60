"""The monitoring tables' fill-in workbook (填报表, issue #13): exported in the official layout, filled with
openpyxl as an agency would, imported back — all or nothing, every bad cell by sheet/row/column, idempotent,
within the importer's scope and the tables' states, never overwriting a table changed since the export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jixiao.core.excel import ImportFailed
from jixiao.core.models import ChangeLog
from jixiao.monitoring import exports, imports, services
from jixiao.monitoring.import_read import KEY_COLUMN, STATED_EXPECTED_COLUMN
from jixiao.monitoring.models import MonitoringRow, MonitoringTable
from jixiao.monitoring.readings import read_table
from jixiao.monitoring.tests.factories import budgeted_project, open_round, school_table

pytestmark = pytest.mark.django_db


def _export(tables) -> bytes:
    qs = MonitoringTable.objects.filter(pk__in=[t.pk for t in tables]).select_related(
        "round", "region", "agency", "project", "sheet").order_by("agency__code", "project__code")
    return exports.tables_workbook(list(qs))


def _rows_by_mark(ws) -> dict[str, int]:
    """The hidden key column's markers → their Excel row."""
    out = {}
    for (cell,) in ws.iter_rows(min_col=KEY_COLUMN + 1, max_col=KEY_COLUMN + 1):
        if cell.value:
            text = str(cell.value)
            out["key" if text.startswith("jixiao") else text.removesuffix(":q")] = cell.row
    return out


def _fill(data: bytes, fill) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        fill(ws, _rows_by_mark(ws))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = {1: ("1", "2"), 2: ("45", "100"), 3: ("5", "12"), 4: ("55", "58"), 5: ("40", "95"), 6: ("40", "92")}


def _good(ws, marks):
    ws.cell(marks["estimate"], 10).value = 95  # 万元
    ws.cell(marks["goal"], 7).value = "按计划推进"
    r = marks["reasons"]
    ws.cell(r, 2).value = "制度保障"
    ws.cell(r, 4).value = "招标未完成"
    ws.cell(r, 7).value = "有可能"
    ws.cell(r, 9).value = "六月完成招标"
    for pos, (to_date, year_end) in GOOD.items():
        if f"row:{pos}" not in marks:
            continue  # a table without an approved target sheet has no indicator rows
        ws.cell(marks[f"row:{pos}"], 5).value = to_date
        ws.cell(marks[f"row:{pos}"], 6).value = year_end


def test_round_trip(world):
    table = school_table(world)
    data = _export([table])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [table.project.code]
    ws = wb.active
    assert ws["A1"].value == "项目支出绩效运行监控表"
    assert ws.column_dimensions["N"].hidden
    filled = _fill(data, _good)
    result = imports.import_tables(actor=world.user("preparer"), round=table.round, data=filled)
    assert result.updated == 1 and result.unchanged == 0, result.summary()
    table.refresh_from_db()
    assert table.estimate == Decimal("950000.00") and table.cause == "rules" and table.likelihood == "possible"
    reading = read_table(table)
    assert [(r.value_to_date, r.year_end) for r in reading.rows] == list(GOOD.values())
    assert reading.goal_light is not None


def test_the_export_is_the_official_layout_with_dropdowns_locked_cells_and_a_hidden_key(world):
    table = school_table(world)
    ws = load_workbook(io.BytesIO(_export([table]))).active
    marks = _rows_by_mark(ws)
    assert ws.cell(marks["key"], KEY_COLUMN + 1).value == (
        f"jixiao-monitoring:{table.region.code}:{table.round_id}:{table.pk}:{table.version}")
    assert ws.column_dimensions["N"].hidden and ws.protection.sheet
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("项目名称", "主管部门", "实施单位", "年初预算数", "全年预算数", "1—5月执行数", "1—5月执行率", "预期执行进度",
                 "时间进度", "全年预计执行数（填报）", "一级指标", "二级指标", "三级指标", "年度指标值", "1—5月实际完成值",
                 "全年预计完成值", "偏差原因类别", "完成目标可能性", "纠偏措施", "加固教学楼栋数", "≥2栋", "产出指标", "数量指标"):
        assert text in texts, text
    budget = ws.cell(marks["estimate"], 3)
    assert budget.value == 100 and budget.protection.locked  # 万元, what the system knows is read-only
    estimate = ws.cell(marks["estimate"], 10)
    assert estimate.value is None and not estimate.protection.locked
    assert not ws.cell(marks["row:1"], 5).protection.locked and ws.cell(marks["row:1"], 3).protection.locked
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    cause = '"经费保障,制度保障,人员保障,硬件保障,其他"'
    assert lists[f"B{marks['reasons']}"] == cause and lists[f"I{marks['row:1']}:I{marks['row:6']}"] == cause
    assert lists[f"K{marks['row:1']}:K{marks['row:6']}"] == '"确定能,有可能,完全不可能"'


def test_bad_cells_are_reported_by_sheet_row_and_column_and_nothing_is_written(world):
    table = school_table(world)
    logs = ChangeLog.objects.count()

    def bad(ws, marks):
        _good(ws, marks)
        ws.cell(marks["row:1"], 5).value = "两栋"
        ws.cell(marks["row:2"], 9).value = "天气原因"
        ws.cell(marks["estimate"], 10).value = "九十五"

    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=table.round, data=_fill(_export([table]), bad))
    marks = _rows_by_mark(load_workbook(io.BytesIO(_export([table]))).active)
    lines = exc.value.report.lines()
    code = table.project.code
    assert f"工作表“{code}”第 {marks['row:1']} 行 E 列（实际完成值）：截至目前完成值“两栋”不是数字（单位为栋，只填数字）" in lines
    assert (f"工作表“{code}”第 {marks['row:2']} 行 I 列（偏差原因类别）：偏差原因类别应为经费保障、制度保障、人员保障、硬件保障、其他之一"
            in lines)
    assert f"工作表“{code}”第 {marks['estimate']} 行 J 列（全年预计执行数（万元））：金额应为数字（万元），收到“九十五”" in lines
    assert len(lines) == 3
    table.refresh_from_db()
    assert table.version == 1 and table.estimate is None and ChangeLog.objects.count() == logs


def test_a_deviation_without_its_reason_is_saved_and_named_as_still_to_complete(world):
    table = school_table(world)

    def no_reasons(ws, marks):
        _good(ws, marks)
        for col in (2, 4, 7, 9):
            ws.cell(marks["reasons"], col).value = None

    result = imports.import_tables(actor=world.user("preparer"), round=table.round,
                                   data=_fill(_export([table]), no_reasons))
    assert result.updated == 1 and result.incomplete == [table.project.name]
    assert "提交前仍需补充" in result.summary()
    table.refresh_from_db()
    problems = read_table(table).problems()
    assert any(p.startswith("预算执行偏差超过阈值") for p in problems)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world):
    table = school_table(world)
    filled = _fill(_export([table]), _good)
    imports.import_tables(actor=world.user("preparer"), round=table.round, data=filled)
    table.refresh_from_db()
    version, logs = table.version, ChangeLog.objects.count()
    result = imports.import_tables(actor=world.user("preparer"), round=table.round, data=filled)
    assert (result.updated, result.unchanged) == (0, 1)
    table.refresh_from_db()
    assert table.version == version and ChangeLog.objects.count() == logs
    # the export of the saved table imports back unchanged too (every value written as it reads back)
    result = imports.import_tables(actor=world.user("preparer"), round=table.round, data=_export([table]))
    assert (result.updated, result.unchanged) == (0, 1)


def test_a_file_of_another_round_is_refused(world):
    table = school_table(world)
    other = open_round(world, month=6)
    filled = _fill(_export([table]), _good)
    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=other, data=filled)
    (line,) = exc.value.report.lines()
    assert f"不是监控批次“{other.title}”的填报表" in line and "N 列" in line
    table.refresh_from_db()
    assert table.version == 1


def test_another_agencys_table_is_outside_the_preparers_scope_and_nothing_changes(world):
    budgeted_project(world)
    budgeted_project(world, code="XM-AGRI", agency="102001", name="玉米良种推广项目", sheet=False)
    rnd = open_round(world)
    tables = list(rnd.tables.select_related("project"))
    assert len(tables) == 2
    filled = _fill(_export(tables), _good)  # the performance section's export of the whole round
    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=rnd, data=filled)
    (line,) = exc.value.report.lines()
    assert line.startswith("工作表“XM-AGRI”") and "不存在或不在您的权限范围内" in line
    assert set(MonitoringTable.objects.filter(round=rnd).values_list("version", flat=True)) == {1}
    result = imports.import_tables(actor=world.user("perf_section"), round=rnd, data=filled)
    assert result.updated == 2


def _complete(world, table):
    rows = {pos: {"value_to_date": a, "year_end": b, "cause": "funding", "explanation": "资金晚到", "likelihood": "possible",
                  "measures": "加快进度"} for pos, (a, b) in GOOD.items()}
    table = services.save_table(actor=world.user("preparer"), table=table, version=table.version,
                                estimate=Decimal("950000"), goal_progress="按计划推进", rows=rows, cause="rules",
                                explanation="招标未完成", likelihood="possible", measures="六月完成招标")
    return services.submit_table(actor=world.user("preparer"), table=table, version=table.version)


def test_a_submitted_table_is_refused_when_the_file_changes_it_and_read_back_when_it_does_not(world):
    table = _complete(world, school_table(world))
    assert table.status == "in_review"
    exported = _export([table])
    ws = load_workbook(io.BytesIO(exported)).active
    assert "状态：审核中（不能通过导入修改）" in ws["A2"].value
    assert ws.cell(_rows_by_mark(ws)["estimate"], 10).protection.locked
    result = imports.import_tables(actor=world.user("preparer"), round=table.round, data=exported)
    assert (result.updated, result.unchanged) == (0, 1)

    def change(ws, marks):
        ws.cell(marks["estimate"], 10).value = 80

    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=table.round, data=_fill(exported, change))
    (line,) = exc.value.report.lines()
    assert "监控表审核中，不能修改" in line
    table.refresh_from_db()
    assert table.estimate == Decimal("950000.00")


def test_a_table_changed_since_the_export_is_reported_not_overwritten(world):
    table = school_table(world)
    exported = _export([table])
    services.save_table(actor=world.user("perf_section"), table=table, version=1, goal_progress="绩效股更正")
    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=table.round, data=_fill(exported, _good))
    (line,) = exc.value.report.lines()
    assert "导出后已在系统中被修改（导出时为第 1 版，现为第 2 版）" in line
    table.refresh_from_db()
    assert table.goal_progress == "绩效股更正" and table.version == 2


def test_a_file_without_a_key_is_refused(world):
    table = school_table(world)

    def strip(ws, marks):
        ws.cell(marks["key"], KEY_COLUMN + 1).value = None

    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=table.round,
                              data=_fill(_export([table]), strip), name="填报表.xlsx")
    assert "文件中没有可识别的监控填报表" in exc.value.report.lines()[0]


def test_a_file_of_the_earlier_layout_says_to_export_again(world):
    """A workbook exported before the 截至本期预期值 column had its key one column to the left (M)."""
    table = school_table(world)

    def shift(ws, marks):
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        for row in range(1, ws.max_row + 1):
            ws.cell(row, KEY_COLUMN).value = ws.cell(row, KEY_COLUMN + 1).value
            ws.cell(row, KEY_COLUMN + 1).value = None

    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=table.round,
                              data=_fill(_export([table]), shift), name="旧填报表.xlsx")
    assert "这是旧版填报表" in exc.value.report.lines()[0] and "请重新导出" in exc.value.report.lines()[0]


def test_the_round_page_exports_and_imports(world, login):
    table = school_table(world)
    client = login("preparer")
    url = f"/monitoring/rounds/{table.round_id}/"
    page = client.get(url).content.decode()
    assert "导出填报表" in page and "导入填报表" in page
    assert "导入填报表" not in login("leader").get(url).content.decode()
    r = client.get(f"{url}tables.xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith(".xlsx")
    assert load_workbook(io.BytesIO(r.content)).sheetnames == [table.project.code]
    r = client.get(f"{url}tables.xlsx?agency=102001")
    assert r.status_code == 302  # none of that agency's tables to export
    page = client.get(f"{url}import/").content.decode()
    assert "导入填报表" in page and "导出本批次填报表" in page
    filled = _fill(client.get(f"{url}tables.xlsx").content, _good)
    upload = io.BytesIO(filled)
    upload.name = "填报表.xlsx"
    r = client.post(f"{url}import/", {"file": upload}, follow=True)
    assert "导入完成" in r.content.decode() and "更新 1 张" in r.content.decode()
    table.refresh_from_db()
    assert table.estimate == Decimal("950000.00")


def test_the_api_exports_and_imports_the_workbook(world):
    from django.test import Client

    from jixiao.org import services as org_services

    table = school_table(world)
    _, key = org_services.create_api_token(actor=world.user("preparer"), name="接口测试")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    base = f"/api/v1/monitoring/rounds/{table.round_id}/tables"
    r = client.get(f"{base}.xlsx")
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.content)).sheetnames == [table.project.code]

    def bad(ws, marks):
        ws.cell(marks["reasons"], 7).value = "也许"

    upload = io.BytesIO(_fill(r.content, bad))
    upload.name = "填报表.xlsx"
    r = client.post(f"{base}/import", {"file": upload})
    assert r.status_code == 400
    (error,) = r.json()["errors"]
    assert error["column"] == "G" and "完成目标可能性应为确定能、有可能、完全不可能之一" in error["message"]
    upload = io.BytesIO(_fill(client.get(f"{base}.xlsx").content, _good))
    upload.name = "填报表.xlsx"
    r = client.post(f"{base}/import", {"file": upload})
    assert r.status_code == 200 and r.json()["updated"] == 1 and "更新 1 张" in r.json()["summary"]


def test_a_qualitative_indicator_takes_its_achievement_from_the_dropdown(world):
    from jixiao.targets.tests.factories import GOOD_ROWS, approved_sheet

    project = budgeted_project(world, code="XM-MON-Q", sheet=False)
    rows = [*GOOD_ROWS[:4], {**GOOD_ROWS[4], "weight": "20"},
            {"level1": "benefit", "level2": "social", "name": "群众获得感", "operator": "qualitative", "value": "明显提升",
             "unit": "", "weight": "10"}, GOOD_ROWS[5]]
    approved_sheet(world, project=project, rows=rows)
    table = open_round(world, scope_kind="picked", projects=[project]).tables.get()
    exported = _export([table])
    ws = load_workbook(io.BytesIO(exported)).active
    marks = _rows_by_mark(ws)
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert lists[f"G{marks['row:6']}"] == '"达成,部分达成,未达成"' and ws.cell(marks["row:1"], 7).value == "（数值指标）"

    def fill(ws, marks):
        ws.cell(marks["row:6"], 5).value = "群众反映良好"
        ws.cell(marks["row:6"], 7).value = "部分达成"

    imports.import_tables(actor=world.user("preparer"), round=table.round, data=_fill(exported, fill))
    row = table.rows.get(position=6)
    assert (row.value_to_date, row.achievement) == ("群众反映良好", "partial")
    assert read_table(table).rows[5].light == "yellow"


def test_the_stated_expectation_column_round_trips(world):
    """截至本期预期值（可选）, column M: 师生满意度 at 92 in May against the stated 90 is green, not blue; a
    value that is no number is reported on its cell."""
    table = school_table(world)
    data = _export([table])
    ws = load_workbook(io.BytesIO(data)).active
    marks = _rows_by_mark(ws)
    assert ws.cell(marks["row:1"] - 1, STATED_EXPECTED_COLUMN + 1).value == "截至本期预期值（可选）"
    assert not ws.cell(marks["row:6"], STATED_EXPECTED_COLUMN + 1).protection.locked

    def stated(value):
        def fill(ws, marks):
            _good(ws, marks)
            ws.cell(marks["row:6"], 5).value = "92"
            ws.cell(marks["row:6"], STATED_EXPECTED_COLUMN + 1).value = value
        return fill

    with pytest.raises(ImportFailed) as exc:
        imports.import_tables(actor=world.user("preparer"), round=table.round, data=_fill(data, stated("九十")))
    (line,) = exc.value.report.lines()
    assert f"第 {marks['row:6']} 行 M 列" in line and "截至本期预期值“九十”不是数字" in line
    imports.import_tables(actor=world.user("preparer"), round=table.round, data=_fill(data, stated(90)))
    row = read_table(table).rows[5]
    assert (row.stated_expected, row.light, row.required, row.expected_basis) == ("90", "green", False,
                                                                                  "单位填报的截至本期预期值")
    assert MonitoringRow.objects.get(table=table, position=6).number_stated_expected == Decimal(90)
