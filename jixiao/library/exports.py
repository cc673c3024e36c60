"""Excel export of the library in the layout the import reads (round trip)."""

from jixiao.core.excel import SheetData, write_fast
from jixiao.library.choices import Operator
from jixiao.library.imports import COLUMNS, NATIONAL, REGIONAL, SHEET


def _operator(t) -> str:
    # A cell holding "=" alone is read by Excel (and both writers) as a formula; the full-width ＝
    # is how many bureaus write it anyway, and the import reads both.
    return "＝" if t.operator == Operator.EQ else t.get_operator_display()


def templates_workbook(templates) -> bytes:
    rows = (
        {
            "name": t.name, "level1": t.get_level1_display(), "level2": t.get_level2_display(),
            "operator": _operator(t), "typical_value": t.typical_value, "unit": t.unit,
            "value_basis": t.get_value_basis_display(), "sector": t.sector.name if t.sector_id else "",
            "kind": t.get_kind_display(), "serves": t.get_serves_display(), "scoring_standard": t.scoring_standard,
            "explanation": t.explanation, "keywords": t.keywords, "active": "是" if t.active else "否",
            "source": NATIONAL if t.region_id is None else REGIONAL,
        }
        for t in templates
    )
    return write_fast(SheetData(SHEET, COLUMNS, rows))
