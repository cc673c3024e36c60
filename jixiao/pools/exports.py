"""Excel export of experts and firms in the layout the import reads (round trip). Contact details
are written only for the performance section."""

from jixiao.core.excel import SheetData, write_styled
from jixiao.pools.imports import EXPERT_COLUMNS, EXPERT_SHEET, FIRM_COLUMNS, FIRM_SHEET


def experts_workbook(experts, *, region_name: str, with_contact: bool) -> bytes:
    columns = [c for c in EXPERT_COLUMNS if with_contact or c.key not in ("phone", "email")]
    rows = (
        {
            "name": e.name, "organisation": e.organisation, "title": e.title,
            "fields": "、".join(s.name for s in e.fields.all()), "qualification": e.qualification,
            "status": e.get_status_display(), "agency": e.agency.code if e.agency_id else "",
            "firm": e.firm.credit_code if e.firm_id else "", "phone": e.phone, "email": e.email,
        }
        for e in experts
    )
    return write_styled([SheetData(EXPERT_SHEET, columns, rows, caption=f"{region_name}评审专家库")])


def firms_workbook(firms, *, region_name: str) -> bytes:
    rows = (
        {"name": f.name, "kind": f.get_kind_display(), "credit_code": f.credit_code,
         "qualifications": f.qualifications, "status": f.get_status_display()}
        for f in firms
    )
    return write_styled([SheetData(FIRM_SHEET, FIRM_COLUMNS, rows, caption=f"{region_name}第三方机构库")])
