"""The rows of a target sheet as the database stores them — one layout for every path that creates
sheets: ``services.create_sheet`` (one sheet through the ORM), the Excel import (``import_write``,
thousands set-based through ``core.bulk``) and the demo builder (``demo._write_bulk``). A new
column's default for a new sheet is written here once, not three times.

Plain dicts and tuples keyed by attname (``agency_id``, not ``agency``), so the same row feeds
``TargetSheet(**row)`` and a ``core.bulk.Insert``. No ORM writes here."""

from __future__ import annotations

from decimal import Decimal

from jixiao.targets.choices import SheetStatus, TargetKind

ZERO = Decimal("0.00")

#: A new (declared, draft) sheet's columns beyond its object, year, taxonomy and title.
SHEET_DEFAULTS = {
    "status": SheetStatus.DRAFT, "number": 1, "previous_id": None,
    "medium_goal": "", "annual_goal": "", "adjustment_reason": "",
    "medium_amount": ZERO, "medium_fiscal": ZERO, "medium_other": ZERO,
    "amount": ZERO, "fiscal_amount": ZERO, "other_amount": ZERO,
    "include_expert_panel": False, "expert_draw_id": None,
    "error_count": 0, "warning_count": 0, "return_count": 0,
    "submitted_at": None, "approved_at": None, "published": False, "published_at": None, "redacted": False,
    "created_by_id": None, "version": 1,
}


def sheet_title(kind: str, year: int, *, project_name: str = "", agency_name: str = "") -> str:
    """The title a sheet carries: 「<project>2026年度绩效目标」 or 「<agency>2026年度部门整体支出绩效目标」."""
    if kind == TargetKind.AGENCY:
        return f"{agency_name}{year}年度部门整体支出绩效目标"[:255]
    return f"{project_name}{year}年度绩效目标"[:255]


def sheet_row(*, region_id: int, agency_id: int, project_id: int | None, kind: str, year: int, taxonomy: str,
              title: str, **columns) -> dict:
    """Every column of a new sheet (but ``created_at``/``updated_at``, which the writer sets): the given
    ``columns`` over :data:`SHEET_DEFAULTS`. ``created_by_id`` is the writer's user id (None: 系统)."""
    unknown = set(columns) - set(SHEET_DEFAULTS) - {"id"}
    if unknown:
        raise ValueError(f"sheet_row: unknown columns {sorted(unknown)}")
    return {**SHEET_DEFAULTS, "region_id": region_id, "agency_id": agency_id, "project_id": project_id,
            "kind": kind, "year": year, "taxonomy": taxonomy, "title": title[:255], **columns}


#: An indicator row's columns, in the order of :func:`indicator_tuples`.
INDICATOR_COLUMNS = ["region", "sheet", "position", "level1", "level2", "name", "operator", "value", "number", "unit",
                     "weight", "scoring_standard", "explanation", "value_basis", "template"]
FINDING_COLUMNS = ["region", "sheet", "code", "severity", "row", "message"]
TASK_COLUMNS = ["region", "sheet", "position", "name", "content", "amount", "fiscal_amount", "other_amount"]


def indicator_tuples(region_id: int, sheet_id: int, indicators: list[dict]) -> list[tuple]:
    """A sheet's indicators (dicts of the indicator fields, ``number`` the numeric reading or None,
    ``template`` a template id or absent) as rows of :data:`INDICATOR_COLUMNS`, numbered from 1."""
    return [(region_id, sheet_id, pos, i["level1"], i["level2"], i["name"], i["operator"], i["value"], i["number"],
             i["unit"], i["weight"], i["scoring_standard"], i["explanation"], i["value_basis"], i.get("template"))
            for pos, i in enumerate(indicators, start=1)]


def finding_tuples(region_id: int, sheet_id: int, findings) -> list[tuple]:
    """A sheet's quality-check findings (``rules.Finding``) as rows of :data:`FINDING_COLUMNS`."""
    return [(region_id, sheet_id, f.code, f.severity, f.row, f.message[:255]) for f in findings]


def task_tuples(region_id: int, sheet_id: int, tasks: list[dict]) -> list[tuple]:
    """An agency sheet's main tasks as rows of :data:`TASK_COLUMNS`, numbered from 1."""
    return [(region_id, sheet_id, n, t["name"], t.get("content", ""), t.get("amount", ZERO),
             t.get("fiscal_amount", ZERO), t.get("other_amount", ZERO)) for n, t in enumerate(tasks, start=1)]
