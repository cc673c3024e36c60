"""Pure rules: the GB 32100 check digit worked by hand, eligibility, the seeded choice."""

import random

from hypothesis import given
from hypothesis import strategies as st

from jixiao.pools import rules
from jixiao.pools.rules import Candidate


def test_check_char_worked_by_hand():
    # 9 1 3 7 0 7 2 4 M A 3 C 4 X K Q 0 → values 9 1 3 7 0 7 2 4 21 10 3 12 4 29 19 24 0
    # × weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
    # = 9+3+27+189+0+182+32+68+420+290+75+156+32+696+190+720+0 = 3089; 3089 mod 31 = 20; 31−20 = 11 → "B"
    assert rules.credit_check_char("91370724MA3C4XKQ0") == "B"
    assert rules.credit_code_error("91370724MA3C4XKQ0B") is None


def test_check_char_31_becomes_0():
    # 1+6+27+189+0+182+32+68+0+0+100+39+64+192+50+150+140 = 1240 = 40 × 31 → 31 − 0 = 31 → "0"
    assert rules.credit_check_char("12370724004388555") == "0"
    assert rules.credit_code_error("123707240043885550") is None


def test_credit_code_errors_in_chinese():
    assert "18 位" in rules.credit_code_error("91370724MA3C4XKQ0")
    assert "无效字符" in rules.credit_code_error("91370724MA3C4XKQOB")  # letter O
    assert "第 18 位应为 B" in rules.credit_code_error("91370724MA3C4XKQ0A")


@given(st.text(alphabet=rules.CREDIT_CHARSET, min_size=17, max_size=17))
def test_any_base_with_its_check_char_is_valid_and_any_other_last_char_is_not(base):
    code = rules.with_check_char(base)
    assert rules.credit_code_error(code) is None
    wrong = next(c for c in rules.CREDIT_CHARSET if c != code[-1])
    assert rules.credit_code_error(base + wrong) is not None


POOL = [
    Candidate(1, True, frozenset({10})),
    Candidate(2, True, frozenset({10, 11}), agency_id=100),
    Candidate(3, True, frozenset({11}), firm_id=200),
    Candidate(4, False, frozenset({10})),
    Candidate(5, True, frozenset({12})),
    Candidate(6, True, frozenset({10})),
]


def test_eligible_needs_active_and_a_field():
    assert rules.eligible(POOL, fields=[10]) == [1, 2, 6]
    assert rules.eligible(POOL, fields=[10, 11]) == [1, 2, 3, 6]


def test_eligible_recuses_own_agency_firm_and_already_drawn():
    assert rules.eligible(POOL, fields=[10, 11], exclude_agencies=[100]) == [1, 3, 6]
    assert rules.eligible(POOL, fields=[10, 11], exclude_firms=[200]) == [1, 2, 6]
    assert rules.eligible(POOL, fields=[10, 11], exclude_experts=[1, 6]) == [2, 3]


def test_choose_is_random_sample_over_the_ascending_ids():
    assert rules.choose([6, 2, 1, 3], 2, seed=42) == random.Random(42).sample([1, 2, 3, 6], 2)


@given(st.sets(st.integers(1, 10_000), min_size=1, max_size=60), st.integers(0, 10**12), st.data())
def test_same_seed_same_pool_same_draw(pool, seed, data):
    count = data.draw(st.integers(1, len(pool)))
    first = rules.choose(pool, count, seed)
    assert first == rules.choose(list(reversed(sorted(pool))), count, seed)
    assert len(set(first)) == count and set(first) <= pool


def test_choose_refuses_a_short_pool():
    import pytest

    with pytest.raises(ValueError, match="只有 1 名"):
        rules.choose([1], 2, seed=1)


def test_derived_seed_is_stable_and_differs_per_replacement():
    assert rules.derived_seed(7, 1) == rules.derived_seed(7, 1)
    assert rules.derived_seed(7, 1) != rules.derived_seed(7, 2)
    assert 0 <= rules.derived_seed(7, 1) < 10**12
