"""Excel import/export of experts and firms: all-or-nothing, cell-level Chinese errors, idempotent,
export → import round trip."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from jixiao.core.excel import ImportFailed
from jixiao.core.models import ChangeLog
from jixiao.pools.exports import experts_workbook, firms_workbook
from jixiao.pools.imports import EXPERT_SHEET, FIRM_SHEET, import_experts, import_firms
from jixiao.pools.models import Expert, Firm
from jixiao.pools.rules import with_check_char
from jixiao.pools.tests.helpers import FIRM_CODE, ensure_pool

pytestmark = pytest.mark.django_db

FIRM_HEADER = ["机构名称", "机构类型", "统一社会信用代码", "资质", "状态"]
EXPERT_HEADER = ["姓名", "工作单位", "职称", "专业领域", "执业资格", "状态", "所在单位代码", "所属机构信用代码",
                 "联系电话", "电子邮箱"]
CODE_A = with_check_char("91370700MA3N5R8T2")
CODE_B = with_check_char("12370700004912345")


def xlsx(rows, *, header, sheet) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def where(report):
    return [(e.row, e.column, e.message) for e in report.errors]


@pytest.fixture
def perf(world):
    ensure_pool(world)
    return world.user("perf_section")


GOOD_FIRMS = [
    ("潍坊衡信会计师事务所", "会计师事务所", CODE_A, "执业证书", "正常"),
    ("潍坊市财政科学研究所", "research", CODE_B, None, None),
]


def test_firms_import_and_reimport_is_idempotent(perf):
    data = xlsx(GOOD_FIRMS, header=FIRM_HEADER, sheet=FIRM_SHEET)
    result = import_firms(actor=perf, data=data)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert Firm.objects.get(credit_code=CODE_B).kind == "research"
    logs = ChangeLog.objects.count()
    again = import_firms(actor=perf, data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ChangeLog.objects.count() == logs


def test_firm_errors_are_cell_level_and_nothing_is_written(perf):
    rows = [
        GOOD_FIRMS[0],
        ("坏代码所", "律师事务所", CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1"), None, None),
        ("重复所", "律师事务所", CODE_A, None, None),
        ("类型错", "公司", CODE_B, None, None),
    ]
    before = Firm.objects.count()
    with pytest.raises(ImportFailed) as exc:
        import_firms(actor=perf, data=xlsx(rows, header=FIRM_HEADER, sheet=FIRM_SHEET))
    errors = where(exc.value.report)
    assert errors[0][:2] == (3, "C") and "校验位错误" in errors[0][2]
    assert errors[1] == (4, "C", f"统一社会信用代码 {CODE_A} 在文件中重复（另见第 2 行）")
    assert errors[2][:2] == (5, "B") and "不是有效选项" in errors[2][2]
    assert Firm.objects.count() == before


EXPERTS = [
    ("韩春生", "潍坊学院", "教授", "教育、科技", None, None, None, None, "13900000001", None),
    ("冯玉梅", "临朐县第一中学", "高级教师", "教育", None, "在库", "101001", None, None, None),
    ("曹德胜", "山东正信会计师事务所", "高级会计师", "一般公共服务", "注册会计师", None, None, FIRM_CODE, None, None),
]


def test_experts_import_resolves_sectors_agencies_firms_and_is_idempotent(perf, world):
    data = xlsx(EXPERTS, header=EXPERT_HEADER, sheet=EXPERT_SHEET)
    result = import_experts(actor=perf, data=data)
    assert result.created == 3
    han = Expert.objects.get(name="韩春生")
    assert sorted(han.fields.values_list("code", flat=True)) == ["education", "science"]
    assert Expert.objects.get(name="冯玉梅").agency == world.agency("101001")
    assert Expert.objects.get(name="曹德胜").firm.credit_code == FIRM_CODE
    again = import_experts(actor=perf, data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = [("韩春生", "潍坊学院", "教授", "教育", None, None, None, None, "13900000001", None)]
    assert import_experts(actor=perf, data=xlsx(changed, header=EXPERT_HEADER, sheet=EXPERT_SHEET)).updated == 1
    assert list(Expert.objects.get(name="韩春生").fields.values_list("code", flat=True)) == ["education"]


def test_expert_errors_are_cell_level_and_nothing_is_written(perf):
    rows = [
        EXPERTS[0],
        ("韩春生", "潍坊学院", "教授", "教育", None, None, None, None, None, None),  # duplicate in file
        ("甲", "乙单位", None, "教育、宇航", None, None, None, None, None, None),  # unknown sector
        ("丙", "丁单位", None, "教育", None, None, "999", None, None, None),  # unknown agency code
        ("戊", "己单位", None, "教育", None, None, None, CODE_A, None, None),  # firm not in the pool
        ("庚", "辛单位", None, "教育", None, "休眠", None, None, None, None),  # bad status
    ]
    before = (Expert.objects.count(), ChangeLog.objects.count())
    with pytest.raises(ImportFailed) as exc:
        import_experts(actor=perf, data=xlsx(rows, header=EXPERT_HEADER, sheet=EXPERT_SHEET))
    assert where(exc.value.report) == [
        (3, "A", "专家“韩春生”（潍坊学院）在文件中重复（另见第 2 行）"),
        (4, "D", "专业领域“宇航”不存在"),
        (5, "G", "单位代码 999 在本区划不存在"),
        (6, "H", f"信用代码 {CODE_A} 不在本区划机构库中"),
        (7, "F", "“休眠”不是有效选项，应为：在库、暂停、退出"),
    ]
    assert (Expert.objects.count(), ChangeLog.objects.count()) == before


def test_out_of_region_agency_code_is_refused(perf, world):
    # 654022 has an agency 101001 too; the import resolves codes in the importer's region only
    ensure = world.agency("101001", region="654022")
    far = world.user("far_perf_section")
    rows = [("哈森", "察布查尔锡伯自治县第一中学", None, "教育", None, None, "101002", None, None, None)]
    with pytest.raises(ImportFailed) as exc:
        import_experts(actor=far, data=xlsx(rows, header=EXPERT_HEADER, sheet=EXPERT_SHEET))
    assert where(exc.value.report) == [(2, "G", "单位代码 101002 在本区划不存在")]
    assert ensure.region.code == "654022"


def test_only_the_performance_section_imports(world):
    with pytest.raises(PermissionDenied):
        import_experts(actor=world.user("leader"), data=b"")


def test_not_an_excel_file(perf):
    with pytest.raises(ImportFailed) as exc:
        import_firms(actor=perf, data=b"not a workbook")
    assert "不是有效的 Excel 文件" in exc.value.report.errors[0].message


def test_export_import_round_trip(perf, world):
    experts = list(Expert.objects.for_user(perf).prefetch_related("fields").select_related("agency", "firm"))
    data = experts_workbook(experts, region_name="临朐县", with_contact=True)
    result = import_experts(actor=perf, data=data)
    assert (result.created, result.updated) == (0, 0) and result.unchanged == len(experts)
    firms = list(Firm.objects.for_user(perf))
    assert import_firms(actor=perf, data=firms_workbook(firms, region_name="临朐县")).unchanged == len(firms)
