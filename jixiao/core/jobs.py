"""Long work (imports, exports, reports) as a :class:`Job` with progress (architecture.md "long jobs").

Our ``Job`` record is what users see: status, progress, message, result file, owner, region. The work
itself runs as a ``django-tasks`` task (the backport of Django 6's Tasks framework): ``create_job``
writes the job and enqueues :func:`run_job_task` in the same transaction, and a worker —
``manage.py db_worker`` (django-tasks-db's database backend: no broker) — picks it up and calls
:func:`run_job`, which runs the handler registered for the job's kind.

A handler is a plain function ``fn(job, progress) -> (message, result_dict, file_name|None,
file_bytes|None)``, registered with ``@job_handler("kind")`` in the app's ``AppConfig.ready`` (or a
module it imports); ``progress(done, total)`` is written at once, so the job page's polling sees it.
Work small enough for the request (below :func:`threshold`) stays immediate; the caller decides."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jixiao.core.actors import require_actor
from jixiao.core.choices import JobStatus
from jixiao.core.models import Job
from jixiao.core.registry import Registry

#: job kind → handler
handlers = Registry("core.jobs.handlers", keyed=True)


def job_handler(kind: str):
    def register(fn: Callable) -> Callable:
        return handlers.register(kind, fn)

    return register


def threshold(name: str) -> int:
    """How big work may be before it runs as a background job: ``JIXIAO_JOB_THRESHOLDS[name]``
    (settings, from the environment: ``JIXIAO_JOB_EXPORT_SHEETS``, ``JIXIAO_JOB_IMPORT_KB``)."""
    return int(settings.JIXIAO_JOB_THRESHOLDS[name])


@transaction.atomic
def create_job(*, actor, kind: str, title: str, params: dict | None = None, upload: tuple[str, bytes] | None = None
               ) -> Job:
    """A queued job of ``kind`` for ``actor`` in the actor's region, enqueued for the worker (the
    queue row commits with the job, or neither does). ``upload`` is the input file ``(name,
    bytes)`` an import job reads."""
    require_actor(actor, "core.create_job")
    if kind not in handlers:
        raise KeyError(f"no job handler {kind!r}")
    job = Job(actor=actor, kind=kind, title=title, params=params or {}, region_id=actor.region_id)
    if upload is not None:
        job.input_file.save(upload[0], ContentFile(upload[1]), save=False)
    job.save()
    result = run_job_task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


@task()
def run_job_task(job_id: int) -> str:
    """The django-tasks task: run the job if it is still queued (a job already run is left alone)."""
    job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:
        return "skipped"
    return run_job(job).status


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
    """A job belongs to the user who started it, in the region it was started in; nobody else sees
    it (its result file is the owner's export)."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(actor=user, region_id=user.region_id)
