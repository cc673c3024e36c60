"""Pages of target statistics: coverage (domain-rules §13) and review statistics, each with a year
selector and an Excel download (``?format=xlsx``, recorded as an export). The figures come from
``statistics`` over the user's scoped querysets: the region for finance users and the viewer, the
subtree for a department reviewer, the own agency for agency users."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jixiao.core.roles import sees_subtree
from jixiao.core.viewkit import file_response, record_export, require
from jixiao.core.years import year_param
from jixiao.projects.models import Project
from jixiao.targets import statistics as stats
from jixiao.targets.models import TargetSheet


def gate(user) -> None:
    """The statistics count projects and sheets: a role must read both (experts, firms and the
    administrators get 403)."""
    require(user, Project, "view")
    require(user, TargetSheet, "view")


def year_of(request) -> int:
    return year_param(request, default=lambda: stats.default_year(request.user))


def _scope_label(user) -> str:
    if user.agency_id:
        return user.agency.name + ("（含所属单位）" if sees_subtree(user) else "")
    return user.region.name if user.region_id else ""


@login_required
def coverage(request):
    gate(request.user)
    year = year_of(request)
    report = stats.coverage_for(request.user, year)
    scope = _scope_label(request.user)
    if request.GET.get("format") == "xlsx":
        data = stats.coverage_workbook(report, region_name=scope)
        record_export(request, f"绩效目标覆盖情况 {year}", len(report.by_kind) + len(report.by_budget_book)
                      + len(report.by_fund_source) + 1)
        return file_response(data, f"{scope}{year}年度绩效目标覆盖情况.xlsx")
    return render(request, "targets/coverage.html", {
        "year": year, "report": report, "scope": scope, "years": range(year - 2, year + 2),
    })


@login_required
def statistics(request):
    gate(request.user)
    year = year_of(request)
    report = stats.review_for(request.user, year)
    scope = _scope_label(request.user)
    if request.GET.get("format") == "xlsx":
        data = stats.review_workbook(report, region_name=scope)
        record_export(request, f"绩效目标审核统计 {year}", report.sheets)
        return file_response(data, f"{scope}{year}年度绩效目标审核统计.xlsx")
    return render(request, "targets/statistics.html", {
        "year": year, "report": report, "scope": scope, "years": range(year - 2, year + 2),
    })
