"""F1 API schemas. Relations travel as ids (``parent``, ``agency``, ``finance_section``, ``agencies``)
resolved through the caller's scope; sectors, national reference data, travel by code. Field names
match the services' error keys, so a 400 points at the field the client sent."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from jixiao.core.apikit import optional_related
from jixiao.core.roles import Role
from jixiao.org.choices import AgencyKind, RegionLevel, SectionKind


def _not_null(value):
    # PATCH fields are optional, but an explicit null must not blank a required column.
    if value is None:
        raise ValueError("不能为空")
    return value


# --- regions ----------------------------------------------------------------------------------------

class RegionOut(Schema):
    id: int
    code: str = Field(description="GB/T 2260 六位区划代码")
    name: str
    level: RegionLevel
    parent: int | None = Field(None, alias="parent_id", description="上级区划 id")
    version: int


# --- agencies ---------------------------------------------------------------------------------------

class AgencyOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    code: str
    name: str
    kind: AgencyKind
    kind_display: str = Field(alias="get_kind_display")
    parent: int | None = Field(None, alias="parent_id", description="上级部门 id")
    sector: str | None = Field(None, alias="sector.code", description="行业领域代码")
    active: bool
    version: int


class AgencyIn(Schema):
    code: str = Field(max_length=32, description="单位代码（本区划内唯一）")
    name: str = Field(max_length=128)
    kind: AgencyKind
    parent: int | None = Field(None, description="上级部门 id；预算单位必填，预算部门和乡镇不填")
    sector: str | None = Field(None, max_length=32, description="行业领域代码")
    active: bool = True


class AgencyPatch(Schema):
    """Only the fields sent are changed."""

    code: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=128)
    kind: AgencyKind | None = None
    parent: int | None = None
    sector: str | None = Field(None, max_length=32)
    active: bool | None = None

    _required = field_validator("code", "name", "kind", "active")(_not_null)


# --- finance sections -------------------------------------------------------------------------------

class SectionOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    code: str
    name: str
    kind: SectionKind
    kind_display: str = Field(alias="get_kind_display")
    agencies: list[int] = Field(description="对口管理的单位 id")
    version: int

    @staticmethod
    def resolve_agencies(obj):
        return [a.pk for a in obj.agencies.all()]


class SectionIn(Schema):
    code: str = Field(max_length=32)
    name: str = Field(max_length=64)
    kind: SectionKind
    agencies: list[int] = Field(default_factory=list, description="对口管理的单位 id")


class SectionPatch(Schema):
    code: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=64)
    kind: SectionKind | None = None
    agencies: list[int] | None = Field(None, description="给出时整体替换对口单位")

    _required = field_validator("code", "name", "kind", "agencies")(_not_null)


# --- users ------------------------------------------------------------------------------------------

class UserOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    email: str
    role: Role | None = Field(description="业务角色；待安全保密管理员授权时为空（见 pending_role）")
    role_display: str = Field(alias="get_role_display")
    pending_role: Role | None = Field(description="待授权角色：系统管理员新建或重置密码后，由安全保密管理员授予")
    must_change_password: bool = Field(description="管理员设置了密码，账号须先修改密码才能使用")
    region: int | None = Field(alias="region_id")
    agency: int | None = Field(alias="agency_id")
    finance_section: int | None = Field(alias="finance_section_id")
    is_active: bool
    last_login: datetime | None
    version: int

    @staticmethod
    def resolve_role(obj):
        return obj.role or None

    @staticmethod
    def resolve_pending_role(obj):
        return obj.pending_role or None


class UserIn(Schema):
    username: str = Field(max_length=150)
    display_name: str = Field(max_length=64)
    role: Role = Field(description="业务角色；管理员角色只能由命令行创建")
    password: str = Field(max_length=128, description="初始密码：至少 10 位，含三类字符")
    agency: int | None = Field(None, description="所属单位 id（单位和主管部门角色必填）")
    finance_section: int | None = Field(None, description="所在股室 id（财政股室角色）")
    phone: str = Field("", max_length=32)


class UserPatch(Schema):
    """Profile and binding only; the role changes through ``POST /org/users/{id}/role``. Unknown
    fields are refused rather than ignored, so a client sending ``role`` here learns it had no effect."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    agency: int | None = None
    finance_section: int | None = None
    is_active: bool | None = None

    _required = field_validator("display_name", "phone", "email", "is_active")(_not_null)


class RoleChangeIn(Schema):
    role: Role
    agency: int | None = Field(None, description="新角色所属单位 id（单位和主管部门角色必填）")
    finance_section: int | None = Field(None, description="新角色所在股室 id（财政股室角色）")


class MeOut(UserOut):
    region_name: str
    agency_name: str
    finance_section_name: str

    resolve_region_name = optional_related("region.name")
    resolve_agency_name = optional_related("agency.name")
    resolve_finance_section_name = optional_related("finance_section.name")
