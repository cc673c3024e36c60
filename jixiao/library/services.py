"""Every write of F2 (indicator library), and its two reads that other apps call: the taxonomy in
force for a region and year, and the template suggestions for a project.

National templates (``region`` empty) are data from the repository and read-only in the
application; a region adapts one by copying it. Only the performance section (绩效股) edits the
library (its scope rule), including admitting an indicator from an approved target sheet."""

from __future__ import annotations

from django.db.models import F

from jixiao.core import audit
from jixiao.core import config as region_config
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import ValidationFailed
from jixiao.core.scoping import assert_in_scope
from jixiao.core.services import service
from jixiao.library import rules
from jixiao.library.choices import Level1, Level2, Operator, ServesLevel, TemplateKind, ValueBasis
from jixiao.library.models import IndicatorTemplate, TaxonomyEntry

EDITABLE = ("name", "level1", "level2", "operator", "unit", "typical_value", "value_basis", "scoring_standard",
            "explanation", "keywords", "sector", "kind", "serves", "active", "source_note")


# --- reads ---------------------------------------------------------------------------------------

def allowed_pairs() -> set[tuple[str, str]]:
    """Every (level 1, level 2) pair of any taxonomy version: a template may serve either."""
    return set(TaxonomyEntry.objects.values_list("level1", "level2"))


def taxonomy_for(region, year: int) -> dict:
    """The level-1/level-2 tree the region uses in ``year`` (configuration ``taxonomy``, domain-rules §2):
    ``{"version", "label", "tree": [{"code", "label", "children": [...]}]}``."""
    version = region_config.get(region, year, "taxonomy")["version"]
    pairs = TaxonomyEntry.objects.filter(taxonomy=version).order_by("position").values_list("level1", "level2")
    labels = dict(TaxonomyEntry._meta.get_field("taxonomy").choices)
    return {"version": version, "label": labels.get(version, version),
            "tree": rules.tree(pairs, dict(Level1.choices), dict(Level2.choices))}


def suggest(*, region, sector_code: str | None, name: str, description: str = "", limit: int = 20,
            peer_uses: dict[int, int] | None = None, adopted=(), missing_level1=()) -> list:
    """Templates to propose for a project (its sector, name and description), best first
    (``rules.rank``): Chinese character bigram overlap with the template's name and keywords, the
    sector (only for templates otherwise related), the approved sheets of similar projects that used
    it (``peer_uses``); the level-1 kinds the sheet still lacks (``missing_level1``) always get their
    best templates; those already on the sheet (``adopted``) are marked and listed last. Each template
    returned carries ``suggestion_score``, ``peer_uses``, ``adopted`` and ``fills`` (the missing
    level-1 kind it fills, or ""). Reads the active national and regional templates in one query."""
    qs = IndicatorTemplate.objects.available_in(region).filter(active=True).select_related("sector")
    templates = {t.pk: t for t in qs}
    candidates = [rules.Candidate(t.pk, t.name, t.keywords, t.sector.code if t.sector_id else None, t.usage_count,
                                  t.level1) for t in templates.values()]
    ranked = rules.rank(f"{name} {description}", candidates, sector_code=sector_code, limit=limit,
                        peer_uses=peer_uses, adopted=adopted, missing_level1=missing_level1)
    out = []
    for s in ranked:
        t = templates[s.id]
        t.suggestion_score, t.peer_uses, t.adopted, t.fills = s.score, s.peer_uses, s.adopted, s.fills
        out.append(t)
    return out


# --- validation ----------------------------------------------------------------------------------

def _errors(values: dict, pairs: set[tuple[str, str]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in ("name", "unit", "typical_value", "keywords", "source_note"):
        value = values.get(field) or ""
        max_length = IndicatorTemplate._meta.get_field(field).max_length
        if len(value) > max_length:
            label = IndicatorTemplate._meta.get_field(field).verbose_name
            errors.setdefault(field, []).append(f"{label}最多 {max_length} 个字（现有 {len(value)} 个）")
    if not values.get("name"):
        errors.setdefault("name", []).append("指标名称不能为空")
    if values.get("level1") not in Level1.values:
        errors.setdefault("level1", []).append(f"未知的一级指标 {values.get('level1')}")
    elif values.get("level2") not in Level2.values:
        errors.setdefault("level2", []).append(f"未知的二级指标 {values.get('level2')}")
    elif message := rules.pair_error(values["level1"], values["level2"], pairs):
        errors.setdefault("level2", []).append(message)
    if values.get("operator") not in Operator.values:
        errors.setdefault("operator", []).append(f"未知的运算符 {values.get('operator')}")
    elif message := rules.numeric_value_error(values["operator"], values.get("typical_value") or ""):
        errors.setdefault("typical_value", []).append(message)
    for field, choices in (("value_basis", ValueBasis), ("kind", TemplateKind), ("serves", ServesLevel)):
        if values.get(field) not in choices.values:
            errors.setdefault(field, []).append(f"取值无效：{values.get(field)}")
    return errors


def _clean(values: dict) -> dict:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}


def find_duplicate(*, region, name, level1, level2, sector, exclude_pk=None):
    """The natural key of a template: region + name + level 1 + level 2 + sector."""
    return (IndicatorTemplate.objects.filter(region=region, name=name, level1=level1, level2=level2, sector=sector)
            .exclude(pk=exclude_pk).first())


def _duplicate_error(values: dict, region, exclude_pk=None) -> dict[str, list[str]]:
    if find_duplicate(region=region, name=values["name"], level1=values["level1"], level2=values["level2"],
                      sector=values.get("sector"), exclude_pk=exclude_pk):
        return {"name": [f"本区划指标库已有同一层级、同一行业的“{values['name']}”"]}
    return {}


# --- writes --------------------------------------------------------------------------------------

@service
def create_template(*, actor, region, name: str, level1: str, level2: str, operator: str, unit: str = "",
                    typical_value: str = "", value_basis: str = ValueBasis.PLAN, scoring_standard: str = "",
                    explanation: str = "", keywords: str = "", sector=None, kind: str = TemplateKind.SPECIFIC,
                    serves: str = ServesLevel.PROJECT, active: bool = True, source_note: str = "",
                    copied_from=None):
    """A region's own template. The natural key (region, name, level 1/2, sector) is unique."""
    values = _clean(dict(name=name, level1=level1, level2=level2, operator=operator, unit=unit or "",
                         typical_value=typical_value or "", value_basis=value_basis,
                         scoring_standard=scoring_standard or "", explanation=explanation or "",
                         keywords=keywords or "", sector=sector, kind=kind, serves=serves, active=active,
                         source_note=source_note or ""))
    errors = _errors(values, allowed_pairs())
    if not errors:
        errors = _duplicate_error(values, region)
    if errors:
        raise ValidationFailed(errors)
    template = IndicatorTemplate.objects.create(region=region, copied_from=copied_from, **values)
    assert_in_scope(template, actor, "create")
    audit.log_create(actor=actor, obj=template)
    return template


@service
def update_template(*, actor, template: IndicatorTemplate, version: int, **changes):
    """Edit a region's template. National templates are outside every editor's change scope (their
    region is empty), so the scope check refuses them."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    template = lock_checked(IndicatorTemplate, template.pk, version)
    assert_in_scope(template, actor, "change")
    before = audit.snapshot(template)
    for k, v in _clean(changes).items():
        setattr(template, k, "" if v is None and k not in ("sector", "active") else v)
    values = {k: getattr(template, k) for k in EDITABLE}
    errors = _errors(values, allowed_pairs()) or _duplicate_error(values, template.region, exclude_pk=template.pk)
    if errors:
        raise ValidationFailed(errors)
    bump(template)
    template.save()
    assert_in_scope(template, actor, "change")
    audit.log_update(actor=actor, obj=template, before=before)
    return template


@service
def copy_template(*, actor, template: IndicatorTemplate, region):
    """Copy a template (usually a national one) into the region's library to adapt it."""
    values = {k: getattr(template, k) for k in EDITABLE}
    values["source_note"] = f"复制自{'全国模板' if template.is_national else '模板'}“{template.name}”"
    if _duplicate_error(values, region):
        raise ValidationFailed({"name": [f"本区划指标库已有“{template.name}”的副本或同名指标，请直接编辑它"]})
    return create_template(actor=actor, region=region, copied_from=template, **values)


@service
def admit_template(*, actor, region, name: str, level1: str, level2: str, operator: str, unit: str = "",
                   value: str = "", value_basis: str = ValueBasis.PLAN, scoring_standard: str = "",
                   explanation: str = "", keywords: str = "", sector=None, serves: str = ServesLevel.PROJECT,
                   source_note: str = ""):
    """纳入指标库: the performance section admits an indicator of an approved target sheet as a region
    template (kind 个性, the sheet's value as the typical value). An indicator already in the region's
    library, or in the national one, under the same natural key is not duplicated: that template is
    returned unchanged."""
    name = (name or "").strip()
    existing = (find_duplicate(region=region, name=name, level1=level1, level2=level2, sector=sector)
                or find_duplicate(region=None, name=name, level1=level1, level2=level2, sector=sector))
    if existing is not None:
        return existing
    return create_template(actor=actor, region=region, name=name, level1=level1, level2=level2, operator=operator,
                           unit=unit, typical_value=value, value_basis=value_basis,
                           scoring_standard=scoring_standard or _default_scoring(operator), explanation=explanation,
                           keywords=keywords, sector=sector, kind=TemplateKind.SPECIFIC, serves=serves,
                           source_note=source_note or "由审核通过的绩效目标表纳入")


def _default_scoring(operator: str) -> str:
    from jixiao.library.data.templates import scoring_standard

    label = dict(Operator.choices).get(operator)
    return scoring_standard(label) if label in ("≥", "＞", "=", "≤", "＜", "定性") else ""


@service
def record_usage(*, actor, templates) -> int:
    """Count one use of each template (a target sheet drew an indicator from it): one UPDATE with
    ``F()``, so concurrent sheets never lose a count. Not in the change log — a counter, not a change
    anyone reviews. Returns the number of templates counted."""
    ids = {getattr(t, "pk", t) for t in templates}
    if not ids:
        return 0
    return IndicatorTemplate.objects.filter(pk__in=ids).update(usage_count=F("usage_count") + 1)
