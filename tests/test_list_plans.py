"""A county's list pages read the county, not the province (issue #12).

On a province database (40 counties, bench/bench_province.py) PostgreSQL answered a county's first
page of target sheets by hash-joining *every* project and agency of the province to the county's 600
sheets (two sequential scans, 63 ms; the project list likewise scanned every agency). The lists now
restrict the joined tables to the scope's regions as well (``ScopedQuerySet.joined_in_scope``), so
each big table is read through its region index or probed by primary key per county row (7 ms).

What a test database can show honestly: the planner's choice between a hash join and index probes
depends on table sizes, and on the handful of rows a test world holds it is noise (a CI run once read
the whole agency table through its primary-key index as the inner side of a hash join). So on
PostgreSQL the test first copies the world's one project and sheet into a province of its own size —
``_province`` below: 40 more counties, 60 agencies and 600 projects and sheets each, set-based SQL,
analyzed — then runs EXPLAIN with sequential scans disabled (a Seq Scan then only appears where no
index can answer) and checks every access to a big table is an index (or bitmap) scan whose
condition is the region or a key probe from the row joined to (``id = agency_id`` or
``agency_id = id``); and, on both databases, that the list query itself carries the region condition
for each joined big table (what keeps the planner's input at the county's size at any scale) and
that the region-leading indexes exist. The province-scale plans and timings are
the bench's (docs/performance.md)."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection

from jixiao.org.models import Agency
from jixiao.projects.models import Project
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import HOME, make_sheet

pytestmark = pytest.mark.django_db
BIG = {"targets_targetsheet", "projects_project", "org_agency"}


def _sheet_list(user):
    from jixiao.targets.views import _sheets

    return _sheets(user).order_by(*TargetSheet._meta.ordering)[:50]


def _project_list(user):
    from jixiao.projects.views import _projects

    return _projects(user).order_by(*Project._meta.ordering)[:50]


COUNTIES, AGENCIES, PROJECTS = 40, 60, 10  # per county; projects per agency


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table) if c.name != "id"]


def _copy(table: str, template: int, source: str, overrides: dict[str, str]) -> None:
    """Insert a copy of row ``template`` of ``table`` per row of ``source`` (SQL naming ``s``), with the
    ``overrides`` columns computed from it: every other column comes from the template as it is."""
    columns = _columns(table)
    values = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {values} FROM "{table}" t, ({source}) s '
                       f"WHERE t.id = %s", [template])


def _province(world) -> None:
    """The world's county, its neighbours and their agencies, projects and sheets at a province's
    proportions, from one real project and sheet made through the services."""
    sheet = make_sheet(world)
    county = world.regions[HOME]
    _copy("org_region", county.id, f"SELECT g FROM generate_series(1, {COUNTIES}) g",
          {"code": "'99' || lpad(s.g::text, 4, '0')", "name": "t.name || s.g", "path": "t.path || s.g || '/'"})
    regions = "SELECT id AS region_id FROM org_region WHERE code LIKE '99%%' OR id = " + str(county.id)
    _copy("org_agency", sheet.agency_id, f"SELECT r.region_id, g FROM ({regions}) r, generate_series(1, {AGENCIES}) g",
          {"region_id": "s.region_id", "code": "'9' || lpad(s.g::text, 5, '0')", "parent_id": "NULL",
           "path": "t.path || 'x' || s.g || '/'"})
    agencies = "SELECT id AS agency_id, region_id FROM org_agency WHERE code LIKE '9%%'"
    _copy("projects_project", sheet.project_id, f"SELECT a.*, g FROM ({agencies}) a, generate_series(1, {PROJECTS}) g",
          {"region_id": "s.region_id", "agency_id": "s.agency_id", "code": "'P' || s.agency_id || '-' || s.g"})
    projects = f"SELECT id AS project_id, agency_id, region_id FROM projects_project WHERE id <> {sheet.project_id}"
    _copy("targets_targetsheet", sheet.id, projects,
          {"region_id": "s.region_id", "agency_id": "s.agency_id", "project_id": "s.project_id",
           "previous_id": "NULL", "expert_draw_id": "NULL"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE org_region, org_agency, projects_project, targets_targetsheet")


def _scans(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _explain(qs) -> list[dict]:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return [n for n in _scans(plan) if n.get("Relation Name") in BIG]


@pytest.mark.parametrize("query", [_sheet_list, _project_list])
@pytest.mark.parametrize("persona", ["perf_section", "prov_perf_section"])
def test_joined_big_tables_are_restricted_to_the_scope(world, query, persona):
    sql = str(query(world.user(persona)).query).split(" WHERE ", 1)[1]  # the conditions, not the columns
    assert '"org_agency"."region_id"' in sql, sql  # the agency join carries the region condition
    if query is _sheet_list:
        assert '"projects_project"."region_id"' in sql, sql
    if connection.vendor != "postgresql":
        return
    _province(world)
    assert Project.objects.count() > COUNTIES * AGENCIES * PROJECTS
    scans = _explain(query(world.user(persona)))
    assert {n["Relation Name"] for n in scans} >= {"projects_project", "org_agency"}
    for node in scans:
        name, kind = node["Relation Name"], node["Node Type"]
        assert kind != "Seq Scan", f"{name}: sequential scan"
        condition = node.get("Index Cond", "") + node.get("Recheck Cond", "")
        by_region = "region_id" in condition
        by_key = re.fullmatch(r"\((id|\w+_id) = \w+\.(id|\w+_id)\)", condition)  # a probe from the joined row
        assert by_region or by_key, f"{name}: {kind} reads the table without the region or a key ({condition!r})"


def test_region_leading_indexes_exist():
    """The indexes the lists and the statistics read a county through (both databases)."""
    with connection.cursor() as cursor:
        for model in (TargetSheet, Project, Agency):
            table = model._meta.db_table
            constraints = connection.introspection.get_constraints(cursor, table)
            leading = [name for name, c in constraints.items()
                       if c["index"] or c["unique"] if c["columns"] and c["columns"][0] == "region_id"]
            assert leading, f"{table}: no index leading with region_id"
            assert any(len(constraints[n]["columns"]) > 1 for n in leading), f"{table}: no composite one"


def test_the_new_sheet_choices_exclude_through_the_candidates_region():
    """新建目标表 offers the user's projects and agencies without a sheet; the exclusion is correlated by
    each candidate's region and id (one index probe per candidate), not a list of every sheet of the
    province's year (issue #12)."""
    from jixiao.core.actors import SYSTEM
    from jixiao.targets.views import creatable_agencies, creatable_projects

    for query, table in ((creatable_projects, "projects_project"), (creatable_agencies, "org_agency")):
        sql = str(query(SYSTEM, 2026).query)
        exclusion = sql.split("NOT EXISTS", 1)[1]
        assert re.search(rf'U0\."region_id" = \(?"{table}"\."region_id"\)?', exclusion), sql
        assert re.search(rf'U0\."(project|agency)_id" = \(?"{table}"\."id"\)?', exclusion), sql
