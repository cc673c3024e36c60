"""The two level-1/level-2 indicator taxonomies of domain-rules §2, as data. A region chooses one per
year (configuration key ``taxonomy``); the data migration loads these rows into ``TaxonomyEntry``.

- ``classic``: the tables that came with 财预〔2020〕10号 and most provinces' earlier forms — cost sits
  under output (产出 → 成本指标, code ``cost``).
- ``2021``: 财预〔2021〕101号 — cost is a level-1 kind of its own (经济 / 社会 / 生态环境成本).
"""

LEVEL1 = [
    ("output", "产出指标"),
    ("cost", "成本指标"),
    ("benefit", "效益指标"),
    ("satisfaction", "满意度指标"),
]

LEVEL2 = [
    ("quantity", "数量指标"),
    ("quality", "质量指标"),
    ("timeliness", "时效指标"),
    ("cost", "成本指标"),
    ("economic_cost", "经济成本指标"),
    ("social_cost", "社会成本指标"),
    ("ecological_cost", "生态环境成本指标"),
    ("economic", "经济效益指标"),
    ("social", "社会效益指标"),
    ("ecological", "生态效益指标"),
    ("sustainability", "可持续影响指标"),
    ("beneficiary", "服务对象满意度指标"),
]

#: version → label, source, [(level1, [level2, …]), …]
TAXONOMIES = {
    "classic": {
        "label": "经典版（10号文配套表）",
        "source": "财预〔2020〕10号配套表及多数省份沿用的指标体系",
        "tree": [
            ("output", ["quantity", "quality", "timeliness", "cost"]),
            ("benefit", ["economic", "social", "ecological", "sustainability"]),
            ("satisfaction", ["beneficiary"]),
        ],
    },
    "2021": {
        "label": "2021版（财预〔2021〕101号）",
        "source": "财预〔2021〕101号",
        "tree": [
            ("output", ["quantity", "quality", "timeliness"]),
            ("cost", ["economic_cost", "social_cost", "ecological_cost"]),
            ("benefit", ["economic", "social", "ecological", "sustainability"]),
            ("satisfaction", ["beneficiary"]),
        ],
    },
}


def rows():
    """(version, level1, level2, position) for every pair, in display order."""
    out = []
    for version, spec in TAXONOMIES.items():
        position = 0
        for level1, level2s in spec["tree"]:
            for level2 in level2s:
                position += 1
                out.append((version, level1, level2, position))
    return out
