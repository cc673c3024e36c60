"""The reminder machinery (core.reminders) on its own, with the two stretches a monitoring round
will use: a reminder before the deadline, then one after it that replaces the first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jixiao.core import reminders
from jixiao.core.models import InboxItem
from jixiao.org.models import Agency

pytestmark = pytest.mark.django_db


def _due(agency, user, *, since, remind_at, title="提醒"):
    return reminders.Due(obj=agency, region_id=agency.region_id, since=since, remind_at=remind_at,
                         users=lambda: [user], title=title, due_at=remind_at)


def test_before_and_after_the_deadline(world):
    agency = Agency.objects.get(region=world.regions["370724"], code="101")
    other = Agency.objects.get(region=world.regions["370724"], code="102")
    user = world.user("preparer")
    family = Agency.objects.filter(pk__in=[agency.pk, other.pk])
    deadline = timezone.now() - timedelta(hours=1)  # items are stamped with the real time: keep the story past
    before = deadline - timedelta(days=3)

    def run(now, stretch):
        return reminders.send(family=family, now=now, due=[_due(agency, user, since=stretch, remind_at=stretch,
                                                                title=f"截止 {stretch:%m-%d}")])

    assert run(before - timedelta(days=1), before) == {"reminded": 0, "opened": 0, "closed": 0}  # not yet
    assert run(before + timedelta(hours=1), before) == {"reminded": 1, "opened": 1, "closed": 0}
    assert run(before + timedelta(days=1), before) == {"reminded": 0, "opened": 0, "closed": 0}  # once
    assert InboxItem.objects.filter(kind="deadline", done_at__isnull=True).count() == 1
    # past the deadline: the after-deadline reminder opens (created now, after the stretch began)
    # and the before-deadline one, opened before it, closes
    InboxItem.objects.update(created_at=before + timedelta(hours=1))
    result = run(deadline + timedelta(minutes=30), deadline)
    assert result == {"reminded": 1, "opened": 1, "closed": 1}
    (item,) = InboxItem.objects.filter(kind="deadline", done_at__isnull=True)
    assert item.user == user and item.object_id == agency.pk and item.title == f"截止 {deadline:%m-%d}"
    # the work is done (the object is no longer listed): its reminder closes
    assert reminders.send(family=family, due=[]) == {"reminded": 0, "opened": 0, "closed": 1}


def test_nobody_to_remind_opens_nothing(world):
    agency = Agency.objects.get(region=world.regions["370724"], code="101")
    past = timezone.now() - timedelta(days=1)
    due = reminders.Due(obj=agency, region_id=agency.region_id, since=past, remind_at=past, users=list, title="x")
    assert reminders.send(family=Agency.objects.all(), due=[due]) == {"reminded": 0, "opened": 0, "closed": 0}
