"""Background jobs: a registered handler runs with progress, a result file and a final status —
inline (``run_job``) or the real way: ``create_job`` enqueues a django-tasks task, the database
backend's worker (``manage.py db_worker``) runs it and updates the ``Job``; a job's pages belong to
the user who started it, and its download is audited as an export."""


import pytest

from jixiao.core.choices import JobStatus
from jixiao.core.jobs import create_job, job_handler, jobs_for_user, run_job
from jixiao.core.models import Job

seen_progress: list[tuple[int, int]] = []


@job_handler("test.count")
def count_rows(job, progress):
    total = job.params["n"]
    for i in range(1, total + 1):
        progress(i, total)
        # what a polling page would read while the job runs
        fresh = Job.objects.get(pk=job.pk)
        seen_progress.append((fresh.progress_done, fresh.progress_total))
    return f"已处理 {total} 条", {"rows": total}, "统计结果.xlsx", b"PK fake workbook bytes"


@job_handler("test.broken")
def broken(job, progress):
    progress(2, 5)
    raise ValueError("第 3 行数据有误")


@job_handler("test.no_file")
def no_file(job, progress):
    return "无需生成文件", None, None, None


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seen_progress.clear()
    return settings.MEDIA_ROOT


def test_run_job_records_progress_result_file_and_done(world):
    user = world.user("perf_section")
    job = create_job(actor=user, kind="test.count", title="统计", params={"n": 4})
    assert (job.status, job.region_id, job.percent) == (JobStatus.QUEUED, user.region_id, 0)
    job = run_job(job)
    assert seen_progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    fresh = Job.objects.get(pk=job.pk)
    assert fresh.status == JobStatus.DONE and fresh.percent == 100
    assert (fresh.progress_done, fresh.progress_total) == (4, 4)
    assert fresh.message == "已处理 4 条" and fresh.result == {"rows": 4}
    assert fresh.started_at is not None and fresh.finished_at >= fresh.started_at
    assert fresh.file.name.startswith("jobs/") and fresh.file.name.endswith(".xlsx")
    with fresh.file.open("rb") as f:
        assert f.read() == b"PK fake workbook bytes"


def test_a_failing_handler_marks_the_job_failed_with_a_message(world):
    job = run_job(create_job(actor=world.user("preparer"), kind="test.broken", title="导入"))
    fresh = Job.objects.get(pk=job.pk)
    assert fresh.status == JobStatus.FAILED
    assert fresh.message == "任务失败：第 3 行数据有误"
    assert "ValueError" in fresh.result["traceback"]
    assert (fresh.progress_done, fresh.progress_total) == (2, 5) and fresh.percent == 40
    assert not fresh.file and fresh.finished_at is not None


def test_a_handler_without_file_or_result(world):
    job = run_job(create_job(actor=world.user("preparer"), kind="test.no_file", title="检查"))
    fresh = Job.objects.get(pk=job.pk)
    assert (fresh.status, fresh.message, fresh.result) == (JobStatus.DONE, "无需生成文件", {})
    assert not fresh.file


def test_unknown_kind_is_refused(world):
    with pytest.raises(KeyError):
        create_job(actor=world.user("preparer"), kind="test.nobody", title="x")
    assert not Job.objects.exists()


# The worker closes and reopens its database connection between tasks (close_old_connections), as in
# production: a test around it commits for real (a transactional test) instead of one rolled-back block.
WORKER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def work() -> None:
    """The worker's loop, as production runs it, until the queue is empty."""
    from jixiao.core.tests.worker import run_worker

    run_worker()


@WORKER_DB
def test_create_job_enqueues_a_task_the_worker_runs(world):
    from django_tasks_db.models import DBTaskResult

    user = world.user("perf_section")
    ok1 = create_job(actor=user, kind="test.count", title="一", params={"n": 2})
    bad = create_job(actor=user, kind="test.broken", title="二")
    ok2 = create_job(actor=world.user("preparer"), kind="test.count", title="三", params={"n": 1})
    # enqueued with the job: one queued task row per job, linked by its id
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    assert {str(i) for i in DBTaskResult.objects.values_list("id", flat=True)} == {ok1.task_id, bad.task_id, ok2.task_id}
    assert Job.objects.get(pk=ok1.pk).status == JobStatus.QUEUED
    work()
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {ok1.pk: JobStatus.DONE, bad.pk: JobStatus.FAILED, ok2.pk: JobStatus.DONE}
    assert Job.objects.get(pk=ok1.pk).result == {"rows": 2}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3  # a failed job is a finished task
    # an empty queue: the worker returns at once and changes nothing
    work()
    assert dict(Job.objects.values_list("pk", "status")) == statuses


@WORKER_DB
def test_a_job_already_run_is_left_alone_by_its_task(world):
    user = world.user("perf_section")
    job = create_job(actor=user, kind="test.count", title="已完成", params={"n": 1})
    run_job(job)  # e.g. run inline already
    finished_at = Job.objects.get(pk=job.pk).finished_at
    work()
    assert Job.objects.get(pk=job.pk).finished_at == finished_at


def test_create_job_refuses_a_missing_actor(world):
    with pytest.raises(TypeError):
        create_job(actor=None, kind="test.count", title="x")
    assert not Job.objects.exists()


def test_job_pages_belong_to_their_owner(world, login):
    job = run_job(create_job(actor=world.user("perf_section"), kind="test.count", title="年度统计", params={"n": 3}))
    owner = login("perf_section")
    page = owner.get(f"/core/jobs/{job.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "年度统计" in body and "已处理 3 条" in body and "已完成" in body and "100%" in body
    partial = owner.get(f"/core/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"<html" not in partial.content and b"job-progress" in partial.content
    from jixiao.core.models import SecurityEvent

    download = owner.get(f"/core/jobs/{job.pk}/download/")
    assert download.status_code == 200
    event = SecurityEvent.objects.filter(code="export").latest("pk")  # audited as an export
    assert event.detail["what"] == "job:test.count" and event.detail["rows"] == 3
    assert b"".join(download.streaming_content) == b"PK fake workbook bytes"
    assert "attachment" in download["Content-Disposition"]
    for other in ("preparer", "section_reviewer", "sysadmin", "auditor", "far_perf_section"):
        client = login(other)
        assert client.get(f"/core/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/core/jobs/{job.pk}/download/").status_code == 404
    assert owner.get(f"/core/jobs/{job.pk + 1000}/").status_code == 404


def test_a_running_job_page_polls_and_a_fileless_job_has_no_download(world, login):
    queued = create_job(actor=world.user("preparer"), kind="test.no_file", title="排队中的任务")
    client = login("preparer")
    body = client.get(f"/core/jobs/{queued.pk}/").content.decode()
    assert "排队中" in body and 'hx-trigger="every 2s"' in body
    run_job(queued)
    body = client.get(f"/core/jobs/{queued.pk}/").content.decode()
    assert 'hx-trigger' not in body
    assert client.get(f"/core/jobs/{queued.pk}/download/").status_code == 404


def test_jobs_for_user(world):
    from django.contrib.auth.models import AnonymousUser

    mine = create_job(actor=world.user("preparer"), kind="test.no_file", title="我的")
    create_job(actor=world.user("unit_head"), kind="test.no_file", title="别人的")
    assert list(jobs_for_user(world.user("preparer"))) == [mine]
    assert not jobs_for_user(AnonymousUser()).exists()
