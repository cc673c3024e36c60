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
        Candidate(5, "义务教育巩固率", "", "education", usage_count=1),  # sector only, nothing shared → dropped
        Candidate(6, "举办培训班期数", "", None),                    # 培训 → 2
    ]
    ranked = rules.rank("全县教师培训人次提升工程", candidates, sector_code="education", limit=10)
    assert [(s.id, s.score) for s in ranked] == [(2, 13), (1, 6), (3, 3), (6, 2)]
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
    # the boost lifts a related template only: the sector alone adds nothing (issue #10)
    assert without >= 0 and with_sector == without + (rules.SECTOR_BOOST if without else 0)


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


# --- suggestions for a sheet (issue #10: 图书馆数字化建设) ---------------------------------------------

LIBRARY = [
    Candidate(1, "营养改善计划受益学生数", "教育 学校 学生", "education", usage_count=9, level1="output"),
    Candidate(2, "学前三年毛入园率", "教育 学前", "education", usage_count=9, level1="benefit"),
    Candidate(3, "图书馆藏书数字化册数", "图书馆 数字化", "culture", level1="output"),
    Candidate(4, "生均公用经费标准", "教育 学校", "education", level1="cost"),
    Candidate(5, "信息系统建设（运维）完成率", "信息化 系统 数字化 平台", None, level1="output"),
    Candidate(6, "工程造价控制率", "工程 造价 概算 成本", None, level1="cost"),
    Candidate(7, "服务对象满意度", "满意度 服务对象 群众", None, level1="satisfaction"),
    Candidate(8, "采购成本节约率", "采购 节约 成本", None, level1="cost"),
    Candidate(9, "数字图书借阅人次", "", "education", level1="benefit"),
]


def test_sector_alone_no_longer_suggests_and_the_missing_cost_kind_is_offered():
    # 图书馆数字化建设 → 图书 书馆 馆数 数字 字化 化建 建设
    ranked = rules.rank("图书馆数字化建设", LIBRARY, sector_code="education", limit=10,
                        missing_level1=["cost", "satisfaction"], per_missing=1)
    got = [(s.id, s.score, s.fills) for s in ranked]
    # cost: nothing related; the sector's own cost template (#4) before the common ones, never the
    # topical 工程/采购 ones; satisfaction: the general common #7
    # then #3 图书馆藏书数字化册数 (culture: 图书 书馆 数字 字化 = 4 name hits → 8, another sector: no
    # boost, admitted with ≥ 2 name hits), #9 数字图书借阅人次 (数字 图书 → 4, + education 3 = 7),
    # #5 信息系统建设（运维）完成率 (name 建设 → 2, keywords 数字 字化 → 2: 4)
    assert got == [(4, 0, "cost"), (7, 0, "satisfaction"), (3, 8, ""), (9, 7, ""), (5, 4, "")]
    assert 1 not in [s.id for s in ranked] and 2 not in [s.id for s in ranked]


def test_peer_uses_lift_what_similar_projects_used_and_adopted_go_last():
    ranked = rules.rank("图书馆数字化建设", LIBRARY, sector_code="education", limit=10,
                        peer_uses={1: 5, 9: 1}, adopted={3})
    # #1 now related through 5 peer uses: 2 × min(5, 3) = 6, + sector 3 = 9
    # #9: 4 + 3 + 2 × 1 = 9 — the tie goes to more peer uses (5 > 1); #3 (8) is on the sheet: last
    assert [(s.id, s.score, s.peer_uses, s.adopted) for s in ranked] == [
        (1, 9, 5, False), (9, 9, 1, False), (5, 4, 0, False), (3, 8, 0, True)]


def test_a_missing_kind_takes_the_best_related_template_first():
    ranked = rules.rank("政府采购设备项目", LIBRARY, sector_code="education", missing_level1=["cost"], per_missing=1)
    # 采购成本节约率 shares 采购 (keyword) → related, preferred over the sector's unrelated #4
    assert ranked[0].id == 8 and ranked[0].fills == "cost"


def test_peer_uses_count_similar_projects_of_the_same_sector():
    peers = [("乡村教师生活补助（2025）", "education", [11, 12, 12]),  # 乡村 村教 教师 师生 生活 活补 补助: 7 shared
             ("农村教师生活补助", "education", [11]),                  # 教师 师生 生活 活补 补助: 5
             ("教师节慰问", "education", [13]),                        # 教师: 1 < 2 → not similar
             ("乡村教师生活补助", "health", [14])]                     # another sector
    assert rules.peer_uses("乡村教师生活补助", "education", peers) == {11: 2, 12: 1}
    assert rules.peer_uses("乡村教师生活补助", None, peers) == {}


def test_fits_keeps_topical_common_templates_to_related_projects():
    eng = Candidate(20, "工程设计使用年限", "工程 建设 使用年限", None)
    net = Candidate(21, "网络安全事件发生次数", "信息化 网络安全", None)
    sat = Candidate(22, "服务对象满意度", "满意度 服务对象 群众", None)
    health = Candidate(23, "孕产妇系统管理率", "卫生 健康", "health")
    assert not rules.fits("乡村教师生活补助", eng, "education")
    assert not rules.fits("乡村教师生活补助", net, "education")
    assert rules.fits("乡村教师生活补助", sat, "education")           # general: fits any project
    assert rules.fits("第一中学教学楼工程建设", eng, "education")       # 工程 建设 in its keywords
    assert not rules.fits("乡村教师生活补助", health, "education")      # another sector
    assert rules.topical(eng) and rules.topical(net) and not rules.topical(sat) and not rules.topical(health)
