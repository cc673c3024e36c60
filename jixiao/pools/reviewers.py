"""Who reviews at an expert step of a chain (e.g. the target chain's 专家会审): the experts drawn for
the reviewed object (a draw whose subject is the review's subject) who have not declined or been
replaced. Registered with core's review machinery at start-up: the assignees (drawn experts with a
login) and the members (every drawn expert, with or without a login — a panel that must pass in full
counts them all; the performance section enters the opinion of one without a login, 代录)."""

from __future__ import annotations

from jixiao.core import review as review_machinery
from jixiao.core.roles import Role


def _drawn(review):
    from jixiao.pools.choices import DrawnStatus
    from jixiao.pools.models import DrawnExpert

    return DrawnExpert.objects.filter(
        region_id=review.region_id, draw__content_type_id=review.content_type_id,
        draw__object_id=review.object_id, status__in=[DrawnStatus.INVITED, DrawnStatus.ACCEPTED],
    )


def drawn_experts(review):
    from jixiao.org.models import User

    return User.objects.filter(role=Role.EXPERT, region_id=review.region_id,
                               pk__in=_drawn(review).values("expert__user_id"))


def drawn_members(review) -> list:
    """Every drawn expert of the subject, once (``expert:<id>``); ``user_id`` only for an active
    expert login of the review's region — the others are counted without one."""
    rows = (_drawn(review).order_by("expert_id")
            .values_list("expert_id", "expert__name", "expert__user_id", "expert__user__is_active",
                         "expert__user__role", "expert__user__region_id").distinct())
    out, seen = [], set()
    for expert_id, name, user_id, active, role, region_id in rows:
        if expert_id in seen:
            continue
        seen.add(expert_id)
        login = user_id if (user_id and active and role == Role.EXPERT and region_id == review.region_id) else None
        out.append(review_machinery.Member(f"expert:{expert_id}", login, name))
    return out


def register() -> None:
    review_machinery.register_assignees(Role.EXPERT, drawn_experts)
    review_machinery.register_members(Role.EXPERT, drawn_members)
