"""F2 API schemas. Sectors travel by code (national reference data); ``national`` says whether a
template is a read-only national one."""

from __future__ import annotations

from ninja import Field, Schema
from pydantic import field_validator

from jixiao.library.choices import Level1, Level2, Operator, ServesLevel, TemplateKind, ValueBasis


class TemplateOut(Schema):
    id: int
    region: int | None = Field(None, alias="region_id", description="所属区划 id；全国模板为空")
    national: bool
    name: str
    level1: Level1
    level2: Level2
    operator: Operator
    operator_display: str = Field(alias="get_operator_display")
    typical_value: str
    unit: str
    value_basis: ValueBasis
    scoring_standard: str
    explanation: str
    keywords: str
    sector: str | None = Field(None, alias="sector.code", description="行业领域代码；通用指标为空")
    kind: TemplateKind
    serves: ServesLevel
    usage_count: int
    active: bool
    source_note: str
    copied_from: int | None = Field(None, alias="copied_from_id")
    version: int

    @staticmethod
    def resolve_national(obj):
        return obj.region_id is None


class SuggestionOut(TemplateOut):
    score: int = Field(alias="suggestion_score", description="相关度：名称命中二元组数×2 + 关键词命中数 + 行业加分")


def _not_null(value):
    if value is None:
        raise ValueError("不能为空")
    return value


class TemplateIn(Schema):
    name: str = Field(max_length=128)
    level1: Level1
    level2: Level2
    operator: Operator
    typical_value: str = Field("", max_length=128)
    unit: str = Field("", max_length=32)
    value_basis: ValueBasis = ValueBasis.PLAN
    scoring_standard: str = ""
    explanation: str = ""
    keywords: str = Field("", max_length=255)
    sector: str | None = Field(None, max_length=32, description="行业领域代码；通用指标不填")
    kind: TemplateKind = TemplateKind.SPECIFIC
    serves: ServesLevel = ServesLevel.PROJECT
    active: bool = True


class TemplatePatch(Schema):
    """Only the fields sent are changed."""

    name: str | None = Field(None, max_length=128)
    level1: Level1 | None = None
    level2: Level2 | None = None
    operator: Operator | None = None
    typical_value: str | None = Field(None, max_length=128)
    unit: str | None = Field(None, max_length=32)
    value_basis: ValueBasis | None = None
    scoring_standard: str | None = None
    explanation: str | None = None
    keywords: str | None = Field(None, max_length=255)
    sector: str | None = Field(None, max_length=32, description="行业领域代码；null = 通用")
    kind: TemplateKind | None = None
    serves: ServesLevel | None = None
    active: bool | None = None

    _required = field_validator("name", "level1", "level2", "operator", "value_basis", "kind", "serves",
                                "active")(_not_null)


class TaxonomyNodeOut(Schema):
    code: str
    label: str
    children: list[TaxonomyNodeOut] = []


class TaxonomyOut(Schema):
    version: str
    label: str
    tree: list[TaxonomyNodeOut]
