"""Self-evaluation scoring (domain-rules §6, §8) against hand-worked examples, boundaries included."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.config import SPECS
from jixiao.evaluation import rules

BANDS = SPECS["rating_bands"].default
WEIGHTS = SPECS["self_evaluation_weights"].default


def test_execution_score_hand_worked():
    # 437.2 万 of 500 万: rate 87.44% → 8.744 → 8.74
    s = rules.execution_score(executed=D("4372000"), budget=D("5000000"))
    assert (s.rate, s.score, s.flagged) == (D("0.8744"), D("8.74"), False)
    # over-spent: the rate is shown, the score capped at the weight
    assert rules.execution_score(executed=D("5100000"), budget=D("5000000")).score == D("10.00")
    # half-up at the cent: 0.87445 × 10 = 8.7445 → 8.74; 0.87455 → 8.75 (8.7455)
    assert rules.execution_score(executed=D("87445"), budget=D("100000")).score == D("8.74")
    assert rules.execution_score(executed=D("87455"), budget=D("100000")).score == D("8.75")
    zero = rules.execution_score(executed=D("1000"), budget=0)
    assert zero.rate is None and zero.score == D("0.00") and zero.flagged and "有执行数" in zero.note
    with pytest.raises(ValueError, match="浮点数"):
        rules.execution_score(executed=0.5, budget=1)
    with pytest.raises(ValueError, match="负数"):
        rules.execution_score(executed=D(-1), budget=D(10))


@pytest.mark.parametrize(("operator", "target", "actual", "weight", "score", "explain"), [
    ("ge", "100", "80", "20", "16.00", False),     # 20 × 80 ÷ 100
    ("ge", "100", "100", "20", "20.00", False),    # met
    ("ge", "95", "94", "10", "9.89", False),       # 10 × 94 ÷ 95 = 9.8947… → 9.89
    ("ge", "100", "130", "20", "20.00", True),     # capped; 130% of the target → explain
    ("ge", "100", "129.99", "20", "20.00", False),
    ("gt", "95", "95", "10", "10.00", False),      # not strictly above, but 10 × 95 ÷ 95 is the weight
    ("ge", "100", "-5", "10", "0.00", False),      # never below 0
    ("eq", "100", "100", "10", "10.00", False),    # = with a target above 0: as positive
    ("eq", "100", "90", "10", "9.00", False),
    ("eq", "0", "0", "10", "10.00", False),        # = 0: full when not above 0
    ("eq", "0", "1", "10", "0.00", False),
    ("le", "60", "60", "10", "10.00", False),      # within the limit
    ("le", "60", "75", "10", "7.50", False),       # 10 × (1 − 15 ÷ 60)
    ("le", "60", "119.99", "10", "0.00", False),   # 10 × (1 − 59.99 ÷ 60) = 0.0017 → 0.00
    ("le", "60", "120", "10", "0.00", False),      # twice the limit
    ("lt", "60", "60", "10", "10.00", False),      # on the strict limit: the formula gives the weight
    ("le", "0", "1", "10", "0.00", False),         # a limit of 0
])
def test_indicator_score_hand_worked(operator, target, actual, weight, score, explain):
    s = rules.indicator_score(operator=operator, target=D(target), actual=D(actual), weight=D(weight))
    assert (s.score, s.needs_explanation) == (D(score), explain)
    assert s.score <= s.weight


def test_qualitative_is_scored_inside_its_band():
    assert rules.indicator_score(operator="qualitative", weight=10, achievement="achieved", chosen=D("9")).score == D("9.00")
    assert rules.indicator_score(operator="qualitative", weight=10, achievement="partial", chosen=D("8")).score == D("8.00")
    assert rules.indicator_score(operator="qualitative", weight=10, achievement="not_achieved", chosen=0).score == D("0.00")
    with pytest.raises(ValueError, match="“达成”的得分应在 8—10 分之间，填写的是 7 分"):
        rules.indicator_score(operator="qualitative", weight=10, achievement="achieved", chosen=D("7"))
    with pytest.raises(ValueError, match="请在 4.5—6 分之间打分"):
        rules.indicator_score(operator="qualitative", weight=D("7.5"), achievement="partial")
    with pytest.raises(ValueError, match="请选择完成程度"):
        rules.indicator_score(operator="qualitative", weight=10, achievement="", chosen=5)


def test_a_numeric_indicator_needs_its_values():
    with pytest.raises(ValueError, match="请填写实际完成值"):
        rules.indicator_score(operator="ge", target=D(1), actual=None, weight=10)
    with pytest.raises(ValueError, match="无法自动计分"):
        rules.indicator_score(operator="ge", target=None, actual=D(1), weight=10)


def test_weights_follow_the_sheet_within_each_kind():
    rows = [("output", 10), ("output", 10), ("output", 5), ("cost", 5), ("benefit", 20), ("benefit", 10),
            ("satisfaction", 0)]
    got = rules.spread_weights(rows, WEIGHTS)
    # 产出 50 over 10/10/5 + 成本 5 (成本 has no total of its own: it shares 产出's): 30 → 50 × w ÷ 30
    assert got[:4] == [Fraction(50, 3), Fraction(50, 3), Fraction(25, 3), Fraction(25, 3)]
    assert got[4:6] == [20, 10] and got[6] == 10  # 效益 keeps 20/10; 满意度 without weights splits evenly
    assert sum(got) == 90
    with pytest.raises(ValueError, match="产出指标没有分值"):  # 成本 shares 产出's, which has none here
        rules.spread_weights([("cost", 5)], {**WEIGHTS, "cost": D(0), "output": D(0)})
    with pytest.raises(ValueError, match="未知的一级指标"):
        rules.spread_weights([("decision", 5)], WEIGHTS)


def test_a_whole_self_evaluation_hand_worked():
    """A project of 100 万, 87.44 万 spent; indicators 产出 (2 × 25), 效益 30, 满意度 10:

    execution 8.74; 产出 ≥2 栋 → 2 (25.00), 合格率 = 100% → 98 (24.50); 效益 ≥95% → 96 (30.00);
    满意度 ≥90% → 85 (10 × 85 ÷ 90 = 9.444 → 9.44). Total 8.74 + 25 + 24.5 + 30 + 9.44 = 97.68 → 优."""
    ex = rules.execution_score(executed=D("874400"), budget=D("1000000"))
    rows = [("ge", "2", "2", 25), ("eq", "100", "98", 25), ("ge", "95", "96", 30), ("ge", "90", "85", 10)]
    scores = [rules.indicator_score(operator=o, target=D(t), actual=D(a), weight=w).score for o, t, a, w in rows]
    assert scores == [D("25.00"), D("24.50"), D("30.00"), D("9.44")]
    total = rules.total_score([ex.score, *scores])
    assert total == D("97.68") and rules.rating(total, BANDS) == rules.Rating("excellent", "优")
    # indicator score rate 88.94 ÷ 90 = 98.8% against execution 87.44%: more than 5 points above → flagged
    assert rules.consistency_warning(indicator_points=sum(scores), indicator_weight=90, execution_rate=ex.rate)


def test_consistency_boundary():
    # 76.5 ÷ 90 = 0.85 exactly, execution 0.80: a gap of exactly 5 points is not "more than"
    assert not rules.consistency_warning(indicator_points=D("76.5"), indicator_weight=90, execution_rate=D("0.80"))
    assert rules.consistency_warning(indicator_points=D("76.51"), indicator_weight=90, execution_rate=D("0.80"))
    assert not rules.consistency_warning(indicator_points=90, indicator_weight=90, execution_rate=None)


def test_rating_bands_are_data():
    assert rules.rating(D("90"), BANDS).label == "优" and rules.rating(D("89.99"), BANDS).label == "良"
    assert rules.rating(D("60"), BANDS).label == "中" and rules.rating(D("59.99"), BANDS).label == "差"
    # a region with 优 ≥ 80, 良 70–80, 中 60–70 and its own labels (domain-rules §8), given in any order
    local = [{"code": "fair", "label": "一般", "min_score": D(60)}, {"code": "excellent", "label": "优秀", "min_score": D(80)},
             {"code": "poor", "label": "差", "min_score": D(0)}, {"code": "good", "label": "良好", "min_score": D(70)}]
    assert rules.rating(D("80"), local) == rules.Rating("excellent", "优秀")
    assert rules.rating(D("79.99"), local).label == "良好"
    with pytest.raises(ValueError, match="低于所有评价等级"):
        rules.rating(D("-1"), BANDS)


@given(target=st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
       actual=st.decimals(min_value=D("0"), max_value=D("300000"), places=2),
       weight=st.decimals(min_value=D("0"), max_value=D("50"), places=2),
       operator=st.sampled_from(["ge", "gt", "eq", "le", "lt"]))
def test_a_score_is_between_0_and_the_weight_and_monotone(target, actual, weight, operator):
    s = rules.indicator_score(operator=operator, target=target, actual=actual, weight=weight)
    assert D(0) <= s.score <= s.weight == weight.quantize(D("0.01"))
    more = rules.indicator_score(operator=operator, target=target, actual=actual + 1, weight=weight)
    if operator in ("ge", "gt", "eq"):
        assert more.score >= s.score  # more done never scores less
    else:
        assert more.score <= s.score  # more spent against a limit never scores more


@pytest.mark.parametrize("text", ["", "  ", "无", "暂无。", "无偏差", "/", "—", "同上", "N/A", "0"])
def test_placeholders_are_flagged(text):
    assert rules.is_placeholder(text)


@pytest.mark.parametrize("text", ["资金拨付滞后，已督促尽快拨付", "无法按期完工的原因是雨季施工受阻"])
def test_an_answer_is_not_a_placeholder(text):
    assert not rules.is_placeholder(text)


def test_an_actual_repeating_the_target():
    assert rules.repeats_target("≥95%", "≥95%") and rules.repeats_target("≥ 95 %", "≥95%")
    assert rules.repeats_target("完成年度目标。", "完成年度目标")
    assert rules.repeats_target("≥95%", "95%")  # the sign left in: the target copied, not a value measured
    assert not rules.repeats_target("96%", "≥95%") and not rules.repeats_target("", "≥95%")


def test_copied_narratives_name_what_they_copy():
    last_year = "部分项目资金拨付进度较慢，绩效目标设置不够细化，后续将加强预算执行监控。"
    sources = {"本单位 2025 年自评“存在问题”": last_year, "城关中学 2026 年自评“存在问题”": "学校食堂改造工期延误。"}
    assert rules.copied_from(last_year, sources) == "本单位 2025 年自评“存在问题”"
    # re-punctuated and one character changed: still the same paragraph
    assert rules.copied_from("部分项目资金拨付进度较慢 绩效目标设置不够细化，后续将加强预算执行监管", sources) == \
        "本单位 2025 年自评“存在问题”"
    assert rules.copied_from("雨季施工受阻导致教学楼加固工程未按期完工，已调整施工计划。", sources) is None
    assert rules.copied_from("按计划完成", {"x": "按计划完成"}) is None  # short answers are alike without copying


def test_row_warnings_name_the_row_and_say_why():
    over = rules.RowFacts(name="覆盖人数", target_text="≥1000人", actual_text="1500人", needs_explanation=True,
                          explanation="暂无", computed=D(10), score=D(10), weight=D(10))
    assert rules.row_warnings(over) == ["“覆盖人数”实际完成值达到目标的 130% 及以上，须说明是否目标设置偏低"]
    explained = rules.RowFacts(name="覆盖人数", needs_explanation=True, explanation="年中追加了两个乡镇的服务对象")
    assert rules.row_warnings(explained) == []
    short = rules.RowFacts(name="完工率", target_text="≥95%", actual_text="≥95%", below_target=True, reason="无",
                           monitored_likelihood="certain")
    assert rules.row_warnings(short) == [
        "“完工率”未达到目标，须填写偏差原因和改进措施",
        "“完工率”的实际完成值只是照抄了目标值“≥95%”，请填写实际达到的数值或情况",
        "“完工率”在运行监控中填报“确定能”完成目标，年终却未达到目标，请说明原因"]
    red = rules.RowFacts(name="满意度", monitored_light="red", score=D("10.00"), weight=D("10.00"))
    assert rules.row_warnings(red) == ["“满意度”在运行监控中为红灯，自评却得满分，请核实"]
    assert rules.row_warnings(rules.RowFacts(name="满意度", monitored_light="red", score=D("9.5"), weight=D(10))) == []


def test_execution_against_the_execution_data():
    assert rules.execution_warning(declared=D("874400"), recorded=D("874400.00")) == ""
    assert rules.execution_warning(declared=D("900000"), recorded=D("874400")) == \
        "填报的全年执行数 90.00 万元与执行数据 87.44 万元不一致（相差 2.56 万元），请核实或说明"
    assert rules.execution_warning(declared=None, recorded=D(1)) == ""


def test_completion_rate():
    assert rules.completion_rate(37, 40) == D("0.9250") and rules.completion_rate(0, 0) is None
    with pytest.raises(ValueError):
        rules.completion_rate(41, 40)


def test_score_inflation_per_agency_hand_worked():
    # 城关中学: (95 − 82) and (90 − 86) → gap 8.50; 农技中心: (88 − 88) → 0; a second school (92 − 80) → 12
    got = rules.inflation([("城关中学", D(95), D(82)), ("农技中心", D(88), D(88)), ("城关中学", D(90), D(86)),
                           ("实验小学", D(92), D(80))])
    assert [(x.agency, x.checked, x.self_mean, x.recheck_mean, x.gap) for x in got] == [
        ("实验小学", 1, D("92.00"), D("80.00"), D("12.00")), ("城关中学", 2, D("92.50"), D("84.00"), D("8.50")),
        ("农技中心", 1, D("88.00"), D("88.00"), D("0.00"))]
