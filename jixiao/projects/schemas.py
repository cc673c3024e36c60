"""F3 API schemas. Money travels as decimal yuan (strings in JSON keep every cent); the agency as
its id (resolved within the caller's scope), the sector as its code."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import field_validator

from jixiao.core.apikit import Money
from jixiao.projects.choices import (
    BudgetBook,
    FundSource,
    ProjectAction,
    ProjectKind,
    ProjectStage,
    ProjectTag,
)


def _not_null(value):
    if value is None:
        raise ValueError("不能为空")
    return value



class ProjectOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    code: str
    name: str
    kind: ProjectKind
    agency: int = Field(alias="agency_id", description="申报单位 id")
    agency_code: str = Field(alias="agency.code")
    agency_name: str = Field(alias="agency.name")
    sector: str = Field(alias="sector.code", description="行业领域代码")
    budget_book: BudgetBook
    function_code: str
    fund_sources: list[FundSource]
    requested_amount: Decimal = Field(description="申报金额（元）")
    budget_amount: Decimal = Field(description="预算金额（元）")
    is_new: bool
    is_major: bool
    tags: list[ProjectTag]
    year: int
    start_year: int
    end_year: int
    description: str
    stage: ProjectStage
    stage_display: str = Field(alias="get_stage_display")
    version: int


class ProjectIn(Schema):
    code: str = Field("", max_length=32, description="项目编码；留空自动编码")
    name: str = Field(max_length=255)
    kind: ProjectKind = ProjectKind.PROJECT
    agency: int = Field(description="申报单位 id")
    sector: str = Field(max_length=32, description="行业领域代码")
    budget_book: BudgetBook = BudgetBook.GENERAL_PUBLIC
    function_code: str = Field(max_length=7, description="支出功能分类科目（类/款/项，3、5 或 7 位）")
    fund_sources: list[FundSource] = Field(min_length=1)
    requested_amount: Money = Field(description="申报金额（元）")
    budget_amount: Money = Field(Decimal(0), description="预算金额（元）")
    is_new: bool = True
    is_major: bool = False
    tags: list[ProjectTag] = Field(default_factory=list)
    year: int
    start_year: int | None = None
    end_year: int | None = None
    description: str = ""


class ProjectPatch(Schema):
    """Only the fields sent are changed."""

    code: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=255)
    kind: ProjectKind | None = None
    agency: int | None = None
    sector: str | None = Field(None, max_length=32)
    budget_book: BudgetBook | None = None
    function_code: str | None = Field(None, max_length=7)
    fund_sources: list[FundSource] | None = None
    requested_amount: Money | None = None
    budget_amount: Money | None = None
    is_new: bool | None = None
    is_major: bool | None = None
    tags: list[ProjectTag] | None = None
    year: int | None = None
    start_year: int | None = None
    end_year: int | None = None
    description: str | None = None

    _required = field_validator("code", "name", "kind", "agency", "sector", "budget_book", "function_code",
                                "fund_sources", "requested_amount", "budget_amount", "is_new", "is_major", "tags",
                                "year", "start_year", "end_year", "description")(_not_null)


class MoveIn(Schema):
    note: str = Field("", max_length=2000, description="说明；退回和终止须填写理由")
    budget_amount: Money | None = Field(None, description="纳入预算时的金额（元）；缺省为申报金额")


class ProjectEventOut(Schema):
    id: int
    kind: str
    title: str
    from_stage: str
    to_stage: str
    actor_name: str
    note: str
    created_at: datetime


__all__ = ["ProjectOut", "ProjectIn", "ProjectPatch", "MoveIn", "ProjectEventOut", "ProjectAction"]
