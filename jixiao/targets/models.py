"""F5 Target management (绩效目标管理): a target sheet per budgeted project/policy and per agency's
whole budget for a year, in versions (declared → approved; each in-year adjustment is a new version
reviewed again), with its indicators, the agency sheet's main tasks, and the findings of the
automatic quality check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse

from jixiao.core.models import VersionedModel
from jixiao.core.money import MoneyField
from jixiao.core.roles import AGENCY_ROLES, Role
from jixiao.core.scoping import ScopedQuerySet, action, scope_rule
from jixiao.library.choices import Level1, Level2, Operator, ValueBasis
from jixiao.targets.choices import FindingCode, Severity, SheetStatus, TargetKind

#: Reviewers and the agency side read sheets; experts read the sheets they are drawn to review.
TARGET_VIEWERS = [*AGENCY_ROLES, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                  Role.VIEWER, Role.EXPERT]
#: 谁申请资金，谁编制目标: the agency's preparer writes; the performance section may correct and import.
TARGET_EDITORS = [Role.AGENCY_PREPARER, Role.PERFORMANCE_SECTION]
#: Who acts on a sheet's review at some step (the step's resolver decides which sheet).
TARGET_REVIEWERS = [Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                    Role.EXPERT]


EDITABLE = (SheetStatus.DRAFT, SheetStatus.RETURNED)


def _review(sheet):
    from jixiao.core.review import review_for

    return review_for(sheet, "target")


def _may_submit(user, sheet) -> bool:
    """The user is one of the sheet's submitters (the agency's preparers: review.submit_roles)."""
    from jixiao.core.actors import SYSTEM
    from jixiao.core.review import can_submit

    review = _review(sheet)
    return review is not None and (user is SYSTEM or can_submit(user, review))


def _holds_step(user, sheet) -> bool:
    """The user is a reviewer of the current step who has not passed it yet."""
    from jixiao.core.actors import SYSTEM
    from jixiao.core.review import can_act

    review = _review(sheet)
    return review is not None and (user is SYSTEM or can_act(user, review))


def _is_latest(user, sheet) -> bool:
    """Only the newest version is adjusted (one adjustment under way at a time)."""
    later = TargetSheet.objects.filter(year=sheet.year, number__gt=sheet.number)
    later = (later.filter(project_id=sheet.project_id) if sheet.project_id
             else later.filter(agency_id=sheet.agency_id, kind=TargetKind.AGENCY))
    return not later.exists()


def _panel_open(user, sheet) -> bool:
    return sheet.include_expert_panel and sheet.expert_draw_id is None


#: What can be done to a target sheet beyond reading and creating it, by whom and when: the one
#: declaration that views (buttons), the API (``auth=``) and the services (``check``) read.
SHEET_ACTIONS = [
    action("edit", "编制、修改绩效目标表", roles=TARGET_EDITORS, states=EDITABLE,
           denied="只有编报单位的填报人（或绩效股）可以编制、修改绩效目标表。",
           state_message="绩效目标表{state}，不能修改", state_code="target.locked"),
    action("submit", "提交审核", roles=[Role.AGENCY_PREPARER], states=EDITABLE, test=_may_submit,
           denied="绩效目标表由编报单位的填报人提交审核。", state_message="绩效目标表{state}，不能提交",
           state_code="target.not_submittable", test_code="review.not_submitter",
           test_message="您不是该目标表编报单位的填报人，不能提交。"),
    action("review", "审核", roles=TARGET_REVIEWERS, states=[SheetStatus.IN_REVIEW], test=_holds_step,
           denied="您的角色不审核绩效目标。", state_message="绩效目标表{state}，没有待审核的步骤",
           state_code="review.not_in_review", test_code="review.not_your_step",
           test_message="当前审核步骤不由您负责。"),
    action("adjust", "年中调整", roles=TARGET_EDITORS, states=[SheetStatus.APPROVED], test=_is_latest,
           denied="只有编报单位的填报人（或绩效股）可以调整绩效目标。", state_message="只有已批复的绩效目标才能调整",
           state_code="target.not_approved", test_code="target.adjusting",
           test_message="已有一份调整中的绩效目标表，请先完成它的审核"),
    action("publish", "公开", roles=[Role.PERFORMANCE_SECTION], states=[SheetStatus.APPROVED],
           denied="只有绩效股可以公开绩效目标。", state_message="只有已批复的绩效目标才能公开",
           state_code="target.not_approved"),
    action("draw_panel", "抽取会审专家", roles=[Role.PERFORMANCE_SECTION],
           states=[*EDITABLE, SheetStatus.IN_REVIEW], test=_panel_open,
           denied="只有绩效股可以抽取会审专家。", state_message="绩效目标已批复，不再需要会审专家",
           state_code="target.approved", test_code="target.panel_drawn",
           test_message="该目标表不含专家会审，或已抽取会审专家（如需更换，请在专家抽取记录中替换）"),
    action("admit_to_library", "纳入指标库", roles=[Role.PERFORMANCE_SECTION],
           states=[SheetStatus.APPROVED, SheetStatus.SUPERSEDED],
           denied="只有绩效股可以把指标纳入指标库。", state_message="只有已批复目标表的指标可以纳入指标库。"),
]


class TargetSheet(VersionedModel):
    """One version of the target sheet of one object for one year. ``number`` 1 is the declared
    sheet; each in-year adjustment copies the approved version into ``number`` + 1 (``previous``).
    ``status`` mirrors the sheet's review so lists filter without a join; the review (chain
    ``target``) holds the steps and the history.

    Amounts are yuan (Decimal): for a project the annual (and, for multi-year projects, medium-term)
    funds split into 财政拨款 and 其他资金 as on the official form; for an agency the sums of its
    main tasks. ``taxonomy`` is the region's taxonomy version when the sheet was created, so a later
    change of configuration does not invalidate a sheet under way."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="target_sheets",
                               verbose_name="编报单位")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="target_sheets", verbose_name="项目")
    kind = models.CharField("对象类型", max_length=16, choices=TargetKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("版本号", default=1)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next",
                                    verbose_name="上一版本")
    status = models.CharField("状态", max_length=16, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    taxonomy = models.CharField("指标体系版本", max_length=16)
    title = models.CharField("名称", max_length=255)
    medium_goal = models.TextField("中期目标", blank=True)
    annual_goal = models.TextField("年度目标", blank=True)
    medium_amount = MoneyField("中期资金总额", default=0)
    medium_fiscal = MoneyField("中期资金：财政拨款", default=0)
    medium_other = MoneyField("中期资金：其他资金", default=0)
    amount = MoneyField("年度资金总额", default=0)
    fiscal_amount = MoneyField("年度资金：财政拨款", default=0)
    other_amount = MoneyField("年度资金：其他资金", default=0)
    adjustment_reason = models.TextField("调整原因", blank=True)
    include_expert_panel = models.BooleanField("专家会审", default=False)
    expert_draw = models.ForeignKey("pools.Draw", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="会审专家抽取")
    error_count = models.PositiveSmallIntegerField("错误数", default=0)
    warning_count = models.PositiveSmallIntegerField("提示数", default=0)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("批复时间", null=True, blank=True)
    published = models.BooleanField("已公开", default=False)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    redacted = models.BooleanField("涉密不公开", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="编制人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    #: the sheet's reviews (chain ``target``): lets the review statistics join sheets to their review
    #: history in one query (no column; core.Review's content_type/object_id)
    reviews = GenericRelation("core.Review", related_query_name="target_sheet")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(assigned="expert_draw__drawn__expert__user", view=TARGET_VIEWERS,
                       create=TARGET_EDITORS, change=[*TARGET_EDITORS, *TARGET_REVIEWERS], actions=SHEET_ACTIONS)

    class Meta:
        ordering = ["-year", "agency__code", "kind", "project__code", "-number"]
        verbose_name = "绩效目标表"
        constraints = [
            models.UniqueConstraint(fields=["region", "project", "year", "number"], condition=Q(project__isnull=False),
                                    name="uniq_target_project_year_number"),
            models.UniqueConstraint(fields=["region", "agency", "year", "number"], condition=Q(kind="agency"),
                                    name="uniq_target_agency_year_number"),
        ]
        indexes = [
            models.Index(fields=["region", "year", "status"], name="target_region_year_status"),
            models.Index(fields=["region", "year", "kind"], name="target_region_year_kind"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("targets:sheet_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def version_label(self) -> str:
        return "申报版" if self.number == 1 else f"第 {self.number - 1} 次调整"

    @property
    def is_multi_year(self) -> bool:
        return bool(self.project_id and self.project.end_year > self.project.start_year)


class TargetIndicator(models.Model):
    """A level-3 indicator of a sheet (domain-rules §2). ``value`` is the target value as written;
    ``number`` is its numeric reading when the operator is numeric (for comparisons and statistics).
    ``template`` is the library template it was adopted from, if any."""

    #: audited inside the sheet's snapshot (``core.audit.snapshot``): saved wholesale with the sheet
    audit_parent = "sheet"

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey(TargetSheet, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField("序号")
    level1 = models.CharField("一级指标", max_length=16, choices=Level1.choices)
    level2 = models.CharField("二级指标", max_length=24, choices=Level2.choices)
    name = models.CharField("三级指标", max_length=128)
    operator = models.CharField("运算符", max_length=16, choices=Operator.choices)
    value = models.CharField("指标值", max_length=128)
    number = models.DecimalField("数值", max_digits=20, decimal_places=4, null=True, blank=True)
    unit = models.CharField("计量单位", max_length=32, blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    scoring_standard = models.TextField("评分标准", blank=True)
    explanation = models.TextField("指标解释", blank=True)
    value_basis = models.CharField("指标值确定依据", max_length=24, choices=ValueBasis.choices,
                                   default=ValueBasis.PLAN)
    template = models.ForeignKey("library.IndicatorTemplate", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="引用模板")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="sheet__agency", assigned="sheet__expert_draw__drawn__expert__user",
                       view=TARGET_VIEWERS)

    class Meta:
        ordering = ["sheet", "position"]
        verbose_name = "绩效指标"
        constraints = [models.UniqueConstraint(fields=["region", "sheet", "position"], name="uniq_indicator_position")]

    def __str__(self):
        return self.name

    @property
    def value_display(self) -> str:
        """The value as bureaus write it in one cell: "≥95%", "≤120万元", or the qualitative text."""
        if self.operator == Operator.QUALITATIVE:
            return self.value
        return f"{self.get_operator_display()}{self.value}{self.unit}"


class TargetTask(models.Model):
    """A main task (年度主要任务) of an agency's whole-budget sheet, with its budget in yuan."""

    #: audited inside the sheet's snapshot (``core.audit.snapshot``): saved wholesale with the sheet
    audit_parent = "sheet"

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey(TargetSheet, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("任务名称", max_length=128)
    content = models.TextField("主要内容", blank=True)
    amount = MoneyField("预算金额：总额", default=0)
    fiscal_amount = MoneyField("预算金额：财政拨款", default=0)
    other_amount = MoneyField("预算金额：其他资金", default=0)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="sheet__agency", assigned="sheet__expert_draw__drawn__expert__user",
                       view=TARGET_VIEWERS)

    class Meta:
        ordering = ["sheet", "position"]
        verbose_name = "年度主要任务"

    def __str__(self):
        return self.name


class TargetFinding(models.Model):
    """A finding of the automatic quality check on a sheet (domain-rules §3), rewritten each time the
    sheet is saved. ``row`` is the indicator's position (1-based) or empty for the sheet as a whole.
    Kept as rows so the statistics (most frequent findings) are one GROUP BY."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey(TargetSheet, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField("检查项", max_length=32, choices=FindingCode.choices)
    severity = models.CharField("级别", max_length=16, choices=Severity.choices)
    row = models.PositiveSmallIntegerField("指标序号", null=True, blank=True)
    message = models.CharField("说明", max_length=255)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="sheet__agency", assigned="sheet__expert_draw__drawn__expert__user",
                       view=TARGET_VIEWERS)

    class Meta:
        ordering = ["sheet", "row", "pk"]
        verbose_name = "审核发现"
        indexes = [models.Index(fields=["region", "code"], name="target_finding_region_code")]

    def __str__(self):
        return self.message
