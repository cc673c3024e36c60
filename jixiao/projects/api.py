"""F3 API: the project library. Thin like the pages: the role gate on the route → scoped fetch →
one service call. Every record answer carries ``version`` and ``ETag``; updates and stage moves need
``If-Match``."""

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
from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import get_for_action
from jixiao.org.filters import sector_ref
from jixiao.org.models import Agency
from jixiao.projects import schemas, services
from jixiao.projects.choices import ProjectAction
from jixiao.projects.filters import ProjectFilter
from jixiao.projects.models import Project

router = Router(tags=["项目库"])
ProjectQuery = ProjectFilter.schema()


def _projects():
    return Project.objects.select_related("agency", "sector")


def _refs(request, data: dict) -> dict:
    if "agency" in data:
        data["agency"] = ref(Agency, request.user, data["agency"], field="agency", label="申报单位")
    if "sector" in data:
        data["sector"] = sector_ref(data["sector"], required=True)
    for key in ("fund_sources", "tags"):
        if key in data:
            data[key] = [str(v) for v in data[key]]
    return data


@router.get("", auth=allowed(Project, "view"), summary="项目列表",
            response={200: list[schemas.ProjectOut], **READ_ERRORS})
@paginate(Pages)
def project_list(request, filters: Query[ProjectQuery]):
    return ProjectFilter.apply(_projects().for_user(request.user, "view"), filters.model_dump())


@router.get("/{int:id}", auth=allowed(Project, "view"), summary="项目详情",
            response={200: schemas.ProjectOut, **READ_ERRORS})
def project_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(_projects(), request.user, "view", pk=id))


@router.get("/{int:id}/events", auth=allowed(Project, "view"), summary="项目全过程记录",
            response={200: list[schemas.ProjectEventOut], **READ_ERRORS})
def project_events(request, id: int):
    project = get_for_user(Project, request.user, "view", pk=id)
    return list(project.events.all())


@router.post("", auth=allowed(Project, "create"), summary="新建项目（储备）",
             response={201: schemas.ProjectOut, **CREATE_ERRORS})
def project_create(request, payload: schemas.ProjectIn, response: HttpResponse):
    data = _refs(request, payload.model_dump())
    project = services.create_project(actor=request.user, region=request.user.region, **data)
    return Status(201, with_etag(response, project))


@router.patch("/{int:id}", auth=allowed(Project, "edit"), summary="修改项目",
              response={200: schemas.ProjectOut, 409: ErrorOut, **UPDATE_ERRORS})
def project_update(request, id: int, payload: schemas.ProjectPatch, response: HttpResponse):
    project = get_for_action(Project, request.user, "edit", pk=id)
    version = if_match(request)
    data = _refs(request, payload.model_dump(exclude_unset=True))
    project = services.update_project(actor=request.user, project=project, version=version, **data)
    return with_etag(response, project)


@router.post("/{int:id}/moves/{action}", auth=allowed(Project, "change"),
             summary="阶段操作（submit 申报入库, return 退回储备, admit 批准入库, budget 纳入预算, start 开始执行, "
                     "complete 完结, terminate 终止）",
             response={200: schemas.ProjectOut, 409: ErrorOut, **UPDATE_ERRORS})
def project_move(request, id: int, action: ProjectAction, payload: schemas.MoveIn, response: HttpResponse):
    # the route admits every role that makes some move; the move's own declared action decides (403 / 404)
    project = get_for_action(Project, request.user, action.value, pk=id)
    version = if_match(request)
    project = services.move(actor=request.user, project=project, version=version, action=action,
                            note=payload.note, budget_amount=payload.budget_amount)
    return with_etag(response, get_for_user(_projects(), request.user, "view", pk=project.pk))
