"""Export all as a background job in a real browser: the performance section asks for the official
layout of more sheets than the job threshold, starts the job, watches the progress page (htmx
polling) go from 排队中 to 已完成 while the worker (``manage.py db_worker``, here in a thread of the
test process) builds the file, downloads it and opens the workbook."""

from __future__ import annotations

import io
import threading

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def many_sheets(world, settings, tmp_path):
    # made before the browser starts (no ORM calls while Playwright's loop runs)
    from jixiao.targets.tests.factories import make_project, make_sheet

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JIXIAO_JOB_THRESHOLDS = {**settings.JIXIAO_JOB_THRESHOLDS, "export_sheets": 3}
    for k in range(4):
        make_sheet(world, project=make_project(world, code=f"XM-E2E-{k}"))


def start_worker() -> threading.Thread:
    """The ``db_worker --batch`` loop in a thread. An in-memory SQLite test database exists only on the test's
    own connection, so the thread shares it (as Django's live server thread does); on PostgreSQL the
    worker connects as in production."""
    from django.db import connections

    from jixiao.core.tests.worker import run_worker

    shared = connections["default"]
    in_memory = shared.vendor == "sqlite" and shared.is_in_memory_db()

    def run():
        if in_memory:
            shared.inc_thread_sharing()
            connections["default"] = shared
        try:
            run_worker("e2e")
        finally:
            if in_memory:
                shared.dec_thread_sharing()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_export_all_as_a_job_with_progress_and_download(many_sheets, sign_in):
    from openpyxl import load_workbook

    page = sign_in("perf_section")
    page.goto("/targets/")
    page.get_by_role("link", name="导出申报表").click()
    expect(page.get_by_text("共有 4 份目标表")).to_be_visible()
    page.get_by_role("button", name="开始导出").click()
    page.wait_for_url("**/core/jobs/*/")
    progress = page.locator("#job-progress")
    expect(progress.get_by_role("progressbar")).to_be_visible()
    expect(progress.locator(".job-status")).to_have_text("排队中")
    shot(page, "export-job-queued")
    worker = start_worker()
    # the page polls every 2 s: it shows the job finished without a reload
    expect(progress.locator(".job-status")).to_have_text("已完成", timeout=30_000)
    worker.join(timeout=30)
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(progress.locator(".job-message")).to_contain_text("已导出 4 份目标表")
    shot(page, "export-job-done")
    with page.expect_download() as info:
        progress.get_by_role("link", name="下载结果文件").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert sorted(wb.sheetnames) == [f"XM-E2E-{k}" for k in range(4)]
    assert wb["XM-E2E-0"]["A1"].value == "项目支出绩效目标申报表"
