"""The quality check and the value-cell reader against hand-worked examples (domain-rules §3)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.targets import rules
from jixiao.targets.rules import CheckInput, Row, Standard

TREE_2021 = {"output": ["quantity", "quality", "timeliness"], "cost": ["economic_cost", "social_cost",
             "ecological_cost"], "benefit": ["economic", "social", "ecological", "sustainability"],
             "satisfaction": ["beneficiary"]}
TREE_CLASSIC = {"output": ["quantity", "quality", "timeliness", "cost"],
                "benefit": ["economic", "social", "ecological", "sustainability"], "satisfaction": ["beneficiary"]}
SEVERITIES = {"incomplete_row": "error", "wrong_level": "error", "goal_empty": "error", "missing_level1": "error",
              "non_numeric": "error", "duplicate_name": "error", "no_timeliness": "warning",
              "qualitative_share": "warning", "weight_total": "warning", "weaker_than_last_year": "warning",
              "cost_above_standard": "warning", "goal_copied": "warning", "no_weights": "warning"}
D = Decimal


def good_rows():
    return [
        Row(1, "output", "quantity", "培训人次", "ge", "500", "人次", D("20")),
        Row(2, "output", "quality", "培训合格率", "ge", "95", "%", D("20")),
        Row(3, "output", "timeliness", "培训完成时间", "qualitative", "2026年10月底前完成", "", D("10")),
        Row(4, "cost", "economic_cost", "培训费", "le", "500", "元/人天", D("10")),
        Row(5, "benefit", "social", "就业率提升", "qualitative", "明显提升", "", D("30")),
        Row(6, "satisfaction", "beneficiary", "学员满意度", "ge", "90", "%", D("10")),
    ]


def run(rows=None, **over):
    values = dict(rows=tuple(rows if rows is not None else good_rows()), annual_goal="完成农村劳动力技能培训500人次。",
                  taxonomy=TREE_2021, severities=SEVERITIES)
    values.update(over)
    return rules.check(CheckInput(**values))


def codes(findings):
    return [(f.code, f.row) for f in findings]


def test_a_clean_sheet_has_no_findings():
    assert run(qualitative_share_max=D("50")) == []


def test_missing_level1_kinds_follow_the_taxonomy():
    rows = [r for r in good_rows() if r.level1 != "cost"]
    rows = [Row(i, r.level1, r.level2, r.name, r.operator, r.value, r.unit, D("20") if i <= 5 else None)
            for i, r in enumerate(rows, start=1)]
    found = run(rows, weight_total=D("100"))
    assert ("missing_level1", None) in codes(found)
    assert any("成本指标" in f.message for f in found)
    # the classic taxonomy has no level-1 成本: the same rows lack nothing there
    classic = run([r for r in rows], taxonomy=TREE_CLASSIC)
    assert "missing_level1" not in [f.code for f in classic]


def test_no_timeliness_indicator_is_a_warning():
    rows = [r for r in good_rows() if r.level2 != "timeliness"]
    found = run(rows)
    assert ("no_timeliness", None) in codes(found)
    assert [f.severity for f in found if f.code == "no_timeliness"] == ["warning"]


def test_numeric_operator_with_text_value_points_at_its_row():
    rows = good_rows()
    rows[0] = Row(1, "output", "quantity", "培训人次", "ge", "五百", "人次", D("20"))
    found = run(rows)
    assert ("non_numeric", 1) in codes(found)
    assert "五百" in [f for f in found if f.code == "non_numeric"][0].message


def test_qualitative_share_hand_worked():
    # 2 of 6 qualitative = 33.33% > the default 30% → one warning; at a 40% limit → nothing
    found = run()
    assert [(f.code, f.severity) for f in found] == [("qualitative_share", "warning")]
    assert run(qualitative_share_max=D("40")) == []


def test_qualitative_share_threshold_is_strict():
    # the default CheckInput limit is 30%; make it exactly 2/6 = 33.33% vs a limit of 33.33 → no finding
    assert "qualitative_share" not in [f.code for f in run(qualitative_share_max=D("33.33"))]
    found = run(qualitative_share_max=D("33.32"))
    assert [f.code for f in found] == ["qualitative_share"]
    assert "33.33%" in found[0].message


def test_weights_must_sum_to_the_total():
    rows = good_rows()
    rows[5] = Row(6, "satisfaction", "beneficiary", "学员满意度", "ge", "90", "%", D("20"))  # 110
    found = run(rows, qualitative_share_max=D("50"))
    assert codes(found) == [("weight_total", None)]
    assert "110" in found[0].message and "100" in found[0].message
    rows[5] = Row(6, "satisfaction", "beneficiary", "学员满意度", "ge", "90", "%", None)
    found = run(rows, qualitative_share_max=D("50"))
    assert codes(found) == [("weight_total", None)] and "1 项指标未填分值" in found[0].message
    # no weights at all: one sheet-level finding of its own (not 6 "未填分值"), at its own severity
    bare = [Row(r.position, r.level1, r.level2, r.name, r.operator, r.value, r.unit, None) for r in good_rows()]
    found = run(bare, qualitative_share_max=D("50"))
    assert [(f.code, f.row, f.severity) for f in found] == [("no_weights", None, "warning")]
    assert "所有指标均未填分值" in found[0].message
    assert run(bare, qualitative_share_max=D("50"), severities={**SEVERITIES, "no_weights": "off"}) == []
    assert run([], qualitative_share_max=D("50"), severities={**SEVERITIES, "missing_level1": "off"}) == []


def test_duplicate_names_ignore_spacing_and_point_at_the_second():
    rows = good_rows()
    rows[1] = Row(2, "output", "quality", "培训 人次", "ge", "95", "%", D("20"))
    found = run(rows, qualitative_share_max=D("50"))
    assert codes(found) == [("duplicate_name", 2)]
    assert "第 1 项" in found[0].message


def test_weaker_than_last_year_by_direction():
    last = {("培训人次", "人次"): D("600"), ("培训费", "元/人天"): D("450"), ("学员满意度", "%"): D("85")}
    found = run(last_actuals=last, qualitative_share_max=D("50"))
    # 500 < 600 (higher is better) and 500 > 450 (lower is better); 90 ≥ 85 is stronger
    assert codes(found) == [("weaker_than_last_year", 1), ("weaker_than_last_year", 4)]


def test_cost_above_spending_standard():
    standards = (Standard("培训费", "元/人天", D("450"), "二类培训"),)
    found = run(standards=standards, qualitative_share_max=D("50"))
    assert codes(found) == [("cost_above_standard", 4)]
    assert "450" in found[0].message and "二类培训" in found[0].message
    # a different unit is another standard; a benefit indicator is not a cost
    assert run(standards=(Standard("培训费", "万元", D("1")),), qualitative_share_max=D("50")) == []


def test_goal_empty_and_copied():
    assert codes(run(annual_goal="  ", qualitative_share_max=D("50"))) == [("goal_empty", None)]
    found = run(previous_goal="完成农村劳动力 技能培训500人次。", qualitative_share_max=D("50"))
    assert codes(found) == [("goal_copied", None)]


def test_wrong_level_and_incomplete_rows_are_errors():
    rows = good_rows()
    rows[0] = Row(1, "output", "cost", "培训人次", "ge", "500", "人次", D("20"))  # classic pair in a 2021 sheet
    rows[1] = Row(2, "output", "quality", "培训合格率", "ge", "", "%", D("20"))
    found = run(rows, qualitative_share_max=D("50"))
    assert codes(found) == [("wrong_level", 1), ("incomplete_row", 2)]
    assert all(f.severity == "error" for f in found)
    assert rules.blocking(found) == found


def test_off_drops_a_check():
    rows = [r for r in good_rows() if r.level2 != "timeliness"]
    assert run(rows, severities={**SEVERITIES, "no_timeliness": "off"}, qualitative_share_max=D("50"),
               weight_total=D("90")) == []


@pytest.mark.parametrize("cell,expected", [
    ("≥95%", ("ge", "95", "%")),
    (">=95%", ("ge", "95", "%")),
    ("≤120万元", ("le", "120", "万元")),
    ("＜ 3 天", ("lt", "3", "天")),
    ("=100%", ("eq", "100", "%")),
    ("100%", ("eq", "100", "%")),
    ("1,200人次", ("eq", "1200", "人次")),
    ("明显提升", ("qualitative", "明显提升", "")),
    ("2022年12月底前完成", ("qualitative", "2022年12月底前完成", "")),
    ("定性：逐步改善", ("qualitative", "逐步改善", "")),
    ("≥较上年提高", ("ge", "较上年提高", "")),
    ("", ("qualitative", "", "")),
])
def test_split_value_cell(cell, expected):
    assert rules.split_value_cell(cell) == expected


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["≥", "≤", "＞", "＜", "="]),
       st.sampled_from(["%", "人次", "万元", "个", ""]))
def test_split_value_cell_reads_back_what_a_bureau_writes(n, op, unit):
    operator, value, u = rules.split_value_cell(f"{op}{n}{unit}")
    assert operator in rules.NUMERIC_OPERATORS and rules.parse_number(value) == n and u == unit


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_percent_is_bounded_and_exact(part, extra):
    whole = part + extra
    p = rules.percent(part, whole)
    assert D("0") <= p <= D("100")
    if whole:
        assert abs(p - D(part) * 100 / D(whole)) <= D("0.005")
    else:
        assert p == D("0.00")


def test_coverage_rates():
    c = rules.Coverage(total_count=8, covered_count=6, total_amount=D("1662000000"), covered_amount=D("1453280000"))
    assert c.count_rate == D("75.00") and c.amount_rate == D("87.44")
