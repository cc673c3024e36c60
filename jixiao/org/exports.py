"""Excel export of agencies and users in the same layout the import reads (round trip)."""

from jixiao.core.excel import SheetData, write_styled
from jixiao.org.imports import AGENCY_COLUMNS, AGENCY_SHEET, USER_COLUMNS, USER_SHEET


def agencies_workbook(agencies, *, region_name: str) -> bytes:
    rows = (
        {
            "code": a.code, "name": a.name, "kind": a.get_kind_display(),
            "parent": a.parent.code if a.parent_id else "", "sector": a.sector.name if a.sector_id else "",
            "active": "是" if a.active else "否",
        }
        for a in agencies
    )
    return write_styled([SheetData(AGENCY_SHEET, AGENCY_COLUMNS, rows, caption=f"{region_name}预算单位名录")])


def users_workbook(users, *, region_name: str) -> bytes:
    columns = [c for c in USER_COLUMNS if c.key != "password"]
    rows = (
        {
            "username": u.username, "display_name": u.display_name, "role": u.get_role_display(),
            "agency": u.agency.code if u.agency_id else "",
            "finance_section": u.finance_section.code if u.finance_section_id else "", "phone": u.phone,
        }
        for u in users
    )
    return write_styled([SheetData(USER_SHEET, columns, rows, caption=f"{region_name}用户名单")])
