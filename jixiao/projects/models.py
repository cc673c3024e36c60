"""F3 Project library (项目库): the register of projects and policies from proposal to completion,
and the timeline of each one's life (ProjectEvent) that later stages extend."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from jixiao.core.models import VersionedModel
from jixiao.core.money import MoneyField
from jixiao.core.roles import AGENCY_ROLES, Role
from jixiao.core.scoping import ScopedQuerySet, scope_rule
from jixiao.projects.choices import BudgetBook, FundSource, ProjectKind, ProjectStage, ProjectTag

PROJECT_VIEWERS = [*AGENCY_ROLES, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                   Role.VIEWER]
PROJECT_EDITORS = [Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION]


class Project(VersionedModel):
    """A project or policy (``kind``) of an agency. One record per code for the project's whole
    life (中发〔2018〕34号: one code across years and stages); ``year`` is the budget year its current
    amounts are for, ``start_year``–``end_year`` its approved span.

    ``fund_sources`` and ``tags`` are short lists of fixed codes (FundSource, ProjectTag) kept as JSON
    lists and validated by the services: they are always read with the project, never joined, and a
    tag filter is a text match on the list (``'"poverty"'``), which works alike on SQLite and
    PostgreSQL. Amounts per fund source are not kept: the budget systems that own them are F13's."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="projects",
                               verbose_name="申报单位")
    code = models.CharField("项目编码", max_length=32)
    name = models.CharField("项目名称", max_length=255)
    kind = models.CharField("类型", max_length=16, choices=ProjectKind.choices, default=ProjectKind.PROJECT)
    sector = models.ForeignKey("org.Sector", on_delete=models.PROTECT, related_name="+", verbose_name="行业领域")
    budget_book = models.CharField("预算类型", max_length=24, choices=BudgetBook.choices,
                                   default=BudgetBook.GENERAL_PUBLIC)
    function_code = models.CharField("支出功能分类科目", max_length=7)
    fund_sources = models.JSONField("资金来源", default=list, blank=True)
    requested_amount = MoneyField("申报金额", default=0)
    budget_amount = MoneyField("预算金额", default=0)
    is_new = models.BooleanField("新增项目", default=True)
    is_major = models.BooleanField("重大项目", default=False)
    tags = models.JSONField("标签", default=list, blank=True)
    year = models.PositiveSmallIntegerField("预算年度")
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("结束年度")
    description = models.TextField("项目说明", blank=True)
    stage = models.CharField("阶段", max_length=16, choices=ProjectStage.choices, default=ProjectStage.RESERVE)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=PROJECT_VIEWERS, create=PROJECT_EDITORS, change=PROJECT_EDITORS)

    class Meta:
        ordering = ["region", "code"]
        verbose_name = "项目"
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="uniq_project_code_in_region")]
        indexes = [
            models.Index(fields=["region", "stage"], name="project_region_stage"),
            models.Index(fields=["region", "year"], name="project_region_year"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def fund_source_labels(self) -> list[str]:
        labels = dict(FundSource.choices)
        return [labels.get(c, c) for c in self.fund_sources]

    @property
    def tag_labels(self) -> list[str]:
        labels = dict(ProjectTag.choices)
        return [labels.get(c, c) for c in self.tags]


class ProjectEvent(models.Model):
    """One entry of a project's life (Saleor's OrderEvent): a stage move (from, to), an edit, or an
    event another app records (an assessment concluded, targets approved …) with its own ``kind``
    and ``title``. Written only by ``services.record_event``; never edited."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类别", max_length=32)
    title = models.CharField("事项", max_length=64)
    from_stage = models.CharField("原阶段", max_length=16, choices=ProjectStage.choices, blank=True)
    to_stage = models.CharField("新阶段", max_length=16, choices=ProjectStage.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=64)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="project__agency", view=PROJECT_VIEWERS)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "项目事项"

    def __str__(self):
        return f"{self.title}（{self.project_id}）"
