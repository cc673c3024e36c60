"""The official "export all" as a background job: at the threshold or more sheets the export page
starts a job (POST), the worker builds the workbook, the job page shows it done and the owner
downloads the file (audited as an export); fewer sheets stay an immediate download."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jixiao.core.choices import JobStatus
from jixiao.core.models import Job, SecurityEvent
from jixiao.core.tests.worker import run_worker
from jixiao.targets.tests.factories import make_project, make_sheet

pytestmark = pytest.mark.django_db
# The worker closes and reopens its database connection between tasks (close_old_connections), as in
# production: a test around it commits for real (a transactional test) instead of one rolled-back block.
WORKER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JIXIAO_JOB_THRESHOLDS = {**settings.JIXIAO_JOB_THRESHOLDS, "export_sheets": 3}


def sheets(world, n):
    for k in range(n):
        make_sheet(world, project=make_project(world, code=f"XM-J-{k}"))


@WORKER_DB
def test_a_large_official_export_runs_as_a_job(world, login):
    sheets(world, 3)
    client = login("perf_section")
    url = "/targets/export/?layout=official"
    page = client.get(url)
    assert page.status_code == 200 and "共有 <strong>3</strong> 份目标表" in page.content.decode()
    assert not Job.objects.exists()  # a GET starts nothing
    started = client.post(url)
    job = Job.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/core/jobs/{job.pk}/"
    assert (job.kind, job.status, job.actor.username) == ("targets.export_official", JobStatus.QUEUED, "perf_section")
    assert "排队中" in client.get(started["Location"]).content.decode()
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert (job.progress_done, job.progress_total, job.result["rows"]) == (3, 3, 3)
    body = client.get(f"/core/jobs/{job.pk}/").content.decode()
    assert "已导出 3 份目标表" in body and "100%" in body and "下载结果文件" in body
    exports_before = SecurityEvent.objects.filter(code="export").count()
    download = client.get(f"/core/jobs/{job.pk}/download/")
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(wb.sheetnames) == ["XM-J-0", "XM-J-1", "XM-J-2"]
    assert wb["XM-J-0"]["A1"].value == "项目支出绩效目标申报表"
    assert SecurityEvent.objects.filter(code="export").count() == exports_before + 1
    # the owner's only: another user of the region gets the same 404 as for a missing job
    assert login("section_reviewer").get(f"/core/jobs/{job.pk}/download/").status_code == 404


def test_a_small_official_export_stays_immediate(world, login):
    sheets(world, 2)
    response = login("perf_section").get("/targets/export/?layout=official")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 2
    assert not Job.objects.exists()




@WORKER_DB
def test_a_large_import_file_runs_as_a_job(world, login, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.targets import exports
    from jixiao.targets.models import TargetIndicator, TargetSheet

    settings.JIXIAO_JOB_THRESHOLDS = {**settings.JIXIAO_JOB_THRESHOLDS, "import_kb": 1}
    make_project(world)
    data = exports.import_template()  # one sheet, one indicator; a few KB
    assert len(data) >= 1024
    client = login("perf_section")
    response = client.post("/targets/import/?year=2026", {"file": SimpleUploadedFile("模板.xlsx", data)})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/core/jobs/{job.pk}/"
    assert job.kind == "targets.import" and job.input_file.name.endswith(".xlsx")
    assert not TargetSheet.objects.exists()  # nothing until the worker runs
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["imported"] and job.result["created"] == 1, job.message
    assert job.message.startswith("导入完成：新建 1 份")
    assert TargetIndicator.objects.count() == 1
    # a bad file: the job finishes, writes nothing and lists the bad cells on its page
    from jixiao.core.excel import SheetData, write_fast

    rows = [{**exports.EXAMPLE, "level1": "不存在的一级指标", "name": f"指标{n}"} for n in range(60)]
    bad = write_fast(SheetData(exports.FLAT_SHEET, exports.FLAT_EXPORT, rows))
    assert len(bad) >= 1024
    client.post("/targets/import/?year=2026", {"file": SimpleUploadedFile("坏.xlsx", bad)})
    failed = Job.objects.latest("pk")
    run_worker()
    failed.refresh_from_db()
    assert failed.status == JobStatus.DONE and failed.result["imported"] is False
    assert failed.message.startswith("未导入") and failed.result["errors"]
    assert "未导入" in client.get(f"/core/jobs/{failed.pk}/").content.decode()
    assert TargetSheet.objects.count() == 1


def test_a_small_import_file_stays_immediate(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.targets import exports
    from jixiao.targets.models import TargetSheet

    make_project(world)
    response = login("perf_section").post("/targets/import/?year=2026", {
        "file": SimpleUploadedFile("模板.xlsx", exports.import_template())})
    assert response.status_code == 302 and response["Location"] == "/targets/"
    assert TargetSheet.objects.count() == 1 and not Job.objects.exists()
