"""``manage.py remind_overdue_targets``: 审核超期提醒 for target sheets. Run it daily from cron.

The rule is the service ``targets.services.remind_overdue_reviews`` (on the reminder machinery of
``core.reminders``); this command runs it from the command line and prints its counts."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from jixiao.core.actors import SYSTEM
from jixiao.targets.services import remind_overdue_reviews


class Command(BaseCommand):
    help = ("绩效目标审核超期提醒：审核中的目标表在当前步骤等待超过“每步审核时限（天）”的，向该步骤的审核人发送截止提醒"
            "（每个步骤只提醒一次；步骤已推进的提醒自动关闭）。建议每天由 cron 运行一次。")

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(remind_overdue_reviews(actor=SYSTEM), ensure_ascii=False))
