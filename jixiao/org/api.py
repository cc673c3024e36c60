"""F1 API: regions, agencies, finance sections, users. Thin like the pages: the role gate on the
route (``auth=allowed(…)``) → scoped fetch → one service call. Every record answer carries
``version`` and ``ETag``; every update needs ``If-Match``."""

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
from jixiao.core.audit import client_ip
from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import get_for_action
from jixiao.org import schemas, services
from jixiao.org.filters import AgencyFilter, SectionFilter, UserFilter, sector_ref
from jixiao.org.models import Agency, FinanceSection, Region, User

router = Router(tags=["组织机构"])

AgencyQuery = AgencyFilter.schema()
SectionQuery = SectionFilter.schema()
UserQuery = UserFilter.schema()


def _agencies():
    return Agency.objects.select_related("sector")


def _sections():
    return FinanceSection.objects.prefetch_related("agencies")


def _agency_refs(request, data: dict) -> dict:
    if "parent" in data:
        data["parent"] = ref(Agency, request.user, data["parent"], field="parent", label="上级部门")
    if "sector" in data:
        data["sector"] = sector_ref(data["sector"])
    return data


def _user_refs(request, data: dict) -> dict:
    if "agency" in data:
        data["agency"] = ref(Agency, request.user, data["agency"], field="agency", label="所属单位")
    if "finance_section" in data:
        data["finance_section"] = ref(FinanceSection, request.user, data["finance_section"],
                                      field="finance_section", label="所在股室")
    return data


# --- the caller -------------------------------------------------------------------------------------

@router.get("/me", response={200: schemas.MeOut, 401: READ_ERRORS[401]}, summary="当前用户")
def me(request):
    return User.objects.select_related("region", "agency", "finance_section").get(pk=request.user.pk)


# --- regions (read-only: created at installation) ---------------------------------------------------

@router.get("/regions", response={200: list[schemas.RegionOut], **READ_ERRORS}, summary="行政区划（本区划）")
@paginate(Pages)
def region_list(request):
    return Region.objects.for_user(request.user, "view")


@router.get("/regions/{int:id}", response={200: schemas.RegionOut, **READ_ERRORS}, summary="行政区划详情")
def region_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(Region, request.user, "view", pk=id))


# --- agencies ---------------------------------------------------------------------------------------

@router.get("/agencies", auth=allowed(Agency, "view"), summary="预算单位列表",
            response={200: list[schemas.AgencyOut], **READ_ERRORS})
@paginate(Pages)
def agency_list(request, filters: Query[AgencyQuery]):
    return AgencyFilter.apply(_agencies().for_user(request.user, "view"), filters.model_dump())


@router.get("/agencies/{int:id}", response={200: schemas.AgencyOut, **READ_ERRORS}, summary="预算单位详情")
def agency_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(_agencies(), request.user, "view", pk=id))


@router.post("/agencies", auth=allowed(Agency, "create"), summary="新增预算单位",
             response={201: schemas.AgencyOut, **CREATE_ERRORS})
def agency_create(request, payload: schemas.AgencyIn, response: HttpResponse):
    data = _agency_refs(request, payload.model_dump())
    agency = services.create_agency(actor=request.user, region=request.user.region, **data)
    return Status(201, with_etag(response, agency))


@router.patch("/agencies/{int:id}", auth=allowed(Agency, "change"), summary="修改预算单位",
              response={200: schemas.AgencyOut, **UPDATE_ERRORS})
def agency_update(request, id: int, payload: schemas.AgencyPatch, response: HttpResponse):
    agency = get_for_user(Agency, request.user, "change", pk=id)
    version = if_match(request)
    data = _agency_refs(request, payload.model_dump(exclude_unset=True))
    agency = services.update_agency(actor=request.user, agency=agency, version=version, **data)
    return with_etag(response, agency)


# --- finance sections -------------------------------------------------------------------------------

@router.get("/sections", auth=allowed(FinanceSection, "view"), summary="财政股室列表",
            response={200: list[schemas.SectionOut], **READ_ERRORS})
@paginate(Pages)
def section_list(request, filters: Query[SectionQuery]):
    return SectionFilter.apply(_sections().for_user(request.user, "view"), filters.model_dump())


@router.get("/sections/{int:id}", response={200: schemas.SectionOut, **READ_ERRORS}, summary="财政股室详情")
def section_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(_sections(), request.user, "view", pk=id))


@router.post("/sections", auth=allowed(FinanceSection, "create"), summary="新增财政股室",
             response={201: schemas.SectionOut, **CREATE_ERRORS})
def section_create(request, payload: schemas.SectionIn, response: HttpResponse):
    data = payload.model_dump()
    data["agencies"] = refs(Agency, request.user, data["agencies"], field="agencies", label="对口单位")
    section = services.create_section(actor=request.user, region=request.user.region, **data)
    return Status(201, with_etag(response, section))


@router.patch("/sections/{int:id}", auth=allowed(FinanceSection, "change"), summary="修改财政股室",
              response={200: schemas.SectionOut, **UPDATE_ERRORS})
def section_update(request, id: int, payload: schemas.SectionPatch, response: HttpResponse):
    section = get_for_user(FinanceSection, request.user, "change", pk=id)
    version = if_match(request)
    data = payload.model_dump(exclude_unset=True)
    if "agencies" in data:
        data["agencies"] = refs(Agency, request.user, data["agencies"], field="agencies", label="对口单位")
    section = services.update_section(actor=request.user, section=section, version=version, **data)
    return with_etag(response, section)


# --- users ------------------------------------------------------------------------------------------

@router.get("/users", auth=allowed(User, "view"), summary="用户列表",
            response={200: list[schemas.UserOut], **READ_ERRORS})
@paginate(Pages)
def user_list(request, filters: Query[UserQuery]):
    return UserFilter.apply(User.objects.for_user(request.user, "view"), filters.model_dump())


@router.get("/users/{int:id}", response={200: schemas.UserOut, **READ_ERRORS}, summary="用户详情")
def user_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(User, request.user, "view", pk=id))


@router.post("/users", auth=allowed(User, "create"), summary="新增用户",
             response={201: schemas.UserOut, **CREATE_ERRORS})
def user_create(request, payload: schemas.UserIn, response: HttpResponse):
    data = _user_refs(request, payload.model_dump())
    user = services.create_user(actor=request.user, region=request.user.region, **data)
    return Status(201, with_etag(response, user))


# Profile edits are the system administrator's (the declared action edit_profile, as on the page).
@router.patch("/users/{int:id}", auth=allowed(User, "edit_profile"), summary="修改用户资料（不含角色）",
              response={200: schemas.UserOut, **UPDATE_ERRORS})
def user_update(request, id: int, payload: schemas.UserPatch, response: HttpResponse):
    subject = get_for_action(User, request.user, "edit_profile", pk=id)
    version = if_match(request)
    data = _user_refs(request, payload.model_dump(exclude_unset=True))
    subject = services.update_user(actor=request.user, user=subject, version=version, **data)
    return with_etag(response, subject)


@router.post("/users/{int:id}/role", auth=allowed(User, "grant_role"),
             response={200: schemas.UserOut, **UPDATE_ERRORS}, summary="变更角色（安全保密管理员）")
def user_role(request, id: int, payload: schemas.RoleChangeIn, response: HttpResponse):
    subject = get_for_action(User, request.user, "grant_role", pk=id)
    version = if_match(request)
    data = _user_refs(request, payload.model_dump())
    subject = services.change_role(actor=request.user, user=subject, version=version, ip=client_ip(request),
                                   **data)
    return with_etag(response, subject)
