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


def vague_rows():
    rows = good_rows()
    rows[2] = Row(3, "output", "timeliness", "培训完成时间", "qualitative", "按计划完成", "", D("10"))
    return rows


def test_qualitative_share_hand_worked():
    # 2 of 6 qualitative = 33.33% > the default 30% → one warning; at a 40% limit → nothing
    found = run(vague_rows())
    assert [(f.code, f.severity) for f in found] == [("qualitative_share", "warning")]
    assert run(vague_rows(), qualitative_share_max=D("40")) == []


def test_a_deadline_is_not_counted_as_qualitative():
    # good_rows: 明显提升 is qualitative, "2026年10月底前完成" a deadline → 1 of 6 = 16.67% ≤ 30%
    assert run() == []
    assert run(qualitative_share_max=D("16.66"))[0].message.startswith("定性指标 1 项，占 16.67%")


def test_qualitative_share_threshold_is_strict():
    # the default CheckInput limit is 30%; make it exactly 2/6 = 33.33% vs a limit of 33.33 → no finding
    assert "qualitative_share" not in [f.code for f in run(vague_rows(), qualitative_share_max=D("33.33"))]
    found = run(vague_rows(), qualitative_share_max=D("33.32"))
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


def test_print_order_follows_the_taxonomy_then_position():
    from jixiao.targets.rules import print_order

    rows = [{"level1": "satisfaction", "level2": "beneficiary", "position": 1},
            {"level1": "output", "level2": "timeliness", "position": 2},
            {"level1": "benefit", "level2": "social", "position": 3},
            {"level1": "output", "level2": "quantity", "position": 5},
            {"level1": "cost", "level2": "economic_cost", "position": 6},
            {"level1": "output", "level2": "quantity", "position": 4},
            {"level1": "odd", "level2": "odd", "position": 0}]
    assert [r["position"] for r in print_order(rows)] == [4, 5, 2, 6, 3, 1, 0]


# Every common spelling of a comparison, hand-written: (cell, operator, value, unit); spaces anywhere.
@pytest.mark.parametrize("cell,operator,value,unit", [
    ("≥95%", "ge", "95", "%"), ("≧20000亩", "ge", "20000", "亩"), ("≧ 20 000亩", "ge", "20000", "亩"),
    ("＞＝90％", "ge", "90", "%"), ("≥=3个", "ge", "3", "个"), (">= 3 个", "ge", "3", "个"),
    ("⩾ 85 %", "ge", "85", "%"), ("不少于2次", "ge", "2", "次"), ("不 低 于 98%", "ge", "98", "%"),
    ("大于等于 1,200 人次", "ge", "1200", "人次"), ("达到100%", "ge", "100", "%"), ("2次以上", "ge", "2", "次"),
    ("95%及以上", "ge", "95", "%"), ("＞0", "gt", "0", ""), ("> 5 家", "gt", "5", "家"), ("大于50户", "gt", "50", "户"),
    ("═100%", "eq", "100", "%"), ("﹦1", "eq", "1", ""), ("＝ 1 项", "eq", "1", "项"), ("等于12个", "eq", "12", "个"),
    ("100%", "eq", "100", "%"), ("１２３４人", "eq", "1234", "人"), ("95百分比", "eq", "95", "%"),
    ("＜3天", "lt", "3", "天"), ("小于 5 ‰", "lt", "5", "‰"), ("≦5天", "le", "5", "天"),
    ("≤=120万元", "le", "120", "万元"), ("＜＝ 0.5 %", "le", "0.5", "%"), ("不超过300元/人", "le", "300", "元/人"),
    ("不高于 60 万元", "le", "60", "万元"), ("小于等于10㎡", "le", "10", "平方米"), ("≯10%", "le", "10", "%"),
    ("10个工作日以内", "le", "10", "工作日"),
])
def test_read_value_cell_reads_every_spelling(cell, operator, value, unit):
    r = rules.read_value_cell(cell)
    assert (r.operator, r.value, r.unit, r.error) == (operator, value, unit, "")


@pytest.mark.parametrize("cell", ["11月底完成", "2026年12月底前", "2026年12月底前完成", "6月30日前", "不晚于2026年6月",
                                  "2025年10月"])
def test_a_deadline_is_a_time_not_a_number(cell):
    r = rules.read_value_cell(cell)
    assert (r.operator, r.value, r.unit, r.time, r.error) == ("qualitative", cell, "", True, "")
    assert rules.is_time_value(cell)


@pytest.mark.parametrize("cell", ["明显提升", "达到国家标准", "高于全省平均水平", "定性：稳步提高", "5个乡镇全覆盖，群众满意"])
def test_words_stay_qualitative_without_error(cell):
    r = rules.read_value_cell(cell)
    assert r.operator == "qualitative" and r.error == "" and not r.time


@pytest.mark.parametrize("cell", ["≥较上年提高", "≧9O%", "90-95%", "≥3.5.1", "≤ 百分之五", "不少于 X 次", "不少于两次"])
def test_numeric_looking_but_unreadable_is_an_error_never_qualitative_silently(cell):
    r = rules.read_value_cell(cell)
    assert r.error and cell in r.error


@pytest.mark.parametrize("cell", ["5G网络覆盖率", "≥5G网络覆盖率", "4K超高清频道数", "3年内完成", "≥2标准化考场"])
def test_a_number_followed_by_no_known_unit_is_reported_not_read_as_number_and_unit(cell):
    """Numeric only when the whole text is sign + number + a known unit: "5G网络覆盖率" is not 5 of
    "G网络覆盖率", and not silently 定性 either."""
    r = rules.read_value_cell(cell)
    assert r.error and cell in r.error and "计量单位" in r.error
    assert r.unit == "" and r.operator in ("qualitative", "ge")
    assert rules.read_value_cell(f"定性：{cell}") == rules.ValueReading("qualitative", cell, "")


@pytest.mark.parametrize("unit", ["元/人·年", "万元/公里", "台（套）", "/10万", "微克/立方米", "个百分点", "万人次", "km"])
def test_compound_and_prefixed_units_are_known(unit):
    r = rules.read_value_cell(f"≤15{unit}")
    assert (r.operator, r.value, r.unit, r.error) == ("le", "15", rules.normalise_unit(unit), "")


def test_every_national_template_value_reads_back_as_its_number_and_unit():
    from jixiao.library.data import templates

    def rows(o):
        if isinstance(o, tuple) and len(o) >= 6 and isinstance(o[3], str) and isinstance(o[4], str):
            yield o
        elif isinstance(o, (list, tuple, dict)):
            for x in (o.values() if isinstance(o, dict) else o):
                yield from rows(x)

    numeric = {t[3:5] for name in dir(templates) for t in rows(getattr(templates, name)) if rules.parse_number(t[3])}
    for value, unit in numeric:
        r = rules.read_value_cell(f"≥{value}{unit}")
        assert (r.value, r.unit, r.error) == (value, rules.normalise_unit(unit), ""), (value, unit)
    assert len(numeric) > 50


@pytest.mark.parametrize("text,operator", [("≧", "ge"), ("＞＝", "ge"), ("不少于", "ge"), ("﹦", "eq"), ("═", "eq"),
                                           ("≦", "le"), ("＜", "lt"), ("大于", "gt"), ("定性", "qualitative"),
                                           ("ge", "ge"), ("约", None)])
def test_read_operator(text, operator):
    assert rules.read_operator(text) == operator


@pytest.mark.parametrize("unit,expected", [("百分比", "%"), ("％", "%"), ("百分率", "%"), ("㎡", "平方米"), ("KM", "公里"),
                                           ("公斤", "千克"), (" 人次 ", "人次"), ("个", "个"), ("项", "项")])
def test_normalise_unit(unit, expected):
    assert rules.normalise_unit(unit) == expected


def test_budget_amount_is_the_approved_sheets_first_and_later():
    """四个同步, one rule for the first budget amount (any approved version) and every later change
    (an approved adjustment, version 2 or later)."""
    from decimal import Decimal as D

    from jixiao.targets.rules import budget_amount_refusal as refusal

    assert refusal(first=True, sheet_number=1, sheet_amount=D(1_000_000), amount=D(1_000_000)) is None
    assert refusal(first=True, sheet_number=1, sheet_amount=D(1_000_000), amount=D(3_000_000)) == (
        "已批复的绩效目标表年度资金为 100.00 万元，与纳入预算的金额 300.00 万元不一致：请按批复的绩效目标安排预算，或先调整绩效目标")
    assert "未设置经批复的绩效目标" in refusal(first=True, sheet_number=None, sheet_amount=None, amount=D(1))
    assert "须先调整绩效目标" in refusal(first=False, sheet_number=1, sheet_amount=D(1_000_000), amount=D(1_000_000))
    assert refusal(first=False, sheet_number=2, sheet_amount=D(800_000), amount=D(800_000)) is None
    assert "调整后的预算 90.00 万元不一致" in refusal(first=False, sheet_number=2, sheet_amount=D(800_000),
                                                   amount=D(900_000))
