"""Import of budget execution data (预算执行数据, issue #13 F13): the treasury payment system's export
(国库集中支付系统) and the monthly spending plan (用款计划), as .xlsx or .csv.

The execution file is a whole region's year (or one agency's part of it): one row per payment (支付日期)
or per project-month (月份), with the project code (项目编码; a row without one and with a 单位代码 is
the agency's whole budget, 部门整体支出), the amount, the fund source (资金性质) and, optionally, the
function code (功能科目, checked, not stored: the project carries its own). Headers vary between payment
systems, so each column accepts the common spellings (:data:`EXECUTION_COLUMNS`). Amounts are yuan (元),
as the payment systems export them; a header that says 万元 (“支付金额（万元）”) is read in 万元.

Rules (house style 7):

* all or nothing: every bad cell is reported by sheet, row and column in Chinese before anything is
  written (unknown project code, a date or month outside the year, a non-numeric, negative or too
  large amount, an unknown fund source …);
* set-based: the importer's projects and agencies are read in one query each; the existing rows of the
  months the file covers in one more; the writes go through ``core.bulk`` (``services.replace_months``);
* payments are summed per (project, month, fund source);
* idempotent, by **replacing the months the file covers, for the projects (and agencies) it names**: for
  every project in the file the file is the full record of those months — a fund source or a month
  that the file covers but no longer lists for the project is removed, projects the file does not name
  are left as they are, months it does not cover too. Re-importing the same file changes nothing (no
  row is rewritten), a later export of the same year brings the new months and the corrections;
* scope: a code of another region's project, or (for an agency's preparer) of another agency's, is
  unknown here; one security event ``import`` per file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jixiao.core import audit
from jixiao.core.choices import SecurityEventCode
from jixiao.core.errors import ValidationFailed
from jixiao.core.excel import (
    Column,
    FormulaCell,
    FormulaRow,
    ImportFailed,
    ImportReport,
    Row,
    as_text,
    find_header,
    is_blank,
    open_table,
    parse_code,
    parse_row,
)
from jixiao.core.money import MONEY_MAX, MONEY_MIN, WAN, range_error
from jixiao.core.services import service
from jixiao.core.text import excerpt
from jixiao.core.viewkit import require
from jixiao.monitoring import services
from jixiao.monitoring.models import MonthlyExecution, SpendingPlan
from jixiao.org.models import Agency
from jixiao.projects.choices import FundSource
from jixiao.projects.models import Project


def _spellings(*bases: str, units: tuple[str, ...] = ("",)) -> tuple[str, ...]:
    return tuple(f"{b}{u}" for b in bases for u in units)


_YUAN = ("", "（元）", "(元)")
_WAN = ("（万元）", "(万元)")
_AMOUNTS = ("实际支付金额", "支付金额", "实付金额", "付款金额", "支出金额", "本月支付金额", "本月支出", "执行金额",
            "本月执行数", "执行数", "金额")
_PLANNED = ("计划金额", "用款计划金额", "计划用款金额", "用款计划", "计划支出金额", "计划数", "金额")

#: how each fund source is spelled in the payment systems' exports (资金性质 / 资金来源 / 指标来源)
FUND_SOURCE_SPELLINGS = {
    FundSource.HIGHER_TRANSFER: ("上级转移支付", "转移支付", "上级补助", "上级资金", "上级专项", "上级转移支付资金",
                                 "中央转移支付", "省级转移支付", "市级转移支付", "上级"),
    FundSource.OWN: ("本级安排", "本级", "本级资金", "本级财力", "本级财政", "县级", "县本级", "本级预算", "自有财力"),
    FundSource.DEBT: ("政府债务", "债券资金", "政府债券", "专项债券", "一般债券", "债务资金"),
    FundSource.PPP: ("PPP", "ppp", "PPP项目"),
    FundSource.OTHER: ("其他", "其他资金"),
}
_FUND_SOURCES = {s: code for code, spellings in FUND_SOURCE_SPELLINGS.items() for s in spellings} | {
    code.value: code for code in FundSource}

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_MONTH = re.compile(r"^(\d{1,2})\s*月?(?:份)?$")


def parse_date(value):
    """A payment date: a spreadsheet date, or text such as 2026-03-15, 2026/3/15, 2026年3月15日, 20260315."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    text = as_text(value)
    m = _DATE.match(text) or _COMPACT_DATE.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), None
        except ValueError:
            pass
    return None, f"日期“{excerpt(text)}”无法识别，应为如 2026-03-15 的日期"


def parse_month(value):
    """A month: 3, 3月, 03, or with the year (2026-03, 2026年3月, 202603) → (year or None, month)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return (value.year, value.month), None
    text = as_text(value)
    for pattern, has_year in ((_YEAR_MONTH, True), (_COMPACT_MONTH, True), (_MONTH, False)):
        m = pattern.match(text)
        if m:
            year, month = (int(m.group(1)), int(m.group(2))) if has_year else (None, int(m.group(1)))
            if 1 <= month <= 12:
                return (year, month), None
            break
    return None, f"月份“{excerpt(text)}”无法识别，应为 1 至 12 的月份（如 3、3月、2026-03）"


def _amount(unit: Decimal):
    def parse(value):
        if isinstance(value, float):
            text = repr(value)
        else:
            text = as_text(value).replace(",", "").replace("，", "")
        label = "万元" if unit == WAN else "元"
        try:
            d = Decimal(text)
        except InvalidOperation:
            return None, f"金额应为数字（{label}），收到“{excerpt(as_text(value))}”"
        if not d.is_finite() or abs(d.adjusted()) > 30:
            return None, f"金额应为数字（{label}），收到“{excerpt(as_text(value))}”"
        yuan = d * unit
        if yuan != yuan.quantize(Decimal("0.01")):
            return None, f"金额最多精确到分，收到“{excerpt(as_text(value))}”{label}"
        error = range_error(yuan)
        if error:
            return None, f"{error}，收到“{excerpt(as_text(value))}”"
        return yuan.quantize(Decimal("0.01")), None
    return parse


def parse_fund_source(value):
    text = "".join(as_text(value).split())
    code = _FUND_SOURCES.get(text)
    if code is None:
        return None, f"资金来源“{excerpt(text)}”无法识别，应为：{'、'.join(FundSource.labels)}"
    return str(FundSource(code)), None  # the plain code the table stores (a key of the summed rows)


def parse_function_code(value):
    text = as_text(value)
    if not re.fullmatch(r"\d{3,7}", text):
        return None, f"功能科目应为 3 至 7 位数字代码，收到“{excerpt(text)}”"
    return text, None


CODE = Column("code", "项目编码", parse_code, required=False,
              aliases=("项目代码", "项目编号", "预算项目编码", "预算项目代码", "项目"))
AGENCY = Column("agency", "单位代码", parse_code, required=False,
                aliases=("单位编码", "预算单位编码", "预算单位代码", "单位"))
DATE = Column("date", "支付日期", parse_date, required=False,
              aliases=("付款日期", "支付时间", "交易日期", "清算日期", "记账日期", "日期"))
MONTH = Column("month", "月份", parse_month, required=False,
               aliases=("支付月份", "所属月份", "执行月份", "会计期间", "期间", "月"))
FUND_SOURCE = Column("fund_source", "资金来源", parse_fund_source, required=False,
                     aliases=("资金性质", "指标来源", "资金类型", "经费来源"))
FUNCTION_CODE = Column("function_code", "功能科目", parse_function_code, required=False,
                       aliases=("功能分类科目", "支出功能分类科目", "功能科目编码", "功能分类编码", "科目编码"))

EXECUTION_COLUMNS = [
    CODE, AGENCY, DATE, MONTH,
    Column("amount", "实际支付金额", _amount(Decimal(1)), required=False,
           aliases=_spellings(*_AMOUNTS, units=_YUAN)),
    Column("amount_wan", "实际支付金额（万元）", _amount(WAN), required=False,
           aliases=_spellings(*_AMOUNTS, units=_WAN)),
    FUND_SOURCE, FUNCTION_CODE,
]
PLAN_COLUMNS = [
    CODE, MONTH,
    Column("amount", "计划金额", _amount(Decimal(1)), required=False, aliases=_spellings(*_PLANNED, units=_YUAN)),
    Column("amount_wan", "计划金额（万元）", _amount(WAN), required=False, aliases=_spellings(*_PLANNED, units=_WAN)),
]
HEADERS = {c.key: c.header for c in EXECUTION_COLUMNS}


@dataclass
class ExecutionImport:
    """What an import did: rows written per (object, month, fund source), months covered, payments read."""

    year: int
    months: list[int] = field(default_factory=list)
    read: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    #: sheets without a header row (a 说明 sheet beside the data), not read
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        months = "、".join(f"{m}月" for m in self.months)
        text = (f"{self.year} 年 {months}：读取 {self.read} 行，新增 {self.created} 条，更新 {self.updated} 条，"
                f"删除 {self.deleted} 条，未变 {self.unchanged} 条。")
        if self.skipped:
            text += f"未读取没有表头行的工作表：{'、'.join(self.skipped)}。"
        return text

    def as_dict(self) -> dict:
        return {"year": self.year, "months": self.months, "read": self.read, "created": self.created,
                "updated": self.updated, "deleted": self.deleted, "unchanged": self.unchanged,
                "skipped": self.skipped}


def mapped_columns(columns: list[Column], mapping: dict | None, *, plan: bool = False) -> list[Column]:
    """``columns`` with the names the region gave them (configuration ``import_columns``: its own
    export's headers, e.g. 本期支付数 for the amount) — recognised besides the common spellings and
    preferred to them; a name the region gave one column is no longer a common spelling of another."""
    from dataclasses import replace

    from jixiao.core.config import column_names

    mapping = mapping or {}
    given = {c.key: tuple(column_names(mapping.get(CONFIG_FIELD[plan].get(c.key, c.key)))) for c in columns}
    taken = {_norm(n) for names in given.values() for n in names}
    return [replace(c, aliases=tuple(a for a in c.aliases if _norm(a) not in taken or a in given[c.key]),
                    mapped=given[c.key]) for c in columns]


def _norm(name: str) -> str:
    return "".join(name.split()).replace("（", "(").replace("）", ")").replace("*", "")


#: the configuration field (``import_columns``) of each column key, for the execution and the plan import
CONFIG_FIELD = {False: {}, True: {"amount": "plan_amount", "amount_wan": "plan_amount_wan"}}


def region_columns(region, year: int, columns: list[Column], *, plan: bool = False) -> list[Column]:
    from jixiao.core import config

    return mapped_columns(columns, config.get(region, year, "import_columns"), plan=plan)


@dataclass
class Missing:
    """A required column the file's header did not name (for the page's question “把哪一列当作…？”):
    the column keys that would do, its label, and the headers the sheet has."""

    keys: tuple[str, ...]
    label: str
    sheet: str
    headers: list[str]


def _header_cells(wb, sheet: str, columns: list[Column]) -> list[str]:
    """The header row's texts as the user typed them: the first row (of the first ten) naming any
    known column, else the first row that is not blank."""
    names = {_norm(n) for c in columns for n in c.names()}
    first: list[str] = []
    try:
        rows = wb.get_sheet_by_name(sheet).iter_rows()
    except Exception:
        return []
    for number, raw in enumerate(rows, start=1):
        texts = [as_text(v) for v in raw if not is_blank(v)]
        texts = [t for t in texts if len(t) <= 60]
        if any(_norm(t) in names for t in texts):
            return list(dict.fromkeys(texts))
        if texts and not first:
            first = list(dict.fromkeys(texts))
        if number >= 10:
            break
    return first


class _Rows:
    """The data rows of every sheet of the file (a CSV file is one sheet named after the file), streamed,
    without the closing total lines. A sheet without a header row (a 说明 sheet) is skipped and named in
    ``skipped`` when another sheet has one; a sheet whose header lacks a required column (``wanted``:
    (keys, label) — one of the keys must be there) is reported once (``missing``) and its rows are not
    read. ``count`` counts the rows read.

    A province's year is a million rows and more, so each row is first taken at sight (:func:`_plan`:
    the cells of its columns through per-column caches and a fast amount reader); a row with anything
    unusual — a blank or formula cell, a value the fast readers do not take — goes through
    ``core.excel.parse_row``, which reports every bad cell as ``read_table`` does."""

    def __init__(self, data, filename, columns, report, wanted):
        self.report, self.columns, self.wanted = report, columns, wanted
        self.wb = open_table(data, report, filename=filename)
        self.skipped: list[str] = []
        self.missing: list[Missing] = []
        self.count = 0
        #: the fast readers, one per column key for the whole file (a code recurs in every month's sheet)
        self.readers: dict[str, object] = {}

    def __iter__(self):
        if self.wb is None:
            return
        report = self.report
        headerless = []
        headed = False
        for name in self.wb.sheet_names:
            before = len(report.errors)
            header = find_header(self.wb, self.columns, report, sheet=name)
            if header is None:
                added = report.errors[before:]
                if len(added) == 1 and added[0].row is None and added[0].message.startswith("找不到表头行"):
                    headerless.append((name, added[0]))
                else:
                    headed = True
                continue
            headed = True
            if self._header_ok(name, header.letters):
                yield from self._sheet(header)
        if headed:
            for name, error in headerless:
                report.errors.remove(error)
                self.skipped.append(name)
        else:
            for name, _error in headerless:
                self.missing.append(Missing((), "", name, _header_cells(self.wb, name, self.columns)))

    def _sheet(self, header):
        report, columns, sheet, letters = self.report, self.columns, header.sheet, header.letters
        plan = _plan(columns, header.index, self.readers)
        width = max(header.index.values()) + 1
        number = header.number
        for raw in header.rows:
            number += 1
            row = None
            if raw.__class__ is not FormulaRow and len(raw) >= width:
                values = {}
                for key, i, fast in plan:
                    value = fast(raw[i])
                    if value is _SLOW:
                        break
                    values[key] = value
                else:
                    row = Row(sheet, number, values, letters)
            if row is None:
                row = parse_row(raw, columns, header, number, report)
                if row is None:
                    continue
            values = row.values
            if values.get("code") in TOTAL_LINES or values.get("agency") in TOTAL_LINES:
                continue
            self.count += 1
            yield row

    def _header_ok(self, sheet, letters) -> bool:
        absent = [(keys, label) for keys, label in self.wanted if not set(letters) & set(keys)]
        if absent:
            self.report.add(sheet, None, None, "缺少必需的列：" + "、".join(label for _k, label in absent))
            headers = _header_cells(self.wb, sheet, self.columns)
            self.missing.extend(Missing(keys, label, sheet, headers) for keys, label in absent)
        return not absent


#: a cell the fast readers leave to ``parse_row``
_SLOW = object()
#: distinct values a column's cache keeps (a province's project codes are ~110,000)
CACHE_SIZE = 500_000
_CENT = Decimal("0.01")


def _plan(columns: list[Column], index: dict[str, int], readers: dict) -> list[tuple]:
    """(key, position, fast reader) for each column of the header: amounts read directly, every other
    column through its parser with a cache (a project code, a month, a fund source recur row after row);
    ``readers`` keeps them from sheet to sheet."""
    by_key = {c.key: c for c in columns}
    for key in index:
        if key not in readers:
            readers[key] = _fast_amount(AMOUNT_UNITS[key]) if key in AMOUNT_UNITS else _cached(by_key[key].parse)
    return [(key, i, readers[key]) for key, i in index.items()]


#: the amount columns and their unit (yuan per unit of the cell)
AMOUNT_UNITS = {"amount": Decimal(1), "amount_wan": WAN}


def _cached(parse):
    cache: dict = {}

    def fast(value):
        try:
            return cache[value]
        except KeyError:
            pass
        except TypeError:
            return _SLOW
        if value.__class__ is bool or value.__class__ is FormulaCell or is_blank(value):
            return _SLOW  # True == 1 in a dict; blanks and formulas are parse_row's to report
        parsed, error = parse(value)
        result = _SLOW if error else parsed
        if len(cache) < CACHE_SIZE:
            cache[value] = result
        return result

    return fast


def _fast_amount(unit: Decimal):
    """An amount cell as the full reader (``_amount``) reads it when it is plainly right — a number or
    numeric text, at most cents, within the money range —, else ``_SLOW`` (then ``parse_row`` reports it)."""

    def fast(value):
        cls = value.__class__
        if cls is float:
            text = repr(value)
        elif cls is str or cls is int:
            text = value
        else:
            return _SLOW
        try:
            d = Decimal(text)
            yuan = d * unit
            q = yuan.quantize(_CENT)
        except (InvalidOperation, ValueError, TypeError):
            return _SLOW
        if q != yuan or not MONEY_MIN <= q <= MONEY_MAX:
            return _SLOW
        return q

    return fast


#: a payment export's closing line (合计 / 总计 / 小计 in the code column) is not a payment
TOTAL_LINES = frozenset({"合计", "总计", "小计", "本页合计", "累计"})


def _month_of(row, year, report) -> int | None:
    """The month a row belongs to: its payment date's, else its month; None (reported) when it has
    neither or falls outside ``year``."""
    v = row.values
    month = v.get("month")
    if month is not None and v.get("date") is None and (month[0] is None or month[0] == year):
        return month[1]  # the common case, at sight
    if v.get("date") is not None:
        day = v["date"]
        if day.year != year:
            report.add(row.sheet, row.number, row.letters["date"], f"支付日期 {day.isoformat()} 不在 {year} 年度内",
                       HEADERS["date"])
            return None
        return day.month
    if v.get("month") is not None:
        y, month = v["month"]
        if y is not None and y != year:
            report.add(row.sheet, row.number, row.letters["month"], f"月份 {y} 年 {month} 月不在 {year} 年度内",
                       HEADERS["month"])
            return None
        return month
    where = "date" if "date" in row.letters else "month"
    report.add(row.sheet, row.number, row.letters.get(where), "必填：支付日期或月份", HEADERS[where])
    return None


def _amount_of(row, report, header: str) -> Decimal | None:
    v = row.values
    amount = v.get("amount") if v.get("amount") is not None else v.get("amount_wan")
    if amount is None:
        key = "amount" if "amount" in row.letters else "amount_wan"
        report.add(row.sheet, row.number, row.letters.get(key), "必填，不能为空", header)
    return amount


def _scope(actor, region):
    """The importer's projects {code: (id, agency_id, agency_code)} and agencies {code: id} in
    ``region``: one query each (a county's whole register is a few thousand rows)."""
    projects = {code: (pk, agency_id, agency_code) for code, pk, agency_id, agency_code in
                Project.objects.for_user(actor, "view").filter(region=region)
                .values_list("code", "pk", "agency_id", "agency__code")}
    agencies = dict(Agency.objects.for_user(actor, "view").filter(region=region).values_list("code", "pk"))
    return projects, agencies


def _region(actor, region):
    region = region if region is not None else getattr(actor, "region", None)
    if region is None:
        raise ValidationFailed({"region": ["请指定行政区划"]})
    return region


def _year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed({"year": ["年度应为 2000 至 2100 之间的整数"]})
    return year


EXECUTION_WANTED = [(("code", "agency"), "项目编码（部门整体支出填单位代码）"), (("date", "month"), "支付日期或月份"),
                    (("amount", "amount_wan"), "实际支付金额"), (("fund_source",), "资金来源")]
PLAN_WANTED = [(("code",), "项目编码"), (("month",), "月份"), (("amount", "amount_wan"), "计划金额")]


def _failed(report: ImportReport, rows: _Rows) -> ImportFailed:
    """The import's failure; ``missing`` names the required columns the file's header lacked (the
    page then asks which of the file's columns is which: ``views_execution.columns_hint``)."""
    exc = ImportFailed(report)
    exc.missing = rows.missing
    return exc


def _add_failed(totals: dict, key, before: Decimal, row, report: ImportReport, what: str, header: str) -> None:
    """A sum that the row took beyond the money range: reported once, at that row."""
    if before <= MONEY_MAX:
        report.add(row.sheet, row.number, row.letters.get("amount") or row.letters.get("amount_wan"),
                   f"{what}{range_error(totals[key])}", header)


def _add(totals: dict, key, amount: Decimal, row, report: ImportReport, what: str, header: str) -> None:
    """Sum ``amount`` into ``totals[key]``; a sum beyond the money range is reported once, at the row
    that takes it there."""
    total = totals.get(key)
    total = amount if total is None else total + amount
    if total > MONEY_MAX and totals.get(key, 0) <= MONEY_MAX:
        report.add(row.sheet, row.number, row.letters.get("amount") or row.letters.get("amount_wan"),
                   f"{what}{range_error(total)}", header)
    totals[key] = total


@service
def import_execution(*, actor, data: bytes, year: int, filename: str = "", region=None,
                     ip: str = "") -> ExecutionImport:
    """Import a treasury payment export of ``year`` (see the module docstring): payments summed per
    (project or agency, month, fund source), the months the file covers replaced for the projects and
    agencies it names, all or nothing. Every sheet of a workbook is read (an export too long for one
    sheet comes in several); columns are recognised by their common spellings and by the names the
    region set (``import_columns``)."""
    require(actor, MonthlyExecution, "import")
    region, year = _region(actor, region), _year(year)
    report = ImportReport()
    columns = region_columns(region, year, EXECUTION_COLUMNS)
    rows = _Rows(data, filename, columns, report, EXECUTION_WANTED)
    projects, agencies = _scope(actor, region)
    totals: dict[tuple, Decimal] = {}
    what, amount_header = "同一项目同月同资金来源的支付合计", HEADERS["amount"]
    for row in rows:
        v = row.values
        owner = None  # (project_id or None, agency_id)
        code = v.get("code")
        if code:
            found = projects.get(code)
            if found is None:
                report.add(row.sheet, row.number, row.letters["code"],
                           f"项目编码 {code} 不存在或不在您的权限范围内", HEADERS["code"])
            elif v.get("agency") and v["agency"] != found[2]:
                report.add(row.sheet, row.number, row.letters["agency"],
                           f"项目 {code} 属于单位 {found[2]}，与单位代码 {v['agency']} 不符", HEADERS["agency"])
            else:
                owner = (found[0], found[1])
        elif v.get("agency"):
            agency_id = agencies.get(v["agency"])
            if agency_id is None:
                report.add(row.sheet, row.number, row.letters["agency"],
                           f"单位代码 {v['agency']} 不存在或不在您的权限范围内", HEADERS["agency"])
            else:
                owner = (None, agency_id)
        else:
            key = "code" if "code" in row.letters else "agency"
            report.add(row.sheet, row.number, row.letters.get(key), "必填：项目编码（部门整体支出填单位代码）",
                       HEADERS[key])
        month = _month_of(row, year, report)
        amount = v.get("amount")
        if amount is None:
            amount = _amount_of(row, report, amount_header)
        source = v.get("fund_source")
        if source is None:
            report.add(row.sheet, row.number, row.letters.get("fund_source"), "必填，不能为空", HEADERS["fund_source"])
        if owner is None or month is None or amount is None or source is None:
            continue
        key = (*owner, month, source)
        total = totals.get(key)
        if total is None:
            totals[key] = amount
        else:
            totals[key] = total + amount
            if totals[key] > MONEY_MAX:
                _add_failed(totals, key, total, row, report, what, amount_header)
    _check_done(rows, report, filename)

    result = ExecutionImport(year=year, read=rows.count, months=sorted({k[2] for k in totals}),
                             skipped=rows.skipped)
    counts = services.replace_months(model=MonthlyExecution, region=region, year=year, months=result.months,
                                     rows=totals)
    result.created, result.updated, result.deleted, result.unchanged = counts
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, region_id=region.pk, ip=ip, detail={
        "what": "execution", "year": year, "months": result.months, "rows": result.read, "created": result.created,
        "updated": result.updated, "deleted": result.deleted})
    return result


def _check_done(rows: _Rows, report: ImportReport, filename: str) -> None:
    """A file with no data rows reported, and the whole report raised when anything is wrong (both imports)."""
    if not rows.count and report.ok:
        report.add(filename or "文件", None, None, "文件中没有数据行")
    if not report.ok:
        raise _failed(report, rows)


@service
def import_spending_plans(*, actor, data: bytes, year: int, filename: str = "", region=None,
                          ip: str = "") -> ExecutionImport:
    """Import the monthly spending plans (用款计划) of ``year``: one row per project and month (项目编码, 月份,
    计划金额); rows of one project-month are added; the months the file covers are replaced for the
    projects it names (as :func:`import_execution`, with the region's column names too), all or nothing."""
    require(actor, SpendingPlan, "import")
    region, year = _region(actor, region), _year(year)
    report = ImportReport()
    rows = _Rows(data, filename, region_columns(region, year, PLAN_COLUMNS, plan=True), report, PLAN_WANTED)
    projects, _agencies = _scope(actor, region)
    totals: dict[tuple, Decimal] = {}
    for row in rows:
        v = row.values
        owner = None
        if not v.get("code"):
            report.add(row.sheet, row.number, row.letters.get("code"), "必填，不能为空", "项目编码")
        elif v["code"] not in projects:
            report.add(row.sheet, row.number, row.letters["code"], f"项目编码 {v['code']} 不存在或不在您的权限范围内",
                       "项目编码")
        else:
            owner = projects[v["code"]][:2]
        month = _month_of(row, year, report)
        amount = _amount_of(row, report, "计划金额")
        if owner is None or month is None or amount is None:
            continue
        _add(totals, (*owner, month), amount, row, report, "同一项目同月的计划金额合计", "计划金额")
    _check_done(rows, report, filename)

    result = ExecutionImport(year=year, read=rows.count, months=sorted({k[2] for k in totals}),
                             skipped=rows.skipped)
    counts = services.replace_months(model=SpendingPlan, region=region, year=year, months=result.months,
                                     rows=totals)
    result.created, result.updated, result.deleted, result.unchanged = counts
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, region_id=region.pk, ip=ip, detail={
        "what": "spending_plans", "year": year, "months": result.months, "rows": result.read,
        "created": result.created, "updated": result.updated, "deleted": result.deleted})
    return result


# --- the monitoring tables filled in (填报表, ``exports.tables_workbook``) ------------------------------


@dataclass
class TablesImport:
    """What an import of filled-in monitoring tables did: worksheets read, tables saved and unchanged,
    worksheets without a key (skipped), and the saved or unchanged tables that still cannot be submitted
    (``incomplete``: their names, ``readings.TableReading.problems``)."""

    round_title: str
    sheets: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"“{self.round_title}”：读取 {self.sheets} 张监控表，更新 {self.updated} 张，未变 {self.unchanged} 张。")
        if self.incomplete:
            shown = "、".join(self.incomplete[:5]) + ("等" if len(self.incomplete) > 5 else "")
            text += f"其中 {len(self.incomplete)} 张提交前仍需补充（未填报的数或偏差说明）：{shown}。"
        if self.skipped:
            text += f"未读取没有监控表识别码的工作表：{'、'.join(self.skipped[:10])}。"
        return text

    def as_dict(self) -> dict:
        return {"round": self.round_title, "sheets": self.sheets, "updated": self.updated,
                "unchanged": self.unchanged, "skipped": self.skipped, "incomplete": self.incomplete}


def _fill_values(p) -> dict:
    """A parsed worksheet's values as ``services.fill_changes`` / ``save_table`` take them."""
    return {"estimate": p.estimate, "goal_progress": p.goal_progress, "rows": p.rows, "reasons": p.reasons}


@service
def import_tables(*, actor, round, data, name: str = "文件", ip: str = "") -> TablesImport:
    """Save the monitoring tables of ``round`` that a filled-in workbook (``exports.tables_workbook``) states,
    all or nothing. Each worksheet is matched to its table by the key in its hidden column; the values
    are checked by the same rules as the table page (``services.fill_changes``), each bad value reported
    on its cell; a table that would change is saved through ``services.save_table`` — the one write path,
    with its audit row and version bump. Refused, by sheet: a key of another round or region, a table
    outside the importer's scope (as if it did not exist), one the importer may not fill now (submitted,
    approved, round closed: the declared action ``fill``'s message), one changed since the export (its
    version differs: reported, never overwritten — export again). A worksheet whose values equal the
    stored ones is unchanged whatever its state or version, so importing the same file twice writes
    nothing the second time (no new version, no change-log row; the security event ``import`` records
    each upload)."""
    from jixiao.core.errors import ServiceError
    from jixiao.core.scoping import refusal
    from jixiao.monitoring.import_read import HEADERS, read_tables_workbook
    from jixiao.monitoring.models import MonitoringRow, MonitoringTable
    from jixiao.monitoring.readings import read_tables

    require(actor, MonitoringTable, "fill")
    report = ImportReport()
    raw = data if isinstance(data, (bytes, bytearray)) else data.read()
    parsed, skipped = read_tables_workbook(raw, report, name=name)
    result = TablesImport(round_title=round.title, sheets=len(parsed), skipped=skipped)
    if report.ok and not parsed:
        report.add(name, None, None, "文件中没有可识别的监控填报表：请在监控批次页面“导出填报表”，填写后导入（不要修改隐藏列中的识别码）")
    region_code = round.region.code
    seen: dict[int, str] = {}
    mine = []
    for p in parsed:
        if p.bad and not p.table_id:
            continue
        row, letter = p.key_cell
        if p.region_code != region_code or p.round_id != round.pk:
            report.add(p.worksheet, row, letter, f"本工作表不是监控批次“{round.title}”的填报表（来自其他批次或其他地区），"
                                                 "请导入本批次导出的填报表", "识别码")
            continue
        if p.table_id in seen:
            report.add(p.worksheet, row, letter, f"同一张监控表已在工作表“{seen[p.table_id]}”中出现，只能出现一次", "识别码")
            continue
        seen[p.table_id] = p.worksheet
        mine.append(p)
    ids = [p.table_id for p in mine]
    tables = {t.pk: t for t in MonitoringTable.objects.for_user(actor, "change").filter(round=round, pk__in=ids)
              .select_related("round", "region", "agency", "project")} if ids else {}
    stored: dict[int, list] = {}
    for r in MonitoringRow.objects.filter(table_id__in=list(tables)).select_related("indicator").order_by(
            "table_id", "position") if tables else []:
        stored.setdefault(r.table_id, []).append(r)
    to_save = []
    kept = []
    for p in mine:
        row, letter = p.key_cell
        table = tables.get(p.table_id)
        if table is None:
            report.add(p.worksheet, row, letter, "这张监控表不存在或不在您的权限范围内，未导入", "识别码")
            continue
        label = table.subject_name
        for position in p.rows:
            if position not in {r.position for r in stored.get(table.pk, [])}:
                at = p.cells.get((position, "value_to_date"), p.key_cell)
                report.add(p.worksheet, at[0], letter, f"第 {position} 项指标不在本监控表中", "识别码")
                p.bad = True
        if p.bad:
            continue
        changes = services.fill_changes(table, stored.get(table.pk, []), **_fill_values(p))
        if not changes.errors and not changes.changed:
            result.unchanged += 1
            kept.append(table)
            continue
        refused = refusal(actor, table, "fill")
        if refused is not None:
            message = getattr(refused, "message", None) or str(refused)
            report.add(p.worksheet, row, letter, f"{label}：{message}（该表与系统中的内容不同，未导入）", "识别码")
            continue
        if table.version != p.version:
            report.add(p.worksheet, row, letter,
                       f"{label}：导出后已在系统中被修改（导出时为第 {p.version} 版，现为第 {table.version} 版），为免覆盖他人的修改，"
                       "未导入；请重新导出该表填写，或从文件中删除这张工作表后再导入其余各表", "识别码")
            continue
        for e in changes.errors:
            at = p.cells.get((e.position, e.field))
            report.add(p.worksheet, at[0] if at else row, at[1] if at else letter, e.text if at else str(e),
                       HEADERS.get(e.field, ""))
        if not changes.errors:
            to_save.append((p, table))
    if not report.ok:
        raise ImportFailed(report)
    saved = []
    for p, table in to_save:
        try:
            saved.append(services.save_table(actor=actor, table=table, version=table.version, estimate=p.estimate,
                                             goal_progress=p.goal_progress, rows=p.rows, **p.reasons))
        except ServiceError as exc:  # changed by someone else while the file was read
            report.add(p.worksheet, *p.key_cell, f"{table.subject_name}：{'；'.join(exc.messages)}", "识别码")
    if not report.ok:
        raise ImportFailed(report)
    result.updated = len(saved)
    touched = [t for t in (*saved, *kept) if t.is_editable]
    readings = read_tables(touched)
    result.incomplete = [t.subject_name for t in touched if readings[t.pk].problems()]
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, region_id=round.region_id, ip=ip, detail={
        "what": "monitoring_tables", "round": round.pk, "sheets": result.sheets, "updated": result.updated,
        "unchanged": result.unchanged})
    return result
