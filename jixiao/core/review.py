"""The generic review chain (house style 4): ordered steps, each reviewed by one role; explicit
transitions ``submit`` → ``approve``/``return_`` guarded by predicates; every move writes a
:class:`ReviewEvent` (from, to, actor, opinion, time) and keeps the inbox in step.

Domain apps (targets, assessments, evaluations, rectifications) call :func:`start_review` for their
object and wrap the transitions in their own services. Who may act at a step is decided by the
assignee resolver registered for the step's role (org registers them: the agency's head, its
department's reviewers, the finance section that looks after it, the performance section …).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from jixiao.core import audit, config, inbox
from jixiao.core.actors import person, require_actor
from jixiao.core.choices import InboxKind, ReviewAction, ReviewStatus
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import TransitionError, ValidationFailed
from jixiao.core.models import Review, ReviewEvent
from jixiao.core.registry import Registry
from jixiao.core.services import service

INBOX_KIND = InboxKind.REVIEW

#: role → ``resolver(review) -> QuerySet of users``: who acts at a step of that role.
resolvers = Registry("core.review.assignees", keyed=True)


def register_assignees(role: str, resolver: Callable[[Review], QuerySet]) -> None:
    resolvers.register(role, resolver)


def users_for_role(review: Review, role: str) -> QuerySet:
    from django.contrib.auth import get_user_model

    resolver = resolvers.get(role)
    if resolver is None:
        return get_user_model().objects.none()
    return resolver(review).filter(is_active=True)


def assignees(review: Review) -> QuerySet:
    step = review.current_step
    if step is None:
        from django.contrib.auth import get_user_model

        return get_user_model().objects.none()
    return users_for_role(review, step["role"])


def submitters(review: Review) -> QuerySet:
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    # Combined as id subqueries: resolvers may return distinct querysets, which ``|`` refuses to mix.
    users = get_user_model().objects
    if not review.submit_roles:
        return users.none()
    wanted = Q()
    for role in review.submit_roles:
        wanted |= Q(pk__in=users_for_role(review, role).values("pk"))
    return users.filter(wanted)


def can_submit(user, review: Review) -> bool:
    return (
        review.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
        and submitters(review).filter(pk=user.pk).exists()
    )


def can_act(user, review: Review) -> bool:
    """The user is an assignee of the current step and has not passed it yet (a step every assignee
    must pass keeps the ones who have)."""
    return (review.status == ReviewStatus.IN_REVIEW and user.pk not in (review.step_approvals or [])
            and assignees(review).filter(pk=user.pk).exists())


def review_for(obj, chain: str) -> Review | None:
    ct = ContentType.objects.get_for_model(obj)
    return Review.objects.filter(content_type=ct, object_id=obj.pk, chain=chain).first()


def _url(review: Review) -> str:
    subject = review.subject
    return subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""


def _event(review, *, actor, action, from_status, from_step, opinion):
    require_actor(actor, "core.review")
    step = review.current_step
    user = person(actor)  # SYSTEM (automatic steps, the command line): no user row, named 系统
    return ReviewEvent.objects.create(
        review=review,
        action=action,
        from_status=from_status,
        to_status=review.status,
        from_step=from_step,
        to_step=step["name"] if step else "",
        actor=user,
        actor_name=actor.display_name if user is None else (user.display_name or user.get_username()),
        actor_role="" if user is None else user.role,
        opinion=opinion,
    )


def _open_step_items(review: Review, *, actor) -> None:
    """Open inbox items for the current step. An intermediate step nobody can take (a township has
    no department above it) is skipped, visibly, in history; the last step is never skipped — an
    object is approved only by a person — so it waits until someone holds that role."""
    while review.current_step is not None:
        users = list(assignees(review))
        last = review.position == len(review.steps) - 1
        if users or last:
            step = review.current_step
            inbox.open_items(
                users=users, region_id=review.region_id, kind=INBOX_KIND, obj=review,
                title=f"【{step['name']}】{review.title}", url=_url(review),
            )
            return
        skipped = review.current_step["name"]
        review.position += 1
        if review.position >= len(review.steps):
            review.status = ReviewStatus.APPROVED
        _event(review, actor=actor, action=ReviewAction.SKIP, from_status=ReviewStatus.IN_REVIEW,
               from_step=skipped, opinion=f"“{skipped}”无对应审核人，自动跳过")


def _review_row(*, region_id, agency_id, object_id, title: str, chain: str, year: int, content_type_id: int,
                steps: list, submit_roles) -> dict:
    """The row a started (draft) review is: the one row builder of :func:`start_review` and
    :func:`start_reviews`. Every other column keeps its default (status draft, position -1 …)."""
    return {"region_id": region_id, "agency_id": agency_id, "chain": chain, "year": year,
            "content_type_id": content_type_id, "object_id": object_id, "title": title[:255], "steps": steps,
            "submit_roles": [str(r) for r in submit_roles]}


#: The columns of :func:`_review_row` that differ between the objects of one region in a bulk start.
_SUBJECT_COLUMNS = ("agency_id", "object_id", "title")


def _steps(region_id, year: int, chain: str, include_optional: bool) -> list:
    steps = config.review_steps(region_id, year, chain, include_optional=include_optional)
    if not steps:
        raise TransitionError(f"本区划 {year} 年未配置“{chain}”审核链，请联系绩效股。", code="review.no_chain")
    return steps


@service
def start_review(*, actor, obj, chain: str, year: int, title: str, submit_roles, include_optional: bool = False):
    """Create the (draft) review of ``obj`` with the steps the region configures for ``chain``."""
    if review_for(obj, chain) is not None:
        raise TransitionError("该事项的审核已经发起，不能重复发起。", code="review.exists")
    steps = _steps(obj.region_id, year, chain, include_optional)
    review = Review.objects.create(**_review_row(
        region_id=obj.region_id, agency_id=getattr(obj, "agency_id", None), object_id=obj.pk, title=title,
        chain=chain, year=year, content_type_id=ContentType.objects.get_for_model(obj).pk, steps=steps,
        submit_roles=submit_roles))
    audit.log_create(actor=actor, obj=review)
    return review


@service
def start_reviews(*, actor, objs, chain: str, year: int, titles, submit_roles, include_optional: bool = False,
                  model=None, log_each: bool = True) -> list[int]:
    """:func:`start_review` for many objects at once, set-based (``core.bulk``): the same Review
    rows, the same refusals (a review already started, no chain configured), a handful of statements
    per 5,000 objects. Returns the new reviews' ids, in the order of ``objs``.

    ``objs``: model instances, or — when the objects were just inserted set-based and no instance
    exists — anything with ``pk``, ``region_id`` and ``agency_id`` (then ``model`` names their model).
    ``titles``: one per object. ``log_each``: one change-log ``create`` entry per review, as
    :func:`start_review` writes; a caller that writes one summary entry for a whole file instead
    (the province import) passes False and is responsible for that entry."""
    from jixiao.core import bulk

    objs = list(objs)
    titles = list(titles)
    if len(titles) != len(objs):
        raise ValueError("start_reviews needs one title per object")
    if not objs:
        return []
    model = model or type(objs[0])
    content_type_id = ContentType.objects.get_for_model(model).pk
    object_ids = [o.pk for o in objs]
    for part in bulk.chunks(object_ids, 900):
        if Review.objects.filter(content_type_id=content_type_id, chain=chain, object_id__in=part).exists():
            raise TransitionError("该事项的审核已经发起，不能重复发起。", code="review.exists")
    ids = bulk.reserve_ids(Review, len(objs))
    by_region: dict = {}
    for review_id, obj, title in zip(ids, objs, titles, strict=True):
        by_region.setdefault(obj.region_id, []).append((review_id, obj, title))
    for region_id, group in by_region.items():
        steps = _steps(region_id, year, chain, include_optional)
        rows = [_review_row(region_id=region_id, agency_id=getattr(obj, "agency_id", None), object_id=obj.pk,
                            title=title, chain=chain, year=year, content_type_id=content_type_id, steps=steps,
                            submit_roles=submit_roles) for _, obj, title in group]
        constants = {k: v for k, v in rows[0].items() if k not in _SUBJECT_COLUMNS}
        bulk.insert(Review, ["id", *_SUBJECT_COLUMNS],
                    [(review_id, *(row[k] for k in _SUBJECT_COLUMNS)) for (review_id, _, _), row in zip(group, rows, strict=True)],
                    constants, with_id=True)
    if log_each:
        for part in bulk.chunks(ids, 900):
            for review in Review.objects.filter(pk__in=part).order_by("pk"):
                audit.log_create(actor=actor, obj=review)
    return ids


def _transition(review, version):
    locked = lock_checked(Review, review.pk, version)
    return locked, audit.snapshot(locked)


def _finish(review, *, actor, before):
    bump(review)
    review.save()
    audit.log_update(actor=actor, obj=review, before=before)
    return review


@service
def submit(*, actor, review: Review, version: int, opinion: str = ""):
    review, before = _transition(review, version)
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise TransitionError(f"当前状态为“{review.get_status_display()}”，不能提交。", code="review.not_submittable")
    if not can_submit(actor, review):
        raise TransitionError("您不是该事项的填报单位人员，不能提交。", code="review.not_submitter")
    from_status = review.status
    inbox.close_items(obj=review, kind=INBOX_KIND)
    review.status = ReviewStatus.IN_REVIEW
    review.position = 0
    review.step_approvals = []
    _event(review, actor=actor, action=ReviewAction.SUBMIT, from_status=from_status, from_step="", opinion=opinion)
    _open_step_items(review, actor=actor)
    return _finish(review, actor=actor, before=before)


@service
def approve(*, actor, review: Review, version: int, opinion: str = ""):
    review, before = _transition(review, version)
    if review.status != ReviewStatus.IN_REVIEW:
        raise TransitionError(f"当前状态为“{review.get_status_display()}”，没有待审核的步骤。", code="review.not_in_review")
    if not can_act(actor, review):
        raise TransitionError("当前审核步骤不由您负责。", code="review.not_your_step")
    step = review.current_step
    from_step = step["name"]
    if step.get("all"):
        # 会审: every assignee of the step passes it; until the last has, the step stays open
        review.step_approvals = [*(review.step_approvals or []), actor.pk]
        if assignees(review).exclude(pk__in=review.step_approvals).exists():
            inbox.close_items(obj=review, kind=INBOX_KIND, users=[actor])
            _event(review, actor=actor, action=ReviewAction.APPROVE, from_status=ReviewStatus.IN_REVIEW,
                   from_step=from_step, opinion=opinion)
            return _finish(review, actor=actor, before=before)
    inbox.close_items(obj=review, kind=INBOX_KIND)
    review.step_approvals = []
    review.position += 1
    if review.position >= len(review.steps):
        review.status = ReviewStatus.APPROVED
    _event(review, actor=actor, action=ReviewAction.APPROVE, from_status=ReviewStatus.IN_REVIEW,
           from_step=from_step, opinion=opinion)
    _open_step_items(review, actor=actor)
    return _finish(review, actor=actor, before=before)


@service
def return_(*, actor, review: Review, version: int, opinion: str):
    """Send the object back to its preparers with a reason (退回); every opinion stays in history."""
    review, before = _transition(review, version)
    if review.status != ReviewStatus.IN_REVIEW:
        raise TransitionError(f"当前状态为“{review.get_status_display()}”，不能退回。", code="review.not_in_review")
    if not can_act(actor, review):
        raise TransitionError("当前审核步骤不由您负责。", code="review.not_your_step")
    if not (opinion or "").strip():
        raise ValidationFailed({"opinion": ["退回时必须填写审核意见。"]}, code="review.opinion_required")
    from_step = review.current_step["name"]
    inbox.close_items(obj=review, kind=INBOX_KIND)
    review.status = ReviewStatus.RETURNED
    review.position = -1
    review.step_approvals = []
    _event(review, actor=actor, action=ReviewAction.RETURN, from_status=ReviewStatus.IN_REVIEW,
           from_step=from_step, opinion=opinion.strip())
    inbox.open_items(
        users=list(submitters(review)), region_id=review.region_id, kind=INBOX_KIND, obj=review,
        title=f"【已退回】{review.title}", url=_url(review),
    )
    return _finish(review, actor=actor, before=before)
