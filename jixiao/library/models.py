"""F2 Indicator library: the level-1/level-2 taxonomies (national, versioned), the evaluation
frameworks (national data), and the level-3 indicator templates — national ones (``region`` empty,
read by every region) and each region's own."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import Http404
from django.urls import reverse

from jixiao.core.models import VersionedModel
from jixiao.core.roles import ADMIN_ROLES, Role
from jixiao.core.scoping import ScopedQuerySet, can, scope_rule
from jixiao.library.choices import (
    FrameworkObject,
    Level1,
    Level2,
    Operator,
    ServesLevel,
    TaxonomyVersion,
    TemplateKind,
    ValueBasis,
)

#: Every business role reads the library (experts and firms too: they review targets).
LIBRARY_READERS = set(Role) - ADMIN_ROLES
LIBRARY_EDITORS = [Role.PERFORMANCE_SECTION]


class TaxonomyEntry(models.Model):
    """One level-1 → level-2 pair of a taxonomy version (national reference data, domain-rules §2)."""

    taxonomy = models.CharField("体系版本", max_length=16, choices=TaxonomyVersion.choices)
    level1 = models.CharField("一级指标", max_length=16, choices=Level1.choices)
    level2 = models.CharField("二级指标", max_length=24, choices=Level2.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["taxonomy", "position"]
        verbose_name = "指标体系"
        constraints = [models.UniqueConstraint(fields=["taxonomy", "level1", "level2"], name="uniq_taxonomy_pair")]

    def __str__(self):
        return f"{self.get_taxonomy_display()}：{self.get_level1_display()} → {self.get_level2_display()}"


class Framework(models.Model):
    """An evaluation framework (决策/过程/产出/效益, or an agency whole-budget table) as national data."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    object_kind = models.CharField("评价对象", max_length=16, choices=FrameworkObject.choices)
    source = models.CharField("依据", max_length=255, blank=True)
    note = models.TextField("说明", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "评价指标框架"

    def __str__(self):
        return self.name


class FrameworkItem(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.PositiveSmallIntegerField("层级")
    name = models.CharField("指标", max_length=128)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position"]
        verbose_name = "框架指标"

    def __str__(self):
        return self.name


class TemplateQuerySet(ScopedQuerySet):
    """The one place that says which templates a user may read: the national rows (``region`` empty)
    plus whatever the scope rule gives (the user's own region's rows). List, detail, API and the
    suggestion service all go through here."""

    def available_in(self, region) -> TemplateQuerySet:
        region_id = getattr(region, "pk", region)
        return self.filter(Q(region__isnull=True) | Q(region_id=region_id))

    def ordered(self) -> TemplateQuerySet:
        """Sector by sector (common ones last), then level 1 and level 2 in taxonomy order, then name."""
        def by(field, choices):
            return Case(*[When(**{field: code}, then=Value(i)) for i, (code, _) in enumerate(choices)],
                        default=Value(len(choices)), output_field=IntegerField())

        return self.order_by(F("sector__position").asc(nulls_last=True), by("level1", Level1.choices),
                             by("level2", Level2.choices), "name", "pk")

    def visible_to(self, user) -> TemplateQuerySet:
        if not can(user, self.model, "view") or not getattr(user, "is_active", False):
            return self.none()
        return self.for_user(user, "view") | self.filter(region__isnull=True)


def get_visible_template(user, pk, queryset=None) -> IndicatorTemplate:
    """The single-template fetch: national or own region's; the same 404 for missing and foreign."""
    qs = queryset if queryset is not None else IndicatorTemplate.objects.all()
    try:
        return qs.visible_to(user).get(pk=pk)
    except (IndicatorTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在或您无权访问。")


class IndicatorTemplate(VersionedModel):
    """指标模板 (level-3 indicator). ``region`` empty = a national template, read-only everywhere;
    a region adapts one by copying it (``copied_from``)."""

    region = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="所属区划")
    name = models.CharField("指标名称", max_length=128)
    level1 = models.CharField("一级指标", max_length=16, choices=Level1.choices)
    level2 = models.CharField("二级指标", max_length=24, choices=Level2.choices)
    operator = models.CharField("运算符", max_length=16, choices=Operator.choices)
    unit = models.CharField("计量单位", max_length=32, blank=True)
    typical_value = models.CharField("参考指标值", max_length=128, blank=True)
    value_basis = models.CharField("指标值确定依据", max_length=24, choices=ValueBasis.choices,
                                   default=ValueBasis.PLAN)
    scoring_standard = models.TextField("评分标准", blank=True)
    explanation = models.TextField("指标解释", blank=True)
    keywords = models.CharField("关键词", max_length=255, blank=True)
    sector = models.ForeignKey("org.Sector", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="行业领域")
    kind = models.CharField("指标类别", max_length=16, choices=TemplateKind.choices, default=TemplateKind.SPECIFIC)
    serves = models.CharField("适用层级", max_length=16, choices=ServesLevel.choices, default=ServesLevel.PROJECT)
    usage_count = models.PositiveIntegerField("引用次数", default=0)
    active = models.BooleanField("在用", default=True)
    source_note = models.CharField("来源说明", max_length=255, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies",
                                    verbose_name="复制自")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TemplateQuerySet.as_manager()
    scope = scope_rule(agency="*", assigned="*", view=LIBRARY_READERS, create=LIBRARY_EDITORS,
                       change=LIBRARY_EDITORS)

    class Meta:
        ordering = ["sector__position", "level1", "level2", "name", "id"]
        verbose_name = "指标模板"
        indexes = [
            models.Index(fields=["region", "sector", "level1"]),
            models.Index(fields=["region", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("library:template_detail", args=[self.pk])

    @property
    def is_national(self) -> bool:
        return self.region_id is None

    @property
    def value_display(self) -> str:
        if self.operator == Operator.QUALITATIVE:
            return f"定性：{self.typical_value}" if self.typical_value else "定性"
        return f"{self.get_operator_display()}{self.typical_value}{self.unit}"
