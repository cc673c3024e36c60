"""The database's lights (``tallies``) are the rules' lights (``readings.read_tables``), on SQLite and on
PostgreSQL: a round of projects whose indicators, values, execution, plans, profiles and cuts are
drawn around every boundary of domain-rules §5 (progress exactly 0.6 / 0.8 / 1.2, a deviation of
exactly 20%, a value on a reverse limit, targets of 0 and below, missing values, qualitative
achievements; the agency's stated expectation for the checkpoint in place of target × m ÷ 12 — or of
the limit —, with values on its own boundaries, stated expectations of 0 and below, one without a
numeric target; a budget ratio on 0.6 / 0.8, nothing expected, a zero budget, cuts), each table
compared figure by figure."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from jixiao.core.actors import SYSTEM
from jixiao.core.models import RegionConfig
from jixiao.core.services import update_region_config
from jixiao.monitoring import board, services, tallies
from jixiao.monitoring.models import Decision, MonitoringRow, MonitoringTable
from jixiao.monitoring.readings import read_tables
from jixiao.monitoring.tests.factories import budgeted_project, open_round
from jixiao.targets.models import TargetIndicator

pytestmark = pytest.mark.django_db

MONTH = 6  # time progress 1/2: the boundaries land on round numbers
PROJECTS = 16


def _values(rng: random.Random, target: Decimal | None) -> list:
    """Values to date around the boundaries of a target at month 6 (expected = target ÷ 2)."""
    if target is None:
        return [None, Decimal("3")]
    x = target * MONTH / 12
    exact = [x * Decimal(k) for k in ("0", "0.6", "0.8", "1.2", "1", "0.5999", "0.8001", "1.2001", "1.5")]
    return [None, target, target * Decimal("1.2"), target + 1, *exact,
            Decimal(rng.randrange(-100, 20000)) / 100]


#: the agency's stated expectations drawn (9 × 10¹¹: beyond SQLite's exact bound)
STATED = [Decimal("90"), Decimal("100"), Decimal("0"), Decimal("-3"), Decimal("2.5"), Decimal("900000000000")]


def _values_stated(rng: random.Random, e: Decimal) -> list:
    """Values to date around the boundaries of a stated expectation ``e`` (the positive progress bands,
    the deviation of 20%, a reverse limit and 20% beyond it)."""
    exact = [e * Decimal(k) for k in ("0", "0.6", "0.8", "1.2", "1", "0.5999", "0.8001", "1.2001", "1.5")]
    return [None, e, e + 1, e - abs(e) * Decimal("0.2"), e + abs(e) * Decimal("0.2"), *exact,
            Decimal(rng.randrange(-100, 20000)) / 100]


@pytest.fixture
def rnd(world):
    rng = random.Random(13)
    row = RegionConfig.objects.get(region=world.regions["370724"], year=2026, key="spending_profiles")
    update_region_config(actor=world.user("perf_section"), config=row, version=row.version,
                         raw={"project": "5,10,15,20,30,40,50,60,70,80,90,100", "policy": "", "agency": ""})
    amounts = [Decimal(a) for a in ("1000000", "600000", "0", "333333.33", "800000", "100")]
    projects = []
    for n in range(PROJECTS):
        projects.append(budgeted_project(world, code=f"XM-T-{n:02d}", amount=amounts[n % len(amounts)],
                                         kind="policy" if n % 4 == 3 else "project", sheet=n % 5 != 4,
                                         name=f"测试项目{n}"))
    perf = world.user("perf_section")
    for n, project in enumerate(projects):
        budget = project.budget_amount
        if n % 3 == 0:  # a spending plan: half the year's plan by June → share 1/2
            for month in range(1, 13):
                services.enter_spending_plan(actor=perf, project=project, year=2026, month=month,
                                             amount=Decimal(0) if n % 6 == 0 and month <= MONTH else Decimal(1000))
        # executed to June: on a boundary of the ratio (0.6, 0.8 of the expected share) or anywhere
        share = Decimal("0.5") if n % 3 == 0 else (Decimal("0.4") if n % 4 != 3 else Decimal("0.5"))
        factor = [Decimal("0.6"), Decimal("0.8"), Decimal("1.2"), Decimal("0.7"), Decimal(0)][n % 5]
        paid = (budget * share * factor).quantize(Decimal("0.01"))
        if paid:
            services.enter_execution(actor=perf, project=project, year=2026, month=3, fund_source="own", amount=paid)
    services.decide(actor=perf, project=projects[1], kind="cut", reason="进度滞后，调减预算", amount=Decimal("100000"))
    # a project of 80 亿 with a plan: on SQLite its products outgrow 64 bits, so it is read again exactly
    big = budgeted_project(world, code="XM-T-BIG", amount=Decimal("8000000000"), name="跨年度重大项目")
    for month in range(1, 13):
        services.enter_spending_plan(actor=perf, project=big, year=2026, month=month, amount=Decimal("666666666.67"))
    services.enter_execution(actor=perf, project=big, year=2026, month=5, fund_source="own",
                             amount=Decimal("2400000000.00"))  # ratio exactly 0.6
    r = open_round(world, month=MONTH)
    # the indicators and values drawn around the boundaries (the approved sheets' rows, rewritten here:
    # what a table holds after filling, without going through the filling page for 80 rows)
    operators = ["ge", "gt", "eq", "le", "lt", "qualitative"]
    stated = []
    # (9 × 10¹¹: on SQLite beyond the exact-integer bound, so its table is read again)
    targets = [Decimal("100"), Decimal("2.5"), Decimal("0"), Decimal("-5"), None, Decimal("12"), Decimal("95"),
               Decimal("900000000000")]
    for row in MonitoringRow.objects.filter(table__round=r).select_related("indicator"):
        op = rng.choice(operators)
        target = rng.choice(targets)
        TargetIndicator.objects.filter(pk=row.indicator_id).update(operator=op, number=target)
        if op == "qualitative":
            MonitoringRow.objects.filter(pk=row.pk).update(
                achievement=rng.choice(["", "achieved", "partial", "not_achieved"]))
        elif rng.random() < 0.45:  # the agency stated its expectation: every boundary of it in turn
            e = rng.choice(STATED)
            values = _values_stated(rng, e)
            MonitoringRow.objects.filter(pk=row.pk).update(stated_expected=str(e), number_stated_expected=e,
                                                           number_to_date=values[len(stated) % len(values)])
            stated.append(row.pk)
        else:
            MonitoringRow.objects.filter(pk=row.pk).update(number_to_date=rng.choice(_values(rng, target)))
    return r


def _tables(rnd):
    return list(MonitoringTable.objects.filter(round=rnd).order_by("pk")
                .values_list("pk", "agency_id", "project_id", "project__tags"))


def test_the_databases_lights_are_the_rules_lights(world, rnd):
    tables = _tables(rnd)
    by_sql, near = tallies.sql_monitored(rnd, tables)
    exact = {pk: tallies.monitored_of(r) for pk, r in read_tables(MonitoringTable.objects.filter(round=rnd)).items()}
    # what the database decided by itself is the rules' answer, table by table
    decided = [pk for pk, *_ in tables if pk not in near]
    assert {pk: by_sql[pk] for pk in decided} == {pk: exact[pk] for pk in decided}
    # and the whole answer (near ones read again exactly) is the rules' answer for every table
    assert [(m.amount, m.budget_light, m.goal_light, m.blue, m.deviating) for m in tallies.monitored(rnd, tables)] == \
        [exact[pk] for pk, *_ in tables]
    # the round covers what it should: every light, blue indicators, deviations, a table without rows
    values = list(exact.values())
    assert {v[1] for v in values} >= {"red", "yellow", "green", None}
    assert {v[2] for v in values} >= {"red", "green", None}
    assert any(v[3] for v in values) and any(v[4] for v in values) and not all(v[4] for v in values)
    assert Decision.objects.filter(kind="cut").count() == 1
    # stated expectations are drawn: some lit on their own boundaries, some without a numeric target
    stated = MonitoringRow.objects.filter(table__round=rnd, number_stated_expected__isnull=False,
                                          number_to_date__isnull=False)
    assert stated.count() >= 10 and stated.filter(indicator__number__isnull=True).exists()
    ratios = {a / e for a, e in stated.filter(number_stated_expected__gt=0).values_list("number_to_date",
                                                                                           "number_stated_expected")}
    assert len(ratios & {Decimal("0.6"), Decimal("0.8"), Decimal("1.2")}) >= 2, ratios
    if connection.vendor == "postgresql":
        assert not near  # numeric is exact: nothing is read again
    else:  # exact integers: only the 80 亿 project's products and the 9 × 10¹¹ values are read again
        numeric = (MonitoringRow.objects.filter(table__round=rnd, number_to_date__isnull=False)
                   .filter(Q(indicator__number__isnull=False) | Q(number_stated_expected__isnull=False))
                   .exclude(indicator__operator="qualitative"))
        huge = (Q(indicator__number__gte=tallies.BIG_VALUE) | Q(number_to_date__gte=tallies.BIG_VALUE)
                | Q(number_stated_expected__gte=tallies.BIG_VALUE))
        expected = {*numeric.filter(huge).values_list("table_id", flat=True),
                    *MonitoringTable.objects.filter(round=rnd, project__code="XM-T-BIG").values_list("pk", flat=True)}
        assert near == expected and len(expected) < len(tables) // 2


def test_each_stated_expectation_is_lit_as_the_rules_light(world, rnd):
    """One stated row per table at a time (the others 达成: green, not deviating), so no other row masks
    it: the database's worst light, blue count and deviating rows are the rules', row by row — every
    operator against every stated expectation on each of its boundaries."""
    from django.db.models import F

    from jixiao.monitoring.readings import region_settings

    thresholds, _profiles = region_settings(rnd.region_id, rnd.year)
    rows = list(MonitoringRow.objects.filter(table__round=rnd).order_by("table_id", "position"))
    ids = ", ".join(str(pk) for pk, *_ in _tables(rnd))
    drawn = 0
    for position in sorted({r.position for r in rows}):
        active = [r for r in rows if r.position == position]
        others = MonitoringRow.objects.filter(table__round=rnd).exclude(position=position)
        TargetIndicator.objects.filter(pk__in=others.values("indicator_id")).update(operator="qualitative")
        others.update(achievement="achieved")
        for row in active:
            e = STATED[drawn % len(STATED)]
            values = _values_stated(random.Random(drawn), e)
            TargetIndicator.objects.filter(pk=row.indicator_id).update(operator=["ge", "gt", "eq", "le", "lt"][drawn % 5])
            MonitoringRow.objects.filter(pk=row.pk).update(achievement="", stated_expected=str(e), number_stated_expected=e,
                                                           number_to_date=values[(drawn // 5) % len(values)])
            drawn += 1
        with connection.cursor() as cursor:
            cursor.execute(tallies._indicator_sql(ids, region=rnd.region_id, month=rnd.month, th=thresholds))
            by_sql = {tid: (tallies.LIGHT_OF[worst] if worst is not None else None, int(blue), int(dev))
                      for tid, worst, blue, dev, near in cursor.fetchall() if not near}
        exact = {pk: (str(r.goal_light) if r.goal_light else None, r.blue_count, sum(1 for x in r.rows if x.required))
                 for pk, r in read_tables(MonitoringTable.objects.filter(pk__in=by_sql)).items()}
        assert by_sql == exact, position
    assert drawn >= 60
    assert MonitoringRow.objects.filter(table__round=rnd, number_to_date=F("number_stated_expected")).exists()


def test_statistics_read_a_round_in_a_fixed_number_of_queries(world, rnd):
    """A round of 17 tables costs the same statements as a round of 2 (a query per table would add 15)."""
    small = open_round(world, month=MONTH + 1, scope_kind="picked", projects=list(
        MonitoringTable.objects.filter(round=rnd, project__code__in=["XM-T-00", "XM-T-01"]).values_list("project_id", flat=True)))
    assert rnd.tables.count() == PROJECTS + 1 and small.tables.count() == 2
    with CaptureQueriesContext(connection) as big_round:
        board.monitored(SYSTEM, rnd)
    with CaptureQueriesContext(connection) as small_round:
        board.monitored(SYSTEM, small)
    # (on SQLite the 17-table round also reads its near tables again: read_tables' fixed queries, once)
    extra = 0 if connection.vendor == "postgresql" else 12
    assert len(big_round) <= len(small_round) + extra
    stats = board.statistics(SYSTEM, 2026)
    assert [f.total.objects for f in stats.rounds] == [PROJECTS + 1, 2]


def test_a_number_for_sql_is_only_a_number():
    assert tallies._lit(Decimal("0.6")) == "0.6" and tallies._lit(12) == "12"
    assert tallies._lit(Decimal("1E-12")) == "0.000000000001"
    for bad in ("0.6; DROP TABLE x", 0.6, True, Decimal("NaN")):
        with pytest.raises((TypeError, ValueError)):
            tallies._lit(bad)
