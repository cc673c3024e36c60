"""Pages of finance decisions (监控结果应用, issue #13): the project page's decisions section, the
decision and lift forms, and the region's list with its statistics and Excel export. Thin: require →
the scoped fetch → one service call."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from jixiao.core.money import from_wan
from jixiao.core.scoping import can, get_for_user, permits
from jixiao.core.viewkit import file_response, form_page, get_for_action, paginate, record_export, require
from jixiao.monitoring import exports, rules, services
from jixiao.monitoring.choices import DecisionKind
from jixiao.monitoring.filters import DecisionFilter
from jixiao.monitoring.forms import DecisionForm, LiftForm
from jixiao.monitoring.models import Decision, MonitoringTable
from jixiao.monitoring.statistics import decision_statistics
from jixiao.projects.models import Project


def _may_decide(user, project) -> bool:
    """The user may decide on this project: the declared ``decide`` and the project in the user's
    change scope (a province's performance division reads a county's projects, never decides)."""
    return can(user, Decision, "decide") and Project.objects.for_user(user, "change").filter(pk=project.pk).exists()


def open_kinds(state: rules.DecisionState) -> list[tuple[str, str]]:
    """The kinds the project's state allows now (amount and reason aside): the panel's buttons."""
    labels = dict(DecisionKind.choices)
    return [(k, labels[k]) for k in DecisionKind.values
            if "kind" not in rules.decision_errors(kind=k, amount=None, reason="-", state=state, labels=labels)]


def decisions_section(project, user) -> dict | None:
    """The project page's section (``projects.panels.sections``): the state of disbursement (暂缓拨付
    in force, 停止拨付), 调整后预算 and what was recovered, every decision of the project with its lift
    button, and a button per kind the performance section may decide now."""
    if not can(user, Decision, "view"):
        return None
    decisions = list(Decision.objects.for_user(user, "view").filter(project=project)
                     .select_related("decided_by", "lifted_by", "table__round", "sheet"))
    may_decide = _may_decide(user, project)
    if not decisions and not may_decide:
        return None
    state = services.decision_states([project])[project.pk]
    for d in decisions:
        d.may_lift = permits(user, d, "lift")
    suspension = next((d for d in decisions if d.kind == DecisionKind.SUSPEND and d.lifted_at is None), None)
    return {"template": "monitoring/_decisions_panel.html", "order": 20, "context": {
        "project": project, "decisions": decisions, "state": state, "suspension": suspension,
        "kinds": open_kinds(state) if may_decide else []}}


@login_required
def decision_create(request, pk: int):
    require(request.user, Decision, "decide")
    project = get_for_user(Project, request.user, "change", pk=pk)
    tables = MonitoringTable.objects.for_user(request.user, "view").filter(project=project).select_related("round")
    kind = request.GET.get("kind")
    # ?table=<id>: decided from a monitoring table (its page or the warnings board) — prefilled if it is this project's
    table = tables.filter(pk=request.GET["table"]).first() if request.GET.get("table", "").isdigit() else None
    form = DecisionForm(request.POST or None, tables=tables,
                        initial={"kind": kind if kind in DecisionKind.values else DecisionKind.CONTINUE, "table": table})
    state = services.decision_states([project])[project.pk]

    def run(d):
        return services.decide(actor=request.user, project=project, kind=d["kind"], reason=d["reason"],
                               amount=None if d["amount"] is None else from_wan(d["amount"]), table=d["table"])

    return form_page(request, form=form, run=run, title=f"监控结果应用：{project.name}",
                     success=lambda d: f"已作出“{d.get_kind_display()}”的决定。",
                     redirect_to=f"{reverse('projects:project_detail', args=[project.pk])}#decisions",
                     cancel=reverse("projects:project_detail", args=[project.pk]),
                     template="monitoring/decision_form.html", context={"project": project, "state": state})


@login_required
def decision_lift(request, pk: int):
    decision = get_for_action(Decision.objects.select_related("project"), request.user, "lift", pk=pk)
    back = f"{reverse('projects:project_detail', args=[decision.project_id])}#decisions"
    return form_page(request, form=LiftForm(request.POST or None),
                     run=lambda d: services.lift_suspension(actor=request.user, decision=decision,
                                                            reason=d["lift_reason"]),
                     title=f"解除暂缓拨付：{decision.project.name}", success="已解除暂缓拨付。", redirect_to=back,
                     cancel=back, template="monitoring/decision_form.html",
                     context={"project": decision.project, "decision": decision})


@login_required
def decision_list(request):
    """The decisions the user sees (filter by year, kind, agency, round, project), the statistics of
    the filtered decisions by region and year — and by round — and the Excel export (``?format=xlsx``)."""
    require(request.user, Decision, "view")
    qs = (Decision.objects.for_user(request.user, "view").joined_in_scope(request.user, "agency", "project")
          .select_related("region", "agency", "project", "table__round", "decided_by"))
    qs, form = DecisionFilter.filter_request(qs, request.GET)
    if request.GET.get("format") == "xlsx":
        rows = list(qs)
        record_export(request, "monitoring_decisions", len(rows))
        return file_response(exports.decisions_workbook(rows, caption="监控结果应用台账"), "监控结果应用台账.xlsx")
    return render(request, "monitoring/decision_list.html", {
        "page": paginate(request, qs), "filter_form": form,
        "statistics": decision_statistics(qs), "by_round": decision_statistics(qs.filter(table__isnull=False),
                                                                               by_round=True)})
