"""Benchmark: a county's target sheets exported in the official layouts (issue #10; F5).

    python bench/bench_official_export.py       # one county: ~600 sheets of 10 indicators

Builds a fresh SQLite database in a temporary directory (migrate, ``build_province`` with one
synthetic county, its projects, its sheets imported from the flat workbook through
``targets.imports.import_sheets``), then times ``targets.exports.official_workbook`` over the
county's sheets — reads, layout, heights, styled streaming write — and counts its queries. The floor
is the same cells (the grids ``official_layouts`` produced, laid out beforehand) written with the
same library the rawest way: xlsxwriter in constant-memory mode, values only — no formats, merges,
row heights or print setup, no database. ``floor_ratio`` = export seconds ÷ floor seconds.
The scale is a county whatever ``BENCH_SCALE`` says: the export is a county's."""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: ≤ 6 × the raw write of the same cells, and a constant number of queries (four per 500 sheets, one count)
GOAL = {"floor_ratio": 6, "queries": 10}


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="bench-export-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    os.environ["JIXIAO_DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    import target_data
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jixiao.core.actors import SYSTEM
    from jixiao.targets import exports
    from jixiao.targets.imports import import_sheets
    from jixiao.targets.models import TargetSheet

    call_command("migrate", verbosity=0, interactive=False)
    manifest = target_data.build(workdir, counties=1)
    county = manifest["files"][0]
    import_sheets(actor=SYSTEM, region=county["region"], year=manifest["year"],
                  data=Path(county["path"]).read_bytes(), name="county.xlsx")
    sheets = TargetSheet.objects.filter(region_id=county["region"]).order_by("agency__code", "kind", "project__code")
    count = sheets.count()

    out = workdir / "official.xlsx"
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        exports.official_workbook(sheets, target=str(out))
    seconds = time.perf_counter() - started
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    grids = list(exports.official_layouts(sheets))
    cells = sum(len(g.cells) for g in grids)
    floor_seconds = _floor(grids)
    ratio = round(seconds / floor_seconds, 2)
    result = {
        "name": "official_export", "scale": "county", "db": "sqlite", "seconds": round(seconds, 2),
        "rows_per_s": round(count / seconds), "peak_rss_mb": peak, "floor_seconds": round(floor_seconds, 2),
        "floor_ratio": ratio, "goal": GOAL, "sheets": count, "cells": cells, "queries": len(queries),
        "bytes": out.stat().st_size,
        "ok": ratio <= GOAL["floor_ratio"] and len(queries) <= GOAL["queries"],
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if not os.environ.get("BENCH_KEEP"):
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _floor(grids) -> float:
    import xlsxwriter

    started = time.perf_counter()
    wb = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True, "in_memory": False})
    for n, g in enumerate(grids):
        ws = wb.add_worksheet(f"s{n}")
        for (r, c), (value, _) in sorted(g.cells.items()):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None:
                ws.write_number(r, c, value)
    wb.close()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
