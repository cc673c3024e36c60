"""F4 Ex-ante assessment (事前绩效评估): a new major project or policy (or a continuing one past its
span) is assessed by drawn experts before it may enter the project library (先评估后入库)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from jixiao.assessment.choices import AssessmentStatus
from jixiao.core.models import VersionedModel
from jixiao.core.money import MoneyField
from jixiao.core.roles import AGENCY_ROLES, Role
from jixiao.core.scoping import ScopedQuerySet, scope_rule
from jixiao.projects.choices import ProjectKind

ASSESSMENT_VIEWERS = [*AGENCY_ROLES, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                      Role.VIEWER, Role.EXPERT]
ASSESSMENT_EDITORS = [Role.PERFORMANCE_SECTION]
#: The experts' individual scores are for the finance side and the expert who gave them; the agency
#: sees the combined scores and the conclusion (the experts' independence, 财预〔2021〕6号).
SCORE_VIEWERS = [Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION, Role.VIEWER, Role.EXPERT]


class ExAnteAssessment(VersionedModel):
    """One assessment of one project. ``dimensions`` is a snapshot of the region's
    ``exante_dimensions`` for the project's kind at creation ([{code, name, points, sub_items}]), so
    a later change of configuration does not change an assessment under way. ``combined_scores``
    maps dimension code → combined score (text of a 2-place Decimal); ``total_score`` is their sum."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="exante_assessments",
                                verbose_name="项目")
    year = models.PositiveSmallIntegerField("年度")
    object_kind = models.CharField("评估对象", max_length=16, choices=ProjectKind.choices)
    dimensions = models.JSONField("评估维度", default=list)
    requested_amount = MoneyField("申报金额", default=0)
    status = models.CharField("状态", max_length=16, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT)
    draw = models.ForeignKey("pools.Draw", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="专家抽取")
    combined_scores = models.JSONField("综合得分（分维度）", default=dict, blank=True)
    total_score = models.DecimalField("综合得分", max_digits=7, decimal_places=2, null=True, blank=True)
    conclusion = models.CharField("评估结论", max_length=16, blank=True)
    conclusion_label = models.CharField("评估结论（名称）", max_length=32, blank=True)
    admits = models.BooleanField("准予入库", default=False)
    supported_amount = MoneyField("支持金额", null=True, blank=True)
    budget_effect = MoneyField("预算影响（核减金额）", null=True, blank=True)
    opinion = models.TextField("评估意见", blank=True)
    concluded_at = models.DateTimeField("结论时间", null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="结论人")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="project__agency", assigned="draw__drawn__expert__user", view=ASSESSMENT_VIEWERS,
                       create=ASSESSMENT_EDITORS, change=ASSESSMENT_EDITORS)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = "事前绩效评估"
        indexes = [
            models.Index(fields=["region", "year", "conclusion"], name="exante_region_year_concl"),
            models.Index(fields=["region", "status"], name="exante_region_status"),
        ]

    def __str__(self):
        return f"{self.project.name}事前绩效评估"

    def get_absolute_url(self):
        return reverse("assessment:assessment_detail", args=[self.pk])

    @property
    def is_concluded(self) -> bool:
        return self.status == AssessmentStatus.CONCLUDED

    @property
    def max_score(self):
        from decimal import Decimal

        return sum((Decimal(str(d["points"])) for d in self.dimensions), Decimal(0))


class ExpertReview(models.Model):
    """One drawn expert's task on an assessment: opened when the expert is drawn (the inbox item
    points at it), submitted with the overall opinion and the total of the expert's scores; the
    scores per dimension are ``ExpertScore`` rows."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(ExAnteAssessment, on_delete=models.CASCADE, related_name="reviews")
    drawn = models.ForeignKey("pools.DrawnExpert", on_delete=models.PROTECT, related_name="+",
                              verbose_name="抽中专家")
    opinion = models.TextField("总体意见", blank=True)
    total = models.DecimalField("合计得分", max_digits=7, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, assigned="drawn__expert__user", view=SCORE_VIEWERS, create=[Role.EXPERT],
                       change=[Role.EXPERT])

    class Meta:
        ordering = ["assessment", "drawn__order"]
        verbose_name = "专家评审意见"
        constraints = [models.UniqueConstraint(fields=["assessment", "drawn"], name="uniq_review_per_expert")]

    def __str__(self):
        return f"专家评审意见（{self.assessment_id}-{self.drawn_id}）"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ExpertScore(models.Model):
    """One expert's score (0..points of the dimension) and opinion on one dimension."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(ExAnteAssessment, on_delete=models.CASCADE, related_name="scores")
    drawn = models.ForeignKey("pools.DrawnExpert", on_delete=models.PROTECT, related_name="+",
                              verbose_name="抽中专家")
    dimension = models.CharField("评估维度", max_length=32)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    opinion = models.TextField("意见", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, assigned="drawn__expert__user", view=SCORE_VIEWERS, create=[Role.EXPERT],
                       change=[Role.EXPERT])

    class Meta:
        ordering = ["assessment", "drawn__order", "pk"]
        verbose_name = "专家评分"
        constraints = [models.UniqueConstraint(fields=["assessment", "drawn", "dimension"],
                                               name="uniq_score_per_dimension")]

    def __str__(self):
        return f"{self.dimension}：{self.score}"
