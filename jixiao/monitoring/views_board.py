"""Pages of the warnings board (预警看板) and the monitoring statistics (issue #13). Thin: require → the
scoped round → ``board.board`` / ``statistics`` (set-based readers) → render, or the .xlsx of the same
figures (``?format=xlsx``, recorded as an export)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jixiao.core.dates import local_date
from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import file_response, paginate, record_export, require
from jixiao.monitoring import board as boards
from jixiao.monitoring import services
from jixiao.monitoring.choices import DecisionKind
from jixiao.monitoring.forms import BoardForm
from jixiao.monitoring.models import MonitoringRound, MonitoringTable
from jixiao.projects.choices import ProjectTag

#: rounds offered in the board's selector (the latest first; any other is reached by ``?round=``)
ROUND_CHOICES = 200


def _round(request):
    """The round asked for (``?round=``, 404 outside the user's scope) or the latest the user sees."""
    rounds = MonitoringRound.objects.for_user(request.user, "view").select_related("region").order_by(
        "-year", "-month", "-pk")
    raw = request.GET.get("round") or request.POST.get("round")
    if raw:
        return get_for_user(rounds, request.user, "view", pk=raw if str(raw).isdigit() else 0), rounds
    return rounds.first(), rounds


def _label(rnd, user) -> str:
    return rnd.title if rnd.region_id == user.region_id else f"{rnd.region.name}：{rnd.title}"


@login_required
def board_page(request):
    """预警看板: a round's objects by light (执行进度灯 and 目标灯 counted), filtered by agency, sector, tag,
    submission status, light and deviation; per agency the tables not submitted and late; each row
    opens its table; the performance section decides on the selected projects at once."""
    require(request.user, MonitoringTable, "view")
    rnd, rounds = _round(request)
    if rnd is None:
        return render(request, "monitoring/board.html", {"round": None, "title": "预警看板"})
    today = local_date(None, request.user.region)
    all_tables = boards.tables_of(request.user, rnd)
    counts = services.round_counts(rnd, all_tables, today=today)
    choices = [(r.pk, _label(r, request.user)) for r in rounds[:ROUND_CHOICES]]
    if rnd.pk not in {pk for pk, _ in choices}:
        choices.append((rnd.pk, _label(rnd, request.user)))
    sectors = boards.sector_names()
    form = BoardForm({**request.GET.dict(), "round": rnd.pk}, rounds=choices,
                     agencies=[(c["agency_id"], f"{c['agency__code']} {c['agency__name']}") for c in counts],
                     sectors=sorted(sectors.items(), key=lambda kv: kv[1]))
    flt = form.filter()
    result = boards.board(request.user, rnd, flt, today=today)
    tags = dict(ProjectTag.choices)
    if request.GET.get("format") == "xlsx":
        rows = [boards.board_row(t, r, late=result.late, sectors=sectors, tags=tags) for t, r in result.rows]
        record_export(request, f"预警看板 {rnd.title}", len(rows), round=rnd.pk)
        return file_response(boards.board_workbook(rows, caption=f"{rnd.title}预警看板"), f"{rnd.title}预警看板.xlsx")
    page = paginate(request, result.rows)
    bulk = _may_decide(request.user, rnd)
    return render(request, "monitoring/board.html", {
        "bulk": bulk, "kinds": [k for k in DecisionKind.choices if k[0] != DecisionKind.ADJUST_TARGET],
        "query": request.GET.urlencode(),
        "round": rnd, "form": form, "board": result, "counts": result.counts, "page": page,
        "rows": [(t, r, boards.missing_reasons(r)) for t, r in page.object_list],
        "agencies": [c for c in counts if c["open"]], "late": result.late, "sectors": sectors,
        "title": f"预警看板：{_label(rnd, request.user)}"})


@login_required
def statistics_page(request):
    """运行监控统计: per round of the year and per project tag within it, the figures the annual report
    quotes (objects and amount monitored, deviations, lights, decisions with amounts), with the
    report's sentence; ``?format=xlsx`` downloads the same rows."""
    from jixiao.core.years import year_param

    require(request.user, MonitoringRound, "view")
    require(request.user, MonitoringTable, "view")
    year = year_param(request, default=lambda: local_date(None, request.user.region).year)
    stats = boards.statistics(request.user, year)
    scope = request.user.agency.name if request.user.agency_id else (request.user.region.name
                                                                      if request.user.region_id else "")
    if request.GET.get("format") == "xlsx":
        rows = boards.statistics_rows(stats)
        record_export(request, f"运行监控统计 {year}", len(rows))
        return file_response(boards.statistics_workbook(stats, caption=f"{scope}{year}年度绩效运行监控统计"),
                             f"{scope}{year}年度绩效运行监控统计.xlsx")
    return render(request, "monitoring/statistics.html", {
        "stats": stats, "year": year, "years": range(year - 2, year + 2), "scope": scope,
        "tags": dict(ProjectTag.choices), "title": f"{year} 年度绩效运行监控统计"})


def _may_decide(user, rnd) -> bool:
    """The performance section of the round's own region (a province's division reads a county's board,
    never decides on it)."""
    from jixiao.core.scoping import can, in_scope
    from jixiao.monitoring.models import Decision

    return can(user, Decision, "decide") and in_scope(rnd, user, "change")


def _back(request, rnd) -> str:
    from django.urls import reverse

    stem = reverse("monitoring:board")
    query = request.POST.get("query", "")
    return f"{stem}?{query}" if query and "\n" not in query and "//" not in query else f"{stem}?round={rnd.pk}"


@login_required
@require_POST
def board_decide(request):
    """批量处理 (POST): the same decision — kind, reason, and for 调减预算 / 收回资金 each project's amount in
    万元 (``amount-<project id>``) — for the projects selected on the board, through
    ``services.decide_many``: all or none, every refusal naming its project."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from jixiao.core.errors import ServiceError, ValidationFailed
    from jixiao.core.money import MoneyError, from_wan_checked
    from jixiao.monitoring.choices import DecisionKind
    from jixiao.monitoring.models import Decision
    from jixiao.projects.models import Project

    require(request.user, Decision, "decide")
    raw = request.POST.get("round", "")
    rnd = get_for_user(MonitoringRound, request.user, "change", pk=raw if raw.isdigit() else 0)
    back = _back(request, rnd)
    ids = [int(v) for v in request.POST.getlist("projects") if v.isdigit()]
    if not ids:
        messages.error(request, "请先勾选要处理的项目。")
        return redirect(back)
    kind = request.POST.get("kind", "")
    codes = dict(Project.objects.for_user(request.user, "view").filter(pk__in=ids).values_list("pk", "code"))
    amounts, errors = {}, []
    if kind in (DecisionKind.CUT, DecisionKind.RECOVER):
        for pk in ids:
            text = (request.POST.get(f"amount-{pk}") or "").strip()
            if not text:
                continue  # the service names the project whose amount is missing
            try:
                amounts[pk] = from_wan_checked(text)
            except MoneyError as exc:
                errors.append(f"{codes.get(pk, pk)}：金额{exc}")
    if errors:
        for m in errors:
            messages.error(request, m)
        return redirect(back)
    try:
        made = services.decide_many(actor=request.user, kind=kind, projects=ids, reason=request.POST.get("reason", ""),
                                    amounts=amounts, round=rnd)
    except ValidationFailed as exc:
        for ms in exc.errors.values():
            for m in ms:
                messages.error(request, m)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已对 {len(made)} 个项目作出“{dict(DecisionKind.choices)[kind]}”的决定。")
    return redirect(back)
