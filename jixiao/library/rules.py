"""Pure rules of the indicator library: Chinese character bigrams and the suggestion ranking, and the
taxonomy checks. No ORM, no network, no model download."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Points a template gets for belonging to the project's sector (about one and a half matched name
#: bigrams): enough to lift the sector's templates above common ones of equal overlap.
SECTOR_BOOST = 3
NAME_WEIGHT = 2
KEYWORD_WEIGHT = 1

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z0-9]{2,}")


def bigrams(text: str | None) -> set[str]:
    """Overlapping two-character grams of every run of Chinese characters, plus latin words and
    numbers of two or more characters (lower-cased). Punctuation, spaces and digits break a run,
    so "校舍、维修" gives {"校舍", "维修"} and not "舍维". A one-character run gives nothing."""
    if not text:
        return set()
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    grams.update(w.lower() for w in _WORD.findall(text))
    return grams


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    keywords: str = ""
    sector: str | None = None
    usage_count: int = 0


@dataclass(frozen=True)
class Suggestion:
    id: int
    score: int
    name_hits: int
    keyword_hits: int
    sector_match: bool


def score(query: set[str], candidate: Candidate, sector_code: str | None, *,
          sector_boost: int = SECTOR_BOOST) -> Suggestion:
    """score = 2 × (query bigrams found in the name) + 1 × (those found only in the keywords)
    + the sector boost when the template belongs to the project's sector."""
    name = bigrams(candidate.name)
    keywords = bigrams(candidate.keywords) - name
    name_hits = len(query & name)
    keyword_hits = len(query & keywords)
    match = bool(sector_code) and candidate.sector == sector_code
    total = NAME_WEIGHT * name_hits + KEYWORD_WEIGHT * keyword_hits + (sector_boost if match else 0)
    return Suggestion(candidate.id, total, name_hits, keyword_hits, match)


def rank(text: str, candidates: Iterable[Candidate], *, sector_code: str | None, limit: int = 20,
         sector_boost: int = SECTOR_BOOST) -> list[Suggestion]:
    """Templates worth proposing for a project described by ``text`` (its name and description):
    those sharing a bigram with it or belonging to its sector, best first; ties go to the template
    used more often, then to the shorter name (the more general indicator), then to the lower id."""
    query = bigrams(text)
    scored = []
    for c in candidates:
        s = score(query, c, sector_code, sector_boost=sector_boost)
        if s.name_hits or s.keyword_hits or s.sector_match:
            scored.append((s, c))
    scored.sort(key=lambda sc: (-sc[0].score, -sc[1].usage_count, len(sc[1].name), sc[1].id))
    return [s for s, _ in scored[:max(limit, 0)]]


# --- taxonomy ------------------------------------------------------------------------------------

def tree(pairs: Iterable[tuple[str, str]], labels1: dict[str, str], labels2: dict[str, str]) -> list[dict]:
    """Ordered (level1, level2) pairs → ``[{"code", "label", "children": [{"code", "label"}]}]``."""
    out: list[dict] = []
    index: dict[str, dict] = {}
    for level1, level2 in pairs:
        node = index.get(level1)
        if node is None:
            node = index[level1] = {"code": level1, "label": labels1.get(level1, level1), "children": []}
            out.append(node)
        node["children"].append({"code": level2, "label": labels2.get(level2, level2)})
    return out


#: The same cost indicator in the two taxonomies: classic 产出 → 成本; 2021 成本 → 经济成本 (the default
#: kind; a classic sheet does not say whether a cost is economic, social or ecological).
_CLASSIC_COST = ("output", "cost")
_2021_COST = ("cost", "economic_cost")


def map_pair(level1: str, level2: str, version: str) -> tuple[str, str]:
    """A template's (level 1, level 2) as the taxonomy ``version`` files it: only cost differs —
    (output, cost) ↔ (cost, economic_cost / social_cost / ecological_cost)."""
    if version == "2021" and (level1, level2) == _CLASSIC_COST:
        return _2021_COST
    if version == "classic" and level1 == "cost":
        return _CLASSIC_COST
    return level1, level2


def pair_error(level1: str, level2: str, allowed: set[tuple[str, str]]) -> str | None:
    """A Chinese message when ``level2`` is not a level-2 kind of ``level1`` in any taxonomy."""
    if (level1, level2) in allowed:
        return None
    return "二级指标与一级指标不匹配"


def numeric_value_error(operator: str, value: str) -> str | None:
    """A numeric operator needs a number as its value (domain-rules §3); 定性 takes text."""
    if operator == "qualitative" or not value:
        return None
    try:
        number = Decimal(value.replace(",", "").strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return f"运算符为数值比较时，指标值应为数字（收到“{value}”）"
    return None
