"""Who reviews at an expert step of a chain (e.g. the target chain's 专家会审): the experts drawn for
the reviewed object (a draw whose subject is the review's subject) who have not declined or been
replaced. Registered with core's review machinery at start-up."""

from __future__ import annotations

from jixiao.core import review as review_machinery
from jixiao.core.roles import Role


def drawn_experts(review):
    from jixiao.org.models import User
    from jixiao.pools.choices import DrawnStatus
    from jixiao.pools.models import DrawnExpert

    drawn = DrawnExpert.objects.filter(
        region_id=review.region_id, draw__content_type_id=review.content_type_id,
        draw__object_id=review.object_id, status__in=[DrawnStatus.INVITED, DrawnStatus.ACCEPTED],
    )
    return User.objects.filter(role=Role.EXPERT, region_id=review.region_id,
                               pk__in=drawn.values("expert__user_id"))


def register() -> None:
    review_machinery.register_assignees(Role.EXPERT, drawn_experts)
