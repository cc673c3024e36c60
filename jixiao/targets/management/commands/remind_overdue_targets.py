"""``manage.py remind_overdue_targets``: 审核超期提醒 for target sheets. Run it daily from cron.

A target review (chain ``target``) in review whose current step has waited longer than the
region's ``target_quality_params.review_days`` (counted from the review's last event: the submit,
or the previous step's approval) gets a 截止提醒 (inbox kind ``deadline``) for the step's assignees
(``core.review.assignees``) — once per step: a reminder opened after the step began means the step
has been reminded, so a second run the same day (or any later day) adds nothing until the review
moves on. Reminders of steps that have moved on (or reviews no longer in review) are closed."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from jixiao.core import config, inbox
from jixiao.core import review as review_machinery
from jixiao.core.choices import InboxKind, ReviewStatus
from jixiao.core.models import InboxItem, Review, ReviewEvent
from jixiao.targets.services import CHAIN


def remind(*, now=None) -> dict:
    """Open the overdue reminders and close the stale ones; returns counts for the summary."""
    now = now or timezone.now()
    review_ct = ContentType.objects.get_for_model(Review)
    last_event = (ReviewEvent.objects.filter(review=OuterRef("pk")).order_by().values("review")
                  .annotate(t=Max("created_at")).values("t"))
    reviews = (Review.objects.filter(chain=CHAIN, status=ReviewStatus.IN_REVIEW)
               .annotate(waiting_since=Subquery(last_event)).order_by("pk"))
    ours = InboxItem.objects.filter(content_type=review_ct, kind=InboxKind.DEADLINE,
                                    object_id__in=Review.objects.filter(chain=CHAIN).values("pk"))
    open_reminders = ours.filter(done_at__isnull=True)
    # the newest reminder of each review, whatever its state: "reminded for this step" is one
    # opened after the step began
    reminded = dict(ours.order_by().values_list("object_id").annotate(t=Max("created_at")))
    days_of: dict[tuple[int, int], int] = {}
    opened = reviews_reminded = 0
    with transaction.atomic():
        live: dict[int, object] = {}
        for review in reviews:
            live[review.pk] = review.waiting_since
            if review.waiting_since is None or review.current_step is None:
                continue
            key = (review.region_id, review.year)
            if key not in days_of:
                days_of[key] = int(config.get(review.region_id, review.year, "target_quality_params")["review_days"])
            due = review.waiting_since + timedelta(days=days_of[key])
            if now <= due:
                continue
            last = reminded.get(review.pk)
            if last is not None and last >= review.waiting_since:
                continue
            users = list(review_machinery.assignees(review))
            if not users:
                continue
            waited = (now - review.waiting_since).days
            step = review.current_step["name"]
            opened += inbox.open_items(
                users=users, region_id=review.region_id, kind=InboxKind.DEADLINE, obj=review, due_at=due,
                title=f"【审核超期】{step}：{review.title}（已等待 {waited} 天，时限 {days_of[key]} 天）",
                url=reverse("targets:sheet_detail", args=[review.object_id]),
            )
            reviews_reminded += 1
        # a reminder is stale once its review left review, or its step moved on after it was opened
        stale = [r.pk for r in open_reminders.only("pk", "object_id", "created_at")
                 if r.object_id not in live or (live[r.object_id] and r.created_at < live[r.object_id])]
        closed = InboxItem.objects.filter(pk__in=stale).update(done_at=now) if stale else 0
    return {"overdue_reviews": reviews_reminded, "reminders_opened": opened, "reminders_closed": closed}


class Command(BaseCommand):
    help = ("绩效目标审核超期提醒：审核中的目标表在当前步骤等待超过“每步审核时限（天）”的，向该步骤的审核人发送截止提醒"
            "（每个步骤只提醒一次；步骤已推进的提醒自动关闭）。建议每天由 cron 运行一次。")

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(remind(), ensure_ascii=False))
