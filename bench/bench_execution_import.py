"""Benchmark: import a whole region's year of budget execution data from the treasury payment export
(issue #13, F13 "Scale").

    python bench/bench_execution_import.py                     # ~110,000 projects × 12 months ≈ 1.3 million rows
    BENCH_SCALE=county python bench/bench_execution_import.py     # a quick run (5,000 projects, ~60,000 rows)
    BENCH_PROJECTS=20000 python bench/bench_execution_import.py   # any size
    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/jx_bench python bench/bench_execution_import.py

Prints one JSON line per database: SQLite always, and PostgreSQL too when ``BENCH_DATABASE_URL`` points
at one (its database name is a prefix: ``<name>_built``, ``<name>_floor`` and ``<name>_import`` are
created and dropped; the role needs CREATEDB). Per database three child processes (the helpers of
``bench_target_import``), so each phase's peak memory is its own:

``build`` — a fresh database (SQLite: a file in a temporary directory), migrate, the persona county with
``BENCH_PROJECTS`` projects, and one .xlsx of the year (``execution_data``: one sheet per month, one row
per project-month plus each agency's whole budget).

``floor`` — a copy of that database: the same file read with calamine (every sheet, every row) and the
same rows inserted the rawest way into the execution table — the code looked up in one dict, SQLite one
plain ``executemany``, PostgreSQL one ``COPY`` (its foreign keys dropped first) —, no validation, no
summing, nothing else. What any loader must at least do.

``import`` — another copy: ``monitoring.imports.import_execution`` as the command line calls it (actor
SYSTEM): the upload checks, the contained child reader, every cell parsed and checked, payments summed,
the months replaced (``services.replace_months`` through ``core.bulk``), the audit event. Then the same
file again (``reimport_seconds``: nothing changes, nothing is written).

``floor_ratio`` = import seconds ÷ floor seconds, measured in the same run (the machine's CPU is shared:
compare ratios, not seconds, between runs). Goal: ≤ 5. ``reader_peak_mb`` is the contained reader's
child (RUSAGE_CHILDREN). The import runs with ``JIXIAO_IMPORT_MAX_MB`` (the file's size),
``JIXIAO_IMPORT_MEMORY_MB`` and ``JIXIAO_IMPORT_SECONDS`` raised as a province's server would set them
(the county defaults refuse a province's file). BENCH_PROFILE=<file> writes the import's cProfile
stats; BENCH_KEEP=1 keeps the data; BENCH_DIR=<it> reruns floor and import on it."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_target_import as common  # noqa: E402  (the shared helpers: _django, _pg*, _child, _copies, _drop)

GOAL = {"floor_ratio": 5}
#: projects per scale (× 12 months, plus the agencies' whole budgets): a province's year, or a quick run
SCALES = {"province": 110_000, "county": 5_000}
#: the server settings a province's import runs with (the county defaults: 20 MB, 1024 MB, 120 s)
SERVER = {"JIXIAO_IMPORT_MAX_MB": "400", "JIXIAO_IMPORT_MEMORY_MB": "4096", "JIXIAO_IMPORT_SECONDS": "1800"}


def _children_peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def phase_build(workdir: Path, projects: int, url: str) -> dict:
    common._django(url)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    import execution_data

    manifest = execution_data.build(workdir, projects=projects)
    from django.db import connection

    connection.close()
    return {**manifest, "seconds": round(time.perf_counter() - started, 1)}


def _floor_rows(manifest: dict, ids: dict, agencies: dict):
    """Every row of every sheet read with calamine, as the execution table's row tuples."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(manifest["path"])
    region, year = manifest["region"], manifest["year"]
    sources = {"本级": "own", "上级转移支付": "higher_transfer"}
    out = []
    for name in wb.sheet_names:
        it = iter(wb.get_sheet_by_name(name).iter_rows())
        next(it)
        for agency, code, month, source, amount in it:
            project, agency_id = ids[code] if code else (None, agencies[agency])
            out.append((region, agency_id, project, year, int(month), sources[source], round(amount, 2)))
    return out


def phase_floor(workdir: Path, url: str) -> dict:
    manifest = json.loads((workdir / "manifest.json").read_text())
    columns = "region_id, agency_id, project_id, year, month, fund_source, amount, entry, version, updated_at"
    if url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
    else:
        import psycopg

        db = psycopg.connect(url)
        for (name,) in db.execute("SELECT conname FROM pg_constraint WHERE conrelid = "
                                  "'monitoring_monthlyexecution'::regclass AND contype = 'f'").fetchall():
            db.execute(f'ALTER TABLE monitoring_monthlyexecution DROP CONSTRAINT "{name}"')
        db.commit()
    ids = {code: (pk, agency) for code, pk, agency in db.execute(
        "SELECT code, id, agency_id FROM projects_project WHERE region_id = %s".replace(
            "%s", "?" if url.startswith("sqlite") else "%s"), (manifest["region"],)).fetchall()}
    agencies = dict(db.execute("SELECT code, id FROM org_agency WHERE region_id = %s".replace(
        "%s", "?" if url.startswith("sqlite") else "%s"), (manifest["region"],)).fetchall())
    started = time.perf_counter()
    rows = _floor_rows(manifest, ids, agencies)
    read = time.perf_counter() - started
    now = "2026-12-01 00:00:00+00:00"
    if url.startswith("sqlite"):
        db.executemany(f"INSERT INTO monitoring_monthlyexecution ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, 'imported', 1, ?)",
                       [(*r[:6], str(r[6]), now) for r in rows])
        db.commit()
    else:
        with db.cursor() as cursor, cursor.copy(f"COPY monitoring_monthlyexecution ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r, "imported", 1, now))
        db.commit()
    seconds = time.perf_counter() - started
    db.close()
    return {"seconds": seconds, "read_seconds": read, "rows": len(rows), "peak_rss_mb": common._peak_mb()}


def phase_import(workdir: Path, url: str) -> dict:
    os.environ.update(SERVER)
    common._django(url)
    from django.db import connection

    from jixiao.core.actors import SYSTEM
    from jixiao.monitoring.imports import import_execution
    from jixiao.org.models import Region

    manifest = json.loads((workdir / "manifest.json").read_text())
    region = Region.objects.get(pk=manifest["region"])
    data = Path(manifest["path"]).read_bytes()
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    result = import_execution(actor=SYSTEM, region=region, year=manifest["year"], data=data, filename="execution.xlsx")
    seconds = time.perf_counter() - started
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    peak = common._peak_mb()
    started = time.perf_counter()
    again = import_execution(actor=SYSTEM, region=region, year=manifest["year"], data=data, filename="execution.xlsx")
    reimport = time.perf_counter() - started
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM monitoring_monthlyexecution")
        stored = c.fetchone()[0]
    return {"seconds": seconds, "rows": result.read, "created": result.created, "stored": stored,
            "reimport_seconds": reimport, "reimport_unchanged": again.unchanged, "reimport_written": again.created
            + again.updated + again.deleted, "peak_rss_mb": peak, "reader_peak_mb": _children_peak_mb()}


def run(db: str, projects: int, workdir: Path, reuse: bool) -> dict:
    label = "sqlite" if db == "sqlite" else "postgresql"
    script = __file__
    if reuse:
        built = json.loads((workdir / "built.json").read_text())
    else:
        if db == "sqlite":
            built = common._child("build", workdir, projects, common._db_url(db, workdir, "bench"), script=script)
            (workdir / "bench.sqlite3").rename(workdir / "built.sqlite3")
        else:
            base = common._pg_base(db)
            common._pg_admin(db, f'DROP DATABASE IF EXISTS "{base}_built"', f'CREATE DATABASE "{base}_built"')
            built = common._child("build", workdir, projects, common._db_url(db, workdir, "built"), script=script)
        (workdir / "built.json").write_text(json.dumps(built))
    common._copies(db, workdir)
    floor = common._child("floor", workdir, common._db_url(db, workdir, "floor"), script=script)
    result = common._child("import", workdir, common._db_url(db, workdir, "import"), script=script)
    ratio = result["seconds"] / floor["seconds"]
    ok = (ratio <= GOAL["floor_ratio"] and result["rows"] == floor["rows"] == built["rows"]
          and result["stored"] == result["created"] == built["rows"] and result["reimport_written"] == 0)
    return {
        "name": "execution_import", "db": label, "rows": result["rows"], "projects": built["projects"],
        "file_mb": built["file_mb"], "seconds": round(result["seconds"], 2),
        "rows_per_s": round(result["rows"] / result["seconds"]), "peak_rss_mb": result["peak_rss_mb"],
        "reader_peak_mb": result["reader_peak_mb"], "floor_seconds": round(floor["seconds"], 2),
        "floor_read_seconds": round(floor["read_seconds"], 2), "floor_ratio": round(ratio, 2),
        "reimport_seconds": round(result["reimport_seconds"], 2), "goal": f"floor_ratio ≤ {GOAL['floor_ratio']}",
        "ok": ok, "build_seconds": built["seconds"],
    }


def main() -> int:
    scale = os.environ.get("BENCH_SCALE", "province")
    projects = int(os.environ.get("BENCH_PROJECTS", SCALES.get(scale, SCALES["province"])))
    return common.run_each("jixiao-bench-execution-", lambda db, workdir, reuse: run(db, projects, workdir, reuse))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase, workdir = sys.argv[2], Path(sys.argv[3])
        if phase == "build":
            print(json.dumps(phase_build(workdir, int(sys.argv[4]), sys.argv[5])))
        elif phase == "floor":
            print(json.dumps(phase_floor(workdir, sys.argv[4])))
        else:
            print(json.dumps(phase_import(workdir, sys.argv[4])))
        sys.exit(0)
    sys.exit(main())
