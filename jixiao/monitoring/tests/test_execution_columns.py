"""The region's own column names for the treasury export (configuration ``import_columns``): a real
.xlsx whose headers only the mapping recognises, refused without it with the question and the file's
headers, set once on the page (or by picking from the question), then imported; preferred to the
common spellings; the spending-plan import too; scoped to the region. And the workbook of several
sheets (an export too long for one)."""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jixiao.core import config
from jixiao.core.actors import SYSTEM
from jixiao.core.excel import ImportFailed
from jixiao.core.models import ChangeLog, RegionConfig
from jixiao.core.services import save_region_config
from jixiao.monitoring.imports import import_execution, import_spending_plans
from jixiao.monitoring.models import MonthlyExecution, SpendingPlan
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

YEAR = 2026
#: a payment system whose export names its columns its own way: none is a common spelling
LOCAL = ["项目识别码", "所属期", "本期支付数", "资金渠道", "备注"]
ROWS = [("XM-SCH", 3, 1200.5, "本级", ""), ("XM-SCH", 3, 799.5, "本级", "补付"), ("XM-SCH", 4, 5000, "上级补助", "")]


def workbook(sheets: dict[str, list]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def local_file() -> bytes:
    return workbook({"支付明细": [LOCAL, *ROWS]})


@pytest.fixture
def school(world):
    return make_project(world, code="XM-SCH", agency="101001")


def set_columns(world, region="370724", **names):
    user = world.user("perf_section" if region == "370724" else "far_perf_section")
    raw = {key: None for key, _label in config.IMPORT_COLUMN_FIELDS} | names
    row = RegionConfig.objects.filter(region=user.region, year=YEAR, key="import_columns").first()
    return save_region_config(actor=user, region=user.region, year=YEAR, key="import_columns", raw=raw,
                              version=row.version if row else None)


def amounts(project):
    return {(e.month, e.fund_source): e.amount for e in MonthlyExecution.objects.filter(project=project)}


def test_without_the_mapping_the_file_is_refused_naming_each_missing_column_and_the_files_headers(world, school):
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=world.user("perf_section"), data=local_file(), year=YEAR)
    (error,) = exc.value.report.errors
    assert (error.sheet, error.row) == ("支付明细", None) and error.message.startswith("找不到表头行")
    # no column was recognised at all: the question offers the first row's texts
    missing = exc.value.missing
    assert [m.label for m in missing] == [""]
    assert missing[0].headers == LOCAL
    assert not MonthlyExecution.objects.exists()


def test_the_mapping_recognises_the_local_headers_and_carries_into_later_years(world, school):
    set_columns(world, code="项目识别码", month="所属期", amount="本期支付数", fund_source="资金渠道")
    result = import_execution(actor=world.user("perf_section"), data=local_file(), year=YEAR)
    assert (result.read, result.created) == (3, 2)
    assert amounts(school) == {(3, "own"): Decimal("2000.00"), (4, "higher_transfer"): Decimal("5000.00")}
    # set once: the next year reads the same names (no record of its own)
    assert config.get(world.regions["370724"], YEAR + 1, "import_columns")["amount"] == "本期支付数"


def test_some_columns_common_and_one_local_asks_only_for_that_one(world, school):
    data = workbook({"支付明细": [["项目编码", "月份", "本期支付数", "资金性质"], ("XM-SCH", 1, 10, "本级")]})
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=world.user("perf_section"), data=data, year=YEAR)
    assert [e.message for e in exc.value.report.errors] == ["缺少必需的列：实际支付金额"]
    (missing,) = exc.value.missing
    assert (missing.keys, missing.label, missing.sheet) == (("amount", "amount_wan"), "实际支付金额", "支付明细")
    assert missing.headers == ["项目编码", "月份", "本期支付数", "资金性质"]


def test_a_mapped_name_is_preferred_to_a_common_spelling_in_the_same_file(world, school):
    # “金额” is a common spelling of the amount, but this export's 金额 is the year's budget line
    set_columns(world, amount="本期支付数")
    data = workbook({"支付明细": [["项目编码", "月份", "金额", "本期支付数", "资金来源"],
                                  ("XM-SCH", 2, 999999, 300, "本级")]})
    import_execution(actor=world.user("perf_section"), data=data, year=YEAR)
    assert amounts(school) == {(2, "own"): Decimal("300.00")}


def test_a_name_mapped_to_one_column_is_no_longer_a_common_spelling_of_another(world, school):
    # 项目 is a common spelling of the project code; this region's 项目 column is the project's name
    set_columns(world, code="项目代码号", amount_wan="项目")
    data = workbook({"支付明细": [["项目代码号", "月份", "项目", "资金来源"], ("XM-SCH", 5, "1.5", "本级")]})
    import_execution(actor=world.user("perf_section"), data=data, year=YEAR)
    assert amounts(school) == {(5, "own"): Decimal("15000.00")}


def test_the_spending_plan_import_uses_its_own_amount_names(world, school):
    set_columns(world, code="项目识别码", month="所属期", plan_amount="本月计划数", amount="本期支付数")
    data = workbook({"用款计划": [["项目识别码", "所属期", "本月计划数"], ("XM-SCH", 1, 100), ("XM-SCH", 2, 200)]})
    result = import_spending_plans(actor=world.user("perf_section"), data=data, year=YEAR)
    assert result.created == 2
    assert dict(SpendingPlan.objects.values_list("month", "amount")) == {1: Decimal("100.00"), 2: Decimal("200.00")}
    # the execution amount's name is not a plan amount
    wrong = workbook({"用款计划": [["项目识别码", "所属期", "本期支付数"], ("XM-SCH", 1, 100)]})
    with pytest.raises(ImportFailed) as exc:
        import_spending_plans(actor=world.user("perf_section"), data=wrong, year=YEAR)
    assert [e.message for e in exc.value.report.errors] == ["缺少必需的列：计划金额"]


def test_another_regions_mapping_does_not_apply_here(world, school):
    set_columns(world, region="654022", code="项目识别码", month="所属期", amount="本期支付数", fund_source="资金渠道")
    with pytest.raises(ImportFailed):
        import_execution(actor=world.user("perf_section"), data=local_file(), year=YEAR)


def test_one_name_for_two_fields_is_refused_and_nothing_is_stored(world):
    from jixiao.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        set_columns(world, amount="本期支付数", plan_amount="本期 支付数")
    assert exc.value.errors["value"] == ["列名“本期 支付数”同时对应“实际支付金额（元）”和“计划金额（元）”，只能对应其中一项"]
    assert config.get(world.regions["370724"], YEAR, "import_columns")["amount"] is None


def test_a_workbook_of_several_sheets_is_read_whole_and_a_notes_sheet_is_named(world, school):
    farm = make_project(world, code="XM-FARM", agency="102001", name="高标准农田建设项目")
    headers = ["项目编码", "月份", "实际支付金额", "资金来源"]
    data = workbook({"说明": [["本文件由国库集中支付系统导出"]],
                     "1-6月": [headers, ("XM-SCH", 1, 10, "本级"), ("XM-FARM", 6, 20, "本级")],
                     "7-12月": [headers, ("XM-SCH", 7, 30, "本级"), ("合计", None, 60, None)]})
    result = import_execution(actor=world.user("perf_section"), data=data, year=YEAR)
    assert (result.read, result.created, result.months, result.skipped) == (3, 3, [1, 6, 7], ["说明"])
    assert "未读取没有表头行的工作表：说明" in result.summary()
    assert amounts(school) == {(1, "own"): Decimal("10.00"), (7, "own"): Decimal("30.00")}
    assert amounts(farm) == {(6, "own"): Decimal("20.00")}
    # a bad cell in the second data sheet is reported by that sheet's name and nothing is written
    bad = workbook({"1-6月": [headers, ("XM-SCH", 2, 10, "本级")], "7-12月": [headers, ("XM-SCH", 8, "x", "本级")]})
    with pytest.raises(ImportFailed) as exc:
        import_execution(actor=world.user("perf_section"), data=bad, year=YEAR)
    assert [(e.sheet, e.row, e.column) for e in exc.value.report.errors] == [("7-12月", 2, "C")]
    assert 2 not in {m for m, _s in amounts(school)}


# --- the pages ------------------------------------------------------------------------------------

def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_the_import_page_asks_which_column_and_the_answer_makes_the_next_import_pass(world, school, login):
    client = login("perf_section")
    page = client.post("/monitoring/execution/import/", {"year_field": "2026", "file": upload("本地.xlsx", local_file())})
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="import-hint"' in text and "设置列对应" in text
    link = text.split('class="alert-link" href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/monitoring/execution/columns/" and query["header"] == LOCAL
    assert query["ask"] == ["code", "month", "amount"]
    question = client.get(link).content.decode()
    assert "把哪一列当作项目编码？" in question and "把哪一列当作实际支付金额？" in question
    assert '<option value="本期支付数">本期支付数</option>' in question
    version = question.split('name="version" value="')[1].split('"')[0]
    saved = client.post(link, {"pick_code": "项目识别码", "pick_month": "所属期", "pick_amount": "本期支付数",
                               "fund_source": "资金渠道", "version": version})
    assert saved.status_code == 302
    stored = config.get(world.regions["370724"], YEAR, "import_columns")
    assert (stored["code"], stored["month"], stored["amount"], stored["fund_source"], stored["date"]) == (
        "项目识别码", "所属期", "本期支付数", "资金渠道", None)
    assert ChangeLog.objects.filter(object_id=str(RegionConfig.objects.get(
        region__code="370724", year=YEAR, key="import_columns").pk), action="update").exists()
    again = client.post("/monitoring/execution/import/", {"year_field": "2026", "file": upload("本地.xlsx", local_file())})
    assert again.status_code == 302 and amounts(school)[(3, "own")] == Decimal("2000.00")


def test_the_columns_page_edits_with_the_version_and_shows_errors(world, login):
    client = login("perf_section")
    url = "/monitoring/execution/columns/?year=2027"  # a year without its own record: created on saving
    assert not RegionConfig.objects.filter(key="import_columns", year=2027).exists()
    assert "把哪一列当作" not in client.get(url).content.decode()  # no question without a failed import
    first = client.post(url, {"amount": "本期支付数、本月支付数", "version": ""})
    assert first.status_code == 302
    assert ChangeLog.objects.filter(action="create", object_id=str(RegionConfig.objects.get(
        key="import_columns", year=2027).pk)).exists()
    row = RegionConfig.objects.get(key="import_columns", year=2027)
    page = client.get(url).content.decode()
    assert 'value="本期支付数、本月支付数"' in page and f'name="version" value="{row.version}"' in page
    clash = client.post(url, {"amount": "本期支付数", "plan_amount": "本期支付数", "version": row.version})
    assert clash.status_code == 200 and "同时对应" in clash.content.decode()
    stale = client.post(url, {"amount": "别的", "version": row.version + 5})
    assert stale.status_code == 200
    assert config.get(world.regions["370724"], 2027, "import_columns")["amount"] == "本期支付数、本月支付数"
    assert config.get(world.regions["370724"], YEAR, "import_columns")["amount"] is None


def test_only_the_performance_section_sets_the_columns_and_others_are_told_whom_to_ask(world, school, login):
    for username in ("preparer", "section_reviewer", "leader"):
        assert login(username).get("/monitoring/execution/columns/").status_code == 403
    page = login("preparer").post("/monitoring/execution/import/", {"year_field": "2026",
                                                                    "file": upload("本地.xlsx", local_file())})
    text = page.content.decode()
    assert "请联系绩效股设置" in text and "/monitoring/execution/columns/" not in text


def test_the_mapping_set_through_the_config_api_shape_is_the_same(world):
    spec = config.spec("import_columns")
    value, errors = spec.parse({"amount": " 本期支付数 ", "code": ""})
    assert errors == [] and value["amount"] == "本期支付数" and value["code"] is None
    _, errors = spec.parse(["not", "an", "object"])
    assert errors == ["“预算执行数据导入列对应”应为一组字段（JSON 对象）"]
    assert save_region_config(actor=SYSTEM, region=world.regions["370724"], year=2030, key="import_columns",
                              raw={"month": "所属期"}).value["month"] == "所属期"


@pytest.mark.parametrize("unit", ["1", "10000"])
def test_the_fast_amount_reader_agrees_with_the_full_one_or_leaves_the_cell_to_it(unit):
    from jixiao.monitoring.imports import _SLOW, _amount, _fast_amount

    fast, full = _fast_amount(Decimal(unit)), _amount(Decimal(unit))
    cells = [100, 100.5, 0.1 + 0.2, "100.50", " 7 ", "1,000", -1, -0.0, 1e13, 1e11, 0.001, "0.001", "abc", "NaN",
             "Infinity", "1e2", "1E-2", True, None, "", 12345678.91, "999999999999.99", "99999999.999999"]
    for cell in cells:
        got = fast(cell)
        parsed, error = full(cell) if cell not in (None, "") else (None, "blank")
        if got is _SLOW:
            continue
        assert error is None and got == parsed and str(got) == str(parsed), cell
    # the plain cells of an export are taken at sight
    assert fast(100.5) == Decimal("100.5") * Decimal(unit) and fast("7") is not _SLOW
