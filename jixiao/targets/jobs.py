"""Background jobs of the target app (core.jobs): the official-layout export of many sheets and the
import of a large file, each run by the worker with the starter's own scope."""

from __future__ import annotations

from jixiao.core.jobs import job_handler


def export_query(user, query: str):
    """The sheets the user's list shows for ``query`` (the list page's filter parameters)."""
    from django.http import QueryDict

    from jixiao.targets.filters import SheetFilter
    from jixiao.targets.models import TargetSheet

    qs = TargetSheet.objects.for_user(user, "view").select_related("agency", "project", "region")
    return SheetFilter.filter_request(qs, QueryDict(query))[0]


@job_handler("targets.export_official")
def export_official(job, progress):
    from jixiao.targets import exports

    sheets = export_query(job.actor, job.params.get("query", ""))
    progress(0, sheets.count())
    data = exports.official_workbook(sheets, progress=progress)
    done = job.__class__.objects.filter(pk=job.pk).values_list("progress_total", flat=True).first() or 0
    return f"已导出 {done} 份目标表（申报表格式）", {"rows": done}, job.params.get("file_name", "绩效目标表.xlsx"), data


@job_handler("targets.import")
def import_file(job, progress):
    from jixiao.core.excel import ImportFailed
    from jixiao.targets.imports import import_sheets

    with job.input_file.open("rb") as f:
        data = f.read()
    progress(0, 1)
    try:
        summary = import_sheets(actor=job.actor, region=job.actor.region, year=job.params["year"], data=data,
                                name=job.params.get("name") or "文件", ip=job.params.get("ip", ""))
    except ImportFailed as exc:
        # nothing was written: the job is done, its result lists every bad cell
        return f"未导入：{exc.message}", {"errors": exc.report.rows(), "imported": False}, None, None
    progress(1, 1)
    return f"导入完成：{import_summary(summary)}", {**summary, "imported": True}, None, None


def import_summary(summary: dict) -> str:
    """The import service's summary dict in words (the import page's message and the job's)."""
    text = f"新建 {summary['created']} 份、更新 {summary['updated']} 份、未变化 {summary['unchanged']} 份目标表，" \
           f"指标 {summary['indicators']} 行"
    if summary.get("skipped_worksheets"):
        text += f"；跳过工作表：{'、'.join(summary['skipped_worksheets'])}"
    return text
