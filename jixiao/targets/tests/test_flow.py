"""The main life of a target sheet through the services: write, check, submit, return, resubmit,
approve; the project's budget gate; adjustment and the budget-adjustment gate."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.core import review as review_machinery
from jixiao.core.errors import StaleVersion, TransitionError, ValidationFailed
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


def test_expert_panel_step_is_taken_by_a_drawn_expert(world):
    from jixiao.org.models import Sector
    from jixiao.pools.tests.helpers import ensure_pool

    ensure_pool(world)
    sheet = make_sheet(world, include_expert_panel=True)
    assert [s["name"] for s in services.review_of(sheet).steps][-1] == "专家会审"
    with pytest.raises(PermissionDenied):
        services.draw_panel(actor=world.user("section_reviewer"), sheet=sheet, count=1,
                            fields=[Sector.objects.get(code="education")])
    draw = services.draw_panel(actor=world.user("perf_section"), sheet=sheet, count=3,
                               fields=[Sector.objects.get(code="education")])
    assert draw.drawn.filter(expert__user=world.user("expert")).exists()
    with pytest.raises(TransitionError):  # a second draw would silently enlarge the panel
        services.draw_panel(actor=world.user("perf_section"), sheet=sheet, count=1,
                            fields=[Sector.objects.get(code="education")])
    sheet.refresh_from_db()
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    sheet = approve_through(world, sheet)
    assert sheet.status == "in_review"
    # the expert now sees the sheet (assigned scope) and passes the panel step — but the panel is
    # every drawn expert (须全员通过), also the two without a login: the sheet stays in review
    assert TargetSheet.objects.for_user(world.user("expert"), "view").filter(pk=sheet.pk).exists()
    sheet = services.approve_sheet(actor=world.user("expert"), sheet=sheet, version=sheet.version, opinion="同意")
    assert sheet.status == "in_review"
    review = services.review_of(sheet)
    members = review_machinery.members(review)
    assert len(members) == 3 and sum(1 for m in members if m.user_id is None) == 2
    offline = [m for m in members if m.user_id is None]
    perf = world.user("perf_section")
    # 代录 is the performance section's, for a member without a login, with the signed opinion
    with pytest.raises(PermissionDenied):
        services.approve_sheet_on_behalf(actor=world.user("section_reviewer"), sheet=sheet, version=sheet.version,
                                         member=offline[0].key, opinion="同意")
    online = next(m for m in members if m.user_id is not None)
    with pytest.raises(TransitionError):
        services.approve_sheet_on_behalf(actor=perf, sheet=sheet, version=sheet.version, member=online.key,
                                         opinion="同意")
    with pytest.raises(ValidationFailed):
        services.approve_sheet_on_behalf(actor=perf, sheet=sheet, version=sheet.version, member=offline[0].key,
                                         opinion=" ")
    sheet = services.approve_sheet_on_behalf(actor=perf, sheet=sheet, version=sheet.version, member=offline[0].key,
                                             opinion="同意（见签字的会审意见表）")
    assert sheet.status == "in_review"
    with pytest.raises(TransitionError):  # passed once, never twice
        services.approve_sheet_on_behalf(actor=perf, sheet=sheet, version=sheet.version, member=offline[0].key,
                                         opinion="同意")
    sheet = services.approve_sheet_on_behalf(actor=perf, sheet=sheet, version=sheet.version, member=offline[1].key,
                                             opinion="同意")
    assert sheet.status == "approved"
    proxied = ReviewEvent.objects.filter(review=review, action="proxy_approve").order_by("pk")
    assert [(e.actor_id, e.on_behalf_of) for e in proxied] == [(perf.pk, m.name) for m in offline]


def test_agency_sheet_tasks_set_its_amounts(world):
    agency = world.agency("101001")
    preparer = world.user("preparer")
    sheet = services.create_sheet(actor=preparer, year=2026, agency=agency, annual_goal="1. 保障学校正常运转。")
    assert sheet.kind == "agency" and sheet.amount == 0
    sheet = services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
        {"name": "教育教学", "content": "保障教学", "fiscal_amount": "3000000", "other_amount": "200000"},
        {"name": "校舍维修", "content": "维修", "amount": "500000", "fiscal_amount": "500000"},
    ])
    assert sheet.amount == Decimal("3700000.00") and sheet.fiscal_amount == Decimal("3500000.00")
    with pytest.raises(ValidationFailed) as exc:
        services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
            {"name": "", "amount": "1"}, {"name": "x", "amount": "10", "fiscal_amount": "3", "other_amount": "3"}])
    assert len(exc.value.errors["tasks"]) == 2
    assert sheet.tasks.count() == 2
    with pytest.raises(TransitionError):
        services.create_sheet(actor=preparer, year=2026, agency=agency)


def test_scope_and_roles_of_writes(world):
    sheet = make_sheet(world)
    with pytest.raises(PermissionDenied):
        services.update_sheet(actor=world.user("preparer_agri"), sheet=sheet, version=sheet.version,
                              annual_goal="改")
    with pytest.raises(PermissionDenied):
        services.update_sheet(actor=world.user("unit_head"), sheet=sheet, version=sheet.version, annual_goal="改")
    with pytest.raises(StaleVersion):
        services.update_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version - 1,
                              annual_goal="改")
    with pytest.raises(PermissionDenied):
        services.create_sheet(actor=world.user("preparer_agri"), year=2026, project=make_project(world, code="XM2"))
    sheet.refresh_from_db()
    assert sheet.annual_goal != "改"


def test_adopting_templates_counts_usage_and_maps_the_taxonomy(world):
    from jixiao.library.models import IndicatorTemplate

    sheet = make_sheet(world, rows=[])
    template = IndicatorTemplate.objects.filter(region__isnull=True, level1="output", level2="cost").first()
    other = IndicatorTemplate.objects.filter(region__isnull=True, level1="satisfaction").first()
    before = (template.usage_count, other.usage_count)
    sheet = services.adopt_templates(actor=world.user("preparer"), sheet=sheet, version=sheet.version,
                                     templates=[template, other, other])
    rows = list(sheet.indicators.order_by("position"))
    assert [r.name for r in rows] == [template.name, other.name]
    assert (rows[0].level1, rows[0].level2) == ("cost", "economic_cost")  # classic cost filed under 2021
    template.refresh_from_db()
    other.refresh_from_db()
    assert (template.usage_count, other.usage_count) == (before[0] + 1, before[1] + 1)


def test_bulk_review_reports_each_refusal(world):
    ok = make_sheet(world)
    ok = services.submit_sheet(actor=world.user("preparer"), sheet=ok, version=ok.version)
    draft = make_sheet(world, project=make_project(world, code="XM2026101001002", name="实验室设备购置项目"))
    done, failures = services.bulk_review(actor=world.user("unit_head"), sheets=[ok, draft], action="approve",
                                          opinion="同意")
    assert done == 1 and len(failures) == 1 and "实验室设备购置项目" in failures[0]
    ok.refresh_from_db()
    assert services.review_of(ok).current_step["name"] == "主管部门审核"


def test_publish_only_approved_and_never_redacted(world):
    perf = world.user("perf_section")
    sheet = make_sheet(world)
    with pytest.raises(TransitionError):
        services.set_published(actor=perf, sheet=sheet, version=sheet.version, published=True)
    sheet = approved_sheet(world)
    with pytest.raises(ValidationFailed):
        services.set_published(actor=perf, sheet=sheet, version=sheet.version, published=True, redacted=True)
    with pytest.raises(PermissionDenied):
        services.set_published(actor=world.user("preparer"), sheet=sheet, version=sheet.version, published=True)
    sheet = services.set_published(actor=perf, sheet=sheet, version=sheet.version, published=True)
    assert sheet.published and sheet.published_at


def test_every_write_is_in_the_change_log(world):
    from jixiao.core.models import ChangeLog

    sheet = approved_sheet(world)
    rows = ChangeLog.objects.filter(object_type="targets.targetsheet", object_id=str(sheet.pk))
    assert rows.filter(action="create").count() == 1
    assert rows.filter(action="update", changes__has_key="indicators.1.weight").exists()
    assert rows.filter(action="update", changes__has_key="status").count() >= 2


def test_weaker_than_last_year_reads_the_registered_actuals(world):
    project = make_project(world)
    calls = []

    def provider(project_ids, year):
        calls.append((list(project_ids), year))
        return {project.pk: {("校舍安全 达标率", "%"): Decimal("97")}}

    services.register_actuals_provider(provider)
    try:
        sheet = make_sheet(world, project=project)
    finally:
        services.unregister_actuals_provider(provider)
    found = list(sheet.findings.values_list("code", "row"))
    assert found == [("weaker_than_last_year", 5)]  # 95% < last year's 97%
    assert calls and calls[-1] == ([project.pk], 2025)


def test_weights_not_summing_to_100_block_by_default_and_a_region_may_relax_it(world):
    from jixiao.core.models import RegionConfig
    from jixiao.core.services import seed_region_config, update_region_config

    rows = [dict(r) for r in GOOD_ROWS]
    rows[-1] = {**rows[-1], "weight": "20"}  # 110
    sheet = make_sheet(world, rows=rows)
    finding = sheet.findings.get(code="weight_total")
    assert finding.severity == "error" and "110" in finding.message
    with pytest.raises(ValidationFailed) as exc:
        services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    assert any("110" in m for m in exc.value.errors["findings"])
    sheet.refresh_from_db()
    assert sheet.status == "draft"

    # the county relaxes the rule to a warning (目标质量自动检查): the same sheet may now be submitted
    perf = world.user("perf_section")
    seed_region_config(actor=perf, region=perf.region, year=sheet.year)
    config = RegionConfig.objects.get(region=perf.region, year=sheet.year, key="target_quality_rules")
    raw = [dict(r, severity="warning") if r["code"] == "weight_total" else r for r in config.value]
    update_region_config(actor=perf, config=config, raw=raw, version=config.version)
    sheet = services.save_indicators(actor=world.user("preparer"), sheet=sheet, version=sheet.version, rows=rows)
    assert sheet.findings.get(code="weight_total").severity == "warning" and sheet.error_count == 0
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    assert sheet.status == "in_review"


def test_a_sheet_without_any_weights_gets_a_finding(world):
    sheet = make_sheet(world, rows=[{k: v for k, v in r.items() if k != "weight"} for r in GOOD_ROWS])
    assert list(sheet.findings.values_list("code", "severity")) == [("no_weights", "warning")]
