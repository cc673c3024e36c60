"""API of budget execution data (issue #13 F13): the monthly execution rows, the figures derived per
project (executed to date, execution rate, time progress — computed when asked, never stored), and
the upload of a treasury export or spending-plan file, imported by the worker (the answer is the job:
poll ``GET /api/v1/jobs/{id}``). Scoped like the pages: rows and projects through ``for_user``; the
import runs with the caller's own scope."""


from django.db.models import Count, F, Max, Q, Sum
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from jixiao.apiauth import allowed
from jixiao.core import audit
from jixiao.core.api import JobOut
from jixiao.core.apikit import CREATE_ERRORS, READ_ERRORS, Pages
from jixiao.core.errors import ValidationFailed
from jixiao.core.years import year_param
from jixiao.monitoring import rules, schemas, services
from jixiao.monitoring.filters import ExecutionFilter, ProjectExecutionFilter
from jixiao.monitoring.models import MonthlyExecution, SpendingPlan
from jixiao.projects.models import Project

router = Router(tags=["预算执行数据"])
ExecutionQuery = ExecutionFilter.schema()
ProjectQuery = ProjectExecutionFilter.schema()


@router.get("/execution", auth=allowed(MonthlyExecution, "view"), summary="月度预算执行数（逐月、逐资金来源）",
            response={200: list[schemas.ExecutionOut], **READ_ERRORS})
@paginate(Pages)
def execution_list(request, filters: Query[ExecutionQuery]):
    qs = (MonthlyExecution.objects.for_user(request.user, "view").select_related("agency", "project")
          .joined_in_scope(request.user, "agency", "project")
          .order_by("year", "agency_id", F("project_id").asc(nulls_first=True), "month", "fund_source", "pk"))
    return ExecutionFilter.apply(qs, filters.model_dump())


@router.get("/execution/projects", auth=allowed(MonthlyExecution, "view"),
            summary="项目执行情况（截至某月的执行数、执行率、时间进度）",
            response={200: list[schemas.ProjectExecutionOut], **READ_ERRORS})
@paginate(Pages)
def project_execution(request, filters: Query[ProjectQuery], year: int | None = None, month: int | None = None):
    """The projects of ``year`` (default this year) the caller sees, each with its execution to the end
    of ``month`` (default: its last month with data), its rate against the adjusted budget and the
    time progress — from the monthly rows, one aggregate per page of projects."""
    year = year_param(request, value=year)
    if month is not None and not 1 <= month <= 12:
        raise ValidationFailed({"month": ["月份应为 1 至 12 的整数"]})
    projects = Project.objects.for_user(request.user, "view").filter(year=year).select_related("agency")
    return _Figures(ProjectExecutionFilter.apply(projects, filters.model_dump()).order_by("agency__code", "code"),
                    user=request.user, year=year, month=month)


class _Figures:
    """The projects' queryset, paged as it is, whose page is turned into figures (the pagination slices
    it; only the page's projects are aggregated)."""

    def __init__(self, qs, *, user, year, month):
        self.qs, self.user, self.year, self.month = qs, user, year, month

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, part):
        page = list(self.qs[part])
        return figures(page, user=self.user, year=self.year, month=self.month)


def figures(projects, *, user, year: int, month: int | None) -> list[dict]:
    """Execution figures of ``projects``: one aggregate of their monthly rows of ``year`` (the sum up to
    ``month``, or of all months and the last one with data), the adjusted budgets in one more. A project
    without rows has no figures (empty, never 0); one with rows only after ``month`` executed 0 by then."""
    ids = [p.pk for p in projects]
    rows = MonthlyExecution.objects.for_user(user, "view").filter(project_id__in=ids, year=year).order_by()
    sums = {r["project_id"]: r for r in rows.values("project_id").annotate(
        executed=Sum("amount", filter=Q(month__lte=month) if month else Q()), months=Count("month", distinct=True),
        last=Max("month"))}
    budgets = services.budgets(ids)
    out = []
    for p in projects:
        got = sums.get(p.pk)
        at = (month or got["last"]) if got else None
        executed = rules.execution_to_date({1: got["executed"] or 0}, 1) if got else None
        start, adjusted = budgets.get(p.pk, (p.budget_amount, p.budget_amount))
        out.append({
            "project": p.pk, "code": p.code, "name": p.name, "agency": p.agency_id, "agency_code": p.agency.code,
            "year": year, "month": at, "executed": executed, "budget": start, "adjusted_budget": adjusted,
            "rate": rules.execution_rate(executed, adjusted) if executed is not None else None,
            "time_progress": rules.time_progress(at) if at else None,
            "months_with_data": got["months"] if got else 0,
        })
    return out


def _upload(request, *, kind: str, what: str, file, year):
    from jixiao.core.jobs import create_job

    year = year_param(request, value=year)
    data = file.read()
    name = file.name or "文件"
    job = create_job(actor=request.user, kind=kind, title=f"导入 {year} 年{what}：{name}",
                     params={"year": year, "name": name, "ip": audit.client_ip(request)}, upload=(name, data))
    return Status(202, job)


@router.post("/execution/import", auth=allowed(MonthlyExecution, "import"), response={202: JobOut, **CREATE_ERRORS},
             summary="上传国库集中支付导出文件（.xlsx 或 .csv），后台导入")
def execution_import(request, year: Form[int], file: File[UploadedFile]):
    """The file is imported by the worker with the caller's scope, all or nothing: the answer is the
    job (202); ``GET /api/v1/jobs/{id}`` gives its result — the rows imported, or every bad cell."""
    return _upload(request, kind="monitoring.import_execution", what="预算执行数据", file=file,
                   year=year)


@router.post("/plans/import", auth=allowed(SpendingPlan, "import"), response={202: JobOut, **CREATE_ERRORS},
             summary="上传用款计划文件（.xlsx 或 .csv），后台导入")
def plan_import(request, year: Form[int], file: File[UploadedFile]):
    """As the execution import: the answer is the job (202)."""
    return _upload(request, kind="monitoring.import_plans", what="用款计划", file=file, year=year)
