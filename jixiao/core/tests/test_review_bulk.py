"""The bulk review start (``review.start_reviews``) writes exactly what the one-object
``start_review`` writes: the same Review rows and the same change-log entries, field by field,
for objects of two regions; and refuses what the one-object start refuses, writing nothing."""

from __future__ import annotations

from collections import namedtuple

import pytest
from django.forms.models import model_to_dict

from jixiao.core import review
from jixiao.core.actors import SYSTEM
from jixiao.core.errors import TransitionError
from jixiao.core.models import ChangeLog, Review
from jixiao.core.roles import Role
from tests.reviewapp.models import Sheet

pytestmark = pytest.mark.django_db

YEAR = 2026
#: what differs between two reviews of two different objects started at two moments
PER_OBJECT = {"id", "object_id", "created_at", "updated_at"}


def _objects(world, tag: str) -> list[Sheet]:
    home, other = world.regions["370724"], world.regions["654022"]
    specs = [(home, world.agency("101001")), (home, world.agency("102001")), (other, world.agency("101001", "654022"))]
    return [Sheet.objects.create(region=r, agency=a, title=f"对象{n}") for n, (r, a) in enumerate(specs)]


def _review_row(r: Review) -> dict:
    return {k: v for k, v in model_to_dict(r, fields=[f.name for f in Review._meta.concrete_fields]).items()
            if k not in PER_OBJECT}


def _log_row(log: ChangeLog) -> dict:
    changes = {k: v for k, v in log.changes.items() if k not in PER_OBJECT}
    return {"region": log.region_id, "actor": log.actor_id, "actor_name": log.actor_name, "action": log.action,
            "object_type": log.object_type, "object_repr": log.object_repr, "changes": changes}


def _logs(reviews) -> list[ChangeLog]:
    return [ChangeLog.objects.get(object_type="core.review", object_id=str(r.pk)) for r in reviews]


@pytest.mark.parametrize("include_optional", [False, True])
def test_bulk_start_writes_the_rows_the_one_object_start_writes(world, include_optional):
    actor = world.user("perf_section")
    one, many = _objects(world, "one"), _objects(world, "many")
    kw = {"chain": "target", "year": YEAR, "submit_roles": [Role.AGENCY_PREPARER], "include_optional": include_optional}
    singles = [review.start_review(actor=actor, obj=o, title=f"{o.title}绩效目标", **kw) for o in one]
    ids = review.start_reviews(actor=actor, objs=many, titles=[f"{o.title}绩效目标" for o in many], **kw)
    bulk = [Review.objects.get(pk=pk) for pk in ids]
    assert [r.object_id for r in bulk] == [o.pk for o in many]
    for single, started, obj in zip(singles, bulk, many, strict=True):
        single.refresh_from_db()
        assert started.subject == obj and started.created_at is not None and started.updated_at is not None
        assert _review_row(started) == _review_row(single)
    assert [_log_row(x) for x in _logs(bulk)] == [_log_row(x) for x in _logs(singles)]
    # the regions' own chains: both regions' steps are there, each review with its own region's
    assert {r.region_id for r in bulk} == {world.regions["370724"].pk, world.regions["654022"].pk}


def test_plain_rows_stand_for_objects_and_the_summary_caller_skips_the_per_review_log(world):
    """Objects inserted set-based have no instances: a (pk, region_id, agency_id) row stands for each."""
    objs = _objects(world, "rows")
    Row = namedtuple("Row", "pk region_id agency_id")
    logs = ChangeLog.objects.count()
    ids = review.start_reviews(actor=SYSTEM, objs=[Row(o.pk, o.region_id, o.agency_id) for o in objs], model=Sheet,
                               chain="target", year=YEAR, titles=["甲", "乙", "丙"],
                               submit_roles=[Role.AGENCY_PREPARER], log_each=False)
    assert [review.review_for(o, "target").pk for o in objs] == ids
    assert ChangeLog.objects.count() == logs


def test_bulk_start_refuses_what_the_one_object_start_refuses(world):
    actor = world.user("perf_section")
    objs = _objects(world, "refused")
    review.start_review(actor=actor, obj=objs[1], chain="target", year=YEAR, title="已发起",
                        submit_roles=[Role.AGENCY_PREPARER])
    before = (Review.objects.count(), ChangeLog.objects.count())
    with pytest.raises(TransitionError) as exc:
        review.start_reviews(actor=actor, objs=objs, chain="target", year=YEAR, titles=["a", "b", "c"],
                             submit_roles=[Role.AGENCY_PREPARER])
    assert exc.value.code == "review.exists"
    with pytest.raises(TransitionError) as exc:
        review.start_reviews(actor=actor, objs=[objs[0], objs[2]], chain="evaluation", year=YEAR, titles=["a", "c"],
                             submit_roles=[Role.AGENCY_PREPARER])
    assert exc.value.code == "review.no_chain" and "未配置“绩效评价”审核链" in str(exc.value)
    with pytest.raises(ValueError):
        review.start_reviews(actor=actor, objs=objs, chain="target", year=YEAR, titles=["a"],
                             submit_roles=[Role.AGENCY_PREPARER])
    assert (Review.objects.count(), ChangeLog.objects.count()) == before
    assert review.start_reviews(actor=actor, objs=[], chain="target", year=YEAR, titles=[],
                                submit_roles=[Role.AGENCY_PREPARER]) == []


def _event_row(e) -> dict:
    return {k: getattr(e, k) for k in ("action", "from_status", "to_status", "from_step", "to_step", "actor_id",
                                       "actor_name", "actor_role", "opinion", "on_behalf_of")}


def test_a_written_course_leaves_the_rows_the_live_transition_leaves(world):
    """``write_histories`` (the demo's past) writes what ``submit`` writes: the review's state, its
    event and the open inbox items of the step it waits at, with the region's deadline counted from
    the recorded time — and the 【无审核人】 item of a step nobody holds."""
    from datetime import timedelta

    from django.utils import timezone

    from jixiao.core.actors import SYSTEM
    from jixiao.core.models import InboxItem

    preparer = world.user("preparer")
    live_obj, past_obj = (Sheet.objects.create(region=preparer.region, agency=preparer.agency, title=t)
                          for t in ("甲", "乙"))
    kw = {"chain": "target", "year": YEAR, "submit_roles": [Role.AGENCY_PREPARER]}
    live = review.start_review(actor=preparer, obj=live_obj, title="同一标题", **kw)
    [past_id] = review.start_reviews(actor=SYSTEM, objs=[past_obj], titles=["同一标题"], **kw)
    live = review.submit(actor=preparer, review=live, version=live.version)
    [event] = live.events.all()
    holders = tuple(i.user_id for i in InboxItem.objects.filter(object_id=live.pk, done_at__isnull=True).order_by("user_id"))
    assert holders, "the live submit opened the first step for its holders"
    at = timezone.now() - timedelta(days=3)
    review.write_histories(actor=SYSTEM, region_id=preparer.region_id, courses=[review.PastCourse(
        review_id=past_id, status=live.status, position=live.position,
        events=[review.PastEvent(event.action, event.from_status, event.to_status, event.from_step, event.to_step,
                                 preparer.pk, event.actor_name, event.actor_role, event.opinion, at)],
        holders=holders, fallback=(world.user("perf_section").pk,), since=at)])
    past = Review.objects.get(pk=past_id)
    assert (past.status, past.position, past.assigned) == (live.status, live.position, live.assigned)
    [written] = past.events.all()
    assert _event_row(written) == _event_row(event) and written.created_at == at

    def items(r):
        return [(i.user_id, i.kind, i.title, i.due_at - i.created_at) for i in
                InboxItem.objects.filter(object_id=r.pk, done_at__isnull=True).order_by("user_id")]

    live_items, past_items = items(live), items(past)
    assert past_items and [x[:3] for x in past_items] == [x[:3] for x in live_items]
    days = review.review_days(past)
    assert all(d == timedelta(days=days) for *_, d in past_items)
    assert all(i.created_at == at for i in InboxItem.objects.filter(object_id=past.pk))

    # a step nobody holds: the performance section gets 【无审核人】, leading to the assignment page
    [again] = review.start_reviews(actor=SYSTEM, objs=[Sheet.objects.create(region=preparer.region, agency=preparer.agency,
                                                                          title="丙")], titles=["无人审核"], **kw)
    perf = world.user("perf_section")
    review.write_histories(actor=SYSTEM, region_id=preparer.region_id, courses=[review.PastCourse(
        review_id=again, status=live.status, position=live.position, events=[], fallback=(perf.pk,), since=at)])
    [item] = InboxItem.objects.filter(object_id=again, done_at__isnull=True)
    step = Review.objects.get(pk=again).current_step["name"]
    assert (item.user_id, item.title) == (perf.pk, f"【无审核人】{step}：无人审核")
    from django.urls import reverse

    assert item.url == reverse("core:review_assign", args=[again])


def test_write_histories_refuses_a_missing_actor(world):
    with pytest.raises(TypeError):
        review.write_histories(actor=None, region_id=world.regions["370724"].pk, courses=[])
