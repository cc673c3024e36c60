"""The lights of a whole round, computed by the database (issue #13, "Scale"; domain-rules §5): what
the statistics (``board.statistics``: a province's performance division reads every county's rounds)
count of each table — its budget monitored, budget light, goal light, blue indicators and whether
anything deviates beyond the threshold — as :class:`rules.Monitored`, in TWO queries per round
whatever its size (one over the indicator rows, one over the tables with their execution, spending
plans, cuts and whole-budget sheets), instead of building every table's full reading in Python
(``readings.read_tables``: about 1 ms a table; a province's 110,000 tables would take minutes).

The SQL is ``monitoring.rules`` written as comparisons without division, each one the rule's own
inequality multiplied out (all multipliers positive):

* positive indicator (≥ ＞, or = with a target above 0), expected x = target × m ÷ 12: progress
  = actual ÷ x < r  ⟺  12·actual < r·target·m; deviation |actual − x| > d·x  ⟺
  |12·actual − target·m| > d·target·m; a target of 0 or less: green when 12·actual ≥ target·m,
  else red (and then deviating). With the agency's stated expectation e for the checkpoint
  (``MonitoringRow.number_stated_expected``) x = e: the same comparisons with actual and e in place
  of 12·actual and target·m (actual < r·e; |actual − e| > d·e; e ≤ 0: green when actual ≥ e);
* reverse indicator (≤ ＜, or = with a target of 0): within the limit green, else red; deviation
  actual − limit > d·|limit| — the limit is the stated expectation when there is one, else the
  target;
* qualitative: 达成 green, 部分达成 yellow, 未达成 red; deviating unless 达成;
* budget, expected share N ÷ D (用款计划 cumulative ÷ total; the region's profile s ÷ 1; m ÷ 12),
  executed E, adjusted budget B > 0: ratio < r  ⟺  E·D < r·B·N; deviation  |E·D − N·B| > d·N·B;
  nothing expected (N = 0): green, deviating when anything was paid; B = 0: no light.

PostgreSQL computes these on its exact ``numeric``. SQLite keeps decimals as binary floats, so a
comparison that lands within a relative 10⁻¹² of its boundary is *near*; every table with anything
near (or anything the rules would refuse: a negative budget or plan) is read again the exact way,
through ``readings.read_tables`` — the rules' own functions decide every boundary case. A test
holds these lights to ``read_tables``'s on both databases, boundaries included."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Context, Decimal

from django.db import connection

from jixiao.monitoring import rules
from jixiao.monitoring.configuration import AGENCY_KIND

#: tables per statement (ids written into the statement: they are integers from the database)
CHUNK = 5000
#: the severity codes of the SQL (``rules.SEVERITY``: the goal light is the worst, the MAX)
LIGHT_OF = {severity: str(light) for light, severity in rules.SEVERITY.items()}
#: the relative distance from a boundary within which SQLite's float comparison is decided again exactly
EPSILON = Decimal("1E-12")
_KIND = re.compile(r"^[a-z_]{1,32}$")


def _lit(value) -> str:
    """A number written into the statement: an int or a finite Decimal (thresholds, shares, the month —
    the region's checked configuration, never user text), as a decimal literal."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"not a number for SQL: {value!r}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        return format(value, "f")
    return str(int(value))


def _ids(tables: Sequence[tuple]) -> list[int]:
    """The tables' ids, checked to be plain integers (they are written into the statement)."""
    ids = [t[0] for t in tables]
    if not all(type(i) is int for i in ids):
        raise TypeError("table ids must be integers")
    return ids


def _ratio(value: Decimal) -> tuple[str, str]:
    """A threshold or share as an exact integer ratio (0.6 → "3", "5"): comparisons multiply it out."""
    n, d = Decimal(value).as_integer_ratio()
    return _lit(n), _lit(d)


class _Sql:
    """The two databases' spellings. PostgreSQL: the columns as they are (``numeric``, exact). SQLite keeps
    decimals as binary floats: each value is first made an exact integer — indicator values (four places)
    × 10⁴, money (cents) × 100 — so the comparisons are integer arithmetic, exact; a product that
    outgrows 64 bits turns into a float (SQLite does so by itself), and a comparison of a float that
    lands within a relative :data:`EPSILON` of its boundary is *near*: that table is read again exactly."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"

    def value(self, column: str) -> str:
        return column if self.pg else f"CAST(ROUND({column} * 10000) AS INTEGER)"

    def money(self, column: str) -> str:
        return column if self.pg else f"CAST(ROUND({column} * 100) AS INTEGER)"

    def near(self, left: str, right: str) -> str:
        if self.pg:
            return "0 = 1"
        return (f"((typeof({left}) = 'real' OR typeof({right}) = 'real') "
                f"AND ABS(({left}) - ({right})) <= {_lit(EPSILON)} * (ABS({left}) + ABS({right})))")


#: beyond these a stored float no longer holds every digit (more than 15 significant digits): the
#: table is read again exactly — indicator values of 10¹¹ and more, amounts of 10¹³ yuan and more
BIG_VALUE, BIG_MONEY = 10 ** 11, 10 ** 13


def _indicator_sql(ids: str, *, region: int, month: int, th: rules.Thresholds) -> str:
    """Per table of ``ids``: (id, worst severity or NULL, blue indicators, deviating indicators, near —
    on SQLite a value too large for exact 64-bit products)."""
    q = _Sql()
    # the comparisons read the scaled values by name (a CTE the database folds into the query: materialized,
    # its 10⁵ rows would cost more than the repeated arithmetic)
    a = "a"
    m = _lit(month)
    (rn, rd), (yn, yd), (bn, bd), (dn, dd) = map(_ratio, (th.indicator_red_below, th.indicator_yellow_below,
                                                        th.indicator_blue_above, th.deviation))
    # a positive indicator's progress actual ÷ x as the ratio pa ÷ px: x = target × m ÷ 12 gives
    # 12·actual ÷ target·m; the agency's stated expectation e gives actual ÷ e (px ≤ 0 ⟺ x ≤ 0)
    pa, px = f"(CASE WHEN e IS NULL THEN 12 * {a} ELSE {a} END)", f"(CASE WHEN e IS NULL THEN t * {m} ELSE e END)"
    # progress = pa ÷ px < n ÷ d  ⟺  pa·d < n·px (px > 0)
    below = {"red": (f"{pa} * {rd}", f"{rn} * {px}"), "yellow": (f"{pa} * {yd}", f"{yn} * {px}"),
             "blue": (f"{pa} * {bd}", f"{bn} * {px}")}
    dev_pos = (f"ABS({pa} - {px}) * {dd}", f"{dn} * {px}")
    # a reverse indicator's limit: the stated expectation, else the annual target
    lim = "COALESCE(e, t)"
    dev_rev = (f"({a} - {lim}) * {dd}", f"{dn} * ABS({lim})")
    positive = "(op IN ('ge', 'gt') OR (op = 'eq' AND t > 0))"
    missing = "(t IS NULL AND e IS NULL) OR a IS NULL"
    sev = (f"CASE WHEN op = 'qualitative' THEN CASE ach WHEN 'achieved' THEN 1 "
           f"WHEN 'partial' THEN 2 WHEN 'not_achieved' THEN 3 END WHEN {missing} THEN NULL "
           f"WHEN {positive} THEN CASE WHEN {px} <= 0 THEN CASE WHEN {pa} >= {px} THEN 1 ELSE 3 END "
           f"WHEN {below['red'][0]} < {below['red'][1]} THEN 3 WHEN {below['yellow'][0]} < {below['yellow'][1]} THEN 2 "
           f"WHEN {below['blue'][0]} > {below['blue'][1]} THEN 0 ELSE 1 END "
           f"WHEN (op = 'lt' AND {a} < {lim}) OR (op <> 'lt' AND {a} <= {lim}) THEN 1 ELSE 3 END")
    deviates = (f"CASE WHEN op = 'qualitative' THEN CASE WHEN ach IN ('partial', 'not_achieved') "
                f"THEN 1 ELSE 0 END WHEN {missing} THEN 0 "
                f"WHEN {positive} THEN CASE WHEN {px} <= 0 THEN CASE WHEN {pa} < {px} THEN 1 ELSE 0 END "
                f"WHEN {dev_pos[0]} > {dev_pos[1]} THEN 1 ELSE 0 END "
                f"WHEN {dev_rev[0]} > {dev_rev[1]} THEN 1 ELSE 0 END")
    if q.pg:
        near = "0"
    else:
        # every product above is at most 24 × |value × 10⁴| × the largest term of the ratios: below this
        # bound none outgrows 64 bits and every comparison is exact; a row beyond it is read again
        largest = max(int(v) for v in (rn, rd, yn, yd, bn, bd, dn, dd))
        bound = min(BIG_VALUE, (2 ** 63 - 1) // (24 * largest * 10_000))
        near = (f"CASE WHEN op = 'qualitative' OR {missing} THEN 0 "
                f"WHEN ABS(raw_t) >= {bound} OR ABS(raw_a) >= {bound} OR ABS(raw_e) >= {bound} THEN 1 ELSE 0 END")
    values = (f"SELECT r.table_id AS tid, i.operator AS op, r.achievement AS ach, {q.value('r.number_to_date')} AS a, "
              f"{q.value('i.number')} AS t, {q.value('r.number_stated_expected')} AS e, "
              "r.number_to_date AS raw_a, i.number AS raw_t, r.number_stated_expected AS raw_e "
              "FROM monitoring_monitoringrow r JOIN targets_targetindicator i ON i.id = r.indicator_id "
              f"AND i.region_id = {region} WHERE r.region_id = {region} AND r.table_id IN ({ids})")
    return (f"WITH v AS NOT MATERIALIZED ({values}) "
            f"SELECT tid, MAX(sev), SUM(CASE WHEN sev = 0 THEN 1 ELSE 0 END), SUM(dev), SUM(near) FROM ("
            f"SELECT tid, {sev} AS sev, {deviates} AS dev, {near} AS near FROM v) x GROUP BY tid")


def _budget_sql(ids: str, *, region: int, year: int, month: int, th: rules.Thresholds, profiles: dict) -> str:
    """Per table of ``ids``: (id, initial budget, budget light severity or NULL, deviates, near)."""
    q = _Sql()
    y, m = _lit(year), _lit(month)
    shares = {kind: _ratio(Decimal(values[month - 1])) for kind, values in sorted(profiles.items())
              if values and _KIND.match(kind)}
    # the expected share N ÷ D by basis: the plan's cumulative ÷ its total, the profile's share, m ÷ 12
    if shares:
        pn = "(CASE kind " + " ".join(f"WHEN '{k}' THEN {n}" for k, (n, _d) in shares.items()) + " END)"
        pd = "(CASE kind " + " ".join(f"WHEN '{k}' THEN {d}" for k, (_n, d) in shares.items()) + " END)"
    else:
        pn = pd = "NULL"
    n = f"(CASE WHEN pt > 0 THEN pm WHEN {pn} IS NOT NULL THEN {pn} ELSE {m} END)"
    d = f"(CASE WHEN pt > 0 THEN pt WHEN {pd} IS NOT NULL THEN {pd} ELSE 12 END)"
    (rn, rd), (yn, yd), (dn, dd) = map(_ratio, (th.budget_red_below, th.budget_yellow_below, th.deviation))
    amount = q.money("amount")
    # one row per table, each sum a correlated subquery through its index (project, or region + agency)
    paid = (f"SELECT SUM({amount}) FROM monitoring_monthlyexecution x WHERE x.region_id = {region} AND x.year = {y} "
            f"AND x.month <= {m} AND ")
    planned = q.money("p.amount")
    plan = f"SELECT {{}} FROM monitoring_spendingplan p WHERE p.project_id = t.project_id AND p.year = {y}"
    inner = (
        "SELECT t.id AS tid, CASE WHEN t.project_id IS NULL THEN s.amount ELSE pr.budget_amount END AS initial, "
        f"CASE WHEN t.project_id IS NULL THEN {q.money('s.amount')} ELSE {q.money('pr.budget_amount')} - COALESCE(("
        f"SELECT SUM({amount}) FROM monitoring_decision d WHERE d.project_id = t.project_id AND d.kind = 'cut'), 0) "
        "END AS b, CASE WHEN t.project_id IS NULL THEN s.amount ELSE pr.budget_amount END AS raw_b, "
        f"COALESCE(CASE WHEN t.project_id IS NULL THEN ({paid}x.region_id = t.region_id AND x.agency_id = t.agency_id "
        f"AND x.project_id IS NULL) ELSE ({paid}x.project_id = t.project_id) END, 0) AS e, "
        f"CASE WHEN t.project_id IS NULL THEN '{AGENCY_KIND}' ELSE pr.kind END AS kind, "
        f"({plan.format(f'SUM(CASE WHEN p.month <= {m} THEN {planned} ELSE 0 END)')}) AS pm, "
        f"({plan.format(f'SUM({planned})')}) AS pt, "
        f"({plan.format('MIN(p.amount)')}) AS pmin "
        "FROM monitoring_monitoringtable t "
        f"LEFT JOIN projects_project pr ON pr.id = t.project_id AND pr.region_id = {region} "
        f"LEFT JOIN targets_targetsheet s ON s.id = t.sheet_id AND t.project_id IS NULL AND s.region_id = {region} "
        f"WHERE t.region_id = {region} AND t.id IN ({ids})")
    # ratio = (E ÷ B) ÷ (N ÷ D) < r ÷ s  ⟺  E·D·s < r·B·N (B, N, D > 0)
    red, yellow = (f"e * {d} * {rd}", f"{rn} * b * {n}"), (f"e * {d} * {yd}", f"{yn} * b * {n}")
    dev = (f"ABS(e * {d} - {n} * b) * {dd}", f"{dn} * {n} * b")
    refused = "b < 0 OR (pmin IS NOT NULL AND pmin < 0)"  # the rules refuse these: read exactly, they say why
    sev = (f"CASE WHEN b IS NULL OR b = 0 OR {refused} THEN NULL WHEN {n} = 0 THEN 1 "
           f"WHEN {red[0]} < {red[1]} THEN 3 WHEN {yellow[0]} < {yellow[1]} THEN 2 ELSE 1 END")
    deviates = (f"CASE WHEN b IS NULL OR b <= 0 THEN 0 WHEN {n} = 0 THEN CASE WHEN e <> 0 THEN 1 ELSE 0 END "
                f"WHEN {dev[0]} > {dev[1]} THEN 1 ELSE 0 END")
    if q.pg:
        near = f"CASE WHEN {refused} THEN 1 ELSE 0 END"
    else:
        big = f"ABS(raw_b) >= {BIG_MONEY} OR ABS(e) >= {BIG_MONEY * 100} OR ABS(pt) >= {BIG_MONEY * 100}"
        edges = " OR ".join(q.near(left, right) for left, right in (red, yellow, dev))
        near = (f"CASE WHEN {refused} OR {big} THEN 1 WHEN b IS NULL OR b = 0 THEN 0 "
                f"WHEN {edges} THEN 1 ELSE 0 END")
    # MATERIALIZED: each table's sums once (a flattened subquery would run them again in every comparison)
    return f"WITH y AS MATERIALIZED ({inner}) SELECT tid, initial, {sev}, {deviates}, {near} FROM y"


def monitored(rnd, tables: Sequence[tuple[int, int, int | None, tuple]]) -> list[rules.Monitored]:
    """``rules.Monitored`` of each of ``tables`` — (table id, agency id, project id, project tags) of
    round ``rnd``, as the caller read them within the user's scope — in the order given: two
    statements per :data:`CHUNK` tables; the near ones (SQLite) read again through ``read_tables``."""
    from jixiao.monitoring.models import MonitoringTable
    from jixiao.monitoring.readings import read_tables

    by_sql, near = sql_monitored(rnd, tables)
    again = {}
    if near:
        again = {pk: monitored_of(r) for pk, r in read_tables(MonitoringTable.objects.filter(pk__in=sorted(near))).items()}
    out = []
    for tid, agency, project, tags in tables:
        amount, budget_light, goal_light, blue, deviating = again[tid] if tid in again else by_sql[tid]
        out.append(rules.Monitored(agency=agency, project=project, tags=tuple(tags or ()), amount=amount,
                                   budget_light=budget_light, goal_light=goal_light, blue=blue, deviating=deviating))
    return out


def sql_monitored(rnd, tables: Sequence[tuple]) -> tuple[dict[int, tuple], set[int]]:
    """({table id: (budget monitored, budget light, goal light, blue indicators, deviating)} as the
    database computes them, {the ids whose figures came near a boundary: to be read exactly})."""
    from jixiao.monitoring.readings import region_settings

    thresholds, profiles = region_settings(rnd.region_id, rnd.year)
    lights: dict[int, tuple] = {}
    budget: dict[int, tuple] = {}
    near: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(tables), CHUNK):
            ids = ", ".join(map(str, _ids(tables[start:start + CHUNK])))
            # (the round's region on every table read: PostgreSQL then reads the county's rows through the
            # region-leading indexes instead of merging along a primary key that spans the province)
            region = _lit(int(rnd.region_id))
            cursor.execute(_indicator_sql(ids, region=region, month=rnd.month, th=thresholds))
            for tid, worst, blue, deviating, close in cursor.fetchall():
                lights[tid] = (worst, int(blue or 0), int(deviating or 0))
                if close:
                    near.add(tid)
            cursor.execute(_budget_sql(ids, region=region, year=rnd.year, month=rnd.month, th=thresholds,
                                       profiles=profiles))
            for tid, initial, severity, deviates, close in cursor.fetchall():
                budget[tid] = (initial, severity, deviates)
                if close:
                    near.add(tid)
    out = {}
    for tid, *_rest in tables:
        initial, severity, deviates = budget[tid]
        worst, blue, deviating_rows = lights.get(tid, (None, 0, 0))
        out[tid] = (_money(initial), LIGHT_OF[severity] if severity is not None else None,
                    LIGHT_OF[worst] if worst is not None else None, blue, bool(deviates) or bool(deviating_rows))
    return out, near


def monitored_of(r) -> tuple:
    """The same five figures of one table's full reading (``readings.TableReading``)."""
    return (r.budget_initial, str(r.budget_light) if r.budget_light else None,
            str(r.goal_light) if r.rows and r.goal_light else None, r.blue_count, bool(r.deviations))


def _money(value) -> Decimal | None:
    """A budget as the database returned it (SQLite: a float or an int) as Decimal yuan with cents —
    converted the way Django's SQLite backend converts a decimal column (15 significant digits)."""
    if value is None:
        return None
    if isinstance(value, float):
        value = _FLOAT.create_decimal_from_float(value)
    return Decimal(value).quantize(rules.CENT)


_FLOAT = Context(prec=15)
