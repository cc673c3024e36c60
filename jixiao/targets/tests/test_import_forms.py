"""A corpus of target tables in the shapes bureaus publish them (issue #10), written for these tests —
not copied from any real file — and built in code as real .xlsx files: titles of every kind or none,
no key line, the header block and the indicator header away from A1, the header spellings in use,
merged level cells, a form that names its project by 项目名称 + 实施单位 only, an ambiguous name, a
unit that is not the project's, a farmland sheet under a school project's code, 元 under a 万元 header,
a printed 金额合计 its tasks do not add up to. Each goes through the real import service (one through
the import page), asserting what is stored or the exact error, and that a refused file writes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from jixiao.core.excel import ImportFailed
from jixiao.core.models import Review
from jixiao.targets.imports import import_sheets
from jixiao.targets.models import TargetIndicator, TargetSheet, TargetTask
from jixiao.targets.tests.factories import make_project

pytestmark = pytest.mark.django_db

YEAR = 2026
SCHOOL = "临朐县第一中学"
PROJECT = "教学楼抗震加固改造项目"  # make_project's default: 101001, requested 120 万元

#: (level 1, level 2, level 3, value as typed, weight) → what is stored
INDICATORS = [
    ("产出指标", "数量指标", "加固教学楼栋数", "≧2栋", 20),
    ("产出指标", "质量指标", "工程验收合格率", "═100%", 20),
    ("产出指标", "时效指标", "工程完工时间", "2026年11月底前", 10),
    ("成本指标", "经济成本指标", "每栋加固成本", "不超过 60万元", 10),
    ("效益指标", "社会效益指标", "校舍安全达标率", "≥95%", 30),
    ("满意度指标", "服务对象满意度指标", "师生满意度", "不低于90%", 10),
]
STORED = [("output", "quantity", "加固教学楼栋数", "ge", "2", "栋", Decimal("2")),
          ("output", "quality", "工程验收合格率", "eq", "100", "%", Decimal("100")),
          ("output", "timeliness", "工程完工时间", "qualitative", "2026年11月底前", "", None),
          ("cost", "economic_cost", "每栋加固成本", "le", "60", "万元", Decimal("60")),
          ("benefit", "social", "校舍安全达标率", "ge", "95", "%", Decimal("95")),
          ("satisfaction", "beneficiary", "师生满意度", "ge", "90", "%", Decimal("90"))]


class Sheet:
    """A worksheet laid out cell by cell (1-based rows and columns), with merged ranges."""

    def __init__(self, name: str = "Sheet1", *, top: int = 1, left: int = 1):
        self.name, self.row, self.left = name, top, left
        self.cells: dict = {}
        self.merges: list = []
        self.at: dict = {}  # a label → (row, column letter) of what the test looks for

    def put(self, *values, merge: dict | None = None, mark: str | None = None) -> int:
        """One row from ``self.left``; ``merge`` = {offset: width} merges a cell over columns."""
        for n, v in enumerate(values):
            if v is not None:
                self.cells[(self.row, self.left + n)] = v
        for offset, width in (merge or {}).items():
            c = self.left + offset
            self.merges.append((self.row, c, self.row, c + width - 1))
        if mark:
            self.at[mark] = self.row
        self.row += 1
        return self.row - 1

    def skip(self, n: int = 1) -> None:
        self.row += n

    def indicators(self, rows=INDICATORS, *, headers=("一级指标", "二级指标", "三级指标", "指标值", "分值"),
                   label: str | None = "绩效指标", extra=None) -> None:
        """The indicator table, level 1 and level 2 merged down their runs, ``label`` merged down
        column A; ``extra(row)`` gives cells after the weight."""
        offset = 1 if label else 0
        first = self.row
        self.put(*([label] if label else []), *headers, mark="indicator_header")
        prev = (None, None)
        runs = {1: [], 2: []}
        for r in rows:
            l1, l2, *rest = r
            cells = [l1 if l1 != prev[0] else None, l2 if (l1, l2) != prev else None, *rest]
            if l1 != prev[0]:
                runs[1].append(self.row)
            if (l1, l2) != prev:
                runs[2].append(self.row)
            prev = (l1, l2)
            self.put(*([None] if label else []), *cells, *(extra(r) if extra else []))
        last = self.row - 1
        for level, starts in runs.items():
            for start, end in zip(starts, [*starts[1:], last + 1], strict=True):
                if end - 1 > start:
                    c = self.left + offset + level - 1
                    self.merges.append((start, c, end - 1, c))
        if label:
            self.merges.append((first, self.left, last, self.left))

    def write(self, wb: Workbook) -> None:
        ws = wb.create_sheet(self.name)
        for (r, c), v in self.cells.items():
            ws.cell(row=r, column=c, value=v)
        for r1, c1, r2, c2 in self.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def xlsx(*sheets: Sheet) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        s.write(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def project_form(*, title: str | None = f"{PROJECT}绩效目标表", name=PROJECT, unit=SCHOOL, code=None,
                 money=(120, 120, None), money_label="项目资金（万元）", top=1, left=1, sheet="项目表",
                 headers=("一级指标", "二级指标", "三级指标", "指标值", "分值"), rows=INDICATORS, extra=None,
                 note=None) -> Sheet:
    """A 项目支出绩效目标表 as a bureau lays it out: title, 项目名称 / 主管部门 / 实施单位, the money block
    (年度资金总额 with 其中：财政拨款 / 其他资金), the goals, the indicator table; no key line."""
    s = Sheet(sheet, top=top, left=left)
    if title:
        s.put(title, merge={0: 6})
    if note:
        s.put(None, None, None, None, note)
    s.put("项目名称", name, None, "项目编码" if code else None, code, merge={1: 2}, mark="name")
    s.put("主管部门", "临朐县教育和体育局", None, "实施单位", unit, merge={1: 2, 4: 2}, mark="unit")
    s.put("项目属性", "延续", None, "项目期", "2025—2027年", merge={1: 2, 4: 2})
    total, fiscal, other = money
    s.put(money_label, "年度资金总额：", total, merge={2: 4}, mark="amount")
    s.put(None, "其中：财政拨款", fiscal, merge={2: 4}, mark="fiscal")
    s.put(None, "其他资金", other, merge={2: 4}, mark="other")
    s.merges.append((s.at["amount"], left, s.at["other"], left))
    s.put("总体目标", "年度目标", merge={1: 5})
    s.put(None, "完成1号、2号教学楼抗震加固，校舍安全达标。", merge={1: 5})
    s.indicators(rows, headers=headers, extra=extra)
    return s


def run(world, data, user="perf_section"):
    return import_sheets(actor=world.user(user), region=world.regions["370724"], year=YEAR, data=data,
                         name="目标表.xlsx")


def errors(world, data, user="perf_section") -> list[tuple]:
    before = counts()
    with pytest.raises(ImportFailed) as exc:
        run(world, data, user)
    assert counts() == before  # all or nothing
    return [(e.sheet, e.row, e.column, e.message) for e in exc.value.report.errors]


def counts():
    return (TargetSheet.objects.count(), TargetIndicator.objects.count(), TargetTask.objects.count(),
            Review.objects.count())


def stored(sheet) -> list[tuple]:
    return [(i.level1, i.level2, i.name, i.operator, i.value, i.unit, i.number)
            for i in sheet.indicators.order_by("position")]


# --- forms that import -------------------------------------------------------------------------


def test_a_project_title_no_key_line_header_off_a1_merged_levels_and_a_code_label(world):
    """Shape 1: "XX项目绩效目标表", no key line, the whole form starting at B3, 项目编码 as a label
    beside the name, level cells merged down their runs."""
    project = make_project(world)
    make_project(world, code="XM-OTHER", name=PROJECT)  # a namesake: the code decides
    s = project_form(code=project.code, top=3, left=2)
    summary = run(world, xlsx(s))
    assert (summary["created"], summary["indicators"]) == (1, 6)
    sheet = TargetSheet.objects.get(project=project, year=YEAR)
    assert stored(sheet) == STORED
    assert (sheet.amount, sheet.fiscal_amount, sheet.other_amount) == (Decimal("1200000.00"),) * 2 + (Decimal("0"),)
    assert sheet.annual_goal == "完成1号、2号教学楼抗震加固，校舍安全达标。"
    assert [i.weight for i in sheet.indicators.order_by("position")] == [Decimal(w) for *_, w in INDICATORS]


def test_a_code_less_form_with_the_year_in_its_title_is_matched_by_name_and_unit(world):
    """Shape 2: "项目支出绩效目标表（2026年度）", no code anywhere: matched by 项目名称 + 实施单位 (a project
    of the same name in another unit is not a candidate); the spellings 年度指标值, 指标值类型, 计量单位,
    权重（分）, 评(扣)分标准."""
    project = make_project(world)
    make_project(world, code="XM-AGRI-1", agency="102001", name=PROJECT)
    types = {"≧2栋": ("≥", "2", "栋"), "═100%": ("=", "100", "%"), "2026年11月底前": ("定性", "2026年11月底前", ""),
             "不超过 60万元": ("≤", "60", "万元"), "≥95%": ("定量", "≥95", "百分比"), "不低于90%": ("≥", "90", "%")}
    rows = [(a, b, c, *types[v][:2], types[v][2], w, f"未达到扣{w}分") for a, b, c, v, w in INDICATORS]
    s = project_form(title="项目支出绩效目标表（2026年度）", money=("120.00", "100", "20"),
                     headers=("一级指标", "二级指标", "三级指标", "指标值类型", "年度指标值", "计量单位", "权重（分）",
                              "评(扣)分标准"), rows=rows, note="金额单位：万元")
    assert run(world, xlsx(s))["created"] == 1
    sheet = TargetSheet.objects.get(project=project, year=YEAR)
    assert stored(sheet) == STORED
    assert (sheet.fiscal_amount, sheet.other_amount) == (Decimal("1000000.00"), Decimal("200000.00"))
    assert sheet.indicators.get(position=1).scoring_standard == "未达到扣20分"
    assert not TargetSheet.objects.filter(project__code="XM-AGRI-1").exists()


def test_no_title_header_further_down_target_value_and_weight_spellings_and_label_in_one_cell(world):
    """Shape 3: no title at all, blank rows above, "项目名称：XX" and "实施单位：XX" each in one cell,
    the value column headed 目标值 and the weight 权重; the year is the import's."""
    project = make_project(world)
    s = Sheet("Sheet1")
    s.skip(4)
    s.put(f"项目名称：{PROJECT}", None, None, f"实施单位：{SCHOOL}")
    s.put("项目资金（万元）", "资金总额", 120)
    s.skip()
    s.indicators(headers=("一级指标", "二级指标", "三级指标", "目标值", "权重"), label=None)
    assert run(world, xlsx(s))["created"] == 1
    assert stored(TargetSheet.objects.get(project=project, year=YEAR)) == STORED


def test_a_form_in_yuan_is_read_in_yuan(world):
    """Shape 4: a form whose header says 元 (项目资金（元）) is read in 元, not taken for 万元."""
    project = make_project(world)
    assert run(world, xlsx(project_form(money_label="项目资金（元）", money=("1,200,000.00", 1000000, 200000))))[
        "created"] == 1
    sheet = TargetSheet.objects.get(project=project, year=YEAR)
    assert (sheet.amount, sheet.fiscal_amount, sheet.other_amount) == (
        Decimal("1200000.00"), Decimal("1000000.00"), Decimal("200000.00"))


def test_an_agency_form_by_its_name_with_tasks_and_a_matching_total(world):
    """Shape 5: "部门（单位）整体绩效目标申报表" (not the system's title), 部门（单位）名称 with the code in
    brackets, tasks with 预算金额 in 万元 and a 金额合计 that adds up; a self-evaluation worksheet in
    the same file is skipped, not taken for targets."""
    s = agency_form(name=f"{SCHOOL}（101001）")
    evaluation = Sheet("自评表")
    evaluation.put("项目支出绩效自评表")
    evaluation.put("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
    summary = run(world, xlsx(s, evaluation))
    assert summary["created"] == 1 and summary["skipped_worksheets"] == ["自评表"]
    sheet = TargetSheet.objects.get(kind="agency", agency__code="101001", year=YEAR)
    assert list(sheet.tasks.order_by("position").values_list("name", "amount", "fiscal_amount", "other_amount")) == [
        ("教育教学", Decimal("800000.00"), Decimal("800000.00"), Decimal("0")),
        ("校舍维护", Decimal("400000.50"), Decimal("300000.50"), Decimal("100000.00"))]
    assert sheet.amount == Decimal("1200000.50")
    assert stored(sheet) == STORED


def agency_form(*, name=SCHOOL, total=("120.00005", "110.00005", "10"), tasks=None, title="部门（单位）整体绩效目标申报表"
                ) -> Sheet:
    s = Sheet("部门整体")
    s.put(title, merge={0: 6})
    s.put(None, None, None, None, None, "单位：万元")
    s.put("部门（单位）名称", name, merge={1: 5}, mark="name")
    start = s.put("年度主要任务", "任务名称", "主要内容", "预算金额（万元）", merge={3: 3})
    s.put(None, None, None, "总额", "财政拨款", "其他资金")
    for t in tasks or [("教育教学", "保障日常教学", 80, 80, None), ("校舍维护", "维修校舍", "40.00005", "30.00005", 10)]:
        s.put(None, *t)
    s.merges.append((start, 1, s.row - 1, 1))
    s.put("金额合计", None, None, *total, merge={0: 3}, mark="total")
    s.put("年度总体目标", "保障教学秩序，完成校舍维修。", merge={1: 5})
    s.indicators(label="年度绩效指标")
    return s


# --- forms that are reported -------------------------------------------------------------------


def test_an_ambiguous_name_lists_the_candidates(world):
    """Shape 6: a code-less form whose 项目名称 names two projects of the unit: both listed, nothing written."""
    make_project(world, code="XM-A-1", name="校园安全提升工程")
    make_project(world, code="XM-A-2", name="校园安全提升工程", year=YEAR, start_year=YEAR, end_year=YEAR)
    s = project_form(name="校园安全提升工程")
    got = errors(world, xlsx(s))
    assert got == [("项目表", s.at["name"], "B", "项目名称“校园安全提升工程”对应多个项目："
                    f"XM-A-1 校园安全提升工程（{SCHOOL}，2026 年）；XM-A-2 校园安全提升工程（{SCHOOL}，2026 年）。"
                    "请在表中填写项目编码以区分")]


def test_a_unit_that_is_not_the_projects_is_reported(world):
    """Shape 7: the name matches a project of 第一中学, the form's 实施单位 is the agriculture centre."""
    make_project(world)
    s = project_form(unit="临朐县农业技术推广中心")
    assert errors(world, xlsx(s)) == [
        ("项目表", s.at["unit"], "E", f"实施单位“临朐县农业技术推广中心”与项目名称“{PROJECT}”的项目不符：该项目的实施单位是 {SCHOOL}")]


def test_a_farmland_sheet_under_a_school_projects_code_is_reported(world):
    """Shape 8: the code is the school project's; the form's name and unit are a farmland project's."""
    project = make_project(world)
    s = project_form(code=project.code, name="高标准农田建设项目", unit="临朐县农业技术推广中心")
    assert errors(world, xlsx(s)) == [
        ("项目表", s.at["name"], "B", f"表中名称“高标准农田建设项目”与项目 {project.code}（{PROJECT}）不符，请核对是否放错了表"),
        ("项目表", s.at["unit"], "E", f"实施单位“临朐县农业技术推广中心”与项目 {project.code} 的实施单位“{SCHOOL}”不符")]


def test_yuan_under_a_wan_header_is_reported_not_stored(world):
    """Shape 9: 50,000 (元) typed under 项目资金（万元） for a 5 万元 project: 10,000 times its amount,
    reported with the 万元 figure it stands for; 1,200,000 for the 120 万元 project reaches the sane
    bound (100 亿元), as does 23,739,600 for an agency's task, reported without a project to compare."""
    make_project(world, code="XM-SMALL", name="图书室图书购置", requested_amount=Decimal("50000"))
    s = project_form(name="图书室图书购置", money=(50000, 50000, None))
    assert errors(world, xlsx(s)) == [
        ("项目表", s.at["amount"], "C", "金额 50,000.00 万元是项目金额 5.00 万元的 10,000 倍，"
                                       "疑似按“元”填写：本表金额单位为万元，按元计应填 5.00 万元")]
    make_project(world)
    s = project_form(money=(1200000, 1200000, None))
    message = "金额 1,200,000.00 万元达到 1,000,000.00 万元以上，疑似按“元”填写：本表金额单位为万元，按元计应填 120.00 万元"
    assert errors(world, xlsx(s)) == [("项目表", s.at["amount"], "C", message), ("项目表", s.at["fiscal"], "C", message)]
    a = agency_form(tasks=[("教育教学", "保障日常教学", 23739600, 23739600, None)], total=(None, None, None))
    got = errors(world, xlsx(a))
    assert got == [("部门整体", a.at["total"] - 1, "D", "金额 23,739,600.00 万元达到 1,000,000.00 万元以上，"
                                                      "疑似按“元”填写：本表金额单位为万元，按元计应填 2,373.96 万元")]


def test_a_wrong_total_a_split_that_does_not_add_up_and_an_amount_not_the_projects(world):
    """Shape 10: the printed 金额合计 is not the sum of the tasks; a project form's 财政拨款 + 其他资金 is
    not its total; a project form's total is not the project's amount (150.5 against 120 万元)."""
    a = agency_form(total=("130", "110.00005", "10"))
    assert errors(world, xlsx(a)) == [("部门整体", a.at["total"], "D", "金额合计 130.00 万元与各项任务之和 120.00 万元不符")]
    make_project(world)
    s = project_form(money=(120, 100, 10))
    assert errors(world, xlsx(s)) == [
        ("项目表", s.at["amount"], "C", "财政拨款 100.00 万元与其他资金 10.00 万元之和应等于资金总额 120.00 万元")]
    s = project_form(money=("150.5", None, None))
    assert errors(world, xlsx(s)) == [("项目表", s.at["amount"], "C", "年度资金总额 150.50 万元与项目的金额（120.00 万元）不一致")]


def test_a_name_that_matches_nothing_a_year_that_is_not_the_imports_and_a_form_without_names(world):
    make_project(world)
    s = project_form(name="乡村道路硬化工程")
    assert errors(world, xlsx(s)) == [
        ("项目表", s.at["name"], "B", "项目名称“乡村道路硬化工程”在本区划您可编报的项目中找不到（按项目名称和实施单位查找）；"
                                     "请核对名称，或在表中填写项目编码")]
    s = project_form(title="项目支出绩效目标表（2025年度）")
    assert errors(world, xlsx(s)) == [("项目表", 1, None, "年度应为 2026（本次导入的年度），表中为 2025")]
    s = Sheet()
    s.put("绩效目标表")
    s.indicators()
    assert errors(world, xlsx(s)) == [
        ("Sheet1", None, None, "找不到项目编码或项目名称：请在表头填写“项目名称”和“实施单位”（或“项目编码”），"
                               "或使用系统导出的表样（含“项目编码：…  年度：…  版本：…”一行）")]


def test_a_preparer_matches_only_projects_of_their_own_unit(world):
    """The name match is scoped to what the importer may edit: the agriculture centre's project is not
    found for the school's preparer, and is for the centre's."""
    make_project(world, code="XM-AGRI", agency="102001", name="高标准农田建设项目")
    s = project_form(name="高标准农田建设项目", unit="临朐县农业技术推广中心")
    got = errors(world, xlsx(s), user="preparer")
    assert len(got) == 1 and "在本区划您可编报的项目中找不到" in got[0][3]
    assert run(world, xlsx(s), user="preparer_agri")["created"] == 1


def test_a_code_less_form_imported_through_the_page(world, login):
    """Shape 11, as a user: the school's preparer uploads a code-less form on the import page; the sheet
    is attached to the project; the same file again changes nothing; a wrong unit lists the error."""
    project = make_project(world)
    preparer = login("preparer")
    upload = io.BytesIO(xlsx(project_form(title=None, top=2)))
    upload.name = "教学楼抗震加固绩效目标表.xlsx"
    r = preparer.post("/targets/import/?year=2026", {"file": upload}, follow=True)
    page = r.content.decode()
    assert r.status_code == 200 and "导入完成" in page and "新建 1 份" in page
    sheet = TargetSheet.objects.get(project=project, year=YEAR)
    assert stored(sheet) == STORED and sheet.created_by == world.user("preparer")
    upload.seek(0)
    r = preparer.post("/targets/import/?year=2026", {"file": upload}, follow=True)
    assert "未变化 1 份" in r.content.decode()
    bad = io.BytesIO(xlsx(project_form(unit="临朐县城关街道中心小学")))
    bad.name = "错表.xlsx"
    r = preparer.post("/targets/import/?year=2026", {"file": bad})
    page = r.content.decode()
    assert 'data-testid="import-errors"' in page and "实施单位“临朐县城关街道中心小学”与项目名称" in page


def test_an_agency_form_without_a_code_is_matched_by_its_name_or_reported(world):
    """A 部门整体 form naming its agency by 部门（单位）名称 alone; an unknown name is reported where it is,
    and an agency of another unit is not found for the school's preparer."""
    s = agency_form(name="临朐县第九中学")
    assert errors(world, xlsx(s)) == [
        ("部门整体", s.at["name"], "B", "部门（单位）名称“临朐县第九中学”在本区划您可编报的单位中找不到；请核对名称，或在表中填写单位编码")]
    got = errors(world, xlsx(agency_form(name="临朐县农业技术推广中心")), user="preparer")
    assert len(got) == 1 and "您可编报的单位中找不到" in got[0][3]
    assert run(world, xlsx(agency_form(name=f" {SCHOOL} ")), user="preparer")["created"] == 1
    sheet = TargetSheet.objects.get(kind="agency", year=YEAR)
    assert sheet.agency == world.agency("101001") and sheet.amount == Decimal("1200000.50")
