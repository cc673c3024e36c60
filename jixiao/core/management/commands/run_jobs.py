import time

from django.core.management.base import BaseCommand
from django.db import transaction

from jixiao.core.choices import JobStatus
from jixiao.core.jobs import run_job
from jixiao.core.models import Job


class Command(BaseCommand):
    help = "后台任务进程：依次执行排队中的任务（--once 执行完当前队列即退出）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--sleep", type=float, default=2.0)

    def handle(self, *args, once=False, sleep=2.0, **options):
        while True:
            with transaction.atomic():
                job = Job.objects.select_for_update().filter(status=JobStatus.QUEUED).order_by("created_at").first()
                if job is not None:
                    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
            if job is None:
                if once:
                    return
                time.sleep(sleep)
                continue
            run_job(job)
            self.stdout.write(f"{job.pk} {job.kind}: {job.status}")
