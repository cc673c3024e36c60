"""Import of budget execution data (issue #13 F13): real .xlsx and .csv files built here, read back
through the service — summing payments, idempotence, replacing the covered months, every bad cell
by sheet/row/column, and the importer's scope."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from jixiao.core.choices import SecurityEventCode
from jixiao.core.excel import ImportFailed
from jixiao.core.models import SecurityEvent
from jixiao.monitoring import rules
from jixiao.monitoring.imports import import_execution, import_spending_plans
from jixiao.monitoring.models import MonthlyExecution, SpendingPlan
from jixiao.monitoring.services import monthly
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

YEAR = 2026
PAY_HEADERS = ["项目编码", "支付日期", "实际支付金额", "功能科目", "资金性质"]


def xlsx(headers, rows, *, title="支付明细", caption=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    if caption:
        ws.append([caption])
    ws.append(headers)
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(headers, rows, *, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def projects(world):
    return {
        "school": make_project(world, code="XM-SCH", agency="101001"),
        "farm": make_project(world, code="XM-FARM", agency="102001", name="高标准农田建设项目"),
        "far": make_project(world, code="XM-FAR", agency="101001", region="654022", name="察县项目"),
    }


PAYMENTS = [
    ("XM-SCH", date(2026, 1, 15), 100000, "2050204", "本级"),
    ("XM-SCH", date(2026, 1, 28), 25000.5, "2050204", "本级安排"),
    ("XM-SCH", date(2026, 2, 3), 300000, "2050204", "上级转移支付"),
    ("XM-FARM", date(2026, 2, 10), 800000, "2130153", "上级补助"),
    ("合计", None, 1225000.5, None, None),
]


def stored(region_code="370724"):
    return {(e.project.code if e.project else e.agency.code, e.month, e.fund_source): e.amount
            for e in MonthlyExecution.objects.filter(region__code=region_code).select_related("project", "agency")}


def errors_of(exc) -> list[tuple[str, int | None, str | None, str]]:
    return [(e.sheet, e.row, e.column, e.message) for e in exc.value.report.errors]


def test_payments_are_summed_per_project_month_and_source_and_reimport_changes_nothing(world, projects):
    perf = world.user("perf_section")
    data = xlsx(PAY_HEADERS, PAYMENTS, caption="2026年国库集中支付明细")
    result = import_execution(actor=perf, data=data, year=YEAR, filename="支付明细.xlsx")
    assert (result.read, result.created, result.updated, result.deleted) == (4, 3, 0, 0)
    assert result.months == [1, 2]
    assert stored() == {("XM-SCH", 1, "own"): Decimal("125000.50"), ("XM-SCH", 2, "higher_transfer"): Decimal("300000.00"),
                        ("XM-FARM", 2, "higher_transfer"): Decimal("800000.00")}
    ids = set(MonthlyExecution.objects.values_list("pk", "version", "amount"))
    event = SecurityEvent.objects.filter(code=SecurityEventCode.IMPORT).latest("seq")
    assert event.detail["what"] == "execution" and event.detail["created"] == 3

    again = import_execution(actor=perf, data=data, year=YEAR, filename="支付明细.xlsx")
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 3)
    assert set(MonthlyExecution.objects.values_list("pk", "version", "amount")) == ids


@pytest.mark.parametrize("whole_slice", [5000, 0], ids=["by-ids", "one-read"])
def test_a_later_export_replaces_the_months_it_covers_for_the_projects_it_names(world, projects, whole_slice,
                                                                                 monkeypatch):
    # a file naming many projects reads the months' rows in one query (services.WHOLE_SLICE): the same result
    from jixiao.monitoring import services

    monkeypatch.setattr(services, "WHOLE_SLICE", whole_slice)
    perf = world.user("perf_section")
    import_execution(actor=perf, data=xlsx(PAY_HEADERS, PAYMENTS), year=YEAR)
    # an agency's whole budget in the same months, not named by the later file: it stays too
    import_execution(actor=perf, data=csv_bytes(["单位代码", "月份", "金额", "资金来源"], [("101001", 1, 9, "本级")]),
                     year=YEAR, filename="w.csv")
    # January corrected (the 本级 payment moved to 上级), February's school payment reversed, March new;
    # the farm project is not in this file: its February stays
    later = [("XM-SCH", date(2026, 1, 15), 125000.5, "2050204", "上级转移支付"),
             ("XM-SCH", date(2026, 3, 1), 50000, "2050204", "本级")]
    result = import_execution(actor=perf, data=xlsx(PAY_HEADERS, later), year=YEAR)
    assert result.months == [1, 3]
    assert stored() == {("XM-SCH", 1, "higher_transfer"): Decimal("125000.50"),
                        ("XM-SCH", 2, "higher_transfer"): Decimal("300000.00"),  # February not covered
                        ("XM-SCH", 3, "own"): Decimal("50000.00"),
                        ("XM-FARM", 2, "higher_transfer"): Decimal("800000.00"),
                        ("101001", 1, "own"): Decimal("9.00")}
    assert (result.created, result.deleted) == (2, 1)


def test_csv_per_project_month_in_gbk_with_other_spellings_and_wan(world, projects):
    perf = world.user("perf_section")
    headers = ["预算项目编码", "所属月份", "支付金额（万元）", "资金来源"]
    rows = [("XM-SCH", "2026-03", "12.5", "本级财力"), ("XM-SCH", "4月", "1,000.25", "转移支付"),
            ("", "", "", "")]
    result = import_execution(actor=perf, data=csv_bytes(headers, rows, encoding="gb18030"), year=YEAR,
                              filename="执行.csv")
    assert result.created == 2
    assert stored() == {("XM-SCH", 3, "own"): Decimal("125000.00"),
                        ("XM-SCH", 4, "higher_transfer"): Decimal("10002500.00")}


def test_agency_whole_budget_rows_by_agency_code(world, projects):
    perf = world.user("perf_section")
    data = csv_bytes(["项目编码", "单位代码", "月份", "金额", "资金性质"],
                     [("", "101001", 5, 7000, "本级"), ("XM-SCH", "101001", 5, 10, "本级")])
    import_execution(actor=perf, data=data, year=YEAR, filename="a.csv")
    whole = MonthlyExecution.objects.get(project__isnull=True)
    assert (whole.agency.code, whole.month, whole.amount) == ("101001", 5, Decimal("7000.00"))


def test_every_bad_cell_is_reported_and_nothing_is_written(world, projects):
    perf = world.user("perf_section")
    import_execution(actor=perf, data=xlsx(PAY_HEADERS, PAYMENTS[:1]), year=YEAR)
    before = stored()
    bad = [
        ("XM-NONE", date(2026, 1, 5), 1, "2050204", "本级"),          # row 2: unknown code
        ("XM-SCH", date(2025, 12, 31), 1, "2050204", "本级"),         # row 3: outside the year
        ("XM-SCH", "2026-13-01", 1, "2050204", "本级"),               # row 4: no such date
        ("XM-SCH", date(2026, 1, 5), "一百元", "2050204", "本级"),    # row 5: not a number
        ("XM-SCH", date(2026, 1, 5), -5, "2050204", "本级"),          # row 6: negative
        ("XM-SCH", date(2026, 1, 5), 1e13, "2050204", "本级"),        # row 7: too large
        ("XM-SCH", date(2026, 1, 5), 1, "2050204", "自筹"),           # row 8: unknown fund source
        ("XM-SCH", date(2026, 1, 5), 1.234, "2050204", "本级"),       # row 9: below the cent
        ("XM-SCH", date(2026, 1, 5), 1, "20A", "本级"),               # row 10: function code
        ("XM-FAR", date(2026, 1, 5), 1, "2050204", "本级"),           # row 11: another county's project
        ("XM-SCH", None, 1, "2050204", "本级"),                       # row 12: no date
    ]
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=perf, data=xlsx(PAY_HEADERS, bad), year=YEAR, filename="支付明细.xlsx")
    assert errors_of(exc) == [
        ("支付明细", 2, "A", "项目编码 XM-NONE 不存在或不在您的权限范围内"),
        ("支付明细", 3, "B", "支付日期 2025-12-31 不在 2026 年度内"),
        ("支付明细", 4, "B", "日期“2026-13-01”无法识别，应为如 2026-03-15 的日期"),
        ("支付明细", 5, "C", "金额应为数字（元），收到“一百元”"),
        ("支付明细", 6, "C", "金额不能为负数，收到“-5”"),
        ("支付明细", 7, "C", "金额过大：最多 100,000,000.00 万元（999999999999.99 元），收到“10000000000000”"),
        ("支付明细", 8, "E", "资金来源“自筹”无法识别，应为：上级转移支付、本级安排、政府债务、PPP、其他"),
        ("支付明细", 9, "C", "金额最多精确到分，收到“1.234”元"),
        ("支付明细", 10, "D", "功能科目应为 3 至 7 位数字代码，收到“20A”"),
        ("支付明细", 11, "A", "项目编码 XM-FAR 不存在或不在您的权限范围内"),
        ("支付明细", 12, "B", "必填：支付日期或月份"),
    ]
    assert str(exc.value.report.errors[0]) == "工作表“支付明细”第 2 行 A 列（项目编码）：项目编码 XM-NONE 不存在或不在您的权限范围内"
    assert stored() == before


def test_a_month_outside_the_year_and_missing_columns(world, projects):
    perf = world.user("perf_section")
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=perf, data=csv_bytes(["项目编码", "月份", "支付金额", "资金来源"],
                                                    [("XM-SCH", "2025-12", 1, "本级"), ("XM-SCH", "0", 1, "本级")]),
                         year=YEAR, filename="m.csv")
    assert errors_of(exc) == [("m.csv", 2, "B", "月份 2025 年 12 月不在 2026 年度内"),
                              ("m.csv", 3, "B", "月份“0”无法识别，应为 1 至 12 的月份（如 3、3月、2026-03）")]
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=perf, data=csv_bytes(["项目编码", "月份", "支付金额"], [("XM-SCH", 1, 1)]),
                         year=YEAR, filename="m.csv")
    assert errors_of(exc) == [("m.csv", None, None, "缺少必需的列：资金来源")]
    assert not MonthlyExecution.objects.exists()


def test_a_preparer_imports_only_their_agencys_projects(world, projects):
    preparer = world.user("preparer")
    rows = [("XM-SCH", date(2026, 1, 5), 10, "2050204", "本级"), ("XM-FARM", date(2026, 1, 5), 10, "2130153", "本级")]
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=preparer, data=xlsx(PAY_HEADERS, rows), year=YEAR)
    assert errors_of(exc) == [("支付明细", 3, "A", "项目编码 XM-FARM 不存在或不在您的权限范围内")]
    result = import_execution(actor=preparer, data=xlsx(PAY_HEADERS, rows[:1]), year=YEAR)
    assert result.created == 1 and stored() == {("XM-SCH", 1, "own"): Decimal("10.00")}


def test_another_county_cannot_import_this_countys_projects(world, projects):
    far = world.user("far_perf_section")
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=far, data=xlsx(PAY_HEADERS, PAYMENTS[:1]), year=YEAR)
    assert errors_of(exc) == [("支付明细", 2, "A", "项目编码 XM-SCH 不存在或不在您的权限范围内")]
    # its own project with the same file layout goes to its own region
    import_execution(actor=far, data=xlsx(PAY_HEADERS, [("XM-FAR", date(2026, 6, 1), 5, "2050204", "本级")]), year=YEAR)
    assert stored("654022") == {("XM-FAR", 6, "own"): Decimal("5.00")} and stored() == {}


def test_roles_without_the_import_action_are_refused(world, projects):
    from django.core.exceptions import PermissionDenied

    for username in ("leader", "dept_reviewer", "expert"):
        with pytest.raises(PermissionDenied):
            import_execution(actor=world.user(username), data=xlsx(PAY_HEADERS, PAYMENTS[:1]), year=YEAR)
    assert not MonthlyExecution.objects.exists()


def test_not_a_table_is_reported(world, projects):
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=world.user("perf_section"), data=b"PK\x03\x04garbage", year=YEAR, filename="x.xlsx")
    assert errors_of(exc)[0][3] == "不是有效的 Excel 文件（请上传 .xlsx 格式）"


def test_spending_plan_import_and_the_rules_over_imported_rows(world, projects):
    perf = world.user("perf_section")
    plan = xlsx(["项目编码", "月份", "计划金额"], [("XM-SCH", m, 100000) for m in range(1, 13)], title="用款计划")
    result = import_spending_plans(actor=perf, data=plan, year=YEAR)
    assert (result.created, result.months) == (12, list(range(1, 13)))
    assert import_spending_plans(actor=perf, data=plan, year=YEAR).unchanged == 12
    import_execution(actor=perf, data=xlsx(PAY_HEADERS, PAYMENTS), year=YEAR)
    school = projects["school"]
    series = monthly(MonthlyExecution.objects.filter(project=school, year=YEAR))
    # by hand: January 100,000 + 25,000.50 (本级); February 300,000 (上级) → 425,000.50 to the end of May
    assert rules.execution_to_date(series, 5) == Decimal("425000.50")
    assert rules.execution_to_date(series, 1) == Decimal("125000.50")
    # against a 1,200,000 budget: 425,000.50 ÷ 1,200,000 = 0.354167 → 0.3542
    assert rules.execution_rate(rules.execution_to_date(series, 5), Decimal("1200000")) == Decimal("0.3542")
    expected = rules.expected_progress(month=5, plan=monthly(SpendingPlan.objects.filter(project=school, year=YEAR)))
    assert (expected.basis, expected.value) == ("spending_plan", Decimal("0.4167"))


def test_spending_plan_bad_cells(world, projects):
    with pytest.raises(ImportFailed) as exc:
        import_spending_plans(actor=world.user("perf_section"), year=YEAR, filename="p.csv", data=csv_bytes(
            ["项目编码", "月份", "计划金额"], [("XM-X", 1, 5), ("XM-SCH", 13, 5), ("XM-SCH", 2, "abc"), ("", 3, 1)]))
    assert errors_of(exc) == [
        ("p.csv", 2, "A", "项目编码 XM-X 不存在或不在您的权限范围内"),
        ("p.csv", 3, "B", "月份“13”无法识别，应为 1 至 12 的月份（如 3、3月、2026-03）"),
        ("p.csv", 4, "C", "金额应为数字（元），收到“abc”"),
        ("p.csv", 5, "A", "必填，不能为空"),
    ]
    assert not SpendingPlan.objects.exists()


def test_csv_bounds(world, projects, settings):
    perf = world.user("perf_section")
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=perf, data="项目编码,月份\n".encode("utf-16"), year=YEAR, filename="u16.csv")
    assert errors_of(exc) == [("u16.csv", None, None, "不是有效的 CSV 文件（应为逗号分隔的文本，UTF-8 或 GBK 编码）")]
    settings.JIXIAO_IMPORT_MAX_MB = 1
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=perf, data=b"a," * (600 * 1024), year=YEAR, filename="big.csv")
    assert errors_of(exc)[0][3].startswith("文件过大")
    # a control character in a cell is cleaned before the code is looked up
    result = import_execution(actor=perf, data=csv_bytes(["项目编码", "月份", "金额", "资金来源"],
                                                         [("XM-\u200bSCH", 1, 1, "本级")]), year=YEAR, filename="c.csv")
    assert result.created == 1
