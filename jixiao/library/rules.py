"""Pure rules of the indicator library: Chinese character bigrams and the suggestion ranking, and the
taxonomy checks. No ORM, no network, no model download."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
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
    level1: str = ""


@dataclass(frozen=True)
class Suggestion:
    id: int
    score: int
    name_hits: int
    keyword_hits: int
    sector_match: bool
    peer_uses: int = 0
    #: already on the sheet (the editor marks it 已采用 and lists it last)
    adopted: bool = False
    #: offered because the sheet still lacks its level-1 kind (the editor marks it 补缺)
    fills: str = ""


#: Points per approved sheet of a similar project that used the template (capped): what colleagues
#: actually wrote for such a project weighs like a matched name bigram.
PEER_WEIGHT = 2
PEER_CAP = 3
#: A template of another sector must share this many name bigrams to count as related: one shared
#: word ("建设", "服务") across sectors is noise (图书馆数字化建设 is no 工程建设).
FOREIGN_NAME_HITS = 2


def score(query: set[str], candidate: Candidate, sector_code: str | None, *,
          sector_boost: int = SECTOR_BOOST, peer_uses: int = 0) -> Suggestion:
    """score = 2 × (query bigrams found in the name) + 1 × (those found only in the keywords)
    + the sector boost when the template belongs to the project's sector and is otherwise related
    (shares a bigram or was used by similar projects) + 2 × min(peer uses, 3)."""
    name = bigrams(candidate.name)
    keywords = bigrams(candidate.keywords) - name
    name_hits = len(query & name)
    keyword_hits = len(query & keywords)
    match = bool(sector_code) and candidate.sector == sector_code
    related = bool(name_hits or keyword_hits or peer_uses)
    total = (NAME_WEIGHT * name_hits + KEYWORD_WEIGHT * keyword_hits + (sector_boost if match and related else 0)
             + PEER_WEIGHT * min(peer_uses, PEER_CAP))
    return Suggestion(candidate.id, total, name_hits, keyword_hits, match, peer_uses)


def related(s: Suggestion, candidate: Candidate, sector_code: str | None) -> bool:
    """Worth proposing on its own merits: used by similar projects, or sharing bigrams with the
    project — a template of another sector only with ``FOREIGN_NAME_HITS`` name bigrams. Belonging to
    the project's sector alone is not enough (营养改善计划受益学生数 for 图书馆数字化建设)."""
    if s.peer_uses:
        return True
    foreign = candidate.sector is not None and candidate.sector != sector_code
    if foreign:
        return s.name_hits >= FOREIGN_NAME_HITS
    return bool(s.name_hits or s.keyword_hits)


#: Keywords that tie a common template (no sector) to one kind of spending: purchase, training,
#: meetings, construction, subsidies, information systems, an agency's whole budget, finance
#: operations. Such a template is proposed only for a project it is related to (工程设计使用年限 for a
#: construction, never for 乡村教师生活补助); the other common ones (满意度, 资金支出进度 …) fit any project.
TOPIC_MARKERS = ("采购", "设备", "培训", "会议", "工程", "施工", "补贴", "补助", "信息化", "系统", "部门整体", "财政运行")


def topical(candidate: Candidate) -> bool:
    """A common template tied to one kind of spending (:data:`TOPIC_MARKERS` in its keywords)."""
    return candidate.sector is None and any(m in (candidate.keywords or "") for m in TOPIC_MARKERS)


def fits(text: str, candidate: Candidate, sector_code: str | None) -> bool:
    """The template may stand on a sheet about ``text`` in ``sector_code``: of that sector, or common
    and either general or related to it (a topical one). What the demo draws from and what its test
    checks every demo sheet against."""
    if candidate.sector is not None:
        return candidate.sector == sector_code
    if not topical(candidate):
        return True
    return related(score(bigrams(text), candidate, sector_code), candidate, sector_code)


def _order(sc: tuple[Suggestion, Candidate]):
    s, c = sc
    return (-s.score, -s.peer_uses, -c.usage_count, len(c.name), c.id)


def rank(text: str, candidates: Iterable[Candidate], *, sector_code: str | None, limit: int = 20,
         sector_boost: int = SECTOR_BOOST, peer_uses: dict[int, int] | None = None,
         adopted: Iterable[int] = (), missing_level1: Iterable[str] = (), per_missing: int = 2) -> list[Suggestion]:
    """Templates worth proposing for a project (or sheet) described by ``text`` (its name and
    description), best first.

    * related ones (:func:`related`) by :func:`score`; ties go to more peer uses, the template used
      more often, the shorter name (the more general indicator), the lower id;
    * ``peer_uses``: template id → approved sheets of similar projects that used it
      (:func:`peer_uses`);
    * ``missing_level1``: level-1 kinds the sheet still lacks (the 2021 taxonomy requires 成本):
      ``per_missing`` templates of each are always offered, first — the best related ones, else
      the project's sector's, else general common ones (never another sector's, never a
      :func:`topical` one it is not related to), marked ``fills``;
    * ``adopted``: template ids already on the sheet, marked and listed after the others.
    """
    query = bigrams(text)
    peers = peer_uses or {}
    pool = list(candidates)
    scored = [(score(query, c, sector_code, sector_boost=sector_boost, peer_uses=peers.get(c.id, 0)), c) for c in pool]
    main = sorted((sc for sc in scored if related(sc[0], sc[1], sector_code)), key=_order)
    taken = {s.id for s, _ in main}
    fills: list[tuple[Suggestion, Candidate]] = []
    adopted_ids = set(adopted)
    for kind in dict.fromkeys(missing_level1):
        own = [sc for sc in main if sc[1].level1 == kind and sc[1].id not in adopted_ids]
        fallback = sorted((sc for sc in scored if sc[1].level1 == kind and sc[1].id not in taken
                           and sc[1].id not in adopted_ids and sc[1].sector in (None, sector_code)
                           and not topical(sc[1])),
                          key=lambda sc: (sc[1].sector != sector_code if sector_code else False, *_order(sc)))
        for s, c in (own + fallback)[:per_missing]:
            fills.append((replace(s, fills=kind), c))
    filled = {s.id for s, _ in fills}
    rest = [sc for sc in main if sc[0].id not in filled]
    fresh = [s for s, c in rest if s.id not in adopted_ids]
    old = [replace(s, adopted=True) for s, c in rest if s.id in adopted_ids]
    room = max(max(limit, 0) - len(fills), 0)
    return [s for s, _ in fills] + (fresh + old)[:room]


def peer_uses(text: str, sector_code: str | None, peers: Iterable[tuple[str, str | None, Iterable[int]]], *,
              min_shared: int = 2) -> dict[int, int]:
    """Template id → how many of the ``peers`` (approved sheets of other projects: name, sector,
    the template ids their indicators came from) are similar to the project and used it. Similar:
    the same sector and at least ``min_shared`` shared name bigrams (two projects of one sector
    about the same thing: 乡村教师生活补助 and 农村教师生活补助)."""
    query = bigrams(text)
    out: dict[int, int] = {}
    for name, sector, templates in peers:
        if not sector_code or sector != sector_code or len(query & bigrams(name)) < min_shared:
            continue
        for t in set(templates):
            out[t] = out.get(t, 0) + 1
    return out


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
