"""Benchmark: open a province's in-year monitoring round and compute every signal (issue #13, "Scale").

    python bench/bench_monitoring_round.py                  # 180 counties: ~86,000 projects, ~1.07 million indicators
    BENCH_COUNTIES=20 python bench/bench_monitoring_round.py        # a smaller province (documented runs say which)
    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/jx_bench python bench/bench_monitoring_round.py

Per database (SQLite always, PostgreSQL too when ``BENCH_DATABASE_URL`` points at one: its name is a
prefix, ``<name>_built`` and ``<name>_round`` are created and dropped; the role needs CREATEDB), two
child processes (each phase's peak memory is its own):

``build`` — a fresh database, migrated, with ``monitoring_data.build``: the province, its projects
executing, their approved target sheets (imported), twelve months of back-loaded execution per
project and a spending plan for every third project.

``round`` — a copy: the checkpoint-August round of every county opened as the command line opens it
(``monitoring.services.open_round``, actor SYSTEM, scope 全部项目: the tables, one row per indicator,
the reviews on the ``monitoring`` chain, the preparers' 待办), timed (``open_seconds``); then two rows in
three given a value to date, 0 to 120% of the target (one UPDATE, not timed: the agencies' filling); then
the province's monitoring statistics as its performance division reads them (``monitoring.board.statistics``
over every county's round: per table the budget monitored, the budget light against the expectation —
plan, profile or m ÷ 12 —, every indicator's light, the goal light, the blue indicators, the deviations;
tallied per round and per tag, with the decisions: ``signals_seconds``). A sample of every 97th table is
then read the exact way (``readings.read_tables``) and must give the same lights (the run fails if not).

``floor`` — in the same process, interleaved with the signals: raw SQL aggregates over the same rows
through the same connection — the indicator rows of the rounds' tables joined to their target
indicators (count, sum of targets, sum of values to date), the tables joined to their projects' budgets,
the execution to the checkpoint and the spending plans of those projects summed per project (every
group fetched). ``floor_ratio`` = best ``signals_seconds``
÷ best ``floor_seconds`` of ``BENCH_REPEAT`` (3) runs each. Goal: open + signals under 10 s, ratio ≤ 3.

BENCH_KEEP=1 keeps the data (printed); BENCH_DIR=<it> measures again on it without building."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_target_import as common  # noqa: E402  (the shared helpers: _django, _pg*, _child, _peak_mb)

GOAL = {"seconds": 10, "floor_ratio": 3}
MONTH = 8


def phase_build(workdir: Path, counties: int, url: str) -> dict:
    common._django(url)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    import monitoring_data

    out = monitoring_data.build(workdir, counties=counties)
    from django.db import connection

    connection.close()
    return {**out, "seconds": round(time.perf_counter() - started, 1)}


def _floor(cursor, round_ids: list[int]) -> tuple:
    """The rows the statistics read, in the simplest aggregates: the indicator rows with their target
    indicators; the tables with their projects' budgets; the execution to the checkpoint and the
    spending plans of those projects (summed per project, every group fetched)."""
    inr = ", ".join(["%s"] * len(round_ids))
    cursor.execute(
        "SELECT COUNT(*), SUM(i.number), SUM(r.number_to_date) FROM monitoring_monitoringrow r "
        "JOIN monitoring_monitoringtable t ON t.id = r.table_id "
        f"JOIN targets_targetindicator i ON i.id = r.indicator_id WHERE t.round_id IN ({inr})", round_ids)
    rows = cursor.fetchone()
    cursor.execute("SELECT COUNT(*), SUM(p.budget_amount) FROM monitoring_monitoringtable t "
                   f"JOIN projects_project p ON p.id = t.project_id WHERE t.round_id IN ({inr})", round_ids)
    cursor.fetchone()
    cursor.execute(
        "SELECT e.project_id, SUM(e.amount) FROM monitoring_monthlyexecution e "
        "JOIN monitoring_monitoringtable t ON t.project_id = e.project_id "
        f"WHERE t.round_id IN ({inr}) AND e.month <= %s GROUP BY e.project_id", [*round_ids, MONTH])
    executed = cursor.fetchall()
    cursor.execute(
        "SELECT p.project_id, SUM(p.amount) FROM monitoring_spendingplan p "
        "JOIN monitoring_monitoringtable t ON t.project_id = p.project_id "
        f"WHERE t.round_id IN ({inr}) GROUP BY p.project_id", round_ids)
    cursor.fetchall()
    return rows[0], len(executed), sum(a for _, a in executed)


def phase_round(workdir: Path, url: str) -> dict:
    common._django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # data kept (BENCH_DIR) from an older schema
    import datetime as dt

    from django.db import connection

    from jixiao.core.actors import SYSTEM
    from jixiao.monitoring import board, services, tallies
    from jixiao.monitoring.choices import Light
    from jixiao.monitoring.models import MonitoringRound, MonitoringTable
    from jixiao.monitoring.readings import read_tables
    from jixiao.org.models import Region

    built = json.loads((workdir / "built.json").read_text())
    year = built["year"]
    regions = list(Region.objects.filter(code__in=built["county_codes"]).order_by("code"))
    from django.urls import reverse

    reverse("monitoring:round_list")  # a serving process has its URLconf loaded (~1.5 s to import the API)
    started = time.perf_counter()
    for region in regions:
        services.open_round(actor=SYSTEM, region=region, year=year, month=MONTH, deadline=dt.date(year, 9, 10),
                            title=f"{year}年8月绩效运行监控", scope_kind="all_projects")
    open_seconds = time.perf_counter() - started
    open_peak = common._peak_mb()
    round_ids = list(MonitoringRound.objects.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        # what autovacuum does within a minute of a million new rows: without it the planner still
        # believes the monitoring tables empty and chooses nested scans (99 s instead of seconds)
        with connection.cursor() as c:
            c.execute("ANALYZE")
    with connection.cursor() as c:  # the agencies' filling: two rows in three get a value to date, 0 to 120%
        c.execute("UPDATE monitoring_monitoringrow SET number_to_date = (SELECT i.number * (monitoring_monitoringrow.id "
                  "% 7) * 0.2 FROM targets_targetindicator i WHERE i.id = monitoring_monitoringrow.indicator_id) "
                  "WHERE id % 3 <> 0")
    repeat = int(os.environ.get("BENCH_REPEAT", 3))
    signals, floors = [], []
    stats = floor = None
    for _ in range(repeat):
        t = time.perf_counter()
        stats = board.statistics(SYSTEM, year)
        signals.append(time.perf_counter() - t)
        t = time.perf_counter()
        with connection.cursor() as c:
            floor = _floor(c, round_ids)
        floors.append(time.perf_counter() - t)
    goal_lights: dict[str, int] = {}
    budget_lights: dict[str, int] = {}
    objects = 0
    for f in stats.rounds:
        objects += f.total.objects
        for k, v in f.total.goal_lights.items():
            goal_lights[k] = goal_lights.get(k, 0) + v
        for k, v in f.total.budget_lights.items():
            budget_lights[k] = budget_lights.get(k, 0) + v
    tables = MonitoringTable.objects.filter(round_id__in=round_ids).count()
    assert objects == tables, (objects, tables)
    assert goal_lights.get(str(Light.RED)), goal_lights
    # the statistics' lights are the tables' full readings' (a sample of every 97th table, read exactly)
    sample = list(MonitoringTable.objects.filter(round_id__in=round_ids, pk__in=[
        pk for pk in MonitoringTable.objects.filter(round_id__in=round_ids).values_list("pk", flat=True) if pk % 97 == 0]))
    exact = read_tables(sample)
    by_round: dict = {}
    for t in sample:
        by_round.setdefault(t.round_id, []).append((t.pk, t.agency_id, t.project_id, ()))
    near = 0
    for rid, rows in by_round.items():
        rnd = MonitoringRound.objects.get(pk=rid)
        got, close = tallies.sql_monitored(rnd, rows)
        near += len(close)
        for pk, *_ in rows:
            assert pk in close or got[pk] == tallies.monitored_of(exact[pk]), (pk, got[pk], exact[pk])
    return {"open_seconds": open_seconds, "signals_seconds": min(signals), "floor_seconds": min(floors),
            "tables": tables, "rows": floor[0], "regions": len(regions), "goal_lights": goal_lights,
            "budget_lights": budget_lights, "sample": len(sample), "sample_near": near,
            "peak_rss_mb": common._peak_mb(), "open_peak_mb": open_peak}


def run(db: str, counties: int, workdir: Path, reuse: bool) -> dict:
    label = "sqlite" if db == "sqlite" else "postgresql"
    script = __file__
    if reuse:
        built = json.loads((workdir / "built.json").read_text())
    else:
        if db == "sqlite":
            built = common._child("build", workdir, counties, common._db_url(db, workdir, "bench"), script=script)
            (workdir / "bench.sqlite3").rename(workdir / "built.sqlite3")
        else:
            base = common._pg_base(db)
            common._pg_admin(db, f'DROP DATABASE IF EXISTS "{base}_built"', f'CREATE DATABASE "{base}_built"')
            built = common._child("build", workdir, counties, common._db_url(db, workdir, "built"), script=script)
        (workdir / "built.json").write_text(json.dumps(built))
    common._copies(db, workdir, ("round",))
    result = common._child("round", workdir, common._db_url(db, workdir, "round"), script=script)
    seconds = result["open_seconds"] + result["signals_seconds"]
    ratio = result["signals_seconds"] / result["floor_seconds"]
    ok = seconds < GOAL["seconds"] and ratio <= GOAL["floor_ratio"]
    return {
        "name": "monitoring_round", "db": label, "counties": result["regions"], "tables": result["tables"],
        "rows": result["rows"], "execution_rows": built["execution_rows"], "plan_rows": built["plan_rows"],
        "seconds": round(seconds, 2), "open_seconds": round(result["open_seconds"], 2),
        "signals_seconds": round(result["signals_seconds"], 2), "floor_seconds": round(result["floor_seconds"], 3),
        "floor_ratio": round(ratio, 2), "peak_rss_mb": result["peak_rss_mb"], "open_peak_mb": result["open_peak_mb"],
        "goal_lights": result["goal_lights"], "budget_lights": result["budget_lights"],
        "checked_sample": result["sample"], "sample_near": result["sample_near"],
        "goal": f"open + signals < {GOAL['seconds']} s, floor_ratio ≤ {GOAL['floor_ratio']}", "ok": ok,
        "build_seconds": built["seconds"],
    }


def main() -> int:
    counties = int(os.environ.get("BENCH_COUNTIES", 180))
    return common.run_each("jixiao-bench-round-", lambda db, workdir, reuse: run(db, counties, workdir, reuse),
                           cleanup=lambda db, kept: common._drop(db, keep_built=kept, names=("round",)))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase, workdir = sys.argv[2], Path(sys.argv[3])
        if phase == "build":
            print(json.dumps(phase_build(workdir, int(sys.argv[4]), sys.argv[5])))
        else:
            print(json.dumps(phase_round(workdir, sys.argv[4])))
        sys.exit(0)
    sys.exit(main())
