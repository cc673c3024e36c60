"""``manage.py remind_monitoring_deadlines``: 监控填报提醒 for the tables of open monitoring rounds. Run it
daily from cron.

The rule is the service ``monitoring.services.remind_round_deadlines`` (on the reminder machinery of
``core.reminders``); this command runs it from the command line and prints its counts."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from jixiao.core.actors import SYSTEM
from jixiao.monitoring.services import remind_round_deadlines


class Command(BaseCommand):
    help = ("绩效运行监控填报提醒：进行中的监控批次里尚未提交的监控表，在填报截止前“截止前提醒天数”天提醒填报单位的填报人，"
            "截止后仍未提交的再提醒一次（逾期）；已提交的提醒自动关闭。建议每天由 cron 运行一次。")

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(remind_round_deadlines(actor=SYSTEM), ensure_ascii=False))
