"""Deadline reminders (截止提醒) in the inbox, once per stretch of work.

The caller — a domain service run daily by a command — lists every object whose work is under way
as a :class:`Due`: when the current stretch began (``since``: a review step's start, a monitoring
round's opening …), from when it is to be reminded (``remind_at``), who must act and what the item
says. :func:`send` then

* opens a reminder for each object past its ``remind_at`` that has none opened since ``since`` — so
  a second run adds nothing until the work moves on;
* closes the open reminders of the objects in ``family`` that are no longer under way, or whose
  stretch moved on after the reminder was opened.

A before-the-deadline and an after-the-deadline reminder are two stretches: give the object
``since=remind_at=deadline - lead`` until the deadline, then ``since=remind_at=deadline`` — the
second opens and closes the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, QuerySet
from django.utils import timezone

from jixiao.core import inbox
from jixiao.core.choices import InboxKind
from jixiao.core.models import InboxItem


@dataclass(frozen=True)
class Due:
    obj: object  # the model instance the reminder is about (its inbox items point at it)
    region_id: int
    since: datetime | None  # the stretch's start; None: not started, nothing is opened or closed
    remind_at: datetime | None  # reminded once ``now`` is past it; None: not (yet) to be reminded
    users: Callable[[], Iterable]  # who must act; called only when a reminder opens
    title: str
    url: str = ""
    due_at: datetime | None = None  # the deadline the item shows


def send(*, family: QuerySet, due: Iterable[Due], now: datetime | None = None,
         kind: str = InboxKind.DEADLINE) -> dict:
    """Open and close the ``kind`` reminders of the objects in ``family`` (a queryset of one model:
    the objects whose reminders this run owns). Returns ``{"reminded", "opened", "closed"}``: objects
    reminded, items opened, items closed."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(family.model)
    ours = InboxItem.objects.filter(content_type=ct, kind=kind, object_id__in=family.values("pk"))
    # the newest reminder of each object, whatever its state: "reminded for this stretch" is one
    # opened after the stretch began
    newest = dict(ours.order_by().values_list("object_id").annotate(t=Max("created_at")))
    live: dict[int, datetime | None] = {}
    reminded = opened = 0
    for d in due:
        live[d.obj.pk] = d.since
        if d.since is None or d.remind_at is None or now <= d.remind_at:
            continue
        last = newest.get(d.obj.pk)
        if last is not None and last >= d.since:
            continue
        users = list(d.users())
        if not users:
            continue
        opened += inbox.open_items(users=users, region_id=d.region_id, kind=kind, obj=d.obj, due_at=d.due_at,
                                   title=d.title, url=d.url)
        reminded += 1
    stale = [r.pk for r in ours.filter(done_at__isnull=True).only("pk", "object_id", "created_at")
             if r.object_id not in live or (live[r.object_id] and r.created_at < live[r.object_id])]
    closed = InboxItem.objects.filter(pk__in=stale).update(done_at=now) if stale else 0
    return {"reminded": reminded, "opened": opened, "closed": closed}
