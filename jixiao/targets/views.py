"""F5 pages. Thin: require → scoped fetch → form → one service call → messages + redirect."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jixiao.core import config as region_config
from jixiao.core import review as review_machinery
from jixiao.core.choices import InboxKind, ReviewStatus
from jixiao.core.errors import ServiceError
from jixiao.core.models import InboxItem, Review
from jixiao.core.money import MoneyError, from_wan_checked
from jixiao.core.roles import is_assigned
from jixiao.core.scoping import actions_for, can, permits, refusal
from jixiao.core.viewkit import (
    file_response,
    form_page,
    get_for_action,
    import_page,
    paginate,
    record_export,
    require,
)
from jixiao.core.years import latest_year, year_param
from jixiao.library.choices import Level1, Level2, Operator, ValueBasis
from jixiao.org.models import Agency
from jixiao.projects.models import Project
from jixiao.targets import rules, services
from jixiao.targets.choices import SheetStatus, TargetKind
from jixiao.targets.filters import SheetFilter
from jixiao.targets.forms import (
    AdjustForm,
    AdmitForm,
    BulkReviewForm,
    CreateForm,
    DrawForm,
    OpinionForm,
    PublishForm,
    SheetForm,
    wan_exact,
)
from jixiao.targets.models import TargetSheet

#: The columns of the indicator editor, in the order of the official form.
ROW_FIELDS = rules.EDITOR_ROW_FIELDS
TASK_FIELDS = ("name", "content", "amount", "fiscal_amount", "other_amount")


def _sheets(user, action="view"):
    return (TargetSheet.objects.for_user(user, action).joined_in_scope(user, "agency", "project", action=action)
            .select_related("agency", "project", "region"))


def _sheet(request, pk, action="view"):
    """The sheet for a CRUD or declared action: 403 when the role may not do it at all, 404 when the
    sheet is missing or outside the user's scope (its state is the service's to judge, with a message)."""
    return get_for_action(_sheets(request.user), request.user, action, pk=pk)


def default_year(user) -> int:
    return latest_year(TargetSheet.objects.for_user(user, "view"))


def _year(request, user) -> int:
    return year_param(request, default=lambda: default_year(user))


# --- lists -----------------------------------------------------------------------------------------

@login_required
def sheet_list(request):
    require(request.user, TargetSheet, "view")
    qs, form = SheetFilter.filter_request(_sheets(request.user), request.GET)
    return render(request, "targets/sheet_list.html", {
        "page": paginate(request, qs), "filter_form": form, "query": request.GET.urlencode(),
        "can_create": can(request.user, TargetSheet, "create"),
        "can_review": can(request.user, TargetSheet, "review"),
        "can_statistics": can(request.user, Project, "view"),
    })


@login_required
def sheet_export(request):
    """导出 the filtered sheets: ``?layout=official`` in the official forms (one worksheet per sheet),
    else the flat list (one row per indicator). An official export of many sheets (the
    ``export_sheets`` job threshold or more) runs as a background job: the page says how many and
    starts it on POST, then shows its progress and the file."""
    from jixiao.core.jobs import create_job, threshold
    from jixiao.targets import exports

    require(request.user, TargetSheet, "view")
    qs, _ = SheetFilter.filter_request(_sheets(request.user), request.GET)
    region = request.user.region.name if request.user.region_id else ""
    if request.GET.get("layout") == "official":
        count = qs.count()
        file_name = f"{region}绩效目标表.xlsx"
        if count >= threshold("export_sheets"):
            if request.method == "POST":
                job = create_job(actor=request.user, kind="targets.export_official",
                                 title=f"导出目标表（申报表格式，{count} 份）",
                                 params={"query": request.GET.urlencode(), "file_name": file_name})
                return redirect("core:job_detail", job.pk)
            return render(request, "targets/export_job.html", {"count": count, "query": request.GET.urlencode()})
        record_export(request, "target_sheets_official", count)
        return file_response(exports.official_workbook(qs), file_name)
    record_export(request, "target_sheets", qs.count())
    return file_response(exports.flat_workbook(qs), f"{region}绩效目标清单.xlsx")


def _waiting(user):
    """The sheets whose current review step is the user's: the open 审核 inbox items the review
    machinery opened for exactly the step's resolved reviewers (set-based), plus — for experts,
    whose panel may be drawn after the step opened — the sheets they are drawn for at the 专家会审
    step. Returns {review id: waiting since}."""
    review_ct = ContentType.objects.get_for_model(Review)
    since = dict(InboxItem.objects.filter(user=user, done_at__isnull=True, kind=InboxKind.REVIEW,
                                          content_type=review_ct).values_list("object_id", "created_at"))
    if is_assigned(user):
        sheet_ct = ContentType.objects.get_for_model(TargetSheet)
        mine = TargetSheet.objects.for_user(user, "view").filter(status=SheetStatus.IN_REVIEW).values("pk")
        for review in Review.objects.filter(content_type=sheet_ct, object_id__in=mine, chain=services.CHAIN,
                                            status=ReviewStatus.IN_REVIEW):
            if review.pk not in since and review_machinery.can_act(user, review):
                since[review.pk] = review.updated_at
    return since


@login_required
def review_queue(request):
    """待我审核: the reviewer's inbox of sheets, with bulk 通过 / 退回 and overdue marks."""
    require(request.user, TargetSheet, "review")
    since = _waiting(request.user)
    sheet_ct = ContentType.objects.get_for_model(TargetSheet)
    reviews = {r.object_id: r for r in Review.objects.filter(pk__in=list(since), content_type=sheet_ct,
                                                             chain=services.CHAIN, status=ReviewStatus.IN_REVIEW)}
    qs = _sheets(request.user).filter(pk__in=list(reviews), status=SheetStatus.IN_REVIEW).order_by("submitted_at", "pk")
    if request.method == "POST":
        form = BulkReviewForm(request.POST)
        ids = {int(i) for i in request.POST.getlist("sheet") if i.isdigit()}
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
        elif not ids:
            messages.error(request, "请先勾选要审核的目标表。")
        else:
            chosen = list(qs.filter(pk__in=ids))
            done, failures = services.bulk_review(actor=request.user, sheets=chosen, action=form.cleaned_data["action"],
                                                  opinion=form.cleaned_data["opinion"])
            label = dict(form.fields["action"].choices)[form.cleaned_data["action"]]
            if done:
                messages.success(request, f"已{label} {done} 份目标表。")
            for failure in failures:
                messages.error(request, failure)
        return redirect("targets:review_queue")
    days = region_config.get(request.user.region_id, default_year(request.user),
                             "target_quality_params")["review_days"] if request.user.region_id else 5
    now = timezone.now()
    page = paginate(request, qs)
    items = []
    for sheet in page.object_list:
        review = reviews[sheet.pk]
        start = since.get(review.pk) or review.updated_at
        items.append({"sheet": sheet, "step": (review.current_step or {}).get("name", ""),
                      "waited": (now - start).days, "overdue": now - start > timedelta(days=days)})
    return render(request, "targets/review_queue.html", {"page": page, "items": items, "review_days": days})


# --- create and edit -------------------------------------------------------------------------------

def creatable_projects(user, year: int):
    """The user's projects of the year, in a stage that takes a target sheet, without one yet (the
    exclusion is correlated by each candidate's own region and id, so it reads the user's region's
    sheets through the region-leading unique index — not every sheet of the province, issue #12)."""
    have = TargetSheet.objects.filter(region_id=OuterRef("region_id"), project_id=OuterRef("pk"), year=year)
    return (Project.objects.for_user(user, "view").filter(year=year, stage__in=services.OPEN_PROJECT_STAGES)
            .filter(~Exists(have)).select_related("agency").order_by("agency__code", "code"))


def creatable_agencies(user, year: int):
    """Agencies whose whole-budget sheet the user may start for the year and that have none: the
    preparer's own agency; for the performance section, the active agencies of the region."""
    if not can(user, TargetSheet, "edit"):
        return Agency.objects.none()
    have = TargetSheet.objects.filter(region_id=OuterRef("region_id"), agency_id=OuterRef("pk"), year=year,
                                      kind=TargetKind.AGENCY)
    return Agency.objects.for_user(user, "view").filter(active=True).filter(~Exists(have)).order_by("code")


@login_required
def sheet_create(request):
    require(request.user, TargetSheet, "create")
    year = _year(request, request.user)
    projects, agencies = creatable_projects(request.user, year), creatable_agencies(request.user, year)
    form = CreateForm(request.POST or None, initial={"year": year, "subject": request.GET.get("project")},
                      projects=projects, agencies=agencies, allow_panel=can(request.user, TargetSheet, "draw_panel"))
    return form_page(
        request, form=form, run=lambda d: services.create_sheet(actor=request.user, **form.service_fields()),
        success=lambda sheet: f"已建立“{sheet.title}”（草稿）。请填写绩效指标。",
        redirect_to=lambda sheet: reverse("targets:indicator_edit", args=[sheet.pk]),
        title="新建绩效目标表", cancel=reverse("targets:sheet_list"),
        context={"hint": None if projects or agencies else _empty_subjects_hint(request.user, year)})


def _empty_subjects_hint(user, year: int) -> dict:
    """Why the 编报对象 list is empty and a link to what to do (targets.rules.empty_subjects)."""
    from jixiao.projects.choices import ProjectStage
    from jixiao.targets.rules import empty_subjects

    mine = Project.objects.for_user(user, "view").filter(year=year)
    agencies = Agency.objects.for_user(user, "view").filter(active=True).count() if can(user, TargetSheet, "edit") else 0
    hint = empty_subjects(year=year, projects=mine.count(),
                          open_projects=mine.filter(stage__in=services.OPEN_PROJECT_STAGES).count(), agencies=agencies,
                          open_stages=[ProjectStage(s).label for s in services.OPEN_PROJECT_STAGES],
                          may_create_project=can(user, Project, "create"))
    links = {"agencies": (reverse("org:agency_list"), "组织机构"),
             "new_project": (f"{reverse('projects:project_create')}?year={year}", f"新建 {year} 年项目"),
             "projects": (f"{reverse('projects:project_list')}?year={year}", "项目库"),
             "sheets": (f"{reverse('targets:sheet_list')}?year={year}", f"{year} 年目标表列表")}
    url, label = links[hint.action]
    return {"text": hint.text, "url": url, "link": label, "reason": hint.reason}


@login_required
def sheet_edit(request, pk: int):
    sheet = _sheet(request, pk, "edit")
    if request.method == "GET" and (locked := _locked(request, sheet)):
        return locked
    form = SheetForm(request.POST or None, initial=SheetForm.initial_for(sheet), sheet=sheet)
    return form_page(
        request, form=form, success="已保存。质量检查结果已更新。", redirect_to=lambda saved: saved,
        run=lambda d: services.update_sheet(actor=request.user, sheet=sheet, version=d["version"],
                                            **form.service_fields()),
        title=f"编辑：{sheet.title}", cancel=sheet.get_absolute_url())


def _posted_rows(post, fields) -> list[dict]:
    """The editor's rows: one list per column (``name="<field>"`` repeated per row); a row with every
    cell empty is dropped (a blank row added and left unused)."""
    columns = {f: post.getlist(f) for f in fields}
    count = max((len(v) for v in columns.values()), default=0)
    rows = []
    for i in range(count):
        row = {f: (columns[f][i] if i < len(columns[f]) else "") for f in fields}
        if any((v or "").strip() for k, v in row.items() if k not in ("level1", "level2", "operator", "value_basis",
                                                                      "template")):
            rows.append(row)
    return rows


def _tree_labels(sheet) -> list[dict]:
    l1, l2 = dict(Level1.choices), dict(Level2.choices)
    return [{"code": k, "label": l1.get(k, k), "children": [{"code": c, "label": l2.get(c, c)} for c in v]}
            for k, v in services.taxonomy_tree(sheet.taxonomy).items()]


def _suggestions(sheet):
    return services.suggestions_for(sheet, limit=12)


def _locked(request, sheet):
    """A sheet under review or approved is not edited: back to it with the reason, not a form that
    can only be refused."""
    if sheet.is_editable:
        return None
    messages.warning(request, f"绩效目标表{sheet.get_status_display()}，不能修改"
                              + ("；如需变更请“年中调整”。" if sheet.status == "approved" else "。"))
    return redirect(sheet)


@login_required
def indicator_edit(request, pk: int):
    """The table editor of every indicator row, with the library's suggestions beside it."""
    sheet = _sheet(request, pk, "edit")
    if request.method == "GET" and (locked := _locked(request, sheet)):
        return locked
    errors: list[str] = []
    version = sheet.version
    if request.method == "POST":
        rows = _posted_rows(request.POST, ROW_FIELDS)
        for row in rows:
            row["template"] = int(row["template"]) if str(row["template"]).isdigit() else None
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            errors.append("缺少版本号，请刷新页面后重试。")
        if not errors:
            try:
                sheet = services.save_indicators(actor=request.user, sheet=sheet, version=version, rows=rows)
            except ServiceError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"已保存 {len(rows)} 项指标。"
                                          f"质量检查：{sheet.error_count} 个错误，{sheet.warning_count} 个提示。")
                return redirect(sheet)
    else:
        rows = services.indicator_dicts(sheet)
        for row in rows:
            row["template"] = row["template"].pk if row["template"] is not None else ""
    tree = _tree_labels(sheet)
    children = {n["code"]: n["children"] for n in tree}
    row_findings: dict[int, list] = {}
    if request.method != "POST":
        for f in sheet.findings.filter(row__isnull=False):
            row_findings.setdefault(f.row, []).append(f)
    for position, row in enumerate(rows, start=1):
        row["level2_options"] = children.get(row.get("level1"), [])
        row["errors"] = [e.split("：", 1)[-1] for e in errors if e.startswith(f"第 {position} 项")]
        row["findings"] = row_findings.get(position, [])
    return render(request, "targets/indicator_edit.html", {
        "sheet": sheet, "rows": rows, "errors": errors, "version": version, "tree": tree,
        "operators": Operator.choices, "bases": ValueBasis.choices, "suggestions": _suggestions(sheet),
        "max_indicators": rules.MAX_INDICATORS,
        "blank_row": {"operator": Operator.GE, "value_basis": ValueBasis.PLAN, "level2_options": []},
    })


@login_required
@require_POST
def adopt(request, pk: int):
    """一键引用: add the chosen library templates' indicators to the sheet."""
    from jixiao.library.models import IndicatorTemplate

    sheet = _sheet(request, pk, "edit")
    ids = [int(i) for i in request.POST.getlist("template") if i.isdigit()]
    templates = list(IndicatorTemplate.objects.available_in(sheet.region_id).filter(pk__in=ids))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, "缺少版本号，请刷新页面后重试。")
        return redirect("targets:indicator_edit", pk=sheet.pk)
    if not templates:
        messages.error(request, "请选择要引用的指标模板。")
        return redirect("targets:indicator_edit", pk=sheet.pk)
    before = sheet.indicators.count()
    try:
        sheet = services.adopt_templates(actor=request.user, sheet=sheet, version=version, templates=templates)
    except ServiceError as exc:
        messages.error(request, f"引用未完成：{'；'.join(exc.messages)}")
    else:
        messages.success(request, f"已引用 {sheet.indicators.count() - before} 项指标，请填写指标值和分值。")
    return redirect("targets:indicator_edit", pk=sheet.pk)


@login_required
def task_edit(request, pk: int):
    """年度主要任务 of an agency's whole-budget sheet (amounts in 万元)."""
    sheet = _sheet(request, pk, "edit")
    if sheet.kind != TargetKind.AGENCY:
        raise Http404("只有部门整体绩效目标表有年度主要任务。")
    if request.method == "GET" and (locked := _locked(request, sheet)):
        return locked
    errors: list[str] = []
    version = sheet.version
    if request.method == "POST":
        rows = _posted_rows(request.POST, TASK_FIELDS)
        service_rows = []
        for i, row in enumerate(rows, start=1):
            amounts = {}
            for f in ("amount", "fiscal_amount", "other_amount"):
                try:
                    amounts[f] = from_wan_checked(row[f] or 0)
                except (MoneyError, ArithmeticError, ValueError) as exc:
                    errors.append(f"第 {i} 项任务：{exc}")
            service_rows.append({**row, **amounts})
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            errors.append("缺少版本号，请刷新页面后重试。")
        if not errors:
            try:
                sheet = services.save_tasks(actor=request.user, sheet=sheet, version=version, rows=service_rows)
            except ServiceError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"已保存 {len(rows)} 项年度主要任务。")
                return redirect(sheet)
    else:
        rows = [{"name": t.name, "content": t.content, "amount": wan_exact(t.amount),
                 "fiscal_amount": wan_exact(t.fiscal_amount), "other_amount": wan_exact(t.other_amount)}
                for t in sheet.tasks.all()]
    return render(request, "targets/task_edit.html", {"sheet": sheet, "rows": rows, "errors": errors,
                                                      "version": version})


# --- the sheet and its review ----------------------------------------------------------------------

@login_required
def sheet_detail(request, pk: int):
    sheet = _sheet(request, pk)
    user = request.user
    review, steps, events = services.history(sheet)
    all_versions = services.versions(sheet)
    return render(request, "targets/sheet_detail.html", {
        "sheet": sheet, "indicators": sheet.indicators.all(), "tasks": sheet.tasks.all(),
        "findings": sheet.findings.all(), "review": review, "steps": steps, "events": events,
        "last_return": next((e for e in reversed(events) if e.action == "return"), None)
        if sheet.status == SheetStatus.RETURNED else None,
        "opinion_form": OpinionForm(initial={"version": sheet.version}),
        "acts": actions_for(user, sheet),
        "version_count": len(all_versions),
        "proxy_members": _proxy_members(user, review),
    })


def _proxy_members(user, review) -> list:
    """The members of the current step without a login whose opinion this user may enter (代录)."""
    if review is None or not permits(user, review, "approve_on_behalf"):
        return []
    return [m for m in review_machinery.pending_members(review) if m.user_id is None]


def _opinion(request):
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "表单已过期（缺少版本号），请刷新页面后重试。")
        return None
    return form.cleaned_data


def _transition(request, pk, action: str, fn, done: str, failed: str):
    sheet = _sheet(request, pk, action)
    d = _opinion(request)
    if d is not None:
        try:
            sheet = fn(actor=request.user, sheet=sheet, version=d["version"], opinion=d["opinion"] or "")
        except ServiceError as exc:
            messages.error(request, f"{failed}：{'；'.join(exc.messages)}")
        else:
            messages.success(request, done.format(status=sheet.get_status_display()))
    return redirect("targets:sheet_detail", pk=pk)


@login_required
@require_POST
def sheet_submit(request, pk: int):
    return _transition(request, pk, "submit", services.submit_sheet, "已提交审核。", "未能提交")


@login_required
@require_POST
def sheet_approve(request, pk: int):
    return _transition(request, pk, "review", services.approve_sheet, "已审核通过，目标表现为“{status}”。", "未能通过")


@login_required
@require_POST
def sheet_proxy(request, pk: int):
    """代录: the performance section enters the opinion of a panel member without a login."""
    from jixiao.core.models import Review

    require(request.user, Review, "approve_on_behalf")
    sheet = _sheet(request, pk)
    d = _opinion(request)
    if d is not None:
        try:
            sheet = services.approve_sheet_on_behalf(actor=request.user, sheet=sheet, version=d["version"],
                                                     member=request.POST.get("member", ""),
                                                     opinion=d["opinion"] or "")
        except ServiceError as exc:
            messages.error(request, f"未能代录：{'；'.join(exc.messages)}")
        else:
            messages.success(request, f"已代录，目标表现为“{sheet.get_status_display()}”。")
    return redirect("targets:sheet_detail", pk=pk)


@login_required
@require_POST
def sheet_return(request, pk: int):
    return _transition(request, pk, "review", services.return_sheet, "已退回编报单位修改。", "未能退回")


@login_required
def sheet_adjust(request, pk: int):
    sheet = _sheet(request, pk, "adjust")
    return form_page(
        request, form=AdjustForm(request.POST or None), redirect_to=lambda new: new,
        run=lambda d: services.adjust_sheet(actor=request.user, sheet=sheet, reason=d["reason"]),
        success=lambda new: f"已建立{new.version_label}（草稿）。修改后请重新提交审核。",
        title=f"年中调整：{sheet.title}", cancel=sheet.get_absolute_url())


@login_required
@require_POST
def sheet_publish(request, pk: int):
    """公开 / 撤回公开 (and 涉密不公开) an approved sheet."""
    sheet = _sheet(request, pk, "publish")
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "表单已过期（缺少版本号），请刷新页面后重试。")
        return redirect(sheet)
    d = form.cleaned_data
    try:
        sheet = services.set_published(actor=request.user, sheet=sheet, version=d["version"],
                                       published=d["published"], redacted=d["redacted"])
    except ServiceError as exc:
        messages.error(request, f"未完成：{'；'.join(exc.messages)}")
    else:
        messages.success(request, "已公开。" if sheet.published else
                         ("已标记为涉密不公开。" if sheet.redacted else "已撤回公开。"))
    return redirect(sheet)


@login_required
@require_POST
def sheet_admit(request, pk: int):
    """纳入指标库: the performance section admits an indicator of an approved sheet as a template."""
    from jixiao.library.services import admit_template

    sheet = _sheet(request, pk, "admit_to_library")
    form = AdmitForm(request.POST)
    indicator = None
    if form.is_valid():
        indicator = sheet.indicators.filter(pk=form.cleaned_data["indicator"]).first()
    if indicator is None:
        raise Http404("没有这项指标。")
    if (refused := refusal(request.user, sheet, "admit_to_library")) is not None:
        messages.error(request, str(getattr(refused, "message", refused)))
        return redirect(sheet)
    sector = sheet.project.sector if sheet.project_id else sheet.agency.sector
    try:
        template = admit_template(
            actor=request.user, region=sheet.region, name=indicator.name, level1=indicator.level1,
            level2=indicator.level2, operator=indicator.operator, unit=indicator.unit, value=indicator.value,
            value_basis=indicator.value_basis, scoring_standard=indicator.scoring_standard,
            explanation=indicator.explanation, sector=sector,
            serves="agency" if sheet.kind == TargetKind.AGENCY else "project",
            source_note=f"由“{sheet.title}”纳入")
    except ServiceError as exc:
        messages.error(request, f"未能纳入指标库：{'；'.join(exc.messages)}")
    else:
        messages.success(request, f"“{template.name}”已在本区划指标库中。")
    return redirect(sheet)


@login_required
def sheet_draw(request, pk: int):
    """抽取会审专家 for the 专家会审 step."""
    from jixiao.org.models import Sector

    sheet = _sheet(request, pk, "draw_panel")
    default = sheet.project.sector_id if sheet.project_id else sheet.agency.sector_id
    form = DrawForm(request.POST or None, initial={"fields": [default] if default else []},
                    sectors=Sector.objects.all())
    return form_page(
        request, form=form, redirect_to=sheet,
        run=lambda d: services.draw_panel(actor=request.user, sheet=sheet, count=d["count"],
                                          fields=list(d["fields"])),
        success=lambda draw: f"已抽取 {draw.drawn.count()} 位会审专家（已回避编报单位）。",
        title=f"抽取会审专家：{sheet.title}", cancel=sheet.get_absolute_url())


@login_required
def sheet_versions(request, pk: int):
    """Every version side by side: goals, amounts and the indicators aligned by name."""
    require(request.user, TargetSheet, "view")
    sheet = _sheet(request, pk)
    every = services.versions(sheet)
    allowed = set(TargetSheet.objects.for_user(request.user, "view").filter(pk__in=[v.pk for v in every])
                  .values_list("pk", flat=True))
    columns = [v for v in every if v.pk in allowed]
    names: list[str] = []
    by_version = []
    for v in columns:
        rows = {i.name: i for i in v.indicators.all()}
        by_version.append(rows)
        names.extend(n for n in rows if n not in names)
    table = []
    for name in names:
        cells = [rows.get(name) for rows in by_version]
        shown = [(c.level1, c.level2, c.value_display, c.weight) if c else None for c in cells]
        table.append({"name": name, "cells": [{"i": c, "changed": k > 0 and shown[k] != shown[k - 1]}
                                              for k, c in enumerate(cells)]})
    header = []
    for field, label in (("annual_goal", "年度目标"), ("amount", "年度资金总额"), ("fiscal_amount", "财政拨款"),
                         ("other_amount", "其他资金"), ("adjustment_reason", "调整原因"), ("status", "状态")):
        values = [getattr(v, f"get_{field}_display")() if field == "status" else getattr(v, field) for v in columns]
        header.append({"label": label, "money": field.endswith("amount"),
                       "cells": [{"value": x, "changed": k > 0 and x != values[k - 1]} for k, x in enumerate(values)]})
    return render(request, "targets/sheet_versions.html", {"sheet": sheet, "columns": columns, "table": table,
                                                           "header": header})


@login_required
def sheet_xlsx(request, pk: int):
    """One sheet in the official layout."""
    from jixiao.targets import exports

    require(request.user, TargetSheet, "view")
    sheet = _sheet(request, pk)
    record_export(request, "target_sheet", 1)
    return file_response(exports.official_workbook([sheet]), f"{sheet.title}.xlsx")


class _Imported(dict):
    """The import service's summary dict, worded for the import page's success message."""

    def summary(self) -> str:
        from jixiao.targets.jobs import import_summary

        return import_summary(self)


@login_required
def sheet_import(request):
    """导入: the official layouts and the flat list (one row per indicator), all or nothing."""
    from jixiao.targets import imports

    require(request.user, TargetSheet, "create")

    def run(*, data, ip, year):
        upload = request.FILES.get("file")
        return _Imported(imports.import_sheets(actor=request.user, region=request.user.region, year=year, data=data,
                                               name=getattr(upload, "name", "") or "文件", ip=ip))

    def background(*, data, name, ip, year):
        from jixiao.core.jobs import create_job

        return create_job(actor=request.user, kind="targets.import", title=f"导入 {year} 年度绩效目标表：{name}",
                          params={"year": year, "name": name, "ip": ip}, upload=(name, data))

    required = {"level1", "level2", "name", "operator", "value"}
    columns = [{"header": h, "required": k in required} for k, h in imports.FLAT_HEADERS.items()]
    return import_page(request, run=run, title="导入绩效目标表", template_url="targets:import_template",
                       back_url="targets:sheet_list", columns=columns, background=background,
                       year=_year(request, request.user))


@login_required
def import_template(request):
    from jixiao.targets import exports

    require(request.user, TargetSheet, "create")
    return file_response(exports.import_template(), "绩效目标导入模板.xlsx", blank=True)
