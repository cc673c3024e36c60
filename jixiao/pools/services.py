"""Every write of F9 (expert and firm pools, draws). Keyword-only, explicit actor, atomic, audited."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from jixiao.core import audit, inbox
from jixiao.core.actors import is_system, person
from jixiao.core.choices import InboxKind
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import ValidationFailed
from jixiao.core.roles import Role, has_role
from jixiao.core.scoping import assert_in_scope, can, check
from jixiao.core.services import service
from jixiao.org.models import Agency, Sector, User
from jixiao.pools import rules
from jixiao.pools.choices import DrawnStatus, ExpertStatus, FirmKind, FirmStatus
from jixiao.pools.models import Draw, DrawnExpert, Expert, Firm, FirmRecord


def _length_errors(model, errors: dict[str, list[str]], **values) -> dict[str, list[str]]:
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(value, str) and field.max_length and len(value) > field.max_length:
            errors.setdefault(name, []).append(f"{field.verbose_name}最多 {field.max_length} 个字（现有 {len(value)} 个）")
    return errors


def _login_errors(*, user, region, role, model, exclude_pk, errors) -> None:
    """A linked login must be a login of the region with the pool's role, linked to no one else."""
    if user is None:
        return
    if user.region_id != region.pk:
        errors.setdefault("user", []).append("登录账号不在本区划")
    elif not has_role(user, {role}):
        errors.setdefault("user", []).append(f"登录账号的角色应为“{Role(role).label}”")
    elif model.objects.filter(user=user).exclude(pk=exclude_pk).exists():
        errors.setdefault("user", []).append(f"登录账号 {user.username} 已关联其他{model._meta.verbose_name}")


# --- firms ------------------------------------------------------------------------------------------

FIRM_FIELDS = {"name", "kind", "credit_code", "qualifications", "status", "user"}


def _firm_errors(firm: Firm, exclude_pk=None) -> dict[str, list[str]]:
    errors = _length_errors(Firm, {}, name=firm.name)
    if not firm.name:
        errors.setdefault("name", []).append("机构名称不能为空")
    if firm.kind not in FirmKind.values:
        errors.setdefault("kind", []).append(f"未知的机构类型 {firm.kind}")
    if firm.status not in FirmStatus.values:
        errors.setdefault("status", []).append(f"未知的状态 {firm.status}")
    if message := rules.credit_code_error(firm.credit_code):
        errors.setdefault("credit_code", []).append(message)
    elif Firm.objects.filter(region_id=firm.region_id, credit_code=firm.credit_code).exclude(pk=exclude_pk).exists():
        errors.setdefault("credit_code", []).append(f"统一社会信用代码 {firm.credit_code} 已在机构库中")
    _login_errors(user=firm.user, region=firm.region, role=Role.FIRM, model=Firm, exclude_pk=exclude_pk,
                  errors=errors)
    return errors


def _clean(value):
    return value.strip() if isinstance(value, str) else value


@service
def create_firm(*, actor, region, name: str, kind: str, credit_code: str, qualifications: str = "",
                status: str = FirmStatus.ACTIVE, user: User | None = None):
    firm = Firm(region=region, name=_clean(name or ""), kind=kind, credit_code=_clean(credit_code or "").upper(),
                qualifications=_clean(qualifications or ""), status=status, user=user)
    if errors := _firm_errors(firm):
        raise ValidationFailed(errors)
    firm.save()
    assert_in_scope(firm, actor, "create")
    audit.log_create(actor=actor, obj=firm)
    return firm


@service
def update_firm(*, actor, firm: Firm, version: int, **changes):
    firm = lock_checked(Firm, firm.pk, version)
    assert_in_scope(firm, actor, "change")
    if unknown := set(changes) - FIRM_FIELDS:
        raise ValueError(f"unknown fields {unknown}")
    before = audit.snapshot(firm)
    for k, v in changes.items():
        setattr(firm, k, _clean(v) if v is not None or k == "user" else "")
    firm.credit_code = firm.credit_code.upper()
    if errors := _firm_errors(firm, exclude_pk=firm.pk):
        raise ValidationFailed(errors)
    bump(firm)
    firm.save()
    assert_in_scope(firm, actor, "change")
    audit.log_update(actor=actor, obj=firm, before=before)
    return firm


@service
def add_firm_record(*, actor, firm: Firm, year: int, object: str, quality_score=None, note: str = ""):
    """A row of the firm's track record; the score is the experts' report-quality score (0–100)."""
    errors: dict[str, list[str]] = {}
    object = (object or "").strip()
    if not object:
        errors["object"] = ["评价对象不能为空"]
    _length_errors(FirmRecord, errors, object=object, note=note or "")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["年度应为 2000—2100 之间的整数"]
    if quality_score is not None:
        try:
            quality_score = Decimal(str(quality_score)).quantize(Decimal("0.01"))
        except InvalidOperation:
            errors["quality_score"] = ["报告质量评分应为数字"]
        else:
            if not Decimal(0) <= quality_score <= Decimal(100):
                errors["quality_score"] = ["报告质量评分应在 0—100 之间"]
    if errors:
        raise ValidationFailed(errors)
    record = FirmRecord.objects.create(region_id=firm.region_id, firm=firm, year=year, object=object,
                                       quality_score=quality_score, note=(note or "").strip())
    assert_in_scope(record, actor, "create")
    audit.log_create(actor=actor, obj=record)
    return record


# --- experts ----------------------------------------------------------------------------------------

EXPERT_FIELDS = {"name", "organisation", "title", "qualification", "status", "agency", "firm", "phone", "email",
                 "user"}


def _expert_errors(expert: Expert, fields, exclude_pk=None) -> dict[str, list[str]]:
    errors = _length_errors(Expert, {}, name=expert.name, organisation=expert.organisation, title=expert.title,
                            qualification=expert.qualification, phone=expert.phone, email=expert.email)
    if not expert.name:
        errors.setdefault("name", []).append("姓名不能为空")
    if not expert.organisation:
        errors.setdefault("organisation", []).append("工作单位不能为空")
    if expert.name and expert.organisation and Expert.objects.filter(
            region_id=expert.region_id, name=expert.name, organisation=expert.organisation).exclude(pk=exclude_pk).exists():
        errors.setdefault("name", []).append(f"专家“{expert.name}”（{expert.organisation}）已在专家库中")
    if expert.status not in ExpertStatus.values:
        errors.setdefault("status", []).append(f"未知的状态 {expert.status}")
    if not fields:
        errors.setdefault("fields", []).append("请至少选择一个专业领域")
    if expert.email:
        try:
            validate_email(expert.email)
        except DjangoValidationError:
            errors.setdefault("email", []).append("电子邮箱格式不正确")
    if expert.agency is not None and expert.agency.region_id != expert.region_id:
        errors.setdefault("agency", []).append("所在预算单位不在本区划")
    if expert.firm is not None and expert.firm.region_id != expert.region_id:
        errors.setdefault("firm", []).append("所属第三方机构不在本区划")
    _login_errors(user=expert.user, region=expert.region, role=Role.EXPERT, model=Expert, exclude_pk=exclude_pk,
                  errors=errors)
    return errors


@service
def create_expert(*, actor, region, name: str, organisation: str, fields=(), title: str = "",
                  qualification: str = "", status: str = ExpertStatus.ACTIVE, agency: Agency | None = None,
                  firm: Firm | None = None, phone: str = "", email: str = "", user: User | None = None):
    fields = list(fields)
    expert = Expert(region=region, name=_clean(name or ""), organisation=_clean(organisation or ""),
                    title=_clean(title or ""), qualification=_clean(qualification or ""), status=status,
                    agency=agency, firm=firm, phone=_clean(phone or ""), email=_clean(email or ""), user=user)
    if errors := _expert_errors(expert, fields):
        raise ValidationFailed(errors)
    expert.save()
    expert.fields.set(fields)
    assert_in_scope(expert, actor, "create")
    audit.log_create(actor=actor, obj=expert)
    return expert


@service
def update_expert(*, actor, expert: Expert, version: int, fields=None, **changes):
    expert = lock_checked(Expert, expert.pk, version)
    assert_in_scope(expert, actor, "change")
    if unknown := set(changes) - EXPERT_FIELDS:
        raise ValueError(f"unknown fields {unknown}")
    before = audit.snapshot(expert)
    for k, v in changes.items():
        setattr(expert, k, _clean(v) if v is not None or k in ("agency", "firm", "user") else "")
    fields = list(expert.fields.all()) if fields is None else list(fields)
    if errors := _expert_errors(expert, fields, exclude_pk=expert.pk):
        raise ValidationFailed(errors)
    bump(expert)
    expert.save()
    expert.fields.set(fields)
    assert_in_scope(expert, actor, "change")
    audit.log_update(actor=actor, obj=expert, before=before)
    if expert.user_id and expert.user_id != before.get("user_id"):
        _login_linked(actor=actor, expert=expert)
    return expert


def _login_linked(*, actor, expert: Expert) -> None:
    """An expert got a login: their open invitations (still invited, of a subject that has not
    concluded) come to the new login's inbox, and the apps above open the tasks they hold for the
    expert (``models.login_linked``: the assessment's scoring tasks). Items a previous login held
    are closed first, so nothing shows twice."""
    from jixiao.pools.models import draw_open, login_linked

    rows = [r for r in DrawnExpert.objects.filter(expert=expert, status=DrawnStatus.INVITED)
            .select_related("draw", "expert__user") if draw_open(r.draw)]
    for row in rows:
        _close(row)
        _invite([row], row.draw)
    for hook in login_linked:
        hook(actor=actor, expert=expert)


# --- draws ------------------------------------------------------------------------------------------

def _ids(items) -> list[int]:
    return list(dict.fromkeys(int(getattr(x, "pk", x)) for x in items or ()))


def candidates(region_id: int) -> list[rules.Candidate]:
    """The region's experts as plain values: two queries, whatever the pool size."""
    field_map: dict[int, set[int]] = {}
    for expert_id, sector_id in Expert.fields.through.objects.filter(expert__region_id=region_id).values_list(
            "expert_id", "sector_id"):
        field_map.setdefault(expert_id, set()).add(sector_id)
    return [
        rules.Candidate(id=pk, active=status == ExpertStatus.ACTIVE, fields=frozenset(field_map.get(pk, ())),
                        agency_id=agency_id, firm_id=firm_id, agency_path=agency_path or "")
        for pk, status, agency_id, firm_id, agency_path in Expert.objects.filter(region_id=region_id).values_list(
            "pk", "status", "agency_id", "firm_id", "agency__path")
    ]


def _invite(drawn_rows: list[DrawnExpert], draw: Draw) -> None:
    url = reverse("pools:my_tasks")
    for row in drawn_rows:
        if row.expert.user_id:
            inbox.open_items(users=[row.expert.user], region_id=draw.region_id, kind=InboxKind.ASSIGNMENT,
                             title=f"专家邀请：{draw.purpose}", url=url, obj=row)


@service
def draw_experts(*, actor, region, purpose: str, count: int, fields, exclude_agencies=(), exclude_firms=(),
                 exclude_drawn_in=None, subject=None, seed=None):
    """Draw ``count`` experts at random among the eligible (domain-rules §10; 财预〔2021〕6号):
    active experts of the region with any of ``fields``, not recused (``rules.recusal``: an expert of
    the department of an agency in ``exclude_agencies`` — that agency, its department or any unit of
    the department — or of a firm in ``exclude_firms``), and — when ``exclude_drawn_in`` is given — not drawn in that earlier draw. The choice runs
    ``random.Random(seed)`` over the eligible ids in ascending order. The seed is drawn by the system
    (``secrets``, cryptographically random) and recorded with the eligible ids, so anyone who sees
    the draw can re-run it (:func:`verify_draw`); nobody chooses it. Only SYSTEM (the demo builder
    and tests, whose data must be the same for the same demo seed) may pass ``seed``; a person's
    call with one is refused."""

    purpose = (purpose or "").strip()
    field_ids, agency_ids, firm_ids = _ids(fields), _ids(exclude_agencies), _ids(exclude_firms)
    errors: dict[str, list[str]] = {}
    if not purpose:
        errors["purpose"] = ["请填写抽取事由"]
    _length_errors(Draw, errors, purpose=purpose)
    if not isinstance(count, int) or not 1 <= count <= 99:
        errors["count"] = ["抽取人数应为 1—99 的整数"]
    sectors = list(Sector.objects.filter(pk__in=field_ids))
    if not field_ids:
        errors["fields"] = ["请至少选择一个专业领域"]
    elif len(sectors) != len(field_ids):
        errors["fields"] = ["专业领域不存在"]
    agencies = list(Agency.objects.filter(region=region, pk__in=agency_ids))
    if len(agencies) != len(agency_ids):
        errors["exclude_agencies"] = ["回避单位不在本区划"]
    firms = list(Firm.objects.filter(region=region, pk__in=firm_ids))
    if len(firms) != len(firm_ids):
        errors["exclude_firms"] = ["回避机构不在本区划"]
    earlier = None
    if exclude_drawn_in is not None:
        earlier = Draw.objects.filter(region=region, pk=getattr(exclude_drawn_in, "pk", exclude_drawn_in)).first()
        if earlier is None:
            errors["exclude_drawn_in"] = ["要排除的抽取记录不在本区划"]
    if seed is not None and not is_system(actor):
        errors["seed"] = [rules.SEED_REFUSAL]
    elif seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63):
        errors["seed"] = ["随机种子应为非负整数"]
    if errors:
        raise ValidationFailed(errors)
    seed = secrets.randbelow(10**12) if seed is None else seed
    drawn_before = set(earlier.drawn.values_list("expert_id", flat=True)) if earlier else set()
    members = candidates(region.pk)
    recuse = [a.path for a in agencies]
    pool = rules.eligible(members, fields=field_ids, recuse_agencies=recuse, exclude_firms=firm_ids,
                          exclude_experts=drawn_before)
    if len(pool) < count:
        raise ValidationFailed({"count": [rules.shortfall_message(len(pool), count)]}, code="pool_too_small")
    chosen = rules.choose(pool, count, seed)
    draw = Draw.objects.create(
        region=region, purpose=purpose, count=count, seed=seed, pool=pool, exclude_drawn_in=earlier,
        created_by=person(actor),
        content_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        object_id=subject.pk if subject is not None else None,
    )
    draw.fields.set(sectors)
    draw.exclude_agencies.set(agencies)
    draw.exclude_firms.set(firms)
    draw.excluded.set(rules.conflicted(members, fields=field_ids, recuse_agencies=recuse, exclude_firms=firm_ids))
    experts = Expert.objects.in_bulk(chosen)
    rows = DrawnExpert.objects.bulk_create([
        DrawnExpert(region=region, draw=draw, expert=experts[pk], order=i) for i, pk in enumerate(chosen, start=1)
    ])
    assert_in_scope(draw, actor, "create")
    audit.log_create(actor=actor, obj=draw)
    for row in rows:  # at most 99: who was drawn, in which order, in the change log too
        audit.log_create(actor=actor, obj=row)
    _invite(rows, draw)
    return draw


def _close(row: DrawnExpert) -> None:
    inbox.close_items(obj=row, kind=InboxKind.ASSIGNMENT)


@service
def accept_drawn(*, actor, drawn: DrawnExpert):
    """The drawn expert accepts the invitation (only the expert, from their own login)."""
    return _accept(actor, drawn, "accept")


@service
def accept_on_behalf(*, actor, drawn: DrawnExpert):
    """The performance section records the acceptance of an expert without a login (代录: the expert
    signed the score sheet). The change log names the section's user as the actor."""
    return _accept(actor, drawn, "accept_on_behalf")


def _accept(actor, drawn: DrawnExpert, action_name: str) -> DrawnExpert:
    row = DrawnExpert.objects.select_for_update(of=("self",)).select_related("draw", "expert__user").get(pk=drawn.pk)
    check(actor, row, action_name)
    before = audit.snapshot(row)
    row.status, row.responded_at = DrawnStatus.ACCEPTED, timezone.now()
    row.save(update_fields=["status", "responded_at"])
    audit.log_update(actor=actor, obj=row, before=before)
    _close(row)
    return row


@service
def decline_and_replace(*, actor, drawn: DrawnExpert, reason: str):
    """Mark a drawn expert declined (by the expert) or replaced (by the performance section, e.g.
    unreachable or a conflict found late) and draw one replacement with a derived seed
    (``rules.derived_seed(draw.seed, n)`` for the n-th replacement), under the draw's exclusions and
    leaving out everyone already in the draw. Returns the replacement row. The expert's answer is the
    declared action ``decline``, the performance section's (and SYSTEM's) ``replace``."""
    row = DrawnExpert.objects.select_for_update().select_related("draw", "expert").get(pk=drawn.pk)
    by_expert = not can(actor, DrawnExpert, "replace")
    check(actor, row, "decline" if by_expert else "replace")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["请说明谢绝或替换的原因"]})
    if errors := _length_errors(DrawnExpert, {}, reason=reason):
        raise ValidationFailed(errors)
    draw = row.draw
    in_draw = set(DrawnExpert.objects.filter(draw=draw).values_list("expert_id", flat=True))
    if draw.exclude_drawn_in_id:
        in_draw |= set(DrawnExpert.objects.filter(draw_id=draw.exclude_drawn_in_id).values_list("expert_id", flat=True))
    pool = rules.eligible(
        candidates(draw.region_id), fields=draw.fields.values_list("pk", flat=True),
        recuse_agencies=draw.exclude_agencies.values_list("path", flat=True),
        exclude_firms=draw.exclude_firms.values_list("pk", flat=True), exclude_experts=in_draw,
    )
    if not pool:
        raise ValidationFailed({"reason": ["没有可替补的专家：符合条件的专家均已抽中或需回避。"]}, code="pool_too_small")
    n = DrawnExpert.objects.filter(draw=draw, seed__isnull=False).count() + 1
    seed = rules.derived_seed(draw.seed, n)
    (pick,) = rules.choose(pool, 1, seed)
    order = DrawnExpert.objects.filter(draw=draw).aggregate(m=Max("order"))["m"] + 1
    replacement = DrawnExpert.objects.create(region_id=draw.region_id, draw=draw, expert_id=pick, order=order,
                                             seed=seed, pool=pool)
    before = audit.snapshot(row)
    row.status = DrawnStatus.DECLINED if by_expert else DrawnStatus.REPLACED
    row.replaced_by, row.reason, row.responded_at = replacement, reason, timezone.now()
    row.save(update_fields=["status", "replaced_by", "reason", "responded_at"])
    audit.log_update(actor=actor, obj=row, before=before)
    audit.log_create(actor=actor, obj=replacement)
    _close(row)
    _invite([replacement], draw)
    return replacement


def verify_draw(draw: Draw) -> list[rules.Check]:
    """Re-run the recorded draw (复核, ``rules.verify``): the original draw and every replacement,
    from nothing but what the draw recorded (seed, pool, who was drawn in which order)."""
    rows = list(DrawnExpert.objects.filter(draw=draw).order_by("order").values_list("expert_id", "seed", "pool"))
    return rules.verify(pool=draw.pool, count=draw.count, seed=draw.seed,
                        recorded=[e for e, seed, _ in rows if seed is None],
                        replacements=[(seed, pool, e) for e, seed, pool in rows if seed is not None])
