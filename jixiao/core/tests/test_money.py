"""Money as Decimal yuan: half-up rounding to the cent, 万元/亿元 conversion and display, no floats."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.money import (
    MoneyError,
    format_amount,
    format_percent,
    format_rate,
    format_score,
    format_wan,
    from_wan,
    to_wan,
    to_yi,
    yuan,
)

CENT = Decimal("0.01")
cents = st.integers(min_value=-(10**15), max_value=10**15)
exact = st.decimals(min_value=Decimal(-(10**12)), max_value=Decimal(10**12), allow_nan=False, allow_infinity=False,
                    places=6)


# --- properties ---------------------------------------------------------------------------------------

@given(exact)
def test_yuan_rounds_half_up_to_the_cent(d):
    y = yuan(d)
    assert y == d.quantize(CENT, rounding=ROUND_HALF_UP)
    assert y.as_tuple().exponent == -2
    assert abs(y - d) <= Decimal("0.005")


@given(st.integers(min_value=0, max_value=10**13))
def test_exact_half_cent_goes_away_from_zero(c):
    half = Decimal(c) / 100 + Decimal("0.005")
    assert yuan(half) == (Decimal(c) + 1) / 100
    assert yuan(-half) == -(Decimal(c) + 1) / 100
    assert yuan(Decimal(c) / 100 + Decimal("0.00499")) == Decimal(c) / 100


@given(cents)
def test_yuan_of_text_and_int_agree_with_decimal(c):
    d = Decimal(c) / 100
    assert yuan(str(d)) == d
    assert yuan(f"{d:,}") == d  # thousands separators as typed in spreadsheets
    if c % 100 == 0:
        assert yuan(c // 100) == d


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_yuan_refuses_every_float(f):
    with pytest.raises(MoneyError, match="浮点数"):
        yuan(f)


@given(cents)
def test_cents_survive_the_trip_through_wan(c):
    """Any cent amount written in 万元 (six decimals) comes back to exactly the same yuan."""
    amount = Decimal(c) / 100
    assert from_wan(amount / 10_000) == amount
    assert from_wan(str(amount / 10_000)) == amount


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_two_decimal_wan_round_trips(c):
    wan = Decimal(c) / 100
    assert to_wan(from_wan(wan)) == wan
    # a spreadsheet hands the same number over as a float; its shortest repr is what was typed
    assert from_wan(float(wan)) == from_wan(wan)


@given(cents)
def test_to_wan_and_to_yi_round_half_up(c):
    amount = Decimal(c) / 100
    assert to_wan(amount) == (amount / 10_000).quantize(CENT, rounding=ROUND_HALF_UP)
    assert to_yi(amount) == (amount / 100_000_000).quantize(CENT, rounding=ROUND_HALF_UP)


@given(cents)
def test_format_amount_picks_the_unit_by_size(c):
    amount = Decimal(c) / 100
    text = format_amount(amount)
    if abs(amount) >= 100_000_000:
        assert text.endswith(" 亿元")
    else:
        assert text.endswith(" 万元")
    number = Decimal(text.split(" ")[0].replace(",", ""))
    assert number.as_tuple().exponent == -2


# --- worked examples ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_662_000_000, "16.62 亿元"),
        (Decimal("1662000000.00"), "16.62 亿元"),
        (5_505_600, "550.56 万元"),
        ("5505600", "550.56 万元"),
        (Decimal("99999999.99"), "10,000.00 万元"),
        (Decimal("99999999.995"), "1.00 亿元"),  # rounds to a full 亿 first
        (100_000_000, "1.00 亿元"),
        (1_234_567_890_000, "12,345.68 亿元"),
        (-1_662_000_000, "-16.62 亿元"),
        (Decimal("49.99"), "0.00 万元"),
        (Decimal("50.00"), "0.01 万元"),
        (0, "0.00 万元"),
        (None, ""),
    ],
)
def test_format_amount_examples(amount, text):
    assert format_amount(amount) == text


def test_format_wan_examples():
    assert format_wan(5_505_600) == "550.56"
    assert format_wan(Decimal("1234567890")) == "123,456.79"
    assert format_wan(Decimal("1234567890"), grouping=False) == "123456.79"
    assert format_wan(None) == ""


def test_conversion_examples():
    assert from_wan("550.56") == Decimal("5505600.00")
    assert from_wan(550.56) == Decimal("5505600.00")
    assert from_wan("1,662.00") == Decimal("16620000.00")
    assert from_wan(Decimal("0.000001")) == Decimal("0.01")
    assert from_wan(Decimal("0.0000005")) == Decimal("0.01")  # half a cent rounds up
    assert to_wan(Decimal("5505649.99")) == Decimal("550.56")
    assert to_wan(Decimal("5505650.00")) == Decimal("550.57")
    assert yuan("12.345") == Decimal("12.35")
    assert yuan("-12.345") == Decimal("-12.35")
    assert yuan(" 1,000 ") == Decimal("1000.00")


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", "1.2.3", "万元", True])
def test_bad_amounts_are_refused_in_chinese(bad):
    with pytest.raises(MoneyError, match="不是有效金额"):
        yuan(bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc"])
def test_from_wan_refuses_non_numbers(bad):
    with pytest.raises((MoneyError, ArithmeticError)):
        from_wan(bad)


@pytest.mark.parametrize(
    ("num", "den", "text"),
    [
        (8744, 10000, "87.44%"),
        (Decimal("1453.26"), Decimal("1662"), "87.44%"),
        (Decimal("2"), Decimal("3"), "66.67%"),
        (Decimal("1"), Decimal("8"), "12.50%"),
        (Decimal("1.3"), 1, "130.00%"),
        (0, 5, "0.00%"),
        (5, 0, "—"),
        (5, Decimal("0.00"), "—"),
        (5, None, "—"),
    ],
)
def test_format_rate_examples(num, den, text):
    assert format_rate(num, den) == text


def test_format_percent_and_score():
    assert format_percent(Decimal("0.8744")) == "87.44%"
    assert format_percent(Decimal("0.87445")) == "87.45%"
    assert format_percent(None) == "—"
    assert format_score(Decimal("93.465")) == "93.47 分"
    assert format_score(90) == "90.00 分"
    assert format_score(None) == "—"
