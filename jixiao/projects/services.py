"""Every write of F3 (project library). Keyword-only, explicit actor, atomic, audited.

Stage moves are one named service each (``submit_for_assessment`` 申报入库, ``start_assessment`` — the
assessment app's —, ``return_to_reserve``, ``admit``,
``include_in_budget``, ``start_execution``, ``complete``, ``terminate``); each locks the row at the
version the caller saw, checks the move, the actor's role and the gates (``gates.py``), and writes a
``ProjectEvent`` (from, to, actor, note, time) — the project's timeline. ``record_event`` is the
one way any app adds to that timeline."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jixiao.core import audit
from jixiao.core.actors import person
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import TransitionError, ValidationFailed
from jixiao.core.money import MoneyError, yuan
from jixiao.core.scoping import assert_in_scope, can, check
from jixiao.core.services import service
from jixiao.projects import gates, rules
from jixiao.projects.choices import (
    ASSESS,
    MOVE_LABELS,
    BudgetBook,
    EventKind,
    FundSource,
    ProjectAction,
    ProjectKind,
    ProjectStage,
    ProjectTag,
)
from jixiao.projects.models import Project, ProjectEvent

EDITABLE = ("code", "name", "kind", "agency", "sector", "budget_book", "function_code", "fund_sources",
            "requested_amount", "budget_amount", "is_new", "is_major", "tags", "year", "start_year", "end_year",
            "description")

# --- validation ----------------------------------------------------------------------------------

def _money(errors, name, label, value) -> Decimal:
    try:
        amount = yuan(value if value is not None else 0)
    except MoneyError as exc:
        errors.setdefault(name, []).append(str(exc))
        return Decimal(0)
    if amount < 0:
        errors.setdefault(name, []).append(f"{label}不能为负数")
    elif amount >= Decimal("1e16"):
        errors.setdefault(name, []).append(f"{label}超出可记录的范围")
    return amount


def _codes(errors, name, label, values, choices) -> list[str]:
    values = list(values or [])
    bad = [str(v) for v in values if v not in choices.values]
    if bad:
        errors.setdefault(name, []).append(f"未知的{label}：{'、'.join(bad)}（可选：{'、'.join(choices.labels)}）")
    if len(set(values)) != len(values):
        errors.setdefault(name, []).append(f"{label}有重复")
    order = list(choices.values)
    return sorted(dict.fromkeys(v for v in values if v in choices.values), key=order.index)


def clean_fields(data: dict, *, region) -> tuple[dict, dict[str, list[str]]]:
    """Normalise and check one project's fields (no uniqueness: the callers check codes set-based)."""
    errors: dict[str, list[str]] = {}
    d = dict(data)
    d["kind"] = d.get("kind") or ProjectKind.PROJECT
    d["budget_book"] = d.get("budget_book") or BudgetBook.GENERAL_PUBLIC
    for key in ("code", "name", "function_code", "description"):
        d[key] = (d.get(key) or "").strip()
    if not d["name"]:
        errors.setdefault("name", []).append("项目名称不能为空")
    for key in ("code", "name"):
        limit = Project._meta.get_field(key).max_length
        if len(d[key]) > limit:
            errors.setdefault(key, []).append(f"{Project._meta.get_field(key).verbose_name}最多 {limit} 个字")
    if any(ch.isspace() for ch in d["code"]):
        errors.setdefault("code", []).append("项目编码中不能有空格")
    if d.get("kind") not in ProjectKind.values:
        errors.setdefault("kind", []).append(f"未知的类型 {d.get('kind')}")
    if d.get("budget_book") not in BudgetBook.values:
        errors.setdefault("budget_book", []).append(f"未知的预算类型 {d.get('budget_book')}")
    if msg := rules.function_code_error(d["function_code"]):
        errors.setdefault("function_code", []).append(msg)
    d["fund_sources"] = _codes(errors, "fund_sources", "资金来源", d.get("fund_sources"), FundSource)
    if not d["fund_sources"] and "fund_sources" not in errors:
        errors["fund_sources"] = ["请至少选择一个资金来源"]
    d["tags"] = _codes(errors, "tags", "标签", d.get("tags"), ProjectTag)
    d["requested_amount"] = _money(errors, "requested_amount", "申报金额", d.get("requested_amount"))
    d["budget_amount"] = _money(errors, "budget_amount", "预算金额", d.get("budget_amount"))
    agency, sector = d.get("agency"), d.get("sector")
    if agency is None:
        errors.setdefault("agency", []).append("请选择申报单位")
    elif agency.region_id != region.pk:
        errors.setdefault("agency", []).append("申报单位不在本区划")
    elif not agency.active:
        errors.setdefault("agency", []).append(f"单位“{agency.name}”已停用")
    if sector is None:
        errors.setdefault("sector", []).append("请选择行业领域")
    d["is_new"], d["is_major"] = bool(d.get("is_new")), bool(d.get("is_major"))
    try:
        d["year"] = int(d["year"])
        d["start_year"] = int(d.get("start_year") or d["year"])
        d["end_year"] = int(d.get("end_year") or d["start_year"])
    except (KeyError, TypeError, ValueError):
        errors.setdefault("year", []).append("请填写预算年度")
    else:
        for k, v in rules.year_errors(year=d["year"], start_year=d["start_year"], end_year=d["end_year"]).items():
            errors.setdefault(k, []).extend(v)
    return d, errors


def _next_code(region, year: int, agency) -> str:
    """XM + year + agency code + a running number: readable, and unique in the region."""
    prefix = f"XM{year}{agency.code}"
    taken = set(Project.objects.filter(region=region, code__startswith=prefix).values_list("code", flat=True))
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


# --- the timeline --------------------------------------------------------------------------------

def _actor_fields(actor) -> dict:
    """The timeline's actor columns: the user row (none for SYSTEM) and the name shown (系统)."""
    return {"actor": person(actor), "actor_name": (actor.display_name or actor.get_username())[:64]}


@service
def record_event(*, actor, project: Project, kind: str, title: str, note: str = "", from_stage: str = "",
                 to_stage: str = "", data: dict | None = None) -> ProjectEvent:
    """Add an entry to a project's timeline. Called from other services (this app's stage moves, and
    later apps': an assessment concluded, targets approved …), which have checked their actor's
    scope already — an expert finishing an assessment cannot see the project list, yet the project's
    life must show the assessment."""
    if not kind or not title:
        raise ValueError("record_event needs a kind and a title")
    fields = _actor_fields(actor)
    event = ProjectEvent.objects.create(
        region_id=project.region_id, project=project, kind=kind, title=title[:64], from_stage=from_stage,
        to_stage=to_stage, note=note, data=data or {}, created_at=timezone.now(), **fields,
    )
    audit.log_create(actor=actor, obj=event)
    return event


# --- create and edit -----------------------------------------------------------------------------

@service
def create_project(*, actor, region, agency, name: str, kind: str = ProjectKind.PROJECT, sector=None,
                   budget_book: str = BudgetBook.GENERAL_PUBLIC, function_code: str = "", fund_sources=(),
                   requested_amount=0, budget_amount=0, is_new: bool = True, is_major: bool = False, tags=(),
                   year: int | None = None, start_year: int | None = None, end_year: int | None = None,
                   description: str = "", code: str = "") -> Project:
    """A new project in 储备. An empty code gets the next ``XM<year><agency code><nnn>``; the code stays
    with the project for its whole life."""
    if not can(actor, Project, "create"):
        raise PermissionDenied("只有单位填报人和绩效股可以新建项目。")
    d, errors = clean_fields(dict(
        code=code, name=name, kind=kind, agency=agency, sector=sector, budget_book=budget_book,
        function_code=function_code, fund_sources=fund_sources, requested_amount=requested_amount,
        budget_amount=budget_amount, is_new=is_new, is_major=is_major, tags=tags,
        year=year if year is not None else timezone.localdate().year, start_year=start_year, end_year=end_year,
        description=description,
    ), region=region)
    if not errors and not d["code"]:
        d["code"] = _next_code(region, d["year"], agency)
    if d["code"] and Project.objects.filter(region=region, code=d["code"]).exists():
        errors.setdefault("code", []).append(f"项目编码 {d['code']} 已被使用")
    if errors:
        raise ValidationFailed(errors)
    project = Project.objects.create(region=region, **d)
    assert_in_scope(project, actor, "create")
    audit.log_create(actor=actor, obj=project)
    record_event(actor=actor, project=project, kind=EventKind.CREATED, title="建立项目",
                 to_stage=ProjectStage.RESERVE)
    return project


@service
def update_project(*, actor, project: Project, version: int, **changes) -> Project:
    """Edit a project (declared action ``edit``). The agency edits only in 储备 (what it has not yet
    applied with); the performance section corrects a project in any stage that is not final."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    project = lock_checked(Project, project.pk, version)
    check(actor, project, "edit")
    before = audit.snapshot(project)
    current = {k: getattr(project, k) for k in EDITABLE}
    d, errors = clean_fields({**current, **changes}, region=project.region)
    if not d["code"]:
        errors.setdefault("code", []).append("项目编码不能为空")
    elif Project.objects.filter(region=project.region_id, code=d["code"]).exclude(pk=project.pk).exists():
        errors.setdefault("code", []).append(f"项目编码 {d['code']} 已被使用")
    if d["budget_amount"] != project.budget_amount and (over := gates.ceiling_refusal(project, d["budget_amount"])):
        errors.setdefault("budget_amount", []).append(over)
    if errors:
        raise ValidationFailed(errors)
    if (project.stage in (ProjectStage.BUDGETED, ProjectStage.EXECUTING)
            and d["budget_amount"] != project.budget_amount
            and (refusal := gates.adjustment_refusal(project, d["budget_amount"]))):
        raise TransitionError(refusal, code="project.target_adjustment_required")
    for k, v in d.items():
        setattr(project, k, v)
    bump(project)
    project.save()
    assert_in_scope(project, actor, "change")
    row = audit.log_update(actor=actor, obj=project, before=before)
    if row is not None:
        record_event(actor=actor, project=project, kind=EventKind.UPDATED, title="修改项目信息",
                     data={"fields": sorted(row.changes)})
    return project


# --- stage moves ---------------------------------------------------------------------------------

def _move(*, actor, project: Project, version: int, action: str, note: str = "", gate=None, **updates) -> Project:
    """A stage move: who may make it and from which stages is the declared action of the same name
    (``Project.scope``, from ``rules.TRANSITIONS``); then the note, then the gate."""
    label = MOVE_LABELS[action]
    project = lock_checked(Project, project.pk, version)
    check(actor, project, action)
    target = rules.target_stage(action, project.stage)
    note = (note or "").strip()
    if action in rules.NOTE_REQUIRED and not note:
        raise ValidationFailed({"note": [f"{label}须填写理由"]})
    if gate is not None and (refusal := gate(project)):
        raise TransitionError(refusal[1], code=refusal[0])
    before = audit.snapshot(project)
    from_stage = project.stage
    project.stage = target
    for k, v in updates.items():
        setattr(project, k, v)
    bump(project)
    project.save()
    assert_in_scope(project, actor, "view")
    audit.log_update(actor=actor, obj=project, before=before)
    record_event(actor=actor, project=project, kind=EventKind.STAGE, title=label, from_stage=from_stage,
                 to_stage=target, note=note)
    return project


def _exante_gate(project):
    """先评估后入库: only projects that need an ex-ante assessment are asked for one."""
    if not rules.needs_exante(is_new=project.is_new, is_major=project.is_major, year=project.year,
                              end_year=project.end_year):
        return None
    refusal = gates.exante_refusal(project)
    return ("project.exante_required", refusal) if refusal else None


def _budget_gate(amount):
    """纳入预算 at ``amount``: within the project's ceiling (the supported amount), and an approved
    target sheet whose annual amount it is (the targets app's check)."""
    def gate(project):
        if over := gates.ceiling_refusal(project, amount):
            return ("project.exceeds_supported", over)
        refusal = gates.target_refusal(project, amount)
        return ("project.target_required", refusal) if refusal else None
    return gate


@service
def submit_for_assessment(*, actor, project: Project, version: int, note: str = "") -> Project:
    """申报入库: 储备 → 已申报. A project that needs an ex-ante assessment waits here for the
    performance section to start it (``start_assessment``); the others wait for its decision (批准入库)."""
    return _move(actor=actor, project=project, version=version, action=ProjectAction.SUBMIT, note=note)


@service
def start_assessment(*, actor, project: Project, version: int, note: str = "") -> Project:
    """发起事前绩效评估: 储备 or 已申报 → 评估中. Called only by the assessment app's
    ``create_assessment``, with the assessment it creates (not a move of the project page or the
    moves API), so that 评估中 always has an assessment behind it."""
    return _move(actor=actor, project=project, version=version, action=ASSESS, note=note)


@service
def return_to_reserve(*, actor, project: Project, version: int, note: str) -> Project:
    """退回储备: 已申报 or 评估中 → 储备, with the reason (e.g. an assessment that says 暂缓支持)."""
    return _move(actor=actor, project=project, version=version, action=ProjectAction.RETURN, note=note)


@service
def admit(*, actor, project: Project, version: int, note: str = "") -> Project:
    """批准入库: → 已入库. 先评估后入库 (gate 1): a new major project or policy, or a continuing one past
    its end year, needs a supporting ex-ante conclusion (``gates.register_exante_check``)."""
    return _move(actor=actor, project=project, version=version, action=ProjectAction.ADMIT, note=note,
                 gate=_exante_gate)


@service
def include_in_budget(*, actor, project: Project, version: int, budget_amount=None, note: str = "") -> Project:
    """纳入预算: 已入库 → 已纳入预算, with the budget amount (default ``gates.default_budget``: the
    amount set or requested, within the amount an ex-ante assessment supported). No more than that
    supported amount (``gates.register_budget_ceiling``); 未设置绩效目标不得安排资金 (gate 2): an approved
    target sheet whose annual amount is the budget amount (``gates.register_target_check``)."""
    errors: dict[str, list[str]] = {}
    amount = None
    if budget_amount is not None:
        amount = _money(errors, "budget_amount", "预算金额", budget_amount)
        if not errors and amount <= 0:
            errors["budget_amount"] = ["纳入预算的金额须大于零"]
    if errors:
        raise ValidationFailed(errors)
    if amount is None and (current := Project.objects.filter(pk=project.pk).first()) is not None:
        amount = gates.default_budget(current)
        if amount <= 0:
            raise ValidationFailed({"budget_amount": ["请填写纳入预算的金额"]})
    return _move(actor=actor, project=project, version=version, action=ProjectAction.BUDGET, note=note,
                 gate=_budget_gate(amount), budget_amount=amount)


@service
def start_execution(*, actor, project: Project, version: int, note: str = "") -> Project:
    """开始执行: 已纳入预算 → 执行中."""
    return _move(actor=actor, project=project, version=version, action=ProjectAction.START, note=note)


@service
def complete(*, actor, project: Project, version: int, note: str = "") -> Project:
    """完结: 执行中 → 已完结."""
    return _move(actor=actor, project=project, version=version, action=ProjectAction.COMPLETE, note=note)


@service
def terminate(*, actor, project: Project, version: int, note: str) -> Project:
    """终止: any stage that is not final → 已终止, with the reason."""
    return _move(actor=actor, project=project, version=version, action=ProjectAction.TERMINATE, note=note)


MOVES = {
    ProjectAction.SUBMIT: submit_for_assessment,
    ProjectAction.RETURN: return_to_reserve,
    ProjectAction.ADMIT: admit,
    ProjectAction.BUDGET: include_in_budget,
    ProjectAction.START: start_execution,
    ProjectAction.COMPLETE: complete,
    ProjectAction.TERMINATE: terminate,
}


def move(*, actor, project, version, action: str, note: str = "", budget_amount=None) -> Project:
    """Dispatch a move by its slug (pages and API)."""
    if action not in MOVES:
        raise TransitionError(f"未知的操作 {action}", code="project.unknown_action")
    kwargs = {"budget_amount": budget_amount} if action == ProjectAction.BUDGET else {}
    return MOVES[action](actor=actor, project=project, version=version, note=note, **kwargs)


# --- set-based creation for the demo and benchmarks -----------------------------------------------

@service
def bulk_create_projects(*, actor, region, rows: list[dict], note: str = "批量建档") -> list[Project]:
    """Create many projects at once, each at the stage its row names (default 储备): the demo county's
    ~600 projects and benchmark registers carried over from an earlier system.

    Set-based: codes are checked against the region in one query, projects and their first timeline
    entries go in with two ``bulk_create`` statements. Audit: one change-log row per project (the
    project's fields, as a created row), written in a loop because the change log is one serialised
    hash chain; no separate row per timeline entry. The timeline entry says the project was entered
    at its stage (``migrated``), not that it moved there.

    The ex-ante gate is not skipped: a project that needs an assessment cannot be entered past
    已申报, and no project is entered at 评估中 (that stage belongs to an assessment under way). The target gate is not asked: a register carried over at 已纳入预算 or later stands for
    budgets decided before this system kept target sheets."""
    if not can(actor, Project, "bulk_create"):
        raise PermissionDenied(Project.scope.declared("bulk_create").denied)
    errors: dict[str, list[str]] = {}
    cleaned = []
    existing = set(Project.objects.filter(region=region).values_list("code", flat=True))
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        row = dict(row)
        stage = row.pop("stage", ProjectStage.RESERVE)
        d, row_errors = clean_fields(row, region=region)
        if not d["code"]:
            row_errors.setdefault("code", []).append("批量建档须给出项目编码")
        elif d["code"] in existing or d["code"] in seen:
            row_errors.setdefault("code", []).append(f"项目编码 {d['code']} 已被使用")
        seen.add(d["code"])
        if stage not in ProjectStage.values:
            row_errors.setdefault("stage", []).append(f"未知的阶段 {stage}")
        elif stage == ProjectStage.ASSESSING:
            row_errors.setdefault("stage", []).append("评估中的项目须由发起事前绩效评估进入，批量建档请用储备或已申报")
        elif stage not in (ProjectStage.RESERVE, ProjectStage.SUBMITTED) and not row_errors and rules.needs_exante(
                is_new=d["is_new"], is_major=d["is_major"], year=d["year"], end_year=d["end_year"]):
            row_errors.setdefault("stage", []).append(gates.EXANTE_REFUSED)
        for k, v in row_errors.items():
            errors.setdefault(f"{i}.{k}", []).extend(v)
        cleaned.append((d, stage))
    if errors:
        raise ValidationFailed(errors)
    projects = Project.objects.bulk_create([Project(region=region, stage=stage, **d) for d, stage in cleaned],
                                           batch_size=500)
    mine = Project.objects.for_user(actor, "bulk_create").filter(pk__in=[p.pk for p in projects]).count()
    if mine != len(projects):
        raise PermissionDenied("该操作超出了您的数据权限范围。")
    now = timezone.now()
    fields = _actor_fields(actor)
    ProjectEvent.objects.bulk_create([
        ProjectEvent(region=region, project=p, kind=EventKind.MIGRATED, title=note[:64], to_stage=p.stage,
                     created_at=now, **fields)
        for p in projects
    ], batch_size=500)
    for p in projects:
        audit.log_create(actor=actor, obj=p)
    return projects


@service
def record_events(*, actor, region_id: int, entries: list[dict]) -> int:
    """:func:`record_event` for many projects at once, set-based (``core.bulk``): the timeline entries
    a target import or the demo builder writes for each sheet. ``entries``: dicts with ``project_id``,
    ``kind``, ``title`` and optionally ``note``, ``data``, ``from_stage``, ``to_stage`` and
    ``created_at`` (default now). Like :func:`record_event`, the caller has checked its actor's scope;
    the caller writes the change-log entry (one per file or per build, not one per entry)."""
    from jixiao.core import bulk

    if not entries:
        return 0
    user = person(actor)
    name = actor.display_name if user is None else (user.display_name or user.get_username())
    now = timezone.now()
    table = bulk.Insert(ProjectEvent, ["project_id", "kind", "title", "note", "data", "from_stage", "to_stage",
                                       "created_at"],
                        {"region_id": region_id, "actor_id": getattr(user, "pk", None), "actor_name": name[:64]})
    for e in entries:
        if not e.get("kind") or not e.get("title"):
            raise ValueError("record_events needs a kind and a title for every entry")
    return table.run([(e["project_id"], e["kind"], e["title"][:64], e.get("note", ""), table.prep("data", e.get("data") or {}),
                       e.get("from_stage", ""), e.get("to_stage", ""), table.prep("created_at", e.get("created_at") or now))
                      for e in entries])
