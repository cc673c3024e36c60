"""The task inbox (待办). Review steps, assignments and deadlines open items for the users who must
act; when the work moves on the items are closed and leave the inbox. Bulk writes: one INSERT for
all assignees, one UPDATE to close."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from jixiao.core.models import InboxItem


def open_items(*, users, region_id: int, kind: str, title: str, url: str = "", obj=None, due_at=None) -> int:
    ct = ContentType.objects.get_for_model(obj) if obj is not None else None
    items = [
        InboxItem(
            region_id=region_id, user=u, kind=kind, title=title[:255], url=url, due_at=due_at,
            content_type=ct, object_id=obj.pk if obj is not None else None,
        )
        for u in users
    ]
    InboxItem.objects.bulk_create(items)
    return len(items)


def close_items(*, obj, kind: str | None = None, users=None) -> int:
    """Mark the open items of ``obj`` done (only ``users``' items when given)."""
    ct = ContentType.objects.get_for_model(obj)
    qs = InboxItem.objects.filter(content_type=ct, object_id=obj.pk, done_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if users is not None:
        qs = qs.filter(user__in=users)
    return qs.update(done_at=timezone.now())


def open_for(user):
    return InboxItem.objects.filter(user=user, done_at__isnull=True)


def open_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return open_for(user).count()
