"""The official tables print cleanly on A4: the exported workbook is rendered to PDF by headless
LibreOffice and measured — no glyph crosses a cell border, no text is left undrawn (a row too low
for its wrapped text loses lines), every page is A4 and one page wide, the indicator header repeats
on the second page, and the indicators print in the taxonomy's order. ``JIXIAO_KEEP_RENDERING=<dir>``
keeps the PDF and its PNG pages there for a person to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from jixiao.core.actors import SYSTEM
from jixiao.core.excel import Printed, fit_row_heights, wrapped_lines
from jixiao.org import services as org_services
from jixiao.targets import exports, services
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import make_project
from tests.pdfcheck import measure, to_pdf, to_png

pytestmark = pytest.mark.django_db
YEAR = 2026

LONG_AGENCY = "临朐县教育和体育局所属临朐县第一中学附属实验学校暨临朐县青少年校外活动中心（临朐县学生资助管理中心）"
LONG_CONTENT = ("保障全校一百二十个教学班日常教育教学运转，包括教师培训、教研活动、实验耗材、图书资料购置、"
                "信息化设备运维、学生综合实践活动组织以及校园安全保卫和卫生保洁等各项工作，确保教学秩序正常。")
GOAL = "\n".join(f"{n}. 目标{n}：完成年度教育教学任务，义务教育巩固率保持在99%以上，教学质量稳步提升，"
                 f"校舍安全达标率100%，学生体质健康达标率不低于95%，家长和学生满意度明显提升。" for n in range(1, 6))
#: entered out of the taxonomy's order on purpose (满意度 first, 成本 last)
ROWS = [
    {"level1": "satisfaction", "level2": "beneficiary", "name": "学生及家长对学校办学条件改善工作的综合满意度",
     "operator": "ge", "value": "90", "unit": "%", "weight": "10"},
    {"level1": "benefit", "level2": "social", "name": "义务教育阶段适龄儿童少年入学率及巩固率保持稳定",
     "operator": "qualitative", "value": "持续保持在较高水平并逐年有所提升，辍学学生动态清零", "unit": "", "weight": "10"},
    {"level1": "output", "level2": "timeliness", "name": "完成时间", "operator": "le", "value": "12", "unit": "月",
     "weight": "10"},
    {"level1": "output", "level2": "quantity", "name": "资助家庭经济困难学生人数", "operator": "ge", "value": "1200",
     "unit": "人", "weight": "10"},
    {"level1": "cost", "level2": "economic_cost", "name": "生均公用经费", "operator": "le", "value": "1200",
     "unit": "元/生·年", "weight": "10"},
    {"level1": "output", "level2": "quality", "name": "资助资金发放准确率", "operator": "eq", "value": "100",
     "unit": "%", "weight": "10"},
] + [
    {"level1": "output", "level2": "quantity", "name": f"第{n}项培训及教研活动完成场次（含线上线下混合式教研与送教下乡）",
     "operator": "ge", "value": str(n), "unit": "场", "weight": "1"} for n in range(1, 31)
]


@pytest.fixture
def workdir(tmp_path):
    keep = os.environ.get("JIXIAO_KEEP_RENDERING")
    yield tmp_path
    if keep:
        shutil.copytree(tmp_path, Path(keep), dirs_exist_ok=True)


def long_sheets(world):
    preparer = world.user("preparer")
    parent = world.agency("101")
    agency = org_services.create_agency(actor=SYSTEM, region=world.regions["370724"], code="101099",
                                        name=LONG_AGENCY, kind="unit", parent=parent, sector=parent.sector)
    project = make_project(world, agency="101001", name="临朐县第一中学教学楼抗震加固改造及校园安全设施提升工程暨学生宿舍"
                                                       "配套设施维修改造项目（二期）", start_year=2025, end_year=2027)
    project_sheet = services.create_sheet(actor=preparer, year=YEAR, project=project, annual_goal=GOAL,
                                          medium_goal=GOAL[:300], amount="123456789.12", fiscal_amount="100000000",
                                          other_amount="23456789.12", medium_amount="370000000",
                                          medium_fiscal="300000000", medium_other="70000000")
    project_sheet = services.save_indicators(actor=preparer, sheet=project_sheet, version=project_sheet.version,
                                             rows=ROWS)
    agency_sheet = services.create_sheet(actor=SYSTEM, year=YEAR, agency=agency, annual_goal=GOAL)
    agency_sheet = services.save_tasks(actor=SYSTEM, sheet=agency_sheet, version=agency_sheet.version, rows=[
        {"name": "教育教学运转保障及教师队伍建设", "content": LONG_CONTENT, "fiscal_amount": "98765432.10",
         "other_amount": "1234567.89"},
        {"name": "校舍维修", "content": "维修", "amount": "500000", "fiscal_amount": "500000"},
    ])
    agency_sheet = services.save_indicators(actor=SYSTEM, sheet=agency_sheet, version=agency_sheet.version,
                                            rows=ROWS[:6])
    return project_sheet, agency_sheet


def test_official_tables_fit_their_cells_on_a4(world, workdir):
    project_sheet, agency_sheet = long_sheets(world)
    data = exports.official_workbook(TargetSheet.objects.filter(pk__in=[project_sheet.pk, agency_sheet.pk])
                                     .order_by("pk"))
    pdf = to_pdf(data, ".xlsx", workdir)
    to_png(pdf)
    r = measure(pdf)
    assert not r.crossings, "\n".join(map(str, r.crossings[:20]))
    # A4 portrait (595 × 842 pt) and one page wide: the project sheet's 36 indicators run over three
    # pages, the agency sheet fits on one
    assert r.page_count == 4
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in r.page_sizes)
    # nothing left undrawn: every text of the forms is on the pages in full
    text = r.text
    for expected in (LONG_AGENCY, LONG_CONTENT, project_sheet.project.name, *GOAL.replace(" ", "").split("\n"),
                     *(row["name"] for row in ROWS), "持续保持在较高水平并逐年有所提升，辍学学生动态清零",
                     "12,345.68", "9,876.54", "123.46", "37,000.00", "部门（单位）名称", "主要内容", "项目资金（万元）",
                     "主管部门及代码"):
        assert expected.replace(" ", "") in text, expected
    # the indicator header repeats atop the project sheet's later pages, not on either form's first
    assert r.first_chars[0].startswith("项目支出绩效目标申报表")
    assert "一级指标二级指标三级指标指标值分值" in r.first_chars[1][:40]
    assert "一级指标二级指标三级指标指标值分值" in r.first_chars[2][:40]
    assert r.first_chars[3].startswith("部门整体支出绩效目标表")
    assert "一级指标" not in r.first_chars[3][:40]
    # the taxonomy's order: 产出 (数量, 质量, 时效) → 成本 → 效益 → 满意度, whatever order they were entered in
    order = [text.index(s) for s in ("资助家庭经济困难学生人数", "资助资金发放准确率", "完成时间", "生均公用经费",
                                    "义务教育阶段适龄儿童少年入学率", "学生及家长对学校办学条件改善工作的综合满意度")]
    assert order == sorted(order)


def test_the_measure_catches_rows_too_low(workdir):
    """The measure finds what it is for: the agency name and a long 主要内容 in rows left at the
    default height (what the export did before) lose text or cross borders."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out)
    ws = wb.add_worksheet()
    for c, w in enumerate(exports.WIDTHS):
        ws.set_column(c, c, w)
    head, text = wb.add_format(exports.STYLES["head"]), wb.add_format(exports.STYLES["text"])
    ws.write(0, 0, "部门（单位）名称", head)
    ws.merge_range(0, 1, 0, 5, LONG_AGENCY, text)
    ws.write(1, 0, "主要内容", head)
    ws.merge_range(1, 1, 1, 5, LONG_CONTENT * 2, text)
    wb.close()
    r = measure(to_pdf(out.getvalue(), ".xlsx", workdir))
    assert LONG_CONTENT * 2 not in r.text or r.crossings


def test_wrapped_lines_and_heights_by_hand():
    # column D (29 units) is 208 px; 10.5 pt CJK is 14 px a character: 14 characters a line
    assert wrapped_lines("中" * 14, width_px=208, font_pt=10.5) == 1
    assert wrapped_lines("中" * 15, width_px=208, font_pt=10.5) == 2
    assert wrapped_lines("中\n中", width_px=208, font_pt=10.5) == 2
    assert wrapped_lines("", width_px=208, font_pt=10.5) == 1
    # Latin and digits are narrower (0.6 em): 24 of them a line
    assert wrapped_lines("1" * 24, width_px=208, font_pt=10.5) == 1
    g = Printed(title="t", widths=[29, 29])
    g.merge(0, 0, 1, 0, "中" * 60, "text")  # 5 lines over two rows: 5 × 15.75 + 5 = 83.75 pt
    g.put(0, 1, "短", "text")
    g.put(1, 1, "短", "text")
    h = fit_row_heights(g, exports.STYLES)
    assert h[0] + h[1] >= 83.7 and h[0] == h[1]
