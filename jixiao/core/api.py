"""Cross-cutting API: the caller's inbox (待办) and background jobs (后台任务)."""

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jixiao.core import inbox
from jixiao.core.apikit import ErrorOut, Pages

router = Router(tags=["待办"])


class InboxItemOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    due_at: datetime | None
    overdue: bool = Field(alias="is_overdue", description="未办结且已过截止时间")
    created_at: datetime


@router.get("/inbox", response={200: list[InboxItemOut], 401: ErrorOut}, summary="我的待办（未办结）")
@paginate(Pages)
def inbox_list(request):
    return inbox.open_for(request.user)


class JobOut(Schema):
    """A background job as its starter polls it (an import started through the API answers with it)."""

    id: int
    kind: str = Field(description="任务类型，如 monitoring.import_execution")
    title: str
    status: str = Field(description="queued | running | done | failed")
    status_label: str = Field(alias="get_status_display")
    progress_done: int
    progress_total: int
    message: str = Field(description="结果说明（导入未完成时说明错误数）")
    result: dict[str, Any] = Field(description="结果：导入的条数，或 errors（每处错误的工作表、行、列、说明）")
    created_at: datetime
    finished_at: datetime | None


@router.get("/jobs/{int:id}", tags=["后台任务"], response={200: JobOut, 401: ErrorOut, 404: ErrorOut},
            summary="后台任务（进度与结果）")
def job_detail(request, id: int):
    """A job the caller started, in the caller's region (anyone else's: the same 404 as a missing one)."""
    from jixiao.core.jobs import jobs_for_user

    job = get_object_or_404(jobs_for_user(request.user), pk=id)
    result = dict(job.result or {})
    result.pop("traceback", None)  # the server's stack is not the caller's business
    job.result = result
    return job
