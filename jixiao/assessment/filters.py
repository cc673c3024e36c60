from jixiao.assessment.choices import AssessmentStatus, Conclusion
from jixiao.core.filters import Filter, FilterSet
from jixiao.projects.choices import ProjectKind


class AssessmentFilter(FilterSet):
    filters = (
        Filter("q", "项目名称或编码", lookups=("project__name__icontains", "project__code__icontains")),
        Filter("year", "年度", "int"),
        Filter("status", "状态", "choice", choices=tuple(AssessmentStatus.choices)),
        Filter("conclusion", "评估结论", "choice", choices=tuple(Conclusion.choices)),
        Filter("object_kind", "对象", "choice", choices=tuple(ProjectKind.choices)),
        Filter("agency", "单位代码", lookups=("project__agency__code",)),
        Filter("sector", "行业领域", "choice", lookups=("project__sector__code",)),
    )
