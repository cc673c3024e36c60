"""The suggestion ranking and taxonomy rules, worked by hand."""

from hypothesis import given
from hypothesis import strategies as st

from jixiao.library import rules
from jixiao.library.rules import Candidate


def test_bigrams_of_a_chinese_run():
    assert rules.bigrams("校舍维修") == {"校舍", "舍维", "维修"}


def test_punctuation_and_digits_break_runs_and_latin_words_count():
    assert rules.bigrams("校舍、维修") == {"校舍", "维修"}
    assert rules.bigrams("PM2.5浓度") == {"pm2", "浓度"}
    assert rules.bigrams("学") == set() and rules.bigrams("") == set() and rules.bigrams(None) == set()


def test_score_hand_worked():
    # query 第一中学校舍维修改造项目 → 第一 一中 中学 学校 校舍 舍维 维修 修改 改造 造项 项目
    query = rules.bigrams("第一中学校舍维修改造项目")
    assert len(query) == 11
    # name 校舍维修改造面积 → 校舍 舍维 维修 修改 改造 造面 面积: 5 hits × 2 = 10
    # keywords 学校 教师 → 学校 hits (not in the name) + 1; same sector + 3 → 14
    c = Candidate(1, "校舍维修改造面积", "学校 教师", "education")
    s = rules.score(query, c, "education")
    assert (s.name_hits, s.keyword_hits, s.sector_match, s.score) == (5, 1, True, 14)
    # another sector: no boost
    assert rules.score(query, c, "health").score == 11


def test_rank_orders_by_score_then_usage_then_shorter_name():
    # query 全县教师培训人次提升工程 → 全县 县教 教师 师培 培训 训人 人次 次提 提升 升工 工程
    candidates = [
        Candidate(1, "培训人次", "培训", None),                      # 培训 训人 人次 → 3×2 = 6
        Candidate(2, "教师培训人次", "", "education"),               # 教师 师培 培训 训人 人次 → 10, +3 → 13
        Candidate(3, "参训人员满意度", "培训", None, usage_count=5),  # 训人 → 2, keyword 培训 +1 → 3
        Candidate(4, "道路里程", "", "transport", usage_count=9),    # nothing, other sector → dropped
        Candidate(5, "义务教育巩固率", "", "education", usage_count=1),  # sector only → 3 (used less than #3)
        Candidate(6, "举办培训班期数", "", None),                    # 培训 → 2
    ]
    ranked = rules.rank("全县教师培训人次提升工程", candidates, sector_code="education", limit=10)
    assert [(s.id, s.score) for s in ranked] == [(2, 13), (1, 6), (3, 3), (5, 3), (6, 2)]
    assert [s.id for s in rules.rank("全县教师培训人次提升工程", candidates, sector_code="education", limit=2)] == [2, 1]


def test_ties_go_to_usage_then_shorter_name():
    candidates = [Candidate(1, "工程验收合格率", usage_count=0), Candidate(2, "工程验收合格", usage_count=0),
                  Candidate(3, "工程验收通过率", usage_count=7)]
    ranked = rules.rank("工程验收", candidates, sector_code=None)
    # all share 工程 程验 验收 (3 hits → 6)
    assert [s.id for s in ranked] == [3, 2, 1]


def test_no_sector_no_overlap_gives_nothing():
    assert rules.rank("办公楼", [Candidate(1, "义务教育巩固率", "", "education")], sector_code=None) == []


@given(st.text(max_size=40), st.text(max_size=20))
def test_score_never_negative_and_boost_adds_exactly(query, name):
    c = Candidate(1, name, "", "education")
    q = rules.bigrams(query)
    with_sector = rules.score(q, c, "education").score
    without = rules.score(q, c, None).score
    assert without >= 0 and with_sector == without + rules.SECTOR_BOOST


def test_tree_and_pair_checks():
    pairs = [("output", "quantity"), ("output", "quality"), ("satisfaction", "beneficiary")]
    tree = rules.tree(pairs, {"output": "产出指标"}, {"quantity": "数量指标"})
    assert tree == [
        {"code": "output", "label": "产出指标", "children": [{"code": "quantity", "label": "数量指标"},
                                                           {"code": "quality", "label": "quality"}]},
        {"code": "satisfaction", "label": "satisfaction", "children": [{"code": "beneficiary", "label": "beneficiary"}]},
    ]
    assert rules.pair_error("output", "quantity", set(pairs)) is None
    assert rules.pair_error("satisfaction", "quantity", set(pairs)) == "二级指标与一级指标不匹配"


def test_numeric_value_check():
    assert rules.numeric_value_error("ge", "95") is None
    assert rules.numeric_value_error("le", "1,200.5") is None
    assert rules.numeric_value_error("qualitative", "明显改善") is None
    assert rules.numeric_value_error("ge", "") is None
    assert rules.numeric_value_error("ge", "较好") == "运算符为数值比较时，指标值应为数字（收到“较好”）"
    assert rules.numeric_value_error("eq", "NaN") is not None


def test_map_pair_between_taxonomies():
    assert rules.map_pair("output", "cost", "2021") == ("cost", "economic_cost")
    assert rules.map_pair("cost", "social_cost", "classic") == ("output", "cost")
    assert rules.map_pair("output", "cost", "classic") == ("output", "cost")
    assert rules.map_pair("cost", "ecological_cost", "2021") == ("cost", "ecological_cost")
    assert rules.map_pair("benefit", "social", "classic") == ("benefit", "social")
