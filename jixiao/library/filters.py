from jixiao.core.filters import Filter, FilterSet
from jixiao.library.choices import Level1, Level2, Operator, ServesLevel, TemplateKind


class TemplateFilter(FilterSet):
    filters = (
        Filter("q", "名称或关键词", lookups=("name__icontains", "keywords__icontains", "explanation__icontains")),
        Filter("sector", "行业领域", "choice", lookups=("sector__code",)),
        Filter("level1", "一级指标", "choice", choices=tuple(Level1.choices)),
        Filter("level2", "二级指标", "choice", choices=tuple(Level2.choices)),
        Filter("serves", "适用层级", "choice", choices=tuple(ServesLevel.choices)),
        Filter("kind", "类别", "choice", choices=tuple(TemplateKind.choices)),
        Filter("operator", "运算符", "choice", choices=tuple(Operator.choices)),
        Filter("national", "全国模板", "bool", lookups=("region__isnull",)),
        Filter("active", "在用", "bool"),
    )
