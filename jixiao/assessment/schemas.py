"""F4 API schemas. Money travels as decimal yuan; scores as decimals with two places."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from jixiao.assessment.choices import AssessmentStatus
from jixiao.core.apikit import Money, bounded_decimal
from jixiao.pools.schemas import NoSeed
from jixiao.projects.choices import ProjectKind

Score = bounded_decimal(7, 2)

class DimensionOut(Schema):
    code: str
    name: str
    points: Decimal
    sub_items: str = ""
    combined: Decimal | None = Field(None, description="专家综合得分（平均分）")


class AssessmentOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    project: int = Field(alias="project_id")
    project_code: str = Field(alias="project.code")
    project_name: str = Field(alias="project.name")
    agency_code: str = Field(alias="project.agency.code")
    agency_name: str = Field(alias="project.agency.name")
    sector: str = Field(alias="project.sector.code")
    year: int
    object_kind: ProjectKind
    status: AssessmentStatus
    status_display: str = Field(alias="get_status_display")
    requested_amount: Decimal = Field(description="申报金额（元）")
    total_score: Decimal | None
    conclusion: str = Field(description="评估结论代码（support/partial/defer/reject …）")
    conclusion_label: str
    supported_amount: Decimal | None = Field(description="支持金额（元）")
    budget_effect: Decimal | None = Field(description="预算影响：申报金额 − 支持金额（元）")
    draw: int | None = Field(alias="draw_id")
    concluded_at: datetime | None
    version: int


class ScoreOut(Schema):
    dimension: str
    score: Decimal
    opinion: str


class ExpertReviewOut(Schema):
    expert: str
    drawn: int
    submitted_at: datetime | None
    total: Decimal | None
    opinion: str
    proxy: bool = Field(False, description="代录：绩效股根据专家签字评分表录入")
    entered_by: str = Field("", description="代录人（代录时）")
    score_sheet: int | None = Field(None, description="签字评分表附件 id（代录时）")
    scores: list[ScoreOut] = []


class AssessmentDetailOut(AssessmentOut):
    dimensions: list[DimensionOut]
    opinion: str
    reviews: list[ExpertReviewOut] = Field([], alias="reviews_out", description="专家评分（仅财政和专家本人可见）")

    @staticmethod
    def resolve_dimensions(obj):
        return [{**d, "combined": obj.combined_scores.get(d["code"])} for d in obj.dimensions]


class CreateIn(Schema):
    project: int = Field(description="项目 id（储备阶段、需事前评估）")
    note: str = ""


class PanelDrawIn(NoSeed):
    count: int = Field(description="抽取人数（3—9）")


class ScoreIn(Schema):
    score: Score
    opinion: str = ""


class ScoresIn(Schema):
    scores: dict[str, ScoreIn] = Field(description="维度代码 → 得分与意见")
    opinion: str = Field(description="总体评审意见")


class ConcludeIn(Schema):
    conclusion: str = Field(description="结论代码（本地区配置的事前评估结论）")
    opinion: str
    supported_amount: Money | None = Field(None, description="支持金额（元），部分支持时必填")
    admit_project: bool = True


class StatisticsRowOut(Schema):
    conclusion: str
    label: str
    count: int
    requested: Decimal = Field(description="申报金额合计（元）")
    supported: Decimal = Field(description="支持金额合计（元）")
    cut: Decimal = Field(description="核减金额（预算影响）合计（元）")


class StatisticsOut(Schema):
    year: int
    rows: list[StatisticsRowOut]
    totals: StatisticsRowOut
