"""The bulk review start (``review.start_reviews``) writes exactly what the one-object
``start_review`` writes: the same Review rows and the same change-log entries, field by field,
for objects of two regions; and refuses what the one-object start refuses, writing nothing."""

from __future__ import annotations

from collections import namedtuple

import pytest
from django.forms.models import model_to_dict

from jixiao.core import review
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
    ids = review.start_reviews(actor=None, objs=[Row(o.pk, o.region_id, o.agency_id) for o in objs], model=Sheet,
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
    assert exc.value.code == "review.no_chain" and "未配置“evaluation”审核链" in str(exc.value)
    with pytest.raises(ValueError):
        review.start_reviews(actor=actor, objs=objs, chain="target", year=YEAR, titles=["a"],
                             submit_roles=[Role.AGENCY_PREPARER])
    assert (Review.objects.count(), ChangeLog.objects.count()) == before
    assert review.start_reviews(actor=actor, objs=[], chain="target", year=YEAR, titles=[],
                                submit_roles=[Role.AGENCY_PREPARER]) == []
