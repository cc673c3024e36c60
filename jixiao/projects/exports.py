"""Excel export of project lists in the layout the import reads (round trip), amounts in 万元."""

from jixiao.core.excel import SheetData, write_fast
from jixiao.projects.imports import EXPORT_COLUMNS, SHEET


def project_row(p) -> dict:
    return {
        "code": p.code, "name": p.name, "kind": p.get_kind_display(), "agency": p.agency.code,
        "sector": p.sector.name, "budget_book": p.get_budget_book_display(), "function_code": p.function_code,
        "fund_sources": "、".join(p.fund_source_labels), "requested_amount": p.requested_amount,
        "budget_amount": p.budget_amount, "is_new": "新增" if p.is_new else "延续",
        "is_major": "是" if p.is_major else "否", "tags": "、".join(p.tag_labels), "year": p.year,
        "start_year": p.start_year, "end_year": p.end_year, "description": p.description,
        "stage": p.get_stage_display(),
    }


def projects_workbook(projects) -> bytes:
    """A plain, fast sheet (xlsxwriter): a county's list runs to thousands of rows."""
    return write_fast(SheetData(SHEET, EXPORT_COLUMNS, (project_row(p) for p in projects)))
