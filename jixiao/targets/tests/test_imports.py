"""Excel import of target sheets: both layouts, all or nothing with every bad cell by sheet/row/column,
idempotent by code + year + version, editable sheets replaced, reviewed sheets refused, scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from jixiao.core.actors import SYSTEM
from jixiao.core.choices import ReviewStatus, SecurityEventCode
from jixiao.core.excel import ImportFailed
from jixiao.core.models import ChangeLog, Review, SecurityEvent
from jixiao.projects.models import ProjectEvent
from jixiao.targets import exports
from jixiao.targets.imports import import_sheets
from jixiao.targets.models import TargetFinding, TargetIndicator, TargetSheet, TargetTask
from jixiao.targets.tests.factories import GOOD_ROWS, approved_sheet, make_project, make_sheet

pytestmark = pytest.mark.django_db

YEAR = 2026
FLAT = ["对象类型", "单位编码", "项目编码", "名称", "年度", "版本号", "年度目标", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
CODE = "XM2026101001001"


def flat_row(**over):
    d = {"对象类型": "项目", "单位编码": "101001", "项目编码": CODE, "名称": "教学楼抗震加固改造项目", "年度": YEAR,
         "版本号": 1, "年度目标": None, "一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "加固教学楼栋数",
         "指标值": "≥2栋", "分值": 20}
    d.update(over)
    return d


def good_rows(code=CODE, goal="完成教学楼抗震加固，校舍安全达标。"):
    """The six GOOD_ROWS as a bureau types them: labels, one value cell, some numbers as text."""
    return [
        flat_row(**{"项目编码": code, "年度目标": goal}),
        flat_row(**{"项目编码": code, "一级指标": "产出", "二级指标": "质量", "三级指标": "工程验收合格率", "指标值": "100%",
                    "分值": "20"}),
        flat_row(**{"项目编码": code, "二级指标": "时效指标", "三级指标": "工程完工时间", "指标值": "≤12月", "分值": "10"}),
        flat_row(**{"项目编码": code, "一级指标": "成本指标", "二级指标": "经济成本指标", "三级指标": "每栋加固成本",
                    "指标值": "≤60万元", "分值": 10}),
        flat_row(**{"项目编码": code, "一级指标": "效益指标", "二级指标": "社会效益指标", "三级指标": "校舍安全达标率",
                    "指标值": "≥95%", "分值": 30}),
        flat_row(**{"项目编码": code, "一级指标": "满意度指标", "二级指标": "服务对象满意度指标", "三级指标": "师生满意度",
                    "指标值": "≥90%", "分值": 10}),
    ]


def workbook(*rows, headers=FLAT, title="绩效指标", extra_sheets=(), caption=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    if caption:
        ws.append([caption])
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    for name, content in extra_sheets:
        other = wb.create_sheet(name)
        for line in content:
            other.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(world, data, user="perf_section", **kw):
    return import_sheets(actor=world.user(user) if user else SYSTEM, region=world.regions["370724"], year=YEAR,
                         data=data, name="测试.xlsx", **kw)


def errors_of(exc) -> list[tuple[str, int, str, str]]:
    return [(e.sheet, e.row, e.column, e.message) for e in exc.value.report.errors]


def counts():
    return (TargetSheet.objects.count(), TargetIndicator.objects.count(), Review.objects.count(),
            TargetFinding.objects.count(), ChangeLog.objects.count(), TargetTask.objects.count())


def test_flat_import_creates_sheet_review_findings_then_is_idempotent(world):
    project = make_project(world)
    before_logs = ChangeLog.objects.count()
    summary = run(world, workbook(*good_rows()), user="preparer")
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["indicators"]) == (1, 0, 0, 6)
    sheet = TargetSheet.objects.get(project=project, year=YEAR, number=1)
    assert sheet.status == "draft" and sheet.kind == "project" and sheet.taxonomy == "2021"
    assert sheet.annual_goal == "完成教学楼抗震加固，校舍安全达标。"
    assert sheet.amount == project.requested_amount == sheet.fiscal_amount
    assert sheet.created_by == world.user("preparer")
    rows = list(sheet.indicators.order_by("position"))
    assert [(i.level1, i.level2, i.name, i.operator, i.value, i.unit, i.weight) for i in rows] == [
        (r["level1"], r["level2"], r["name"], r["operator"], r["value"], r["unit"], Decimal(r["weight"]))
        for r in GOOD_ROWS]
    assert rows[1].number == Decimal("100")
    review = Review.objects.get(object_id=sheet.pk, chain="target")
    assert review.status == ReviewStatus.DRAFT and review.submit_roles == ["agency_preparer"]
    assert [s["role"] for s in review.steps] == ["agency_head", "department_reviewer", "section_reviewer",
                                                 "performance_section"]
    # the check ran in memory: a clean sheet has no blocking finding and the counts match the rows
    assert sheet.error_count == TargetFinding.objects.filter(sheet=sheet, severity="error").count() == 0
    assert sheet.warning_count == TargetFinding.objects.filter(sheet=sheet).count()
    # small import: per-sheet create logs (sheet and review) plus the region's summary entry
    logs = ChangeLog.objects.filter(seq__gt=0).order_by("-seq")[:3]
    assert {log.object_type for log in logs} == {"targets.targetsheet", "core.review", "org.region"}
    assert ChangeLog.objects.count() == before_logs + 3
    summary_log = ChangeLog.objects.filter(object_type="org.region").order_by("-seq").first()
    assert summary_log.changes["target_import"][1]["created"] == 1
    event = SecurityEvent.objects.filter(code=SecurityEventCode.IMPORT).order_by("-seq").first()
    assert event.detail["what"] == "targets" and event.detail["sha256"] == summary["sha256"]
    assert ProjectEvent.objects.filter(project=project, kind="targets").count() == 1

    snapshot = counts()
    version = sheet.version
    again = run(world, workbook(*good_rows()), user="preparer")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert counts() == snapshot
    sheet.refresh_from_db()
    assert sheet.version == version


def test_flat_with_separate_operator_and_unit_columns_and_merged_cells(world):
    make_project(world)
    headers = ["项目编码", "一级指标", "二级指标", "三级指标", "运算符", "指标值", "计量单位", "分值", "指标值确定依据"]
    rows = [
        {"项目编码": CODE, "一级指标": "output", "二级指标": "quantity", "三级指标": "加固教学楼栋数", "运算符": ">=",
         "指标值": 2, "计量单位": "栋", "分值": "20", "指标值确定依据": "历史标准"},
        # merged cells: code, level 1 and level 2 left blank below the first row of their block
        {},  # a blank row between the rows of one sheet
        {"三级指标": "工程验收合格率", "二级指标": "质量指标", "运算符": "=", "指标值": "100", "计量单位": "%", "分值": 20},
        {"三级指标": "群众知晓情况", "运算符": "定性", "指标值": "明显提升", "分值": 10},
    ]
    run(world, workbook(*rows, headers=headers, caption="2026年度项目绩效指标"))
    sheet = TargetSheet.objects.get(project__code=CODE)
    got = [(i.level1, i.level2, i.name, i.operator, i.value, i.unit, i.value_basis)
           for i in sheet.indicators.order_by("position")]
    assert got == [
        ("output", "quantity", "加固教学楼栋数", "ge", "2", "栋", "history"),
        ("output", "quality", "工程验收合格率", "eq", "100", "%", "plan"),
        ("output", "quality", "群众知晓情况", "qualitative", "明显提升", "", "plan"),
    ]


def test_every_bad_cell_is_reported_by_sheet_row_column_and_nothing_is_written(world):
    make_project(world)
    make_project(world, code="XM-FAR", agency="101001", region="654022", name="远方项目")
    snapshot = counts()
    rows = good_rows()
    rows[0]["一级指标"] = "产出效果"         # row 2: unknown level 1
    rows[1]["分值"] = "二十"                # row 3: weight not a number
    rows[2]["三级指标"] = None              # row 4: empty name
    rows[3]["二级指标"] = "数量指标"          # row 5: level 2 not under 成本指标
    rows.append(flat_row(**{"项目编码": "XM-NOPE"}))                      # row 8: unknown code
    rows.append(flat_row(**{"项目编码": "XM-FAR"}))     # row 9: another region's project
    rows.append(flat_row(**{"年度": 2025, "三级指标": "另一年度"}))          # row 10: wrong year
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*rows, extra_sheets=[("说明", [["随便写点什么"]])]))
    errors = errors_of(exc)
    where = {(row, col) for _, row, col, _ in errors}
    assert {(2, "H"), (3, "L"), (4, "J"), (5, "I"), (8, "C"), (9, "C"), (10, "E")} <= where
    assert all(sheet == "绩效指标" for sheet, *_ in errors)
    messages = " ".join(m for *_, m in errors)
    assert "一级指标“产出效果”无效" in messages and "分值“二十”不是数字" in messages
    assert "不属于一级指标“成本指标”" in messages and "XM-NOPE 不存在或不在您的权限范围内" in messages
    assert "XM-FAR 不存在或不在您的权限范围内" in messages
    assert counts() == snapshot
    text = str(exc.value.report.errors[0])
    assert text.startswith("工作表“绩效指标”第 ") and " 列" in text


def test_malformed_file_and_file_without_target_tables(world):
    with pytest.raises(ImportFailed) as exc:
        run(world, b"this is not a spreadsheet at all")
    assert "不是有效的 Excel 文件" in exc.value.report.errors[0].message
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(headers=["甲", "乙"]))
    assert "没有可识别的绩效目标表" in exc.value.report.errors[0].message


def test_extra_sheets_are_skipped_and_named(world):
    make_project(world)
    summary = run(world, workbook(*good_rows(), extra_sheets=[("说明", [["一级指标", "产出指标"]]), ("Sheet3", [])]))
    assert summary["created"] == 1
    assert summary["skipped_worksheets"] == ["说明", "Sheet3"]


def test_editable_sheet_is_replaced_and_logged(world):
    sheet = make_sheet(world)
    version = sheet.version
    rows = good_rows(goal="新的年度目标")
    rows[0]["指标值"] = "≥3栋"
    rows = rows[:5] + [flat_row(**{"一级指标": "满意度", "二级指标": "服务对象满意度", "三级指标": "家长满意度",
                                   "指标值": "≥92%", "分值": 10})]
    summary = run(world, workbook(*rows), user="preparer")
    assert (summary["created"], summary["updated"]) == (0, 1)
    sheet.refresh_from_db()
    assert sheet.version == version + 1 and sheet.annual_goal == "新的年度目标"
    names = list(sheet.indicators.order_by("position").values_list("name", "value"))
    assert names[0] == ("加固教学楼栋数", "3") and names[-1] == ("家长满意度", "92")
    log = ChangeLog.objects.filter(object_type="targets.targetsheet", object_id=str(sheet.pk)).order_by("-seq").first()
    assert log.changes["indicators.1.value"] == ["2", "3"] and log.changes["annual_goal"][1] == "新的年度目标"
    assert log.changes["indicators.6.name"] == ["师生满意度", "家长满意度"]


def test_approved_sheet_refuses_a_changed_import_but_accepts_the_same(world):
    sheet = approved_sheet(world)
    data = exports.flat_workbook(TargetSheet.objects.filter(pk=sheet.pk))
    assert run(world, data)["unchanged"] == 1
    rows = good_rows()
    rows[0]["指标值"] = "≥5栋"
    snapshot = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*rows))
    assert "已提交审核/已批复的目标表不能通过导入修改，请先退回或调整" in exc.value.report.errors[0].message
    assert counts() == snapshot


def test_version_that_does_not_exist_is_refused(world):
    make_project(world)
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*[dict(r, 版本号=2) for r in good_rows()]))
    assert "第 2 版目标表不存在" in errors_of(exc)[0][3]


def test_preparer_imports_only_their_own_agency(world):
    make_project(world, code="XM-AGRI", agency="102001", name="高标准农田建设项目")
    snapshot = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*[dict(r, 单位编码="102001", 名称="高标准农田建设项目") for r in good_rows(code="XM-AGRI")]),
            user="preparer")
    assert "XM-AGRI 不存在或不在您的权限范围内" in errors_of(exc)[0][3]
    rows = [dict(r, 对象类型="部门整体", 项目编码=None, 单位编码="102001", 名称=None) for r in good_rows()]
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*rows), user="preparer")
    assert "单位编码 102001 不存在或不在您的权限范围内" in errors_of(exc)[0][3]
    assert counts() == snapshot
    # the performance section imports the whole region
    assert run(world, workbook(*[dict(r, 单位编码="102001", 名称="高标准农田建设项目")
                                 for r in good_rows(code="XM-AGRI")]))["created"] == 1


def test_reviewer_may_not_import(world):
    from django.core.exceptions import PermissionDenied

    make_project(world)
    with pytest.raises(PermissionDenied):
        run(world, workbook(*good_rows()), user="dept_reviewer")


def test_agency_sheet_by_flat_layout(world):
    # the code typed as a number, the kind left to the blank project code
    rows = [dict(r, 对象类型=None, 项目编码=None, 单位编码=101001, 名称="临朐县第一中学") for r in good_rows()]
    run(world, workbook(*rows), user="preparer")
    sheet = TargetSheet.objects.get(kind="agency", agency__code="101001", year=YEAR)
    assert sheet.indicators.count() == 6 and sheet.project is None
    assert sheet.title == "临朐县第一中学2026年度部门整体支出绩效目标"


def test_ten_thousand_rows_all_or_nothing(world):
    from jixiao.projects.models import Project
    from jixiao.projects.tests.factories import make_project as mp

    base = mp(world)
    Project.objects.bulk_create([
        Project(region=base.region, agency=base.agency, code=f"XM-BIG-{n:04d}", name=f"项目{n}", sector=base.sector,
                budget_book=base.budget_book, function_code=base.function_code, year=YEAR, start_year=YEAR,
                end_year=YEAR, requested_amount=Decimal("10000.00"))
        for n in range(1000)])
    rows = []
    for n in range(1000):
        for r in good_rows(code=f"XM-BIG-{n:04d}")[:5]:
            rows.append(dict(r, 名称=f"项目{n}"))
        rows.append(flat_row(**{"项目编码": f"XM-BIG-{n:04d}", "名称": f"项目{n}", "一级指标": "满意度指标", "二级指标": "服务对象满意度指标",
                                "三级指标": "师生满意度", "指标值": "≥90%", "分值": 10}))
    rows[-1]["分值"] = "很多"
    data = workbook(*rows)
    snapshot = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, data)
    assert errors_of(exc) == [("绩效指标", 6001, "L", "分值“很多”不是数字")]
    assert counts() == snapshot
    rows[-1]["分值"] = 10
    summary = run(world, workbook(*rows))
    assert (summary["created"], summary["indicators"]) == (1000, 6000)
    assert TargetIndicator.objects.filter(sheet__project__code__startswith="XM-BIG-").count() == 6000
    assert Review.objects.filter(chain="target").count() == 1000
    # a large import logs one region entry, not one per sheet
    assert not ChangeLog.objects.filter(object_type="targets.targetsheet").exists()


def _official(world, sheet) -> tuple:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports.official_workbook(TargetSheet.objects.filter(pk=sheet.pk))))
    ws = wb[wb.sheetnames[0]]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    return wb, ws, cells


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_official_layout_edited_updates_the_editable_sheet_and_keeps_what_it_does_not_carry(world):
    from jixiao.targets import services

    sheet = make_sheet(world)
    rows = services.indicator_dicts(sheet)
    rows[0]["scoring_standard"] = "每少1栋扣10分"
    sheet = services.save_indicators(actor=world.user("preparer"), sheet=sheet, version=sheet.version, rows=rows)
    wb, ws, cells = _official(world, sheet)
    header = cells["一级指标"].row
    ws.cell(row=header + 1, column=5).value = "≥4栋"
    ws.cell(row=cells["年度目标"].row + 1, column=4).value = "改写后的年度目标"
    ws.cell(row=cells["年度资金总额"].row + 1, column=5).value = "100"  # numbers typed as text
    ws.cell(row=cells["年度资金总额"].row + 2, column=5).value = "20"
    summary = run(world, _save(wb), user="preparer")
    assert (summary["updated"], summary["unchanged"]) == (1, 0)
    sheet.refresh_from_db()
    assert sheet.annual_goal == "改写后的年度目标" and sheet.amount == Decimal("1200000.00")
    assert (sheet.fiscal_amount, sheet.other_amount) == (Decimal("1000000.00"), Decimal("200000.00"))
    first = sheet.indicators.get(position=1)
    assert (first.operator, first.value, first.unit) == ("ge", "4", "栋")
    assert first.scoring_standard == "每少1栋扣10分"  # not in the official layout: kept


def test_an_update_takes_the_files_scoring_standard_and_explanation_where_it_has_their_columns(world):
    """Official layout with 评分标准 and 指标解释 columns: the update takes the file's (an emptied cell
    too); a flat file without those columns keeps the stored ones instead of clearing them."""
    from jixiao.targets import services

    sheet = make_sheet(world)
    rows = services.indicator_dicts(sheet)
    rows[0].update(scoring_standard="旧的评分标准", explanation="旧的解释")
    rows[1].update(scoring_standard="第二项旧标准", explanation="第二项旧解释")
    sheet = services.save_indicators(actor=world.user("preparer"), sheet=sheet, version=sheet.version, rows=rows)
    wb, ws, cells = _official(world, sheet)
    header = cells["一级指标"].row
    ws.cell(row=header, column=7).value = "评分标准"
    ws.cell(row=header, column=8).value = "指标解释"
    names = {ws.cell(row=r, column=4).value: r for r in range(header + 1, header + 7)}
    ws.cell(row=names[rows[0]["name"]], column=7).value = "每少1栋扣10分"
    ws.cell(row=names[rows[0]["name"]], column=8).value = "按竣工验收的栋数计"
    summary = run(world, _save(wb), user="preparer")
    assert (summary["updated"], summary["unchanged"]) == (1, 0)
    got = {i.name: (i.scoring_standard, i.explanation) for i in sheet.indicators.all()}
    assert got[rows[0]["name"]] == ("每少1栋扣10分", "按竣工验收的栋数计")
    assert got[rows[1]["name"]] == ("", "")  # the file's cells are empty: so is the sheet
    # the same file again changes nothing
    assert run(world, _save(wb), user="preparer")["unchanged"] == 1

    # a flat file without those columns keeps them (and changes nothing else here)
    flat = [{**r, "一级指标": r["一级指标"]} for r in good_rows()]
    flat[0]["指标值"] = "≥3栋"
    assert run(world, workbook(*flat), user="preparer")["updated"] == 1
    first = sheet.indicators.get(name=rows[0]["name"])
    assert (first.value, first.scoring_standard, first.explanation) == ("3", "每少1栋扣10分", "按竣工验收的栋数计")


def test_official_layout_bad_cells_are_reported_where_they_are(world):
    sheet = make_sheet(world)
    wb, ws, cells = _official(world, sheet)
    money = ws.cell(row=cells["年度资金总额"].row, column=5)
    money.value = "一百万"
    header = cells["一级指标"].row
    ws.cell(row=header + 2, column=6).value = "二十分"
    ws.cell(row=header + 3, column=3).value = "经济成本指标"  # under 产出指标: wrong level 2
    snapshot = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, _save(wb))
    errors = errors_of(exc)
    sheet_name = wb.sheetnames[0]
    assert (sheet_name, money.row, "E", "金额应为数字（万元），收到“一百万”") in errors
    assert (sheet_name, header + 2, "F") in {e[:3] for e in errors}
    assert (sheet_name, header + 3, "C") in {e[:3] for e in errors}
    assert counts() == snapshot


def test_agency_official_layout_creates_with_tasks(world):
    from jixiao.targets import services

    preparer = world.user("preparer")
    sheet = services.create_sheet(actor=preparer, year=YEAR, agency=world.agency("101001"), annual_goal="年度目标")
    sheet = services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
        {"name": "教育教学", "content": "保障日常教学", "fiscal_amount": "1000000", "other_amount": "20000.5"}])
    sheet = services.save_indicators(actor=preparer, sheet=sheet, version=sheet.version, rows=GOOD_ROWS)
    data = exports.official_workbook(TargetSheet.objects.filter(pk=sheet.pk))
    # the same file into a region where the sheet does not exist yet: delete it, then import
    TargetSheet.objects.filter(pk=sheet.pk).update(status="draft")
    TargetFinding.objects.filter(sheet=sheet).delete()
    TargetIndicator.objects.filter(sheet=sheet).delete()
    TargetTask.objects.filter(sheet=sheet).delete()
    Review.objects.filter(object_id=sheet.pk, chain="target").delete()
    TargetSheet.objects.filter(pk=sheet.pk).delete()
    summary = run(world, data, user="preparer")
    assert summary["created"] == 1
    new = TargetSheet.objects.get(kind="agency", agency__code="101001", year=YEAR)
    assert new.pk > sheet.pk  # reserved ids are never those of deleted sheets (the audit trail names them)
    assert new.amount == Decimal("1020000.50") and new.fiscal_amount == Decimal("1000000.00")
    assert list(new.tasks.values_list("name", "content", "amount")) == [("教育教学", "保障日常教学", Decimal("1020000.50"))]
    assert new.indicators.count() == 6 and new.annual_goal == "年度目标"


def test_project_code_with_another_agency_code_is_refused(world):
    make_project(world)
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*[dict(r, 单位编码="102001") for r in good_rows()]))
    assert "属于单位 101001，与填写的单位编码 102001 不符" in errors_of(exc)[0][3]


def test_the_same_sheet_in_two_worksheets_is_refused(world):
    sheet = make_sheet(world)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports.official_workbook(TargetSheet.objects.filter(pk=sheet.pk))))
    flat = wb.create_sheet("清单")
    flat.append(FLAT)
    for r in good_rows():
        flat.append([r.get(h) for h in FLAT])
    with pytest.raises(ImportFailed) as exc:
        run(world, _save(wb))
    assert any("同一目标表只能出现一次" in e[3] and e[0] == "清单" for e in errors_of(exc))


def test_another_regions_user_may_not_import_here(world):
    from django.core.exceptions import PermissionDenied

    make_project(world)
    with pytest.raises(PermissionDenied):
        run(world, workbook(*good_rows()), user="far_perf_section")


def test_policy_project_gets_a_policy_sheet_and_command_line_import_logs_system(world):
    make_project(world, code="ZC-1", kind="policy", name="学前教育资助政策")
    run(world, workbook(*[dict(r, 对象类型="政策", 名称="学前教育资助政策") for r in good_rows(code="ZC-1")]), user=None)
    sheet = TargetSheet.objects.get(project__code="ZC-1")
    assert sheet.kind == "policy" and sheet.created_by is None
    log = ChangeLog.objects.filter(object_type="org.region").order_by("-seq").first()
    assert log.actor_name == "系统"
    sheet_log = ChangeLog.objects.get(object_type="targets.targetsheet", object_id=str(sheet.pk), action="create")
    assert sheet_log.actor_id is None and sheet_log.actor_name == "系统"
    event = ProjectEvent.objects.get(project__code="ZC-1", title="编报绩效目标（Excel 导入）")
    assert event.actor_id is None and event.actor_name == "系统"


def test_import_without_an_actor_fails_loudly_and_writes_nothing(world):
    make_project(world)
    before = counts()
    with pytest.raises(TypeError, match="SYSTEM"):
        import_sheets(actor=None, region=world.regions["370724"], year=YEAR, data=workbook(*good_rows()),
                      name="测试.xlsx")
    assert counts() == before


def test_command_line_update_of_a_sheet_passes_the_scope_check(world):
    make_sheet(world)
    run(world, workbook(*[dict(r, 指标值="99") if r["三级指标"] == "校舍安全达标率" else r for r in good_rows()]),
        user=None)
    sheet = TargetSheet.objects.get(project__code=make_project(world).code)
    assert sheet.indicators.get(name="校舍安全达标率").value == "99"
    log = ChangeLog.objects.filter(object_type="targets.targetsheet", action="update").order_by("-seq").first()
    assert log.actor_id is None and log.actor_name == "系统"


def test_signs_in_every_spelling_and_a_unit_column_without_an_operator_column(world):
    make_project(world)
    headers = ["项目编码", "一级指标", "二级指标", "三级指标", "指标值", "计量单位", "分值"]
    cells = [("产出指标", "数量指标", "高标准农田建设面积", "≧20000", "亩"), ("产出指标", "数量指标", "培训次数", "不少于 2", "次"),
             ("产出指标", "质量指标", "验收合格率", "═100%", "百分比"), ("产出指标", "质量指标", "档案完整", "﹦1", "项"),
             ("产出指标", "时效指标", "完成时间", "11月底完成", ""), ("成本指标", "经济成本指标", "亩均成本", "≤ 1,500", "元/亩"),
             ("效益指标", "社会效益指标", "受益农户", "≥= 300户", "户"), ("满意度指标", "服务对象满意度指标", "农户满意度", "＞＝90％", "%")]
    rows = [{"项目编码": CODE, "一级指标": a, "二级指标": b, "三级指标": c, "指标值": v, "计量单位": u, "分值": 10}
            for a, b, c, v, u in cells]
    run(world, workbook(*rows, headers=headers))
    got = [(i.operator, i.value, i.unit) for i in TargetSheet.objects.get(project__code=CODE).indicators.order_by("position")]
    assert got == [("ge", "20000", "亩"), ("ge", "2", "次"), ("eq", "100", "%"), ("eq", "1", "项"),
                   ("qualitative", "11月底完成", ""), ("le", "1500", "元/亩"), ("ge", "300", "户"), ("ge", "90", "%")]


def test_a_unit_conflict_and_an_unreadable_number_are_reported_not_guessed(world):
    make_project(world)
    headers = ["项目编码", "一级指标", "二级指标", "三级指标", "指标值", "计量单位", "分值"]
    rows = [{"项目编码": CODE, "一级指标": "产出指标", "二级指标": "质量指标", "三级指标": "合格率", "指标值": "≥95%",
             "计量单位": "个", "分值": 50},
            {"项目编码": CODE, "一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "培训人次", "指标值": "≥较上年提高",
             "计量单位": "人次", "分值": 50}]
    before = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*rows, headers=headers))
    errors = errors_of(exc)
    assert [(e[1], e[2]) for e in errors] == [(2, "F"), (3, "E")]
    assert "单位“%”与计量单位“个”不一致" in errors[0][3]
    assert "≥较上年提高" in errors[1][3] and "不是可读的数字" in errors[1][3]
    assert counts() == before


def test_a_name_like_value_opening_with_digits_is_reported_and_imports_when_marked_qualitative(world):
    """"5G网络覆盖率" is not the number 5 with unit "G网络覆盖率": reported (never guessed either way),
    and "定性：5G网络覆盖率" imports as the qualitative text."""
    make_project(world)
    rows = good_rows()
    rows[4]["指标值"] = "5G网络覆盖率"
    before = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, workbook(*rows))
    assert [(row, col) for _, row, col, _ in errors_of(exc)] == [(6, "K")]
    message = errors_of(exc)[0][3]
    assert "“G网络覆盖率”不是可识别的计量单位" in message and "定性：5G网络覆盖率" in message
    assert counts() == before
    rows[4]["指标值"] = "定性：5G网络覆盖率"
    run(world, workbook(*rows))
    i = TargetIndicator.objects.get(name="校舍安全达标率")
    assert (i.operator, i.value, i.unit, i.number) == ("qualitative", "5G网络覆盖率", "", None)


def test_level_cells_with_a_weight_band_and_the_scoring_header_spelled_with_deductions(world):
    make_project(world)
    headers = ["项目编码", "一级指标", "二级指标", "三级指标", "目标值", "分值", "评(扣)分标准"]
    rows = [{"项目编码": CODE, "一级指标": "产出指标(0-50)分", "二级指标": "数量指标", "三级指标": "培训人次",
             "目标值": "≥500人次", "分值": 50, "评(扣)分标准": "每少10人次扣1分"},
            {"项目编码": CODE, "一级指标": "成本指标（0-20）分", "二级指标": "经济成本指标（20分）", "三级指标": "人均培训费",
             "目标值": "≤500元/人", "分值": 50, "评(扣)分标准": "超支不得分"}]
    run(world, workbook(*rows, headers=headers))
    got = [(i.level1, i.level2, i.operator, i.value, i.unit, i.scoring_standard)
           for i in TargetSheet.objects.get(project__code=CODE).indicators.order_by("position")]
    assert got == [("output", "quantity", "ge", "500", "人次", "每少10人次扣1分"),
                   ("cost", "economic_cost", "le", "500", "元/人", "超支不得分")]


def test_a_year_before_2021_imports_and_creates_on_the_classic_taxonomy(world):
    """财预〔2021〕101号's taxonomy is in force from 2021: a 2019 file is read against the classic tree
    (成本 under 产出), and a sheet created by hand for 2019 gets it too."""
    from jixiao.targets import services

    make_project(world, year=2019, start_year=2019, end_year=2019)
    rows = [{**r, "年度": 2019} for r in good_rows()]
    rows[3].update({"一级指标": "产出指标", "二级指标": "成本指标"})
    summary = import_sheets(actor=world.user("perf_section"), region=world.regions["370724"], year=2019,
                            data=workbook(*rows), name="2019.xlsx")
    assert summary["created"] == 1
    sheet = TargetSheet.objects.get(year=2019)
    assert sheet.taxonomy == "classic"
    assert sheet.indicators.get(name="每栋加固成本").level2 == "cost"
    # the 2021 pair is refused in a 2019 file: its tree has no level-1 成本
    other = make_project(world, code="XM2019101001002", year=2019, start_year=2019, end_year=2019)
    with pytest.raises(ImportFailed) as exc:
        import_sheets(actor=world.user("perf_section"), region=world.regions["370724"], year=2019,
                      data=workbook(*[{**r, "年度": 2019} for r in good_rows(code=other.code)]), name="x.xlsx")
    assert any("不属于一级指标" in m for *_, m in errors_of(exc))
    agency_sheet = services.create_sheet(actor=world.user("preparer"), year=2019, agency=world.agency("101001"),
                                         annual_goal="完成年度工作")
    assert agency_sheet.taxonomy == "classic"


def test_a_row_with_no_indicator_is_handled_the_same_in_both_layouts(world):
    """Both layouts: an empty row between indicators, a row naming only a level (a heading) and a 合计 row
    are skipped; a row with no 三级指标 but a value or weight is reported at the 三级指标 cell with the
    same message."""
    from jixiao.targets import services

    make_project(world)
    rows = good_rows()
    flat = [rows[0], {}, {"一级指标": "产出指标"}, *rows[1:4], {"项目编码": CODE}, *rows[4:],
            {"一级指标": "合计", "分值": 100}]
    assert run(world, workbook(*flat))["created"] == 1
    sheet = TargetSheet.objects.get(project__code=CODE)
    assert sheet.indicators.count() == 6

    # the official layout of the same sheet, with an indicator's cells emptied and a 合计 row below
    wb, ws, cells = _official(world, sheet)
    header = cells["一级指标"].row
    gone = header + 3
    name = ws.cell(row=gone, column=4).value
    for col in (4, 5, 6):
        ws.cell(row=gone, column=col).value = None
    ws.cell(row=header + 8, column=2).value = "合计"
    ws.cell(row=header + 8, column=6).value = 90
    assert run(world, _save(wb))["updated"] == 1
    assert not sheet.indicators.filter(name=name).exists() and sheet.indicators.count() == 5

    # a row with a value and a weight but no 三级指标: reported, in the same words, in both layouts
    ws.cell(row=gone, column=5).value = "≥3个"
    ws.cell(row=gone, column=6).value = 10
    with pytest.raises(ImportFailed) as official:
        run(world, _save(wb))
    flat[2] = {"一级指标": "产出指标", "二级指标": "数量指标", "指标值": "≥3个", "分值": 10}
    with pytest.raises(ImportFailed) as listed:
        run(world, workbook(*flat))
    expected = "三级指标为空，但本行填写了指标值、分值：请填写三级指标名称，或删除本行"
    assert [(e[1], e[2], e[3]) for e in errors_of(official)] == [(gone, "D", expected)]
    assert [(e[1], e[2], e[3]) for e in errors_of(listed)] == [(4, "J", expected)]
    assert services.indicator_dicts(sheet) and sheet.indicators.count() == 5


def test_a_formula_cell_is_read_by_its_value_or_reported_as_a_formula_in_both_layouts(world):
    """A value a user retyped as "=100%" (a formula): read by its cached result when the file has one,
    else reported as a formula (paste as values) — never as "必填，不能为空"."""
    from jixiao.core.tests.test_excel import _with_formulas

    make_project(world)
    flat = workbook(*good_rows())
    # row 3 (工程验收合格率): 指标值 K3; row 4: 三级指标 J4; row 5: 分值 L5
    cached = _with_formulas(flat, {"K3": ("&quot;≥95%&quot;", "≥95%", "str"), "L5": ("5*2", "10", "")})
    run(world, cached)
    sheet = TargetSheet.objects.get(project__code=CODE)
    got = sheet.indicators.get(name="工程验收合格率")
    assert (got.operator, got.value, got.unit) == ("ge", "95", "%")
    assert sheet.indicators.get(name="每栋加固成本").weight == Decimal("10")

    uncached = _with_formulas(flat, {"K3": ("100%", None, ""), "J4": ("&quot;工程完工时间&quot;", None, "")})
    before = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, uncached)
    errors = errors_of(exc)
    assert [(row, col) for _, row, col, _ in errors] == [(3, "K"), (4, "J")]
    assert errors[0][3].startswith("单元格是公式（=100%），没有可读取的计算结果") and "100%" in errors[0][3]
    assert not any("必填" in e[3] for e in errors)
    assert counts() == before

    # the official layout: an indicator's 分值 and the annual amount as formulas without a result
    wb, ws, cells = _official(world, sheet)
    weight = ws.cell(row=cells["一级指标"].row + 2, column=6).coordinate
    money = ws.cell(row=cells["年度资金总额"].row, column=5).coordinate
    with pytest.raises(ImportFailed) as exc:
        run(world, _with_formulas(_save(wb), {weight: ("10*2", None, ""), money: ("SUM(E1:E2)", None, "")}))
    errors = errors_of(exc)
    assert sorted((row, col) for _, row, col, _ in errors) == sorted(
        [(int(weight[1:]), "F"), (int(money[1:]), "E")])
    assert all(e[3].startswith("单元格是公式") for e in errors)
    assert counts() == before
