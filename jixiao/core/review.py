"""The generic review chain (house style 4): ordered steps, each reviewed by one role; explicit
transitions ``submit`` → ``approve``/``return_`` guarded by predicates; every move writes a
:class:`ReviewEvent` (from, to, actor, opinion, time) and keeps the inbox in step.

Domain apps (targets, assessments, evaluations, rectifications) call :func:`start_review` for their
object and wrap the transitions in their own services. Who may act at a step is decided by the
assignee resolver registered for the step's role (org registers them: the agency's head, its
department's reviewers, the finance section that looks after it, the performance section …).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from jixiao.core import audit, config, inbox
from jixiao.core.actors import SYSTEM, person, require_actor
from jixiao.core.choices import InboxKind, ReviewAction, ReviewStatus
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import TransitionError, ValidationFailed
from jixiao.core.models import Review, ReviewEvent
from jixiao.core.registry import Registry
from jixiao.core.roles import Role
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


def _assigned_ids(review: Review) -> list[int]:
    """Users the performance section assigned to the current step (:func:`assign_reviewer`)."""
    return [int(pk) for pk in (review.assigned or {}).get(str(review.position), [])]


def assignees(review: Review) -> QuerySet:
    """The users who act at the current step: those its role's resolver names, and any the
    performance section assigned to it (active, of the review's region)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = get_user_model().objects
    step = review.current_step
    if step is None:
        return users.none()
    resolved = users_for_role(review, step["role"])
    extra = _assigned_ids(review)
    if not extra:
        return resolved
    # id subqueries: a resolver may return a distinct queryset, which ``|`` refuses to mix
    return users.filter(Q(pk__in=resolved.values("pk"))
                        | Q(pk__in=extra, is_active=True, region_id=review.region_id, role=step["role"]))


@dataclass(frozen=True)
class Member:
    """One member of a step: who must pass it. A person with a login (``user_id``), or someone the
    step counts without one — an expert drawn for the panel who has no account (``user_id`` None),
    whose opinion the performance section enters on their behalf (代录, :func:`approve_on_behalf`).
    ``key`` is stable across a login being created later ("expert:7"), so a pass is never counted twice."""

    key: str
    user_id: int | None
    name: str


#: role → ``members(review) -> Iterable[Member]``: the members of a step of that role beyond its users
#: (pools registers the drawn experts, with or without a login). Roles without one: the assignees.
member_resolvers = Registry("core.review.members", keyed=True)


def register_members(role: str, resolver: Callable[[Review], Iterable[Member]]) -> None:
    member_resolvers.register(role, resolver)


def members(review: Review) -> list[Member]:
    """Everyone who must pass the current step (a step of one member passes when any one does)."""
    step = review.current_step
    if step is None:
        return []
    resolver = member_resolvers.get(step["role"])
    out = list(resolver(review)) if resolver is not None else []
    covered = {m.user_id for m in out if m.user_id is not None}
    out += [Member(f"user:{u.pk}", u.pk, u.display_name or u.username)
            for u in assignees(review).order_by("pk") if u.pk not in covered]
    return out


def _passed(review: Review, step_members: list[Member]) -> set[str]:
    """The member keys that have passed the current step (bare user ids: rows written before keys)."""
    out: set[str] = set()
    for entry in review.step_approvals or []:
        if isinstance(entry, int):
            out.add(f"user:{entry}")
            out |= {m.key for m in step_members if m.user_id == entry}
        else:
            out.add(str(entry))
    return out


def pending_members(review: Review) -> list[Member]:
    """The members of the current step who have not passed it yet."""
    return _pending(review)


def _pending(review: Review, step_members: list[Member] | None = None) -> list[Member]:
    step_members = members(review) if step_members is None else step_members
    passed = _passed(review, step_members)
    return [m for m in step_members if m.key not in passed]


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
    """The user is a member of the current step with a login and has not passed it yet (a step every
    member must pass keeps the ones who have)."""
    if review.status != ReviewStatus.IN_REVIEW or review.current_step is None or user.pk is None:
        return False
    if review.current_step.get("all"):
        return any(m.user_id == user.pk for m in _pending(review))
    return assignees(review).filter(pk=user.pk).exists()


def review_for(obj, chain: str) -> Review | None:
    ct = ContentType.objects.get_for_model(obj)
    return Review.objects.filter(content_type=ct, object_id=obj.pk, chain=chain).first()


def subject_url(review: Review) -> str:
    subject = review.subject
    return subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""


_url = subject_url


def _event(review, *, actor, action, from_status, from_step, opinion, on_behalf_of: str = ""):
    require_actor(actor, "core.review")
    step = review.current_step
    user = person(actor)  # SYSTEM (automatic steps, the command line): no user row, named 系统
    event = ReviewEvent.objects.create(
        review=review,
        action=action,
        from_status=from_status,
        to_status=review.status,
        from_step=from_step,
        to_step=step["name"] if step else "",
        actor=user,
        actor_name=actor.display_name if user is None else (user.display_name or user.get_username()),
        actor_role="" if user is None else user.role,
        on_behalf_of=on_behalf_of,
        opinion=opinion,
    )
    audit.log_create(actor=actor, obj=event)  # the opinion (approve, return, 代录 …) joins the audit chain
    return event


def review_days(review: Review) -> int:
    """The region's time for one step (目标质量检查参数 ``review_days``, every chain)."""
    return int(config.get(review.region_id, review.year, "target_quality_params")["review_days"])


def _performance_section(review: Review) -> list:
    return list(users_for_role(review, Role.PERFORMANCE_SECTION).order_by("pk"))


def _wanted_items(review: Review) -> dict[int, tuple[str, str]]:
    """user id → (title, url) of the open inbox item the current step calls for: each member with a
    login who has not passed it; the performance section when a member has no login (代录) or the
    step has no member at all (【无审核人】, leading to the page where the section assigns one)."""
    from django.urls import reverse

    step = review.current_step
    if step is None:
        return {}
    step_members = members(review)
    pending = _pending(review, step_members)
    url = _url(review)
    wanted = {m.user_id: (f"【{step['name']}】{review.title}", url) for m in pending if m.user_id is not None}
    if not step_members:
        item = (f"【无审核人】{step['name']}：{review.title}", reverse("core:review_assign", args=[review.pk]))
    elif any(m.user_id is None for m in pending):
        item = (f"【待代录】{step['name']}：{review.title}", url)
    else:
        return wanted
    for u in _performance_section(review):
        wanted.setdefault(u.pk, item)
    return wanted


def _sync_step_items(review: Review) -> None:
    """Make the open review items of ``review`` those the current step calls for: close the others,
    open the missing ones with the step's deadline (now + the region's review days)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from jixiao.core.models import InboxItem

    wanted = _wanted_items(review)
    ct = ContentType.objects.get_for_model(review)
    open_ = InboxItem.objects.filter(content_type=ct, object_id=review.pk, kind=INBOX_KIND, done_at__isnull=True)
    have = set(open_.values_list("user_id", "title", "url"))
    stale = {uid for uid, title, url in have if uid not in wanted or (wanted[uid][0][:255], wanted[uid][1]) != (title, url)}
    if stale:
        open_.filter(user_id__in=stale).update(done_at=timezone.now())
    missing: dict[tuple[str, str], list[int]] = {}
    for uid, (title, url) in wanted.items():
        if (uid, title[:255], url) not in have or uid in stale:
            missing.setdefault((title, url), []).append(uid)
    due = timezone.now() + timedelta(days=review_days(review)) if missing else None
    users = get_user_model().objects
    for (title, url), uids in missing.items():
        inbox.open_items(users=list(users.filter(pk__in=uids).order_by("pk")), region_id=review.region_id,
                         kind=INBOX_KIND, obj=review, title=title, url=url, due_at=due)


def _open_step_items(review: Review) -> None:
    """Open the current step. A step with no member at all waits, visibly: the performance section
    gets 【无审核人】 in its inbox and assigns a reviewer (:func:`assign_reviewer`); only a step the
    region's chain marks ``skip_when_empty`` (无审核人时跳过, e.g. 单位自审 of an agency without a head's
    login) is skipped, recorded as the system's with the reason. The last step is never skipped — an
    object is approved only by a person."""
    while review.current_step is not None:
        step = review.current_step
        last = review.position == len(review.steps) - 1
        if members(review) or last or not step.get("skip_when_empty"):
            _sync_step_items(review)
            return
        review.position += 1
        review.step_approvals = []
        _event(review, actor=SYSTEM, action=ReviewAction.SKIP, from_status=ReviewStatus.IN_REVIEW,
               from_step=step["name"],
               opinion=f"“{step['name']}”无对应审核人，按本区划审核链设置（无审核人时跳过）自动跳过")


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
        label = dict(config.REVIEW_CHAIN_CODES).get(chain, chain)
        raise TransitionError(f"本区划 {year} 年未配置“{label}”审核链（区划年度配置·审核链），请联系绩效股。",
                              code="review.no_chain")
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
    _open_step_items(review)
    return _finish(review, actor=actor, before=before)


def _pass(review: Review, *, actor, member: Member | None, opinion: str, action=ReviewAction.APPROVE,
          on_behalf_of: str = ""):
    """Record that ``member`` (or, on a step of one member, the step) passed; move on when the step
    is done — a step every member must pass ("all") stays open until the last has."""
    step = review.current_step
    from_step = step["name"]
    if step.get("all") and member is not None:
        step_members = members(review)
        passed = _passed(review, step_members) | {member.key}
        review.step_approvals = sorted(passed)
        if any(m.key not in passed for m in step_members):
            _event(review, actor=actor, action=action, from_status=ReviewStatus.IN_REVIEW, from_step=from_step,
                   opinion=opinion, on_behalf_of=on_behalf_of)
            _sync_step_items(review)
            return
    inbox.close_items(obj=review, kind=INBOX_KIND)
    review.step_approvals = []
    review.position += 1
    if review.position >= len(review.steps):
        review.status = ReviewStatus.APPROVED
    _event(review, actor=actor, action=action, from_status=ReviewStatus.IN_REVIEW, from_step=from_step,
           opinion=opinion, on_behalf_of=on_behalf_of)
    _open_step_items(review)


@service
def approve(*, actor, review: Review, version: int, opinion: str = ""):
    review, before = _transition(review, version)
    if review.status != ReviewStatus.IN_REVIEW:
        raise TransitionError(f"当前状态为“{review.get_status_display()}”，没有待审核的步骤。", code="review.not_in_review")
    if not can_act(actor, review):
        raise TransitionError("当前审核步骤不由您负责。", code="review.not_your_step")
    member = None
    if review.current_step.get("all"):
        member = next(m for m in _pending(review) if m.user_id == actor.pk)
    _pass(review, actor=actor, member=member, opinion=opinion)
    return _finish(review, actor=actor, before=before)


@service
def approve_on_behalf(*, actor, review: Review, version: int, member: str, opinion: str):
    """代录: the performance section enters the passing opinion of a member of the current step who
    has no login (an expert drawn for 专家会审 without an account), from the opinion they signed.
    Recorded as such: the event is the section's (``proxy_approve``, 代录通过) and names the member
    (``on_behalf_of``); the change log has the review's update by the section. A member with a
    login acts in person."""
    from jixiao.core.scoping import check

    review, before = _transition(review, version)
    check(actor, review, "approve_on_behalf")
    pending = _pending(review)
    chosen = next((m for m in members(review) if m.key == member), None)
    if chosen is None:
        raise ValidationFailed({"member": ["该人员不是当前审核步骤的成员。"]}, code="review.not_a_member")
    if chosen not in pending:
        raise TransitionError(f"{chosen.name}已通过本步骤，不能重复代录。", code="review.already_passed")
    if chosen.user_id is not None:
        raise TransitionError(f"{chosen.name}已有账号，请由本人审核。", code="review.member_has_login")
    if not (opinion or "").strip():
        raise ValidationFailed({"opinion": ["代录时须填写该成员签署的审核意见。"]}, code="review.opinion_required")
    _pass(review, actor=actor, member=chosen, opinion=opinion.strip(), action=ReviewAction.PROXY_APPROVE,
          on_behalf_of=chosen.name)
    return _finish(review, actor=actor, before=before)


def assignable_users(review: Review) -> QuerySet:
    """Who the performance section may assign to the current step: active users of the review's
    region holding the step's role."""
    from django.contrib.auth import get_user_model

    step = review.current_step
    users = get_user_model().objects
    if step is None:
        return users.none()
    return users.filter(region_id=review.region_id, role=step["role"], is_active=True).order_by("username")


@service
def assign_reviewer(*, actor, review: Review, version: int, user, opinion: str = ""):
    """A step with no member waits (【无审核人】 in the performance section's inbox); the section
    assigns an active user of the region holding the step's role, who then acts at that step — also
    when the object comes back to it after a return."""
    from jixiao.core.scoping import check

    review, before = _transition(review, version)
    check(actor, review, "assign_reviewer")
    step = review.current_step
    if members(review):
        raise TransitionError(f"“{step['name']}”已有审核人，无需指定。", code="review.has_reviewer")
    if user is None or not assignable_users(review).filter(pk=user.pk).exists():
        raise ValidationFailed({"user": [f"请选择本区划在职的“{Role(step['role']).label}”账号作为“{step['name']}”的审核人。"]},
                               code="review.not_assignable")
    assigned = dict(review.assigned or {})
    assigned[str(review.position)] = sorted({*assigned.get(str(review.position), []), user.pk})
    review.assigned = assigned
    note = f"指定{user.display_name or user.username}为“{step['name']}”的审核人"
    _event(review, actor=actor, action=ReviewAction.ASSIGN, from_status=ReviewStatus.IN_REVIEW,
           from_step=step["name"], opinion=f"{note}。{opinion.strip()}" if (opinion or "").strip() else note)
    _sync_step_items(review)
    return _finish(review, actor=actor, before=before)


def refresh_step(review: Review) -> None:
    """The members of the current step changed outside the chain (an expert panel was drawn, an
    expert replaced or given a login): bring the inbox in step. Called inside the caller's service."""
    if review.status == ReviewStatus.IN_REVIEW:
        _sync_step_items(review)


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


# --- a recorded past, set-based -------------------------------------------------------------------

@dataclass(frozen=True)
class PastEvent:
    """One transition of a review's recorded course (:func:`write_histories`): what :func:`_event`
    writes, with the time it happened. ``actor_id`` None is the system (named 系统)."""

    action: str
    from_status: str
    to_status: str
    from_step: str
    to_step: str
    actor_id: int | None
    actor_name: str
    actor_role: str
    opinion: str
    at: object  # an aware datetime


@dataclass(frozen=True)
class PastCourse:
    """Where a started review's recorded course left it: status, step position, reviewers assigned
    to steps nobody held ({position: user id}), the events in order, and — when it waits in review —
    who holds the current step (user ids; empty: nobody, so the performance section ``fallback`` gets
    the 【无审核人】 item) and since when."""

    review_id: int
    status: str
    position: int
    events: list[PastEvent]
    assigned: dict[int, int] | None = None
    holders: tuple[int, ...] = ()
    fallback: tuple[int, ...] = ()
    since: object = None
    url: str = ""  # the subject's page (read from the subject when empty: a query per review)


def step_item_title(step_name: str, title: str, *, held: bool) -> str:
    """The inbox title of an open step (as :func:`_wanted_items` writes it for a login holder, or the
    【无审核人】 item of the performance section)."""
    return (f"【{step_name}】{title}" if held else f"【无审核人】{step_name}：{title}")[:255]


@service
def write_histories(*, actor, region_id: int, courses: list[PastCourse]) -> None:
    """Write reviews' recorded courses set-based — the demo county's past, a migration from a former
    system — as the transitions would have left them: each review's status, position and assigned
    reviewers (one UPDATE per distinct state), its :class:`ReviewEvent` rows with their times, and
    the open inbox items of the steps they wait at, with the region's deadline counted from when the
    step opened. The reviews must have been started (:func:`start_reviews`) for objects already
    written; no transition is checked here, so only a caller that built the course by the chain's
    rules (the demo's ``history``) may call it."""
    from datetime import timedelta

    from django.urls import reverse

    from jixiao.core import bulk
    from jixiao.core.models import InboxItem

    if not courses:
        return
    by_state: dict = {}
    by_assigned: dict = {}
    for c in courses:
        if (c.status, c.position) != (ReviewStatus.DRAFT, -1):
            by_state.setdefault((c.status, c.position), []).append(c.review_id)
        if c.assigned:
            by_assigned.setdefault(tuple(sorted(c.assigned.items())), []).append(c.review_id)
    for (status, position), pks in by_state.items():
        for part in bulk.chunks(pks, 900):
            Review.objects.filter(pk__in=part, region_id=region_id).update(status=status, position=position)
    for key, pks in by_assigned.items():
        for part in bulk.chunks(pks, 900):
            Review.objects.filter(pk__in=part, region_id=region_id).update(
                assigned={str(pos): [uid] for pos, uid in key})
    events = bulk.Insert(ReviewEvent, ["review_id", "action", "from_status", "to_status", "from_step", "to_step",
                                       "actor_id", "actor_name", "actor_role", "opinion", "created_at"])
    events.run([(c.review_id, e.action, e.from_status, e.to_status, e.from_step, e.to_step, e.actor_id,
                 e.actor_name[:150], e.actor_role, e.opinion, events.prep("created_at", e.at))
                for c in courses for e in c.events])
    waiting = [c for c in courses if c.status == ReviewStatus.IN_REVIEW and c.position >= 0]
    if not waiting:
        return
    reviews = {}
    for part in bulk.chunks([c.review_id for c in waiting], 900):
        reviews.update(Review.objects.filter(pk__in=part, region_id=region_id).in_bulk())
    ct = ContentType.objects.get_for_model(Review).pk
    items = bulk.Insert(InboxItem, ["user_id", "title", "url", "object_id", "due_at", "created_at"],
                        {"region_id": region_id, "kind": INBOX_KIND, "content_type_id": ct})
    rows = []
    days: dict[int, int] = {}  # year → the region's review days
    for c in waiting:
        review = reviews[c.review_id]
        step = review.steps[c.position]
        if review.year not in days:
            days[review.year] = review_days(review)
        held = bool(c.holders)
        url = (c.url or _url(review)) if held else reverse("core:review_assign", args=[review.pk])
        title = step_item_title(step["name"], review.title, held=held)
        for uid in (c.holders or c.fallback):
            rows.append((uid, title, url, review.pk, items.prep("due_at", c.since + timedelta(days=days[review.year])),
                         items.prep("created_at", c.since)))
    items.run(rows)
