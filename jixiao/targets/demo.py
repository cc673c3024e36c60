"""Demo target sheets for 临朐县: a project sheet for every demo project of the year in a stage that
takes one (储备, 已申报, 评估中, 已入库, 已纳入预算, 执行中 — and 已完结, whose sheet was approved before it was
budgeted; 已终止 projects have none) and a whole-budget (部门整体) sheet for every active agency, in
every review state: drafts (some with blocking findings), returned with reviewers' opinions, in
review at each step, approved (some published, some returned once or twice before), and approved
versions superseded by an approved in-year adjustment (some adjustments still under way).
Indicators come from the library's templates of the project's sector (and the common ones), goals
are written in the words of the county reports; about a third of the sheets carry quality-check
warnings, and about a third of the submitted sheets were returned at least once (the seeds'
county returned 40%).

How they are made — two ways, for speed (``build_demo`` must stay quick; ~700 sheets through the
services would take minutes):

* **through the services** with the persona logins: every sheet of 第一中学 (101001) and 农技中心
  (102001) — the agencies whose preparers exist — written by their preparers, reviewed step by step
  by the real reviewers (unit head, department, section, performance section), so those logins
  find real work in their inboxes: one sheet waiting at each step, one returned with an opinion, a
  draft, approved and published sheets, an approved adjustment and one under way;
* **set-based** for every other agency: the same rows the services write (sheet, indicators,
  tasks, findings from ``rules.check``, the review with its steps, the review history, inbox items
  for the reviewers of sheets in review, a project-timeline entry), the sheets, indicators, tasks
  and findings in ``targets.layout``'s rows through ``core.bulk`` and the reviews through
  ``review.start_reviews`` — the writers the Excel import uses —, the rest with ``bulk_create``; one
  change-log row per sheet. These agencies have no logins in the demo, so their sheets stand for
  paper returns the performance section entered: the history's submit is the performance
  section's, "单位纸质报送，由绩效股录入"; a step nobody holds is skipped exactly as the review
  machinery skips it. Sheets of projects already budgeted (已纳入预算 and later) are approved with
  the project's budget amount, so the budget gate (未设置绩效目标不得安排预算) holds for every project.

Measured on the 2-core development machine (fresh SQLite file, ``build_demo --scale county --seed 1``):
5.9 s before this module, 12–16 s with it (about 720 sheets, 5,200 indicators, 3,800 review events).

Deterministic for the seed (``random.Random("targets-<seed>")``); idempotent: a region that has
target sheets for the year gets no more."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jixiao.core import audit, bulk
from jixiao.core import config as region_config
from jixiao.core import review as review_machinery
from jixiao.core.actors import SYSTEM
from jixiao.core.choices import ReviewAction, ReviewStatus
from jixiao.core.models import Review
from jixiao.core.money import from_wan
from jixiao.core.roles import Role
from jixiao.library import rules as library_rules
from jixiao.library.models import IndicatorTemplate
from jixiao.library.rules import map_pair
from jixiao.org.models import Agency, User
from jixiao.org.personas import HOME
from jixiao.projects import services as project_services
from jixiao.projects.choices import ProjectStage as PS
from jixiao.projects.models import Project
from jixiao.targets import layout, rules, services
from jixiao.targets.choices import SheetStatus, TargetEventKind, TargetKind
from jixiao.targets.models import TargetFinding, TargetIndicator, TargetSheet, TargetTask

#: Agencies whose preparers exist: their sheets go through the services.
LIVE_AGENCIES = {"101001": "preparer", "102001": "preparer_agri"}
#: Stages whose project takes a sheet in the demo.
SHEET_STAGES = (PS.RESERVE, PS.SUBMITTED, PS.ASSESSING, PS.ADMITTED, PS.BUDGETED, PS.EXECUTING, PS.COMPLETED)
BUDGETED = (PS.BUDGETED, PS.EXECUTING, PS.COMPLETED)
#: Review states of the bulk sheets by project stage, with weights (an approved sheet is required
#: from 已纳入预算 on). "adjusted": v1 superseded by an approved v2; "adjusting": v2 under way.
STATE_WEIGHTS = {
    PS.RESERVE: [("draft", 50), ("in_review", 30), ("returned", 20)],
    PS.SUBMITTED: [("draft", 35), ("in_review", 45), ("returned", 20)],
    PS.ASSESSING: [("draft", 35), ("in_review", 45), ("returned", 20)],
    PS.ADMITTED: [("approved", 40), ("in_review", 30), ("returned", 15), ("draft", 15)],
    PS.BUDGETED: [("approved", 100)],
    PS.EXECUTING: [("approved", 80), ("adjusted", 13), ("adjusting", 7)],
    PS.COMPLETED: [("approved", 100)],
    "agency": [("approved", 72), ("adjusted", 3), ("in_review", 10), ("returned", 7), ("draft", 8)],
}
#: Where returns happen, by step code (among the steps someone holds).
RETURN_STEP_WEIGHTS = {"agency_self": 1, "department": 3, "section": 5, "performance": 2}
#: Returned before (approved or in review now): 0, 1 or 2 times.
RETURN_WEIGHTS = [(0, 72), (1, 23), (2, 5)]

EFFECTS = {
    "education": "改善办学条件，促进义务教育优质均衡发展，保障师生安全和正常教学秩序",
    "science": "提升科技创新能力，促进科技成果转化和特色产业升级",
    "rural_revitalization": "巩固拓展脱贫攻坚成果，带动脱贫群众稳定增收，推进乡村振兴",
    "environment": "改善生态环境质量，推进污染防治和生态保护修复",
    "agriculture_water": "提升农田水利和防汛抗旱保障能力，促进农业增产、农民增收",
    "social_security": "保障困难群众基本生活，确保各项补助资金足额按时发放到位",
    "culture_sports_media": "丰富群众精神文化生活，推进公共文化服务体系建设",
    "housing": "改善困难群众住房条件，推进老旧小区和农村危房改造",
    "transport": "改善群众出行条件，提升农村公路通行能力和安全水平",
    "health": "提升基层医疗卫生服务能力，保障群众基本医疗和公共卫生服务",
    "agricultural_development": "改善项目区农业生产条件，提高粮食综合生产能力",
    "urban_rural_community": "完善城乡基础设施和公共服务，改善城乡人居环境",
    "general_public_services": "保障机关正常运转，提高履职效能和公共服务水平",
    "public_security": "维护社会安全稳定，提升公共安全保障能力",
    "natural_resources": "加强自然资源保护和合理利用，保障耕地和生态安全",
    "commerce_industry": "优化营商环境，促进县域工业和商贸服务业发展",
}
RETURN_OPINIONS = [
    "产出数量指标不够量化，请按建设内容细化数量指标。",
    "年度总体目标与项目实施内容不匹配，请重新表述。",
    "满意度指标值偏低，请参照上年实际完成情况合理设定。",
    "成本指标缺少测算依据，请补充说明。",
    "时效指标不明确，请注明具体完成时限。",
    "效益指标过于笼统，请设置可衡量的社会效益指标。",
    "指标值低于行业标准，请重新核定。",
]
APPROVE_OPINIONS = ["同意。", "审核通过。", "符合要求，同意上报。", "目标明确、指标合理，同意。"]
ENTERED = "单位纸质报送，由绩效股录入"
QUALITATIVE_VALUES = ["明显提升", "有所改善", "逐步完善", "持续向好"]


# --- the plan: pure functions of the seed --------------------------------------------------------

def pick(rng: random.Random, weighted) -> object:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _short(name: str) -> str:
    for part in ("临朐县", "人民政府", "办事处"):
        name = name.replace(part, "")
    return name


def project_goals(name: str, sector: str, year: int, start: int, end: int) -> tuple[str, str]:
    effect = EFFECTS.get(sector, EFFECTS["general_public_services"])
    annual = f"{year}年，按计划实施{_short(name)}，资金按进度拨付使用、专款专用，{effect}，受益群众满意度达到90%以上。"
    medium = f"到{end}年，全面完成{_short(name)}各项建设任务，{effect}。" if end > start else ""
    return annual, medium


def agency_goal(name: str, sector: str, year: int) -> str:
    effect = EFFECTS.get(sector, EFFECTS["general_public_services"])
    return (f"{year}年，{name}围绕县委、县政府中心工作，保障机构正常运转和重点工作任务完成，{effect}；"
            "部门预算执行率达到95%以上，部门整体支出绩效进一步提高。")


@dataclass
class Tpl:
    """A library template as the plan uses it (filed under the sheet's taxonomy)."""

    pk: int
    name: str
    level1: str
    level2: str
    operator: str
    value: str
    unit: str
    scoring: str
    explanation: str
    basis: str
    keywords: str = ""
    sector: str | None = None

    def candidate(self) -> library_rules.Candidate:
        return library_rules.Candidate(self.pk, self.name, self.keywords, self.sector, 0, self.level1)


def category(level1: str, level2: str) -> str:
    return level2 if level1 == "output" else level1


def whole_budget_topic(agency_name: str) -> str:
    """What a whole-budget (部门整体) sheet is about, for ranking templates: the agency's templates
    carry the keyword 部门整体."""
    return f"{agency_name} 部门整体支出"


def _relevant(pool: list[Tpl], topic: str, count: int, sector: str | None = None) -> list[Tpl]:
    """The templates of a category worth drawing from for a sheet about ``topic`` in ``sector``, the
    way the editor's suggestions rank them (``library.rules.rank``): the related ones, best first;
    when fewer than ``count`` are related, then the sector's own and the general common ones — never a
    topical common template the topic has nothing to do with (``library.rules.fits``: no
    工程设计使用年限 for 乡村教师生活补助)."""
    fitting = [t for t in pool if library_rules.fits(topic, t.candidate(), sector)]
    if not topic:
        return fitting
    by_id = {t.pk: t for t in fitting}
    ranked = library_rules.rank(topic, [t.candidate() for t in fitting], sector_code=sector, limit=len(fitting))
    best = [by_id[r.id] for r in ranked][:max(count + 1, 3)]
    if len(best) >= count:
        return best
    chosen = {t.pk for t in best}
    rest = sorted((t for t in fitting if t.pk not in chosen), key=lambda t: t.sector != sector)
    return best + rest[:max(count - len(best) + 1, 0)]


def indicators(rng: random.Random, pools: dict[str, list[Tpl]], *, defect: str | None, topic: str = "",
               sector: str | None = None) -> list[dict]:
    """A sheet's indicators: 2 quantity, 1 quality, 1 timeliness (产出 50 分), 1 cost (10 分),
    1–2 benefit (30 分), 1 satisfaction (10 分), drawn among the templates closest to ``topic`` (the
    project's name). ``defect`` spoils it the way preparers do:
    ``no_timeliness``, ``qualitative`` (too many 定性), or — only in drafts — ``no_satisfaction``,
    ``non_numeric`` and ``weights`` (total ≠ 100) (blocking errors)."""
    plan = [("quantity", 2, 30), ("quality", 1, 10), ("timeliness", 1, 10), ("cost", 1, 10),
            ("benefit", rng.choice([1, 2]), 30), ("satisfaction", 1, 10)]
    rows: list[dict] = []
    seen: set[str] = set()
    lost = 0
    for cat, count, points in plan:
        if (cat == "timeliness" and defect == "no_timeliness") or (cat == "satisfaction" and defect == "no_satisfaction"):
            continue
        pool = list({t.name: t for t in pools.get(cat, []) if t.name not in seen}.values())  # one per name
        pool = _relevant(pool, topic, count, sector)
        chosen = rng.sample(pool, min(count, len(pool)))
        if not chosen:  # nothing in the category fits the project: its points go to the first indicator
            lost += points
        for i, t in enumerate(chosen):
            seen.add(t.name)
            share = points // len(chosen) + (points % len(chosen) if i == 0 else 0)
            rows.append({"level1": t.level1, "level2": t.level2, "name": t.name, "operator": t.operator,
                         "value": t.value, "unit": t.unit, "weight": Decimal(share), "scoring_standard": t.scoring,
                         "explanation": t.explanation, "value_basis": t.basis, "template": t.pk})
    if lost and rows:
        rows[0]["weight"] += lost
    if defect == "no_timeliness":
        rows[0]["weight"] += 10
    if defect == "weights" and rows:
        rows[-1]["weight"] -= 5
    if defect == "qualitative":
        numeric = [r for r in rows if r["operator"] != "qualitative" and r["level1"] in ("output", "benefit")]
        for r in numeric[1:4]:
            r.update(operator="qualitative", value=rng.choice(QUALITATIVE_VALUES), unit="")
    if defect == "non_numeric":
        r = next((r for r in rows if r["operator"] in rules.NUMERIC_OPERATORS), None)
        if r is not None:
            r["value"] = "按实际完成"
    return rows


def adjusted_rows(rng: random.Random, rows: list[dict]) -> list[dict]:
    """An in-year adjustment as bureaus make one: the approved indicators kept, one or two quantity
    targets lowered by 10–20 % (the output cut with the budget)."""
    out = [dict(r) for r in rows]
    numeric = [r for r in out if r["level2"] == "quantity" and r["operator"] in ("ge", "gt")
               and rules.parse_number(r["value"])]
    for r in rng.sample(numeric, min(len(numeric), rng.choice([1, 2]))):
        number = rules.parse_number(r["value"])
        lowered = (number * Decimal(rng.choice([80, 85, 90])) / 100).quantize(number if number % 1 else Decimal(1))
        r["value"] = str(lowered)
    return out


@dataclass
class Event:
    action: str
    from_status: str
    to_status: str
    from_step: str
    to_step: str
    actor: tuple  # (pk, name, role)
    opinion: str
    gap: float  # days since the previous event


#: a skipped step's actor in the history (core.review records skips as SYSTEM's: no user row)
SYSTEM_EVENT_ACTOR = (None, SYSTEM.display_name, "")


@dataclass
class History:
    status: str
    position: int
    returns: int
    events: list[Event] = field(default_factory=list)
    #: step position → the user id the performance section assigned to it (Review.assigned)
    assigned: dict[int, int] = field(default_factory=dict)


def history(rng: random.Random, *, steps: list[dict], holders: list[list[tuple]], submitter: tuple, state: str,
            at: int | None = None, returns: int = 0, assign: dict[int, tuple] | None = None,
            assigner: tuple | None = None) -> History:
    """The review's course as the review machinery writes it (core.review): submit, each step
    approved by its first holder, a step nobody holds skipped by the system when the chain marks it
    ``skip_when_empty``, else — when ``assign`` names a user for it — assigned by ``assigner`` (the
    performance section) the first time the review reaches it, else the review waits there
    (【无审核人】); returns with an opinion and resubmits; ending ``draft``, ``returned``,
    ``in_review`` at step ``at`` or ``approved``."""
    h = History(ReviewStatus.DRAFT, -1, 0)
    if state == "draft":
        return h
    last = len(steps) - 1
    assign = {p: u for p, u in (assign or {}).items() if not holders[p]}
    holders = [users or ([assign[i]] if i in assign else []) for i, users in enumerate(holders)]
    # the first step nobody holds and the chain does not skip: every course stops there at the latest
    block = next((i for i, users in enumerate(holders)
                  if not users and (i == last or not steps[i].get("skip_when_empty"))), None)
    held = [i for i, users in enumerate(holders) if users and (block is None or i < block)]

    def event(action, from_status, from_step, actor, opinion=""):
        to_step = steps[h.position]["name"] if 0 <= h.position < len(steps) else ""
        gap = rng.uniform(0.2, 1.0) if action == ReviewAction.SKIP else rng.uniform(0.5, 4.0)
        h.events.append(Event(action, from_status, h.status, from_step, to_step, actor, opinion, gap))

    def skips():
        while (h.position < last and not holders[h.position] and steps[h.position].get("skip_when_empty")):
            skipped = steps[h.position]["name"]
            h.position += 1
            event(ReviewAction.SKIP, ReviewStatus.IN_REVIEW, skipped, SYSTEM_EVENT_ACTOR,
                  f"“{skipped}”无对应审核人，按本区划审核链设置（无审核人时跳过）自动跳过")
        p = h.position
        if p in assign and p not in h.assigned:
            h.assigned[p] = assign[p][0]
            event(ReviewAction.ASSIGN, ReviewStatus.IN_REVIEW, steps[p]["name"], assigner,
                  f"指定{assign[p][1]}为“{steps[p]['name']}”的审核人")

    def submit():
        from_status = h.status
        h.status, h.position = ReviewStatus.IN_REVIEW, 0
        event(ReviewAction.SUBMIT, from_status, "", submitter, ENTERED if submitter[2] != Role.AGENCY_PREPARER else "")
        skips()

    def approve():
        actor, from_step = holders[h.position][0], steps[h.position]["name"]
        h.position += 1
        if h.position > last:
            h.status = ReviewStatus.APPROVED
        event(ReviewAction.APPROVE, ReviewStatus.IN_REVIEW, from_step, actor, rng.choice(APPROVE_OPINIONS))
        if h.status != ReviewStatus.APPROVED:
            skips()

    def return_at(step: int):
        while h.position < step:
            approve()
        actor, from_step = holders[h.position][0], steps[h.position]["name"]
        h.status, h.position = ReviewStatus.RETURNED, -1
        h.returns += 1
        event(ReviewAction.RETURN, ReviewStatus.IN_REVIEW, from_step, actor, rng.choice(RETURN_OPINIONS))

    cycles = max(returns, 1 if state == "returned" else 0) if held else 0
    for n in range(cycles):
        submit()
        # 谁安排资金，谁审核: the finance section returns most, then the performance section
        return_at(rng.choices(held, [RETURN_STEP_WEIGHTS.get(steps[i]["code"], 1) for i in held])[0])
        if n == cycles - 1 and state == "returned":
            return h
    submit()
    if state == "in_review":
        target = at if at is not None else rng.choice(held or [block])
        if block is not None:
            target = min(target, block)
        while h.position < target:
            approve()
    else:
        while h.status != ReviewStatus.APPROVED and (block is None or h.position < block):
            approve()
    return h


# --- building -----------------------------------------------------------------------------------

class Context:
    """What every sheet of the region needs, read once."""

    def __init__(self, world, region, year: int):
        self.world, self.region, self.year = world, region, year
        self.taxonomy = region_config.get(region, year, "taxonomy")["version"]
        self.tree = services.taxonomy_tree(self.taxonomy)
        self.settings = services.quality_settings(region, year)
        self.steps = region_config.review_steps(region, year, services.CHAIN)
        self.review_days = int(region_config.get(region, year, "target_quality_params")["review_days"])
        # a step nobody holds for an agency (no finance section looks after it …) and the chain does
        # not skip: the performance section assigns the first user of the region holding its role
        self.assignable = {}
        for i, s in enumerate(self.steps):
            u = (User.objects.filter(region=region, role=s["role"], is_active=True)
                 .order_by("pk").first())
            if u is not None:
                self.assignable[i] = (u.pk, u.display_name or u.username, u.role)
        self.now = timezone.now()
        self.perf = world.user("perf_section")
        self.perf_actor = (self.perf.pk, self.perf.display_name or self.perf.username, self.perf.role)
        self.pools: dict[tuple[str | None, str], dict[str, list[Tpl]]] = {}
        self._holders: dict[int, list[list[tuple]]] = {}
        self._templates: dict[str | None, dict[str, list[Tpl]]] = {}
        allowed = {(l1, l2) for l1, l2s in self.tree.items() for l2 in l2s}
        for t in (IndicatorTemplate.objects.available_in(region).filter(active=True).select_related("sector")
                  .order_by("pk")):
            l1, l2 = map_pair(t.level1, t.level2, self.taxonomy)
            if (l1, l2) not in allowed:
                continue
            tpl = Tpl(t.pk, t.name, l1, l2, t.operator, t.typical_value or QUALITATIVE_VALUES[0], t.unit,
                      t.scoring_standard, t.explanation, t.value_basis, t.keywords,
                      t.sector.code if t.sector_id else None)
            key = t.sector.code if t.sector_id else (None if t.serves == "project" else t.serves)
            self._templates.setdefault(key, {}).setdefault(category(l1, l2), []).append(tpl)

    def pool(self, sector: str | None, *, agency: bool = False) -> dict[str, list[Tpl]]:
        """The templates a sheet draws from: its sector's and the common project templates (an
        agency sheet: the agency-level ones first)."""
        key = (sector, "agency" if agency else "project")
        if key not in self.pools:
            merged: dict[str, list[Tpl]] = {}
            sources = [self._templates.get(sector, {}), self._templates.get(None, {})]
            if agency:
                sources = [self._templates.get("agency", {}), self._templates.get(sector, {})]
            for source in sources:
                for cat, tpls in source.items():
                    merged.setdefault(cat, []).extend(tpls)
            if agency:
                for cat in ("satisfaction", "timeliness", "benefit"):
                    if not merged.get(cat):
                        merged[cat] = list(self._templates.get(None, {}).get(cat, []))
            self.pools[key] = merged
        return self.pools[key]

    def holders(self, agency: Agency) -> list[list[tuple]]:
        """For each step, the users who act at it for ``agency`` (the review machinery's resolvers)."""
        if agency.pk not in self._holders:
            probe = Review(region_id=self.region.pk, agency_id=agency.pk, chain=services.CHAIN, year=self.year)
            self._holders[agency.pk] = [
                [(u.pk, u.display_name or u.username, u.role)
                 for u in review_machinery.users_for_role(probe, s["role"]).order_by("pk")]
                for s in self.steps
            ]
        return self._holders[agency.pk]

    def check(self, rows: list[dict], goal: str) -> list[rules.Finding]:
        return rules.check(rules.CheckInput(
            rows=tuple(rules.Row(i, r["level1"], r["level2"], r["name"], r["operator"], r["value"], r["unit"],
                                 r["weight"]) for i, r in enumerate(rows, start=1)),
            annual_goal=goal, taxonomy=self.tree, **self.settings))


@dataclass
class Planned:
    kind: str
    agency: Agency
    project: Project | None
    title: str
    goal: str
    medium_goal: str
    amount: Decimal
    medium_amount: Decimal
    rows: list[dict]
    tasks: list[dict]
    history: History
    number: int = 1
    previous: Planned | None = None
    status: str = ""
    published: bool = False
    reason: str = ""
    wait: float = 0.0  # days since the last event
    sheet: TargetSheet | None = None


def _defect(rng: random.Random, state: str) -> str | None:
    if state == "draft" and rng.random() < 0.4:
        return rng.choice(["no_satisfaction", "non_numeric", "weights"])
    r = rng.random()
    if r < 0.2:
        return "no_timeliness"
    if r < 0.34:
        return "qualitative"
    return None


def _plan_sheet(rng, ctx: Context, *, kind, agency, project, title, goal, medium_goal, amount, medium_amount,
                tasks, state, sector, submitter) -> list[Planned]:
    """One planned object: its sheet, or two versions for an adjustment."""
    holders = ctx.holders(agency)
    pools = ctx.pool(sector, agency=kind == TargetKind.AGENCY)

    def one(state_, number=1, previous=None, reason=""):
        returns = 0 if state_ in ("draft", "returned") else pick(rng, RETURN_WEIGHTS)
        h = history(rng, steps=ctx.steps, holders=holders, submitter=submitter, state=state_,
                    returns=returns if state_ != "returned" else rng.choice([1, 1, 1, 2]),
                    assign=ctx.assignable, assigner=ctx.perf_actor)
        rows = indicators(rng, pools, defect=_defect(rng, state_), topic=project.name if project else whole_budget_topic(agency.name),
                          sector=sector)
        status = {ReviewStatus.DRAFT: SheetStatus.DRAFT, ReviewStatus.IN_REVIEW: SheetStatus.IN_REVIEW,
                  ReviewStatus.RETURNED: SheetStatus.RETURNED, ReviewStatus.APPROVED: SheetStatus.APPROVED}[h.status]
        wait = rng.uniform(0.1, 12.0) if status == SheetStatus.IN_REVIEW else rng.uniform(1.0, 20.0)
        return Planned(kind, agency, project, title, goal, medium_goal, amount, medium_amount, rows, tasks, h,
                       number=number, previous=previous, status=status, reason=reason, wait=wait,
                       published=status == SheetStatus.APPROVED and (project is None or project.stage in BUDGETED)
                       and rng.random() < 0.5)

    if state in ("adjusted", "adjusting"):
        first = one("approved")
        first.status, first.published = SheetStatus.SUPERSEDED if state == "adjusted" else SheetStatus.APPROVED, False
        first.wait += 30
        second = one("approved" if state == "adjusted" else rng.choice(["draft", "in_review"]), 2, first,
                     reason="根据年中预算执行和项目实施进度，调整部分绩效指标值。")
        second.rows = adjusted_rows(rng, first.rows)
        return [first, second]
    return [one(state)]


def _plan_bulk(rng, ctx: Context, projects, agencies, project_amounts) -> list[Planned]:
    planned: list[Planned] = []
    for p in projects:
        sector = p.sector.code if p.sector_id else "general_public_services"
        annual, medium = project_goals(p.name, sector, ctx.year, p.start_year, p.end_year)
        amount = p.budget_amount or p.requested_amount  # budgeted projects: the budget amount (the gate)
        years = max(1, p.end_year - p.start_year + 1)
        state = pick(rng, STATE_WEIGHTS[p.stage])
        kind = TargetKind.POLICY if p.kind == "policy" else TargetKind.PROJECT
        planned += _plan_sheet(rng, ctx, kind=kind, agency=p.agency, project=p,
                               title=f"{p.name}{ctx.year}年度绩效目标"[:255], goal=annual, medium_goal=medium,
                               amount=amount, medium_amount=amount * years if years > 1 else Decimal(0), tasks=[],
                               state=state, sector=sector, submitter=_submitter(ctx, p.agency))
    for a in agencies:
        sector = a.sector.code if a.sector_id else "general_public_services"
        base = from_wan(Decimal(rng.randint(10_000, 250_000)) / 100 * (2 if a.kind == "township" else 1))
        tasks = [{"name": "保障机构正常运转", "content": "人员经费和日常公用经费，保障机关正常运转。", "amount": base}]
        own = project_amounts.get(a.pk, Decimal(0))
        if own:
            tasks.append({"name": "重点项目实施", "content": f"实施本单位项目，{EFFECTS.get(sector, EFFECTS['general_public_services'])}。",
                          "amount": own})
        tasks.append({"name": "履职重点工作", "content": "完成县委、县政府部署的年度重点工作任务。",
                      "amount": from_wan(Decimal(rng.randint(2_000, 60_000)) / 100)})
        total = sum((t["amount"] for t in tasks), Decimal(0))
        planned += _plan_sheet(rng, ctx, kind=TargetKind.AGENCY, agency=a, project=None,
                               title=f"{a.name}{ctx.year}年度部门整体支出绩效目标"[:255],
                               goal=agency_goal(a.name, sector, ctx.year), medium_goal="", amount=total,
                               medium_amount=Decimal(0), tasks=tasks, state=pick(rng, STATE_WEIGHTS["agency"]),
                               sector=sector, submitter=_submitter(ctx, a))
    return planned


def _submitter(ctx: Context, agency: Agency) -> tuple:
    p = ctx.perf
    return (p.pk, p.display_name or p.username, p.role)


def _times(ctx: Context, plan: Planned) -> list:
    """Absolute times of the planned history: the last event ``wait`` days ago, each earlier one
    its gap before the next (whole minutes, so a handful of UPDATEs set them)."""
    out, ago = [], plan.wait
    for e in reversed(plan.history.events):
        out.append(ago)
        ago += e.gap
    return [(ctx.now - timedelta(minutes=round(d * 1440))).replace(second=0, microsecond=0) for d in reversed(out)]


def _write_bulk(ctx: Context, planned: list[Planned]) -> None:
    """The planned sheets set-based, through the writers the import uses: the sheet rows of
    ``targets.layout`` with reserved ids and ``core.bulk``, their reviews through
    ``review.start_reviews`` (then moved to the history's state), indicators, tasks and findings
    in the layout's rows."""
    region_id = ctx.region.pk
    now = timezone.now()
    for wave in (1, 2):  # versions 2 point at their version 1
        batch = [p for p in planned if p.number == wave]
        rows = []
        for p, sheet_id in zip(batch, bulk.reserve_ids(TargetSheet, len(batch)), strict=True):
            findings = ctx.check(p.rows, p.goal)
            p.findings = findings
            errors = sum(1 for f in findings if f.severity == "error")
            times = _times(ctx, p)
            submits = [t for t, e in zip(times, p.history.events, strict=True) if e.action == ReviewAction.SUBMIT]
            approvals = [t for t, e in zip(times, p.history.events, strict=True) if e.to_status == ReviewStatus.APPROVED]
            p.times = times
            fiscal = p.amount
            rows.append(layout.sheet_row(
                id=sheet_id, region_id=region_id, agency_id=p.agency.pk, project_id=p.project.pk if p.project else None,
                kind=p.kind, year=ctx.year, taxonomy=ctx.taxonomy, title=p.title, number=p.number,
                previous_id=p.previous.sheet.pk if p.previous else None, status=p.status, medium_goal=p.medium_goal,
                annual_goal=p.goal, medium_amount=p.medium_amount, medium_fiscal=p.medium_amount, amount=p.amount,
                fiscal_amount=fiscal, other_amount=p.amount - fiscal, adjustment_reason=p.reason,
                error_count=errors, warning_count=len(findings) - errors, return_count=p.history.returns,
                submitted_at=submits[-1] if submits else None, approved_at=approvals[-1] if approvals else None,
                published=p.published,
                published_at=approvals[-1] + timedelta(days=3) if p.published and approvals else None))
        bulk.insert_dicts(TargetSheet, rows, constant=("region_id", "year", "taxonomy", "created_by_id"),
                          with_id=True, now=now)
        for p, row in zip(batch, rows, strict=True):
            p.sheet = TargetSheet(**row, created_at=now, updated_at=now)
    indicators_, tasks_, findings_ = [], [], []
    for p in planned:
        indicators_ += layout.indicator_tuples(region_id, p.sheet.pk, [
            {**r, "number": rules.parse_number(r["value"]) if r["operator"] in rules.NUMERIC_OPERATORS else None}
            for r in p.rows])
        tasks_ += layout.task_tuples(region_id, p.sheet.pk, [{**t, "fiscal_amount": t["amount"]} for t in p.tasks])
        findings_ += layout.finding_tuples(region_id, p.sheet.pk, p.findings)
    bulk.insert(TargetIndicator, layout.INDICATOR_COLUMNS, indicators_)
    bulk.insert(TargetTask, layout.TASK_COLUMNS, tasks_)
    bulk.insert(TargetFinding, layout.FINDING_COLUMNS, findings_)

    review_ids = review_machinery.start_reviews(
        actor=SYSTEM, objs=[p.sheet for p in planned], chain=services.CHAIN, year=ctx.year,
        titles=[p.title for p in planned], submit_roles=[Role.AGENCY_PREPARER], log_each=False)
    # each review's course as the chain's rules drew it (``history``), written by core.review
    courses, timeline = [], []
    for p, review_id in zip(planned, review_ids, strict=True):
        h = p.history
        url = p.sheet.get_absolute_url()
        holders: tuple = ()
        since = None
        if h.status == ReviewStatus.IN_REVIEW:
            holders = tuple(u[0] for u in ctx.holders(p.agency)[h.position])
            if not holders and h.position in h.assigned:
                holders = (h.assigned[h.position],)
            since = p.times[-1] if p.times else ctx.now
        courses.append(review_machinery.PastCourse(
            review_id=review_id, status=h.status, position=h.position, assigned=h.assigned or None,
            events=[review_machinery.PastEvent(e.action, e.from_status, e.to_status, e.from_step, e.to_step,
                                               *e.actor, e.opinion, t)
                    for e, t in zip(h.events, p.times, strict=True)],
            holders=holders, fallback=(ctx.perf.pk,), since=since, url=url))
        if p.project is not None:
            approved = p.status in (SheetStatus.APPROVED, SheetStatus.SUPERSEDED)
            title = ("绩效目标批复" if p.number == 1 else "调整后绩效目标批复") if approved else (
                "编报绩效目标" if p.number == 1 else "调整绩效目标")
            timeline.append({"project_id": p.project.pk, "kind": TargetEventKind.TARGETS, "title": title,
                             "note": p.reason, "data": {"url": url, "sheet": p.sheet.pk, "number": p.number},
                             "created_at": p.times[-1] if p.times else ctx.now - timedelta(days=p.wait)})
    review_machinery.write_histories(actor=SYSTEM, region_id=region_id, courses=courses)
    project_services.record_events(actor=SYSTEM, region_id=region_id, entries=timeline)
    for p in planned:
        audit.log_create(actor=SYSTEM, obj=p.sheet)


# --- through the services: the personas' agencies -------------------------------------------------

#: The states of the personas' sheets not yet budgeted, in order (unit head's, the section's … task).
LIVE_SCENARIOS = [("returned", 2), ("in_review", 0), ("in_review", 2), ("in_review", 3), ("draft", None),
                  ("in_review", 1)]


def _step_user(sheet):
    review = services.review_of(sheet)
    return review_machinery.assignees(review).order_by("pk").first()


def _advance(sheet, steps: int, rng):
    for _ in range(steps):
        sheet.refresh_from_db()
        sheet = services.approve_sheet(actor=_step_user(sheet), sheet=sheet, version=sheet.version,
                                       opinion=rng.choice(APPROVE_OPINIONS))
    return sheet


def _approve_all(sheet, rng):
    while sheet.status == SheetStatus.IN_REVIEW:
        sheet = _advance(sheet, 1, rng)
    return sheet


def _live(rng, ctx: Context) -> int:
    region, year = ctx.region, ctx.year
    made = 0
    scenario = iter(LIVE_SCENARIOS * 3)
    for code, username in LIVE_AGENCIES.items():
        preparer = ctx.world.user(username)
        agency = ctx.world.agency(code)
        sector = agency.sector.code if agency.sector_id else "general_public_services"
        projects = list(Project.objects.filter(region=region, agency=agency, year=year,
                                               stage__in=services.OPEN_PROJECT_STAGES).order_by("code"))
        adjusted = False
        for p in projects:
            annual, medium = project_goals(p.name, sector, year, p.start_year, p.end_year)
            years = p.end_year - p.start_year + 1
            medium_amount = (p.budget_amount or p.requested_amount) * years if years > 1 else Decimal(0)
            sheet = services.create_sheet(actor=preparer, year=year, project=p, annual_goal=annual, medium_goal=medium,
                                          medium_amount=medium_amount, medium_fiscal=medium_amount)
            rows = indicators(rng, ctx.pool(sector), defect=None, topic=p.name, sector=sector)
            sheet = services.save_indicators(actor=preparer, sheet=sheet, version=sheet.version, rows=rows)
            made += 1
            if p.stage in BUDGETED:
                sheet = services.submit_sheet(actor=preparer, sheet=sheet, version=sheet.version)
                sheet = _approve_all(sheet, rng)
                if p.stage == PS.EXECUTING and not adjusted:
                    adjusted = True
                    new = services.adjust_sheet(actor=preparer, sheet=sheet, reason="根据项目实施进度调整部分指标值。")
                    made += 1
                    if code == "101001":
                        new = services.submit_sheet(actor=preparer, sheet=new, version=new.version)
                        new = _approve_all(new, rng)
                        sheet = new
                    else:
                        continue
                services.set_published(actor=ctx.perf, sheet=sheet, version=sheet.version, published=True)
                continue
            state, at = next(scenario)
            made += _drive(rng, sheet, preparer, state, at)
        a = services.create_sheet(actor=preparer, year=year, agency=agency, annual_goal=agency_goal(agency.name, sector, year))
        a = services.save_tasks(actor=preparer, sheet=a, version=a.version, rows=[
            {"name": "保障机构正常运转", "content": "人员经费和日常公用经费。", "fiscal_amount": from_wan(rng.randint(300, 1500))},
            {"name": "履职重点工作", "content": "完成年度重点工作任务。", "fiscal_amount": from_wan(rng.randint(50, 400))}])
        a = services.save_indicators(actor=preparer, sheet=a, version=a.version,
                                     rows=indicators(rng, ctx.pool(sector, agency=True), defect=None,
                                                     topic=whole_budget_topic(agency.name), sector=sector))
        made += 1
        a = services.submit_sheet(actor=preparer, sheet=a, version=a.version)
        if code == "101001":
            _advance(a, 1, rng)  # waits at 主管部门审核 (the department reviewer's task)
        else:
            a = _approve_all(a, rng)
            services.set_published(actor=ctx.perf, sheet=a, version=a.version, published=True)
    return made


def _drive(rng, sheet, preparer, state: str, at) -> int:
    if state == "draft":
        return 0
    sheet = services.submit_sheet(actor=preparer, sheet=sheet, version=sheet.version)
    if state == "returned" or at == 2:
        sheet = _advance(sheet, at if state == "returned" else 1, rng)
        sheet.refresh_from_db()
        sheet = services.return_sheet(actor=_step_user(sheet), sheet=sheet, version=sheet.version,
                                      opinion=rng.choice(RETURN_OPINIONS))
        if state == "returned":
            return 0
        sheet = services.submit_sheet(actor=preparer, sheet=sheet, version=sheet.version, opinion="已按意见修改")
    _advance(sheet, at, rng)
    return 0


# --- entry point --------------------------------------------------------------------------------

def extend_county(*, world, seed: int, year: int) -> dict:
    region = world.regions[HOME]
    if TargetSheet.objects.filter(region=region, year=year).exists():
        return {"target_sheets_created": 0}
    rng = random.Random(f"targets-{seed}")
    ctx = Context(world, region, year)
    live = _live(rng, ctx)
    live_codes = set(LIVE_AGENCIES)
    projects = list(Project.objects.filter(region=region, year=year, stage__in=SHEET_STAGES)
                    .exclude(agency__code__in=live_codes, stage__in=services.OPEN_PROJECT_STAGES)
                    .select_related("agency", "sector").order_by("code"))
    agencies = list(Agency.objects.filter(region=region, active=True).exclude(code__in=live_codes)
                    .select_related("sector").order_by("code"))
    project_amounts: dict[int, Decimal] = {}
    for p in projects:
        if p.stage in BUDGETED:
            project_amounts[p.agency_id] = project_amounts.get(p.agency_id, Decimal(0)) + p.budget_amount
    planned = _plan_bulk(rng, ctx, projects, agencies, project_amounts)
    _write_bulk(ctx, planned)
    return {"target_sheets_created": live + len(planned),
            "target_sheets": TargetSheet.objects.filter(region=region, year=year).count()}
