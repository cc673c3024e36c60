"""The main life of a target sheet through the services: write, check, submit, return, resubmit,
approve; the project's budget gate; adjustment and the budget-adjustment gate."""

from decimal import Decimal

import pytest

from jixiao.core.errors import TransitionError, ValidationFailed
from jixiao.core.models import ReviewEvent
from jixiao.projects import services as project_services
from jixiao.targets import services
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import (
    GOOD_ROWS,
    approve_through,
    approved_sheet,
    make_project,
    make_sheet,
)


def test_clean_sheet_has_no_findings_and_goes_through_the_chain(world):
    sheet = make_sheet(world)
    assert sheet.status == "draft" and sheet.taxonomy == "2021"
    assert list(sheet.findings.values_list("code", flat=True)) == []
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    assert sheet.status == "in_review" and sheet.submitted_at
    sheet = approve_through(world, sheet)
    assert sheet.status == "approved" and sheet.approved_at
    steps = list(ReviewEvent.objects.filter(review__object_id=sheet.pk, review__chain="target")
                 .values_list("action", "from_step"))
    assert steps == [("submit", ""), ("approve", "单位自审"), ("approve", "主管部门审核"), ("approve", "业务股室初审"),
                     ("approve", "绩效股复审")]
    assert sheet.project.events.filter(kind="targets", title="绩效目标批复").exists()


def test_blocking_findings_refuse_submit_and_change_nothing(world):
    rows = [dict(r) for r in GOOD_ROWS if r["level1"] != "satisfaction"]
    rows[0] = {**rows[0], "value": "两栋"}
    sheet = make_sheet(world, rows=rows)
    codes = set(sheet.findings.values_list("code", flat=True))
    assert {"missing_level1", "non_numeric", "weight_total"} <= codes
    with pytest.raises(ValidationFailed) as exc:
        services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    messages = exc.value.errors["findings"]
    assert any("满意度指标" in m for m in messages) and any("两栋" in m for m in messages)
    sheet.refresh_from_db()
    assert sheet.status == "draft"


def test_return_then_fix_and_resubmit(world):
    sheet = make_sheet(world)
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    sheet = services.approve_sheet(actor=world.user("unit_head"), sheet=sheet, version=sheet.version)
    with pytest.raises(ValidationFailed):
        services.return_sheet(actor=world.user("dept_reviewer"), sheet=sheet, version=sheet.version, opinion=" ")
    sheet = services.return_sheet(actor=world.user("dept_reviewer"), sheet=sheet, version=sheet.version,
                                  opinion="满意度指标值偏低")
    assert sheet.status == "returned" and sheet.return_count == 1
    rows = [dict(r) for r in GOOD_ROWS]
    rows[-1]["value"] = "95"
    sheet = services.save_indicators(actor=world.user("preparer"), sheet=sheet, version=sheet.version, rows=rows)
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    sheet = approve_through(world, sheet)
    assert sheet.status == "approved"


def test_reviewer_of_another_step_cannot_act(world):
    sheet = make_sheet(world)
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    with pytest.raises(TransitionError):
        services.approve_sheet(actor=world.user("perf_section"), sheet=sheet, version=sheet.version)
    sheet.refresh_from_db()
    assert sheet.status == "in_review"


def test_budget_gate_opens_only_with_approved_sheet(world):
    perf = world.user("perf_section")
    project = make_project(world)
    project = project_services.admit(actor=perf, project=project, version=project.version)
    with pytest.raises(TransitionError) as exc:
        project_services.include_in_budget(actor=perf, project=project, version=project.version)
    assert "尚未编报" in exc.value.message
    approved_sheet(world, project=project)
    project.refresh_from_db()
    project = project_services.include_in_budget(actor=perf, project=project, version=project.version)
    assert project.stage == "budgeted"


def test_adjustment_is_a_new_version_and_gates_the_budget_change(world):
    perf = world.user("perf_section")
    project = make_project(world)
    project = project_services.admit(actor=perf, project=project, version=project.version)
    first = approved_sheet(world, project=project)
    project.refresh_from_db()
    project = project_services.include_in_budget(actor=perf, project=project, version=project.version)
    with pytest.raises(TransitionError):
        project_services.update_project(actor=perf, project=project, version=project.version,
                                        budget_amount=Decimal("1000000"))
    second = services.adjust_sheet(actor=world.user("preparer"), sheet=first, reason="上级资金调减")
    assert second.number == 2 and second.previous_id == first.pk and second.indicators.count() == len(GOOD_ROWS)
    with pytest.raises(TransitionError):
        services.adjust_sheet(actor=world.user("preparer"), sheet=first, reason="再调一次")
    second = services.update_sheet(actor=world.user("preparer"), sheet=second, version=second.version,
                                   amount=Decimal("1000000"), fiscal_amount=Decimal("1000000"))
    second = services.submit_sheet(actor=world.user("preparer"), sheet=second, version=second.version)
    second = approve_through(world, second)
    first.refresh_from_db()
    assert second.status == "approved" and first.status == "superseded"
    project.refresh_from_db()
    project = project_services.update_project(actor=perf, project=project, version=project.version,
                                              budget_amount=Decimal("1000000"))
    assert project.budget_amount == Decimal("1000000.00")
    assert [s.number for s in services.versions(second)] == [1, 2]


def test_save_indicators_reports_every_bad_row_and_writes_nothing(world):
    sheet = make_sheet(world)
    rows = [dict(r) for r in GOOD_ROWS]
    rows[1]["level1"] = "outputs"
    rows[3]["weight"] = "十"
    with pytest.raises(ValidationFailed) as exc:
        services.save_indicators(actor=world.user("preparer"), sheet=sheet, version=sheet.version, rows=rows)
    problems = exc.value.errors["indicators"]
    assert any(p.startswith("第 2 项") for p in problems) and any(p.startswith("第 4 项") for p in problems)
    assert TargetSheet.objects.get(pk=sheet.pk).indicators.count() == len(GOOD_ROWS)


def test_only_one_declared_sheet_per_project_and_year(world):
    sheet = make_sheet(world)
    with pytest.raises(TransitionError):
        services.create_sheet(actor=world.user("preparer"), year=sheet.year, project=sheet.project)
