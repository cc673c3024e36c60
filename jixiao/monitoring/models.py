"""F6 in-year monitoring (绩效运行监控, "双监控") and F13 budget execution data (预算执行数据), issue #13.

Execution data: the monthly execution of each project (and of each agency's whole budget) by fund
source, and each project's monthly spending plan (用款计划). Only the monthly amounts are stored.
Execution to date, the execution rate, time progress and the expected execution are derived when
asked (``monitoring.rules``), never stored twice.

Monitoring: a round (监控批次: checkpoint month, deadline, scope) opens one table (绩效运行监控表) per
object in its agency's task list; the table holds what the agency states at the checkpoint — value to
date and expected year-end value of each indicator of the approved target sheet, the year-end execution
estimate, and for every deviation its cause, explanation, likelihood and measures. The lights are
computed from these and the execution data when shown (``monitoring.rules``), never stored. Finance's
decisions on a project (继续执行, 暂缓拨付 …) are records of their own."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q

from jixiao.core.models import VersionedModel
from jixiao.core.money import MoneyField
from jixiao.core.roles import AGENCY_ROLES, Role
from jixiao.core.scoping import ScopedQuerySet, action, scope_rule
from jixiao.monitoring.choices import (
    Achievement,
    CauseCategory,
    DecisionKind,
    EntryKind,
    Likelihood,
    RoundScope,
    RoundStatus,
    TableStatus,
)
from jixiao.projects.choices import FundSource

#: who reads execution data: whoever reads the projects
EXECUTION_VIEWERS = [*AGENCY_ROLES, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                     Role.VIEWER]
#: who brings it in: the performance section (a whole region's treasury export), an agency's preparer (the
#: agency's own file, or by hand where the agency has no export)
EXECUTION_EDITORS = [Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION]


def _actions(what: str):
    return [
        action("import", f"导入{what}", roles=EXECUTION_EDITORS, scope="create",
               denied=f"只有单位填报人和绩效股可以导入{what}。"),
        action("enter", f"录入{what}", roles=EXECUTION_EDITORS, scope="change",
               denied=f"只有单位填报人和绩效股可以录入{what}。"),
    ]


class MonthlyExecution(VersionedModel):
    """The amount paid in one month of ``year`` for one project (``project``) — or for an agency's whole
    budget (部门整体支出: ``project`` empty) — from one fund source (上级转移支付, 本级安排 …), in yuan.

    One row per (project, year, month, fund source): an imported file's payments are summed into it
    (``monitoring.imports``). ``agency`` is the project's agency (the row's owner for scoping); ``entry``
    says whether the figure came from a file or was typed by hand."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="项目")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    fund_source = models.CharField("资金来源", max_length=24, choices=FundSource.choices)
    amount = MoneyField("支付金额", default=0)
    entry = models.CharField("录入方式", max_length=16, choices=EntryKind.choices, default=EntryKind.IMPORTED)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=EXECUTION_VIEWERS, create=EXECUTION_EDITORS, change=EXECUTION_EDITORS,
                       delete=EXECUTION_EDITORS, actions=_actions("预算执行数"))

    class Meta:
        ordering = ["region", "year", "project", "month", "fund_source"]
        verbose_name = "月度预算执行数"
        constraints = [
            models.UniqueConstraint(fields=["region", "project", "year", "month", "fund_source"],
                                    condition=Q(project__isnull=False), name="uniq_execution_project_month"),
            models.UniqueConstraint(fields=["region", "agency", "year", "month", "fund_source"],
                                    condition=Q(project__isnull=True), name="uniq_execution_agency_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="execution_month_1_12"),
        ]
        indexes = [models.Index(fields=["region", "year", "agency"], name="execution_region_year_agency")]

    def __str__(self):
        return f"{self.year}年{self.month}月 {self.get_fund_source_display()}"


class SpendingPlan(VersionedModel):
    """A project's planned spending (用款计划) for one month of ``year``, in yuan: the first basis of the
    expected execution at a checkpoint (``rules.expected_progress``)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+",
                                verbose_name="项目")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    amount = MoneyField("计划金额", default=0)
    entry = models.CharField("录入方式", max_length=16, choices=EntryKind.choices, default=EntryKind.IMPORTED)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=EXECUTION_VIEWERS, create=EXECUTION_EDITORS, change=EXECUTION_EDITORS,
                       delete=EXECUTION_EDITORS, actions=_actions("用款计划"))

    class Meta:
        ordering = ["region", "year", "project", "month"]
        verbose_name = "用款计划"
        constraints = [
            models.UniqueConstraint(fields=["region", "project", "year", "month"], name="uniq_spending_plan_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="spending_plan_month_1_12"),
        ]
        indexes = [models.Index(fields=["region", "year", "agency"], name="plan_region_year_agency")]

    def __str__(self):
        return f"{self.year}年{self.month}月用款计划"


#: who reads monitoring rounds, tables and decisions: whoever reads the target sheets' agencies
MONITORING_VIEWERS = EXECUTION_VIEWERS
#: who opens and closes rounds and decides on projects: the performance section
MONITORING_MANAGERS = [Role.PERFORMANCE_SECTION]
#: who fills a table: the agency's preparer (the performance section may correct)
TABLE_EDITORS = [Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION]


#: who acts on a table's review at some step of the region's ``monitoring`` chain
TABLE_REVIEWERS = [Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION]
TABLE_EDITABLE = (TableStatus.DRAFT, TableStatus.RETURNED)


def _round_open(user, table) -> bool:
    return table.round.status == RoundStatus.OPEN


def _table_review(table):
    from jixiao.core.review import review_for

    return review_for(table, "monitoring")


def _may_submit_table(user, table) -> bool:
    """The round is open and the user is one of the table's submitters (its agency's preparers)."""
    from jixiao.core.actors import SYSTEM
    from jixiao.core.review import can_submit

    if not _round_open(user, table):
        return False
    review = _table_review(table)
    return review is not None and (user is SYSTEM or can_submit(user, review))


def _holds_table_step(user, table) -> bool:
    from jixiao.core.actors import SYSTEM
    from jixiao.core.review import can_act

    review = _table_review(table)
    return review is not None and (user is SYSTEM or can_act(user, review))


#: What can be done to a monitoring round beyond reading and opening it (``create``).
ROUND_ACTIONS = [
    action("close", "结束监控批次", roles=MONITORING_MANAGERS, states=[RoundStatus.OPEN],
           denied="只有绩效股可以结束监控批次。", state_message="监控批次{state}", state_code="monitoring.round_closed"),
]

#: What can be done to a monitoring table beyond reading it: the one declaration the pages (buttons),
#: the API (``auth=``) and the services (``check``) read.
TABLE_ACTIONS = [
    action("fill", "填报监控表", roles=TABLE_EDITORS, states=TABLE_EDITABLE, test=_round_open,
           denied="只有填报单位的填报人（或绩效股）可以填报监控表。", state_message="监控表{state}，不能修改",
           state_code="monitoring.locked", test_code="monitoring.round_closed",
           test_message="监控批次已结束，不能再填报。"),
    action("submit", "提交审核", roles=[Role.AGENCY_PREPARER], states=TABLE_EDITABLE, test=_may_submit_table,
           denied="监控表由填报单位的填报人提交审核。", state_message="监控表{state}，不能提交",
           state_code="monitoring.not_submittable", test_code="monitoring.not_submitter",
           test_message="监控批次已结束，或您不是该监控表填报单位的填报人，不能提交。"),
    action("review", "审核", roles=TABLE_REVIEWERS, states=[TableStatus.IN_REVIEW], scope="view",
           test=_holds_table_step, denied="您的角色不审核监控表。", state_message="监控表{state}，没有待审核的步骤",
           state_code="review.not_in_review", test_code="review.not_your_step",
           test_message="当前审核步骤不由您负责。"),
]


class MonitoringRound(VersionedModel):
    """A monitoring round (监控批次) of a region's year at checkpoint ``month`` (monitoring covers
    January to the end of that month), with its deadline and scope. Opening it creates one
    :class:`MonitoringTable` per object in scope (``tag`` for the tag scope; the hand-picked list of
    the ``picked`` scope is the set of tables opened)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("监控截至月份")
    title = models.CharField("名称", max_length=128)
    deadline = models.DateField("填报截止日期")
    scope_kind = models.CharField("监控范围", max_length=24, choices=RoundScope.choices)
    tag = models.CharField("项目标签", max_length=32, blank=True)
    status = models.CharField("状态", max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="发起人")
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="*", view=MONITORING_VIEWERS, create=MONITORING_MANAGERS, change=MONITORING_MANAGERS,
                       actions=ROUND_ACTIONS)

    class Meta:
        ordering = ["region", "-year", "-month", "-id"]
        verbose_name = "监控批次"
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="round_month_1_12"),
        ]
        indexes = [models.Index(fields=["region", "year", "month"], name="round_region_year_month")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("monitoring:round_detail", args=[self.pk])


class Deviation(models.Model):
    """What an agency writes for a deviation (偏差, domain-rules §5): required where the rules say the
    deviation exceeds the region's threshold (``rules.reasons_required``); blank otherwise — never a
    placeholder."""

    cause = models.CharField("偏差原因类别", max_length=16, choices=CauseCategory.choices, blank=True)
    explanation = models.TextField("偏差原因说明", blank=True)
    likelihood = models.CharField("完成目标可能性", max_length=16, choices=Likelihood.choices, blank=True)
    measures = models.TextField("纠偏措施", blank=True)

    class Meta:
        abstract = True


class MonitoringTable(VersionedModel, Deviation):
    """The monitoring table (绩效运行监控表) of one object in one round: a project (``project``) with its
    approved target sheet at opening (``sheet``), or an agency's whole budget (``project`` empty).
    The deviation fields on the table are the money row's (预算执行); each indicator row has its own.
    ``status`` mirrors the table's review (chain ``monitoring``)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(MonitoringRound, on_delete=models.PROTECT, related_name="tables",
                              verbose_name="监控批次")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="项目")
    sheet = models.ForeignKey("targets.TargetSheet", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="绩效目标表")
    status = models.CharField("状态", max_length=16, choices=TableStatus.choices, default=TableStatus.DRAFT)
    estimate = MoneyField("预计全年执行数", null=True, blank=True)
    goal_progress = models.TextField("总体目标完成情况", blank=True)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    reviews = GenericRelation("core.Review", related_query_name="monitoring_table")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=MONITORING_VIEWERS, create=MONITORING_MANAGERS, change=TABLE_EDITORS,
                       actions=TABLE_ACTIONS)

    class Meta:
        ordering = ["round", "agency__code", "project__code"]
        verbose_name = "绩效运行监控表"
        constraints = [
            models.UniqueConstraint(fields=["region", "round", "project"], condition=Q(project__isnull=False),
                                    name="uniq_monitoring_table_project"),
            models.UniqueConstraint(fields=["region", "round", "agency"], condition=Q(project__isnull=True),
                                    name="uniq_monitoring_table_agency"),
        ]
        indexes = [
            models.Index(fields=["region", "round", "status"], name="mtable_region_round_status"),
            models.Index(fields=["region", "agency", "round"], name="mtable_region_agency_round"),
        ]

    def __str__(self):
        return f"{self.round}：{self.project or self.agency}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("monitoring:table_detail", args=[self.pk])

    @property
    def subject_name(self) -> str:
        """What is monitored: the project's name, or 单位名称（部门整体支出）."""
        return self.project.name if self.project_id else f"{self.agency.name}（部门整体支出）"

    @property
    def is_editable(self) -> bool:
        return self.status in TABLE_EDITABLE


class MonitoringRow(Deviation):
    """One indicator of the table's target sheet at the checkpoint: the value reached so far and the
    expected year-end value as the agency states them (``value_to_date``/``year_end`` as written,
    ``number_to_date``/``number_year_end`` their numeric readings), or for a qualitative indicator
    how far it has got (``achievement``). ``stated_expected``/``number_stated_expected``: the agency's
    own expectation for the checkpoint (domain-rules §5, optional, numeric indicators only) — when
    given it replaces target × m ÷ 12 (the limit, for a reverse indicator) in the light and the
    deviation; a rate such as 验收合格率 100% is expected at 100% in May, not at 41.7%."""

    audit_parent = "table"

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    table = models.ForeignKey(MonitoringTable, on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey("targets.TargetIndicator", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="绩效指标")
    position = models.PositiveSmallIntegerField("序号")
    value_to_date = models.CharField("截至目前完成值", max_length=128, blank=True)
    number_to_date = models.DecimalField("截至目前完成值（数值）", max_digits=20, decimal_places=4, null=True,
                                         blank=True)
    year_end = models.CharField("预计全年完成值", max_length=128, blank=True)
    number_year_end = models.DecimalField("预计全年完成值（数值）", max_digits=20, decimal_places=4, null=True,
                                          blank=True)
    stated_expected = models.CharField("截至本期预期值", max_length=128, blank=True)
    number_stated_expected = models.DecimalField("截至本期预期值（数值）", max_digits=20, decimal_places=4, null=True,
                                                 blank=True)
    achievement = models.CharField("完成情况", max_length=16, choices=Achievement.choices, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="table__agency", view=MONITORING_VIEWERS)

    class Meta:
        ordering = ["table", "position"]
        verbose_name = "监控指标"
        constraints = [models.UniqueConstraint(fields=["region", "table", "position"], name="uniq_monitoring_row")]

    def __str__(self):
        return f"{self.table}：{self.position}"


def _in_force(user, decision) -> bool:
    """A suspension not lifted, of a project whose disbursement was not stopped in that year."""
    return decision.lifted_at is None and not Decision.objects.filter(
        project_id=decision.project_id, year=decision.year, kind=DecisionKind.STOP).exists()


#: What finance may do with decisions beyond reading them: decide (a new decision of any kind on a
#: project of its region; the project's state is the service's to refuse, ``rules.decision_errors``)
#: and lift a suspension in force. The performance section only: it runs monitoring and results
#: application (mission.md roles); the finance section reviewers, the agencies and the province read.
DECISION_ACTIONS = [
    action("decide", "作出监控处理决定", roles=MONITORING_MANAGERS, scope="create",
           denied="只有绩效股可以作出监控结果应用决定。"),
    action("lift", "解除暂缓拨付", roles=MONITORING_MANAGERS, states=[DecisionKind.SUSPEND], test=_in_force,
           denied="只有绩效股可以解除暂缓拨付。", state_message="只有暂缓拨付的决定可以解除",
           state_code="decision.not_suspension", test_code="decision.not_in_force",
           test_message="该暂缓拨付已经解除，或该项目本年度已停止拨付"),
]


class Decision(models.Model):
    """A finance decision on a monitored project (监控结果应用): continue, adjust its target, suspend or
    stop disbursement, cut its budget or recover funds (``amount`` for the last two, in yuan), with the
    reason, in the round whose table led to it (``table``, optional). A suspension stays in force until
    lifted (``lifted_at``). A target adjustment links the new version of the target sheet it opened
    (``sheet``). Decisions are never edited: a mistaken one is lifted or followed by another."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="monitoring_decisions",
                                verbose_name="项目")
    year = models.PositiveSmallIntegerField("年度")
    table = models.ForeignKey(MonitoringTable, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="decisions", verbose_name="监控表")
    kind = models.CharField("处理方式", max_length=16, choices=DecisionKind.choices)
    amount = MoneyField("金额", null=True, blank=True)
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="决定人")  # empty: SYSTEM (the demo builder)
    decided_at = models.DateTimeField("决定时间")
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="解除人")
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lift_reason = models.TextField("解除理由", blank=True)
    sheet = models.ForeignKey("targets.TargetSheet", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="调整的绩效目标表")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=MONITORING_VIEWERS, create=MONITORING_MANAGERS, change=MONITORING_MANAGERS,
                       actions=DECISION_ACTIONS, state_field="kind")

    class Meta:
        ordering = ["region", "-decided_at", "-id"]
        verbose_name = "监控结果应用"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["cut", "recover"], amount__gt=0)
                                   | (~Q(kind__in=["cut", "recover"]) & Q(amount__isnull=True)),
                                   name="decision_amount_by_kind"),
        ]
        indexes = [models.Index(fields=["region", "year", "kind"], name="decision_region_year_kind"),
                   models.Index(fields=["region", "project", "year"], name="decision_region_project_year")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.project}"
