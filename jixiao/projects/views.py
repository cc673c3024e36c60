"""F3 pages. Thin: parse → scoped fetch → one service call → render (house style 2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.core.errors import ServiceError
from jixiao.core.money import from_wan
from jixiao.core.scoping import actions_for, can, get_for_user
from jixiao.core.viewkit import (
    errors_to_form,
    file_response,
    get_for_action,
    import_page,
    paginate,
    record_export,
    require,
)
from jixiao.core.years import latest_year, year_param
from jixiao.org.filters import sector_choices
from jixiao.projects import exports, imports, panels, rules, services
from jixiao.projects.choices import ProjectAction
from jixiao.projects.filters import ProjectFilter
from jixiao.projects.forms import MoveForm, ProjectForm
from jixiao.projects.models import Project


def _projects(user, action="view"):
    return (Project.objects.for_user(user, action).joined_in_scope(user, "agency", action=action)
            .select_related("agency", "sector"))


@login_required
def project_list(request):
    require(request.user, Project, "view")
    qs, form = ProjectFilter.filter_request(_projects(request.user), request.GET,
                                            choices={"sector": sector_choices()})
    if request.GET.get("format") == "xlsx":
        projects = list(qs)
        record_export(request, "projects", len(projects))
        return file_response(exports.projects_workbook(projects), f"{request.user.region.name}项目库.xlsx")
    totals = qs.aggregate(count=Count("pk"), requested=Sum("requested_amount"), budget=Sum("budget_amount"))
    return render(request, "projects/project_list.html", {
        "page": paginate(request, qs), "filter_form": form, "totals": totals,
        "can_create": can(request.user, Project, "create"),
    })


@login_required
def project_detail(request, pk: int):
    require(request.user, Project, "view")
    project = get_for_user(_projects(request.user).select_related("region"), request.user, "view", pk=pk)
    acts = actions_for(request.user, project)
    needs_exante = rules.needs_exante(is_new=project.is_new, is_major=project.is_major, year=project.year,
                                      end_year=project.end_year)
    return render(request, "projects/project_detail.html", {
        "project": project, "events": project.events.all(), "acts": acts,
        "moves": [a for a in ProjectAction if acts[a.value]],
        "move_form": MoveForm(initial={"version": project.version}),
        "facts": panels.facts(project, request.user),
        "sections": panels.sections_for(project, request.user),
        "needs_exante": needs_exante,
        "waiting_for": rules.waiting_for(stage=project.stage, needs_exante=needs_exante),
    })


@login_required
def project_create(request):
    require(request.user, Project, "create")
    # 预算年度 prefilled: the year asked for, else the latest year the user's projects are in (this year)
    initial = {"year": year_param(request, default=lambda: latest_year(Project.objects.for_user(request.user, "view"))),
               "is_new": "1"}
    if request.user.agency_id:
        initial |= {"agency": request.user.agency_id, "sector": request.user.agency.sector_id}
    form = ProjectForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(actor=request.user, region=request.user.region, **form.service_fields())
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已建立项目“{project.name}”（{project.code}），处于储备阶段。")
            return redirect(project)
    return render(request, "core/form_page.html", {"form": form, "title": "新建项目",
                                                    "cancel": reverse("projects:project_list")})


@login_required
def project_edit(request, pk: int):
    project = get_for_action(Project, request.user, "edit", pk=pk)
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_for(project), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.update_project(actor=request.user, project=project,
                                              version=form.cleaned_data["version"], **form.service_fields())
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect(project)
    return render(request, "core/form_page.html", {"form": form, "title": f"编辑项目：{project.name}",
                                                    "cancel": project.get_absolute_url()})


@login_required
@require_POST
def project_move(request, pk: int, action: str):
    if action not in ProjectAction.values:
        raise Http404("没有这个操作。")
    project = get_for_action(Project, request.user, action, pk=pk)
    form = MoveForm(request.POST)
    d = form.cleaned_data if form.is_valid() else {}
    amount = d.get("budget_amount")
    try:
        project = services.move(actor=request.user, project=project, version=d.get("version"), action=action,
                                note=d.get("note") or "", budget_amount=from_wan(amount) if amount else None)
    except ServiceError as exc:
        messages.error(request, f"{ProjectAction(action).label}未完成：{exc.message}")
    else:
        messages.success(request, f"已{ProjectAction(action).label}，项目现处于“{project.get_stage_display()}”阶段。")
    return redirect("projects:project_detail", pk=pk)


@login_required
def project_import(request):
    require(request.user, Project, "create")
    return import_page(
        request, run=lambda **kw: imports.import_projects(actor=request.user, **kw), title="导入项目清单",
        template_url="projects:project_import_template", back_url="projects:project_list", columns=imports.COLUMNS,
    )


@login_required
def project_import_template(request):
    require(request.user, Project, "create")
    return file_response(exports.projects_workbook([]), "项目库导入模板.xlsx", blank=True)
