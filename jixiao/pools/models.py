"""F9 Expert and firm pools (专家库、第三方机构库) and the seeded expert draw (随机抽取).

The performance section manages the pools; section reviewers and leaders read them (without the
experts' contact details). Experts see only the draws they are in, through ``DrawnExpert``'s
``assigned=`` lookup; nothing else of the pools."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse

from jixiao.core.models import VersionedModel
from jixiao.core.registry import Registry
from jixiao.core.roles import Role
from jixiao.core.scoping import ScopedQuerySet, action, scope_rule
from jixiao.pools.choices import DrawnStatus, ExpertStatus, FirmKind, FirmStatus

POOL_VIEWERS = [Role.PERFORMANCE_SECTION, Role.SECTION_REVIEWER, Role.VIEWER]
POOL_EDITORS = [Role.PERFORMANCE_SECTION]


class Firm(VersionedModel):
    """第三方机构: a consultancy, accounting, appraisal or law firm, research institute or university
    that may be commissioned for evaluations (财监〔2021〕4号)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("机构名称", max_length=128)
    kind = models.CharField("机构类型", max_length=16, choices=FirmKind.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    qualifications = models.TextField("资质", blank=True)
    status = models.CharField("状态", max_length=16, choices=FirmStatus.choices, default=FirmStatus.ACTIVE)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="firm_profile", verbose_name="机构登录账号")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, view=POOL_VIEWERS, create=POOL_EDITORS, change=POOL_EDITORS)

    class Meta:
        ordering = ["region", "name"]
        verbose_name = "第三方机构"
        constraints = [models.UniqueConstraint(fields=["region", "credit_code"], name="uniq_firm_credit_code")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pools:firm_detail", args=[self.pk])


class FirmRecord(models.Model):
    """One row of a firm's track record (业绩): later evaluations add the experts' report-quality
    score (domain-rules §10)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="records")
    year = models.PositiveSmallIntegerField("年度")
    object = models.CharField("评价对象", max_length=255)
    quality_score = models.DecimalField("报告质量评分", max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.CharField("备注", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, view=POOL_VIEWERS, create=POOL_EDITORS, change=POOL_EDITORS)

    class Meta:
        ordering = ["firm", "-year", "pk"]
        verbose_name = "机构业绩"

    def __str__(self):
        return f"{self.year} {self.object}"


class Expert(VersionedModel):
    """评审专家. ``agency`` and ``firm`` are the affiliations a draw recuses the expert from."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=64)
    organisation = models.CharField("工作单位", max_length=128)
    title = models.CharField("职称", max_length=64, blank=True)
    fields = models.ManyToManyField("org.Sector", related_name="+", verbose_name="专业领域")
    qualification = models.CharField("执业资格", max_length=255, blank=True)
    status = models.CharField("状态", max_length=16, choices=ExpertStatus.choices, default=ExpertStatus.ACTIVE)
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="所在预算单位")
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="experts",
                             verbose_name="所属第三方机构")
    phone = models.CharField("联系电话", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="expert_profile", verbose_name="专家登录账号")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, view=POOL_VIEWERS, create=POOL_EDITORS, change=POOL_EDITORS, actions=[
        # phone and e-mail are for the performance section only (it arranges the reviews)
        action("view_contact", "查看专家联系方式", roles=POOL_EDITORS, scope="view",
               denied="专家的联系方式仅绩效股可见。"),
    ])

    class Meta:
        ordering = ["region", "name", "pk"]
        verbose_name = "评审专家"
        constraints = [models.UniqueConstraint(fields=["region", "name", "organisation"],
                                               name="uniq_expert_name_org")]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pools:expert_detail", args=[self.pk])


class Draw(models.Model):
    """One random draw of experts (专家抽取). ``seed`` (drawn by the system, ``secrets``: nobody chooses
    it) and ``pool`` (the eligible ids the seed ran over) make it reproducible:
    ``rules.choose(pool, count, seed)`` gives the same experts again (``rules.verify``, the 复核 page)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("抽取事由", max_length=255)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    count = models.PositiveSmallIntegerField("抽取人数")
    fields = models.ManyToManyField("org.Sector", related_name="+", verbose_name="专业领域")
    exclude_agencies = models.ManyToManyField("org.Agency", blank=True, related_name="+", verbose_name="回避单位")
    exclude_firms = models.ManyToManyField(Firm, blank=True, related_name="+", verbose_name="回避机构")
    exclude_drawn_in = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name="排除该次已抽中的专家")
    excluded = models.ManyToManyField(Expert, blank=True, related_name="+", verbose_name="因回避排除的专家")
    seed = models.PositiveBigIntegerField("随机种子")
    pool = models.JSONField("候选专家", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="抽取人")
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, view=POOL_VIEWERS, create=POOL_EDITORS)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "专家抽取"

    def __str__(self):
        return f"{self.purpose}（{self.count} 人）"

    def get_absolute_url(self):
        return reverse("pools:draw_detail", args=[self.pk])


#: Whether the subject of a draw still takes answers — e.g. an ex-ante assessment not yet concluded:
#: callables ``(draw) -> bool | None`` (None: not a subject of mine), filled by the apps whose objects
#: experts are drawn for. A draw no app answers for stays open.
subject_open = Registry("pools.subject_open")
#: Called as ``fn(actor=…, expert=…)`` when an expert record gets a login, so the apps above open
#: the tasks (scoring, review) the expert now has to do in person.
login_linked = Registry("pools.login_linked")


def draw_open(draw) -> bool:
    """The draw's subject still takes answers (invitations close when it concludes). Kept on the
    draw object for the rest of the request (a page asks it for each button of a row)."""
    cached = getattr(draw, "_jixiao_open", None)
    if cached is not None:
        return cached
    draw._jixiao_open = next((bool(a) for a in (fn(draw) for fn in subject_open) if a is not None), True)
    return draw._jixiao_open


def _own_invitation(user, row) -> bool:
    """The drawn expert is the user's own expert record (an expert answers only their own
    invitation), and the invitation is still open: its subject (an assessment …) has not concluded."""
    from jixiao.core.actors import SYSTEM

    own = user is SYSTEM or (row.expert.user_id is not None and row.expert.user_id == user.pk)
    return own and draw_open(row.draw)


def has_login(expert) -> bool:
    """The expert can sign in and answer for themselves: an active login linked to the record."""
    return expert.user_id is not None and expert.user.is_active


def _no_login(user, row) -> bool:
    """The drawn expert has no (active) login, and the draw's subject is still open: the performance
    section answers from the signed sheet."""
    return not has_login(row.expert) and draw_open(row.draw)


def _subject_open(user, row) -> bool:
    """The draw's subject (an ex-ante assessment …) has not concluded: a panel is not changed after."""
    return draw_open(row.draw)


#: An invitation's answers: the expert accepts or declines their own (a decline draws a replacement);
#: the performance section replaces an expert who cannot be reached or turns out to be conflicted.
DRAWN_ACTIONS = [
    action("accept", "接受邀请", roles=[Role.EXPERT], states=[DrawnStatus.INVITED], test=_own_invitation,
           denied="只有被抽中的专家本人可以接受邀请。", state_message="该邀请当前为“{state}”，不能再接受。",
           state_code="drawn.not_invited", test_message="只能接受本人的、所评事项尚未结束的邀请（评估出结论后邀请即关闭）。",
           test_refusal=PermissionDenied),
    action("decline", "谢绝邀请", roles=[Role.EXPERT], states=[DrawnStatus.INVITED, DrawnStatus.ACCEPTED],
           test=_own_invitation, denied="只有被抽中的专家本人可以谢绝邀请。",
           state_message="该专家当前为“{state}”，不能再替换。", state_code="drawn.closed",
           test_message="只能谢绝本人的、所评事项尚未结束的邀请（评估出结论后邀请即关闭）。",
           test_refusal=PermissionDenied),
    # 代录: an expert without a login confirms on paper (the signed score sheet); the performance section
    # records the acceptance for them when it enters their scores
    action("accept_on_behalf", "代为确认接受邀请", roles=[Role.PERFORMANCE_SECTION], states=[DrawnStatus.INVITED],
           test=_no_login, denied="只有绩效股可以代没有账号的专家确认邀请。",
           state_message="该邀请当前为“{state}”，不能再确认。", state_code="drawn.not_invited",
           test_message="该专家有登录账号、或所评事项已结束，不能代为确认。", test_code="drawn.has_login"),
    action("replace", "替换专家", roles=[Role.PERFORMANCE_SECTION], states=[DrawnStatus.INVITED, DrawnStatus.ACCEPTED],
           test=_subject_open, denied="只有绩效股可以替换抽中的专家。", state_message="该专家当前为“{state}”，不能再替换。",
           state_code="drawn.closed", test_message="所评事项已结束（评估已出结论），专家组不能再更换。",
           test_code="drawn.subject_closed"),
]


class DrawnExpert(models.Model):
    """An expert drawn in a draw: invited, then accepted, declined or replaced (by ``replaced_by``).
    ``seed`` and ``pool`` are set on replacement rows (the derived seed of that one-person draw and the
    eligible ids it ran over), so a replacement is verified like the draw itself."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="drawn")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="drawn")
    order = models.PositiveSmallIntegerField("顺序")
    status = models.CharField("状态", max_length=16, choices=DrawnStatus.choices, default=DrawnStatus.INVITED)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces", verbose_name="替补专家")
    seed = models.PositiveBigIntegerField("替补种子", null=True, blank=True)
    pool = models.JSONField("替补候选专家", null=True, blank=True,
                            help_text="替补抽取时的候选专家 id（升序），与替补种子一起复核替补；原始抽取为空")
    reason = models.CharField("谢绝/替换原因", max_length=255, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency=None, assigned="expert__user", view=[*POOL_VIEWERS, Role.EXPERT],
                       change=[Role.PERFORMANCE_SECTION, Role.EXPERT], actions=DRAWN_ACTIONS)

    class Meta:
        ordering = ["draw", "order"]
        verbose_name = "抽中专家"
        constraints = [models.UniqueConstraint(fields=["region", "draw", "expert"], name="uniq_expert_per_draw")]

    def __str__(self):
        return f"{self.expert}（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in (DrawnStatus.INVITED, DrawnStatus.ACCEPTED)


def sees_contact(user) -> bool:
    """Experts' phone and e-mail are for the performance section only (``Expert`` action ``view_contact``)."""
    from jixiao.core.scoping import can

    return can(user, Expert, "view_contact")
