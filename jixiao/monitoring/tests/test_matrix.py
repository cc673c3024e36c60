"""The declared actions of budget execution data, monitoring rounds and tables, and finance decisions × every persona."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.core.actors import SYSTEM
from jixiao.monitoring.models import (
    Decision,
    MonitoringRound,
    MonitoringTable,
    MonthlyExecution,
    SpendingPlan,
)
from jixiao.monitoring.services import decide, enter_execution, enter_spending_plan, submit_table
from jixiao.monitoring.tests.factories import school_table
from jixiao.projects.tests.factories import make_project, project_at
from tests.matrix import ActionMatrix

pytestmark = pytest.mark.django_db

EDITORS = {"preparer", "perf_section"}


class TestExecutionActions(ActionMatrix):
    model = MonthlyExecution
    action_personas = {"import": EDITORS, "enter": EDITORS}

    def action_object(self, world, action):
        project = make_project(world, code="XM-M1")
        existing = MonthlyExecution.objects.filter(project=project).first()
        return existing or enter_execution(actor=SYSTEM, project=project, year=2026, month=1, fund_source="own", amount=Decimal(1))


class TestSpendingPlanActions(ActionMatrix):
    model = SpendingPlan
    action_personas = {"import": EDITORS, "enter": EDITORS}

    def action_object(self, world, action):
        project = make_project(world, code="XM-M1")
        existing = SpendingPlan.objects.filter(project=project).first()
        return existing or enter_spending_plan(actor=SYSTEM, project=project, year=2026, month=1, amount=Decimal(1))


class TestRoundActions(ActionMatrix):
    model = MonitoringRound
    action_personas = {"close": {"perf_section"}}

    def action_object(self, world, action):
        return school_table(world).round


class TestTableActions(ActionMatrix):
    """``fill`` a draft table: its preparer and the performance section; ``submit``: its preparer;
    ``review`` a submitted one: whoever holds the current step (单位自审: the agency's head)."""

    model = MonitoringTable
    action_personas = {"fill": EDITORS, "submit": {"preparer"}, "review": {"unit_head"}}

    def action_object(self, world, action):
        table = school_table(world)
        if action != "review":
            return table
        table.refresh_from_db()
        if table.status == "draft":
            from jixiao.monitoring.tests.test_rounds import _fill_all

            table = _fill_all(world, table)
            table = submit_table(actor=world.user("preparer"), table=table, version=table.version)
        return table


class TestDecisionActions(ActionMatrix):
    """``decide`` (role-level: any decision of the county stands for the row scope) and ``lift`` (a
    suspension in force): the county's performance section only."""

    model = Decision
    action_personas = {"decide": {"perf_section"}, "lift": {"perf_section"}}

    def action_object(self, world, action):
        project = project_at(world, "executing", code="XM-M-DEC", budget_amount=Decimal("1000000"))
        return Decision.objects.filter(project=project, kind="suspend").first() or decide(
            actor=SYSTEM, project=project, kind="suspend", reason="偏差超过阈值")
