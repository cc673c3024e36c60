"""API of monitoring rounds and tables (issue #13 F6). Thin like the pages: the role gate on the route
(``allowed(Model, action)``, the declared actions) → scoped fetch → one service call. A table's
figures and lights are computed when read (``readings.read_tables``, set-based per page). Every table
answer carries ``version`` and ``ETag``; every change needs ``If-Match``."""

from django.http import HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jixiao.apiauth import allowed
from jixiao.core import audit
from jixiao.core.apikit import CREATE_ERRORS, READ_ERRORS, UPDATE_ERRORS, ErrorOut, Pages, if_match, with_etag
from jixiao.core.errors import ValidationFailed
from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import file_response, record_export
from jixiao.core.years import year_param
from jixiao.monitoring import exports, imports, schemas, services
from jixiao.monitoring.models import MonitoringRound, MonitoringTable
from jixiao.monitoring.readings import read_tables

router = Router(tags=["绩效运行监控"])
CHANGE_ERRORS = {409: ErrorOut, **UPDATE_ERRORS}


def _tables(user, action: str = "view"):
    return (MonitoringTable.objects.for_user(user, action).joined_in_scope(user, "agency", "project")
            .select_related("round", "agency", "project"))


def table_summary(t, r) -> dict:
    return {
        "id": t.pk, "round": t.round_id, "agency": t.agency_id, "agency_code": t.agency.code,
        "agency_name": t.agency.name, "project": t.project_id, "project_code": t.project.code if t.project_id else "",
        "subject": t.subject_name, "sheet": t.sheet_id, "status": t.status, "status_display": t.get_status_display(),
        "version": t.version, "budget_initial": r.budget_initial, "budget_adjusted": r.budget_adjusted,
        "executed": r.executed, "rate": r.rate, "expected": r.expectation.value,
        "expected_basis": r.expectation.basis.value, "expected_basis_label": r.expectation.label,
        "budget_light": r.budget_light, "goal_light": r.goal_light, "blue_count": r.blue_count,
        "deviations": r.deviations,
    }


def table_detail_dict(t, r) -> dict:
    rows = [{"position": x.position, "name": x.name, "level1": x.level1, "operator": x.operator, "target": x.target,
             "kind": x.signal.kind.value, "value_to_date": x.value_to_date, "year_end": x.year_end,
             "achievement": x.achievement, "stated_expected": x.stated_expected, "expected": x.signal.expected,
             "expected_basis": x.expected_basis, "progress": x.signal.progress,
             "light": x.light, "note": x.signal.note, "reason_required": x.required, **x.reasons} for x in r.rows]
    return {**table_summary(t, r), "estimate": r.estimate, "forecast": r.forecast,
            "forecast_disagrees": r.forecast_disagrees, "goal_progress": t.goal_progress, "cause": t.cause,
            "explanation": t.explanation, "likelihood": t.likelihood, "measures": t.measures,
            "budget_reason_required": r.budget_required, "threshold": r.threshold, "notes": r.notes,
            "problems": r.problems() if t.is_editable else [], "rows": rows}


class _Readings:
    """A queryset of tables, paged as it is: only the page's tables are read (``read_tables``)."""

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, part):
        page = list(self.qs[part])
        readings = read_tables(page)
        return [table_summary(t, readings[t.pk]) for t in page]


def _detail(request, response, pk: int):
    table = get_for_user(_tables(request.user), request.user, "view", pk=pk)
    reading = read_tables([table])[table.pk]
    with_etag(response, table)
    return table_detail_dict(table, reading)


@router.get("/rounds", auth=allowed(MonitoringRound, "view"), summary="监控批次列表",
            response={200: list[schemas.RoundOut], **READ_ERRORS})
@paginate(Pages)
def round_list(request, year: int | None = None):
    qs = MonitoringRound.objects.for_user(request.user, "view").order_by("-year", "-month", "-pk")
    if year is not None:
        qs = qs.filter(year=year_param(request, value=year))
    return qs


@router.get("/rounds/{int:id}", auth=allowed(MonitoringRound, "view"), summary="监控批次详情",
            response={200: schemas.RoundOut, **READ_ERRORS})
def round_detail(request, id: int, response: HttpResponse):
    return with_etag(response, get_for_user(MonitoringRound, request.user, "view", pk=id))


@router.get("/rounds/{int:id}/tables", auth=allowed(MonitoringTable, "view"),
            summary="监控批次的监控表（您范围内的；含执行率、预期进度及依据、各信号灯）",
            response={200: list[schemas.TableOut], **READ_ERRORS})
@paginate(Pages)
def round_tables(request, id: int, status: str | None = None):
    rnd = get_for_user(MonitoringRound, request.user, "view", pk=id)
    qs = _tables(request.user).filter(round=rnd).order_by("agency__code", "project__code", "pk")
    if status:
        qs = qs.filter(status=status)
    return _Readings(qs)


@router.get("/rounds/{int:id}/tables.xlsx", auth=allowed(MonitoringTable, "view"),
            summary="导出填报表：批次中您范围内的监控表（agency 为单位编码时只导出该单位的），每表一个工作表，填写后可导入",
            response={200: None, **READ_ERRORS})
def round_tables_xlsx(request, id: int, agency: str | None = None):
    rnd = get_for_user(MonitoringRound, request.user, "view", pk=id)
    tables = _tables(request.user).filter(round=rnd).select_related("region", "sheet")
    if agency:
        tables = tables.filter(agency__code=agency.strip())
    tables = list(tables.order_by("agency__code", "project__code", "pk"))
    if not tables:
        raise ValidationFailed({"agency": ["没有您可以导出的监控表"]})
    record_export(request, "monitoring_tables", len(tables), round=rnd.pk)
    return file_response(exports.tables_workbook(tables), f"{rnd.title}-填报表.xlsx")


@router.post("/rounds/{int:id}/tables/import", auth=allowed(MonitoringTable, "fill"),
             summary="导入填报表（全部成功或不写入；每处错误按工作表、行、列列出；内容相同的表不作改动）",
             response={200: schemas.TablesImportOut, 404: ErrorOut, **CREATE_ERRORS})
def round_tables_import(request, id: int, file: File[UploadedFile]):
    rnd = get_for_user(MonitoringRound, request.user, "view", pk=id)
    result = imports.import_tables(actor=request.user, round=rnd, data=file.read(), name=file.name or "文件",
                                   ip=audit.client_ip(request))
    return {**result.as_dict(), "summary": result.summary()}


@router.get("/tables/{int:id}", auth=allowed(MonitoringTable, "view"),
            summary="监控表详情（预算执行、各指标及其信号、偏差说明、提交前须完成的事项）",
            response={200: schemas.TableDetailOut, **READ_ERRORS})
def table_detail(request, id: int, response: HttpResponse):
    return _detail(request, response, id)


@router.patch("/tables/{int:id}", auth=allowed(MonitoringTable, "fill"),
              summary="填报监控表（只修改给出的字段；estimate 为 null 时清空）",
              response={200: schemas.TableDetailOut, **CHANGE_ERRORS})
def table_save(request, id: int, payload: schemas.TableIn, response: HttpResponse):
    table = get_for_user(MonitoringTable, request.user, "change", pk=id)
    data = payload.model_dump(exclude_unset=True)
    rows = {r.pop("position"): {k: ("" if v is None else v) for k, v in r.items()}
            for r in payload.model_dump(exclude_unset=True).get("rows", [])}
    estimate = None  # not given: left as it is
    if "estimate" in payload.model_fields_set:
        estimate = "" if payload.estimate is None else payload.estimate
    reasons = {k: ("" if data[k] is None else data[k]) for k in ("cause", "explanation", "likelihood", "measures")
               if k in data}
    services.save_table(actor=request.user, table=table, version=if_match(request), estimate=estimate,
                        goal_progress=data.get("goal_progress"), rows=rows, **reasons)
    return _detail(request, response, id)


@router.post("/tables/{int:id}/submit", auth=allowed(MonitoringTable, "submit"),
             summary="提交审核（未填报的数或缺少偏差说明时拒绝，逐行列出）",
             response={200: schemas.TableDetailOut, **CHANGE_ERRORS})
def table_submit(request, id: int, payload: schemas.TableOpinionIn, response: HttpResponse):
    table = get_for_user(MonitoringTable, request.user, "change", pk=id)
    services.submit_table(actor=request.user, table=table, version=if_match(request), opinion=payload.opinion)
    return _detail(request, response, id)


@router.post("/tables/{int:id}/approve", auth=allowed(MonitoringTable, "review"), summary="审核通过当前步骤",
             response={200: schemas.TableDetailOut, **CHANGE_ERRORS})
def table_approve(request, id: int, payload: schemas.TableOpinionIn, response: HttpResponse):
    table = get_for_user(MonitoringTable, request.user, "view", pk=id)
    services.approve_table(actor=request.user, table=table, version=if_match(request), opinion=payload.opinion)
    return _detail(request, response, id)


@router.post("/tables/{int:id}/return", auth=allowed(MonitoringTable, "review"), summary="退回填报单位（须填写意见）",
             response={200: schemas.TableDetailOut, **CHANGE_ERRORS})
def table_return(request, id: int, payload: schemas.TableReturnIn, response: HttpResponse):
    table = get_for_user(MonitoringTable, request.user, "view", pk=id)
    services.return_table(actor=request.user, table=table, version=if_match(request), opinion=payload.opinion)
    return _detail(request, response, id)
