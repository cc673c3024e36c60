from jixiao.core.filters import Filter, FilterSet
from jixiao.pools.choices import DrawnStatus, ExpertStatus, FirmKind, FirmStatus


class ExpertFilter(FilterSet):
    filters = (
        Filter("q", "姓名或单位", lookups=("name__icontains", "organisation__icontains")),
        Filter("field", "专业领域", "choice", lookups=("fields__code",)),
        Filter("title", "职称", lookups=("title__icontains",)),
        Filter("status", "状态", "choice", choices=tuple(ExpertStatus.choices)),
    )


class FirmFilter(FilterSet):
    filters = (
        Filter("q", "名称或信用代码", lookups=("name__icontains", "credit_code__icontains")),
        Filter("kind", "机构类型", "choice", choices=tuple(FirmKind.choices)),
        Filter("status", "状态", "choice", choices=tuple(FirmStatus.choices)),
    )


class DrawFilter(FilterSet):
    filters = (
        Filter("q", "抽取事由", lookups=("purpose__icontains",)),
    )


class TaskFilter(FilterSet):
    filters = (
        Filter("status", "状态", "choice", choices=tuple(DrawnStatus.choices)),
    )
