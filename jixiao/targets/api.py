"""F5 API: target sheets. Thin like the pages: the role gate on the route → scoped fetch → one
service call. Every sheet answer carries ``version`` and ``ETag``; every change needs ``If-Match``
(except creating a sheet and starting an adjustment, which make a new record)."""

from django.http import HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from jixiao.apiauth import allowed
from jixiao.core.apikit import (
    CREATE_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    ErrorOut,
    Pages,
    if_match,
    ref,
    with_etag,
)
from jixiao.core.errors import ValidationFailed
from jixiao.core.scoping import get_for_user
from jixiao.org.models import Agency
from jixiao.projects.models import Project
from jixiao.targets import schemas, services
from jixiao.targets.filters import SheetFilter
from jixiao.targets.models import TargetSheet

router = Router(tags=["绩效目标"])
SheetQuery = SheetFilter.schema()
CHANGE_ERRORS = {409: ErrorOut, **UPDATE_ERRORS}


def _sheets():
    return TargetSheet.objects.select_related("agency", "project")


def _detail(request, response, pk: int):
    """The sheet as the caller may read it now, with its rows, findings, steps and history."""
    sheet = get_for_user(_sheets(), request.user, "view", pk=pk)
    _, sheet.steps, sheet.history = services.history(sheet)
    return with_etag(response, sheet)


@router.get("/sheets", auth=allowed(TargetSheet, "view"), summary="绩效目标表列表",
            response={200: list[schemas.SheetOut], **READ_ERRORS})
@paginate(Pages)
def sheet_list(request, filters: Query[SheetQuery]):
    qs = _sheets().for_user(request.user, "view").joined_in_scope(request.user, "agency", "project")
    return SheetFilter.apply(qs, filters.model_dump())


@router.get("/sheets/{int:id}", auth=allowed(TargetSheet, "view"),
            summary="绩效目标表详情（指标、年度主要任务、质量检查、审核步骤与记录）",
            response={200: schemas.SheetDetailOut, **READ_ERRORS})
def sheet_detail(request, id: int, response: HttpResponse):
    return _detail(request, response, id)


@router.post("/sheets", auth=allowed(TargetSheet, "create"), summary="新建绩效目标表（申报版，草稿）",
             response={201: schemas.SheetDetailOut, 409: ErrorOut, **CREATE_ERRORS})
def sheet_create(request, payload: schemas.SheetIn, response: HttpResponse):
    data = payload.model_dump(exclude_none=True)
    project = ref(Project, request.user, data.pop("project", None), field="project", label="项目")
    agency = ref(Agency, request.user, data.pop("agency", None), field="agency", label="单位")
    if (project is None) == (agency is None):
        raise ValidationFailed({"project": ["请给出项目（project）或单位（agency）之一"]})
    sheet = services.create_sheet(actor=request.user, project=project, agency=agency, **data)
    return Status(201, _detail(request, response, sheet.pk))


@router.patch("/sheets/{int:id}", auth=allowed(TargetSheet, "edit"), summary="修改目标表表头（目标、金额）",
              response={200: schemas.SheetDetailOut, **CHANGE_ERRORS})
def sheet_update(request, id: int, payload: schemas.SheetPatch, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    version = if_match(request)
    services.update_sheet(actor=request.user, sheet=sheet, version=version,
                          **payload.model_dump(exclude_unset=True, exclude_none=True))
    return _detail(request, response, id)


@router.put("/sheets/{int:id}/indicators", auth=allowed(TargetSheet, "edit"),
            summary="保存全部绩效指标（替换；随后自动质量检查）", response={200: schemas.SheetDetailOut, **CHANGE_ERRORS})
def sheet_indicators(request, id: int, payload: schemas.IndicatorsIn, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    version = if_match(request)
    services.save_indicators(actor=request.user, sheet=sheet, version=version,
                             rows=[r.model_dump() for r in payload.indicators])
    return _detail(request, response, id)


@router.put("/sheets/{int:id}/tasks", auth=allowed(TargetSheet, "edit"),
            summary="保存部门整体目标表的年度主要任务（替换；年度资金为其合计）",
            response={200: schemas.SheetDetailOut, **CHANGE_ERRORS})
def sheet_tasks(request, id: int, payload: schemas.TasksIn, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    version = if_match(request)
    services.save_tasks(actor=request.user, sheet=sheet, version=version, rows=[t.model_dump() for t in payload.tasks])
    return _detail(request, response, id)


@router.post("/sheets/{int:id}/submit", auth=allowed(TargetSheet, "submit"),
             summary="提交审核（质量检查有错误时拒绝）", response={200: schemas.SheetDetailOut, **CHANGE_ERRORS})
def sheet_submit(request, id: int, payload: schemas.OpinionIn, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    services.submit_sheet(actor=request.user, sheet=sheet, version=if_match(request), opinion=payload.opinion)
    return _detail(request, response, id)


@router.post("/sheets/{int:id}/approve", auth=allowed(TargetSheet, "review"),
             summary="审核通过当前步骤（最后一步通过即批复）", response={200: schemas.SheetDetailOut, **CHANGE_ERRORS})
def sheet_approve(request, id: int, payload: schemas.OpinionIn, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    services.approve_sheet(actor=request.user, sheet=sheet, version=if_match(request), opinion=payload.opinion)
    return _detail(request, response, id)


@router.post("/sheets/{int:id}/return", auth=allowed(TargetSheet, "review"),
             summary="退回编报单位（须填写意见）", response={200: schemas.SheetDetailOut, **CHANGE_ERRORS})
def sheet_return(request, id: int, payload: schemas.ReturnIn, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    services.return_sheet(actor=request.user, sheet=sheet, version=if_match(request), opinion=payload.opinion)
    return _detail(request, response, id)


@router.post("/sheets/{int:id}/adjust", auth=allowed(TargetSheet, "adjust"),
             summary="年中调整：复制已批复版本为新版本（草稿），重新审核",
             response={201: schemas.SheetDetailOut, 409: ErrorOut, **UPDATE_ERRORS})
def sheet_adjust(request, id: int, payload: schemas.AdjustIn, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    new = services.adjust_sheet(actor=request.user, sheet=sheet, reason=payload.reason)
    return Status(201, _detail(request, response, new.pk))


@router.post("/sheets/{int:id}/publish", auth=allowed(TargetSheet, "publish"),
             summary="公开或撤回公开已批复的目标表（绩效股；涉密不公开）",
             response={200: schemas.SheetDetailOut, **CHANGE_ERRORS})
def sheet_publish(request, id: int, payload: schemas.PublishIn, response: HttpResponse):
    sheet = get_for_user(TargetSheet, request.user, "change", pk=id)
    services.set_published(actor=request.user, sheet=sheet, version=if_match(request), published=payload.published,
                           redacted=payload.redacted)
    return _detail(request, response, id)
