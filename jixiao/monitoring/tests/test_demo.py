"""The monitoring part of the demo county: back-loaded execution by fund source, spending plans and
profiles (every expectation basis), two rounds with tables in every state and lights of every colour,
deviations with their reasons, decisions of several kinds with amounts, the personas' inboxes, the
pages, idempotence. The county is built once, in one test (it takes seconds); the pure helpers are
tested on their own."""

import datetime as dt
import io
import json
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from jixiao.core.models import InboxItem, ReviewEvent
from jixiao.monitoring import demo
from jixiao.monitoring.models import (
    Decision,
    MonitoringRound,
    MonitoringTable,
    MonthlyExecution,
    SpendingPlan,
)
from jixiao.monitoring.readings import read_tables
from jixiao.org.models import User
from jixiao.projects.models import Project

YEAR = 2025  # a past year: all twelve months have data whatever today is


def test_data_months_follow_the_calendar():
    assert demo.data_months(2025, dt.date(2026, 3, 1)) == 12
    assert demo.data_months(2026, dt.date(2026, 9, 20)) == 8
    assert demo.data_months(2026, dt.date(2026, 1, 5)) == 0
    assert demo.data_months(2027, dt.date(2026, 12, 1)) == 0


def test_split_is_exact_and_the_curve_back_loaded():
    amounts = demo.split(Decimal("1234567.89"), [1, 0, 3, 2] + [1] * 8)
    assert sum(amounts.values()) == Decimal("1234567.89") and 2 not in amounts
    curve = demo.execution_curve(random.Random(1), demo._cumulative(demo.PROJECT_PROFILE), final=0.95, power=1.0)
    assert curve == sorted(curve) and abs(curve[-1] - 0.95) < 1e-9 and curve[4] < 5 / 12 * 0.8
    rows = demo.monthly_rows(Decimal(1_000_000), curve, [("higher_transfer", 0.4), ("own", 0.6)], 8)
    assert {m for m, _s in rows} <= set(range(1, 9)) and {s for _m, s in rows} == {"higher_transfer", "own"}


def build(year=YEAR) -> dict:
    out = io.StringIO()
    call_command("build_demo", "--scale", "county", "--seed", "1", "--year", str(year), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_demo_monitoring():
    summary = build()
    assert summary["monitoring_rounds_created"] == 2

    # execution: back-loaded (well below the straight line by May), both fund sources, whole budgets too
    budgeted = Project.objects.filter(region__code="370724", year=YEAR, stage__in=demo.EXECUTED_STAGES)
    budget = budgeted.aggregate(s=Sum("budget_amount"))["s"]
    rows = MonthlyExecution.objects.filter(region__code="370724", year=YEAR)
    projects = rows.filter(project__isnull=False)

    def share(month):
        return projects.filter(month__lte=month).aggregate(s=Sum("amount"))["s"] / budget

    assert share(3) < Decimal("0.22") and share(5) < Decimal("0.8") * 5 / 12
    assert Decimal("0.88") <= share(12) <= Decimal("0.98")
    assert share(12) - share(8) > share(5)  # most of it in the last four months
    assert set(rows.values_list("fund_source", flat=True)) == {"higher_transfer", "own"}
    assert rows.filter(project__isnull=True).values("agency").distinct().count() > 80
    # some projects lag badly: under 40 % by December
    paid = dict(projects.values("project").annotate(s=Sum("amount")).values_list("project", "s"))
    lagging = [p for p in budgeted.filter(stage__in=["budgeted", "executing"])
               if paid.get(p.pk, 0) < p.budget_amount * Decimal("0.4")]
    assert len(lagging) >= 10
    # plans for about a third, one entered by hand
    monitored = budgeted.filter(stage__in=["budgeted", "executing"]).count()
    planned = SpendingPlan.objects.filter(region__code="370724", year=YEAR).values("project").distinct().count()
    assert 0.2 * monitored < planned < 0.45 * monitored
    assert SpendingPlan.objects.filter(entry="manual", agency__code="101001").exists()

    # two rounds: May closed, August open, tables in several states
    may, august = MonitoringRound.objects.filter(region__code="370724", year=YEAR).order_by("month")
    assert (may.month, may.status, august.month, august.status) == (5, "closed", 8, "open")
    for rnd in (may, august):
        tables = list(MonitoringTable.objects.filter(round=rnd))
        assert len(tables) == budgeted.filter(stage__in=["budgeted", "executing"]).count()
        assert set(Counter(t.status for t in tables)) == {"draft", "in_review", "returned", "approved"}
        readings = read_tables(tables)
        assert {r.budget_light for r in readings.values()} >= {"red", "yellow", "green"}
        assert {r.goal_light for r in readings.values()} >= {"red", "yellow", "green"}
        assert sum(r.blue_count for r in readings.values()) > 20
        assert {r.expectation.basis for r in readings.values()} == {"spending_plan", "spending_profile",
                                                                      "time_progress"}
        # a rate held all year (满意度, 验收合格率) is read against the stated rate, never blue
        rates = [x for r in readings.values() for x in r.rows
                 if x.unit == "%" and x.value_to_date and x.signal.kind == "positive"]
        assert len(rates) > 20 and all(x.stated_expected and x.light != "blue" for x in rates)
        assert {x.light for x in rates} >= {"green", "yellow", "red"}
        # every submitted table is complete: each deviation has its reason
        submitted = [t for t in tables if t.status != "draft"]
        assert not [t.pk for t in submitted if readings[t.pk].problems()]
        deviating = [t for t in submitted if readings[t.pk].budget_required]
        assert len(deviating) > 20 and all(t.cause and t.explanation and t.likelihood and t.measures
                                           for t in deviating)
        assert any(r.required and r.reasons["explanation"] for t in submitted for r in readings[t.pk].rows)
        # missing (empty) tables and drafts with reasons still to write
        drafts = [t for t in tables if t.status == "draft"]
        assert any(t.estimate is None and not t.goal_progress for t in drafts)
        assert any(readings[t.pk].problems() and t.goal_progress for t in drafts)
        late = [t for t in submitted if t.submitted_at and t.submitted_at.date() > rnd.deadline]
        assert late
    assert august.tables.filter(status="returned").exclude(return_count=0).exists()
    assert ReviewEvent.objects.filter(review__chain="monitoring", action="return").exclude(opinion="").count() > 10

    # decisions of several kinds, with amounts; one suspension lifted
    decisions = Decision.objects.filter(region__code="370724", year=YEAR)
    assert set(decisions.values_list("kind", flat=True)) == {"continue", "adjust_target", "suspend", "stop", "cut",
                                                             "recover"}
    assert all(d.amount > 0 for d in decisions.filter(kind__in=["cut", "recover"]))
    assert decisions.filter(kind="suspend", lifted_at__isnull=False).count() == 1
    assert decisions.get(kind="adjust_target").sheet.status == "draft"

    # the personas find work
    for username, title in (("preparer", "【已退回】"), ("unit_head", "【单位自审】"), ("dept_reviewer", "【主管部门审核】"),
                            ("perf_section", "【绩效股审核】")):
        items = InboxItem.objects.filter(user__username=username, done_at__isnull=True, title__startswith=title,
                                         title__contains="绩效运行监控")
        assert items.exists(), username
    assert InboxItem.objects.filter(user__username="preparer_agri", done_at__isnull=True, kind="assignment",
                                    title__startswith="【监控填报】").exists()

    # the pages open for the demo logins
    for username in ("perf_section", "preparer", "dept_reviewer", "leader"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in ("/monitoring/rounds/", f"/monitoring/board/?round={august.pk}", "/monitoring/board/",
                    august.get_absolute_url()):
            assert client.get(url).status_code == 200, (username, url)
    client = Client()
    client.force_login(User.objects.get(username="perf_section"))
    table = august.tables.filter(status="in_review").first()
    assert client.get(table.get_absolute_url()).status_code == 200

    # idempotent
    again = build()
    assert again["monitoring_rounds_created"] == 0
    assert MonitoringRound.objects.filter(region__code="370724", year=YEAR).count() == 2
