from jixiao.core.filters import Filter, FilterSet
from jixiao.targets.choices import SheetStatus, TargetKind


class SheetFilter(FilterSet):
    """The target-sheet list (page and API): year, status, kind, agency code, and free text over the
    sheet's name and its project's code."""

    filters = (
        Filter("q", "名称或项目编码", lookups=("title__icontains", "project__code__icontains")),
        Filter("year", "年度", "int"),
        Filter("status", "状态", "choice", choices=tuple(SheetStatus.choices)),
        Filter("kind", "对象类型", "choice", choices=tuple(TargetKind.choices)),
        Filter("agency", "单位代码", lookups=("agency__code",)),
    )
