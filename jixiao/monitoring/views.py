"""Pages of budget execution data (issue #13 F13): the import of the treasury payment export and of the
spending plans. Thin: require → the scoped fetch → one service call (the import page's, or the hand entry's)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.core.errors import ServiceError
from jixiao.core.excel import SheetData, write_styled
from jixiao.core.money import from_wan, to_wan
from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import errors_to_form, file_response, import_page, record_export, require
from jixiao.core.years import year_param
from jixiao.monitoring import imports, rules, services
from jixiao.monitoring.forms import ExecutionEntryForm, PlanEntryForm
from jixiao.monitoring.models import MonthlyExecution, SpendingPlan
from jixiao.monitoring.views_execution import columns_hint
from jixiao.projects.choices import FundSource, ProjectTag
from jixiao.projects.models import Project

EXECUTION_NOTE = ("国库集中支付系统导出的 .xlsx 或 .csv（UTF-8 或 GBK）：每行一笔支付（支付日期）或一个项目一个月（月份），"
                  "金额单位为元（列名写明万元的按万元）；常见列名均可识别，合计行自动跳过，同一项目同月同资金来源的支付相加。"
                  "文件覆盖的月份，对文件中的项目以文件为准，重复导入同一文件不会产生变化。要么全部成功，要么不写入任何数据；"
                  "每一处错误都按工作表、行、列列出。支付日期或月份须在所选预算年度内。工作簿的每个工作表都读取（没有表头行的说明页除外）。"
                  "本地导出文件的列名与常见写法不同的，由绩效股在“导入列对应”中设置一次。")
PLAN_NOTE = ("每行一个项目一个月：项目编码、月份、计划金额（元；列名写明万元的按万元）。文件覆盖的月份，对文件中的项目以文件为准，"
             "重复导入同一文件不会产生变化。要么全部成功，要么不写入任何数据。月份须在所选预算年度内。")
#: the columns the page names (the 万元 spelling of the amount is explained in the note)
EXECUTION_SHOWN = [c for c in imports.EXECUTION_COLUMNS if c.key != "amount_wan"]
PLAN_SHOWN = [c for c in imports.PLAN_COLUMNS if c.key != "amount_wan"]


@login_required
def execution_import(request):
    require(request.user, MonthlyExecution, "import")
    year = year_param(request)
    return import_page(
        request, title="导入预算执行数据", csv=True, note=EXECUTION_NOTE, year=year,
        run=lambda *, data, ip, name, year: imports.import_execution(actor=request.user, data=data, year=year,
                                                                      filename=name, ip=ip),
        template_url="monitoring:execution_import_template", back_url="projects:project_list",
        columns=EXECUTION_SHOWN, background=_background(request, "monitoring.import_execution", "预算执行数据"),
        hint=lambda exc, year: columns_hint(exc, user=request.user, year=year))


@login_required
def execution_import_template(request):
    require(request.user, MonthlyExecution, "import")
    columns = [c for c in imports.EXECUTION_COLUMNS if c.key not in ("amount_wan", "date")]
    data = write_styled([SheetData("预算执行数据", columns, [], note="金额单位：元")])
    return file_response(data, "预算执行数据导入模板.xlsx", blank=True)


@login_required
def plan_import(request):
    require(request.user, SpendingPlan, "import")
    year = year_param(request)
    return import_page(
        request, title="导入用款计划", csv=True, note=PLAN_NOTE, year=year,
        run=lambda *, data, ip, name, year: imports.import_spending_plans(actor=request.user, data=data, year=year,
                                                                           filename=name, ip=ip),
        template_url="monitoring:plan_import_template", back_url="projects:project_list", columns=PLAN_SHOWN,
        background=_background(request, "monitoring.import_plans", "用款计划"),
        hint=lambda exc, year: columns_hint(exc, user=request.user, year=year, plan=True))


def _background(request, kind: str, what: str):
    """A file of the ``import_kb`` job threshold or more is imported by the worker (``monitoring.jobs``):
    a whole region's year can be a million rows."""

    def start(*, data, name, ip, year):
        from jixiao.core.jobs import create_job

        return create_job(actor=request.user, kind=kind, title=f"导入 {year} 年{what}：{name}",
                          params={"year": year, "name": name, "ip": ip}, upload=(name, data))

    return start


@login_required
def plan_import_template(request):
    require(request.user, SpendingPlan, "import")
    columns = [c for c in imports.PLAN_COLUMNS if c.key != "amount_wan"]
    return file_response(write_styled([SheetData("用款计划", columns, [], note="金额单位：元")]), "用款计划导入模板.xlsx",
                         blank=True)


def _cell(request):
    """The month and fund source the page edits (``?month=&fund_source=``), defaulting to 1 月, 本级安排."""
    try:
        month = int(request.GET.get("month", 1))
    except ValueError:
        month = 1
    month = month if 1 <= month <= 12 else 1
    source = request.GET.get("fund_source")
    return month, source if source in FundSource.values else FundSource.OWN


@login_required
def execution_entry(request, pk: int):
    """A project's execution of one year by hand: the months stored so far (by fund source), and the
    form for one month — prefilled with the stored amount and its version (``?month=&fund_source=``)."""
    require(request.user, MonthlyExecution, "enter")
    # the projects whose execution the user may enter: the row scope of changing them (a province's
    # performance division sees a county's project from above, and may not enter its figures)
    project = get_for_user(Project, request.user, "change", pk=pk)
    year = year_param(request, default=project.year)
    month, source = _cell(request)
    rows = list(MonthlyExecution.objects.for_user(request.user, "view").filter(project=project, year=year)
                .order_by("month", "fund_source"))
    current = next((r for r in rows if r.month == month and r.fund_source == source), None)
    initial = {"month": month, "fund_source": source, "version": current.version if current else None,
               "amount": to_wan(current.amount) if current else None}
    form = ExecutionEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enter_execution(actor=request.user, project=project, year=year, month=d["month"],
                                     fund_source=d["fund_source"], amount=from_wan(d["amount"]), version=d["version"])
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存 {year} 年 {d['month']} 月的执行数。")
            return redirect(f"{request.path}?year={year}&month={d['month']}&fund_source={d['fund_source']}")
    series = services.monthly(MonthlyExecution.objects.for_user(request.user, "view").filter(project=project,
                                                                                              year=year))
    executed = rules.execution_to_date(series, max(series)) if series else None
    return render(request, "monitoring/execution_entry.html", {
        "project": project, "year": year, "rows": rows, "form": form, "executed": executed,
        "rate": rules.execution_rate(executed, project.budget_amount) if executed is not None else None,
        "title": f"录入预算执行数：{project.name}（{year} 年）"})


@login_required
def plan_entry(request, pk: int):
    """A project's spending plan of one year by hand, one month at a time (``?month=``), as
    :func:`execution_entry`."""
    require(request.user, SpendingPlan, "enter")
    project = get_for_user(Project, request.user, "change", pk=pk)
    year = year_param(request, default=project.year)
    month, _source = _cell(request)
    rows = list(SpendingPlan.objects.for_user(request.user, "view").filter(project=project, year=year)
                .order_by("month"))
    current = next((r for r in rows if r.month == month), None)
    form = PlanEntryForm(request.POST or None, initial={
        "month": month, "version": current.version if current else None,
        "amount": to_wan(current.amount) if current else None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enter_spending_plan(actor=request.user, project=project, year=year, month=d["month"],
                                         amount=from_wan(d["amount"]), version=d["version"])
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存 {year} 年 {d['month']} 月的用款计划。")
            return redirect(f"{request.path}?year={year}&month={d['month']}")
    return render(request, "monitoring/execution_entry.html", {
        "project": project, "year": year, "rows": rows, "form": form, "plan": True,
        "planned": sum((r.amount for r in rows), Decimal(0)) if rows else None,
        "title": f"录入用款计划：{project.name}（{year} 年）"})


# --- monitoring rounds and tables (issue #13 F6) ------------------------------------------------------

ROW_FIELDS = ("value_to_date", "year_end", "stated_expected", "achievement", "cause", "explanation", "likelihood",
              "measures")
REASON_NAMES = ("cause", "explanation", "likelihood", "measures")


def _rounds(user):
    from jixiao.monitoring.models import MonitoringRound

    return MonitoringRound.objects.for_user(user, "view")


def _tables(user, action: str = "view"):
    from jixiao.monitoring.models import MonitoringTable

    return (MonitoringTable.objects.for_user(user, action).joined_in_scope(user, "agency", "project")
            .select_related("round", "agency", "project", "sheet"))


@login_required
def round_list(request):
    """监控批次: the rounds of the user's region (and, for a province or city, the regions below)."""
    from jixiao.core.scoping import can
    from jixiao.core.viewkit import paginate
    from jixiao.monitoring.models import MonitoringRound

    require(request.user, MonitoringRound, "view")
    qs = _rounds(request.user).select_related("region")
    return render(request, "monitoring/round_list.html", {
        "page": paginate(request, qs), "can_open": can(request.user, MonitoringRound, "create")})


@login_required
def round_create(request):
    """发起监控批次 (the performance section)."""
    import datetime as dt

    from jixiao.core.dates import local_date
    from jixiao.monitoring.forms import RoundForm
    from jixiao.monitoring.models import MonitoringRound

    require(request.user, MonitoringRound, "create")
    today = local_date(None, request.user.region)
    initial = {"year": today.year, "month": max(today.month - 1, 1), "deadline": today + dt.timedelta(days=10),
               "scope_kind": "all_projects"}
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        picked, unknown = [], []
        if d["scope_kind"] == "picked":
            codes = form.picked_codes()
            found = dict(Project.objects.for_user(request.user, "view").filter(region=request.user.region,
                                                                                 code__in=codes)
                         .values_list("code", "pk"))
            unknown = [c for c in codes if c not in found]
            picked = [found[c] for c in codes if c in found]
        if unknown:
            form.add_error("codes", f"以下项目编码不存在或不在您的范围内：{'、'.join(unknown[:20])}")
        else:
            try:
                rnd = services.open_round(actor=request.user, region=request.user.region, year=d["year"],
                                          month=d["month"], deadline=d["deadline"], title=d["title"],
                                          scope_kind=d["scope_kind"], tag=d.get("tag") or "", projects=picked)
            except ServiceError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已发起监控批次“{rnd.title}”。")
                return redirect(rnd.get_absolute_url())
    return render(request, "core/form_page.html", {"form": form, "title": "发起监控批次",
                                                   "cancel": reverse("monitoring:round_list")})


@login_required
def round_detail(request, pk: int):
    """A round: its scope and deadline, per agency the tables 未填报 / 已提交 / 逾期, the objects left
    out (部门整体支出 without an approved sheet) and the tables the user may see, each with its lights
    (``readings.read_tables`` over the page's tables, set-based)."""
    from jixiao.core.dates import local_date
    from jixiao.core.scoping import actions_for, can
    from jixiao.core.viewkit import paginate
    from jixiao.monitoring.forms import CloseRoundForm
    from jixiao.monitoring.models import MonitoringRound, MonitoringTable
    from jixiao.monitoring.readings import read_tables

    require(request.user, MonitoringRound, "view")
    rnd = get_for_user(_rounds(request.user), request.user, "view", pk=pk)
    acts = actions_for(request.user, rnd)
    if request.method == "POST":
        require(request.user, MonitoringRound, "close")
        form = CloseRoundForm(request.POST)
        if not form.is_valid():
            messages.error(request, "页面已过期，请刷新后重试。")
        else:
            try:
                services.close_round(actor=request.user, round=rnd, version=form.cleaned_data["version"])
            except ServiceError as exc:
                messages.error(request, "；".join(m for ms in getattr(exc, "errors", {}).values() for m in ms)
                               or str(exc))
            else:
                messages.success(request, "监控批次已结束。")
        return redirect(rnd.get_absolute_url())
    tables = _tables(request.user).filter(round=rnd)
    status = request.GET.get("status", "")
    listed = tables.filter(status=status) if status in ("draft", "in_review", "returned", "approved") else tables
    page = paginate(request, listed.order_by("agency__code", "project__code", "pk"))
    readings = read_tables(page.object_list)
    today = local_date(None, request.user.region)
    return render(request, "monitoring/round_detail.html", {
        "round": rnd, "acts": acts, "counts": services.round_counts(rnd, tables, today=today),
        "page": page, "rows": [(t, readings[t.pk]) for t in page.object_list], "late": rnd.deadline < today,
        "skipped": services.round_skipped(rnd, request.user),
        "skipped_count": services.round_skipped_count(rnd, request.user), "status": status,
        "can_import": rnd.status == "open" and can(request.user, MonitoringTable, "fill"),
        "tag_label": dict(ProjectTag.choices).get(rnd.tag, rnd.tag)})


def _row_values(post, positions) -> dict:
    rows = {}
    for pos in positions:
        values = {name: post.get(f"row-{pos}-{name}") for name in ROW_FIELDS if f"row-{pos}-{name}" in post}
        if values:
            rows[pos] = values
    return rows


@login_required
def table_detail(request, pk: int):
    """The monitoring table: the money row (budget 年初/调整后, executed to date, rate, expected execution
    with its basis, the agency's year-end estimate and — from month 8 — the forecast beside it) and
    each indicator row with its light, the goal light and blue count, and the deviation fields. The
    agency's preparer (or the performance section) fills it while it is editable (POST: save)."""
    from jixiao.core.errors import StaleVersion, ValidationFailed
    from jixiao.core.money import MoneyError, from_wan_checked
    from jixiao.core.scoping import actions_for
    from jixiao.monitoring.choices import Achievement, CauseCategory, Likelihood
    from jixiao.monitoring.forms import ReviewForm
    from jixiao.monitoring.models import MonitoringTable
    from jixiao.monitoring.readings import read_table

    require(request.user, MonitoringTable, "view")
    table = get_for_user(_tables(request.user), request.user, "view", pk=pk)
    acts = actions_for(request.user, table)
    errors: list[str] = []
    if request.method == "POST":
        require(request.user, MonitoringTable, "fill")
        # the rows the user may change (not a county's table seen from the province); the state is the service's
        table = get_for_user(_tables(request.user, "change"), request.user, "change", pk=pk)
        positions = list(table.rows.values_list("position", flat=True))
        reasons = {name: request.POST.get(name, "") for name in REASON_NAMES}
        raw = (request.POST.get("estimate") or "").strip()
        try:
            estimate = from_wan_checked(raw) if raw else ""
        except MoneyError as exc:
            errors.append(f"预算执行：预计全年执行数{exc}")
            estimate = None
        if not errors:
            try:
                services.save_table(actor=request.user, table=table, version=request.POST.get("version"),
                                    estimate=estimate, goal_progress=request.POST.get("goal_progress", ""),
                                    rows=_row_values(request.POST, positions), **reasons)
            except ValidationFailed as exc:
                errors = [m for ms in exc.errors.values() for m in ms]
            except StaleVersion:
                errors = ["监控表已被他人修改，请刷新页面后重新填写。"]
            except ServiceError as exc:
                errors = [str(exc)]
            else:
                messages.success(request, "监控表已保存。")
                return redirect(table.get_absolute_url())
        table.refresh_from_db()
    reading = read_table(table)
    review, steps, events = services.table_history(table)
    # 监控结果应用: finance decides on the project from its table (the decision page's own gate and scope)
    from jixiao.core.scoping import can
    from jixiao.monitoring.models import Decision

    decide_url = (f"{reverse('monitoring:decision_create', args=[table.project_id])}?table={table.pk}"
                  if table.project_id and can(request.user, Decision, "decide")
                  and Project.objects.for_user(request.user, "change").filter(pk=table.project_id).exists() else "")
    posted = request.POST if errors else None  # a refused save shows what was typed, not the stored values
    money = {name: posted.get(name, "") if posted else getattr(table, name) for name in (*REASON_NAMES, "goal_progress")}
    money["estimate"] = posted.get("estimate", "") if posted else (to_wan(table.estimate) if table.estimate is not None
                                                                   else "")
    rows = [(row, {name: posted.get(f"row-{row.position}-{name}", "") if posted else
                   (row.reasons.get(name) if name in REASON_NAMES else getattr(row, name)) for name in ROW_FIELDS},
             f"row-{row.position}-") for row in reading.rows]
    return render(request, "monitoring/table_detail.html", {
        "table": table, "round": table.round, "r": reading, "acts": acts, "errors": errors, "money": money,
        "rows": rows, "problems": reading.problems() if table.is_editable else [], "steps": steps, "events": events,
        "causes": CauseCategory.choices, "likelihoods": Likelihood.choices, "achievements": Achievement.choices,
        "review_form": ReviewForm(initial={"version": table.version}), "forecast_month": rules.FORECAST_FROM_MONTH,
        "decide_url": decide_url,
        "title": f"绩效运行监控表：{table.subject_name}"})


@login_required
@require_POST
def table_submit(request, pk: int):
    """提交审核 (POST): refused with every problem named by its row."""
    from jixiao.core.errors import ValidationFailed
    from jixiao.core.viewkit import get_for_action

    table = get_for_action(_tables(request.user), request.user, "submit", pk=pk)
    try:
        services.submit_table(actor=request.user, table=table, version=request.POST.get("version"))
    except ValidationFailed as exc:
        for ms in exc.errors.values():
            for m in ms:
                messages.error(request, m)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "监控表已提交审核。")
    return redirect(table.get_absolute_url())


@login_required
@require_POST
def table_review(request, pk: int):
    """审核 (POST): pass the current step or return with an opinion."""
    from jixiao.core.viewkit import get_for_action
    from jixiao.monitoring.forms import ReviewForm

    table = get_for_action(_tables(request.user), request.user, "review", pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果。")
        return redirect(table.get_absolute_url())
    d = form.cleaned_data
    try:
        if d["action"] == "approve":
            services.approve_table(actor=request.user, table=table, version=d["version"], opinion=d["opinion"])
        else:
            services.return_table(actor=request.user, table=table, version=d["version"], opinion=d["opinion"])
    except ServiceError as exc:
        errors = getattr(exc, "errors", None)
        messages.error(request, "；".join(m for ms in errors.values() for m in ms) if errors else str(exc))
    else:
        messages.success(request, "已通过。" if d["action"] == "approve" else "已退回填报单位。")
    return redirect(table.get_absolute_url())


# --- the fill-in workbook (填报表): export and import back ----------------------------------------------

TABLES_NOTE = ("上传本批次“导出填报表”得到的 Excel 文件（每张监控表一个工作表），填写浅黄色单元格后导入。按隐藏的识别码匹配监控表，"
               "要么全部成功，要么不写入任何数据；每一处错误都按工作表、行、列列出。与系统中内容相同的表不作改动，重复导入同一文件不会产生变化。"
               "已提交审核、已审核或批次已结束的表不能通过导入修改；导出后在系统中被修改过的表会被指出而不会被覆盖，请重新导出后填写。")


def _round_tables(request, rnd):
    """The round's tables the user sees, for the workbook: all of them, or one agency's (``?agency=<code>``)."""
    tables = _tables(request.user).filter(round=rnd).select_related("region")
    code = (request.GET.get("agency") or "").strip()
    if code:
        tables = tables.filter(agency__code=code)
    return tables.order_by("agency__code", "project__code", "pk"), code


@login_required
def round_tables_xlsx(request, pk: int):
    """导出填报表: the round's tables in the user's scope (or one agency's) as one workbook, one worksheet
    per table in the official layout, to fill in and import back (``round_tables_import``)."""
    from jixiao.monitoring import exports
    from jixiao.monitoring.models import MonitoringRound, MonitoringTable

    require(request.user, MonitoringRound, "view")
    require(request.user, MonitoringTable, "view")
    rnd = get_for_user(_rounds(request.user), request.user, "view", pk=pk)
    tables, code = _round_tables(request, rnd)
    tables = list(tables)
    if not tables:
        messages.error(request, "没有您可以导出的监控表。")
        return redirect(rnd.get_absolute_url())
    record_export(request, "monitoring_tables", len(tables), round=rnd.pk)
    suffix = f"-{code}" if code else ""
    return file_response(exports.tables_workbook(tables), f"{rnd.title}{suffix}-填报表.xlsx")


@login_required
def round_tables_import(request, pk: int):
    """导入填报表: the filled-in workbook of this round, all or nothing (``imports.import_tables``)."""
    from jixiao.monitoring.models import MonitoringTable

    require(request.user, MonitoringTable, "fill")
    rnd = get_for_user(_rounds(request.user), request.user, "view", pk=pk)

    def run(*, data, ip):
        upload = request.FILES.get("file")
        return imports.import_tables(actor=request.user, round=rnd, data=data,
                                     name=getattr(upload, "name", "") or "文件", ip=ip)

    span = f"1—{rnd.month}月"
    columns = [{"header": h, "required": False} for h in (
        "全年预计执行数（万元）", "预算执行偏差原因", f"{span}完成情况", f"{span}实际完成值", "全年预计完成值", "完成情况（定性指标）",
        "偏差原因类别", "偏差原因说明", "完成目标可能性", "纠偏措施", "截至本期预期值（可选）")]
    return import_page(request, run=run, title=f"导入填报表：{rnd.title}", note=TABLES_NOTE, columns=columns,
                       template_url=reverse("monitoring:round_tables_xlsx", args=[rnd.pk]),
                       back_url=rnd.get_absolute_url(), template_label="导出本批次填报表（您范围内的监控表）")
