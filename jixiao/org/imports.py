"""Excel import of agencies and users: all-or-nothing, every bad cell reported (house style 7).

Natural keys: agency code within the region, username. Re-importing the same file changes nothing.
Lookups are prefetched in one query per table, not one per row."""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.core import audit
from jixiao.core.choices import SecurityEventCode
from jixiao.core.errors import ValidationFailed
from jixiao.core.excel import (
    Column,
    ImportFailed,
    ImportReport,
    open_workbook,
    parse_bool,
    parse_choice,
    parse_code,
    read_table,
)
from jixiao.core.roles import GRANTABLE_ROLES, Role
from jixiao.core.services import service
from jixiao.core.viewkit import require
from jixiao.org import services
from jixiao.org.choices import AgencyKind
from jixiao.org.models import Agency, FinanceSection, Sector, User

AGENCY_SHEET = "预算单位"
AGENCY_COLUMNS = [
    Column("code", "单位代码", parse_code, width=14),
    Column("name", "单位名称", width=32),
    Column("kind", "类型", parse_choice(dict(AgencyKind.choices)), width=14),
    Column("parent", "上级部门代码", parse_code, required=False, width=14),
    Column("sector", "行业领域", required=False, width=16),
    Column("active", "在用", parse_bool, required=False, width=8),
]

USER_SHEET = "用户"
USER_COLUMNS = [
    Column("username", "账号", parse_code, width=16),
    Column("display_name", "姓名", width=12),
    Column("role", "角色", parse_choice({r.value: r.label for r in Role if r in GRANTABLE_ROLES}), width=16),
    Column("agency", "单位代码", parse_code, required=False, width=14),
    Column("finance_section", "股室代码", parse_code, required=False, width=12),
    Column("phone", "电话", required=False, width=14),
    Column("password", "初始密码", required=False, width=16),
]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条。"


def _report_service_errors(report: ImportReport, row, exc: ValidationFailed, columns) -> None:
    """A service's field errors onto the row's cells (field names are the column keys)."""
    headers = {c.key: c.header for c in columns}
    for fld, messages in exc.errors.items():
        for message in messages:
            report.add(row.sheet, row.number, row.letters.get(fld), message, headers.get(fld, ""))


def _read(data: bytes, columns, sheet) -> tuple[list, ImportReport]:
    report = ImportReport()
    wb = open_workbook(data, report)
    rows = [] if wb is None else list(read_table(wb, columns, report, sheet=sheet if sheet in wb.sheet_names else None))
    return rows, report


@service
def import_agencies(*, actor, data: bytes, ip: str = "") -> ImportResult:
    """Create or update the agencies of the actor's region from the 预算单位 sheet."""
    # Checked up front: a file of unchanged rows reaches no service that would refuse the actor.
    require(actor, Agency, "create")
    region = actor.region
    rows, report = _read(data, AGENCY_COLUMNS, AGENCY_SHEET)
    existing = {a.code: a for a in Agency.objects.for_user(actor, "view").select_related("parent", "sector")}
    sectors = {s.name: s for s in Sector.objects.all()} | {s.code: s for s in Sector.objects.all()}
    in_file: dict[str, object] = {}
    for row in rows:
        v = row.values
        if v["code"] in in_file:
            report.add(row.sheet, row.number, row.letters["code"], f"单位代码 {v['code']} 在文件中重复（另见第 {in_file[v['code']].number} 行）", "单位代码")
        in_file[v["code"]] = row
    for row in rows:
        v = row.values
        parent = v.get("parent")
        if v["kind"] == AgencyKind.UNIT and not parent:
            report.add(row.sheet, row.number, row.letters.get("parent"), "预算单位必须填写上级部门代码", "上级部门代码")
        if v["kind"] != AgencyKind.UNIT and parent:
            report.add(row.sheet, row.number, row.letters.get("parent"), "预算部门和乡镇不能有上级部门", "上级部门代码")
        if parent:
            target = in_file.get(parent)
            known_kind = target.values["kind"] if target is not None else (existing[parent].kind if parent in existing else None)
            if known_kind is None:
                report.add(row.sheet, row.number, row.letters.get("parent"), f"上级部门代码 {parent} 在本区划不存在", "上级部门代码")
            elif known_kind == AgencyKind.UNIT:
                report.add(row.sheet, row.number, row.letters.get("parent"), f"{parent} 是预算单位，不能作为上级部门", "上级部门代码")
        if v.get("sector") and v["sector"] not in sectors:
            report.add(row.sheet, row.number, row.letters.get("sector"), f"行业领域“{v['sector']}”不存在", "行业领域")
    if not rows and report.ok:
        report.add(AGENCY_SHEET, None, None, "文件中没有数据行")
    if not report.ok:
        raise ImportFailed(report)

    result = ImportResult()
    # Top-level agencies first so units can point at parents created in the same file.
    ordered = sorted(rows, key=lambda r: r.values["kind"] == AgencyKind.UNIT)
    refused: set[str] = set()
    for row in ordered:
        v = row.values
        if v.get("parent") in refused:
            continue  # its parent's row is already reported; this one would only echo that error
        sector = sectors.get(v["sector"]) if v.get("sector") else None
        parent = existing.get(v["parent"]) if v.get("parent") else None
        active = True if v.get("active") is None else v["active"]
        current = existing.get(v["code"])
        # Rules only the services know (a cycle, a reviewer bound to the agency, field lengths) are
        # reported on the row like the checks above; the transaction still rolls back whole.
        try:
            if current is None:
                existing[v["code"]] = services.create_agency(
                    actor=actor, region=region, code=v["code"], name=v["name"], kind=v["kind"], parent=parent,
                    sector=sector, active=active,
                )
                result.created += 1
                continue
            changes = {k: new for k, new in (("name", v["name"]), ("kind", v["kind"]), ("parent", parent),
                                              ("sector", sector), ("active", active)) if getattr(current, k) != new}
            if changes:
                existing[v["code"]] = services.update_agency(actor=actor, agency=current, version=current.version,
                                                             **changes)
                result.updated += 1
            else:
                result.unchanged += 1
        except ValidationFailed as exc:
            _report_service_errors(report, row, exc, AGENCY_COLUMNS)
            refused.add(v["code"])
    if not report.ok:
        raise ImportFailed(report)  # rolls back the rows written above
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, ip=ip,
                         detail={"what": "agencies", "created": result.created, "updated": result.updated})
    return result


@service
def import_users(*, actor, data: bytes, ip: str = "") -> ImportResult:
    """Create the logins listed in the 用户 sheet (existing accounts are left alone and counted as
    unchanged: roles change only through the security administrator)."""
    require(actor, User, "create")
    region = actor.region
    rows, report = _read(data, USER_COLUMNS, USER_SHEET)
    agencies = {a.code: a for a in Agency.objects.for_user(actor, "view")}
    sections = {s.code: s for s in FinanceSection.objects.for_user(actor, "view")}
    ours = {u.lower() for u in User.objects.for_user(actor, "view").values_list("username", flat=True)}
    taken = {u.lower() for u in User.objects.values_list("username", flat=True)}
    seen: dict[str, int] = {}
    to_create = []
    for row in rows:
        v = row.values
        key = v["username"].lower()
        if key in seen:
            report.add(row.sheet, row.number, row.letters["username"], f"账号 {v['username']} 在文件中重复（另见第 {seen[key]} 行）", "账号")
        seen[key] = row.number
        if key in ours:
            continue
        if key in taken:
            # Another county's login: counting it "unchanged" would tell the importer it exists here, and
            # naming the other county would tell where (issue #11): the message says only that it is taken.
            report.add(row.sheet, row.number, row.letters["username"], f"账号 {v['username']} 已被使用，请换一个", "账号")
            continue
        if not v.get("password"):
            report.add(row.sheet, row.number, row.letters.get("password"), "新账号必须填写初始密码", "初始密码")
        agency = agencies.get(v["agency"]) if v.get("agency") else None
        if v.get("agency") and agency is None:
            report.add(row.sheet, row.number, row.letters.get("agency"), f"单位代码 {v['agency']} 在本区划不存在", "单位代码")
        section = sections.get(v["finance_section"]) if v.get("finance_section") else None
        if v.get("finance_section") and section is None:
            report.add(row.sheet, row.number, row.letters.get("finance_section"), f"股室代码 {v['finance_section']} 在本区划不存在", "股室代码")
        to_create.append((row, agency, section))
    if not rows and report.ok:
        report.add(USER_SHEET, None, None, "文件中没有数据行")
    if not report.ok:
        raise ImportFailed(report)
    result = ImportResult(unchanged=sum(1 for row in rows if row.values["username"].lower() in ours))
    for row, agency, section in to_create:
        v = row.values
        try:
            services.create_user(actor=actor, region=region, username=v["username"], display_name=v["display_name"],
                                 role=v["role"], password=v["password"], agency=agency, finance_section=section,
                                 phone=v.get("phone") or "")
        except ValidationFailed as exc:
            _report_service_errors(report, row, exc, USER_COLUMNS)
            continue
        result.created += 1
    if not report.ok:
        raise ImportFailed(report)  # rolls back the users created above: nothing is half-written
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, ip=ip, detail={"what": "users", "created": result.created})
    return result
