"""Demo ex-ante assessments for 临朐县: a dozen new major projects and policies of the projects demo,
taken from 储备 or 已申报 (where the projects demo's 申报入库 left them waiting for this app), assessed by
experts drawn from the pools demo, with every conclusion — 予以支持 and
部分支持 (the projects enter the library), 暂缓支持 (back to 储备, to be assessed again), one 不予支持
(terminated, its whole amount cut) — plus one assessment still being scored with the ``expert``
persona drawn, so that login has a task. Through the services; deterministic for the seed
(``random.Random("assessment-<seed>")``); idempotent: a region that has assessments gets no more."""

from __future__ import annotations

import random
from decimal import Decimal

from jixiao.assessment import services
from jixiao.assessment.models import ExAnteAssessment
from jixiao.core.actors import SYSTEM
from jixiao.org.personas import HOME
from jixiao.pools import rules as pool_rules
from jixiao.pools import services as pool_services
from jixiao.pools.models import DrawnExpert, Expert
from jixiao.projects.models import Project
from jixiao.projects.rules import ASSESSABLE_STAGES

#: conclusion → (share of the points the experts give, about), in the order they are assigned
PLAN = ["reject", "support", "partial", "defer", "support", "partial", "defer", "support", "support", "defer",
        "partial", "support"]
LEVEL = {"support": (Decimal("0.84"), Decimal("0.96")), "partial": (Decimal("0.72"), Decimal("0.84")),
         "defer": (Decimal("0.58"), Decimal("0.72")), "reject": (Decimal("0.40"), Decimal("0.58"))}
OPINIONS = {
    "support": "项目立项依据充分，绩效目标明确，实施方案可行，予以支持。",
    "partial": "项目总体必要，但部分建设内容标准偏高、投入测算依据不足，按核定金额部分支持。",
    "defer": "项目前期论证不充分，实施方案和绩效目标需进一步细化，暂缓支持，完善后重新申报评估。",
    "reject": "项目与现有项目内容重复，投入产出不经济，筹资方案存在隐性债务风险，不予支持。",
}
EXPERT_OPINIONS = {
    "support": "立项必要，方案可行，同意支持。",
    "partial": "建议压减部分非必要支出后支持。",
    "defer": "前期论证不足，建议完善后再评估。",
    "reject": "必要性和经济性不足，不建议支持。",
}
#: the share of the request a 部分支持 keeps
PARTIAL_SHARE = (Decimal("0.60"), Decimal("0.90"))


def _score(rng: random.Random, points: Decimal, level: tuple[Decimal, Decimal]) -> Decimal:
    lo, hi = level
    share = lo + (hi - lo) * Decimal(rng.randint(0, 100)) / 100
    return min(points, (points * share * 2).quantize(Decimal("1")) / 2)  # half points, as experts give them


def _candidates(region) -> list[Project]:
    """New major projects in 储备, and those the projects demo applied with (已申报), waiting for their
    assessment (no assessment exists for them)."""
    return list(Project.objects.filter(region=region, stage__in=ASSESSABLE_STAGES,
                                       is_new=True, is_major=True, exante_assessments__isnull=True)
                .select_related("agency", "sector").order_by("code"))


def extend_county(*, world, seed: int, year: int) -> dict:
    rng = random.Random(f"assessment-{seed}")
    region = world.regions[HOME]
    if ExAnteAssessment.objects.filter(region=region).exists():
        return {"assessments_created": 0}
    members = pool_services.candidates(region.pk)

    def drawable(p) -> bool:
        pool = pool_rules.eligible(members, fields=[p.sector_id], recuse_agencies=[p.agency.path])
        return len(pool) >= services.DEFAULT_EXPERTS

    projects = [p for p in _candidates(region) if drawable(p)]
    if not projects:
        return {"assessments_created": 0}
    me, persona_project, persona_seed = _persona_pick(world, region, projects, members)
    projects = [p for p in projects if p is not persona_project]
    # the 不予支持 case is the project closest to 4000 万元 (the seeds' "追减预算 4000 万元")
    target = Decimal(40_000_000)
    reject = min(projects, key=lambda p: (abs(p.requested_amount - target), p.code))
    order = [reject] + [p for p in projects if p.pk != reject.pk]
    made = 0
    for project, conclusion in zip(order, PLAN, strict=False):
        seed_ = rng.randint(1, 10**9)
        a = services.create_assessment(actor=SYSTEM, project=project, note="演示：新增重大项目事前评估")
        a = services.draw_assessment_experts(actor=SYSTEM, assessment=a, version=a.version, seed=seed_)
        made += 1
        level = LEVEL[conclusion]
        for drawn in DrawnExpert.objects.filter(draw=a.draw).select_related("expert").order_by("order"):
            scores = {d["code"]: {"score": _score(rng, Decimal(d["points"]), level),
                                  "opinion": EXPERT_OPINIONS[conclusion]} for d in a.dimensions}
            services.submit_scores(actor=SYSTEM, assessment=a, drawn=drawn, scores=scores,
                                   opinion=EXPERT_OPINIONS[conclusion])
        a.refresh_from_db()
        supported = None
        if conclusion == "partial":
            lo, hi = PARTIAL_SHARE
            share = lo + (hi - lo) * Decimal(rng.randint(0, 100)) / 100
            supported = (a.requested_amount * share).quantize(Decimal("10000"))
        services.conclude(actor=SYSTEM, assessment=a, version=a.version, conclusion=conclusion,
                          opinion=OPINIONS[conclusion], supported_amount=supported)
    made += _open_task_for_expert_persona(me, persona_project, persona_seed)
    return {"assessments_created": made}


def _persona_pick(world, region, projects, members):
    """The project (of the ``expert`` persona's fields) and the first seed that draws the persona."""
    me = Expert.objects.filter(region=region, user=world.user("expert")).first()
    if me is None:
        return None, None, None
    fields = set(me.fields.values_list("pk", flat=True))
    for project in projects:
        if project.sector_id not in fields:
            continue
        pool = pool_rules.eligible(members, fields=[project.sector_id], recuse_agencies=[project.agency.path])
        if len(pool) < services.DEFAULT_EXPERTS or me.pk not in pool:
            continue
        seed = next(s for s in range(1, 10_000) if me.pk in pool_rules.choose(pool, services.DEFAULT_EXPERTS, s))
        return me, project, seed
    return None, None, None


def _open_task_for_expert_persona(me, project, seed) -> int:
    """One assessment still being scored, with the ``expert`` persona drawn and yet to score (the
    seed is the first that draws them — the draw stays reproducible like any other)."""
    if project is None:
        return 0
    a = services.create_assessment(actor=SYSTEM, project=project, note="演示：待专家评分")
    a = services.draw_assessment_experts(actor=SYSTEM, assessment=a, version=a.version, seed=seed)
    for drawn in DrawnExpert.objects.filter(draw=a.draw).exclude(expert=me).select_related("expert"):
        services.submit_scores(actor=SYSTEM, assessment=a, drawn=drawn, opinion=EXPERT_OPINIONS["support"],
                               scores={d["code"]: {"score": Decimal(d["points"]) * Decimal("0.85"),
                                                   "opinion": "较好"} for d in a.dimensions})
    return 1
