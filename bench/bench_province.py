"""Benchmark: a province database — its statistics at the floor, a county's list pages at the
county's size (issue #12).

    python bench/bench_province.py                 # 180 counties (~107,000 sheets, ~1.07 million indicators)
    BENCH_COUNTIES=40 python bench/bench_province.py          # a smaller province (documented runs say which)
    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/jx_bench python bench/bench_province.py

Per database (SQLite always, PostgreSQL too when ``BENCH_DATABASE_URL`` points at one: its name is a
prefix, ``<name>_province`` and ``<name>_county`` are created and dropped; the role needs CREATEDB)
two databases are built in child processes (``province_data.build``: the province builder's counties,
their projects, every county's target workbook imported, review histories set): the *province* with
``BENCH_COUNTIES`` counties and a *county-only* one with a single county — the province's first
county, same code, same builder. Then two JSON lines:

``province_statistics`` — on the province database, as the province's performance division
(``prov_perf_section``, every region below the province): ``targets.statistics.coverage_for`` and
``review_for``, each against its *floor*: raw SQL through the same connection that gives the same
figures over the same rows in the simplest way (for coverage one join aggregate of the projects with
their approved sheet grouped by kind, budget book and fund sources, one of the agencies with their
approved whole-budget sheet, one over the approved sheets; for review one GROUP BY of the sheets, one
join of the return events to their review, one join of the findings to their sheet). The figures are
compared (the bench fails if they differ); each ratio = best of ``BENCH_REPEAT`` (5) runs of the
function ÷ best of as many runs of its floor, interleaved. Goal: ratio ≤ 3 each.

``county_list_page`` — the first page of the target sheets, the projects and the agencies of one
county, as that county's performance section, through Django's test client (the whole request:
middleware, scoping, query, template): server time (best of ``BENCH_REPEAT``) and query count, on the
province database and on the county-only database. Goal: time ratio ≤ 2 and the same query count on
each page (the page does not grow with the province).

BENCH_KEEP=1 keeps the data (directory and PostgreSQL databases; printed); BENCH_DIR=<it> measures again
on it without building."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_target_import as common  # noqa: E402  (the shared helpers: _django, _pg*, _peak_mb)

ROOT = common.ROOT
GOAL = {"statistics_ratio": 3, "list_time_ratio": 2}
PAGES = ("targets:sheet_list", "projects:project_list", "org:agency_list")
PASSWORD = "Bench-Passw0rd!2026"


def phase_build(workdir: Path, counties: int, url: str) -> dict:
    common._django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    import province_data

    result = province_data.build(workdir, counties=counties)
    from django.db import connection

    connection.close()
    return result


# --- statistics and their floors ---------------------------------------------------------------

def _floor_coverage(cursor, regions, year):
    from jixiao.targets.statistics import COUNTED_STAGES

    inr = ", ".join(["%s"] * len(regions))
    stages = ", ".join(["%s"] * len(COUNTED_STAGES))
    amount = "CASE WHEN p.budget_amount = 0 THEN p.requested_amount ELSE p.budget_amount END"
    cursor.execute(
        f"SELECT p.kind, p.budget_book, p.fund_sources, COUNT(*), COUNT(s.id), SUM({amount}), "
        f"SUM(CASE WHEN s.id IS NOT NULL THEN {amount} END) FROM projects_project p "
        "LEFT JOIN targets_targetsheet s ON s.project_id = p.id AND s.year = %s AND s.status = 'approved' "
        f"WHERE p.region_id IN ({inr}) AND p.year = %s AND p.stage IN ({stages}) GROUP BY 1, 2, 3",
        [year, *regions, year, *map(str, COUNTED_STAGES)])
    groups = cursor.fetchall()
    cursor.execute(
        "SELECT COUNT(*), COUNT(s.id) FROM org_agency a LEFT JOIN targets_targetsheet s ON s.agency_id = a.id "
        "AND s.kind = 'agency' AND s.year = %s AND s.status = 'approved' "
        f"WHERE a.region_id IN ({inr}) AND a.active", [year, *regions])
    agencies = cursor.fetchone()
    cursor.execute(
        "SELECT SUM(CASE WHEN s.kind = 'agency' THEN s.amount END), "
        f"COUNT(DISTINCT CASE WHEN s.kind <> 'agency' AND p.stage IN ({stages}) THEN s.agency_id END) "
        "FROM targets_targetsheet s LEFT JOIN projects_project p ON p.id = s.project_id "
        f"WHERE s.region_id IN ({inr}) AND s.year = %s AND s.status = 'approved'",
        [*map(str, COUNTED_STAGES), *regions, year])
    sheets = cursor.fetchone()
    return {"total_count": sum(g[3] for g in groups), "covered_count": sum(g[4] for g in groups),
            "agencies_total": agencies[0], "agencies_covered": agencies[1], "agencies_with_projects": sheets[1]}


def _floor_review(cursor, regions, year, content_type):
    inr = ", ".join(["%s"] * len(regions))
    cursor.execute(
        "SELECT status, kind, COUNT(*), COUNT(submitted_at), SUM(CASE WHEN return_count > 0 THEN 1 ELSE 0 END), "
        f"SUM(return_count) FROM targets_targetsheet WHERE region_id IN ({inr}) AND year = %s GROUP BY 1, 2",
        [*regions, year])
    groups = cursor.fetchall()
    cursor.execute(
        "SELECT e.from_step, COUNT(*), COUNT(DISTINCT r.id) FROM core_reviewevent e "
        "JOIN core_review r ON r.id = e.review_id "
        f"WHERE r.region_id IN ({inr}) AND r.year = %s AND r.chain = 'target' AND r.content_type_id = %s "
        "AND e.action = 'return' GROUP BY 1", [*regions, year, content_type])
    steps = cursor.fetchall()
    cursor.execute(
        "SELECT f.code, COUNT(*), COUNT(DISTINCT f.sheet_id) FROM targets_targetfinding f "
        f"JOIN targets_targetsheet s ON s.id = f.sheet_id WHERE s.region_id IN ({inr}) AND s.year = %s "
        "GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1 LIMIT 10", [*regions, year])
    findings = cursor.fetchall()
    return {"sheets": sum(g[2] for g in groups), "submitted": sum(g[3] for g in groups),
            "returned": sum(g[4] for g in groups), "returns": sum(g[5] or 0 for g in groups),
            "by_step": sorted((s[0], s[1]) for s in steps), "findings": [(f[0], f[2]) for f in findings]}


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure_statistics(repeat: int) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from jixiao.core.scoping import region_ids
    from jixiao.org.models import User
    from jixiao.targets import statistics
    from jixiao.targets.models import TargetSheet

    def division():  # a fresh user each time: the region-tree lookup is part of the request
        return User.objects.get(username="prov_perf_section")

    regions = list(region_ids(division()))
    year = TargetSheet.objects.order_by("-year").values_list("year", flat=True).first()
    ct = ContentType.objects.get_for_model(TargetSheet).pk
    out = {}
    with connection.cursor() as cursor:
        for name, fn, floor in (
                ("coverage", lambda: statistics.coverage_for(division(), year),
                 lambda: _floor_coverage(cursor, regions, year)),
                ("review", lambda: statistics.review_for(division(), year),
                 lambda: _floor_review(cursor, regions, year, ct))):
            fn(), floor()  # warm both (caches, plans)
            times, floors = [], []
            for _ in range(repeat):  # interleaved: the machine's load hits both alike
                t, report = _best(fn, 1)
                f, expected = _best(floor, 1)
                times.append(t)
                floors.append(f)
            got = _figures(name, report)
            if got != expected:
                raise SystemExit(f"{name}: the function's figures {got} differ from the floor's {expected}")
            out[name] = {"seconds": round(min(times), 4), "floor_seconds": round(min(floors), 4),
                         "ratio": round(min(times) / min(floors), 2), "figures": got}
    out["regions"] = len(regions)
    out["sheets"] = TargetSheet.objects.count()
    return out


def _figures(name, report) -> dict:
    if name == "coverage":
        c = report.projects.coverage
        return {"total_count": c.total_count, "covered_count": c.covered_count,
                "agencies_total": report.agencies_total, "agencies_covered": report.agencies_covered,
                "agencies_with_projects": report.agencies_with_projects}
    return {"sheets": report.sheets, "submitted": report.submitted, "returned": report.returned,
            "returns": report.returns, "by_step": sorted((s["step"], s["returns"]) for s in report.by_step),
            "findings": [(f["code"], f["sheets"]) for f in report.findings]}


# --- list pages --------------------------------------------------------------------------------

def measure_pages(county_code: str, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jixiao.core.actors import SYSTEM
    from jixiao.core.roles import Role
    from jixiao.org import services
    from jixiao.org.models import Region, User
    from jixiao.projects.models import Project
    from jixiao.targets.models import TargetSheet

    region = Region.objects.get(code=county_code)
    user = User.objects.filter(username="bench_perf").first() or services.create_user(
        actor=SYSTEM, region=region, username="bench_perf", display_name="绩效股（基准）",
        role=Role.PERFORMANCE_SECTION, password=PASSWORD)
    client = Client()
    client.force_login(user)
    out = {"county": county_code, "county_sheets": TargetSheet.objects.filter(region=region).count(),
           "county_projects": Project.objects.filter(region=region).count(),
           "all_sheets": TargetSheet.objects.count(), "all_projects": Project.objects.count()}
    for name in PAGES:
        url = reverse(name)
        first = client.get(url)
        if first.status_code != 200:
            raise SystemExit(f"{url}: {first.status_code}")
        executed = []
        # counted by an execute wrapper: the test client's request_started resets connection.queries
        with connection.execute_wrapper(lambda execute, sql, *a, log=executed: (log.append(sql), execute(sql, *a))[1]):
            client.get(url)
        best, _ = _best(lambda url=url: client.get(url), repeat)
        out[name] = {"seconds": round(best, 4), "queries": len(executed)}
    return out


def phase_measure(url: str, county: str, statistics: bool, repeat: int) -> dict:
    common._django(url)
    result = {"pages": measure_pages(county, repeat)}
    if statistics:
        result["statistics"] = measure_statistics(repeat)
    result["peak_rss_mb"] = common._peak_mb()
    return result


# --- driver ------------------------------------------------------------------------------------

def _child(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", *map(str, args)], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _url(db: str, workdir: Path, name: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    return common._pg(db, f"{common._pg_base(db)}_{name}")


def run(db: str, counties: int, workdir: Path, reuse: bool, repeat: int) -> list[dict]:
    label = "sqlite" if db == "sqlite" else "postgresql"
    built = {}
    for name, n in (("province", counties), ("county", 1)):
        path = workdir / name
        path.mkdir(parents=True, exist_ok=True)
        if reuse:
            built[name] = json.loads((path / "province.json").read_text())
            continue
        if db != "sqlite":
            base = common._pg_base(db)
            common._pg_admin(db, f'DROP DATABASE IF EXISTS "{base}_{name}"', f'CREATE DATABASE "{base}_{name}"')
        built[name] = _child("build", path, n, _url(db, path, name))
    county = built["county"]["county_codes"][0]
    province = _child("measure", _url(db, workdir / "province", "province"), county, 1, repeat)
    alone = _child("measure", _url(db, workdir / "county", "county"), county, 0, repeat)
    stats = province["statistics"]
    ok_stats = all(stats[k]["ratio"] <= GOAL["statistics_ratio"] for k in ("coverage", "review"))
    lines = [{
        "name": "province_statistics", "db": label, "counties": built["province"]["counties"],
        "regions": stats["regions"], "sheets": stats["sheets"],
        "coverage_seconds": stats["coverage"]["seconds"], "coverage_floor_seconds": stats["coverage"]["floor_seconds"],
        "coverage_ratio": stats["coverage"]["ratio"], "review_seconds": stats["review"]["seconds"],
        "review_floor_seconds": stats["review"]["floor_seconds"], "review_ratio": stats["review"]["ratio"],
        "goal": f"ratio ≤ {GOAL['statistics_ratio']} each", "ok": ok_stats,
        "build_seconds": built["province"]["build_seconds"], "import_seconds": built["province"]["import_seconds"],
    }]
    pages = {}
    ok_pages = True
    for name in PAGES:
        p, c = province["pages"][name], alone["pages"][name]
        ratio = round(p["seconds"] / c["seconds"], 2)
        ok_pages = ok_pages and ratio <= GOAL["list_time_ratio"] and p["queries"] == c["queries"]
        pages[name.split(":")[1]] = {"province_seconds": p["seconds"], "county_seconds": c["seconds"],
                                     "time_ratio": ratio, "province_queries": p["queries"],
                                     "county_queries": c["queries"]}
    lines.append({
        "name": "county_list_page", "db": label, "county": county,
        "county_sheets": province["pages"]["county_sheets"], "province_sheets": province["pages"]["all_sheets"],
        "province_projects": province["pages"]["all_projects"], "county_only_sheets": alone["pages"]["all_sheets"],
        "pages": pages, "goal": f"time ratio ≤ {GOAL['list_time_ratio']}, same query count", "ok": ok_pages,
    })
    return lines


def main() -> int:
    counties = int(os.environ.get("BENCH_COUNTIES", 180))
    repeat = int(os.environ.get("BENCH_REPEAT", 5))

    def cleanup(db: str, kept: bool) -> None:
        if db != "sqlite" and not kept:
            base = common._pg_base(db)
            common._pg_admin(db, *(f'DROP DATABASE IF EXISTS "{base}_{n}"' for n in ("province", "county")))

    return common.run_each("jixiao-bench-province-",
                           lambda db, workdir, reuse: run(db, counties, workdir, reuse, repeat),
                           cleanup=cleanup, sqlite_dir="sqlite")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase = sys.argv[2]
        if phase == "build":
            print(json.dumps(phase_build(Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5])))
        else:
            print(json.dumps(phase_measure(sys.argv[3], sys.argv[4], sys.argv[5] == "1", int(sys.argv[6]))))
        sys.exit(0)
    sys.exit(main())
