"""The rules that match and check an imported form (issue #10) against hand-worked examples: names,
the match by 项目名称 + 实施单位, the money split, a printed total, 元 under a 万元 header."""

from decimal import Decimal

import pytest

from jixiao.targets import rules
from jixiao.targets.rules import Candidate

W = Decimal(10000)  # one 万元 in yuan


@pytest.mark.parametrize(("stated", "actual", "same"), [
    ("教学楼抗震加固改造项目", "教学楼抗震加固改造项目", True),
    (" 教学楼 抗震加固改造项目 ", "教学楼抗震加固改造项目", True),  # spaces anywhere
    ("“教学楼”抗震加固（改造）项目", "教学楼抗震加固(改造)项目", True),  # quotes and full-width brackets
    ("2026年教学楼抗震加固改造项目", "教学楼抗震加固改造项目", True),  # the project's name inside
    ("第一中学", "临朐县第一中学", True),  # four characters, contained
    ("一中", "临朐县第一中学", False),  # too short to count as contained
    ("高标准农田建设项目", "教学楼抗震加固改造项目", False),
    ("", "教学楼抗震加固改造项目", False),
    ("ＸＭ项目Ａ", "xm项目a", True),  # full-width letters, case
])
def test_same_name(stated, actual, same):
    assert rules.same_name(stated, actual) is same


SCHOOL, CENTRE = "临朐县第一中学", "临朐县农业技术推广中心"
C1 = Candidate("XM-1", "校园安全提升工程", SCHOOL, 2026)
C2 = Candidate("XM-2", "校园安全提升工程", SCHOOL, 2025)
C3 = Candidate("XM-3", "校园安全提升工程", CENTRE, 2026)
C4 = Candidate("XM-4", "2026年校园安全提升工程（二期）", SCHOOL, 2026)


def test_match_by_name_prefers_equal_names_then_the_unit_then_the_year():
    # equal names beat a name that merely contains it (C4 is left out)
    m = rules.match_by_name("校园安全提升工程", SCHOOL, [C1, C2, C3, C4])
    assert m.by_name == (C1, C2, C3) and m.found == (C1, C2)  # both of the school: ambiguous without a year
    assert rules.match_by_name("校园安全提升工程", SCHOOL, [C1, C2, C3, C4], year=2026).found == (C1,)
    # no unit stated: every equal name is found (ambiguous: the caller lists them)
    assert rules.match_by_name("校园安全提升工程", "", [C1, C3]).found == (C1, C3)
    # a unit that is none of theirs: nothing found, the name's matches kept for the message
    m = rules.match_by_name("校园安全提升工程", "临朐县城关街道中心小学", [C1, C3])
    assert m.found == () and m.by_name == (C1, C3)
    # no equal name: those containing it or contained in it, then the unit (C3 is the centre's)
    assert rules.match_by_name("校园安全提升工程二期", SCHOOL, [C3, C4]).found == (C4,)
    # the first phase's name is inside the second's: both, for the caller to list
    assert rules.match_by_name("校园安全提升工程（二期）", SCHOOL, [C1, C3, C4]).found == (C1, C4)
    assert rules.match_by_name("乡村道路硬化", SCHOOL, [C1, C3, C4]) == rules.NameMatch((), ())


@pytest.mark.parametrize(("cells", "split", "error"), [
    ((None, None, None), None, None),  # nothing stated
    ((120 * W, None, None), (120 * W, 120 * W, 0), None),  # all 财政拨款, as a new sheet is
    ((120 * W, 100 * W, None), (120 * W, 100 * W, 20 * W), None),  # 其他资金 is what is left
    ((120 * W, None, 20 * W), (120 * W, 100 * W, 20 * W), None),
    ((None, 100 * W, 20 * W), (120 * W, 100 * W, 20 * W), None),  # the total is the sum
    ((120 * W, 100 * W, 20 * W), (120 * W, 100 * W, 20 * W), None),
    ((120 * W, 100 * W, 10 * W), None, "财政拨款 100.00 万元与其他资金 10.00 万元之和应等于资金总额 120.00 万元"),
    ((120 * W, 130 * W, None), None, "财政拨款 130.00 万元与其他资金 0.00 万元之和应等于资金总额 120.00 万元"),
])
def test_split_amounts(cells, split, error):
    got, message = rules.split_amounts(*(Decimal(c) if c is not None else None for c in cells))
    assert got == (tuple(Decimal(x) for x in split) if split else None) and message == error


def test_total_problem():
    assert rules.total_problem(Decimal("1200000.50"), [Decimal("800000"), Decimal("400000.50")]) is None
    assert rules.total_problem(Decimal("1300000"), [Decimal("800000"), Decimal("400000.50")]) == (
        "金额合计 130.00 万元与各项任务之和 120.00 万元不符")  # 120.00005 万元 shown to the cent


def test_yuan_suspect():
    # 1,200,000 typed in 元 for a 120 万元 project, read as 万元: 10,000 times the project
    assert rules.yuan_suspect(Decimal(1_200_000) * W, reference=Decimal(1_200_000)) == (
        "金额 1,200,000.00 万元达到 1,000,000.00 万元以上，疑似按“元”填写：本表金额单位为万元，按元计应填 120.00 万元")
    assert rules.yuan_suspect(Decimal(50_000) * W, reference=Decimal(50_000)) == (
        "金额 50,000.00 万元是项目金额 5.00 万元的 10,000 倍，疑似按“元”填写：本表金额单位为万元，按元计应填 5.00 万元")
    # 999 times the project, or just under the bound with nothing to compare: not reported
    assert rules.yuan_suspect(Decimal(999) * Decimal(50_000), reference=Decimal(50_000)) is None
    assert rules.yuan_suspect(Decimal(999_999) * W) is None
    assert rules.yuan_suspect(Decimal(1000) * W, amount_max_wan=Decimal(1000)) is not None  # the region's bound
    assert rules.yuan_suspect(Decimal(10) * Decimal(50_000), reference=Decimal(50_000), ratio=Decimal(10)) is not None


def test_amount_problem():
    refs = [Decimal("1200000"), Decimal("0"), None]
    assert rules.amount_problem(Decimal("1200000"), refs) is None
    assert rules.amount_problem(Decimal("1505000"), refs) == "年度资金总额 150.50 万元与项目的金额（120.00 万元）不一致"
    assert rules.amount_problem(Decimal("1505000"), [Decimal("1000000"), Decimal("1200000")]) == (
        "年度资金总额 150.50 万元与项目的金额（100.00 万元或120.00 万元）不一致")
    assert rules.amount_problem(Decimal("1505000"), [Decimal("0")]) is None  # nothing known to compare
