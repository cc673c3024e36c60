"""An agency's whole budget (部门整体支出) by hand, from the agency page; and a large execution or
spending-plan file imported by the worker (core.jobs): the job page with its result, every bad cell
and the column question."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jixiao.core.choices import JobStatus
from jixiao.core.models import Job
from jixiao.core.tests.worker import run_worker
from jixiao.monitoring.models import MonthlyExecution, SpendingPlan
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db
WORKER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_agencys_whole_budget_by_hand_from_the_agency_page(world, login):
    school = world.agency("101001")
    client = login("preparer")
    agency_page = client.get(f"/org/agencies/{school.pk}/").content.decode()
    entry = f"/monitoring/agencies/{school.pk}/execution/"
    assert "部门整体支出执行" in agency_page and "尚无部门整体支出执行数据，去录入或导入" in agency_page
    assert entry in agency_page
    url = f"{entry}?year=2026&month=4&fund_source=own"
    assert "2026 年尚无执行数据" in client.get(url).content.decode()
    saved = client.post(url, {"month": 4, "fund_source": "own", "amount": "12.5", "version": ""})
    assert saved.status_code == 302
    row = MonthlyExecution.objects.get()
    assert (row.project, row.agency, row.month, row.amount, row.entry) == (None, school, 4, Decimal("125000.00"),
                                                                           "manual")
    page = client.get(url).content.decode()
    assert "截至最后一个有数据的月份执行 12.50 万元" in page and 'name="version" value="1"' in page
    assert "返回单位" in page
    stale = client.post(url, {"month": 4, "fund_source": "own", "amount": "1", "version": "7"})
    assert stale.status_code == 200 and "该记录已被他人修改" in stale.content.decode()
    assert "截至 2026 年 4 月执行 12.50 万元" in client.get(f"/org/agencies/{school.pk}/").content.decode()
    # a project's rows are not the whole budget's
    project = make_project(world, code="XM-SCH")
    client.post(f"/monitoring/projects/{project.pk}/execution/?year=2026&month=5&fund_source=own",
                {"month": 5, "fund_source": "own", "amount": "3", "version": ""})
    assert "截至 2026 年 4 月执行 12.50 万元" in client.get(f"/org/agencies/{school.pk}/").content.decode()


def test_whole_budget_entry_scope(world, login):
    school, farm = world.agency("101001"), world.agency("102001")
    url = f"/monitoring/agencies/{school.pk}/execution/?year=2026"
    assert login("perf_section").get(url).status_code == 200
    for username in ("preparer_agri", "far_perf_section", "prov_perf_section"):
        assert login(username).get(url).status_code == 404, username
    for username in ("leader", "unit_head", "dept_reviewer"):
        assert login(username).get(url).status_code == 403, username
    # the province sees the agency page and its fact, without a link to enter
    page = login("prov_perf_section").get(f"/org/agencies/{school.pk}/").content.decode()
    assert "部门整体支出执行" in page and "/monitoring/agencies/" not in page
    response = login("preparer_agri").post(f"/monitoring/agencies/{school.pk}/execution/?year=2026",
                                           {"month": 1, "fund_source": "own", "amount": "1"})
    assert response.status_code == 404 and not MonthlyExecution.objects.exists()
    assert login("preparer_agri").get(f"/monitoring/agencies/{farm.pk}/execution/").status_code == 200


# --- background jobs -------------------------------------------------------------------------------

@pytest.fixture
def small_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JIXIAO_JOB_THRESHOLDS = {**settings.JIXIAO_JOB_THRESHOLDS, "import_kb": 1}


def payments(rows, headers=("项目编码", "月份", "实际支付金额", "资金来源", "摘要")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "支付明细"
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _start(client, url, name, data):
    assert len(data) >= 1024  # at the threshold: the page hands the file to the worker
    response = client.post(url, {"year_field": "2026", "file": SimpleUploadedFile(name, data)})
    job = Job.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == f"/core/jobs/{job.pk}/"
    return job


@WORKER_DB
def test_a_large_execution_file_is_imported_by_the_worker(world, login, small_threshold):
    project = make_project(world, code="XM-SCH")
    client = login("perf_section")
    rows = [("XM-SCH", m, 1000 * m, "本级", "支付说明" * 20) for m in range(1, 13)]
    job = _start(client, "/monitoring/execution/import/", "全年支付.xlsx", payments(rows))
    assert (job.kind, job.status) == ("monitoring.import_execution", JobStatus.QUEUED)
    assert not MonthlyExecution.objects.exists()  # nothing before the worker runs
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.result["imported"] is True and job.result["created"] == 12 and job.result["read"] == 12
    assert MonthlyExecution.objects.filter(project=project).count() == 12
    body = client.get(f"/core/jobs/{job.pk}/").content.decode()
    assert "导入完成：2026 年 1月" in body and "新增 12 条" in body and "100%" in body


@WORKER_DB
def test_a_bad_large_file_leaves_every_bad_cell_and_the_column_question_on_the_job_page(world, login,
                                                                                      small_threshold):
    make_project(world, code="XM-SCH")
    client = login("perf_section")
    rows = [("XM-SCH", 1, "abc", "本级", "x" * 200), ("XM-NONE", 2, 5, "本级", "x" * 200),
            ("XM-SCH", 13, 5, "本级", "x" * 200)]
    job = _start(client, "/monitoring/execution/import/", "坏.xlsx", payments(rows))
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["imported"] is False
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(2, "C"), (3, "A"), (4, "B")]
    body = client.get(f"/core/jobs/{job.pk}/").content.decode()
    assert "未导入：导入未完成：发现 3 处错误" in body and "项目编码 XM-NONE 不存在或不在您的权限范围内" in body
    assert not MonthlyExecution.objects.exists()
    # a file whose amount column is the region's own name: the job page asks which column it is
    local = payments([("XM-SCH", 1, 5, "本级", "x" * 400)] * 3, headers=("项目编码", "月份", "本期支付数", "资金来源", "摘要"))
    job = _start(client, "/monitoring/execution/import/", "本地.xlsx", local)
    run_worker()
    job.refresh_from_db()
    assert job.result["hint"]["url"].startswith("/monitoring/execution/columns/?year=2026&ask=amount")
    body = client.get(f"/core/jobs/{job.pk}/").content.decode()
    assert 'data-testid="import-hint"' in body and "设置列对应" in body and "缺少必需的列：实际支付金额" in body


@WORKER_DB
def test_a_large_spending_plan_file_is_imported_by_the_worker_in_the_preparers_scope(world, login, small_threshold):
    mine = make_project(world, code="XM-SCH")
    make_project(world, code="XM-FARM", agency="102001", name="农田项目")
    client = login("preparer")
    headers = ("项目编码", "月份", "计划金额", "说明")
    rows = [("XM-SCH", m, 500, "计划" * 60) for m in range(1, 13)]
    job = _start(client, "/monitoring/plans/import/", "用款计划.xlsx", payments(rows, headers=headers))
    run_worker()
    job.refresh_from_db()
    assert job.kind == "monitoring.import_plans" and job.result["created"] == 12
    assert SpendingPlan.objects.filter(project=mine).count() == 12
    # another agency's project is unknown to this preparer's job too
    job = _start(client, "/monitoring/plans/import/", "别人的.xlsx",
                 payments([("XM-FARM", 1, 5, "计划" * 300)], headers=headers))
    run_worker()
    job.refresh_from_db()
    assert job.result["errors"][0]["message"] == "项目编码 XM-FARM 不存在或不在您的权限范围内"
    assert job.result["hint"] is None
    # the job is its starter's: the county's performance section gets the same 404 as for a missing job
    assert login("perf_section").get(f"/core/jobs/{job.pk}/").status_code == 404


def test_a_small_file_stays_immediate(world, login):
    make_project(world, code="XM-SCH")
    response = login("perf_section").post("/monitoring/execution/import/", {
        "year_field": "2026", "file": SimpleUploadedFile("小.csv", "项目编码,月份,金额,资金来源\nXM-SCH,1,5,本级\n".encode())})
    assert response.status_code == 302 and not Job.objects.exists()
    assert MonthlyExecution.objects.get().amount == Decimal("5.00")
