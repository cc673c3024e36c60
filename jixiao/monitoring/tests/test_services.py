"""Hand entry of one month (agencies without the treasury export): version-checked, scoped, logged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.core.errors import StaleVersion, ValidationFailed
from jixiao.core.models import ChangeLog
from jixiao.monitoring.models import MonthlyExecution
from jixiao.monitoring.services import enter_execution, enter_spending_plan
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(world):
    return make_project(world, code="XM-SCH", agency="101001")


def test_enter_then_correct_with_the_version(world, school):
    preparer = world.user("preparer")
    row = enter_execution(actor=preparer, project=school, year=2026, month=3, fund_source="own", amount=Decimal("500"))
    assert (row.amount, row.entry, row.version, row.agency_id) == (Decimal("500.00"), "manual", 1, school.agency_id)
    row = enter_execution(actor=preparer, project=school, year=2026, month=3, fund_source="own", amount=Decimal("600"),
                          version=1)
    assert (row.amount, row.version) == (Decimal("600.00"), 2)
    with pytest.raises(StaleVersion):
        enter_execution(actor=preparer, project=school, year=2026, month=3, fund_source="own", amount=1, version=1)
    assert MonthlyExecution.objects.get().amount == Decimal("600.00")
    assert ChangeLog.objects.filter(action="update", object_id=str(row.pk)).exists()


def test_enter_refusals_change_nothing(world, school):
    with pytest.raises(ValidationFailed) as exc:
        enter_execution(actor=world.user("preparer"), project=school, year=2026, month=13, fund_source="own", amount=1)
    assert exc.value.errors == {"month": ["月份应为 1 至 12 的整数"]}
    with pytest.raises(ValidationFailed) as exc:
        enter_execution(actor=world.user("preparer"), project=school, year=2026, month=1, fund_source="own", amount=-1)
    assert exc.value.errors == {"amount": ["金额不能为负数"]}
    with pytest.raises(ValidationFailed):
        enter_execution(actor=world.user("preparer"), project=school, year=2026, month=1, fund_source="自筹", amount=1)
    # another agency's preparer, another county, a read-only role
    for username in ("preparer_agri", "far_perf_section", "leader"):
        with pytest.raises(PermissionDenied):
            enter_execution(actor=world.user(username), project=school, year=2026, month=1, fund_source="own", amount=1)
    assert not MonthlyExecution.objects.exists()


def test_agency_whole_budget_and_spending_plan_by_hand(world, school):
    perf = world.user("perf_section")
    whole = enter_execution(actor=perf, agency=world.agency("101001"), year=2026, month=1, fund_source="higher_transfer",
                            amount=Decimal("1"))
    assert whole.project is None and whole.agency.code == "101001"
    plan = enter_spending_plan(actor=world.user("preparer"), project=school, year=2026, month=6, amount=Decimal("10"))
    plan = enter_spending_plan(actor=world.user("preparer"), project=school, year=2026, month=6, amount=Decimal("20"),
                               version=plan.version)
    assert plan.amount == Decimal("20.00")
    with pytest.raises(PermissionDenied):
        enter_spending_plan(actor=world.user("preparer_agri"), project=school, year=2026, month=6, amount=1,
                            version=plan.version)


def test_adjusted_budget_is_the_budget_less_every_cut(world, school):
    """The 调整后预算 of a project is derived from the 调减预算 decisions, never stored twice."""
    from django.utils import timezone

    from jixiao.monitoring.models import Decision
    from jixiao.monitoring.services import budgets
    project = school
    other = make_project(world, code="XM-OTHER", agency="101001")
    perf = world.user("perf_section")
    common = {"region_id": project.region_id, "agency_id": project.agency_id, "project": project,
              "year": project.year, "decided_by": perf, "decided_at": timezone.now(), "reason": "执行滞后"}
    Decision.objects.create(kind="cut", amount=Decimal("1000.00"), **common)
    Decision.objects.create(kind="cut", amount=Decimal("234.56"), **common)
    Decision.objects.create(kind="recover", amount=Decimal("5000.00"), **common)  # recovered funds: not a cut
    Decision.objects.create(kind="suspend", **common)
    got = budgets([project.pk, other.pk])
    assert got[project.pk] == (project.budget_amount, project.budget_amount - Decimal("1234.56"))
    assert got[other.pk] == (other.budget_amount, other.budget_amount)
