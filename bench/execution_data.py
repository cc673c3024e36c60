"""Data for the execution-import benchmark (``bench_execution_import.py``): a fresh database with the
persona county (``org.personas.build_world``), ``projects`` projects in it (bulk-created across its
agencies), and one treasury payment export of the whole year written with xlsxwriter in constant-
memory mode: one row per project and month (单位代码, 项目编码, 月份, 资金性质, 实际支付金额 in yuan with
cents), plus each agency's whole budget (部门整体支出: 单位代码 without 项目编码), one sheet per month
(a province's year is more rows than one sheet holds). About 1 in 5 project-months are paid from 上级转移支付.

Called inside a Django process pointed at the bench database."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

HEADERS = ["单位代码", "项目编码", "月份", "资金性质", "实际支付金额"]
YEAR = 2026


def build(workdir: Path, *, projects: int, seed: int = 1) -> dict:
    import xlsxwriter
    from django.db import transaction

    from jixiao.org.models import Agency, Region, Sector
    from jixiao.org.personas import build_world
    from jixiao.projects.models import Project

    build_world(year=YEAR)
    home = Region.objects.get(code="370724")
    agencies = list(Agency.objects.filter(region=home).order_by("code").values_list("pk", "code"))
    sector = Sector.objects.get(code="education")
    rng = random.Random(seed)
    codes = []
    batch = []
    for n in range(projects):
        pk, agency_code = agencies[n % len(agencies)]
        code = f"XM{YEAR}{n:07d}"
        codes.append((agency_code, code))
        batch.append(Project(
            region_id=home.pk, agency_id=pk, code=code, name=f"基准项目{n}", sector=sector,
            budget_book="general_public", function_code="2050204", fund_sources=["own"],
            requested_amount=Decimal(rng.randrange(10_000, 5_000_000)), budget_amount=Decimal(1_000_000),
            year=YEAR, start_year=YEAR, end_year=YEAR, stage="executing"))
    with transaction.atomic():
        Project.objects.bulk_create(batch, batch_size=5000)

    path = workdir / "execution.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    rows = 0
    for month in range(1, 13):
        ws = wb.add_worksheet(f"{month}月")
        for i, h in enumerate(HEADERS):
            ws.write_string(0, i, h)
        r = 0
        for agency_code, code in codes:
            r += 1
            ws.write_string(r, 0, agency_code)
            ws.write_string(r, 1, code)
            ws.write_number(r, 2, month)
            ws.write_string(r, 3, "上级转移支付" if rng.random() < 0.2 else "本级")
            ws.write_number(r, 4, rng.randrange(100, 50_000_000) / 100)
        for _pk, agency_code in agencies:
            r += 1
            ws.write_string(r, 0, agency_code)
            ws.write_number(r, 2, month)
            ws.write_string(r, 3, "本级")
            ws.write_number(r, 4, rng.randrange(100, 50_000_000) / 100)
        rows += r
    wb.close()
    manifest = {"year": YEAR, "region": home.pk, "path": str(path), "rows": rows, "projects": projects,
                "agencies": len(agencies), "file_mb": round(path.stat().st_size / 1024 / 1024, 1)}
    (workdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return manifest
