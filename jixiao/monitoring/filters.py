"""Filters of the monitoring lists (one FilterSet per list): budget execution (API) and finance decisions
(page and API)."""

from __future__ import annotations

from jixiao.core.filters import Filter, FilterSet
from jixiao.monitoring.choices import DecisionKind
from jixiao.projects.choices import FundSource


class ExecutionFilter(FilterSet):
    """The monthly execution rows: year, month, project or agency (by id), fund source, and whether
    the row is an agency's whole budget (部门整体支出)."""

    filters = (
        Filter("year", "年度", "int"),
        Filter("month", "月份", "int"),
        Filter("project", "项目（id）", "int", lookups=("project_id",)),
        Filter("agency", "单位（id）", "int", lookups=("agency_id",)),
        Filter("fund_source", "资金来源", "choice", choices=tuple(FundSource.choices)),
        Filter("whole_budget", "部门整体支出", "bool", lookups=("project__isnull",)),
    )


class ProjectExecutionFilter(FilterSet):
    """The projects whose execution figures are asked for: project or agency (by id), project code."""

    filters = (
        Filter("project", "项目（id）", "int", lookups=("pk",)),
        Filter("agency", "单位（id）", "int", lookups=("agency_id",)),
        Filter("code", "项目编码", lookups=("code",)),
    )


class DecisionFilter(FilterSet):
    """The finance-decision list (page and API): year, kind, agency code, round, and free text over the
    project's code and name."""

    filters = (
        Filter("q", "项目编码或名称", lookups=("project__code__icontains", "project__name__icontains")),
        Filter("year", "年度", "int"),
        Filter("kind", "处理方式", "choice", choices=tuple(DecisionKind.choices)),
        Filter("agency", "单位代码", lookups=("agency__code",)),
        Filter("round", "监控批次", "int", lookups=("table__round_id",)),
    )
