"""Pure rules: the stage machine, who needs an ex-ante assessment, function codes, years."""

from hypothesis import given
from hypothesis import strategies as st

from jixiao.projects import rules
from jixiao.projects.choices import ProjectAction, ProjectStage


def test_needs_exante_by_hand():
    assert rules.needs_exante(is_new=True, is_major=True, year=2026, end_year=2028)
    assert not rules.needs_exante(is_new=True, is_major=False, year=2026, end_year=2026)
    assert not rules.needs_exante(is_new=False, is_major=True, year=2026, end_year=2026)  # within its span
    assert rules.needs_exante(is_new=False, is_major=False, year=2027, end_year=2026)  # past its end year


@given(st.booleans(), st.integers(2000, 2100), st.integers(2000, 2100))
def test_continuing_within_span_never_needs_assessment(is_major, year, end_year):
    if year <= end_year:
        assert not rules.needs_exante(is_new=False, is_major=is_major, year=year, end_year=end_year)


@given(st.sampled_from(list(ProjectStage)), st.lists(st.sampled_from(list(ProjectAction)), max_size=12))
def test_no_move_leaves_a_final_stage(stage, actions):
    for action in actions:
        target = rules.target_stage(action, stage)
        if stage in rules.FINAL_STAGES:
            assert target is None
        if target is not None:
            stage = target
    assert stage in ProjectStage.values


def test_the_main_path():
    stage = ProjectStage.RESERVE
    for action in ("submit", "admit", "budget", "start", "complete"):
        stage = rules.target_stage(action, stage)
    assert stage == ProjectStage.COMPLETED
    assert rules.available_actions(ProjectStage.RESERVE) == ["submit", "assess", "admit", "terminate"]
    assert rules.available_actions(ProjectStage.COMPLETED) == []


def test_function_codes():
    assert rules.function_code_error("205") is None
    assert rules.function_code_error("20502") is None
    assert rules.function_code_error("2050202") is None
    assert "3、5 或 7 位" in rules.function_code_error("2050")
    assert "3、5 或 7 位" in rules.function_code_error("20502a2")
    assert "类级科目 218" in rules.function_code_error("2180101")


def test_years():
    assert rules.year_errors(year=2026, start_year=2025, end_year=2027) == {}
    assert "end_year" in rules.year_errors(year=2026, start_year=2026, end_year=2025)
    assert "year" in rules.year_errors(year=2024, start_year=2025, end_year=2027)
    assert "end_year" in rules.year_errors(year=2026, start_year=2026, end_year=2050)


def test_applied_projects_wait_where_the_assessment_starts():
    """申报入库 leads to 已申报, the stage the assessment's move to 评估中 starts from (with 储备);
    nothing else enters 评估中."""
    assert rules.target_stage("submit", ProjectStage.RESERVE) == ProjectStage.SUBMITTED
    assert rules.target_stage("submit", ProjectStage.RESERVE) in rules.ASSESSABLE_STAGES
    assert [a for a, (_, to) in rules.TRANSITIONS.items() if to == ProjectStage.ASSESSING] == ["assess"]
    assert "等待绩效股发起事前绩效评估" in rules.waiting_for(stage=ProjectStage.SUBMITTED, needs_exante=True)
    assert rules.waiting_for(stage=ProjectStage.SUBMITTED, needs_exante=False) == "已申报，等待绩效股审核入库。"
    assert rules.waiting_for(stage=ProjectStage.RESERVE, needs_exante=True) == ""


def test_the_supported_amount_caps_the_default_and_the_budget():
    from decimal import Decimal as D

    assert rules.default_budget(budget_amount=D(0), requested_amount=D(5_000_000), ceiling=D(3_000_000)) == 3_000_000
    assert rules.default_budget(budget_amount=D(0), requested_amount=D(5_000_000), ceiling=None) == 5_000_000
    assert rules.default_budget(budget_amount=D(2_000_000), requested_amount=D(5_000_000), ceiling=D(3_000_000)) == 2_000_000
    assert rules.ceiling_refusal(amount=D(3_000_000), ceiling=D(3_000_000), reason="支持金额") is None
    assert rules.ceiling_refusal(amount=D(5_000_000), ceiling=None, reason="支持金额") is None
    assert rules.ceiling_refusal(amount=D(5_000_000), ceiling=D(3_000_000), reason="支持金额") == (
        "预算金额 500.00 万元超过支持金额 300.00 万元，不能超出支持金额安排预算")
