"""One sheet row layout (``targets.layout``) for every path that creates sheets: ``create_sheet``
and the Excel import write the same columns for the same object, the layout names only real
columns, and every sheet path gets a new column's default from one place."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from jixiao.targets import layout, services
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import make_project
from jixiao.targets.tests.test_imports import good_rows, run, workbook

pytestmark = pytest.mark.django_db

#: What differs between two sheets of two projects written at two moments by two paths.
PER_OBJECT = {"id", "project", "title", "created_at", "updated_at", "version", "error_count", "warning_count",
              "annual_goal"}


def _row(sheet: TargetSheet) -> dict:
    return {k: v for k, v in model_to_dict(sheet, fields=[f.name for f in TargetSheet._meta.concrete_fields]).items()
            if k not in PER_OBJECT}


def test_the_import_and_create_sheet_write_the_same_sheet_row(world):
    typed, imported = make_project(world), make_project(world, code="XM2026101001002", name="校舍维修项目")
    by_hand = services.create_sheet(actor=world.user("perf_section"), year=2026, project=typed, annual_goal="目标")
    rows = [{**row, "名称": imported.name} for row in good_rows(code=imported.code)]  # the file names its project
    run(world, workbook(*rows))  # as the performance section
    by_file = TargetSheet.objects.get(project=imported)
    assert by_file.title == "校舍维修项目2026年度绩效目标" and by_hand.title == "教学楼抗震加固改造项目2026年度绩效目标"
    by_hand.refresh_from_db()
    assert _row(by_file) == _row(by_hand)
    assert by_hand.amount == by_hand.fiscal_amount == typed.requested_amount and by_hand.created_by_id is not None


def test_the_layout_names_real_columns_only():
    columns = {f.attname for f in TargetSheet._meta.concrete_fields}
    assert set(layout.SHEET_DEFAULTS) <= columns
    row = layout.sheet_row(region_id=1, agency_id=2, project_id=None, kind="agency", year=2026, taxonomy="2021",
                           title="x" * 300, amount=layout.ZERO)
    assert set(row) <= columns and len(row["title"]) == 255 and row["status"] == "draft" and row["number"] == 1
    with pytest.raises(ValueError, match="unknown columns"):
        layout.sheet_row(region_id=1, agency_id=2, project_id=None, kind="agency", year=2026, taxonomy="2021",
                         title="x", colour="red")
