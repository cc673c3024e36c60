"""F3 Project library (项目库): the register of projects and policies from proposal to completion,
and the timeline of each one's life (ProjectEvent) that later stages extend."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from jixiao.core.models import VersionedModel
from jixiao.core.money import MoneyField
from jixiao.core.roles import AGENCY_ROLES, Role
from jixiao.core.scoping import Action, ScopedQuerySet, action, can, scope_rule
from jixiao.projects import rules
from jixiao.projects.choices import (
    ASSESS,
    MOVE_LABELS,
    BudgetBook,
    FundSource,
    ProjectAction,
    ProjectKind,
    ProjectStage,
    ProjectTag,
)

PROJECT_VIEWERS = [*AGENCY_ROLES, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                   Role.VIEWER]
PROJECT_EDITORS = [Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION]
#: The performance section decides (入库, 纳入预算, 完结, 终止, 退回) and corrects a project after 储备;
#: the agency applies (申报入库) and reports that work started.
PROJECT_DECIDERS = [Role.PERFORMANCE_SECTION]
OPEN_STAGES = [s for s in ProjectStage.values if s not in rules.FINAL_STAGES]


def _agency_may_edit(user, project) -> bool:
    """The agency edits only in 储备 (what it has not yet applied with); after that, only whoever may
    ``correct`` a project (the performance section)."""
    return project.stage == ProjectStage.RESERVE or can(user, Project, "correct")


def _stage_move(name: str, roles) -> Action:
    """A stage move: possible from the stages ``rules.TRANSITIONS`` names, refused in the others."""
    label = MOVE_LABELS[name]
    return action(name, label, roles=roles, states=rules.TRANSITIONS[name][0],
                  denied=f"您的角色不能对项目进行“{label}”操作。",
                  state_message=f"项目处于“{{state}}”阶段，不能{label}", state_code="project.illegal_stage")


#: What can be done to a project beyond reading and creating it, by whom and in which stages: the
#: one declaration that the services (``check``), the project page's buttons (``actions_for``), the
#: API (``auth=``) and the access matrix read. The gates (先评估后入库, 未设置绩效目标不得安排资金) are
#: the services' to ask: they depend on other apps' records, not on who acts.
PROJECT_ACTIONS = [
    action("edit", "修改项目", roles=PROJECT_EDITORS, states=OPEN_STAGES, test=_agency_may_edit,
           denied="只有单位填报人和绩效股可以修改项目。", state_message="项目已{state}，不能再修改",
           state_code="project.final", test_code="project.locked",
           test_message="项目处于“{state}”阶段，单位不能再修改；如需修改请联系绩效股"),
    action("correct", "修正已申报的项目", roles=PROJECT_DECIDERS,
           states=[s for s in OPEN_STAGES if s != ProjectStage.RESERVE],
           denied="只有绩效股可以修正已申报的项目。", state_message="项目处于“{state}”阶段，无需修正（可直接修改）"),
    _stage_move(ProjectAction.SUBMIT, PROJECT_EDITORS),
    # made by the assessment app's create_assessment (the performance section), with the assessment
    _stage_move(ASSESS, PROJECT_DECIDERS),
    _stage_move(ProjectAction.RETURN, PROJECT_DECIDERS),
    _stage_move(ProjectAction.ADMIT, PROJECT_DECIDERS),
    _stage_move(ProjectAction.BUDGET, PROJECT_DECIDERS),
    _stage_move(ProjectAction.START, PROJECT_EDITORS),
    _stage_move(ProjectAction.COMPLETE, PROJECT_DECIDERS),
    _stage_move(ProjectAction.TERMINATE, PROJECT_DECIDERS),
    action("bulk_create", "批量建档", roles=PROJECT_DECIDERS, scope="create", denied="只有绩效股可以批量建档。"),
]


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
    scope = scope_rule(view=PROJECT_VIEWERS, create=PROJECT_EDITORS, change=PROJECT_EDITORS,
                       actions=PROJECT_ACTIONS, state_field="stage")

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
