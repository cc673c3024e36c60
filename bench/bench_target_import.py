"""Benchmark: import the province's target sheets from Excel (issues #4, #12; F5).

    python bench/bench_target_import.py            # province: ~110,000 sheets, ~1.1 million indicator rows
    BENCH_SCALE=county python bench/bench_target_import.py   # a quick run (3 counties)
    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/jx_bench python bench/bench_target_import.py

Prints one JSON line per database (architecture.md "Benchmarks"): SQLite always, and PostgreSQL
too when ``BENCH_DATABASE_URL`` points at one (its database name is a prefix: the benchmark creates
and drops ``<name>_built``, ``<name>_floor`` and ``<name>_import``; the role needs CREATEDB).
Per database three child processes, so each phase's peak memory is its own: ``build`` (a fresh
database — on SQLite a file in a temporary directory, never the dev database —, migrate,
``build_province``, the projects, one flat workbook per county), ``floor`` (a copy of that database:
the same rows read with calamine and inserted the rawest way into the indicator table — SQLite one
plain ``executemany`` per file, PostgreSQL one ``COPY`` per file with the table's foreign keys
dropped —, no validation, nothing else), and ``import`` (another copy: ``targets.imports.import_sheets``
per county file, as the command line: full validation, sheets, reviews, indicators, quality
findings, audit). ``floor_ratio`` = import seconds ÷ floor seconds. BENCH_KEEP=1 keeps the
directory (and the PostgreSQL ``_built`` database); BENCH_DIR=<it> reruns floor and import on the
data already built there (each from a fresh copy of the database)."""

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


def _django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    os.environ["JIXIAO_DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


def _pg(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_base(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/")


def _pg_admin(url: str, *statements: str) -> None:
    """Run statements in autocommit on the server's ``postgres`` database (create/drop databases)."""
    import psycopg

    with psycopg.connect(_pg(url, "postgres"), autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def _db_url(db: str, workdir: Path, name: str) -> str:
    """The URL of the ``name`` copy (built, floor, import) for ``db`` ("sqlite" or a postgres URL)."""
    if db == "sqlite":
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    return _pg(db, f"{_pg_base(db)}_{name}")


def phase_build(workdir: Path, counties: int, url: str) -> dict:
    _django(url)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    import target_data

    manifest = target_data.build(workdir, counties=counties)
    from django.db import connection

    connection.close()
    return {**{k: v for k, v in manifest.items() if k != "files"}, "seconds": round(time.perf_counter() - started, 1)}


def _floor_rows(manifest: dict):
    """Per file: (region id, rows) read with calamine — the indicator rows with made-up sheet ids."""
    from python_calamine import CalamineWorkbook

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
        yield batch


def phase_floor(workdir: Path, url: str) -> dict:
    """The same rows, read with calamine, into the indicator table the rawest way (what any loader
    must at least do): no lookups, no checks, no other table. SQLite: one plain executemany per file
    (foreign keys off); PostgreSQL: one COPY per file (the table's foreign keys dropped first)."""
    manifest = json.loads((workdir / "manifest.json").read_text())
    columns = ("region_id, sheet_id, position, level1, level2, name, operator, value, number, unit, weight, "
               "scoring_standard, explanation, value_basis, template_id")
    rows = 0
    if url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
        sql = (f"INSERT INTO targets_targetindicator ({columns}) "
               "VALUES (?, ?, ?, ?, ?, ?, '', ?, NULL, '', ?, '', '', 'plan', NULL)")
        started = time.perf_counter()
        for batch in _floor_rows(manifest):
            db.executemany(sql, batch)
            db.commit()
            rows += len(batch)
        seconds = time.perf_counter() - started
        db.close()
    else:
        import psycopg

        db = psycopg.connect(url)
        for (name,) in db.execute("SELECT conname FROM pg_constraint WHERE conrelid = "
                                  "'targets_targetindicator'::regclass AND contype = 'f'").fetchall():
            db.execute(f'ALTER TABLE targets_targetindicator DROP CONSTRAINT "{name}"')
        db.commit()
        started = time.perf_counter()
        for batch in _floor_rows(manifest):
            with db.cursor() as cursor, cursor.copy(f"COPY targets_targetindicator ({columns}) FROM STDIN") as copy:
                for region, sheet, position, l1, l2, nm, value, weight in batch:
                    copy.write_row((region, sheet, position, l1, l2, nm, "", value, None, "", weight, "", "", "plan",
                                    None))
            db.commit()
            rows += len(batch)
        seconds = time.perf_counter() - started
        db.close()
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _peak_mb()}


def phase_import(workdir: Path, url: str) -> dict:
    _django(url)
    from jixiao.core.actors import SYSTEM
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
        summary = import_sheets(actor=SYSTEM, region=f["region"], year=manifest["year"], data=data,
                                name=Path(f["path"]).name)
        rows += summary["indicators"]
        sheets += summary["created"]
    seconds = time.perf_counter() - started
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    stored = stored_rows() - before
    return {"seconds": seconds, "rows": rows, "sheets": sheets, "stored": stored, "peak_rss_mb": _peak_mb()}


def _child(phase: str, workdir: Path, *extra, script: str = __file__) -> dict:
    """Run ``script --phase <phase> <workdir> <extra…>`` in a child process (its own peak memory) and
    read the JSON line it prints last (the execution-import benchmark passes its own ``script``)."""
    out = subprocess.run([sys.executable, script, "--phase", phase, str(workdir), *map(str, extra)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _copies(db: str, workdir: Path, names: tuple[str, ...] = ("floor", "import")) -> None:
    """Fresh copies of the built database, one per name (floor and import; the round benchmark's round)."""
    if db == "sqlite":
        for name in names:
            for suffix in ("-wal", "-shm"):
                (workdir / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
            shutil.copyfile(workdir / "built.sqlite3", workdir / f"{name}.sqlite3")
        return
    base = _pg_base(db)
    for name in names:
        _pg_admin(db, f'DROP DATABASE IF EXISTS "{base}_{name}"',
                  f'CREATE DATABASE "{base}_{name}" TEMPLATE "{base}_built"')


def _drop(db: str, keep_built: bool, names: tuple[str, ...] = ("floor", "import")) -> None:
    """Drop the PostgreSQL copies ``names`` (and the built database unless ``keep_built``)."""
    if db == "sqlite":
        return
    base = _pg_base(db)
    _pg_admin(db, *(f'DROP DATABASE IF EXISTS "{base}_{n}"' for n in (names if keep_built else (*names, "built"))))


def run_each(prefix: str, one, *, cleanup=None, sqlite_dir: str = "") -> int:
    """The benchmarks' shared ``main``: ``one(db, workdir, reuse)`` -- a JSON line's dict, or a list of
    them -- for SQLite and, when ``BENCH_DATABASE_URL`` is a postgres:// URL, PostgreSQL (only it with
    ``BENCH_ONLY_PG``), each printed as it comes. The data lives in a temporary directory (``prefix``)
    removed afterwards, or kept with ``BENCH_KEEP=1``, or given by ``BENCH_DIR`` (kept data, no build);
    SQLite's in it (or its ``sqlite_dir``), PostgreSQL's in ``postgresql/``. ``cleanup(db, kept)`` after
    each database (default: drop the floor and import copies, and the built one unless kept)."""
    reuse = os.environ.get("BENCH_DIR")
    keep = bool(os.environ.get("BENCH_KEEP"))
    databases = ["sqlite"]
    pg = os.environ.get("BENCH_DATABASE_URL", "")
    if pg:
        if not pg.startswith(("postgres://", "postgresql://")):
            sys.stderr.write("BENCH_DATABASE_URL must be a postgres:// URL\n")
            return 2
        databases = [pg] if os.environ.get("BENCH_ONLY_PG") else [*databases, pg]
    cleanup = cleanup or (lambda db, kept: _drop(db, keep_built=kept))
    root = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix=prefix))
    try:
        for db in databases:
            workdir = (root / sqlite_dir if sqlite_dir else root) if db == "sqlite" else root / "postgresql"
            workdir.mkdir(parents=True, exist_ok=True)
            try:
                result = one(db, workdir, bool(reuse))
                for line in result if isinstance(result, list) else [result]:
                    print(json.dumps(line, ensure_ascii=False), flush=True)
            except subprocess.CalledProcessError as e:
                sys.stderr.write(e.stderr or "")
                raise
            finally:
                cleanup(db, keep or bool(reuse))
    finally:
        if keep and not reuse:
            sys.stderr.write(f"kept {root}\n")
        elif not reuse:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def run(db: str, scale: str, counties: int, workdir: Path, reuse: bool) -> dict:
    """Build (unless reused), floor and import on one database; the JSON line's fields."""
    label = "sqlite" if db == "sqlite" else "postgresql"
    if reuse:
        built = json.loads((workdir / "built.json").read_text())
    else:
        if db == "sqlite":
            built = _child("build", workdir, counties, _db_url(db, workdir, "bench"))
            (workdir / "bench.sqlite3").rename(workdir / "built.sqlite3")
        else:
            base = _pg_base(db)
            _pg_admin(db, f'DROP DATABASE IF EXISTS "{base}_built"', f'CREATE DATABASE "{base}_built"')
            built = _child("build", workdir, counties, _db_url(db, workdir, "built"))
        (workdir / "built.json").write_text(json.dumps(built))
    _copies(db, workdir)
    floor = _child("floor", workdir, _db_url(db, workdir, "floor"))
    result = _child("import", workdir, _db_url(db, workdir, "import"))
    rows_per_s = result["rows"] / result["seconds"]
    ratio = result["seconds"] / floor["seconds"]
    goal_rows = GOAL["rows_per_s"] if db == "sqlite" else None  # the rows/s goal is SQLite's (issue #4)
    ok = ((goal_rows is None or rows_per_s >= goal_rows) and result["peak_rss_mb"] < GOAL["peak_rss_mb"]
          and ratio < GOAL["floor_ratio"] and result["stored"] == result["rows"] == built["rows"])
    goal = f"peak < {GOAL['peak_rss_mb']} MB, floor_ratio < {GOAL['floor_ratio']}"
    return {
        "name": "target_import", "scale": scale, "db": label, "seconds": round(result["seconds"], 2),
        "rows_per_s": round(rows_per_s), "peak_rss_mb": result["peak_rss_mb"],
        "floor_seconds": round(floor["seconds"], 2), "floor_ratio": round(ratio, 2),
        "goal": f"≥{goal_rows} rows/s, {goal}" if goal_rows else goal,
        "ok": ok, "rows": result["rows"], "sheets": result["sheets"], "counties": built["counties"],
        "build_seconds": built["seconds"],
    }


def main() -> int:
    scale = os.environ.get("BENCH_SCALE", "province")
    counties = int(os.environ.get("BENCH_COUNTIES", COUNTIES.get(scale, 180)))
    return run_each("jixiao-bench-targets-", lambda db, workdir, reuse: run(db, scale, counties, workdir, reuse))


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
