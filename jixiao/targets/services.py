"""Every write of F5 (target management), and the reads other apps call.

A sheet is written by the agency that asks for the money (谁申请资金，谁编制目标) — its preparer, or the
performance section correcting it — and reviewed along the region's ``target`` chain (单位自审 →
主管部门审核 → 业务股室初审 → 绩效股复审 → 专家会审 when chosen; 谁安排资金，谁审核) through
``jixiao.core.review``. Each save reruns the automatic quality check (``rules.check``) and stores its
findings; blocking findings stop a submit. Approval opens the project's budget gate
(``projects.gates``: 未设置绩效目标不得安排预算), and an in-year adjustment is a new version reviewed
again, without which the project's budget amount cannot change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone

from jixiao.core import audit
from jixiao.core import config as region_config
from jixiao.core import review as review_machinery
from jixiao.core.actors import person
from jixiao.core.choices import ReviewStatus
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import ServiceError, TransitionError, ValidationFailed
from jixiao.core.money import MoneyError, yuan
from jixiao.core.registry import Registry
from jixiao.core.roles import Role
from jixiao.core.scoping import assert_in_scope, check
from jixiao.core.services import service
from jixiao.library.choices import Level1, Level2, Operator, ValueBasis
from jixiao.projects import gates
from jixiao.targets import layout, rules
from jixiao.targets.choices import SheetStatus, TargetEventKind, TargetKind
from jixiao.targets.models import TargetFinding, TargetIndicator, TargetSheet, TargetTask

CHAIN = "target"
HEADER_FIELDS = ("annual_goal", "medium_goal", "amount", "fiscal_amount", "other_amount", "medium_amount",
                 "medium_fiscal", "medium_other", "adjustment_reason")
MONEY_FIELDS = ("amount", "fiscal_amount", "other_amount", "medium_amount", "medium_fiscal", "medium_other")
INDICATOR_FIELDS = ("level1", "level2", "name", "operator", "value", "unit", "weight", "scoring_standard",
                    "explanation", "value_basis", "template")
#: Project stages in which a project takes a target sheet: from the application to the end of its year.
OPEN_PROJECT_STAGES = ("reserve", "submitted", "assessing", "admitted", "budgeted", "executing")
_STATUS_OF_REVIEW = {
    ReviewStatus.DRAFT: SheetStatus.DRAFT,
    ReviewStatus.IN_REVIEW: SheetStatus.IN_REVIEW,
    ReviewStatus.RETURNED: SheetStatus.RETURNED,
    ReviewStatus.APPROVED: SheetStatus.APPROVED,
}

# --- last year's actual values: filled by the monitoring/evaluation apps ---------------------------

ActualsProvider = Callable[[list, int], dict]
#: ``fn(project_ids, year) -> {project id: {(indicator name, unit): Decimal}}``: the projects' actual
#: values in ``year``, for many projects at once (an import checks thousands of sheets). The
#: evaluation app (F7) registers one; until then the "weaker than last year" check has nothing to
#: compare with and stays silent.
actuals_providers = Registry("targets.actuals_providers")
register_actuals_provider = actuals_providers.register
unregister_actuals_provider = actuals_providers.unregister


def last_actuals(project_ids, year: int) -> dict[int, dict]:
    """{project id: {(normalised indicator name, unit): actual}} from every registered provider."""
    out: dict[int, dict] = {}
    ids = [pk for pk in project_ids if pk is not None]
    if not ids:
        return out
    for fn in actuals_providers:
        for pk, values in (fn(ids, year) or {}).items():
            out.setdefault(pk, {}).update({(rules.normalise_name(name), (unit or "").strip()): v
                                           for (name, unit), v in values.items()})
    return out


# --- reads -----------------------------------------------------------------------------------------

def taxonomy_tree(version: str) -> dict[str, list[str]]:
    """{level 1: [level 2, …]} of a taxonomy version, in display order."""
    from jixiao.library.models import TaxonomyEntry

    tree: dict[str, list[str]] = {}
    for level1, level2 in (TaxonomyEntry.objects.filter(taxonomy=version).order_by("position")
                           .values_list("level1", "level2")):
        tree.setdefault(level1, []).append(level2)
    return tree


def quality_settings(region, year: int) -> dict:
    """The configuration the check reads, once per sheet (or once per import)."""
    params = region_config.get(region, year, "target_quality_params")
    return {
        "severities": {r["code"]: r["severity"] for r in region_config.get(region, year, "target_quality_rules")},
        "qualitative_share_max": params["qualitative_share_max"],
        "weight_total": params["weight_total"],
        "standards": tuple(rules.Standard(r["keyword"], r["unit"] or "", r["ceiling"], r["source"] or "")
                           for r in region_config.get(region, year, "spending_standards")),
    }


def _previous_goal(sheet: TargetSheet) -> str:
    """Last year's approved annual goal of the same object (project, or agency whole budget)."""
    qs = TargetSheet.objects.filter(year=sheet.year - 1, status__in=[SheetStatus.APPROVED, SheetStatus.SUPERSEDED])
    qs = qs.filter(project=sheet.project) if sheet.project_id else qs.filter(agency=sheet.agency, kind=TargetKind.AGENCY)
    return qs.order_by("-number").values_list("annual_goal", flat=True).first() or ""


def check_input(sheet: TargetSheet, rows: Iterable[rules.Row], *, settings: dict | None = None,
                tree: dict | None = None) -> rules.CheckInput:
    settings = settings or quality_settings(sheet.region_id, sheet.year)
    return rules.CheckInput(
        rows=tuple(rows),
        annual_goal=sheet.annual_goal,
        taxonomy=tree if tree is not None else taxonomy_tree(sheet.taxonomy),
        previous_goal=_previous_goal(sheet),
        last_actuals=last_actuals([sheet.project_id], sheet.year - 1).get(sheet.project_id, {}),
        **settings,
    )


def rows_of(sheet: TargetSheet) -> list[rules.Row]:
    return [rules.Row(i.position, i.level1, i.level2, i.name, i.operator, i.value, i.unit, i.weight)
            for i in sheet.indicators.order_by("position")]


def recheck(sheet: TargetSheet) -> list[rules.Finding]:
    """Run the quality check on the stored sheet and store its findings (and counts)."""
    findings = rules.check(check_input(sheet, rows_of(sheet)))
    store_findings(sheet, findings)
    return findings


def store_findings(sheet: TargetSheet, findings: list[rules.Finding]) -> None:
    TargetFinding.objects.filter(sheet=sheet).delete()
    TargetFinding.objects.bulk_create([
        TargetFinding(region_id=sheet.region_id, sheet=sheet, code=f.code, severity=f.severity, row=f.row,
                      message=f.message[:255])
        for f in findings
    ])
    errors = sum(1 for f in findings if f.severity == "error")
    TargetSheet.objects.filter(pk=sheet.pk).update(error_count=errors, warning_count=len(findings) - errors)
    sheet.error_count, sheet.warning_count = errors, len(findings) - errors


def review_of(sheet: TargetSheet):
    return review_machinery.review_for(sheet, CHAIN)


def current_sheet(project, year: int | None = None) -> TargetSheet | None:
    """The newest version of a project's sheet for a year (its budget year by default)."""
    return (TargetSheet.objects.filter(project=project, year=year or project.year)
            .order_by("-number").first())


# --- the project library's gates (registered in TargetsConfig.ready) -------------------------------

def _approved(project) -> TargetSheet | None:
    return TargetSheet.objects.filter(project=project, year=project.year, status=SheetStatus.APPROVED).first()


def target_check(project, amount) -> bool | str:
    """未设置绩效目标不得安排预算 (《预算法》第三十二条): the project's sheet for its budget year is approved,
    and the budget amount is that sheet's annual amount (``rules.budget_amount_refusal``, the rule
    of every later change too)."""
    sheet = _approved(project)
    if sheet is None:
        sheet = current_sheet(project)
        if sheet is None:
            return f"项目尚未编报 {project.year} 年度绩效目标，不得纳入预算安排资金"
        return f"项目 {project.year} 年度绩效目标{sheet.get_status_display()}，批复后方可纳入预算"
    return rules.budget_amount_refusal(first=True, sheet_number=sheet.number, sheet_amount=sheet.amount,
                                       amount=amount) or True


def adjustment_check(project, amount) -> bool | str:
    """A budget adjustment follows an approved adjusted target sheet (四个同步): the approved current
    version must be an adjustment (version 2 or later) whose annual amount is the new budget
    (``rules.budget_amount_refusal``)."""
    sheet = _approved(project)
    return rules.budget_amount_refusal(first=False, sheet_number=sheet.number if sheet else None,
                                       sheet_amount=sheet.amount if sheet else None, amount=amount) or True


# --- validation ------------------------------------------------------------------------------------

def _money(errors: dict, field: str, value):
    label = TargetSheet._meta.get_field(field).verbose_name
    try:
        amount = yuan(value if value not in (None, "") else 0)
    except MoneyError as e:
        errors.setdefault(field, []).append(f"{label}：{e}")
        return Decimal("0")
    if amount < 0:
        errors.setdefault(field, []).append(f"{label}不能为负数")
    return amount


def _header(values: dict, errors: dict) -> dict:
    out = {}
    for field in HEADER_FIELDS:
        if field not in values:
            continue
        v = values[field]
        out[field] = _money(errors, field, v) if field in MONEY_FIELDS else (v or "").strip()
    return out


def _weight(value, errors: list[str], where: str):
    if value in (None, ""):
        return None
    try:
        w = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(f"{where}分值“{value}”不是数字")
        return None
    if not w.is_finite() or w < 0 or w >= 10000:
        errors.append(f"{where}分值应为 0—9999 之间的数字")
        return None
    return w.quantize(Decimal("0.01"))


_LENGTHS = {f: TargetIndicator._meta.get_field(f).max_length for f in ("name", "value", "unit")}


def clean_indicator(values: dict, position: int) -> tuple[dict, list[str]]:
    """One indicator from a form, an API body or an import row: codes checked, text trimmed, lengths
    and the weight checked. Quality (taxonomy fit, numeric values, duplicates …) is the check's job:
    it is reported, not refused, so a preparer can save work in progress."""
    where = f"第 {position} 项指标："
    errors: list[str] = []
    d = {k: (values.get(k).strip() if isinstance(values.get(k), str) else values.get(k)) for k in INDICATOR_FIELDS}
    if d["level1"] not in Level1.values:
        errors.append(f"{where}一级指标“{d['level1'] or ''}”无效")
    if d["level2"] not in Level2.values:
        errors.append(f"{where}二级指标“{d['level2'] or ''}”无效")
    if d["operator"] not in Operator.values:
        errors.append(f"{where}运算符“{d['operator'] or ''}”无效")
    for field, limit in _LENGTHS.items():
        d[field] = d[field] or ""
        if len(d[field]) > limit:
            label = TargetIndicator._meta.get_field(field).verbose_name
            errors.append(f"{where}{label}最多 {limit} 个字（现有 {len(d[field])} 个）")
    if not d["name"]:
        errors.append(f"{where}三级指标名称不能为空")
    d["value_basis"] = d["value_basis"] or ValueBasis.PLAN
    if d["value_basis"] not in ValueBasis.values:
        errors.append(f"{where}指标值确定依据“{d['value_basis']}”无效")
    d["weight"] = _weight(d["weight"], errors, where)
    d["scoring_standard"] = d["scoring_standard"] or ""
    d["explanation"] = d["explanation"] or ""
    d["number"] = rules.parse_number(d["value"]) if d["operator"] in rules.NUMERIC_OPERATORS else None
    if d["number"] is not None and abs(d["number"]) >= Decimal("1e16"):
        errors.append(f"{where}指标值过大")
    return d, errors


def _locked_editable(sheet: TargetSheet, version: int, actor) -> TargetSheet:
    sheet = lock_checked(TargetSheet, sheet.pk, version)
    check(actor, sheet, "edit")
    return sheet


# --- create and edit -------------------------------------------------------------------------------

def _title(kind: str, year: int, project=None, agency=None) -> str:
    return layout.sheet_title(kind, year, project_name=project.name if project else "",
                              agency_name=agency.name if agency else "")


@service
def create_sheet(*, actor, year: int, project=None, agency=None, annual_goal: str = "", medium_goal: str = "",
                 include_expert_panel: bool = False, **amounts) -> TargetSheet:
    """A declared (version 1) sheet: for a project or policy (``project``; the project's agency
    writes it) or an agency's whole budget (``agency``). Amounts default to the project's budget
    (``projects.gates.default_budget``: its budget amount, else the amount requested, within the amount
    an ex-ante assessment supported), all 财政拨款. The review starts as a draft with the region's target chain."""
    if (project is None) == (agency is None):
        raise ValueError("create_sheet needs a project or an agency")
    errors: dict[str, list[str]] = {}
    if project is not None:
        agency = project.agency
        kind = TargetKind.POLICY if project.kind == "policy" else TargetKind.PROJECT
        if project.stage not in OPEN_PROJECT_STAGES:
            raise TransitionError(f"项目已{project.get_stage_display()}，不能再编报绩效目标", code="target.project_closed")
        if TargetSheet.objects.filter(project=project, year=year).exists():
            raise TransitionError(f"该项目 {year} 年度的绩效目标表已存在", code="target.exists")
        default = gates.default_budget(project)
    else:
        kind = TargetKind.AGENCY
        if TargetSheet.objects.filter(agency=agency, kind=TargetKind.AGENCY, year=year).exists():
            raise TransitionError(f"该单位 {year} 年度的部门整体绩效目标表已存在", code="target.exists")
        default = Decimal("0")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["年度应为 2000—2100 之间的整数"]
    values = _header({"annual_goal": annual_goal, "medium_goal": medium_goal, **amounts}, errors)
    if errors:
        raise ValidationFailed(errors)
    values.setdefault("amount", yuan(default))
    if "fiscal_amount" not in amounts and "other_amount" not in amounts:
        values["fiscal_amount"] = values["amount"]
    sheet = TargetSheet(**layout.sheet_row(
        region_id=agency.region_id, agency_id=agency.pk, project_id=project.pk if project else None, kind=kind,
        year=year, taxonomy=region_config.get(agency.region_id, year, "taxonomy")["version"],
        title=_title(kind, year, project, agency), include_expert_panel=bool(include_expert_panel),
        created_by_id=getattr(person(actor), "pk", None), **values,
    ))
    sheet.agency, sheet.project = agency, project  # the instances at hand, not fetched again
    sheet.save(force_insert=True)
    assert_in_scope(sheet, actor, "create")
    audit.log_create(actor=actor, obj=sheet)
    _start_review(actor, sheet)
    recheck(sheet)
    if project is not None:
        _timeline(actor, sheet, "编报绩效目标")
    return sheet


def _start_review(actor, sheet: TargetSheet):
    return review_machinery.start_review(
        actor=actor, obj=sheet, chain=CHAIN, year=sheet.year, title=sheet.title,
        submit_roles=[Role.AGENCY_PREPARER], include_optional=sheet.include_expert_panel,
    )


def _timeline(actor, sheet: TargetSheet, title: str, note: str = "") -> None:
    from jixiao.projects.services import record_event

    record_event(actor=actor, project=sheet.project, kind=TargetEventKind.TARGETS, title=title, note=note,
                 data={"url": sheet.get_absolute_url(), "sheet": sheet.pk, "number": sheet.number})


@service
def update_sheet(*, actor, sheet: TargetSheet, version: int, **changes) -> TargetSheet:
    """Edit the header (goals, amounts, adjustment reason) of a draft or returned sheet."""
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    sheet = _locked_editable(sheet, version, actor)
    before = audit.snapshot(sheet)
    errors: dict[str, list[str]] = {}
    values = _header(changes, errors)
    if errors:
        raise ValidationFailed(errors)
    for k, v in values.items():
        setattr(sheet, k, v)
    bump(sheet)
    sheet.save()
    audit.log_update(actor=actor, obj=sheet, before=before)
    recheck(sheet)
    return sheet


def _write_indicators(sheet: TargetSheet, cleaned: list[dict]) -> None:
    TargetIndicator.objects.filter(sheet=sheet).delete()
    TargetIndicator.objects.bulk_create([
        TargetIndicator(region_id=sheet.region_id, sheet=sheet, position=i, **d)
        for i, d in enumerate(cleaned, start=1)
    ])


def _resolve_templates(region_id, rows: list[dict]) -> None:
    from jixiao.library.models import IndicatorTemplate

    ids = {r["template"] for r in rows if r.get("template") not in (None, "")}
    ids = {getattr(i, "pk", i) for i in ids}
    found = {t.pk: t for t in IndicatorTemplate.objects.available_in(region_id).filter(pk__in=ids)} if ids else {}
    for r in rows:
        t = r.get("template")
        if t not in (None, ""):
            r["template"] = found.get(getattr(t, "pk", t))


@service
def save_indicators(*, actor, sheet: TargetSheet, version: int, rows: list[dict]) -> TargetSheet:
    """Replace the sheet's indicators with ``rows`` (each a dict of ``INDICATOR_FIELDS``; ``template``
    an id or a template of the library the region reads). Every bad row is reported at once; then
    the quality check runs on the saved rows. Templates newly adopted count as used."""
    sheet = _locked_editable(sheet, version, actor)
    rows = [dict(r) for r in rows]
    _resolve_templates(sheet.region_id, rows)
    cleaned, problems = [], []
    for i, r in enumerate(rows, start=1):
        d, errs = clean_indicator(r, i)
        cleaned.append(d)
        problems.extend(errs)
    if len(cleaned) > rules.MAX_INDICATORS:
        problems.append(f"一张目标表最多 {rules.MAX_INDICATORS} 项指标（现有 {len(cleaned)} 项）")
    if problems:
        raise ValidationFailed({"indicators": problems})
    before = audit.snapshot(sheet)  # with every field of every indicator (audit_parent)
    old_templates = set(TargetIndicator.objects.filter(sheet=sheet, template__isnull=False)
                        .values_list("template_id", flat=True))
    _write_indicators(sheet, cleaned)
    bump(sheet)
    sheet.save()
    audit.log_update(actor=actor, obj=sheet, before=before)
    new_templates = [d["template"] for d in cleaned if d["template"] is not None
                     and d["template"].pk not in old_templates]
    if new_templates:
        from jixiao.library.services import record_usage

        record_usage(templates=new_templates, actor=actor)
    recheck(sheet)
    return sheet


def indicator_from_template(template) -> dict:
    """The indicator a template proposes (one-click adoption), filed under the sheet's taxonomy by
    the caller (``library.rules.map_pair``)."""
    return {"level1": template.level1, "level2": template.level2, "name": template.name,
            "operator": template.operator, "value": template.typical_value, "unit": template.unit,
            "weight": None, "scoring_standard": template.scoring_standard, "explanation": template.explanation,
            "value_basis": template.value_basis, "template": template}


def indicator_dicts(sheet: TargetSheet) -> list[dict]:
    return [{f: getattr(i, f) for f in INDICATOR_FIELDS} for i in sheet.indicators.order_by("position")]


@service
def adopt_templates(*, actor, sheet: TargetSheet, version: int, templates) -> TargetSheet:
    """一键引用: append the indicators the chosen library templates propose (already present names
    are skipped), mapped onto the sheet's taxonomy version."""
    from jixiao.library.rules import map_pair

    rows = indicator_dicts(sheet)
    have = {rules.normalise_name(r["name"]) for r in rows}
    for template in templates:
        if rules.normalise_name(template.name) in have:
            continue
        row = indicator_from_template(template)
        row["level1"], row["level2"] = map_pair(row["level1"], row["level2"], sheet.taxonomy)
        rows.append(row)
        have.add(rules.normalise_name(template.name))
    return save_indicators(actor=actor, sheet=sheet, version=version, rows=rows)


@service
def save_tasks(*, actor, sheet: TargetSheet, version: int, rows: list[dict]) -> TargetSheet:
    """Replace the main tasks of an agency's whole-budget sheet; the sheet's annual amounts become
    their sums (金额合计)."""
    sheet = _locked_editable(sheet, version, actor)
    if sheet.kind != TargetKind.AGENCY:
        raise TransitionError("只有部门整体绩效目标表有年度主要任务", code="target.not_agency")
    problems, cleaned = [], []
    for i, r in enumerate(rows, start=1):
        errs: dict[str, list[str]] = {}
        name = (r.get("name") or "").strip()
        if not name:
            problems.append(f"第 {i} 项任务：任务名称不能为空")
        elif len(name) > 128:
            problems.append(f"第 {i} 项任务：任务名称最多 128 个字")
        amounts = {}
        for field in ("amount", "fiscal_amount", "other_amount"):
            try:
                amounts[field] = yuan(r.get(field) or 0)
            except MoneyError as e:
                errs.setdefault(field, []).append(str(e))
                amounts[field] = Decimal("0")
        if not errs and amounts["amount"] == 0 and (amounts["fiscal_amount"] or amounts["other_amount"]):
            amounts["amount"] = amounts["fiscal_amount"] + amounts["other_amount"]
        if not errs and amounts["fiscal_amount"] + amounts["other_amount"] not in (0, amounts["amount"]):
            problems.append(f"第 {i} 项任务：财政拨款与其他资金之和应等于总额")
        problems.extend(f"第 {i} 项任务：{m}" for ms in errs.values() for m in ms)
        cleaned.append({"name": name, "content": (r.get("content") or "").strip(), **amounts})
    if problems:
        raise ValidationFailed({"tasks": problems})
    before = audit.snapshot(sheet)  # with every field of every task (audit_parent)
    TargetTask.objects.filter(sheet=sheet).delete()
    TargetTask.objects.bulk_create([TargetTask(region_id=sheet.region_id, sheet=sheet, position=i, **d)
                                    for i, d in enumerate(cleaned, start=1)])
    sheet.amount = sum((d["amount"] for d in cleaned), Decimal("0"))
    sheet.fiscal_amount = sum((d["fiscal_amount"] for d in cleaned), Decimal("0"))
    sheet.other_amount = sum((d["other_amount"] for d in cleaned), Decimal("0"))
    bump(sheet)
    sheet.save()
    audit.log_update(actor=actor, obj=sheet, before=before)
    return sheet


# --- review ----------------------------------------------------------------------------------------

def history(sheet: TargetSheet):
    """The sheet's review with its steps marked done/current/todo and its events (审核记录), as the
    page and the API show them: ``(review, steps, events)``, or ``(None, [], [])``."""
    from jixiao.core.models import ReviewEvent

    review = review_of(sheet)
    if review is None:
        return None, [], []
    steps = [{**s, "state": ("done" if review.status == ReviewStatus.APPROVED or i < review.position else
                             "current" if review.status == ReviewStatus.IN_REVIEW and i == review.position else
                             "todo")} for i, s in enumerate(review.steps)]
    events = list(ReviewEvent.objects.filter(review=review).order_by("pk"))
    return review, steps, events


def _sync(sheet: TargetSheet, review) -> None:
    sheet.status = _STATUS_OF_REVIEW[review.status]


def _locked_for_review(sheet: TargetSheet, version: int, actor, action: str):
    sheet = lock_checked(TargetSheet, sheet.pk, version)
    review = review_of(sheet)
    if review is None:  # every sheet starts its review when created; a missing one is a data fault
        assert_in_scope(sheet, actor, "view")
        raise TransitionError("该目标表没有审核流程", code="target.no_review")
    check(actor, sheet, action)
    return sheet, review, audit.snapshot(sheet)


def _finish(actor, sheet: TargetSheet, before: dict) -> TargetSheet:
    bump(sheet)
    sheet.save()
    audit.log_update(actor=actor, obj=sheet, before=before)
    return sheet


@service
def submit_sheet(*, actor, sheet: TargetSheet, version: int, opinion: str = "") -> TargetSheet:
    """Submit a draft or returned sheet into review. The quality check runs first; any finding of
    severity "error" refuses the submit with every such finding listed."""
    sheet, review, before = _locked_for_review(sheet, version, actor, "submit")
    if not sheet.indicators.exists():
        raise ValidationFailed({"indicators": ["尚未填写任何绩效指标，不能提交"]}, code="target.empty")
    findings = recheck(sheet)
    errors = rules.blocking(findings)
    if errors:
        raise ValidationFailed({"findings": [f.message for f in errors]}, code="target.quality")
    review_machinery.submit(actor=actor, review=review, version=review.version, opinion=opinion)
    review.refresh_from_db()
    _sync(sheet, review)
    sheet.submitted_at = timezone.now()
    return _finish(actor, sheet, before)


@service
def approve_sheet(*, actor, sheet: TargetSheet, version: int, opinion: str = "") -> TargetSheet:
    """Pass the current step. After the last step the version is approved (批复): an earlier approved
    version becomes superseded, and the project's timeline records it."""
    sheet, review, before = _locked_for_review(sheet, version, actor, "review")
    review_machinery.approve(actor=actor, review=review, version=review.version, opinion=opinion)
    return _after_pass(actor, sheet, review, before, opinion)


@service
def approve_sheet_on_behalf(*, actor, sheet: TargetSheet, version: int, member: str, opinion: str) -> TargetSheet:
    """代录: the performance section enters the opinion of a 专家会审 member without a login
    (``core.review.approve_on_behalf``); when the last member has passed, the sheet is approved."""
    sheet = lock_checked(TargetSheet, sheet.pk, version)
    assert_in_scope(sheet, actor, "view")
    review = review_of(sheet)
    if review is None:
        raise TransitionError("该目标表没有审核流程", code="target.no_review")
    before = audit.snapshot(sheet)
    review_machinery.approve_on_behalf(actor=actor, review=review, version=review.version, member=member,
                                       opinion=opinion)
    return _after_pass(actor, sheet, review, before, opinion)


def _after_pass(actor, sheet: TargetSheet, review, before: dict, opinion: str) -> TargetSheet:
    review.refresh_from_db()
    _sync(sheet, review)
    if sheet.status == SheetStatus.APPROVED:
        sheet.approved_at = timezone.now()
        _supersede_earlier(actor, sheet)
    sheet = _finish(actor, sheet, before)
    if sheet.status == SheetStatus.APPROVED and sheet.project_id:
        _timeline(actor, sheet, "绩效目标批复" if sheet.number == 1 else "调整后绩效目标批复", opinion)
    return sheet


def _supersede_earlier(actor, sheet: TargetSheet) -> None:
    earlier = TargetSheet.objects.filter(year=sheet.year, status=SheetStatus.APPROVED, number__lt=sheet.number)
    earlier = (earlier.filter(project=sheet.project) if sheet.project_id
               else earlier.filter(agency=sheet.agency, kind=TargetKind.AGENCY))
    for old in earlier:
        before = audit.snapshot(old)
        old.status = SheetStatus.SUPERSEDED
        bump(old)
        old.save()
        audit.log_update(actor=actor, obj=old, before=before)


@service
def return_sheet(*, actor, sheet: TargetSheet, version: int, opinion: str) -> TargetSheet:
    """退回: back to the preparer with the reviewer's opinion (required); every opinion stays visible."""
    sheet, review, before = _locked_for_review(sheet, version, actor, "review")
    review_machinery.return_(actor=actor, review=review, version=review.version, opinion=opinion)
    review.refresh_from_db()
    _sync(sheet, review)
    sheet.return_count += 1
    return _finish(actor, sheet, before)


def bulk_review(*, actor, sheets: Iterable[TargetSheet], action: str, opinion: str = "") -> tuple[int, list[str]]:
    """Approve or return several sheets (the reviewer's bulk action). Each sheet is its own service
    call (its own transaction), at the version just read: one refusal does not stop the others, and
    each refusal comes back as "title：reason"."""
    fn = {"approve": approve_sheet, "return": return_sheet}[action]
    done, failures = 0, []
    for sheet in sheets:
        try:
            fn(actor=actor, sheet=sheet, version=sheet.version, opinion=opinion)
            done += 1
        except (ServiceError, PermissionDenied) as e:
            message = "；".join(e.messages) if isinstance(e, ServiceError) else str(e)
            failures.append(f"{sheet.title}：{message}")
    return done, failures


# --- versions --------------------------------------------------------------------------------------

@service
def adjust_sheet(*, actor, sheet: TargetSheet, reason: str) -> TargetSheet:
    """In-year adjustment (年中调整): a new version copied from the approved one, with the reason, in
    draft and reviewed again along the chain. Only the approved current version can be adjusted, and
    only one adjustment is under way at a time."""
    sheet = TargetSheet.objects.select_for_update().get(pk=sheet.pk)
    check(actor, sheet, "adjust")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"adjustment_reason": ["请填写调整原因"]})
    siblings = TargetSheet.objects.filter(year=sheet.year)
    siblings = (siblings.filter(project=sheet.project) if sheet.project_id
                else siblings.filter(agency=sheet.agency, kind=TargetKind.AGENCY))
    number = (siblings.aggregate(n=Max("number"))["n"] or 0) + 1
    copy = TargetSheet.objects.create(
        region_id=sheet.region_id, agency=sheet.agency, project=sheet.project, kind=sheet.kind, year=sheet.year,
        number=number, previous=sheet, taxonomy=sheet.taxonomy, title=sheet.title,
        include_expert_panel=sheet.include_expert_panel, adjustment_reason=reason,
        created_by=person(actor),
        **{f: getattr(sheet, f) for f in ("annual_goal", "medium_goal", *MONEY_FIELDS)},
    )
    TargetIndicator.objects.bulk_create([
        TargetIndicator(region_id=copy.region_id, sheet=copy, position=i.position,
                        **{f: getattr(i, f) for f in (*INDICATOR_FIELDS, "number") if f != "template"},
                        template_id=i.template_id)
        for i in sheet.indicators.all()
    ])
    TargetTask.objects.bulk_create([
        TargetTask(region_id=copy.region_id, sheet=copy, position=t.position, name=t.name, content=t.content,
                   amount=t.amount, fiscal_amount=t.fiscal_amount, other_amount=t.other_amount)
        for t in sheet.tasks.all()
    ])
    assert_in_scope(copy, actor, "change")
    audit.log_create(actor=actor, obj=copy)
    _start_review(actor, copy)
    recheck(copy)
    if copy.project_id:
        _timeline(actor, copy, "调整绩效目标", reason)
    return copy


def versions(sheet: TargetSheet) -> list[TargetSheet]:
    """Every version of the sheet's object and year, oldest first (for side-by-side comparison)."""
    qs = TargetSheet.objects.filter(year=sheet.year)
    qs = qs.filter(project=sheet.project) if sheet.project_id else qs.filter(agency=sheet.agency,
                                                                             kind=TargetKind.AGENCY)
    return list(qs.order_by("number").prefetch_related("indicators"))


# --- disclosure flag (F11 builds the pages) ---------------------------------------------------------

@service
def set_published(*, actor, sheet: TargetSheet, version: int, published: bool, redacted: bool = False):
    """Mark an approved sheet as published with the budget (预算公开, domain-rules §12), or withdraw
    it; a redacted (涉密) sheet is never published."""
    sheet = lock_checked(TargetSheet, sheet.pk, version)
    check(actor, sheet, "publish")
    if published and redacted:
        raise ValidationFailed({"published": ["涉密内容不能公开"]})
    before = audit.snapshot(sheet)
    sheet.redacted = bool(redacted)
    sheet.published = bool(published)
    sheet.published_at = timezone.now() if published else None
    return _finish(actor, sheet, before)


# --- 专家会审: the optional last step ---------------------------------------------------------------

@service
def draw_panel(*, actor, sheet: TargetSheet, count: int, fields, seed=None):
    """Draw the experts of the 专家会审 step for a sheet that includes it (domain-rules §10): the
    sheet's agency is recused; the drawn experts become the step's reviewers."""
    from jixiao.pools.services import draw_experts

    sheet = TargetSheet.objects.select_for_update().get(pk=sheet.pk)
    # the declaration refuses a second draw: every expert drawn for the sheet sits on the panel
    # (pools.reviewers), so a second draw would silently enlarge it; changes go through replacement
    check(actor, sheet, "draw_panel")
    draw = draw_experts(actor=actor, region=sheet.region, purpose=f"{sheet.title}专家会审", count=count,
                        fields=fields, exclude_agencies=[sheet.agency], subject=sheet, seed=seed)
    before = audit.snapshot(sheet)
    sheet.expert_draw = draw
    _finish(actor, sheet, before)
    review = review_of(sheet)
    if review is not None:  # at 专家会审 already: the drawn experts' items replace 【无审核人】
        review_machinery.refresh_step(review)
    return draw


# --- the indicator editor's library suggestions (issue #10) ---------------------------------------

def suggestions_for(sheet: TargetSheet, *, limit: int = 12) -> list:
    """The library templates to propose in the sheet's editor (``library.services.suggest``): ranked
    by the project's (or agency's) sector and name and by what the region's approved sheets of
    similar projects used (``library.rules.peer_uses``: same sector, shared name bigrams); the level-1
    kinds the sheet still lacks (the 2021 taxonomy requires 成本) always get their best templates;
    templates already on the sheet are marked. The peers are read region-wide but only as counts of
    template ids per similar sheet — nothing of another agency's sheet reaches the page."""
    from jixiao.library import rules as library_rules
    from jixiao.library.services import suggest

    subject = sheet.project if sheet.project_id else sheet.agency
    sector = subject.sector.code if subject.sector_id else None
    text = subject.name if sheet.project_id else f"{subject.name} 部门整体支出"  # the agency templates' keyword
    description = sheet.project.description if sheet.project_id else ""
    rows = list(sheet.indicators.values_list("level1", "template_id"))
    adopted = {t for _l1, t in rows if t}
    present = {l1 for l1, _t in rows}
    missing = [k for k in taxonomy_tree(sheet.taxonomy) if k not in present]
    peers: dict[int, tuple[str, list[int]]] = {}
    if sector:
        similar = TargetIndicator.objects.filter(
            sheet__region_id=sheet.region_id, sheet__status=SheetStatus.APPROVED, sheet__kind=sheet.kind,
            template__isnull=False).exclude(sheet_id=sheet.pk)
        if sheet.project_id:
            similar = similar.filter(sheet__project__sector__code=sector).exclude(sheet__project_id=sheet.project_id)
            fields = ("sheet_id", "sheet__project__name", "template_id")
        else:
            similar = similar.filter(sheet__agency__sector__code=sector).exclude(sheet__agency_id=sheet.agency_id)
            fields = ("sheet_id", "sheet__agency__name", "template_id")
        for sheet_id, name, template_id in similar.values_list(*fields):
            peers.setdefault(sheet_id, (name, []))[1].append(template_id)
    uses = library_rules.peer_uses(text, sector, [(name, sector, ts) for name, ts in peers.values()])
    return suggest(region=sheet.region, sector_code=sector, name=text, description=description, limit=limit,
                   peer_uses=uses, adopted=adopted, missing_level1=missing)


# --- the project page's facts (projects.panels, registered in TargetsConfig.ready) ------------------

def project_facts(project, user) -> list[dict]:
    """The project's target sheet for its budget year, as the project page shows it: the current
    version and its status with a link, or "未编报" with a link to write it for those who may."""
    from django.urls import reverse

    from jixiao.core.scoping import can

    sheet = (TargetSheet.objects.for_user(user, "view").filter(project=project, year=project.year)
             .order_by("-number").first())
    if sheet is not None:
        value = f"{sheet.get_status_display()}（{sheet.version_label}）"
        return [{"label": "绩效目标", "value": value, "url": sheet.get_absolute_url()}]
    # the project page offers writing to those who write and submit the agency's sheets
    may_write = (can(user, TargetSheet, "create") and can(user, TargetSheet, "submit")
                 and project.stage in OPEN_PROJECT_STAGES)
    url = f"{reverse('targets:sheet_create')}?year={project.year}&project={project.pk}" if may_write else ""
    return [{"label": "绩效目标", "value": f"{project.year} 年度未编报" + ("，去编报" if may_write else ""), "url": url}]


def home_figures(user, year: int) -> dict | None:
    """The home page's target card (org.home): the year's current sheets the user sees by state
    (an adjusted sheet counts once, its latest version), with links to the list and to the statistics
    pages the user may read."""
    from django.db.models import Count
    from django.urls import reverse

    from jixiao.core.scoping import can
    from jixiao.projects.models import Project

    if not can(user, TargetSheet, "view"):
        return None
    qs = TargetSheet.objects.for_user(user, "view").filter(year=year).exclude(status=SheetStatus.SUPERSEDED)
    by_status = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    base = f"{reverse('targets:sheet_list')}?year={year}"
    figures = [{"label": "绩效目标表", "value": sum(by_status.values()), "unit": "张", "url": base}]
    figures += [{"label": f"　{s.label}", "value": by_status.get(s.value, 0), "unit": "张",
                 "url": f"{base}&status={s.value}"}
                for s in (SheetStatus.DRAFT, SheetStatus.IN_REVIEW, SheetStatus.RETURNED, SheetStatus.APPROVED)]
    links = [{"label": "目标表列表", "url": base}]
    if can(user, Project, "view"):  # the statistics pages' own gate (views_statistics.gate)
        links += [{"label": "覆盖率统计", "url": f"{reverse('targets:coverage')}?year={year}"},
                  {"label": "目标统计", "url": f"{reverse('targets:statistics')}?year={year}"}]
    return {"order": 30, "title": "绩效目标", "icon": "bullseye", "figures": figures, "links": links}


# --- 审核超期提醒 (manage.py remind_overdue_targets, daily) -------------------------------------------

@service
def remind_overdue_reviews(*, actor, now=None) -> dict:
    """审核超期提醒: a target review in review whose current step has waited longer than the region's
    ``target_quality_params.review_days`` (counted from the review's last event: the submit, or the
    previous step's approval) gets a 截止提醒 for the step's assignees — once per step; reminders of
    steps that have moved on (or of reviews no longer in review) are closed (``core.reminders``).
    ``actor`` is ``SYSTEM`` from the command line; reminders write no change log."""
    from datetime import timedelta

    from django.db.models import OuterRef, Subquery
    from django.urls import reverse

    from jixiao.core import reminders
    from jixiao.core.models import Review, ReviewEvent

    now = now or timezone.now()
    last_event = (ReviewEvent.objects.filter(review=OuterRef("pk")).order_by().values("review")
                  .annotate(t=Max("created_at")).values("t"))
    reviews = (Review.objects.filter(chain=CHAIN, status=ReviewStatus.IN_REVIEW)
               .annotate(waiting_since=Subquery(last_event)).order_by("pk"))
    days_of: dict[tuple[int, int], int] = {}

    def due(review) -> reminders.Due:
        since, step = review.waiting_since, review.current_step
        if since is None or step is None:
            return reminders.Due(obj=review, region_id=review.region_id, since=since, remind_at=None,
                                 users=list, title="")
        key = (review.region_id, review.year)
        if key not in days_of:
            days_of[key] = int(region_config.get(review.region_id, review.year, "target_quality_params")["review_days"])
        deadline = since + timedelta(days=days_of[key])
        return reminders.Due(
            obj=review, region_id=review.region_id, since=since, remind_at=deadline, due_at=deadline,
            users=lambda: review_machinery.assignees(review),
            title=f"【审核超期】{step['name']}：{review.title}（已等待 {(now - since).days} 天，时限 {days_of[key]} 天）",
            url=reverse("targets:sheet_detail", args=[review.object_id]),
        )

    sent = reminders.send(family=Review.objects.filter(chain=CHAIN), due=(due(r) for r in reviews), now=now)
    return {"overdue_reviews": sent["reminded"], "reminders_opened": sent["opened"], "reminders_closed": sent["closed"]}
