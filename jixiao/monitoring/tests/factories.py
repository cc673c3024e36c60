"""Monitoring rounds and tables for tests and the route walk, made through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jixiao.monitoring import services
from jixiao.monitoring.models import MonitoringRound, MonitoringTable
from jixiao.projects.tests.factories import HOME, project_at
from jixiao.targets.tests.factories import approved_sheet

YEAR = 2026
DEADLINE = dt.date(2026, 6, 10)


def budgeted_project(world, *, code: str = "XM-MON-1", agency: str = "101001", region: str = HOME,
                     amount: Decimal = Decimal("1000000"), sheet: bool = True, **overrides):
    """A project budgeted for 2026 (已纳入预算), with an approved target sheet of GOOD_ROWS when ``sheet``."""
    project = project_at(world, "budgeted", code=code, agency=agency, region=region, budget_amount=amount,
                         requested_amount=amount, **overrides)
    if sheet:
        approved_sheet(world, project=project)
    return project


def open_round(world, *, month: int = 5, scope_kind: str = "all_projects", actor: str = "perf_section",
               region: str = HOME, deadline=DEADLINE, **kwargs) -> MonitoringRound:
    return services.open_round(actor=world.user(actor), region=world.regions[region], year=YEAR, month=month,
                               deadline=deadline, title=kwargs.pop("title", f"{YEAR}年1—{month}月绩效运行监控"),
                               scope_kind=scope_kind, **kwargs)


def school_table(world, *, month: int = 5) -> MonitoringTable:
    """The table of 第一中学's budgeted project (approved sheet, 6 indicators) in a round of ``month``."""
    project = budgeted_project(world)
    existing = MonitoringTable.objects.filter(project=project, round__month=month).first()
    if existing is not None:
        return existing
    rnd = open_round(world, month=month, scope_kind="picked", projects=[project])
    return rnd.tables.get()
