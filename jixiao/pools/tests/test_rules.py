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
    Candidate(2, True, frozenset({10, 11}), agency_id=100, agency_path="/100/"),
    Candidate(3, True, frozenset({11}), firm_id=200),
    Candidate(4, False, frozenset({10})),
    Candidate(5, True, frozenset({12})),
    Candidate(6, True, frozenset({10})),
]


def test_eligible_needs_active_and_a_field():
    assert rules.eligible(POOL, fields=[10]) == [1, 2, 6]
    assert rules.eligible(POOL, fields=[10, 11]) == [1, 2, 3, 6]


def test_eligible_recuses_own_agency_firm_and_already_drawn():
    assert rules.eligible(POOL, fields=[10, 11], recuse_agencies=["/100/"]) == [1, 3, 6]
    assert rules.eligible(POOL, fields=[10, 11], exclude_firms=[200]) == [1, 2, 6]
    assert rules.eligible(POOL, fields=[10, 11], exclude_experts=[1, 6]) == [2, 3]


# An agency tree worked by hand (Agency.path = ids from the department down):
#   12 教育和体育局 /12/ ─┬─ 45 教研室 /12/45/
#                         └─ 46 第一中学 /12/46/ ── 80 第一中学附属幼儿园 /12/46/80/
#   1 财政局 /1/ ── 5 国库集中支付中心 /1/5/          20 农业农村局 /20/ ── 21 农技中心 /20/21/
def expert(agency_path="", firm_id=None):
    return Candidate(9, True, frozenset({10}), agency_path=agency_path, firm_id=firm_id)


def test_department_is_the_top_of_the_path():
    assert rules.department("/12/46/80/") == "/12/"
    assert rules.department("/12/") == "/12/"
    assert rules.department("") == ""


def test_an_expert_of_the_department_or_any_of_its_units_recuses_from_a_unit_of_it():
    school = ["/12/46/"]
    # the case: an expert of 教研室 was drawn for a school of the same department
    assert rules.recusal(expert("/12/45/"), agencies=school) == rules.RECUSE_DEPARTMENT
    assert rules.recusal(expert("/12/46/"), agencies=school) == rules.RECUSE_DEPARTMENT      # the school itself
    assert rules.recusal(expert("/12/"), agencies=school) == rules.RECUSE_DEPARTMENT         # its department
    assert rules.recusal(expert("/12/46/80/"), agencies=school) == rules.RECUSE_DEPARTMENT   # a unit below it
    assert rules.recusal(expert("/12/45/"), agencies=["/12/"]) == rules.RECUSE_DEPARTMENT    # the department applies


def test_other_departments_and_experts_without_an_agency_do_not_recuse():
    school = ["/12/46/"]
    assert rules.recusal(expert("/20/21/"), agencies=school) is None
    assert rules.recusal(expert(""), agencies=school) is None
    # /1/5/ is not under /12/ although "/12/" starts with "/1": departments are compared, not text prefixes
    assert rules.recusal(expert("/1/5/"), agencies=school) is None
    assert rules.recusal(expert("/12/45/"), agencies=[]) is None


def test_an_expert_of_a_firm_involved_recuses():
    assert rules.recusal(expert(firm_id=200), firms=[200]) == rules.RECUSE_FIRM
    assert rules.recusal(expert(firm_id=200), firms=[201]) is None
    assert rules.recusal(expert(), firms=[200]) is None


def test_conflicted_lists_only_those_left_out_by_recusal():
    pool = [expert("/12/45/"), Candidate(7, True, frozenset({10}), agency_path="/20/"),
            Candidate(8, False, frozenset({10}), agency_path="/12/46/")]
    assert rules.conflicted(pool, fields=[10], recuse_agencies=["/12/46/"]) == [9]
    assert rules.eligible(pool, fields=[10], recuse_agencies=["/12/46/"]) == [7]


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
