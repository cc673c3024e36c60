"""Excel import of project lists: all-or-nothing, every bad cell reported by sheet/row/column,
idempotent by code, amounts in 万元, the importer's scope decides which agencies are accepted."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from jixiao.core.excel import ImportFailed
from jixiao.projects import services
from jixiao.projects.exports import projects_workbook
from jixiao.projects.imports import COLUMNS, import_projects
from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

HEADERS = [c.written_header for c in COLUMNS]


def row(**over):
    d = {"项目编码": "XM-1", "项目名称": "教学设备更新项目", "类型": "项目", "单位代码": "101001", "行业领域": "教育",
         "预算类型": "一般公共预算", "支出功能分类科目": 2050204, "资金来源": "本级安排、上级转移支付",
         "申报金额（万元）": 12.5, "预算金额（万元）": None, "新增/延续": "新增", "重大项目": "否", "标签": "扶贫",
         "预算年度": 2026, "起始年度": 2026, "结束年度": 2027, "项目说明": ""}
    d.update(over)
    return d


def workbook(*rows, title="项目库") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h) for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def errors_of(exc) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in exc.value.report.errors]


def test_import_creates_then_is_idempotent(world):
    perf = world.user("perf_section")
    data = workbook(
        row(),
        row(**{"项目编码": "XM-2", "项目名称": "高标准农田建设项目", "单位代码": "102001", "行业领域": "agriculture_water",
               "支出功能分类科目": "2130153", "申报金额（万元）": "1,200.5", "预算年度": "2026", "标签": "扶贫、政府债务",
               "资金来源": "政府债务", "重大项目": "是", "新增/延续": "延续", "起始年度": 2025}),
    )
    result = import_projects(actor=perf, data=data)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    p1, p2 = Project.objects.get(code="XM-1"), Project.objects.get(code="XM-2")
    assert p1.requested_amount == Decimal("125000.00") and p1.function_code == "2050204"
    assert p1.fund_sources == ["higher_transfer", "own"] and p1.tags == ["poverty"] and p1.is_new
    assert p2.requested_amount == Decimal("12005000.00") and p2.tags == ["poverty", "government_debt"]
    assert p2.is_major and not p2.is_new and p2.stage == "reserve"
    assert p2.events.filter(kind="created").exists()
    again = import_projects(actor=perf, data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = import_projects(actor=perf, data=workbook(row(**{"申报金额（万元）": 13})))
    assert (changed.created, changed.updated) == (0, 1)
    p1.refresh_from_db()
    assert p1.requested_amount == Decimal("130000.00") and p1.version == 2


def test_every_bad_cell_is_reported_and_nothing_written(world):
    perf = world.user("perf_section")
    data = workbook(
        row(**{"申报金额（万元）": "十二万"}),                               # row 2: amount
        row(**{"项目编码": "XM-3", "单位代码": "999"}),                       # row 3: unknown agency
        row(**{"项目编码": "XM-4", "行业领域": "航天"}),                       # row 4: unknown sector
        row(**{"项目编码": "XM-5", "支出功能分类科目": "999"}),                # row 5: unknown function class
        row(**{"项目编码": "XM-6", "预算类型": "第五本预算"}),                  # row 6: budget book
        row(**{"项目编码": "XM-7", "资金来源": "银行贷款"}),                    # row 7: fund source
        row(**{"项目编码": "XM-8", "标签": "扶贫攻坚"}),                        # row 8: tag
        row(**{"项目编码": "XM-9", "新增/延续": "是否"}),                      # row 9: new/continuing
        row(**{"项目编码": "XM-10", "预算年度": "二〇二六"}),                    # row 10: year as words
        row(**{"项目编码": "XM-11", "起始年度": 2028}),                        # row 11: start after end
        row(**{"项目编码": "XM-12"}),                                       # row 12: good
        row(**{"项目编码": "XM-12"}),                                       # row 13: duplicate code
    )
    with pytest.raises(ImportFailed) as exc:
        import_projects(actor=perf, data=data)
    errors = errors_of(exc)
    by_row = {r: (col, msg) for r, col, msg in errors}
    assert by_row[2][0] == "I" and "金额应为数字" in by_row[2][1]
    assert by_row[3][0] == "D" and "单位代码 999" in by_row[3][1]
    assert by_row[4][0] == "E" and "航天" in by_row[4][1]
    assert by_row[5][0] == "G" and "类级科目 999" in by_row[5][1]
    assert by_row[6][0] == "F" and "第五本预算" in by_row[6][1]
    assert by_row[7][0] == "H" and "银行贷款" in by_row[7][1]
    assert by_row[8][0] == "M" and "扶贫攻坚" in by_row[8][1]
    assert by_row[9][0] == "K" and "新增" in by_row[9][1]
    assert by_row[13][0] == "A" and "重复" in by_row[13][1] and "第 12 行" in by_row[13][1]
    assert 12 not in by_row
    assert by_row[10][0] == "N"
    assert by_row[11][0] == "P" and "结束年度不能早于起始年度" in by_row[11][1]
    assert str(exc.value.report.errors[0]).startswith("工作表“项目库”第 2 行 I 列（申报金额）")
    assert not Project.objects.exists()


def test_agency_outside_the_importers_scope(world):
    preparer = world.user("preparer")
    with pytest.raises(ImportFailed) as exc:
        import_projects(actor=preparer, data=workbook(row(), row(**{"项目编码": "XM-2", "单位代码": "102001"})))
    assert errors_of(exc) == [(3, "D", "单位代码 102001 不存在或不在您的权限范围内")]
    assert not Project.objects.exists()


def test_code_of_another_agencys_project_is_not_overwritten(world):
    make_project(world, code="AGRI-1", agency="102001", name="农技推广项目")
    with pytest.raises(ImportFailed) as exc:
        import_projects(actor=world.user("preparer"), data=workbook(row(**{"项目编码": "AGRI-1"})))
    assert "已被其他单位的项目使用" in errors_of(exc)[0][2]
    assert Project.objects.get(code="AGRI-1").name == "农技推广项目"


def test_agency_cannot_change_a_project_past_reserve_by_import(world):
    p = make_project(world, code="XM-1")
    services.submit_for_assessment(actor=world.user("preparer"), project=p, version=p.version)
    with pytest.raises(ImportFailed) as exc:
        import_projects(actor=world.user("preparer"), data=workbook(row(**{"项目编码": "XM-1"}),
                                                                     row(**{"项目编码": "XM-NEW"})))
    assert "单位不能再修改" in errors_of(exc)[0][2]
    assert not Project.objects.filter(code="XM-NEW").exists()  # the good row was rolled back too


def test_malformed_and_empty_files(world):
    perf = world.user("perf_section")
    with pytest.raises(ImportFailed) as exc:
        import_projects(actor=perf, data=b"not an excel file")
    assert "不是有效的 Excel 文件" in exc.value.report.errors[0].message
    with pytest.raises(ImportFailed) as exc:
        import_projects(actor=perf, data=workbook())
    assert "没有数据行" in exc.value.report.errors[0].message


def test_export_round_trip(world):
    perf = world.user("perf_section")
    make_project(world, code="RT-1", tags=["poverty", "ppp"], fund_sources=["own", "ppp"])
    data = projects_workbook(Project.objects.select_related("agency", "sector"))
    result = import_projects(actor=perf, data=data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_roles_without_create_cannot_import(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_projects(actor=world.user("leader"), data=workbook(row()))


def test_import_page(world, login):
    c = login("preparer")
    bad = io.BytesIO(workbook(row(**{"申报金额（万元）": "abc"})))
    bad.name = "bad.xlsx"
    r = c.post("/projects/import/", {"file": bad})
    assert r.status_code == 200 and "金额应为数字（万元），收到“abc”" in r.content.decode()
    f = io.BytesIO(workbook(row()))
    f.name = "p.xlsx"
    r = c.post("/projects/import/", {"file": f})
    assert r.status_code == 302 and Project.objects.filter(code="XM-1").exists()
    assert c.get("/projects/import/template.xlsx").status_code == 200
