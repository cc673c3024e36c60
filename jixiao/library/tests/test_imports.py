"""Excel import/export of the library: all-or-nothing, every bad cell reported with sheet, row and
column letter in Chinese, idempotent by region + name + level 1/2 + sector, export → import round trip."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from jixiao.core.excel import ImportFailed
from jixiao.core.models import ChangeLog
from jixiao.library.exports import templates_workbook
from jixiao.library.imports import SHEET, import_templates
from jixiao.library.models import IndicatorTemplate
from jixiao.org.personas import HOME

pytestmark = pytest.mark.django_db

HEADER = ["指标名称", "一级指标", "二级指标", "运算符", "参考指标值", "计量单位", "指标值确定依据", "行业领域",
          "指标类别", "适用层级", "评分标准", "指标解释", "关键词", "在用"]

GOOD = [
    ["校园安全设施配备率", "产出指标", "质量指标", "≥", "95", "%", "行业标准", "教育", "个性指标", "项目（政策）", "", "", "安全 校园", "是"],
    ["课后服务覆盖率", "产出", "质量", ">=", "90", "%", "", "education", "", "", "", "", "", ""],
    ["会议费控制", "成本指标", "经济成本指标", "≤", "550", "元/人·天", "预算支出标准", "", "共性指标", "部门整体", "", "", "", ""],
]


def xlsx(rows, header=HEADER, sheet=SHEET) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def regional():
    return IndicatorTemplate.objects.filter(region__isnull=False)


def where(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def test_import_creates_then_is_idempotent(world):
    actor = world.user("perf_section")
    result = import_templates(actor=actor, data=xlsx(GOOD))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    t = regional().get(name="课后服务覆盖率")
    assert (t.level1, t.level2, t.operator, t.sector.code, t.kind, t.region) == (
        "output", "quality", "ge", "education", "specific", world.regions[HOME])
    c = regional().get(name="会议费控制")
    assert (c.level1, c.level2, c.sector, c.kind, c.serves, c.value_basis) == (
        "cost", "economic_cost", None, "common", "agency", "spending_standard")
    logs = ChangeLog.objects.count()
    again = import_templates(actor=actor, data=xlsx(GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert ChangeLog.objects.count() == logs and regional().count() == 3
    changed = [list(r) for r in GOOD]
    changed[0][4] = "98"
    result = import_templates(actor=actor, data=xlsx(changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    t = regional().get(name="校园安全设施配备率")
    assert (t.typical_value, t.version) == ("98", 2)


def test_every_bad_cell_is_reported_and_nothing_written(world):
    rows = [
        GOOD[0],
        ["", "产出指标", "数量指标", "≥", "1", "个", "", "", "", "", "", "", "", ""],               # 3: name empty
        ["指标甲", "产出指标", "服务对象满意度指标", "≥", "1", "个", "", "", "", "", "", "", "", ""],  # 4: pair mismatch
        ["指标乙", "结果指标", "数量指标", "≥", "1", "个", "", "", "", "", "", "", "", ""],           # 5: unknown level 1
        ["指标丙", "产出指标", "数量指标", "约", "1", "个", "", "", "", "", "", "", "", ""],           # 6: operator
        ["指标丁", "产出指标", "数量指标", "≥", "很多", "个", "", "", "", "", "", "", "", ""],         # 7: non-numeric
        ["指标戊", "产出指标", "数量指标", "≥", "1", "个", "", "航天", "", "", "", "", "", ""],         # 8: sector
        GOOD[0],                                                                                     # 9: duplicate
    ]
    with pytest.raises(ImportFailed) as exc:
        import_templates(actor=world.user("perf_section"), data=xlsx(rows))
    errors = where(exc.value.report)
    assert (3, "A", "必填，不能为空") in errors
    assert (4, "C", "二级指标与一级指标不匹配") in errors
    assert any(r == 5 and c == "B" and "不是有效的一级指标" in m for r, c, m in errors)
    assert any(r == 6 and c == "D" and "不是有效的运算符" in m for r, c, m in errors)
    assert (7, "E", "运算符为数值比较时，指标值应为数字（收到“很多”）") in errors
    assert (8, "H", "行业领域“航天”不存在") in errors
    assert any(r == 9 and c == "A" and "在文件中重复（另见第 2 行）" in m for r, c, m in errors)
    assert all(e.sheet == SHEET for e in exc.value.report.errors)
    assert not regional().exists()


def test_malformed_and_empty_files(world):
    actor = world.user("perf_section")
    with pytest.raises(ImportFailed) as exc:
        import_templates(actor=actor, data=b"not a workbook")
    assert "不是有效的 Excel 文件" in exc.value.report.errors[0].message
    with pytest.raises(ImportFailed) as exc:
        import_templates(actor=actor, data=xlsx([]))
    assert exc.value.report.errors[0].message == "文件中没有数据行"
    with pytest.raises(ImportFailed) as exc:
        import_templates(actor=actor, data=xlsx([["a", "b"]], header=["名称", "其他"]))
    assert "找不到表头行" in exc.value.report.errors[0].message
    assert not regional().exists()


def test_only_the_performance_section_imports(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_templates(actor=world.user("section_reviewer"), data=xlsx(GOOD))
    assert not regional().exists()


def test_export_round_trip_skips_national_rows(world):
    actor = world.user("perf_section")
    import_templates(actor=actor, data=xlsx(GOOD))
    visible = list(IndicatorTemplate.objects.visible_to(actor).select_related("sector"))
    data = templates_workbook(visible)
    ws = load_workbook(io.BytesIO(data))[SHEET]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["指标名称", "一级指标", "二级指标", "运算符"] and header[-1] == "来源"
    assert ws.max_row == len(visible) + 1
    result = import_templates(actor=actor, data=data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert result.skipped_national == len(visible) - 3
    assert "全国模板" in result.summary()
