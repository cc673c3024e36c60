"""Excel export of the library in the layout the import reads (round trip)."""

from jixiao.core.excel import SheetData, write_fast
from jixiao.library.imports import COLUMNS, NATIONAL, REGIONAL, SHEET


def templates_workbook(templates) -> bytes:
    rows = (
        {
            "name": t.name, "level1": t.get_level1_display(), "level2": t.get_level2_display(),
            "operator": t.get_operator_display(), "typical_value": t.typical_value, "unit": t.unit,
            "value_basis": t.get_value_basis_display(), "sector": t.sector.name if t.sector_id else "",
            "kind": t.get_kind_display(), "serves": t.get_serves_display(), "scoring_standard": t.scoring_standard,
            "explanation": t.explanation, "keywords": t.keywords, "active": "是" if t.active else "否",
            "source": NATIONAL if t.region_id is None else REGIONAL,
        }
        for t in templates
    )
    return write_fast(SheetData(SHEET, COLUMNS, rows))
