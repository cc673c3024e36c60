"""Excel out: the official layouts read back (merged cells, 万元 amounts, one-cell values, the key
line), the flat list and the template, and the round trip export → import that changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from jixiao.core.models import ChangeLog
from jixiao.targets import exports, services
from jixiao.targets.imports import import_sheets
from jixiao.targets.models import TargetIndicator, TargetSheet, TargetTask
from jixiao.targets.tests.factories import approved_sheet, make_project, make_sheet

pytestmark = pytest.mark.django_db
YEAR = 2026


def load(data: bytes):
    return load_workbook(io.BytesIO(data))


def import_back(world, data, user="perf_section"):
    return import_sheets(actor=world.user(user), region=world.regions["370724"], year=YEAR, data=data, name="回读.xlsx")


def state():
    return (list(TargetSheet.objects.order_by("pk").values_list("pk", "version", "annual_goal", "medium_goal",
                                                                  "amount", "fiscal_amount", "medium_amount")),
            list(TargetIndicator.objects.order_by("pk").values_list("pk", "name", "operator", "value", "unit",
                                                                   "weight", "scoring_standard", "value_basis")),
            list(TargetTask.objects.order_by("pk").values_list("pk", "name", "amount")),
            ChangeLog.objects.count())


def agency_sheet(world):
    preparer = world.user("preparer")
    sheet = services.create_sheet(actor=preparer, year=YEAR, agency=world.agency("101001"),
                                  annual_goal="一、完成教学任务；二、校舍安全达标。")
    sheet = services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
        {"name": "教育教学", "content": "保障日常教学", "fiscal_amount": "1234567.89", "other_amount": "100000"},
        {"name": "校舍维修", "content": "维修加固", "amount": "500000", "fiscal_amount": "500000"},
    ])
    from jixiao.targets.tests.factories import GOOD_ROWS

    return services.save_indicators(actor=preparer, sheet=sheet, version=sheet.version, rows=GOOD_ROWS)


def test_official_project_sheet_layout(world):
    project = make_project(world, start_year=2025, end_year=2027)
    sheet = make_sheet(world, project=project, medium_goal="三年内完成全部校舍加固。",
                       amount="1234567.89", fiscal_amount="1000000", other_amount="234567.89",
                       medium_amount="3600000", medium_fiscal="3600000")
    wb = load(exports.official_workbook(TargetSheet.objects.filter(pk=sheet.pk)))
    ws = wb[wb.sheetnames[0]]
    assert wb.sheetnames == ["XM2026101001001"]
    assert ws["A1"].value == "项目支出绩效目标申报表" and ws["A1"].font.name == "黑体"
    assert "项目编码：XM2026101001001" in ws["A2"].value and "年度：2026" in ws["A2"].value
    assert "版本：1" in ws["A2"].value
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for label in ("项目名称", "主管部门及代码", "实施单位", "项目属性", "项目期", "项目资金（万元）", "中期资金总额",
                  "年度资金总额", "中期目标", "年度目标", "一级指标", "二级指标", "三级指标", "指标值", "分值"):
        assert label in cells, label
    assert cells["临朐县教育和体育局（101）"].column == 2
    assert "2025—2027年" in cells and "延续" in cells
    annual = ws.cell(row=cells["年度资金总额"].row, column=5)
    assert annual.number_format == "#,##0.00" and round(annual.value, 2) == 123.46
    assert Decimal(repr(annual.value)) == Decimal("123.456789")  # exact: the cents survive a round trip
    merged = {str(r) for r in ws.merged_cells.ranges}
    header = cells["一级指标"].row
    # 产出指标 runs over three rows, its 二级 cells are one each; the label column spans the table
    assert f"B{header + 1}:B{header + 3}" in merged
    assert f"A{header}:A{header + 6}" in merged
    assert f"C{header + 4}:C{header + 4}" not in merged
    values = [ws.cell(row=header + n, column=5).value for n in range(1, 7)]
    assert values == ["≥2栋", "100%", "≤12月", "≤60万元", "≥95%", "≥90%"]
    assert ws.cell(row=header + 1, column=4).font.name == "宋体"
    assert ws.cell(row=header + 1, column=4).border.left.style == "thin"
    # A4 portrait, one page wide (fitToWidth's default is 1), as many tall as needed; the print area
    # is the form; the indicator header repeats atop every page
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth or 1, setup.fitToHeight) == (9, "portrait", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area == f"'{ws.title}'!$A$1:$F${header + 6}"
    assert ws.print_title_rows == f"${header}:${header}"


def test_official_agency_sheet_layout(world, django_assert_max_num_queries):
    sheet = TargetSheet.objects.get(pk=agency_sheet(world).pk)
    with django_assert_max_num_queries(6):  # a list is prefetched, not read sheet by sheet
        data = exports.official_workbook([sheet])
    wb = load(data)
    ws = wb[wb.sheetnames[0]]
    assert ws.title == "101001部门整体"
    assert ws["A1"].value == "部门整体支出绩效目标表"
    assert "单位编码：101001" in ws["A2"].value
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for label in ("部门（单位）名称", "年度主要任务", "任务名称", "主要内容", "预算金额（万元）", "总额", "财政拨款",
                  "其他资金", "金额合计", "年度总体目标", "年度绩效指标"):
        assert label in cells, label
    total = cells["金额合计"].row
    assert [round(ws.cell(row=total, column=c).value, 2) for c in (4, 5, 6)] == [183.46, 173.46, 10.0]


def test_sheet_titles_are_unique_and_legal():
    taken: set[str] = set()
    titles = [exports.sheet_title(project_code=c, agency_code="101", number=1, taken=taken)
              for c in ("A/B:C*D?[x]", "A/B:C*D?[x]", "X" * 40)]
    assert titles[0] == "A_B_C_D__x_" and titles[1] == "A_B_C_D__x_(2)"
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)
    assert exports.sheet_title(project_code=None, agency_code="101", number=2, taken=taken) == "101部门整体-v2"


def test_round_trip_official_changes_nothing(world):
    project_sheet = approved_sheet(world)
    draft_agency = agency_sheet(world)
    data = exports.official_workbook(TargetSheet.objects.filter(pk__in=[project_sheet.pk, draft_agency.pk]))
    before = state()
    summary = import_back(world, data)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2)
    assert state() == before


def test_round_trip_flat_changes_nothing_and_rebuilds_elsewhere(world):
    sheet = make_sheet(world)
    rows = services.indicator_dicts(sheet)
    rows[0]["scoring_standard"] = "完成得满分"
    rows.append({"level1": "benefit", "level2": "sustainability", "name": "长效管护", "operator": "qualitative",
                 "value": "100", "unit": "", "weight": None, "value_basis": "other"})
    rows.append({"level1": "benefit", "level2": "social", "name": "通信覆盖", "operator": "qualitative",
                 "value": "5G网络覆盖率", "unit": "", "weight": None, "value_basis": "other"})
    sheet = services.save_indicators(actor=world.user("preparer"), sheet=sheet, version=sheet.version, rows=rows)
    data = exports.flat_workbook(TargetSheet.objects.filter(pk=sheet.pk))
    before = state()
    assert import_back(world, data)["unchanged"] == 1
    assert state() == before
    # the flat file holds everything: read back with calamine, one row per indicator
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("绩效指标").to_python()
    assert rows[0][:4] == ["对象类型", "单位编码", "项目编码", "名称"]
    assert len(rows) == 1 + 8
    assert rows[-2][11] == "定性：100"  # a qualitative text that looks like a number stays qualitative
    assert rows[-1][11] == "定性：5G网络覆盖率"  # … and one that would not read back at all


def test_flat_export_streams_without_a_query_per_row(world, django_assert_max_num_queries):
    for n in range(5):
        make_sheet(world, project=make_project(world, code=f"XM-Q-{n}"))
    with django_assert_max_num_queries(2):
        data = exports.flat_workbook(TargetSheet.objects.all())
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("绩效指标").to_python()
    assert len(rows) == 1 + 5 * 6
    goals = [r[6] for r in rows[1:]]
    assert sum(1 for g in goals if g) == 5


def test_import_template_has_example_and_notes_and_imports(world):
    make_project(world)
    data = exports.import_template()
    wb = load(data)
    assert wb.sheetnames == ["绩效指标", "说明"]
    assert [c.value for c in wb["绩效指标"][1]][:3] == ["对象类型", "单位编码", "项目编码"]
    notes = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "产出指标" in notes and "≥" in notes
    summary = import_back(world, data)
    assert summary["created"] == 1 and summary["skipped_worksheets"] == ["说明"]
