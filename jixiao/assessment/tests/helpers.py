"""Assessments in the persona world (临朐县) in each state, built through the services; idempotent,
so route targets and tests can both call it. The pool is the pools app's test pool: three education
experts may be drawn for 第一中学 (钱学军 of 第一中学 itself is recused), 赵明远 (the ``expert``
persona) among them."""

from __future__ import annotations

from decimal import Decimal

from jixiao.assessment import services
from jixiao.assessment.models import ExAnteAssessment
from jixiao.core.actors import SYSTEM
from jixiao.pools import services as pool_services
from jixiao.pools.models import DrawnExpert
from jixiao.pools.tests.helpers import ensure_pool
from jixiao.projects.tests.factories import make_project

SCORES = {"necessity": "18", "economy": "15.5", "target_reasonableness": "16", "feasibility": "17",
          "financing_compliance": "19"}


def major_project(world, code: str, **over):
    fields = dict(name=f"第一中学新校区建设项目{code[-2:]}", is_new=True, is_major=True, start_year=2026, end_year=2028,
                  requested_amount=Decimal("12000000.00"))
    fields.update(over)
    return make_project(world, code=code, **fields)


def _assessment(world, code: str):
    project = major_project(world, code)
    return ExAnteAssessment.objects.filter(project=project).order_by("-pk").first() or \
        services.create_assessment(actor=SYSTEM, project=project)


def draft(world):
    ensure_pool(world)
    return _assessment(world, "EA2026001")


def scoring(world, code: str = "EA2026002", *, accept: bool = True):
    """Being scored; the ``expert`` persona (赵明远) has accepted the invitation unless ``accept`` is
    False (an expert accepts or declines before scoring)."""
    ensure_pool(world)
    a = _assessment(world, code)
    if a.status == "draft":
        a = services.draw_assessment_experts(actor=SYSTEM, assessment=a, version=a.version, seed=11)
        mine = DrawnExpert.objects.filter(draw=a.draw, expert__user=world.user("expert"), status="invited").first()
        if accept and mine is not None:
            pool_services.accept_drawn(actor=world.user("expert"), drawn=mine)
    return a


def score_all(a, scores=None, *, skip_user=None):
    for drawn in DrawnExpert.objects.filter(draw=a.draw, status__in=("invited", "accepted")).select_related("expert"):
        if skip_user is not None and drawn.expert.user_id == skip_user.pk:
            continue
        services.submit_scores(actor=SYSTEM, assessment=a, drawn=drawn, opinion="同意立项，建议细化绩效目标。",
                               scores={k: {"score": v, "opinion": "较好"} for k, v in (scores or SCORES).items()})
    a.refresh_from_db()
    return a


def concluded(world):
    a = scoring(world, "EA2026003")
    if a.status == "scoring":
        a = score_all(a)
        a = services.conclude(actor=SYSTEM, assessment=a, version=a.version, conclusion="support",
                              opinion="项目立项必要，予以支持。")
    return a


def scored(world, code: str = "EA2026004"):
    """Every drawn expert has scored; the conclusion is the performance section's to give."""
    a = scoring(world, code)
    if a.status == "scoring" and not a.total_score:
        a = score_all(a)
    return a
