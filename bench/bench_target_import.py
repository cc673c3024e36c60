"""Benchmark: import the province's target sheets from Excel (issue #4, F5).

    python bench/bench_target_import.py            # province: ~110,000 sheets, ~1.1 million indicator rows
    BENCH_SCALE=county python bench/bench_target_import.py   # a quick run (3 counties)

Prints one JSON line (architecture.md "Benchmarks"). Three child processes, so each phase's peak
memory is its own: ``build`` (a fresh SQLite database in a temporary directory — never the dev
database —, migrate, ``build_province``, the projects, one flat workbook per county), ``floor`` (a
copy of that database: the same rows read with calamine and inserted with a plain ``executemany``
into the indicator table, no validation, nothing else), and ``import`` (``targets.imports.import_sheets``
per county file, as the command line: full validation, sheets, reviews, indicators, quality
findings, audit). ``floor_ratio`` = import seconds ÷ floor seconds. BENCH_KEEP=1 keeps the directory; BENCH_DIR=<it>
reruns floor and import on the data already built there (each from a fresh copy of the database)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = {"rows_per_s": 25_000, "peak_rss_mb": 1024, "floor_ratio": 5}
COUNTIES = {"province": 180, "county": 3}


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _django(db: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    os.environ["JIXIAO_DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


def phase_build(workdir: Path, counties: int) -> dict:
    _django(workdir / "bench.sqlite3")
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    import target_data

    manifest = target_data.build(workdir, counties=counties)
    from django.db import connection

    connection.close()
    return {**{k: v for k, v in manifest.items() if k != "files"}, "seconds": round(time.perf_counter() - started, 1)}


def phase_floor(workdir: Path) -> dict:
    """The same rows, read with calamine, into the indicator table by one plain executemany per file
    (what any loader must at least do): no lookups, no checks, no other table."""
    import sqlite3

    from python_calamine import CalamineWorkbook

    manifest = json.loads((workdir / "manifest.json").read_text())
    db = sqlite3.connect(workdir / "floor.sqlite3")
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
    sql = ("INSERT INTO targets_targetindicator (region_id, sheet_id, position, level1, level2, name, operator, value, "
           "number, unit, weight, scoring_standard, explanation, value_basis, template_id) "
           "VALUES (?, ?, ?, ?, ?, ?, '', ?, NULL, '', ?, '', '', 'plan', NULL)")
    started = time.perf_counter()
    rows = 0
    sheet_id = 10_000_000
    for f in manifest["files"]:
        sheet = CalamineWorkbook.from_path(f["path"]).get_sheet_by_name("绩效指标")
        it = iter(sheet.iter_rows())
        next(it)
        batch = []
        last = None
        position = 0
        for r in it:
            key = (r[1], r[2])
            if key != last:
                sheet_id += 1
                last, position = key, 0
            position += 1
            batch.append((f["region"], sheet_id, position, r[7], r[8], r[9], r[10], r[11]))
        db.executemany(sql, batch)
        db.commit()
        rows += len(batch)
    seconds = time.perf_counter() - started
    db.close()
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _peak_mb()}


def phase_import(workdir: Path) -> dict:
    _django(workdir / "import.sqlite3")
    from jixiao.targets.imports import import_sheets

    manifest = json.loads((workdir / "manifest.json").read_text())
    files = manifest["files"][:int(os.environ.get("BENCH_FILES", 0)) or None]  # a slice, for profiling
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    from django.db import connection

    def stored_rows() -> int:
        with connection.cursor() as c:
            c.execute("SELECT COUNT(*) FROM targets_targetindicator")
            return c.fetchone()[0]

    before = stored_rows()  # the demo county's own sheets, if the demo builds any
    # a running server has its URLconf (and the API schemas it imports) loaded: not part of an import
    from django.urls import reverse

    reverse("targets:sheet_detail", args=[1])
    started = time.perf_counter()
    rows = sheets = 0
    for f in files:
        data = Path(f["path"]).read_bytes()
        summary = import_sheets(actor=None, region=f["region"], year=manifest["year"], data=data,
                                name=Path(f["path"]).name)
        rows += summary["indicators"]
        sheets += summary["created"]
    seconds = time.perf_counter() - started
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    stored = stored_rows() - before
    return {"seconds": seconds, "rows": rows, "sheets": sheets, "stored": stored, "peak_rss_mb": _peak_mb()}


def _child(phase: str, workdir: Path, *extra) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, str(workdir), *map(str, extra)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    scale = os.environ.get("BENCH_SCALE", "province")
    counties = int(os.environ.get("BENCH_COUNTIES", COUNTIES.get(scale, 180)))
    reuse = os.environ.get("BENCH_DIR")  # a directory a BENCH_KEEP=1 run left: skip the build
    workdir = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="jixiao-bench-targets-"))
    try:
        if reuse:
            built = json.loads((workdir / "built.json").read_text())
        else:
            built = _child("build", workdir, counties)
            (workdir / "bench.sqlite3").rename(workdir / "built.sqlite3")
            (workdir / "built.json").write_text(json.dumps(built))
        for name in ("floor", "import"):
            for suffix in ("-wal", "-shm"):
                (workdir / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
            shutil.copyfile(workdir / "built.sqlite3", workdir / f"{name}.sqlite3")
        floor = _child("floor", workdir)
        result = _child("import", workdir)
    except subprocess.CalledProcessError as e:
        sys.stderr.write(e.stderr or "")
        raise
    finally:
        if not os.environ.get("BENCH_KEEP") and not reuse:
            shutil.rmtree(workdir, ignore_errors=True)
    rows_per_s = result["rows"] / result["seconds"]
    ratio = result["seconds"] / floor["seconds"]
    ok = (rows_per_s >= GOAL["rows_per_s"] and result["peak_rss_mb"] < GOAL["peak_rss_mb"]
          and ratio < GOAL["floor_ratio"] and result["stored"] == result["rows"] == built["rows"])
    print(json.dumps({
        "name": "target_import", "scale": scale, "db": "sqlite", "seconds": round(result["seconds"], 2),
        "rows_per_s": round(rows_per_s), "peak_rss_mb": result["peak_rss_mb"],
        "floor_seconds": round(floor["seconds"], 2), "floor_ratio": round(ratio, 2),
        "goal": f"≥{GOAL['rows_per_s']} rows/s, peak < {GOAL['peak_rss_mb']} MB, floor_ratio < {GOAL['floor_ratio']}",
        "ok": ok, "rows": result["rows"], "sheets": result["sheets"], "counties": built["counties"],
        "build_seconds": built["seconds"],
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase, workdir = sys.argv[2], Path(sys.argv[3])
        if phase == "build":
            print(json.dumps(phase_build(workdir, int(sys.argv[4]))))
        elif phase == "floor":
            print(json.dumps(phase_floor(workdir)))
        else:
            print(json.dumps(phase_import(workdir)))
        sys.exit(0)
    sys.exit(main())
