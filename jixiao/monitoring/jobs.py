"""Background jobs of budget execution data (core.jobs): the import of a large treasury export or
spending-plan file — a whole region's year can be a million rows and more — run by the worker with
the starter's own scope, the bad cells (and the column question) in the job's result."""

from __future__ import annotations

from jixiao.core.jobs import job_handler


def _run(job, progress, *, plan: bool):
    from jixiao.core.excel import ImportFailed
    from jixiao.monitoring import imports
    from jixiao.monitoring.views_execution import columns_hint

    with job.input_file.open("rb") as f:
        data = f.read()
    progress(0, 1)
    service = imports.import_spending_plans if plan else imports.import_execution
    year = job.params["year"]
    try:
        result = service(actor=job.actor, data=data, year=year, filename=job.params.get("name") or "文件",
                         ip=job.params.get("ip", ""))
    except ImportFailed as exc:
        # nothing was written: the job is done, its result lists every bad cell
        return f"未导入：{exc.message}", {"errors": exc.report.rows(), "imported": False,
                                        "hint": columns_hint(exc, user=job.actor, year=year, plan=plan)}, None, None
    progress(1, 1)
    return f"导入完成：{result.summary()}", {**result.as_dict(), "imported": True}, None, None


@job_handler("monitoring.import_execution")
def import_execution_file(job, progress):
    return _run(job, progress, plan=False)


@job_handler("monitoring.import_plans")
def import_plan_file(job, progress):
    return _run(job, progress, plan=True)
