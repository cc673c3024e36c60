"""Monitoring rules against hand-worked examples at every boundary (domain-rules §5; issue #13), and
properties where they fit. The thresholds are the national defaults of the configuration."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.config import SPECS
from jixiao.monitoring import rules
from jixiao.monitoring.choices import Achievement, ExpectationBasis, IndicatorKind, Light
from jixiao.monitoring.rules import BUDGET, IndicatorProgress, Thresholds

T = Thresholds.from_config(SPECS["monitoring_signals"].default, SPECS["deviation"].default)
BACK_LOADED = [D(x) for x in ("0.02", "0.05", "0.10", "0.15", "0.25", "0.35", "0.45", "0.55", "0.65", "0.75",
                              "0.85", "1")]
CENT = D("0.01")


def test_the_defaults_are_the_national_ones():
    assert T == Thresholds(D("0.6"), D("0.8"), D("0.6"), D("0.8"), D("1.2"), D("0.20"))


def time(m):
    return rules.expected_progress(month=m)


def budget(executed, amount, month, thresholds=T, **basis):
    return rules.budget_signal(executed=D(executed), budget=D(amount),
                               expected=rules.expected_progress(month=month, **basis), thresholds=thresholds)


def indicator(operator, target=None, actual=None, *, month=6, expected=None, achievement=None, key="i"):
    return rules.indicator_signal(
        IndicatorProgress(key, operator, None if target is None else D(target), None if actual is None else D(actual),
                          None if expected is None else D(expected), achievement), month=month, thresholds=T)


# --- 1. execution figures ---------------------------------------------------------------------------

@pytest.mark.parametrize("month, shown", [(1, "0.0833"), (5, "0.4167"), (7, "0.5833"), (8, "0.6667"), (12, "1.0000")])
def test_time_progress_is_m_over_12(month, shown):
    assert rules.time_progress(month) == D(shown)
    assert time(month).share == Fraction(month, 12)


@pytest.mark.parametrize("month", [0, 13, -1, "5", 5.0, True])
def test_a_month_outside_1_to_12_is_refused(month):
    with pytest.raises(ValueError, match="1 至 12"):
        rules.time_progress(month)


def test_execution_to_date_adds_months_1_to_m():
    monthly = [(1, D("100")), (2, D("50.50")), (2, D("0.25")), (5, D("10"))]  # two fund sources in February
    assert rules.execution_to_date(monthly, 1) == D("100.00")
    assert rules.execution_to_date(monthly, 4) == D("150.75")
    assert rules.execution_to_date(dict(monthly[:2]), 12) == D("150.50")
    assert rules.execution_to_date({}, 12) == D("0.00")
    with pytest.raises(ValueError, match="1 至 12"):
        rules.execution_to_date([(13, D(1))], 12)
    with pytest.raises(ValueError, match="浮点数"):
        rules.execution_to_date([(1, 0.1)], 12)


def test_execution_rate_has_four_places_and_none_for_a_zero_budget():
    assert rules.execution_rate(D("500"), D("1000")) == D("0.5000")
    assert rules.execution_rate(D("1"), D("3")) == D("0.3333")
    assert rules.execution_rate(D("2"), D("3")) == D("0.6667")
    assert rules.execution_rate(D("1200"), D("1000")) == D("1.2000")
    assert rules.execution_rate(D("0"), D("1000")) == D("0.0000")
    assert rules.execution_rate(D("0.25"), D("1000")) == D("0.0003")  # 0.00025: half-up, not half-even
    assert rules.execution_rate(D("0.05"), D("1000")) == D("0.0001")
    assert rules.execution_rate(D("100"), D("0")) is None
    assert rules.execution_rate(D("0"), 0) is None


# --- 2. expected progress and its basis -----------------------------------------------------------------

QUARTERLY = {3: D(100), 6: D(100), 9: D(100), 12: D(100)}


def test_the_spending_plan_comes_first():
    e = rules.expected_progress(month=5, plan=QUARTERLY, profile=BACK_LOADED)
    assert (e.basis, e.label, e.share, e.value) == (ExpectationBasis.SPENDING_PLAN, "用款计划", Fraction(1, 4), D("0.2500"))
    assert rules.expected_progress(month=12, plan=QUARTERLY).share == 1
    assert rules.expected_progress(month=1, plan=[(1, D(1)), (1, D(1)), (12, D(2))]).share == Fraction(1, 2)


@pytest.mark.parametrize("plan", [None, {}, [], {1: D(0), 12: D(0)}])
def test_no_plan_or_an_empty_one_falls_back_to_the_profile_then_time(plan):
    e = rules.expected_progress(month=5, plan=plan, profile=BACK_LOADED)
    assert (e.basis, e.label, e.value) == (ExpectationBasis.SPENDING_PROFILE, "地区支出进度曲线", D("0.2500"))
    for profile in (None, []):
        e = rules.expected_progress(month=5, plan=plan, profile=profile)
        assert (e.basis, e.label, e.share) == (ExpectationBasis.TIME_PROGRESS, "时间进度", Fraction(5, 12))


def test_the_plan_share_is_of_the_plans_own_total():
    assert rules.plan_share({1: D(30), 2: D(30), 12: D(40)}, 2) == Fraction(3, 5)
    with pytest.raises(ValueError, match="负数"):
        rules.plan_share({1: D(-1), 12: D(2)}, 6)


@pytest.mark.parametrize("profile, message", [
    (BACK_LOADED[:11], "应有 12 个月"),
    (BACK_LOADED[:5] + [D("0.20")] + BACK_LOADED[6:], "6 月的累计比例低于 5 月"),
    (BACK_LOADED[:11] + [D("0.99")], "12 月的累计比例应为 1"),
    ([D("-0.01")] + BACK_LOADED[1:], "1 月的累计比例应在 0 至 1 之间"),
    (BACK_LOADED[:10] + [D("1.1"), D("1")], "11 月的累计比例应在 0 至 1 之间"),
    ([0.02] + BACK_LOADED[1:], "浮点数"),
])
def test_a_bad_profile_is_refused_with_the_reason(profile, message):
    assert message in rules.profile_error(profile)
    with pytest.raises(ValueError, match=message):
        rules.expected_progress(month=5, profile=profile)


def test_a_good_profile_passes():
    assert rules.profile_error(BACK_LOADED) is None
    assert rules.profile_error([D(0)] * 11 + [D(1)]) is None


# --- 3a. the budget light --------------------------------------------------------------------------------

@pytest.mark.parametrize("month", [1, 7, 8, 12])
def test_budget_light_boundaries_each_month(month):
    # budget 1200: the straight line expects 100 × m; ratio 0.6 at 60m, 0.8 at 80m
    red, green = D(60 * month), D(80 * month)
    assert budget(red - CENT, 1200, month).light == Light.RED
    assert budget(red, 1200, month).light == Light.YELLOW
    assert budget(red + CENT, 1200, month).light == Light.YELLOW
    assert budget(green - CENT, 1200, month).light == Light.YELLOW
    assert budget(green, 1200, month).light == Light.GREEN
    assert budget(green + CENT, 1200, month).light == Light.GREEN
    assert budget(1200, 1200, month).light == Light.GREEN


def test_budget_boundary_is_exact_where_the_figures_are_rounded():
    # May: time progress 5/12 shows 0.4167; 500 of 1500 is 1/3 (shows 0.3333) — ratio exactly 0.8: green
    s = budget(500, 1500, 5)
    assert (s.rate, s.expected.value, s.ratio, s.light) == (D("0.3333"), D("0.4167"), D("0.8000"), Light.GREEN)
    assert budget(D("499.99"), 1500, 5).light == Light.YELLOW
    assert budget(375, 1500, 5).light == Light.YELLOW  # ratio exactly 0.6
    assert budget(D("374.99"), 1500, 5).light == Light.RED


def test_budget_figures_and_the_basis_shown():
    s = budget(200, 1000, 5, profile=BACK_LOADED)
    assert (s.executed, s.budget, s.rate, s.ratio, s.light) == (D("200.00"), D("1000.00"), D("0.2000"), D("0.8000"), Light.GREEN)
    assert s.expected.label == "地区支出进度曲线"
    # the straight line paints the same back-loaded project red in May
    assert budget(200, 1000, 5).light == Light.RED


def test_budget_deviation_boundaries():
    # June, straight line: expected 0.5 of 1000; 20% of plan is 0.1 → 400 … 600 is within
    assert not budget(400, 1000, 6).deviation
    assert budget(D("399.99"), 1000, 6).deviation
    assert not budget(600, 1000, 6).deviation
    s = budget(D("600.01"), 1000, 6)
    assert s.deviation and s.light == Light.GREEN  # over-spending is green but still needs its reason


def test_zero_budget_has_no_light_and_says_why():
    s = budget(0, 0, 6)
    assert (s.rate, s.ratio, s.light, s.deviation, s.note) == (None, None, None, False, "调整后预算为零，执行率无法计算")
    assert budget(10, 0, 6).note == "调整后预算为零，执行率无法计算，但已有支出"


def test_nothing_expected_yet_is_green_and_any_spending_deviates():
    late = {9: D(100), 12: D(100)}
    s = budget(0, 1000, 5, plan=late)
    assert (s.expected.basis, s.ratio, s.light, s.deviation) == (ExpectationBasis.SPENDING_PLAN, None, Light.GREEN, False)
    s = budget(1, 1000, 5, plan=late)
    assert (s.light, s.deviation) == (Light.GREEN, True)


def test_budget_thresholds_are_the_regions():
    strict = Thresholds(D("0.7"), D("0.9"), D("0.6"), D("0.8"), D("1.2"), D("0.10"))
    assert budget(650, 1000, 12).light == Light.YELLOW
    assert budget(650, 1000, 12, strict).light == Light.RED
    assert budget(850, 1000, 12, strict).light == Light.YELLOW
    assert not budget(850, 1000, 12).deviation  # 15% under plan: within 20%, beyond the region's 10%
    assert budget(850, 1000, 12, strict).deviation


# --- 3b. indicator lights --------------------------------------------------------------------------------

@pytest.mark.parametrize("operator", ["ge", "gt", "eq"])
def test_positive_indicator_boundaries(operator):
    # target 1200 in June: expected 600; 0.6 → 360, 0.8 → 480, 1.2 → 720
    cases = [("359.99", Light.RED), ("360", Light.YELLOW), ("360.01", Light.YELLOW), ("479.99", Light.YELLOW),
             ("480", Light.GREEN), ("480.01", Light.GREEN), ("600", Light.GREEN), ("719.99", Light.GREEN),
             ("720", Light.GREEN), ("720.01", Light.BLUE)]
    for actual, light in cases:
        s = indicator(operator, 1200, actual)
        assert (s.kind, s.expected, s.light) == (IndicatorKind.POSITIVE, D(600), light), actual
    assert indicator(operator, 1200, 480).progress == D("0.8000")


@pytest.mark.parametrize("month", [1, 7, 8, 12])
def test_positive_expectation_follows_the_month(month):
    # target 120: expected 10 × m
    assert indicator("ge", 120, 8 * month, month=month).light == Light.GREEN
    assert indicator("ge", 120, D(8 * month) - CENT, month=month).light == Light.YELLOW
    assert indicator("ge", 120, D(12 * month) + CENT, month=month).light == Light.BLUE


def test_a_rounded_expectation_is_shown_to_four_places_and_judged_exactly():
    assert indicator("ge", 100, 40, month=5).expected == D("41.6667")  # 100 × 5/12
    s = indicator("ge", 3, 1, month=5)  # expected 1.25, progress exactly 0.8
    assert (s.expected, s.progress, s.light) == (D("1.25"), D("0.8000"), Light.GREEN)


def test_the_agencys_stated_expectation_replaces_the_straight_line():
    s = indicator("ge", 1200, 100, expected=100)
    assert (s.expected, s.progress, s.light, s.deviation) == (D(100), D("1.0000"), Light.GREEN, False)
    assert indicator("ge", 1200, 100).light == Light.RED


def test_a_rate_held_all_year_is_judged_against_the_agencys_stated_expectation():
    # 师生满意度 ≥ 90% reported at 92 in May: against the straight line the expectation is 90 × 5 ÷ 12
    # = 37.5, progress 92 ÷ 37.5 = 2.4533 > 1.2 — blue, and |92 − 37.5| = 54.5 > 20% × 37.5 = 7.5 deviates
    s = indicator("ge", 90, 92, month=5)
    assert (s.expected, s.progress, s.light, s.deviation) == (D("37.5"), D("2.4533"), Light.BLUE, True)
    # the agency states 90 for the checkpoint: progress 92 ÷ 90 = 1.0222, green; |92 − 90| = 2 ≤ 18
    s = indicator("ge", 90, 92, month=5, expected=90)
    assert (s.expected, s.progress, s.light, s.deviation) == (D(90), D("1.0222"), Light.GREEN, False)
    # its boundaries are the rule's: 0.8 × 90 = 72 green, just below yellow; 1.2 × 90 = 108 green, above blue
    assert [indicator("ge", 90, a, month=5, expected=90).light for a in ("72", "71.99", "108", "108.01", "53.99")] == \
        [Light.GREEN, Light.YELLOW, Light.GREEN, Light.BLUE, Light.RED]
    # deviation: exactly 20% of 90 = 18 off is within, a hundredth more deviates
    assert not indicator("ge", 90, 72, month=5, expected=90).deviation
    assert indicator("ge", 90, "71.99", month=5, expected=90).deviation
    # 工程验收合格率 = 100%: the stated 100 makes 100 green in May (straight line: 41.67, blue)
    assert indicator("eq", 100, 100, month=5).light == Light.BLUE
    assert indicator("eq", 100, 100, month=5, expected=100).light == Light.GREEN
    # a stated expectation without a numeric target still gives a light
    assert indicator("ge", None, 92, month=5, expected=90).light == Light.GREEN


def test_positive_deviation_boundaries():
    assert not indicator("ge", 1200, 480).deviation
    assert indicator("ge", 1200, D("479.99")).deviation
    assert not indicator("ge", 1200, 720).deviation
    assert indicator("ge", 1200, D("720.01")).deviation


def test_a_zero_expectation_has_no_ratio():
    s = indicator("ge", 0, 0)
    assert (s.progress, s.light, s.deviation) == (None, Light.GREEN, False)
    assert indicator("ge", 10, 3, expected=0).light == Light.GREEN  # the agency expected nothing yet
    s = indicator("ge", 10, -1, expected=0)
    assert (s.light, s.deviation) == (Light.RED, True)


@pytest.mark.parametrize("operator, at_limit", [("le", Light.GREEN), ("lt", Light.RED)])
def test_reverse_indicator_is_green_within_the_limit(operator, at_limit):
    assert indicator(operator, 100, "99.99").light == Light.GREEN
    assert indicator(operator, 100, 100).light == at_limit
    assert indicator(operator, 100, "100.01").light == Light.RED
    s = indicator(operator, 100, 10, month=1)
    assert (s.kind, s.expected, s.progress, s.light) == (IndicatorKind.REVERSE, D(100), None, Light.GREEN)


def test_reverse_deviation_is_over_the_limit_by_more_than_the_threshold():
    assert not indicator("le", 100, 10).deviation  # well under a limit is no deviation
    s = indicator("le", 100, 110)
    assert (s.light, s.deviation) == (Light.RED, False)
    assert not indicator("le", 100, 120).deviation
    assert indicator("le", 100, "120.01").deviation
    assert indicator("le", 100, 50, expected=40).light == Light.RED  # the agency's limit for the checkpoint


def test_equal_to_zero_is_a_limit():
    s = indicator("eq", 0, 0)
    assert (s.kind, s.light, s.deviation) == (IndicatorKind.REVERSE, Light.GREEN, False)
    s = indicator("eq", 0, "0.01")
    assert (s.light, s.deviation) == (Light.RED, True)


@pytest.mark.parametrize("achievement, light, deviation", [
    (Achievement.ACHIEVED, Light.GREEN, False), (Achievement.PARTIAL, Light.YELLOW, True),
    (Achievement.NOT_ACHIEVED, Light.RED, True), (None, None, False), ("", None, False),
])
def test_qualitative_indicator(achievement, light, deviation):
    s = indicator("qualitative", achievement=achievement)
    assert (s.kind, s.light, s.deviation) == (IndicatorKind.QUALITATIVE, light, deviation)
    assert bool(s.note) == (light is None)


def test_missing_values_give_no_light():
    s = indicator("ge", 1200, None)
    assert (s.expected, s.light, s.deviation, s.note) == (D(600), None, False, "尚未填报完成值")
    s = indicator("ge", None, 5)
    assert (s.light, s.deviation, s.note) == (None, False, "指标值不是数字，无法计算进度")
    with pytest.raises(ValueError):
        indicator("qualitative", achievement="done")
    with pytest.raises(ValueError, match="未知的运算符"):
        indicator("≥", 1, 1)


# --- 3c. the goal light, blue, reasons ---------------------------------------------------------------------

@pytest.mark.parametrize("lights, goal", [
    ([Light.GREEN, Light.YELLOW, Light.BLUE], Light.YELLOW),
    ([Light.GREEN, Light.RED, Light.YELLOW], Light.RED),
    ([Light.GREEN, Light.BLUE], Light.GREEN),
    ([Light.BLUE, Light.BLUE], Light.BLUE),
    ([None, Light.GREEN], Light.GREEN),
    (["yellow", "green"], Light.YELLOW),
    ([None], None),
    ([], None),
])
def test_the_goal_light_is_the_worst_indicators(lights, goal):
    assert rules.goal_light(lights) == goal


def test_blue_is_counted():
    assert rules.blue_count([Light.BLUE, None, Light.GREEN, Light.BLUE, "blue"]) == 3
    assert rules.blue_count([]) == 0


def test_reasons_are_required_for_money_and_each_deviating_indicator():
    signals = [indicator("ge", 1200, 600, key=1), indicator("ge", 1200, 300, key=2),
               indicator("le", 100, 130, key=3), indicator("qualitative", achievement="partial", key=4),
               indicator("ge", 1200, None, key=5)]
    assert rules.reasons_required(budget=budget(300, 1000, 6), indicators=signals) == [BUDGET, 2, 3, 4]
    assert rules.reasons_required(budget=budget(500, 1000, 6), indicators=signals[:1]) == []
    assert rules.reasons_required(budget=None, indicators=signals[1:2]) == [2]
    assert rules.reasons_required(budget=budget(0, 0, 6), indicators=[]) == []


# --- 4. forecast -------------------------------------------------------------------------------------------

def series(amounts):
    return {k: D(v) for k, v in enumerate(amounts, start=1)}


def test_no_forecast_before_the_eighth_month():
    assert rules.forecast_year_end(monthly=series([10] * 7), month=7) is None
    assert rules.forecast_year_end(monthly=series([10] * 7), month=1) is None
    assert rules.forecast_year_end(monthly=series([10] * 8), month=8) == D("120.00")


def test_forecast_follows_a_back_loaded_trend():
    back_loaded = series([5 * k for k in range(1, 9)])  # 180 paid; run rate would say 270
    assert rules.forecast_year_end(monthly=back_loaded, month=8) == D("390.00")
    assert rules.forecast_year_end(monthly=back_loaded, month=8, budget=D(300)) == D("300.00")
    assert rules.forecast_year_end(monthly=back_loaded, month=8, budget=D(100)) == D("180.00")  # never below paid
    assert rules.forecast_year_end(monthly=back_loaded, month=8, budget=D(0)) == D("390.00")


def test_forecast_worked_by_hand_with_one_payment():
    # only August 80: mean 10, slope 280 / 42 = 20/3, intercept −20 → 40 + 46.67 + 53.33 + 60 = 200
    assert rules.forecast_year_end(monthly={8: D(80)}, month=8) == D("280.00")
    assert rules.forecast_year_end(monthly={}, month=8) == D("0.00")


def test_a_falling_trend_adds_nothing_below_zero():
    falling = series([80 - 10 * (k - 1) for k in range(1, 9)])  # line 90 − 10k: September 0, then negative
    assert rules.forecast_year_end(monthly=falling, month=8) == D("360.00")


def test_at_month_12_the_forecast_is_the_execution():
    assert rules.forecast_year_end(monthly=series([1, 2, 3, 50, 0, 0, 7, 8, 9, 10, 11, 100]), month=12) == D("201.00")


def test_forecast_disagreement_boundaries():
    def disagrees(forecast, estimate):
        return rules.forecast_disagrees(forecast=forecast if forecast is None else D(forecast),
                                        estimate=estimate if estimate is None else D(estimate), thresholds=T)
    assert disagrees(1200, 1000) is False
    assert disagrees("1200.01", 1000) is True
    assert disagrees(800, 1000) is False
    assert disagrees("799.99", 1000) is True
    assert disagrees(0, 0) is False
    assert disagrees(1, 0) is True
    assert disagrees(None, 1000) is None
    assert disagrees(1000, None) is None


# --- properties ------------------------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
value = st.decimals(min_value=-10**6, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
months = st.integers(min_value=1, max_value=12)
lights = st.sampled_from([Light.RED, Light.YELLOW, Light.GREEN, Light.BLUE, None])
PROGRESS_RANK = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.BLUE: 3}


@given(st.decimals(min_value="0.0001", max_value=10**6, places=4), value, value)
def test_positive_light_is_monotone_in_the_value(expected, a, b):
    low, high = sorted([a, b])
    assert (PROGRESS_RANK[rules.positive_light(actual=low, expected=expected, thresholds=T)]
            <= PROGRESS_RANK[rules.positive_light(actual=high, expected=expected, thresholds=T)])


@given(value, value, value, st.booleans())
def test_reverse_light_is_antitone_in_the_value(limit, a, b, strict):
    low, high = sorted([a, b])
    if rules.reverse_light(actual=high, limit=limit, strict=strict) == Light.GREEN:
        assert rules.reverse_light(actual=low, limit=limit, strict=strict) == Light.GREEN


@given(money, money, money, months)
def test_budget_light_is_monotone_in_execution(a, b, amount, month):
    low, high = sorted([a, b])
    rank = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, None: -1}
    assert rank[budget(low, amount, month).light] <= rank[budget(high, amount, month).light]


@given(st.lists(lights, max_size=12))
def test_the_goal_light_is_never_better_than_any_indicators(ls):
    goal = rules.goal_light(ls)
    lit = [v for v in ls if v is not None]
    assert (goal is None) == (not lit)
    if lit:
        assert goal in lit
        assert all(rules.SEVERITY[goal] >= rules.SEVERITY[v] for v in lit)


@given(st.decimals(min_value=1, max_value=10**6, places=2), value, months)
def test_under_the_default_thresholds_a_positive_indicator_deviates_exactly_when_it_is_not_green(target, actual, month):
    # the default green band 0.8–1.2 is the band within 20% of plan
    s = indicator("ge", target, actual, month=month)
    assert s.deviation == (s.light != Light.GREEN)


monthly_money = st.dictionaries(months, st.decimals(min_value=0, max_value=10**7, places=2), max_size=12)
profiles = st.lists(st.decimals(min_value=0, max_value=1, places=4), min_size=11, max_size=11).map(
    lambda xs: sorted(xs) + [D(1)])


@given(monthly_money, st.one_of(st.none(), profiles))
def test_expected_progress_rises_to_the_whole_year(plan, profile):
    shares = [rules.expected_progress(month=m, plan=plan, profile=profile) for m in range(1, 13)]
    assert len({e.basis for e in shares}) == 1
    assert all(0 <= a.share <= b.share <= 1 for a, b in zip(shares, shares[1:], strict=False))
    assert shares[-1].share == 1


@given(monthly_money, months)
def test_execution_to_date_is_the_running_sum_and_the_rate_its_rounding(monthly, month):
    executed = rules.execution_to_date(monthly, month)
    assert executed == sum((v for k, v in monthly.items() if k <= month), D(0))
    if month < 12:
        assert executed <= rules.execution_to_date(monthly, month + 1)
    assert rules.execution_rate(executed, D(1000)) == (executed / 1000).quantize(D("0.0001"), ROUND_HALF_UP)


@given(monthly_money, st.integers(min_value=8, max_value=12), st.one_of(st.none(), money))
def test_forecast_is_between_what_is_paid_and_the_budget(monthly, month, amount):
    paid = rules.execution_to_date(monthly, month)
    forecast = rules.forecast_year_end(monthly=monthly, month=month, budget=amount)
    assert forecast >= paid
    if amount:
        assert forecast <= max(amount, paid)
    if month == 12:
        assert forecast == paid
