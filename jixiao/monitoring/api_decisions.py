"""API of finance decisions (监控结果应用, issue #13): the decisions the caller sees, a new decision on
a project, lifting a suspension, and the statistics the annual report quotes. Thin like the pages: the
role gate on the route → scoped fetch → one service call. Decisions are never edited (no version):
a new decision or a lift is a new fact. Amounts are yuan. Schemas live here: they describe only these
answers."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from jixiao.apiauth import allowed
from jixiao.core.apikit import CREATE_ERRORS, READ_ERRORS, ErrorOut, Money, Pages, optional_related, ref
from jixiao.core.scoping import get_for_user
from jixiao.monitoring import services
from jixiao.monitoring.choices import DecisionKind
from jixiao.monitoring.filters import DecisionFilter
from jixiao.monitoring.models import Decision, MonitoringTable
from jixiao.monitoring.statistics import decision_statistics
from jixiao.projects.models import Project

router = Router(tags=["监控结果应用"])
DecisionQuery = DecisionFilter.schema()


class DecisionOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    agency: int = Field(alias="agency_id")
    agency_code: str = Field(alias="agency.code")
    project: int = Field(alias="project_id")
    project_code: str = Field(alias="project.code")
    project_name: str = Field(alias="project.name")
    year: int
    table: int | None = Field(alias="table_id", description="依据的监控表 id")
    round: int | None = Field(description="监控表所属监控批次 id")
    kind: DecisionKind
    kind_display: str = Field(alias="get_kind_display")
    amount: Decimal | None = Field(description="金额（元）：调减预算、收回资金")
    reason: str
    decided_at: datetime
    lifted_at: datetime | None = Field(description="暂缓拨付的解除时间")
    lift_reason: str
    sheet: int | None = Field(alias="sheet_id", description="调整绩效目标时发起的调整版本目标表 id")

    resolve_round = optional_related("table.round_id", None)


class DecisionIn(Schema):
    project: int = Field(description="项目 id")
    kind: DecisionKind
    reason: str = Field(description="理由（必填）")
    amount: Money | None = Field(None, description="金额（元）：调减预算、收回资金必填且大于 0，其他处理方式不填")
    table: int | None = Field(None, description="依据的监控表 id（须为该项目的）")


class LiftIn(Schema):
    reason: str = Field(description="解除理由（必填）")


class DecisionStatisticsOut(Schema):
    region: int
    region_name: str
    year: int
    round: int | None = Field(None, description="监控批次 id（按批次统计时；未关联监控表为空）")
    round_title: str = ""
    projects: int = Field(description="涉及项目数（去重）")
    decisions: dict[str, int] = Field(description="各处理方式的决定数")
    projects_by_kind: dict[str, int] = Field(description="各处理方式涉及的项目数")
    cut_amount: Decimal = Field(description="调减预算金额合计（元）")
    recovered_amount: Decimal = Field(description="收回资金金额合计（元）")
    summary: str = Field(description="年度报告的表述")


def _decisions():
    return Decision.objects.select_related("agency", "project", "table")


@router.get("", auth=allowed(Decision, "view"), summary="监控结果应用决定列表",
            response={200: list[DecisionOut], **READ_ERRORS})
@paginate(Pages)
def decision_list(request, filters: Query[DecisionQuery]):
    qs = _decisions().for_user(request.user, "view").joined_in_scope(request.user, "agency", "project")
    return DecisionFilter.apply(qs, filters.model_dump())


@router.get("/statistics", auth=allowed(Decision, "view"),
            summary="监控结果应用统计（按地区、年度，可按监控批次）：各处理方式的决定数与项目数、调减与收回金额",
            response={200: list[DecisionStatisticsOut], **READ_ERRORS})
def decision_stats(request, filters: Query[DecisionQuery], by_round: bool = False):
    qs = DecisionFilter.apply(Decision.objects.for_user(request.user, "view"), filters.model_dump())
    if by_round:
        qs = qs.filter(table__isnull=False)
    return [{"region": r["region"], "region_name": r["region_name"], "year": r["year"], "round": r["round"],
             "round_title": r["round_title"], "projects": r["totals"].projects_total,
             "decisions": dict(r["totals"].decisions), "projects_by_kind": dict(r["totals"].projects),
             "cut_amount": r["totals"].cut, "recovered_amount": r["totals"].recovered, "summary": r["summary"]}
            for r in decision_statistics(qs, by_round=by_round)]


@router.post("", auth=allowed(Decision, "decide"), summary="作出监控结果应用决定（绩效股）",
             response={201: DecisionOut, 409: ErrorOut, **CREATE_ERRORS})
def decision_create(request, payload: DecisionIn):
    project = ref(Project.objects.for_user(request.user, "change"), request.user, payload.project, field="project",
                  label="项目")
    table = ref(MonitoringTable.objects.for_user(request.user, "view").filter(project=project), request.user, payload.table, field="table",
                label="监控表")
    decision = services.decide(actor=request.user, project=project, kind=payload.kind, reason=payload.reason,
                               amount=payload.amount, table=table)
    return Status(201, _decisions().get(pk=decision.pk))


@router.post("/{int:id}/lift", auth=allowed(Decision, "lift"), summary="解除暂缓拨付（绩效股）",
             response={200: DecisionOut, 404: ErrorOut, 409: ErrorOut, **CREATE_ERRORS})
def decision_lift(request, id: int, payload: LiftIn):
    decision = get_for_user(Decision, request.user, "change", pk=id)
    services.lift_suspension(actor=request.user, decision=decision, reason=payload.reason)
    return _decisions().get(pk=id)
