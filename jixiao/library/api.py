"""F2 API: the indicator library. Reads go through ``IndicatorTemplate.objects.visible_to`` (national
plus the caller's region); writes are the performance section's (``allowed(…)`` on the route)."""

from django.http import HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from jixiao.apiauth import allowed
from jixiao.core.apikit import CREATE_ERRORS, READ_ERRORS, UPDATE_ERRORS, Pages, if_match, with_etag
from jixiao.core.scoping import get_for_user
from jixiao.core.years import year_param
from jixiao.library import schemas, services
from jixiao.library.filters import TemplateFilter
from jixiao.library.models import IndicatorTemplate, get_visible_template
from jixiao.org.filters import sector_ref

router = Router(tags=["指标库"])

TemplateQuery = TemplateFilter.schema()


def _templates():
    return IndicatorTemplate.objects.select_related("sector")


@router.get("/templates", auth=allowed(IndicatorTemplate, "view"), summary="指标模板列表",
            response={200: list[schemas.TemplateOut], **READ_ERRORS})
@paginate(Pages)
def template_list(request, filters: Query[TemplateQuery]):
    return TemplateFilter.apply(_templates().visible_to(request.user).ordered(), filters.model_dump())


@router.get("/templates/{int:id}", auth=allowed(IndicatorTemplate, "view"), summary="指标模板详情",
            response={200: schemas.TemplateOut, **READ_ERRORS})
def template_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_visible_template(request.user, id, _templates()))


@router.post("/templates", auth=allowed(IndicatorTemplate, "create"), summary="新增本区划指标模板",
             response={201: schemas.TemplateOut, **CREATE_ERRORS})
def template_create(request, payload: schemas.TemplateIn, response: HttpResponse):
    data = payload.model_dump()
    data["sector"] = sector_ref(data["sector"])
    template = services.create_template(actor=request.user, region=request.user.region, **data)
    return Status(201, with_etag(response, template))


@router.patch("/templates/{int:id}", auth=allowed(IndicatorTemplate, "change"), summary="修改本区划指标模板",
              response={200: schemas.TemplateOut, **UPDATE_ERRORS})
def template_update(request, id: int, payload: schemas.TemplatePatch, response: HttpResponse):
    template = get_for_user(_templates(), request.user, "change", pk=id)
    version = if_match(request)
    data = payload.model_dump(exclude_unset=True)
    if "sector" in data:
        data["sector"] = sector_ref(data["sector"])
    template = services.update_template(actor=request.user, template=template, version=version, **data)
    return with_etag(response, template)


@router.post("/templates/{int:id}/copy", auth=allowed(IndicatorTemplate, "create"),
             summary="复制指标模板到本区划", response={201: schemas.TemplateOut, **CREATE_ERRORS, 404: READ_ERRORS[404]})
def template_copy(request, id: int, response: HttpResponse):
    source = get_visible_template(request.user, id)
    copy = services.copy_template(actor=request.user, template=source, region=request.user.region)
    return Status(201, with_etag(response, copy))


@router.get("/suggest", auth=allowed(IndicatorTemplate, "view"), summary="指标智能推荐",
            response={200: list[schemas.SuggestionOut], **READ_ERRORS})
def suggest(request, name: str = "", description: str = "", sector: str | None = None, limit: int = 20):
    return services.suggest(region=request.user.region, sector_code=sector or None, name=name,
                            description=description, limit=max(1, min(limit, 100)))


@router.get("/taxonomy", auth=allowed(IndicatorTemplate, "view"), summary="本区划年度指标体系",
            response={200: schemas.TaxonomyOut, **READ_ERRORS})
def taxonomy(request, year: int | None = None):
    return services.taxonomy_for(request.user.region, year_param(request, value=year))
