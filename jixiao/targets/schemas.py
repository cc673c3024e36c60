"""F5 API schemas. Money travels as decimal yuan; codes are the glossary's English values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from jixiao.core.apikit import Money, bounded_decimal, optional_related
from jixiao.core.choices import ReviewAction
from jixiao.library.choices import Operator, ValueBasis
from jixiao.targets.choices import FindingCode, Severity, SheetStatus, TargetKind

Weight = bounded_decimal(6, 2)

class SheetOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    agency: int = Field(alias="agency_id")
    agency_code: str = Field(alias="agency.code")
    agency_name: str = Field(alias="agency.name")
    project: int | None = Field(alias="project_id")
    project_code: str
    kind: TargetKind
    year: int
    number: int = Field(description="版本号：1 为申报版，2 起为年中调整")
    version_label: str
    previous: int | None = Field(alias="previous_id", description="上一版本 id")
    status: SheetStatus
    status_display: str = Field(alias="get_status_display")
    taxonomy: str = Field(description="指标体系版本")
    title: str
    annual_goal: str
    medium_goal: str
    amount: Decimal = Field(description="年度资金总额（元）")
    fiscal_amount: Decimal = Field(description="年度资金：财政拨款（元）")
    other_amount: Decimal = Field(description="年度资金：其他资金（元）")
    medium_amount: Decimal = Field(description="中期资金总额（元）")
    medium_fiscal: Decimal
    medium_other: Decimal
    adjustment_reason: str
    include_expert_panel: bool
    error_count: int = Field(description="质量检查错误数（须修改后才能提交）")
    warning_count: int = Field(description="质量检查提示数")
    return_count: int
    submitted_at: datetime | None
    approved_at: datetime | None
    published: bool
    published_at: datetime | None
    redacted: bool
    version: int

    resolve_project_code = optional_related("project.code")


class IndicatorIn(Schema):
    level1: str = Field(description="一级指标代码（output/cost/benefit/satisfaction）")
    level2: str = Field(description="二级指标代码（quantity/quality/timeliness …）")
    name: str = Field(description="三级指标名称")
    operator: Operator
    value: str = Field("", description="指标值（数值运算符时为数字；定性时为文字）")
    unit: str = ""
    weight: Weight | None = Field(None, description="分值")
    scoring_standard: str = ""
    explanation: str = ""
    value_basis: ValueBasis = ValueBasis.PLAN
    template: int | None = Field(None, description="引用的指标库模板 id")


class IndicatorOut(Schema):
    position: int
    level1: str
    level2: str
    name: str
    operator: Operator
    value: str
    number: Decimal | None = Field(description="数值运算符时指标值的数值")
    unit: str
    weight: Decimal | None
    scoring_standard: str
    explanation: str
    value_basis: ValueBasis
    template: int | None = Field(alias="template_id")


class TaskIn(Schema):
    name: str
    content: str = ""
    amount: Money = Field(Decimal(0), description="预算金额：总额（元）")
    fiscal_amount: Money = Field(Decimal(0), description="预算金额：财政拨款（元）")
    other_amount: Money = Field(Decimal(0), description="预算金额：其他资金（元）")


class TaskOut(TaskIn):
    position: int


class FindingOut(Schema):
    code: FindingCode
    severity: Severity
    row: int | None = Field(description="指标序号；为空时针对整张表")
    message: str


class StepOut(Schema):
    name: str
    role: str
    optional: bool
    state: str = Field(description="done 已通过 / current 当前步骤 / todo 未到")


class ReviewEventOut(Schema):
    action: ReviewAction
    from_step: str
    to_step: str
    actor_name: str = Field(description="系统：无审核人时跳过等自动步骤")
    actor_role: str
    on_behalf_of: str = Field(description="代录：录入的是哪位成员（如没有账号的会审专家）的意见；否则为空")
    opinion: str
    created_at: datetime


class SheetDetailOut(SheetOut):
    indicators: list[IndicatorOut]
    tasks: list[TaskOut]
    findings: list[FindingOut]
    steps: list[StepOut] = Field(description="审核步骤")
    history: list[ReviewEventOut] = Field(description="审核记录")


class SheetIn(Schema):
    """A declared sheet for a project (``project``) or an agency's whole budget (``agency``)."""

    year: int
    project: int | None = Field(None, description="项目 id（项目或政策的目标表）")
    agency: int | None = Field(None, description="单位 id（部门整体目标表）")
    annual_goal: str = ""
    medium_goal: str = ""
    include_expert_panel: bool = False
    amount: Money | None = Field(None, description="年度资金总额（元）；缺省取项目预算（或申报）金额")
    fiscal_amount: Money | None = None
    other_amount: Money | None = None
    medium_amount: Money | None = None
    medium_fiscal: Money | None = None
    medium_other: Money | None = None


class SheetPatch(Schema):
    """Only the fields sent are changed."""

    annual_goal: str | None = None
    medium_goal: str | None = None
    amount: Money | None = None
    fiscal_amount: Money | None = None
    other_amount: Money | None = None
    medium_amount: Money | None = None
    medium_fiscal: Money | None = None
    medium_other: Money | None = None
    adjustment_reason: str | None = None


class IndicatorsIn(Schema):
    indicators: list[IndicatorIn] = Field(description="全部指标（替换原有指标）")


class TasksIn(Schema):
    tasks: list[TaskIn] = Field(description="全部年度主要任务（替换原有任务）")


class OpinionIn(Schema):
    opinion: str = Field("", max_length=2000)


class ReturnIn(Schema):
    opinion: str = Field(min_length=1, max_length=2000, description="退回意见（必填）")


class AdjustIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="调整原因")


class PublishIn(Schema):
    published: bool
    redacted: bool = False
