"""Long work (imports, exports, reports) as a :class:`Job` with progress. A handler is a plain
function ``fn(job, progress) -> (message, result_dict, file_name|None, file_bytes|None)``; the same
handler runs inline (tests, small work) or in ``manage.py run_jobs`` (a worker process)."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

from jixiao.core.choices import JobStatus
from jixiao.core.models import Job
from jixiao.core.registry import Registry

#: job kind → handler
handlers = Registry("core.jobs.handlers", keyed=True)


def job_handler(kind: str):
    def register(fn: Callable) -> Callable:
        return handlers.register(kind, fn)

    return register


def create_job(*, actor, kind: str, title: str, params: dict | None = None) -> Job:
    if kind not in handlers:
        raise KeyError(f"no job handler {kind!r}")
    return Job.objects.create(actor=actor, kind=kind, title=title, params=params or {}, region_id=actor.region_id)


def run_job(job: Job) -> Job:
    """Run a queued job to the end, recording progress, result, file and failure."""
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    try:
        message, result, file_name, content = handlers[job.kind](job, progress)
    except Exception as exc:  # the job records any failure for the user instead of losing it
        job.status = JobStatus.FAILED
        job.message = f"任务失败：{exc}"
        job.result = {"traceback": traceback.format_exc()[-4000:]}
    else:
        job.status = JobStatus.DONE
        job.message = message
        job.result = result or {}
        if content is not None:
            job.file.save(file_name, ContentFile(content), save=False)
    job.refresh_from_db(fields=["progress_done", "progress_total"])
    job.finished_at = timezone.now()
    job.save()
    return job


def jobs_for_user(user):
    """A job belongs to the user who started it; nobody else sees it."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(actor=user)
