from jixiao.core.filters import Filter, FilterSet
from jixiao.core.roles import Role
from jixiao.org.choices import AgencyKind, SectionKind


class AgencyFilter(FilterSet):
    filters = (
        Filter("q", "名称或代码", lookups=("name__icontains", "code__icontains")),
        Filter("kind", "类型", "choice", choices=tuple(AgencyKind.choices)),
        Filter("sector", "行业领域", "choice", lookups=("sector__code",)),
        Filter("parent", "上级部门代码", lookups=("parent__code",)),
        Filter("active", "在用", "bool"),
    )


class SectionFilter(FilterSet):
    filters = (
        Filter("q", "名称或代码", lookups=("name__icontains", "code__icontains")),
        Filter("kind", "类型", "choice", choices=tuple(SectionKind.choices)),
    )


class UserFilter(FilterSet):
    filters = (
        Filter("q", "账号或姓名", lookups=("username__icontains", "display_name__icontains")),
        Filter("role", "角色", "choice", choices=tuple(Role.choices)),
        Filter("agency", "单位代码", lookups=("agency__code",)),
        Filter("is_active", "启用", "bool"),
    )


def sector_choices() -> list[tuple[str, str]]:
    """The sector filter's options (national reference data, the same for every user)."""
    from jixiao.org.models import Sector

    return [(s.code, s.name) for s in Sector.objects.all()]


def sector_ref(code: str | None, *, required: bool = False):
    """The sector an API body names by code, or a 400 field error; empty gives None unless required.
    (Sectors are national reference data: no scope applies.)"""
    from jixiao.core.errors import ValidationFailed
    from jixiao.org.models import Sector

    if not code:
        if required:
            raise ValidationFailed({"sector": ["请填写行业领域代码"]})
        return None
    sector = Sector.objects.filter(code=code).first()
    if sector is None:
        raise ValidationFailed({"sector": [f"行业领域代码 {code} 不存在"]})
    return sector
