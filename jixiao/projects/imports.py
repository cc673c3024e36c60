"""Excel import of project lists: all-or-nothing, every bad cell reported (house style 7).

Natural key: the project code within the region — re-importing the same file changes nothing.
Amounts are in 万元 in the file and stored as yuan. Agencies, sectors and the existing projects are
read in one query each before the rows are checked; every row is checked in full (the same field
rules as the services, ``services.clean_fields``) before the first one is written."""

from __future__ import annotations

import re

from jixiao.core import audit
from jixiao.core.choices import SecurityEventCode
from jixiao.core.errors import ServiceError, ValidationFailed
from jixiao.core.excel import (
    Column,
    ImportFailed,
    ImportReport,
    as_text,
    open_workbook,
    parse_bool,
    parse_choice,
    parse_code,
    parse_int,
    parse_text,
    parse_wan,
    read_table,
)
from jixiao.core.services import service
from jixiao.core.viewkit import require
from jixiao.org.imports import ImportResult
from jixiao.org.models import Agency, Sector
from jixiao.projects import services
from jixiao.projects.choices import BudgetBook, FundSource, ProjectKind, ProjectTag
from jixiao.projects.models import Project

SHEET = "项目库"
_SPLIT = re.compile(r"[、,，;；/\s]+")


def parse_labels(choices):
    """Several labels (or codes) in one cell, separated by 、 or commas."""
    by_label = {label: code for code, label in choices.choices}

    def parse(value):
        out, bad = [], []
        for part in (p for p in _SPLIT.split(as_text(value)) if p):
            code = by_label.get(part) or (part if part in choices.values else None)
            (out.append(code) if code else bad.append(part))
        if bad:
            return None, f"“{'、'.join(bad)}”不是有效选项，应为：{'、'.join(choices.labels)}（多个用“、”分隔）"
        return out, None

    return parse


def parse_new(value):
    text = as_text(value)
    if text in ("新增", "是", "新增项目"):
        return True, None
    if text in ("延续", "否", "延续项目"):
        return False, None
    return None, f"应填“新增”或“延续”，收到“{text}”"


def parse_function_code(value):
    if isinstance(value, float) and not value.is_integer():
        return None, f"支出功能分类科目应为数字代码，收到“{as_text(value)}”"
    return parse_code(value)


COLUMNS = [
    Column("code", "项目编码", parse_code, width=18),
    Column("name", "项目名称", lambda v: parse_text(v, max_length=255), width=36),
    Column("kind", "类型", parse_choice(dict(ProjectKind.choices)), required=False, width=8),
    Column("agency", "单位代码", parse_code, width=12),
    Column("sector", "行业领域", width=14),
    Column("budget_book", "预算类型", parse_choice(dict(BudgetBook.choices)), width=16),
    Column("function_code", "支出功能分类科目", parse_function_code, width=14),
    Column("fund_sources", "资金来源", parse_labels(FundSource), width=18),
    Column("requested_amount", "申报金额", parse_wan, money=True, width=14),
    Column("budget_amount", "预算金额", parse_wan, required=False, money=True, width=14),
    Column("is_new", "新增/延续", parse_new, width=10),
    Column("is_major", "重大项目", parse_bool, required=False, width=10),
    Column("tags", "标签", parse_labels(ProjectTag), required=False, width=16),
    Column("year", "预算年度", parse_int, width=10),
    Column("start_year", "起始年度", parse_int, required=False, width=10),
    Column("end_year", "结束年度", parse_int, required=False, width=10),
    Column("description", "项目说明", lambda v: parse_text(v, max_length=2000), required=False, width=40),
]
#: The export adds the stage (read-only: stages move only through the stage services).
EXPORT_COLUMNS = [*COLUMNS, Column("stage", "阶段", required=False, width=10)]
HEADERS = {c.key: c.header for c in EXPORT_COLUMNS}
COMPARED = [k for k in services.EDITABLE]


def _report(report: ImportReport, row, errors: dict[str, list[str]]) -> None:
    for fld, messages in errors.items():
        key = fld if fld in HEADERS else "code"
        for message in messages:
            report.add(row.sheet, row.number, row.letters.get(key), message, HEADERS.get(key, ""))


@service
def import_projects(*, actor, data: bytes, ip: str = "") -> ImportResult:
    """Create or update the projects listed in the 项目库 sheet. The importer's scope decides which
    agency codes are accepted (an agency preparer: only their own agency); a code already used by a
    project the importer may not change is refused, not overwritten."""
    require(actor, Project, "create")
    region = actor.region
    report = ImportReport()
    wb = open_workbook(data, report)
    rows = [] if wb is None else list(read_table(wb, COLUMNS, report, sheet=SHEET if SHEET in wb.sheet_names else None))
    agencies = {a.code: a for a in Agency.objects.for_user(actor, "view")}
    sectors = {s.name: s for s in Sector.objects.all()} | {s.code: s for s in Sector.objects.all()}
    codes = [r.values["code"] for r in rows]
    taken = set(Project.objects.filter(region=region, code__in=codes).values_list("code", flat=True))
    mine = {p.code: p for p in Project.objects.for_user(actor, "change").filter(code__in=codes)}
    seen: dict[str, int] = {}
    plan = []
    for row in rows:
        v = row.values
        code = v["code"]
        if code in seen:
            report.add(row.sheet, row.number, row.letters["code"], f"项目编码 {code} 在文件中重复（另见第 {seen[code]} 行）",
                       HEADERS["code"])
            continue
        seen[code] = row.number
        if code in taken and code not in mine:
            report.add(row.sheet, row.number, row.letters["code"], f"项目编码 {code} 已被其他单位的项目使用",
                       HEADERS["code"])
            continue
        agency = agencies.get(v["agency"])
        if agency is None:
            report.add(row.sheet, row.number, row.letters["agency"],
                       f"单位代码 {v['agency']} 不存在或不在您的权限范围内", HEADERS["agency"])
        sector = sectors.get(v["sector"])
        if sector is None:
            report.add(row.sheet, row.number, row.letters["sector"], f"行业领域“{v['sector']}”不存在", HEADERS["sector"])
        if agency is None or sector is None:
            continue
        fields = {
            "code": code, "name": v["name"], "kind": v.get("kind") or ProjectKind.PROJECT, "agency": agency,
            "sector": sector, "budget_book": v["budget_book"], "function_code": v["function_code"],
            "fund_sources": v["fund_sources"], "requested_amount": v["requested_amount"],
            "budget_amount": v.get("budget_amount") or 0, "is_new": v["is_new"], "is_major": bool(v.get("is_major")),
            "tags": v.get("tags") or [], "year": v["year"], "start_year": v.get("start_year"),
            "end_year": v.get("end_year"), "description": v.get("description") or "",
        }
        cleaned, errors = services.clean_fields(fields, region=region)
        if errors:
            _report(report, row, errors)
            continue
        plan.append((row, cleaned, mine.get(code)))
    if not rows and report.ok:
        report.add(SHEET, None, None, "文件中没有数据行")
    if not report.ok:
        raise ImportFailed(report)

    result = ImportResult()
    for row, cleaned, current in plan:
        try:
            if current is None:
                services.create_project(actor=actor, region=region, **cleaned)
                result.created += 1
                continue
            changes = {k: cleaned[k] for k in COMPARED if getattr(current, k) != cleaned[k]}
            if not changes:
                result.unchanged += 1
                continue
            services.update_project(actor=actor, project=current, version=current.version, **changes)
            result.updated += 1
        except ValidationFailed as exc:
            _report(report, row, exc.errors)
        except ServiceError as exc:  # e.g. a project past 储备 that the agency may no longer edit
            _report(report, row, {"code": [exc.message]})
    if not report.ok:
        raise ImportFailed(report)  # rolls back the rows written above
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, ip=ip,
                         detail={"what": "projects", "created": result.created, "updated": result.updated})
    return result
