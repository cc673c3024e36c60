"""Writes of budget execution data (issue #13 F13): the set-based writer the imports use
(:func:`replace_months`) and the hand entry of one month (:func:`enter_execution`,
:func:`enter_spending_plan`) for agencies without the treasury export."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jixiao.core import audit, bulk
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import StaleVersion, ValidationFailed
from jixiao.core.money import MoneyError, checked
from jixiao.core.scoping import assert_in_scope, check
from jixiao.core.services import service
from jixiao.core.viewkit import require
from jixiao.monitoring import rules
from jixiao.monitoring.choices import EntryKind
from jixiao.monitoring.models import MonitoringRound, MonthlyExecution, SpendingPlan
from jixiao.projects.choices import FundSource

#: ids per ``IN (…)`` list (well within SQLite's and PostgreSQL's bound-parameter limits)
ID_CHUNK = 5000
#: projects and agencies a file names beyond which ``replace_months`` reads the months' rows of the region
#: in one query instead of by lists of ids
WHOLE_SLICE = ID_CHUNK


def _keys(model) -> tuple[str, ...]:
    return ("project_id", "agency_id", "month", "fund_source") if model is MonthlyExecution else \
        ("project_id", "agency_id", "month")


def replace_months(*, model, region, year: int, months, rows: dict[tuple, Decimal]) -> tuple[int, int, int, int]:
    """Make the stored rows of ``months`` of ``year`` equal ``rows`` for every project (and, for
    execution, every agency whole budget: ``project_id`` None) that ``rows`` names; other projects and
    other months are left alone. ``rows`` maps (project_id, agency_id, month[, fund_source]) → amount,
    already checked by the caller (an import collects every bad cell first). Set-based: one read of the
    existing rows, one ``DELETE`` of those gone or changed, one ``core.bulk`` insert of those new or
    changed; a row whose amount is unchanged is not touched (re-importing a file writes nothing).
    Runs inside the calling service's transaction. Returns (created, updated, deleted, unchanged)."""
    months = sorted(set(months))
    if not months:
        return 0, 0, 0, 0
    fields = _keys(model)
    projects = sorted({k[0] for k in rows if k[0] is not None})
    whole = sorted({k[1] for k in rows if k[0] is None})
    existing: dict[tuple, tuple[int, Decimal]] = {}
    base = model.objects.filter(region=region, year=year, month__in=months)
    if len(projects) + len(whole) > WHOLE_SLICE:
        # a file naming many projects (a region's year): the months' rows in one read, kept for the
        # projects and agencies it names — rather than many IN lists, which a table just loaded (its
        # statistics not yet gathered) can answer with a scan each
        named, named_whole = set(projects), set(whole)
        for pk, amount, *key in base.values_list("pk", "amount", *fields).iterator(chunk_size=20_000):
            if key[0] in named if key[0] is not None else key[1] in named_whole:
                existing[tuple(key)] = (pk, amount)
    else:
        for part in bulk.chunks(projects, ID_CHUNK):
            for pk, amount, *key in base.filter(project_id__in=part).values_list("pk", "amount", *fields):
                existing[tuple(key)] = (pk, amount)
        for part in bulk.chunks(whole, ID_CHUNK):
            for pk, amount, *key in base.filter(project__isnull=True, agency_id__in=part).values_list(
                    "pk", "amount", *fields):
                existing[tuple(key)] = (pk, amount)
    gone = [pk for key, (pk, _a) in existing.items() if key not in rows]
    changed = [key for key, amount in rows.items() if key in existing and existing[key][1] != amount]
    new = [key for key in rows if key not in existing]
    doomed = gone + [existing[key][0] for key in changed]
    for part in bulk.chunks(doomed, ID_CHUNK):
        model.objects.filter(pk__in=part).delete()
    written = [(*key, rows[key]) for key in (*new, *changed)]
    bulk.insert(model, [*fields, "amount"], written, {"region": region.pk, "year": year, "entry": EntryKind.IMPORTED})
    return len(new), len(changed), len(gone), len(rows) - len(new) - len(changed)


def _month(month) -> int:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationFailed({"month": ["月份应为 1 至 12 的整数"]})
    return month


def _amount(amount) -> Decimal:
    try:
        return checked(amount)
    except MoneyError as exc:
        raise ValidationFailed({"amount": [str(exc)]}) from None


def _enter(model, *, actor, lookup: dict, amount, version, year: int, month: int):
    amount, month = _amount(amount), _month(month)
    if not 2000 <= year <= 2100:
        raise ValidationFailed({"year": ["年度应为 2000 至 2100 之间的整数"]})
    current = model.objects.filter(**lookup, year=year, month=month).first()
    if current is None:
        if version not in (None, "", 0):  # the form showed a row an import has since removed
            raise StaleVersion(current=0, given=version)
        obj = model(**lookup, year=year, month=month, amount=amount, entry=EntryKind.MANUAL)
        obj.save()
        audit.log_create(actor=actor, obj=obj)
    else:
        obj = lock_checked(model, current.pk, version)
        check(actor, obj, "enter")
        before = audit.snapshot(obj)
        obj.amount, obj.entry = amount, EntryKind.MANUAL
        bump(obj)
        obj.save()
        audit.log_update(actor=actor, obj=obj, before=before)
    assert_in_scope(obj, actor, "enter")
    return obj


@service
def enter_execution(*, actor, year: int, month: int, fund_source: str, amount, project=None, agency=None,
                    version=None) -> MonthlyExecution:
    """Enter or correct by hand the amount paid in one month from one fund source — for a project, or
    (``project`` None) for ``agency``'s whole budget — for agencies without the treasury export. A new
    month takes no ``version``; a month already stored takes the version the form showed (a stale
    one is refused, 412). The row is then marked 手工录入; a later import that names the project
    replaces the months it covers (``imports``)."""
    require(actor, MonthlyExecution, "enter")
    if (project is None) == (agency is None):
        raise ValidationFailed({"project": ["请选择项目，或（部门整体支出）选择单位"]})
    if fund_source not in FundSource.values:
        raise ValidationFailed({"fund_source": [f"资金来源应为：{'、'.join(FundSource.labels)}"]})
    if project is not None:
        lookup = {"region_id": project.region_id, "agency_id": project.agency_id, "project": project}
    else:
        lookup = {"region_id": agency.region_id, "agency": agency, "project": None}
    return _enter(MonthlyExecution, actor=actor, lookup={**lookup, "fund_source": fund_source}, amount=amount,
                  version=version, year=year, month=month)


@service
def enter_spending_plan(*, actor, project, year: int, month: int, amount, version=None) -> SpendingPlan:
    """Enter or correct by hand a project's planned spending (用款计划) for one month; versions as
    :func:`enter_execution`."""
    require(actor, SpendingPlan, "enter")
    return _enter(SpendingPlan, actor=actor, amount=amount, version=version, year=year, month=month,
                  lookup={"region_id": project.region_id, "agency_id": project.agency_id, "project": project})


def monthly(queryset) -> dict[int, Decimal]:
    """{month: amount} of execution or plan rows (fund sources added): the series ``monitoring.rules``
    reads (``execution_to_date``, ``plan_share``)."""
    out: dict[int, Decimal] = {}
    for month, amount in queryset.values_list("month", "amount"):
        out[month] = out.get(month, Decimal(0)) + amount
    return out



def budgets(project_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """{project id: (年初预算, 调整后预算)} — the budget amount, and it less every 调减预算 decision of
    finance (``Decision`` kind ``cut``): derived in one aggregate per chunk of ids, never stored twice."""
    from django.db.models import Q, Sum

    from jixiao.monitoring.choices import DecisionKind
    from jixiao.projects.models import Project

    out: dict[int, tuple[Decimal, Decimal]] = {}
    ids = list(project_ids)
    for start in range(0, len(ids), ID_CHUNK):
        rows = (Project.objects.filter(pk__in=ids[start:start + ID_CHUNK])
                .annotate(cut=Sum("monitoring_decisions__amount",
                                  filter=Q(monitoring_decisions__kind=DecisionKind.CUT)))
                .values_list("pk", "budget_amount", "cut"))
        for pk, amount, cut in rows:
            out[pk] = (amount, amount - (cut or Decimal(0)))
    return out


def project_facts(project, user) -> list[dict]:
    """The project page's execution facts (``projects.panels``) for its budget year, within the user's
    scope: executed to date (to the last month with data) and the rate against the adjusted budget (the
    budget amount less 调减预算 decisions, ``budgets``: the figure the monitoring table and the API use) —
    derived from the monthly rows by ``rules`` — and the months of spending plan; linking to the hand
    entries (which link to the imports) for those who may. Nothing is shown as 0 that is not: no rows reads 尚无执行数据."""
    from django.urls import reverse

    from jixiao.core.money import format_percent, format_wan
    from jixiao.core.scoping import can

    if not can(user, MonthlyExecution, "view"):
        return []
    year = project.year
    series = monthly(MonthlyExecution.objects.for_user(user, "view").filter(project=project, year=year))
    may_enter = can(user, MonthlyExecution, "enter") and type(project).objects.for_user(user, "change").filter(
        pk=project.pk).exists()  # not a county's project seen from the province above
    link = f"{reverse('monitoring:execution_entry', args=[project.pk])}?year={year}" if may_enter else ""
    if not series:
        facts = [{"label": "预算执行", "value": f"{year} 年尚无执行数据" + ("，去录入或导入" if may_enter else ""),
                  "url": link}]
    else:
        last = max(series)
        executed = rules.execution_to_date(series, last)
        _initial, adjusted = budgets([project.pk])[project.pk]  # 调整后预算, as the monitoring table reads it
        rate = rules.execution_rate(executed, adjusted)
        rate_text = f"，执行率 {format_percent(rate)}" if rate is not None else "（调整后预算为 0，无执行率）"
        if adjusted != project.budget_amount:
            rate_text += f"（按调整后预算 {format_wan(adjusted)} 万元计）"
        facts = [{"label": "预算执行", "value": f"截至 {year} 年 {last} 月执行 {format_wan(executed)} 万元{rate_text}",
                  "url": link}]
    months = SpendingPlan.objects.for_user(user, "view").filter(project=project, year=year).count()
    plan_link = f"{reverse('monitoring:plan_entry', args=[project.pk])}?year={year}" if may_enter and can(
        user, SpendingPlan, "enter") else ""
    facts.append({"label": "用款计划", "value": f"{year} 年已有 {months} 个月的用款计划" if months else f"{year} 年未录入用款计划",
                  "url": plan_link})
    return facts


def agency_facts(agency, user) -> list[dict]:
    """The agency page's execution fact (``org.panels``): its whole budget's (部门整体支出) execution in
    its latest year with data (else this year) within the user's scope — executed to date — linking to the hand entry for
    those who may enter it. Nothing is shown as 0 that is not: no rows reads 尚无执行数据."""
    from django.urls import reverse

    from jixiao.core.money import format_wan
    from jixiao.core.scoping import can
    from jixiao.core.years import latest_year
    from jixiao.monitoring import rules

    if not can(user, MonthlyExecution, "view"):
        return []
    rows = MonthlyExecution.objects.for_user(user, "view").filter(agency=agency, project__isnull=True)
    year = latest_year(rows)
    series = monthly(rows.filter(year=year))
    may_enter = can(user, MonthlyExecution, "enter") and agency.region_id == user.region_id and \
        type(agency).objects.for_user(user, "view").filter(pk=agency.pk).exists()
    link = f"{reverse('monitoring:agency_execution_entry', args=[agency.pk])}?year={year}" if may_enter else ""
    if not series:
        value = f"{year} 年尚无部门整体支出执行数据" + ("，去录入或导入" if may_enter else "")
    else:
        last = max(series)
        value = f"截至 {year} 年 {last} 月执行 {format_wan(rules.execution_to_date(series, last))} 万元"
    return [{"label": "部门整体支出执行", "value": value, "url": link}]


# --- monitoring rounds and tables (issue #13 F6) ------------------------------------------------------

CHAIN = "monitoring"
#: the project stages a round monitors: budgeted for the year (已纳入预算, 执行中)
#: the stages a round monitors: the projects a finance decision may be taken on (``rules.DECIDABLE_STAGES``)
MONITORED_STAGES = tuple(sorted(rules.DECIDABLE_STAGES))
_TABLE_STATUS_OF_REVIEW = {"draft": "draft", "in_review": "in_review", "returned": "returned", "approved": "approved"}


def deadline_instant(deadline, region=None):
    """The end of the deadline day in the region's local time (填报截止日期 is a calendar day)."""
    import datetime as dt

    from jixiao.core.dates import zone

    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone(region))


def _table_url_maker():
    """pk → the table page's address, reversed once (opening a province round writes 110,000 of them)."""
    from django.urls import reverse

    probe = 987654321
    stem = reverse("monitoring:table_detail", args=[probe])
    head, tail = stem.split(str(probe))
    return lambda pk: f"{head}{pk}{tail}"


def _round_objects(*, actor, region, year: int, scope_kind: str, tag: str, picked) -> tuple[list, list[str]]:
    """The objects a new round covers, as (agency id, project id or None, name, kind) rows, and the
    Chinese errors of a bad choice. One query (two for a hand-picked list)."""
    from jixiao.monitoring.choices import RoundScope
    from jixiao.projects.choices import ProjectTag
    from jixiao.projects.models import Project
    from jixiao.targets.choices import SheetStatus, TargetKind
    from jixiao.targets.models import TargetSheet

    errors: list[str] = []
    projects = Project.objects.filter(region=region, year=year, stage__in=MONITORED_STAGES)
    if scope_kind == RoundScope.ALL_PROJECTS:
        rows = projects.values_list("agency_id", "pk", "name", "kind")
    elif scope_kind == RoundScope.TAG:
        if tag not in ProjectTag.values:
            return [], [f"请选择项目标签：{'、'.join(ProjectTag.labels)}"]
        rows = projects.filter(tags__icontains=f'"{tag}"').values_list("agency_id", "pk", "name", "kind")
    elif scope_kind == RoundScope.PICKED:
        ids = sorted({getattr(p, "pk", p) for p in picked or ()})
        if not ids:
            return [], ["请选择要监控的项目"]
        found = {}
        for part in bulk.chunks(ids, ID_CHUNK):
            found.update({r[1]: r for r in Project.objects.for_user(actor, "view").filter(region=region, pk__in=part)
                          .values_list("agency_id", "pk", "name", "kind", "year", "stage", "code")})
        missing = [str(i) for i in ids if i not in found]
        if missing:
            errors.append(f"以下项目不存在或不在您的范围内：{'、'.join(missing[:20])}")
        wrong = [f"{r[6]} {r[2]}" for r in found.values() if r[4] != year or r[5] not in MONITORED_STAGES]
        if wrong:
            errors.append(f"以下项目不是 {year} 年度已纳入预算（或执行中）的项目，不能监控：{'、'.join(wrong[:20])}")
        rows = [r[:4] for r in found.values()]
    elif scope_kind == RoundScope.AGENCY_BUDGETS:
        rows = (TargetSheet.objects.filter(region=region, year=year, kind=TargetKind.AGENCY,
                                           status=SheetStatus.APPROVED)
                .values_list("agency_id", "agency__name").order_by("agency__code"))
        rows = [(aid, None, name, "agency") for aid, name in rows]
    else:
        return [], [f"监控范围应为：{'、'.join(RoundScope.labels)}"]
    rows = list(rows)
    if not rows and not errors:
        errors.append("所选范围内没有可监控的对象（项目须为本年度已纳入预算或执行中；部门整体支出须有已批复的部门整体绩效目标）")
    return rows, errors


@service
def open_round(*, actor, region, year: int, month: int, deadline, title: str, scope_kind: str, tag: str = "",
               projects=()) -> MonitoringRound:
    """发起监控批次 (issue #13): the performance section opens a round of ``year`` at checkpoint
    ``month`` with its deadline and scope — every budgeted project of the year (已纳入预算, 执行中), those
    with ``tag``, the agencies' whole budgets (部门整体支出: those with an approved agency sheet), or
    a hand-picked list (``projects``). Set-based, a fixed number of statements per 5,000 objects:

    * one :class:`MonitoringTable` per object, linked to its latest approved target sheet (状态 已批复)
      — a project without one (a project carried into the budget without a sheet in this system)
      still gets a table with the money row only, marked on the round page;
    * one :class:`MonitoringRow` per indicator of that sheet;
    * each table's draft review on the region's ``monitoring`` chain (``review.start_reviews``; a region
      without the chain is refused and nothing is written);
    * a 待办 item (任务分配) with the deadline for each table's agency preparers.

    The round's change-log entry is the summary of the tables it opened (``log_each=False``)."""
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from jixiao.core import review as review_machinery
    from jixiao.core.actors import person
    from jixiao.core.choices import InboxKind
    from jixiao.core.models import InboxItem
    from jixiao.core.roles import Role
    from jixiao.monitoring.choices import RoundScope
    from jixiao.monitoring.models import MonitoringRound, MonitoringRow, MonitoringTable
    from jixiao.targets.choices import SheetStatus, TargetKind
    from jixiao.targets.models import TargetIndicator, TargetSheet

    require(actor, MonitoringRound, "create")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["请填写批次名称"]
    elif len(title) > 128:
        errors["title"] = ["批次名称不能超过 128 个字"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["年度应为 2000 至 2100 之间的整数"]
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        errors["month"] = ["监控截至月份应为 1 至 12 的整数"]
    import datetime as dt

    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        errors["deadline"] = ["请填写填报截止日期"]
    if scope_kind not in RoundScope.values:
        errors["scope_kind"] = [f"监控范围应为：{'、'.join(RoundScope.labels)}"]
    if errors:
        raise ValidationFailed(errors)
    objects, problems = _round_objects(actor=actor, region=region, year=year, scope_kind=scope_kind,
                                       tag=tag if scope_kind == RoundScope.TAG else "", picked=projects)
    if problems:
        raise ValidationFailed({"projects" if scope_kind == RoundScope.PICKED else "scope_kind": problems})

    rnd = MonitoringRound(region=region, year=year, month=month, title=title, deadline=deadline,
                          scope_kind=scope_kind, tag=tag if scope_kind == RoundScope.TAG else "",
                          opened_by=person(actor))
    rnd.save()
    assert_in_scope(rnd, actor, "create")
    audit.log_create(actor=actor, obj=rnd)

    # the latest approved sheet of each object (one approved version at a time: an adjustment
    # approved supersedes the earlier one)
    project_ids = [o[1] for o in objects if o[1] is not None]
    sheet_of: dict = {}
    approved = TargetSheet.objects.filter(region=region, year=year, status=SheetStatus.APPROVED)
    for part in bulk.chunks(project_ids, ID_CHUNK):
        sheet_of.update({("p", pid): sid for pid, sid in approved.filter(project_id__in=part)
                         .values_list("project_id", "pk")})
    whole = [o[0] for o in objects if o[1] is None]
    for part in bulk.chunks(whole, ID_CHUNK):
        sheet_of.update({("a", aid): sid for aid, sid in approved.filter(kind=TargetKind.AGENCY, agency_id__in=part)
                         .values_list("agency_id", "pk")})
    ids = bulk.reserve_ids(MonitoringTable, len(objects))
    tables = []
    for pk, (agency_id, project_id, name, _kind) in zip(ids, objects, strict=True):
        sheet_id = sheet_of.get(("p", project_id) if project_id else ("a", agency_id))
        tables.append((pk, agency_id, project_id, sheet_id, name))
    bulk.insert(MonitoringTable, ["id", "agency_id", "project_id", "sheet_id"], [t[:4] for t in tables],
                {"region": region.pk, "round": rnd.pk}, with_id=True)
    table_of_sheet = {t[3]: t[0] for t in tables if t[3]}
    sheet_ids = sorted(table_of_sheet)
    rows = bulk.Insert(MonitoringRow, ["table_id", "indicator_id", "position"], {"region": region.pk})
    for part in bulk.chunks(sheet_ids, ID_CHUNK):
        rows.run([(table_of_sheet[sid], iid, pos) for sid, iid, pos in
                  TargetIndicator.objects.filter(sheet_id__in=part).values_list("sheet_id", "pk", "position")])

    review_machinery.start_reviews(
        actor=actor, model=MonitoringTable, chain=CHAIN, year=year, submit_roles=[Role.AGENCY_PREPARER],
        objs=[SimpleNamespace(pk=t[0], region_id=region.pk, agency_id=t[1]) for t in tables],
        titles=[f"{title}：{t[4]}" for t in tables], log_each=False)

    # 待办: the table in each of its agency preparers' task lists, with the deadline
    preparers: dict[int, list[int]] = {}
    agency_ids = sorted({t[1] for t in tables})
    users = get_user_model().objects.filter(region=region, role=Role.AGENCY_PREPARER, is_active=True)
    for part in bulk.chunks(agency_ids, ID_CHUNK):
        for uid, aid in users.filter(agency_id__in=part).values_list("pk", "agency_id"):
            preparers.setdefault(aid, []).append(uid)
    url = _table_url_maker()
    items = bulk.Insert(InboxItem, ["user_id", "title", "url", "object_id"], {
        "region_id": region.pk, "kind": InboxKind.ASSIGNMENT, "due_at": deadline_instant(deadline, region),
        "content_type_id": ContentType.objects.get_for_model(MonitoringTable).pk})
    items.run([(uid, f"【监控填报】{title}：{t[4]}"[:255], url(t[0]), t[0])
               for t in tables for uid in preparers.get(t[1], ())])
    return rnd


@service
def close_round(*, actor, round, version: int):
    """结束监控批次: no more filling or submitting; the tables' open 待办 and reminders are closed.
    Tables under review go on being reviewed."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from jixiao.core.choices import InboxKind
    from jixiao.core.models import InboxItem
    from jixiao.monitoring.choices import RoundStatus
    from jixiao.monitoring.models import MonitoringRound, MonitoringTable

    rnd = lock_checked(MonitoringRound, round.pk, version)
    check(actor, rnd, "close")
    before = audit.snapshot(rnd)
    rnd.status, rnd.closed_at = RoundStatus.CLOSED, timezone.now()
    bump(rnd)
    rnd.save()
    audit.log_update(actor=actor, obj=rnd, before=before)
    InboxItem.objects.filter(content_type=ContentType.objects.get_for_model(MonitoringTable),
                             object_id__in=MonitoringTable.objects.filter(round=rnd).values("pk"),
                             kind__in=[InboxKind.ASSIGNMENT, InboxKind.DEADLINE],
                             done_at__isnull=True).update(done_at=timezone.now())
    assert_in_scope(rnd, actor, "close")
    return rnd


@dataclass(frozen=True)
class FillError:
    """One refused value of a table's fill (:func:`fill_changes`): the item it belongs to (``position``:
    the indicator row's, None for the money row and the table), the field, and the Chinese message
    (``str()``: "where：text", as the page and the API show it). The Excel import places it on its cell."""

    position: int | None
    field: str
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}：{self.text}" if self.where else self.text


@dataclass
class FillChanges:
    """What a fill would change: the table's fields (``table``: name → value; only those given) and the
    indicator rows whose values differ (``rows``: the rows with the new values set, not saved), or
    ``errors``. ``changed`` says whether saving would change anything stored."""

    table: dict
    rows: list
    errors: list[FillError]
    changed: bool


#: the indicator row fields a fill writes (the bulk update's field list)
ROW_FIELDS = ("value_to_date", "number_to_date", "year_end", "number_year_end", "stated_expected",
              "number_stated_expected", "achievement", "cause", "explanation", "likelihood", "measures")


def _choice(errors: list, value, choices, label: str, where: str, position, name: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value))
    if value and value not in choices.values:
        errors.append(FillError(position, name, where, f"{label}应为{'、'.join(choices.labels)}之一"))
        return ""
    return value


def _reasons(errors: list, values: dict, where: str, position) -> dict:
    from jixiao.monitoring.choices import CauseCategory, Likelihood

    out = {}
    for name in ("cause", "explanation", "likelihood", "measures"):
        if name not in values:
            continue
        raw = values[name]
        if name == "cause":
            out[name] = _choice(errors, raw, CauseCategory, "偏差原因类别", where, position, name)
        elif name == "likelihood":
            out[name] = _choice(errors, raw, Likelihood, "完成目标可能性", where, position, name)
        else:
            out[name] = (raw or "").strip()
    return out


def fill_changes(table, stored_rows, *, estimate=None, goal_progress=None, rows=None, reasons=None) -> FillChanges:
    """The checks of a table's fill, shared by :func:`save_table` (the page and the API) and the Excel
    import (``imports.import_tables``, which reads many tables and places each error on its cell): the
    year-end estimate (yuan; None leaves it, "" clears it), the overall goal progress, the money row's
    deviation (``reasons``: cause, explanation, likelihood, measures) and the indicator rows (``rows``:
    {position: {value_to_date, year_end, stated_expected, achievement, cause, explanation, likelihood,
    measures}} — only the keys given change). A numeric indicator's values must read as numbers
    (``targets.rules.parse_number``) and are stored with their numeric reading. ``stated_expected`` is
    the agency's own expectation for the checkpoint (optional; blank: target × m ÷ 12, domain-rules
    §5); a qualitative indicator has none. ``stored_rows``: the table's ``MonitoringRow`` instances
    with their indicator. Nothing is saved here."""
    from jixiao.library.choices import Operator
    from jixiao.monitoring.choices import Achievement
    from jixiao.targets.rules import parse_number

    errors: list[FillError] = []
    reasons = reasons or {}
    unknown = set(reasons) - {"cause", "explanation", "likelihood", "measures"}
    if unknown:
        raise TypeError(f"save_table: unknown arguments {sorted(unknown)}")
    table_values = _reasons(errors, reasons, "预算执行", None)
    if estimate is not None:
        if estimate == "":
            table_values["estimate"] = None
        else:
            try:
                table_values["estimate"] = checked(estimate)
            except MoneyError as exc:
                errors.append(FillError(None, "estimate", "预算执行", f"预计全年执行数{exc}"))
    if goal_progress is not None:
        table_values["goal_progress"] = goal_progress.strip()
    changed_rows = []
    if rows:
        stored = {r.position: r for r in stored_rows}
        for position, values in sorted(rows.items()):
            row = stored.get(int(position))
            if row is None:
                errors.append(FillError(int(position), "position", "", f"第 {position} 项指标不在本监控表中"))
                continue
            where = f"第 {row.position} 项指标“{row.indicator.name}”"
            qualitative = row.indicator.operator == Operator.QUALITATIVE
            new = _reasons(errors, values, where, row.position)
            for name, label, number in (("value_to_date", "截至目前完成值", "number_to_date"),
                                        ("year_end", "预计全年完成值", "number_year_end"),
                                        ("stated_expected", "截至本期预期值", "number_stated_expected")):
                if name not in values:
                    continue
                text = (values[name] or "").strip() if isinstance(values[name], str) else str(values[name] or "")
                if len(text) > 128:
                    errors.append(FillError(row.position, name, where, f"{label}不能超过 128 个字"))
                    continue
                if text and qualitative and name == "stated_expected":
                    errors.append(FillError(row.position, name, where, f"定性指标不填{label}（按完成情况判断）"))
                    continue
                reading = parse_number(text) if text else None
                if text and not qualitative and reading is None:
                    errors.append(FillError(row.position, name, where, f"{label}“{text}”不是数字（单位为"
                                                                       f"{row.indicator.unit or '指标的计量单位'}，只填数字）"))
                    continue
                if reading is not None and abs(reading) >= Decimal("1e16"):
                    errors.append(FillError(row.position, name, where, f"{label}“{text}”超出范围"))
                    continue
                new[name], new[number] = text, reading
            if "achievement" in values:
                new["achievement"] = _choice(errors, values["achievement"], Achievement, "完成情况", where,
                                             row.position, "achievement")
            if any(getattr(row, k) != v for k, v in new.items()):
                for k, v in new.items():
                    setattr(row, k, v)
                changed_rows.append(row)
    changed = bool(changed_rows) or any(getattr(table, k) != v for k, v in table_values.items())
    return FillChanges(table=table_values, rows=changed_rows, errors=errors, changed=changed)


def _write_fill(table, changes: FillChanges) -> None:
    from jixiao.monitoring.models import MonitoringRow

    for k, v in changes.table.items():
        setattr(table, k, v)
    if changes.rows:
        MonitoringRow.objects.bulk_update(changes.rows, list(ROW_FIELDS))
    bump(table)
    table.save()


@service
def save_table(*, actor, table, version: int, estimate=None, goal_progress=None, rows=None, **reasons):
    """Save what the agency states in its monitoring table (填报; the performance section may correct):
    the year-end execution estimate (``estimate``, yuan; None leaves it, "" clears it), the overall
    goal progress, the money row's deviation (``cause``, ``explanation``, ``likelihood``, ``measures``)
    and the indicator rows (``rows``: {position: {value_to_date, year_end, stated_expected, achievement,
    cause, explanation, likelihood, measures}} — only the keys given change), checked by :func:`fill_changes`.
    Optimistic concurrency: ``version`` as the form showed it. Every error names its row."""
    from jixiao.monitoring.models import MonitoringRow, MonitoringTable

    table = lock_checked(MonitoringTable, table.pk, version)
    check(actor, table, "fill")
    before = audit.snapshot(table)
    stored = MonitoringRow.objects.filter(table=table).select_related("indicator") if rows else []
    changes = fill_changes(table, stored, estimate=estimate, goal_progress=goal_progress, rows=rows, reasons=reasons)
    if changes.errors:
        raise ValidationFailed({"table": [str(e) for e in changes.errors]})
    _write_fill(table, changes)
    audit.log_update(actor=actor, obj=table, before=before)
    assert_in_scope(table, actor, "change")
    return table


#: what :func:`write_table_entries` may set on a table and on an indicator row
ENTRY_TABLE_FIELDS = frozenset({"status", "estimate", "goal_progress", "cause", "explanation", "likelihood", "measures",
                                "submitted_at", "approved_at", "return_count"})
ENTRY_ROW_FIELDS = frozenset({"value_to_date", "number_to_date", "year_end", "number_year_end", "stated_expected",
                              "number_stated_expected", "achievement", "cause", "explanation", "likelihood", "measures"})


@service
def write_table_entries(*, actor, round, tables: dict[int, dict], rows: dict[int, dict] | None = None) -> int:
    """Write many tables of ``round`` as recorded elsewhere — the demo county's paper returns, which the
    performance section entered, or a migration from a former system — set-based: ``tables`` {table id:
    {field: value}} and ``rows`` {indicator row id: {field: value}} (only the fields given change; names
    from :data:`ENTRY_TABLE_FIELDS` / :data:`ENTRY_ROW_FIELDS`), by ``core.bulk.update``; the 待办 of every table
    now past its draft is closed (as :func:`submit_table` closes it). Nothing is checked beyond the field
    names and that the tables are the round's: only a caller that built the values by the rules (and the
    review course by the chain, ``review.write_histories``) may call it. One change-log entry on the round
    names the tables written and their states (as a set-based import logs its file). Returns the tables
    written. The performance section (or SYSTEM)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from jixiao.core.choices import ChangeAction, InboxKind
    from jixiao.core.models import InboxItem
    from jixiao.monitoring.models import MonitoringRow, MonitoringTable

    require(actor, MonitoringRound, "create")
    rows = rows or {}
    unknown = ({k for v in tables.values() for k in v} - ENTRY_TABLE_FIELDS) | (
        {k for v in rows.values() for k in v} - ENTRY_ROW_FIELDS)
    if unknown:
        raise TypeError(f"write_table_entries: unknown fields {sorted(unknown)}")
    found = {t.pk: t for part in bulk.chunks(sorted(tables), ID_CHUNK)
             for t in MonitoringTable.objects.filter(round=round, pk__in=part)}
    if len(found) != len(tables):
        raise ValidationFailed({"tables": ["所列监控表不全属于该监控批次"]})
    for pk, values in tables.items():
        for k, v in values.items():
            setattr(found[pk], k, v)
    for fields in {tuple(sorted(v)) for v in tables.values() if v}:
        bulk.update(MonitoringTable, fields, [(pk, *(v[f] for f in fields)) for pk, v in tables.items()
                                              if tuple(sorted(v)) == fields])
    stored = {pk for part in bulk.chunks(sorted(rows), ID_CHUNK)
              for pk in MonitoringRow.objects.filter(table__round=round, pk__in=part).values_list("pk", flat=True)}
    if len(stored) != len(rows):
        raise ValidationFailed({"rows": ["所列指标行不全属于该监控批次"]})
    for fields in {tuple(sorted(v)) for v in rows.values() if v}:
        bulk.update(MonitoringRow, fields, [(pk, *(v[f] for f in fields)) for pk, v in rows.items()
                                            if tuple(sorted(v)) == fields])
    past_draft = [pk for pk, t in found.items() if t.status != "draft"]
    ct = ContentType.objects.get_for_model(MonitoringTable)
    for part in bulk.chunks(past_draft, ID_CHUNK):
        InboxItem.objects.filter(content_type=ct, object_id__in=part, kind__in=[InboxKind.ASSIGNMENT,
                                 InboxKind.DEADLINE], done_at__isnull=True).update(done_at=timezone.now())
    by_status: dict[str, int] = {}
    for t in found.values():
        by_status[t.status] = by_status.get(t.status, 0) + 1
    audit.record_change(actor=actor, obj=round, action=ChangeAction.UPDATE, before={}, after={
        "tables_entered": {"count": len(found), "by_status": by_status, "rows": len(stored),
                           "table_ids": sorted(found)}})
    return len(found)


def _table_review(table):
    from jixiao.core import review as review_machinery
    from jixiao.core.errors import TransitionError

    review = review_machinery.review_for(table, CHAIN)
    if review is None:  # every table starts its review when its round opens; a missing one is a data fault
        raise TransitionError("该监控表没有审核流程", code="monitoring.no_review")
    return review


def _locked_table(table, version, actor, action: str):
    from jixiao.monitoring.models import MonitoringTable

    table = lock_checked(MonitoringTable, table.pk, version)
    check(actor, table, action)
    return table, _table_review(table), audit.snapshot(table)


def _finish_table(actor, table, before, review):
    review.refresh_from_db()
    table.status = _TABLE_STATUS_OF_REVIEW[review.status]
    bump(table)
    table.save()
    audit.log_update(actor=actor, obj=table, before=before)
    return table


@service
def submit_table(*, actor, table, version: int, opinion: str = ""):
    """Submit a draft or returned table into the ``monitoring`` review chain. Refused, with every
    problem named by its row, while a figure is 未填报 (the estimate, each indicator's value to date and
    expected year-end value, a qualitative indicator's 完成情况) or a deviation beyond the region's
    threshold (``rules.reasons_required``) lacks its cause category, explanation, likelihood or
    measures. The table leaves its preparers' task list."""
    from django.utils import timezone

    from jixiao.core import inbox
    from jixiao.core import review as review_machinery
    from jixiao.core.choices import InboxKind
    from jixiao.monitoring.readings import read_table

    table, review, before = _locked_table(table, version, actor, "submit")
    problems = read_table(table).problems()
    if problems:
        raise ValidationFailed({"table": problems}, code="monitoring.incomplete")
    review_machinery.submit(actor=actor, review=review, version=review.version, opinion=opinion)
    table.submitted_at = timezone.now()
    inbox.close_items(obj=table, kind=InboxKind.ASSIGNMENT)
    inbox.close_items(obj=table, kind=InboxKind.DEADLINE)
    return _finish_table(actor, table, before, review)


@service
def approve_table(*, actor, table, version: int, opinion: str = ""):
    """Pass the current step of the table's review; after the last the table is 已审核."""
    from django.utils import timezone

    from jixiao.core import review as review_machinery

    table, review, before = _locked_table(table, version, actor, "review")
    review_machinery.approve(actor=actor, review=review, version=review.version, opinion=opinion)
    review.refresh_from_db()
    if review.status == "approved":
        table.approved_at = timezone.now()
    return _finish_table(actor, table, before, review)


@service
def return_table(*, actor, table, version: int, opinion: str):
    """退回: back to the agency's preparers with the reviewer's opinion (required); editable again."""
    from jixiao.core import review as review_machinery

    table, review, before = _locked_table(table, version, actor, "review")
    review_machinery.return_(actor=actor, review=review, version=review.version, opinion=opinion)
    table.return_count += 1
    return _finish_table(actor, table, before, review)


def table_history(table):
    """(review, steps with their state, events) of a table's review, for its page."""
    from jixiao.core import review as review_machinery
    from jixiao.core.models import ReviewEvent

    review = review_machinery.review_for(table, CHAIN)
    if review is None:
        return None, [], []
    steps = [{"name": s["name"], "state": "done" if review.status == "approved" or i < review.position else
              ("current" if i == review.position and review.status == "in_review" else "todo")}
             for i, s in enumerate(review.steps)]
    return review, steps, list(ReviewEvent.objects.filter(review=review).order_by("pk"))


def round_counts(rnd, tables=None, *, today=None) -> list[dict]:
    """Per agency of a round: tables in all, 未填报 (待填报 and 已退回: not submitted), 已提交 (审核中 and
    已审核), 逾期 (not submitted after the deadline), with the agency's name — one grouped query over
    ``tables`` (the round's tables the user may see)."""
    from django.db.models import Count, Q

    from jixiao.core.dates import local_date
    from jixiao.monitoring.models import TABLE_EDITABLE, MonitoringTable

    today = today or local_date(None, None)
    late = rnd.deadline < today
    qs = tables if tables is not None else MonitoringTable.objects.filter(round=rnd)
    rows = (qs.order_by().values("agency_id", "agency__code", "agency__name")
            .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=TABLE_EDITABLE)),
                      returned=Count("pk", filter=Q(status="returned")),
                      in_review=Count("pk", filter=Q(status="in_review")),
                      approved=Count("pk", filter=Q(status="approved")),
                      no_sheet=Count("pk", filter=Q(sheet__isnull=True)))
            .order_by("agency__code"))
    out = []
    for r in rows:
        out.append({**r, "submitted": r["in_review"] + r["approved"], "late": r["open"] if late else 0})
    return out


@service
def remind_round_deadlines(*, actor, now=None) -> dict:
    """监控填报提醒 (``manage.py remind_monitoring_deadlines``, daily): each table of an open round not yet
    submitted (待填报, 已退回) gets a 截止提醒 for its agency's preparers ``monitoring_params.remind_days``
    before the deadline (【即将截止】), and another once the deadline has passed (【已逾期】) — two
    stretches of ``core.reminders``, so each is sent once and the second closes the first. Reminders
    of tables submitted since, or of closed rounds, are closed. The preparers are read once for all."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from jixiao.core import config, reminders
    from jixiao.core.roles import Role
    from jixiao.monitoring.choices import RoundStatus
    from jixiao.monitoring.models import TABLE_EDITABLE, MonitoringTable

    now = now or timezone.now()
    tables = list(MonitoringTable.objects.filter(round__status=RoundStatus.OPEN, status__in=TABLE_EDITABLE)
                  .select_related("round", "agency", "project").order_by("pk"))
    preparers: dict[int, list] = {}
    agency_ids = sorted({t.agency_id for t in tables})
    users = get_user_model().objects.filter(role=Role.AGENCY_PREPARER, is_active=True).order_by("pk")
    for part in bulk.chunks(agency_ids, ID_CHUNK):
        for u in users.filter(agency_id__in=part):
            preparers.setdefault(u.agency_id, []).append(u)
    lead: dict = {}
    url = _table_url_maker()

    def due(t) -> reminders.Due:
        rnd = t.round
        key = (rnd.region_id, rnd.year)
        if key not in lead:
            lead[key] = int(config.get(rnd.region_id, rnd.year, "monitoring_params")["remind_days"])
        end = deadline_instant(rnd.deadline)
        before = end - dt.timedelta(days=lead[key])
        since = end if now > end else before
        label = "【已逾期】" if now > end else "【即将截止】"
        return reminders.Due(obj=t, region_id=t.region_id, since=since, remind_at=since, due_at=end,
                             users=lambda: preparers.get(t.agency_id, []),
                             title=f"{label}{rnd.title}：{t.subject_name}（截止 {rnd.deadline:%Y-%m-%d}）",
                             url=url(t.pk))

    sent = reminders.send(family=MonitoringTable.objects.all(), due=(due(t) for t in tables), now=now)
    return {"tables_reminded": sent["reminded"], "reminders_opened": sent["opened"],
            "reminders_closed": sent["closed"]}


#: the objects a round page lists as left out (the count says how many more)
SKIPPED_SHOWN = 200


def round_skipped(rnd, user) -> list[dict]:
    """What the round leaves out or monitors only in part, within the user's scope, for its page:
    for 部门整体支出, the agencies whose whole-budget sheet of the year is not approved (no table: there
    is no approved target to monitor and no budget to hold the spending against); for the project
    scopes, the projects whose table has the money row only (no approved target sheet). At most
    :data:`SKIPPED_SHOWN`; :func:`round_skipped_count` says how many in all."""
    from jixiao.monitoring.choices import RoundScope
    from jixiao.monitoring.models import MonitoringTable
    from jixiao.targets.choices import SheetStatus, TargetKind
    from jixiao.targets.models import TargetSheet

    if rnd.scope_kind == RoundScope.AGENCY_BUDGETS:
        covered = MonitoringTable.objects.filter(round=rnd).values("agency_id")
        rows = (TargetSheet.objects.for_user(user, "view")
                .filter(region_id=rnd.region_id, year=rnd.year, kind=TargetKind.AGENCY)
                .exclude(agency_id__in=covered).exclude(status=SheetStatus.SUPERSEDED)
                .values_list("agency__name", "status").order_by("agency__code")[:SKIPPED_SHOWN])
        labels = dict(SheetStatus.choices)
        return [{"name": f"{name}（部门整体支出）", "reason": f"部门整体绩效目标{labels[status]}，未批复，未纳入本批次"}
                for name, status in rows]
    rows = (MonitoringTable.objects.for_user(user, "view").filter(round=rnd, sheet__isnull=True)
            .values_list("project__code", "project__name").order_by("project__code")[:SKIPPED_SHOWN])
    return [{"name": f"{code} {name}", "reason": "没有已批复的绩效目标表，只监控预算执行（无指标行）"}
            for code, name in rows]


# --- finance decisions (监控结果应用, domain-rules §5) ------------------------------------------------

def decision_states(projects) -> dict[int, rules.DecisionState]:
    """{project id: ``rules.DecisionState``} of many projects in their budget year, set-based: one
    aggregate of their decisions and one of their monthly execution per chunk of ids. ``projects``:
    Project objects (stage, budget amount and year are read from them)."""
    from django.db.models import Count, Q, Sum

    from jixiao.monitoring.choices import DecisionKind
    from jixiao.monitoring.models import Decision

    projects = list(projects)
    decided: dict[tuple[int, int], dict] = {}
    executed: dict[tuple[int, int], Decimal] = {}
    ids = [p.pk for p in projects]
    for part in bulk.chunks(ids, ID_CHUNK):
        for row in (Decision.objects.filter(project_id__in=part).values("project_id", "year").annotate(
                cut=Sum("amount", filter=Q(kind=DecisionKind.CUT)),
                recovered=Sum("amount", filter=Q(kind=DecisionKind.RECOVER)),
                suspended=Count("pk", filter=Q(kind=DecisionKind.SUSPEND, lifted_at__isnull=True)),
                stopped=Count("pk", filter=Q(kind=DecisionKind.STOP)))):
            decided[(row["project_id"], row["year"])] = row
        for pk, year, amount in (MonthlyExecution.objects.filter(project_id__in=part).values("project_id", "year")
                                 .annotate(total=Sum("amount")).values_list("project_id", "year", "total")):
            executed[(pk, year)] = amount or Decimal(0)
    out = {}
    for p in projects:
        row = decided.get((p.pk, p.year), {})
        out[p.pk] = rules.DecisionState(
            stage=p.stage, budget=p.budget_amount, cut=row.get("cut") or Decimal(0),
            recovered=row.get("recovered") or Decimal(0), executed=executed.get((p.pk, p.year), Decimal(0)),
            suspended=bool(row.get("suspended")), stopped=bool(row.get("stopped")))
    return out


def _decision_amount(amount):
    if amount in (None, ""):
        return None
    try:
        return checked(amount)
    except MoneyError as exc:
        raise ValidationFailed({"amount": [str(exc)]}) from None


def _decision_kind(kind: str) -> str:
    from jixiao.monitoring.choices import DecisionKind

    if kind not in DecisionKind.values:
        raise ValidationFailed({"kind": [f"处理方式应为：{'、'.join(DecisionKind.labels)}"]})
    return kind


def _decision_title(decision) -> str:

    title = decision.get_kind_display()
    if decision.amount is not None:
        title += f" {rules.wan_text(decision.amount)} 万元"
    return title


def _decisions_url(project) -> str:
    from django.urls import reverse

    return f"{reverse('projects:project_detail', args=[project.pk])}#decisions"


def _approved_sheet(project):
    """The project's latest approved target sheet of its budget year (the one an adjustment copies)."""
    from jixiao.targets.choices import SheetStatus
    from jixiao.targets.models import TargetSheet

    return (TargetSheet.objects.filter(project=project, year=project.year, status=SheetStatus.APPROVED)
            .order_by("-number").first())


@service
def decide(*, actor, project, kind: str, reason: str, amount=None, table=None):
    """A finance decision on a monitored project (监控结果应用, domain-rules §5): 继续执行, 调整绩效目标,
    暂缓拨付, 停止拨付, 调减预算 or 收回资金 (the last two with their amount in yuan), with its reason,
    optionally from the monitoring table that led to it (``table``: the same project's). The rules are
    ``rules.decision_errors`` over the project's state (``decision_states``). 调整绩效目标 opens the
    in-year adjustment of the project's latest approved target sheet through the targets app's
    ``adjust_sheet`` (the new version goes to the agency as a draft and through the review chain again)
    and links it (``sheet``). The decision is in the project's timeline and the change log. Declared
    action ``decide`` (the performance section, in its region)."""
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from jixiao.core.actors import person
    from jixiao.core.scoping import in_scope
    from jixiao.monitoring.choices import DecisionKind, MonitoringEventKind
    from jixiao.monitoring.models import Decision
    from jixiao.projects.models import Project
    from jixiao.projects.services import record_event

    require(actor, Decision, "decide")
    kind = _decision_kind(kind)
    project = Project.objects.select_for_update().get(pk=project.pk)  # one decision at a time per project
    if not in_scope(project, actor, "change"):
        raise PermissionDenied("该操作超出了您的数据权限范围。")
    amount = _decision_amount(amount)
    if table is not None and table.project_id != project.pk:
        raise ValidationFailed({"table": ["所选监控表不是该项目的"]})
    state = decision_states([project])[project.pk]
    errors = rules.decision_errors(kind=kind, amount=amount, reason=reason, state=state,
                                   labels=dict(DecisionKind.choices))
    sheet = None
    if kind == DecisionKind.ADJUST_TARGET and not errors:
        sheet = _approved_sheet(project)
        if sheet is None:
            errors["kind"] = [f"该项目 {project.year} 年没有已批复的绩效目标表，无法调整绩效目标"]
    if errors:
        raise ValidationFailed(errors)
    reason = reason.strip()
    if sheet is not None:
        from jixiao.targets.services import adjust_sheet

        sheet = adjust_sheet(actor=actor, sheet=sheet, reason=f"监控结果应用：{reason}")
    decision = Decision(region_id=project.region_id, agency_id=project.agency_id, project=project, year=project.year,
                        table=table, kind=kind, amount=amount, reason=reason, decided_by=person(actor),
                        decided_at=timezone.now(), sheet=sheet)
    decision.save()
    audit.log_create(actor=actor, obj=decision)
    assert_in_scope(decision, actor, "decide")
    note = reason + (f"（已发起绩效目标调整：{sheet.version_label}，待单位修改后重新审核）" if sheet else "")
    record_event(actor=actor, project=project, kind=MonitoringEventKind.DECISION, title=_decision_title(decision),
                 note=note, data={"url": sheet.get_absolute_url() if sheet else _decisions_url(project),
                                  "decision": decision.pk})
    return decision


@service
def lift_suspension(*, actor, decision, reason: str):
    """Lift a suspension of disbursement (解除暂缓拨付) with the reason: once, and not after disbursement
    was stopped for the year (declared action ``lift``; ``rules.lift_error``). In the timeline and the
    change log."""
    from django.utils import timezone

    from jixiao.core.actors import person
    from jixiao.monitoring.choices import MonitoringEventKind
    from jixiao.monitoring.models import Decision
    from jixiao.projects.services import record_event

    decision = Decision.objects.select_for_update().select_related("project").get(pk=decision.pk)
    check(actor, decision, "lift")
    errors = rules.lift_error(reason=reason, lifted=False, stopped=False)  # state: the declaration's test
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(decision)
    decision.lifted_by, decision.lifted_at, decision.lift_reason = person(actor), timezone.now(), reason.strip()
    decision.save()
    audit.log_update(actor=actor, obj=decision, before=before)
    assert_in_scope(decision, actor, "lift")
    record_event(actor=actor, project=decision.project, kind=MonitoringEventKind.DECISION, title="解除暂缓拨付",
                 note=decision.lift_reason, data={"url": _decisions_url(decision.project), "decision": decision.pk})
    return decision


@service
def decide_many(*, actor, kind: str, projects, reason: str, amounts=None, round=None) -> list[int]:
    """The same decision for many projects at once (the warnings board's bulk decision): every project
    is checked by the rules of :func:`decide` first and either all are decided or none — the refusal
    lists each project's reasons (``ValidationFailed`` on ``projects``, "XM…（名称）：…"). ``amounts``:
    {project id: yuan} for 调减预算 and 收回资金 (one amount per project). With ``round``, each
    decision links the project's monitoring table in that round. 调整绩效目标 is decided one project at
    a time (each opens a target adjustment the agency then edits), not in bulk.

    Set-based: the projects and their states in a few queries per chunk of ids
    (:func:`decision_states`), the decisions by ``core.bulk``, their timeline entries by
    ``projects.services.record_events``, and one change-log entry for the whole act (on the region, as
    a set-based import logs its file) naming the decisions' ids. Returns the new decisions' ids."""
    from django.utils import timezone

    from jixiao.core.actors import person
    from jixiao.core.choices import ChangeAction
    from jixiao.monitoring.choices import DecisionKind, MonitoringEventKind
    from jixiao.monitoring.models import Decision, MonitoringTable
    from jixiao.org.models import Region
    from jixiao.projects.models import Project
    from jixiao.projects.services import record_events

    require(actor, Decision, "decide")
    kind = _decision_kind(kind)
    if kind == DecisionKind.ADJUST_TARGET:
        raise ValidationFailed({"kind": ["调整绩效目标须逐个项目决定（每个项目将发起一次绩效目标调整）"]})
    if not (reason or "").strip():
        raise ValidationFailed({"reason": ["请填写理由"]})
    reason = reason.strip()
    wanted = list(dict.fromkeys(getattr(p, "pk", p) for p in projects))
    if not wanted:
        raise ValidationFailed({"projects": ["请选择项目"]})
    amounts = {int(k): _decision_amount(v) for k, v in (amounts or {}).items()}
    found: dict[int, Project] = {}
    for part in bulk.chunks(wanted, ID_CHUNK):
        found.update((p.pk, p) for p in Project.objects.for_user(actor, "change").select_for_update()
                     .filter(pk__in=part).only("pk", "code", "name", "stage", "budget_amount", "year", "region_id",
                                               "agency_id"))
    tables: dict[int, int] = {}
    if round is not None:
        for part in bulk.chunks(wanted, ID_CHUNK):
            tables.update(MonitoringTable.objects.filter(round=round, project_id__in=part)
                          .values_list("project_id", "pk"))
    states = decision_states(found.values())
    labels = dict(DecisionKind.choices)
    problems: list[str] = []
    for pk in wanted:
        project = found.get(pk)
        if project is None:
            problems.append(f"项目（id {pk}）不存在或不在您的数据权限范围内")
            continue
        errors = rules.decision_errors(kind=kind, amount=amounts.get(pk), reason=reason, state=states[pk],
                                       labels=labels)
        problems += [f"{project.code}（{project.name}）：{m}" for msgs in errors.values() for m in msgs]
    if problems:
        raise ValidationFailed({"projects": problems})
    rows = [found[pk] for pk in wanted]
    ids = bulk.reserve_ids(Decision, len(rows))
    now = timezone.now()
    bulk.insert(Decision, ["id", "region_id", "agency_id", "project_id", "year", "table_id", "amount"],
                [(i, p.region_id, p.agency_id, p.pk, p.year, tables.get(p.pk), amounts.get(p.pk) if kind in
                  rules.AMOUNT_KINDS else None) for i, p in zip(ids, rows, strict=True)],
                {"kind": kind, "reason": reason, "decided_by": getattr(person(actor), "pk", None), "decided_at": now,
                 "lift_reason": ""}, with_id=True)
    label = labels[kind]
    by_region: dict[int, list[dict]] = {}
    for i, p in zip(ids, rows, strict=True):
        amount = amounts.get(p.pk) if kind in rules.AMOUNT_KINDS else None
        by_region.setdefault(p.region_id, []).append({
            "project_id": p.pk, "kind": MonitoringEventKind.DECISION, "note": reason, "created_at": now,
            "title": label + (f" {rules.wan_text(amount)} 万元" if amount is not None else ""),
            "data": {"url": _decisions_url(p), "decision": i}})
    for region_id, entries in by_region.items():
        record_events(actor=actor, region_id=region_id, entries=entries)
        mine = [e["data"]["decision"] for e in entries]
        total = sum((amounts.get(e["project_id"]) or Decimal(0) for e in entries), Decimal(0))
        audit.record_change(actor=actor, obj=Region.objects.get(pk=region_id), action=ChangeAction.UPDATE,
                            before={}, after={"monitoring_decisions": {
                                "kind": kind, "count": len(mine), "decision_ids": mine, "reason": reason,
                                "amount": str(total) if kind in rules.AMOUNT_KINDS else None}})
    for part in bulk.chunks(ids, ID_CHUNK):  # the rows must be the actor's to write (as assert_in_scope)
        if Decision.objects.for_user(actor, "decide").filter(pk__in=part).count() != len(part):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("该操作超出了您的数据权限范围。")
    return ids


def round_skipped_count(rnd, user) -> int:
    """How many objects :func:`round_skipped` would list without its cap."""
    from jixiao.monitoring.choices import RoundScope
    from jixiao.monitoring.models import MonitoringTable
    from jixiao.targets.choices import SheetStatus, TargetKind
    from jixiao.targets.models import TargetSheet

    if rnd.scope_kind == RoundScope.AGENCY_BUDGETS:
        covered = MonitoringTable.objects.filter(round=rnd).values("agency_id")
        return (TargetSheet.objects.for_user(user, "view")
                .filter(region_id=rnd.region_id, year=rnd.year, kind=TargetKind.AGENCY)
                .exclude(agency_id__in=covered).exclude(status=SheetStatus.SUPERSEDED).count())
    return MonitoringTable.objects.for_user(user, "view").filter(round=rnd, sheet__isnull=True).count()
