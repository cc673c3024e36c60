"""Excel import of experts and firms: all-or-nothing, every bad cell reported (house style 7).

Natural keys: (name, organisation) for experts and the unified social credit code for firms, within
the region. Re-importing the same file changes nothing. Lookups are prefetched, not one per row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.core import audit
from jixiao.core.choices import SecurityEventCode
from jixiao.core.errors import ValidationFailed
from jixiao.core.excel import (
    Column,
    ImportFailed,
    ImportReport,
    open_workbook,
    parse_choice,
    parse_code,
    read_table,
)
from jixiao.core.services import service
from jixiao.core.viewkit import require
from jixiao.org.models import Agency, Sector
from jixiao.pools import rules, services
from jixiao.pools.choices import ExpertStatus, FirmKind, FirmStatus
from jixiao.pools.models import Expert, Firm

FIRM_SHEET = "第三方机构"
FIRM_COLUMNS = [
    Column("name", "机构名称", width=32),
    Column("kind", "机构类型", parse_choice(dict(FirmKind.choices)), width=14),
    Column("credit_code", "统一社会信用代码", parse_code, width=22),
    Column("qualifications", "资质", required=False, width=32),
    Column("status", "状态", parse_choice(dict(FirmStatus.choices)), required=False, width=10),
]

EXPERT_SHEET = "专家"
EXPERT_COLUMNS = [
    Column("name", "姓名", width=10),
    Column("organisation", "工作单位", width=28),
    Column("title", "职称", required=False, width=14),
    Column("fields", "专业领域", width=24),
    Column("qualification", "执业资格", required=False, width=20),
    Column("status", "状态", parse_choice(dict(ExpertStatus.choices)), required=False, width=8),
    Column("agency", "所在单位代码", parse_code, required=False, width=14),
    Column("firm", "所属机构信用代码", parse_code, required=False, width=22),
    Column("phone", "联系电话", required=False, width=14),
    Column("email", "电子邮箱", required=False, width=22),
]

FIELD_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条。"


def _read(data: bytes, columns, sheet) -> tuple[list, ImportReport]:
    report = ImportReport()
    wb = open_workbook(data, report)
    rows = [] if wb is None else list(read_table(wb, columns, report, sheet=sheet if sheet in wb.sheet_names else None))
    return rows, report


def _report_service_errors(report: ImportReport, row, exc: ValidationFailed, columns) -> None:
    headers = {c.key: c.header for c in columns}
    for fld, messages in exc.errors.items():
        for message in messages:
            report.add(row.sheet, row.number, row.letters.get(fld), message, headers.get(fld, ""))


@service
def import_firms(*, actor, data: bytes, ip: str = "") -> ImportResult:
    """Create or update the region's firms from the 第三方机构 sheet, keyed by credit code."""
    require(actor, Firm, "create")
    rows, report = _read(data, FIRM_COLUMNS, FIRM_SHEET)
    existing = {f.credit_code: f for f in Firm.objects.for_user(actor, "view")}
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        v["credit_code"] = v["credit_code"].upper()
        if message := rules.credit_code_error(v["credit_code"]):
            report.add(row.sheet, row.number, row.letters["credit_code"], message, "统一社会信用代码")
        elif v["credit_code"] in seen:
            report.add(row.sheet, row.number, row.letters["credit_code"],
                       f"统一社会信用代码 {v['credit_code']} 在文件中重复（另见第 {seen[v['credit_code']]} 行）",
                       "统一社会信用代码")
        seen.setdefault(v["credit_code"], row.number)
    if not rows and report.ok:
        report.add(FIRM_SHEET, None, None, "文件中没有数据行")
    if not report.ok:
        raise ImportFailed(report)
    result = ImportResult()
    for row in rows:
        v = dict(row.values, status=row.values.get("status") or FirmStatus.ACTIVE,
                 qualifications=row.values.get("qualifications") or "")
        current = existing.get(v["credit_code"])
        try:
            if current is None:
                services.create_firm(actor=actor, region=actor.region, **v)
                result.created += 1
                continue
            changes = {k: new for k, new in v.items() if getattr(current, k) != new}
            if changes:
                services.update_firm(actor=actor, firm=current, version=current.version, **changes)
                result.updated += 1
            else:
                result.unchanged += 1
        except ValidationFailed as exc:
            _report_service_errors(report, row, exc, FIRM_COLUMNS)
    if not report.ok:
        raise ImportFailed(report)
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, ip=ip,
                         detail={"what": "firms", "created": result.created, "updated": result.updated})
    return result


@service
def import_experts(*, actor, data: bytes, ip: str = "") -> ImportResult:
    """Create or update the region's experts from the 专家 sheet, keyed by name and organisation.
    Sectors by name (or code), separated by 、 or commas; agencies by code and firms by credit code,
    within the region."""
    require(actor, Expert, "create")
    rows, report = _read(data, EXPERT_COLUMNS, EXPERT_SHEET)
    sectors = {s.name: s for s in Sector.objects.all()} | {s.code: s for s in Sector.objects.all()}
    agencies = {a.code: a for a in Agency.objects.for_user(actor, "view")}
    firms = {f.credit_code: f for f in Firm.objects.for_user(actor, "view")}
    existing = {(e.name, e.organisation): e for e in Expert.objects.for_user(actor, "view").prefetch_related("fields")}
    seen: dict[tuple[str, str], int] = {}
    resolved = []
    for row in rows:
        v = row.values
        key = (v["name"], v["organisation"])
        if key in seen:
            report.add(row.sheet, row.number, row.letters["name"],
                       f"专家“{v['name']}”（{v['organisation']}）在文件中重复（另见第 {seen[key]} 行）", "姓名")
        seen.setdefault(key, row.number)
        names = [n for n in FIELD_SEPARATORS.split(v["fields"]) if n]
        unknown = [n for n in names if n not in sectors]
        if unknown:
            report.add(row.sheet, row.number, row.letters["fields"], f"专业领域“{'、'.join(unknown)}”不存在", "专业领域")
        agency = agencies.get(v["agency"]) if v.get("agency") else None
        if v.get("agency") and agency is None:
            report.add(row.sheet, row.number, row.letters["agency"], f"单位代码 {v['agency']} 在本区划不存在", "所在单位代码")
        firm = firms.get(v["firm"].upper()) if v.get("firm") else None
        if v.get("firm") and firm is None:
            report.add(row.sheet, row.number, row.letters["firm"], f"信用代码 {v['firm']} 不在本区划机构库中",
                       "所属机构信用代码")
        resolved.append((row, [sectors[n] for n in dict.fromkeys(names) if n in sectors], agency, firm))
    if not rows and report.ok:
        report.add(EXPERT_SHEET, None, None, "文件中没有数据行")
    if not report.ok:
        raise ImportFailed(report)
    result = ImportResult()
    for row, fields, agency, firm in resolved:
        v = row.values
        values = {"name": v["name"], "organisation": v["organisation"], "title": v.get("title") or "",
                  "qualification": v.get("qualification") or "", "status": v.get("status") or ExpertStatus.ACTIVE,
                  "agency": agency, "firm": firm, "phone": v.get("phone") or "", "email": v.get("email") or ""}
        current = existing.get((v["name"], v["organisation"]))
        try:
            if current is None:
                services.create_expert(actor=actor, region=actor.region, fields=fields, **values)
                result.created += 1
                continue
            changes = {k: new for k, new in values.items() if getattr(current, k) != new}
            same_fields = {s.pk for s in current.fields.all()} == {s.pk for s in fields}
            if changes or not same_fields:
                services.update_expert(actor=actor, expert=current, version=current.version,
                                       fields=None if same_fields else fields, **changes)
                result.updated += 1
            else:
                result.unchanged += 1
        except ValidationFailed as exc:
            _report_service_errors(report, row, exc, EXPERT_COLUMNS)
    if not report.ok:
        raise ImportFailed(report)
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, ip=ip,
                         detail={"what": "experts", "created": result.created, "updated": result.updated})
    return result
