"""F4 Ex-ante assessment (事前绩效评估): a new major project or policy (or a continuing one past its
span) is assessed by drawn experts before it may enter the project library (先评估后入库)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse

from jixiao.assessment.choices import AssessmentStatus
from jixiao.core.models import VersionedModel
from jixiao.core.money import MoneyField
from jixiao.core.roles import AGENCY_ROLES, Role
from jixiao.core.scoping import ScopedQuerySet, action, scope_rule
from jixiao.projects.choices import ProjectKind

ASSESSMENT_VIEWERS = [*AGENCY_ROLES, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                      Role.VIEWER, Role.EXPERT]
ASSESSMENT_EDITORS = [Role.PERFORMANCE_SECTION]
#: The experts' individual scores are for the finance side and the expert who gave them; the agency
#: sees the combined scores and the conclusion (the experts' independence, 财预〔2021〕6号).
SCORE_VIEWERS = [Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION, Role.VIEWER, Role.EXPERT]


def _is_drawn(user, assessment) -> bool:
    """The user is an expert drawn for the assessment who has accepted the invitation (an expert
    accepts or declines before scoring; declined and replaced experts do not score)."""
    from jixiao.core.actors import SYSTEM
    from jixiao.pools.choices import DrawnStatus
    from jixiao.pools.models import DrawnExpert

    if user is SYSTEM:
        return True
    return assessment.draw_id is not None and DrawnExpert.objects.filter(
        draw_id=assessment.draw_id, expert__user=user, status=DrawnStatus.ACCEPTED).exists()


def offline_drawn(assessment):
    """The open drawn rows (invited or accepted) of experts without an (active) login: whose scores
    the performance section may enter from their signed score sheets (代录)."""
    from django.db.models import Q

    from jixiao.pools.choices import DrawnStatus
    from jixiao.pools.models import DrawnExpert

    if assessment.draw_id is None:
        return DrawnExpert.objects.none()
    return (DrawnExpert.objects.filter(draw_id=assessment.draw_id,
                                       status__in=[DrawnStatus.INVITED, DrawnStatus.ACCEPTED])
            .filter(Q(expert__user__isnull=True) | Q(expert__user__is_active=False))
            .select_related("expert").order_by("order"))


def has_offline_expert(user, assessment) -> bool:
    """An open drawn expert of the assessment has no (active) login (the ``score_on_behalf`` test)."""
    return offline_drawn(assessment).exists()


_CONCLUDED = ("本评估已出结论", "assessment.concluded")

#: What can be done to an assessment beyond reading and creating it, by whom and when: the one
#: declaration the services (``check``), the pages and buttons (``actions_for``) and the API's
#: ``auth=`` read.
ASSESSMENT_ACTIONS = [
    action("draw", "抽取评审专家", roles=ASSESSMENT_EDITORS, states=[AssessmentStatus.DRAFT],
           denied="只有绩效股可以抽取评审专家。",
           state_message="本评估已抽取专家；如有专家谢绝或需回避，请在抽取记录中替换", state_code="assessment.drawn",
           state_refusals={AssessmentStatus.CONCLUDED: _CONCLUDED}),
    action("score", "评分", roles=[Role.EXPERT], states=[AssessmentStatus.SCORING], scope="view", test=_is_drawn,
           denied="只有被抽中的评审专家可以评分。",
           test_message="您尚未接受本评估的邀请（或不是抽中的专家、已谢绝、被替换），不能评分；请先在评估页或“我的任务”中接受邀请。",
           test_refusal=PermissionDenied,
           state_refusals={AssessmentStatus.CONCLUDED: ("本评估已出结论，不能再提交或修改评分", "assessment.concluded"),
                           AssessmentStatus.DRAFT: ("本评估尚未抽取专家", "assessment.not_scoring")}),
    # 代录: the scores of a drawn expert without a login, entered by the performance section from the
    # expert's signed score sheet (uploaded with them); recorded as such (ExpertReview.entered_by)
    action("score_on_behalf", "代录专家评分", roles=ASSESSMENT_EDITORS, states=[AssessmentStatus.SCORING],
           test=has_offline_expert, denied="只有绩效股可以代录专家评分。",
           test_message="本评估抽中的专家都有登录账号，请专家本人登录评分。", test_code="assessment.no_offline_expert",
           state_refusals={AssessmentStatus.CONCLUDED: ("本评估已出结论，不能再代录评分", "assessment.concluded"),
                           AssessmentStatus.DRAFT: ("本评估尚未抽取专家", "assessment.not_scoring")}),
    action("conclude", "出具评估结论", roles=ASSESSMENT_EDITORS, states=[AssessmentStatus.SCORING],
           denied="只有绩效股可以出具事前评估结论。",
           state_refusals={AssessmentStatus.CONCLUDED: _CONCLUDED,
                           AssessmentStatus.DRAFT: ("请先抽取评审专家并完成评分", "assessment.not_scoring")}),
]


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
                       create=ASSESSMENT_EDITORS, change=ASSESSMENT_EDITORS, actions=ASSESSMENT_ACTIONS)

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
    proxy = models.BooleanField("代录", default=False, help_text="绩效股根据专家签字评分表代录")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="代录人",
                                   help_text="代录时为录入的绩效股用户（系统代录时为空）")
    score_sheet = models.ForeignKey("core.Attachment", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="签字评分表")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, assigned="drawn__expert__user", view=SCORE_VIEWERS, create=[Role.EXPERT],
                       change=[Role.EXPERT])

    class Meta:
        ordering = ["assessment", "drawn__order"]
        verbose_name = "专家评审意见"
        constraints = [models.UniqueConstraint(fields=["region", "assessment", "drawn"], name="uniq_review_per_expert")]

    def __str__(self):
        return f"专家评审意见（{self.assessment_id}-{self.drawn_id}）"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_proxy(self) -> bool:
        """Entered by the performance section on the expert's behalf (代录)."""
        return self.proxy


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
        constraints = [models.UniqueConstraint(fields=["region", "assessment", "drawn", "dimension"],
                                               name="uniq_score_per_dimension")]

    def __str__(self):
        return f"{self.dimension}：{self.score}"
