"""Rules of the ex-ante assessment, by hand and by property."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jixiao.assessment import rules
from jixiao.core.config import default_value

D = Decimal


def test_dimensions_for_project_and_policy_by_hand():
    rows = default_value("exante_dimensions")
    project = rules.dimensions_for(rows, "project")
    assert [d["name"] for d in project] == ["立项必要性", "投入经济性", "绩效目标合理性", "实施方案可行性", "筹资合规性"]
    assert {d["points"] for d in project} == {"20.00"} and all(d["sub_items"] for d in project)
    policy = rules.dimensions_for(rows, "policy")
    assert policy[0]["name"] == "政策设立必要性" and len(policy) == 5
    custom = rules.dimensions_for([{"object_kind": "project", "code": "x", "name": "自定", "points": D("12.5")}],
                                  "project")
    assert custom == [{"code": "x", "name": "自定", "points": "12.50", "sub_items": ""}]


def test_creation_refusal_by_hand():
    ok = dict(stage="reserve", is_new=True, is_major=True, year=2026, end_year=2028, has_open=False)
    assert rules.creation_refusal(**ok) is None
    assert rules.creation_refusal(**{**ok, "stage": "submitted"}) is None  # where 申报入库 leaves it
    assert "储备或已申报阶段" in rules.creation_refusal(**{**ok, "stage": "assessing"})
    assert "评估中" in rules.creation_refusal(**{**ok, "stage": "assessing"})
    assert "不是重大项目" in rules.creation_refusal(**{**ok, "is_major": False})
    assert "实施期内" in rules.creation_refusal(**{**ok, "is_new": False})
    # a continuing project proposed past its end year needs one
    assert rules.creation_refusal(**{**ok, "is_new": False, "is_major": False, "year": 2027, "end_year": 2026}) is None
    assert "进行中" in rules.creation_refusal(**{**ok, "has_open": True})


def test_parse_score_by_hand():
    assert rules.parse_score("18.5", "20.00") == (D("18.50"), None)
    assert rules.parse_score(0, "20") == (D("0.00"), None)
    assert rules.parse_score("20", "20") == (D("20.00"), None)
    assert rules.parse_score("20.01", "20")[1] == "得分应在 0—20.00 分之间"
    assert rules.parse_score("-1", "20")[1] == "得分应在 0—20.00 分之间"
    assert rules.parse_score("1.234", "20")[1] == "得分最多保留两位小数"
    assert "不是有效数字" in rules.parse_score("abc", "20")[1]
    assert "不是有效数字" in rules.parse_score("NaN", "20")[1]


def test_combine_by_hand():
    # (18 + 15.5 + 16) / 3 = 16.5; (17 + 17 + 16) / 3 = 16.666… → 16.67; (1 + 2) / 2 = 1.5
    assert rules.combine([D(18), D("15.5"), D(16)]) == D("16.50")
    assert rules.combine([D(17), D(17), D(16)]) == D("16.67")
    assert rules.combine([D("0.01"), D("0.02")]) == D("0.02")  # 0.015 rounds half up
    assert rules.combine([]) is None
    dims = [{"code": "a"}, {"code": "b"}, {"code": "c"}]
    combined, total = rules.combine_all(dims, {"a": [D(18), D(16)], "b": [D(17), D(17), D(16)]})
    assert combined == {"a": D("17.00"), "b": D("16.67")} and total == D("33.67")


def test_conclusion_amounts_by_hand():
    req = D("40000000.00")
    kw = dict(enters_library=True, closes_project=False, requested=req)
    assert rules.conclusion_amounts(code="support", supported=None, **kw) == (req, D("0.00"), {})
    assert rules.conclusion_amounts(code="support", supported=D(1), **kw) == (req, D("0.00"), {})
    assert rules.conclusion_amounts(code="partial", supported=D("30000000"), **kw) == (D("30000000.00"),
                                                                                     D("10000000.00"), {})
    assert "须填写支持金额" in rules.conclusion_amounts(code="partial", supported=None, **kw)[2]["supported_amount"][0]
    assert "小于申报金额" in rules.conclusion_amounts(code="partial", supported=req, **kw)[2]["supported_amount"][0]
    assert "大于零" in rules.conclusion_amounts(code="partial", supported=D(0), **kw)[2]["supported_amount"][0]
    reject = dict(enters_library=False, closes_project=True, requested=req)
    assert rules.conclusion_amounts(code="reject", supported=D(5), **reject) == (D("0.00"), req, {})
    defer = dict(enters_library=False, closes_project=False, requested=req)
    assert rules.conclusion_amounts(code="defer", supported=D(5), **defer) == (None, None, {})


scores = st.decimals(min_value=0, max_value=20, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(scores, min_size=1, max_size=9))
def test_mean_lies_between_min_and_max_and_is_rounded(values):
    mean = rules.combine(values)
    assert min(values) <= mean <= max(values)
    assert mean == mean.quantize(D("0.01"))
    exact = sum(values) / len(values)
    assert abs(mean - exact) <= D("0.005")


@given(st.lists(scores, min_size=1, max_size=9))
def test_a_constant_panel_combines_to_its_score(values):
    assert rules.combine([values[0]] * len(values)) == values[0]


@given(st.decimals(min_value=1, max_value=10**9, places=2), st.integers(min_value=1, max_value=99))
def test_partial_effect_is_requested_minus_supported(requested, percent):
    supported = (requested * percent / 100).quantize(D("0.01"))
    amount, effect, errors = rules.conclusion_amounts(code="partial", enters_library=True, closes_project=False,
                                                      requested=requested, supported=supported)
    if 0 < supported < requested:
        assert not errors and amount + effect == requested
    else:
        assert errors
