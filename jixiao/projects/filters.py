from django.db.models import Q

from jixiao.core.filters import Filter, FilterSet
from jixiao.projects.choices import BudgetBook, ProjectKind, ProjectStage, ProjectTag


class ProjectFilter(FilterSet):
    """``tag`` matches the quoted code inside the JSON list (see ``Project``); ``year`` is the budget
    year; ``span_year`` keeps projects whose span (start–end year) covers that year."""

    filters = (
        Filter("q", "名称或编码", lookups=("name__icontains", "code__icontains")),
        Filter("agency", "单位代码", lookups=("agency__code",)),
        Filter("sector", "行业领域", "choice", lookups=("sector__code",)),
        Filter("stage", "阶段", "choice", choices=tuple(ProjectStage.choices)),
        Filter("kind", "类型", "choice", choices=tuple(ProjectKind.choices)),
        Filter("budget_book", "预算类型", "choice", choices=tuple(BudgetBook.choices)),
        Filter("tag", "标签", "choice", choices=tuple(ProjectTag.choices), lookups=("tags__icontains",)),
        Filter("major", "重大项目", "bool", lookups=("is_major",)),
        Filter("new", "新增项目", "bool", lookups=("is_new",)),
        Filter("year", "预算年度", "int"),
        Filter("span_year", "周期含年度", "int"),
    )

    @classmethod
    def apply(cls, qs, cleaned):
        cleaned = dict(cleaned)
        tag = cleaned.pop("tag", None)
        span = cleaned.pop("span_year", None)
        qs = super().apply(qs, cleaned)
        if tag:
            qs = qs.filter(tags__icontains=f'"{tag}"')
        if span not in (None, ""):
            qs = qs.filter(Q(start_year__lte=span) & Q(end_year__gte=span))
        return qs
