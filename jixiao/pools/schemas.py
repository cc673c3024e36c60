"""F9 API schemas. Sectors travel by code; agencies, firms and draws by id (resolved in the caller's
scope). Experts' phone and e-mail are null for everyone but the performance section."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator
from pydantic.json_schema import SkipJsonSchema

from jixiao.pools.choices import DrawnStatus, ExpertStatus, FirmKind, FirmStatus
from jixiao.pools.models import sees_contact
from jixiao.pools.rules import SEED_REFUSAL


def _not_null(value):
    if value is None:
        raise ValueError("不能为空")
    return value


def _request_user(context):
    request = (context or {}).get("request")
    return getattr(request, "user", None)


class ExpertOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    name: str
    organisation: str
    title: str
    fields: list[str] = Field(description="专业领域代码")
    qualification: str
    status: ExpertStatus
    status_display: str = Field(alias="get_status_display")
    agency: int | None = Field(None, alias="agency_id", description="所在预算单位 id（回避用）")
    firm: int | None = Field(None, alias="firm_id", description="所属第三方机构 id（回避用）")
    phone: str | None = Field(None, description="仅绩效股可见")
    email: str | None = Field(None, description="仅绩效股可见")
    version: int

    @staticmethod
    def resolve_fields(obj):
        return [s.code for s in obj.fields.all()]

    @staticmethod
    def resolve_phone(obj, context):
        return obj.phone if sees_contact(_request_user(context)) else None

    @staticmethod
    def resolve_email(obj, context):
        return obj.email if sees_contact(_request_user(context)) else None


class ExpertIn(Schema):
    name: str = Field(max_length=64)
    organisation: str = Field(max_length=128)
    title: str = Field("", max_length=64)
    fields: list[str] = Field(description="专业领域代码")
    qualification: str = Field("", max_length=255)
    status: ExpertStatus = ExpertStatus.ACTIVE
    agency: int | None = None
    firm: int | None = None
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)


class ExpertPatch(Schema):
    name: str | None = Field(None, max_length=64)
    organisation: str | None = Field(None, max_length=128)
    title: str | None = Field(None, max_length=64)
    fields: list[str] | None = None
    qualification: str | None = Field(None, max_length=255)
    status: ExpertStatus | None = None
    agency: int | None = None
    firm: int | None = None
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)

    _required = field_validator("name", "organisation", "title", "fields", "qualification", "status", "phone",
                                "email")(_not_null)


class FirmRecordOut(Schema):
    year: int
    object: str
    quality_score: Decimal | None
    note: str


class FirmOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    name: str
    kind: FirmKind
    kind_display: str = Field(alias="get_kind_display")
    credit_code: str
    qualifications: str
    status: FirmStatus
    status_display: str = Field(alias="get_status_display")
    records: list[FirmRecordOut]
    version: int


class FirmIn(Schema):
    name: str = Field(max_length=128)
    kind: FirmKind
    credit_code: str = Field(max_length=18, description="统一社会信用代码（GB 32100，含校验位）")
    qualifications: str = ""
    status: FirmStatus = FirmStatus.ACTIVE


class FirmPatch(Schema):
    name: str | None = Field(None, max_length=128)
    kind: FirmKind | None = None
    credit_code: str | None = Field(None, max_length=18)
    qualifications: str | None = None
    status: FirmStatus | None = None

    _required = field_validator("name", "kind", "credit_code", "qualifications", "status")(_not_null)


class DrawnOut(Schema):
    id: int
    draw: int = Field(alias="draw_id")
    expert: int = Field(alias="expert_id")
    expert_name: str = Field(alias="expert.name")
    order: int
    status: DrawnStatus
    status_display: str = Field(alias="get_status_display")
    replaced_by: int | None = Field(alias="replaced_by_id")
    seed: int | None = Field(None, description="替补抽取的种子（原始抽取为空）")
    reason: str


class DrawOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    purpose: str
    count: int
    fields: list[str]
    exclude_agencies: list[int]
    exclude_firms: list[int]
    exclude_drawn_in: int | None = Field(alias="exclude_drawn_in_id")
    excluded: list[int] = Field(description="因回避被排除的专家 id")
    seed: int
    pool: list[int] = Field(description="抽取时的候选专家 id（升序）；以 seed 复核")
    created_at: datetime
    drawn: list[DrawnOut]

    @staticmethod
    def resolve_fields(obj):
        return [s.code for s in obj.fields.all()]

    @staticmethod
    def resolve_exclude_agencies(obj):
        return [a.pk for a in obj.exclude_agencies.all()]

    @staticmethod
    def resolve_exclude_firms(obj):
        return [f.pk for f in obj.exclude_firms.all()]

    @staticmethod
    def resolve_excluded(obj):
        return [e.pk for e in obj.excluded.all()]


class CheckOut(Schema):
    label: str = Field(description="原始抽取 / 第 n 次替补")
    seed: int
    pool_size: int = Field(description="记录的候选专家人数")
    expected: list[int] | None = Field(description="以记录的种子和候选名单重新抽取的专家 id（未记录候选名单时为空）")
    recorded: list[int] = Field(description="记录的抽中专家 id（按顺序）")
    ok: bool | None = Field(description="是否一致（无法复核时为空）")


class VerifyOut(Schema):
    draw: int
    seed: int = Field(description="系统生成并记录的随机种子")
    reproduced: bool = Field(description="记录的结果均被重现（无法复核的步骤不计）")
    checks: list[CheckOut]


class NoSeed(Schema):
    """A draw request: the seed is the system's (``services.draw_experts``). A body that still sends
    ``seed`` is refused with 400 ``{"seed": ["随机种子由系统随机生成并记录，不能指定…"]}`` rather than
    silently ignored, so a client that meant to choose the seed learns it cannot."""

    seed: SkipJsonSchema[Any] = Field(None, exclude=True)

    @field_validator("seed", mode="before")
    @classmethod
    def _no_seed(cls, value):
        if value is not None:
            raise ValueError(SEED_REFUSAL)
        return value


class DrawIn(NoSeed):
    purpose: str = Field(max_length=255)
    count: int = Field(ge=1, le=99)
    fields: list[str] = Field(description="专业领域代码")
    exclude_agencies: list[int] = Field(default_factory=list, description="回避单位 id")
    exclude_firms: list[int] = Field(default_factory=list, description="回避机构 id")
    exclude_drawn_in: int | None = Field(None, description="排除该次抽取已抽中的专家")


class ReasonIn(Schema):
    reason: str = Field(max_length=255)


class AssignedTaskOut(DrawnOut):
    purpose: str = Field(alias="draw.purpose")
    fields: list[str]
    invited_at: datetime = Field(alias="draw.created_at")

    @staticmethod
    def resolve_fields(obj):
        return [s.code for s in obj.draw.fields.all()]
