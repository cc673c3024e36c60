"""API of target statistics: coverage (domain-rules §13) and review statistics, the same figures as
the pages (``statistics``), over the caller's scope. Amounts are yuan, rates percentages with two
places. Schemas live here: they describe only these two answers."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Router, Schema

from jixiao.apiauth import allowed
from jixiao.core.apikit import READ_ERRORS
from jixiao.core.years import year_param
from jixiao.projects.models import Project
from jixiao.targets import statistics as stats
from jixiao.targets.views_statistics import gate

router = Router(tags=["绩效目标统计"])


class CoverageRowOut(Schema):
    key: str = Field(description="分组代码（对象类型、预算类型或资金来源代码；合计为 all）")
    label: str
    total_count: int = Field(description="项目（政策）个数")
    covered_count: int = Field(description="绩效目标已批复的个数")
    total_amount: Decimal = Field(description="项目金额合计（元）：预算金额，未定预算时取申报金额")
    covered_amount: Decimal = Field(description="纳入绩效目标管理的金额（元）")
    count_rate: Decimal = Field(description="个数覆盖率（%）")
    amount_rate: Decimal = Field(description="金额覆盖率（%）")


class AgencyCoverageOut(Schema):
    total_count: int = Field(description="在用的预算部门、预算单位和乡镇（街道）数")
    covered_count: int = Field(description="部门整体绩效目标已批复的单位数")
    covered_amount: Decimal = Field(description="已批复部门整体绩效目标表的年度资金合计（元）")
    count_rate: Decimal = Field(description="单位覆盖率（%）")
    with_project_targets: int = Field(description="有已批复项目绩效目标的单位数")


class CoverageOut(Schema):
    year: int
    projects: CoverageRowOut
    by_kind: list[CoverageRowOut]
    by_budget_book: list[CoverageRowOut]
    by_fund_source: list[CoverageRowOut] = Field(
        description="有多个资金来源的项目在每个来源下各计一次，各行之和可能大于合计")
    agencies: AgencyCoverageOut
    definitions: list[str] = Field(description="统计口径")


class StatusCountOut(Schema):
    status: str
    label: str
    count: int


class KindReviewOut(Schema):
    kind: str
    label: str
    count: int
    submitted: int
    returned: int
    returned_rate: Decimal


class StepReturnsOut(Schema):
    step: str = Field(description="退回时所在的审核步骤")
    returns: int
    sheets: int = Field(description="涉及的目标表数")
    share: Decimal = Field(description="占全部退回次数（%）")


class FindingCountOut(Schema):
    code: str
    label: str
    sheets: int = Field(description="有该问题的目标表数")
    findings: int = Field(description="出现次数")
    share: Decimal = Field(description="占目标表数（%）")


class ReviewStatisticsOut(Schema):
    year: int
    sheets: int = Field(description="目标表数（每个版本各算一份）")
    submitted: int = Field(description="已提交审核的目标表数")
    returned: int = Field(description="审核中被退回过的目标表数")
    returned_rate: Decimal = Field(description="退回率（%）= 被退回过 ÷ 已提交")
    returns: int = Field(description="退回次数合计")
    by_status: list[StatusCountOut]
    by_kind: list[KindReviewOut]
    by_step: list[StepReturnsOut]
    findings: list[FindingCountOut] = Field(description="最常见的自动检查问题（前 10 项）")


def _year(request, year: int | None) -> int:
    return year_param(request, value=year, default=lambda: stats.default_year(request.user))


@router.get("/coverage", auth=allowed(Project, "view"), summary="绩效目标覆盖情况（按对象类型、预算类型、资金来源）",
            response={200: CoverageOut, **READ_ERRORS})
def coverage(request, year: int | None = None):
    gate(request.user)
    return stats.coverage_for(request.user, _year(request, year)).as_dict()


@router.get("/review", auth=allowed(Project, "view"), summary="绩效目标审核统计（退回率、各步骤退回、常见问题）",
            response={200: ReviewStatisticsOut, **READ_ERRORS})
def review(request, year: int | None = None):
    gate(request.user)
    return stats.review_for(request.user, _year(request, year)).as_dict()
