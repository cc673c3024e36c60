"""F9 API: experts, firms, draws, and the expert's own tasks. Thin like the pages."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from jixiao.apiauth import allowed
from jixiao.core.apikit import (
    CREATE_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    Pages,
    if_match,
    ref,
    refs,
    with_etag,
)
from jixiao.core.errors import ValidationFailed
from jixiao.core.roles import is_assigned
from jixiao.core.scoping import get_for_user
from jixiao.org.models import Agency, Sector
from jixiao.pools import schemas, services
from jixiao.pools.filters import DrawFilter, ExpertFilter, FirmFilter
from jixiao.pools.models import Draw, DrawnExpert, Expert, Firm

router = Router(tags=["专家与机构"])

ExpertQuery = ExpertFilter.schema()
FirmQuery = FirmFilter.schema()
DrawQuery = DrawFilter.schema()


def _sectors(codes: list[str], field: str = "fields") -> list[Sector]:
    found = {s.code: s for s in Sector.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed({field: [f"专业领域代码 {'、'.join(missing)} 不存在"]})
    return [found[c] for c in dict.fromkeys(codes)]


def _experts():
    return Expert.objects.prefetch_related("fields")


def _firms():
    return Firm.objects.prefetch_related("records")


def _draws():
    return Draw.objects.prefetch_related("fields", "exclude_agencies", "exclude_firms", "excluded", "drawn__expert")


def _expert_refs(request, data: dict) -> dict:
    if data.get("fields") is not None:
        data["fields"] = _sectors(data["fields"])
    if "agency" in data:
        data["agency"] = ref(Agency, request.user, data["agency"], field="agency", label="所在预算单位")
    if "firm" in data:
        data["firm"] = ref(Firm, request.user, data["firm"], field="firm", label="所属第三方机构")
    return data


# --- experts ------------------------------------------------------------------------------------

@router.get("/experts", auth=allowed(Expert, "view"), summary="专家列表",
            response={200: list[schemas.ExpertOut], **READ_ERRORS})
@paginate(Pages)
def expert_list(request, filters: Query[ExpertQuery]):
    return ExpertFilter.apply(_experts().for_user(request.user, "view"), filters.model_dump()).distinct()


@router.get("/experts/{int:id}", auth=allowed(Expert, "view"), summary="专家详情",
            response={200: schemas.ExpertOut, **READ_ERRORS})
def expert_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(_experts(), request.user, "view", pk=id))


@router.post("/experts", auth=allowed(Expert, "create"), summary="新增专家",
             response={201: schemas.ExpertOut, **CREATE_ERRORS})
def expert_create(request, payload: schemas.ExpertIn, response: HttpResponse):
    data = _expert_refs(request, payload.model_dump())
    expert = services.create_expert(actor=request.user, region=request.user.region, **data)
    return Status(201, with_etag(response, expert))


@router.patch("/experts/{int:id}", auth=allowed(Expert, "change"), summary="修改专家",
              response={200: schemas.ExpertOut, **UPDATE_ERRORS})
def expert_update(request, id: int, payload: schemas.ExpertPatch, response: HttpResponse):
    expert = get_for_user(Expert, request.user, "change", pk=id)
    version = if_match(request)
    data = _expert_refs(request, payload.model_dump(exclude_unset=True))
    expert = services.update_expert(actor=request.user, expert=expert, version=version, **data)
    return with_etag(response, expert)


# --- firms --------------------------------------------------------------------------------------

@router.get("/firms", auth=allowed(Firm, "view"), summary="第三方机构列表",
            response={200: list[schemas.FirmOut], **READ_ERRORS})
@paginate(Pages)
def firm_list(request, filters: Query[FirmQuery]):
    return FirmFilter.apply(_firms().for_user(request.user, "view"), filters.model_dump())


@router.get("/firms/{int:id}", auth=allowed(Firm, "view"), summary="第三方机构详情",
            response={200: schemas.FirmOut, **READ_ERRORS})
def firm_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(_firms(), request.user, "view", pk=id))


@router.post("/firms", auth=allowed(Firm, "create"), summary="新增第三方机构",
             response={201: schemas.FirmOut, **CREATE_ERRORS})
def firm_create(request, payload: schemas.FirmIn, response: HttpResponse):
    firm = services.create_firm(actor=request.user, region=request.user.region, **payload.model_dump())
    return Status(201, with_etag(response, firm))


@router.patch("/firms/{int:id}", auth=allowed(Firm, "change"), summary="修改第三方机构",
              response={200: schemas.FirmOut, **UPDATE_ERRORS})
def firm_update(request, id: int, payload: schemas.FirmPatch, response: HttpResponse):
    firm = get_for_user(Firm, request.user, "change", pk=id)
    version = if_match(request)
    firm = services.update_firm(actor=request.user, firm=firm, version=version,
                                **payload.model_dump(exclude_unset=True))
    return with_etag(response, firm)


# --- draws --------------------------------------------------------------------------------------

@router.get("/draws", auth=allowed(Draw, "view"), summary="专家抽取记录",
            response={200: list[schemas.DrawOut], **READ_ERRORS})
@paginate(Pages)
def draw_list(request, filters: Query[DrawQuery]):
    return DrawFilter.apply(_draws().for_user(request.user, "view"), filters.model_dump())


@router.get("/draws/{int:id}", auth=allowed(Draw, "view"), summary="专家抽取结果",
            response={200: schemas.DrawOut, **READ_ERRORS})
def draw_detail(request, id: int):
    return get_for_user(_draws(), request.user, "view", pk=id)


@router.get("/draws/{int:id}/verify", auth=allowed(Draw, "view"), summary="复核专家抽取（以记录的种子和候选名单重新抽取）",
            response={200: schemas.VerifyOut, **READ_ERRORS})
def draw_verify(request, id: int):
    draw = get_for_user(Draw, request.user, "view", pk=id)
    checks = services.verify_draw(draw)
    return {"draw": draw.pk, "seed": draw.seed, "reproduced": all(c.ok is not False for c in checks),
            "checks": checks}


@router.post("/draws", auth=allowed(Draw, "create"), summary="随机抽取专家",
             response={201: schemas.DrawOut, **CREATE_ERRORS})
def draw_create(request, payload: schemas.DrawIn):
    data = payload.model_dump()
    draw = services.draw_experts(
        actor=request.user, region=request.user.region, purpose=data["purpose"], count=data["count"],
        fields=_sectors(data["fields"]),
        exclude_agencies=refs(Agency, request.user, data["exclude_agencies"], field="exclude_agencies",
                              label="回避单位"),
        exclude_firms=refs(Firm, request.user, data["exclude_firms"], field="exclude_firms", label="回避机构"),
        exclude_drawn_in=ref(Draw, request.user, data["exclude_drawn_in"], field="exclude_drawn_in",
                             label="抽取记录"),
    )
    return Status(201, get_for_user(_draws(), request.user, "view", pk=draw.pk))


@router.post("/drawn/{int:id}/accept", auth=allowed(DrawnExpert, "change"), summary="接受邀请",
             response={200: schemas.DrawnOut, **UPDATE_ERRORS, 409: UPDATE_ERRORS[403]})
def drawn_accept(request, id: int):
    row = get_for_user(DrawnExpert, request.user, "change", pk=id)
    return services.accept_drawn(actor=request.user, drawn=row)


@router.post("/drawn/{int:id}/decline", auth=allowed(DrawnExpert, "change"), summary="谢绝邀请/替换并抽取替补",
             response={200: schemas.DrawnOut, **UPDATE_ERRORS, 409: UPDATE_ERRORS[403]})
def drawn_decline(request, id: int, payload: schemas.ReasonIn):
    row = get_for_user(DrawnExpert, request.user, "change", pk=id)
    return services.decline_and_replace(actor=request.user, drawn=row, reason=payload.reason)


@router.get("/my-tasks", summary="我的任务（专家、第三方机构）", response={200: list[schemas.AssignedTaskOut], **READ_ERRORS})
@paginate(Pages)
def my_tasks(request):
    if not is_assigned(request.user):
        raise PermissionDenied("此接口供专家和第三方机构使用。")
    return DrawnExpert.objects.for_user(request.user, "view").select_related("draw", "expert").prefetch_related(
        "draw__fields").order_by("-draw__created_at", "order")
