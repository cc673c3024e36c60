"""F9 pages. Thin: role gate → scoped fetch → one service call → render (house style 2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.core.errors import ServiceError
from jixiao.core.roles import is_assigned
from jixiao.core.scoping import can, get_for_user
from jixiao.core.viewkit import errors_to_form, file_response, import_page, paginate, record_export, require
from jixiao.org.filters import sector_choices
from jixiao.pools import exports, imports, services
from jixiao.pools.choices import DrawnStatus
from jixiao.pools.filters import DrawFilter, ExpertFilter, FirmFilter
from jixiao.pools.forms import DrawForm, ExpertForm, FirmForm, FirmRecordForm, ReasonForm, resolve_login
from jixiao.pools.models import Draw, DrawnExpert, Expert, Firm, FirmRecord, sees_contact


@login_required
def index(request):
    """The area's entry: experts and firms go to their tasks, the finance side to the expert pool."""
    if is_assigned(request.user):
        return redirect("pools:my_tasks")
    require(request.user, Expert, "view")
    return redirect("pools:expert_list")



# --- experts ------------------------------------------------------------------------------------

def _experts(user):
    return Expert.objects.for_user(user, "view").select_related("agency", "firm", "user").prefetch_related("fields")


@login_required
def expert_list(request):
    require(request.user, Expert, "view")
    qs, form = ExpertFilter.filter_request(_experts(request.user), request.GET,
                                           choices={"field": sector_choices()})
    qs = qs.distinct()
    if request.GET.get("format") == "xlsx":
        experts = list(qs)
        record_export(request, "experts", len(experts))
        data = exports.experts_workbook(experts, region_name=request.user.region.name,
                                        with_contact=sees_contact(request.user))
        return file_response(data, f"{request.user.region.name}专家库.xlsx")
    return render(request, "pools/expert_list.html", {
        "page": paginate(request, qs), "filter_form": form, "can_create": can(request.user, Expert, "create"),
        "show_contact": sees_contact(request.user),
    })


@login_required
def expert_detail(request, pk: int):
    require(request.user, Expert, "view")
    expert = get_for_user(_experts(request.user), request.user, "view", pk=pk)
    drawn = DrawnExpert.objects.for_user(request.user, "view").filter(expert=expert).select_related("draw")[:50]
    return render(request, "pools/expert_detail.html", {
        "expert": expert, "drawn": drawn, "can_change": can(request.user, Expert, "change"),
        "show_contact": sees_contact(request.user),
    })


def _expert_form_view(request, expert=None):
    initial = {"status": "active"}
    if expert is not None:
        initial = {"version": expert.version, "name": expert.name, "organisation": expert.organisation,
                   "title": expert.title, "fields": list(expert.fields.all()), "qualification": expert.qualification,
                   "status": expert.status, "agency": expert.agency_id, "firm": expert.firm_id,
                   "phone": expert.phone, "email": expert.email,
                   "user": expert.user.username if expert.user_id else ""}
    form = ExpertForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        login = resolve_login(form, d["user"], request.user.region)
        values = {k: d[k] for k in ("name", "organisation", "title", "fields", "qualification", "status", "agency",
                                    "firm", "phone", "email")}
        if not form.errors:
            try:
                if expert is None:
                    expert = services.create_expert(actor=request.user, region=request.user.region, user=login,
                                                    **values)
                else:
                    expert = services.update_expert(actor=request.user, expert=expert, version=d["version"],
                                                    user=login, **values)
            except ServiceError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存专家“{expert.name}”。")
                return redirect(expert)
    title = "新增专家" if expert is None else f"编辑专家：{expert.name}"
    return render(request, "core/form_page.html", {
        "form": form, "title": title,
        "cancel": expert.get_absolute_url() if expert else reverse("pools:expert_list"),
    })


@login_required
def expert_create(request):
    require(request.user, Expert, "create")
    return _expert_form_view(request)


@login_required
def expert_edit(request, pk: int):
    require(request.user, Expert, "change")
    return _expert_form_view(request, get_for_user(Expert, request.user, "change", pk=pk))


@login_required
def expert_import(request):
    require(request.user, Expert, "create")
    return import_page(
        request, run=lambda **kw: imports.import_experts(actor=request.user, **kw), title="导入专家",
        template_url="pools:expert_import_template", back_url="pools:expert_list", columns=imports.EXPERT_COLUMNS,
    )


@login_required
def expert_import_template(request):
    require(request.user, Expert, "create")
    return file_response(exports.experts_workbook([], region_name=request.user.region.name, with_contact=True),
                         "专家导入模板.xlsx", blank=True)


# --- firms --------------------------------------------------------------------------------------

@login_required
def firm_list(request):
    require(request.user, Firm, "view")
    qs = Firm.objects.for_user(request.user, "view").annotate(record_count=Count("records")).order_by("name", "pk")
    qs, form = FirmFilter.filter_request(qs, request.GET)
    if request.GET.get("format") == "xlsx":
        firms = list(qs)
        record_export(request, "firms", len(firms))
        return file_response(exports.firms_workbook(firms, region_name=request.user.region.name),
                             f"{request.user.region.name}第三方机构库.xlsx")
    return render(request, "pools/firm_list.html", {
        "page": paginate(request, qs), "filter_form": form, "can_create": can(request.user, Firm, "create"),
    })


@login_required
def firm_detail(request, pk: int):
    require(request.user, Firm, "view")
    firm = get_for_user(Firm.objects.select_related("user"), request.user, "view", pk=pk)
    return render(request, "pools/firm_detail.html", {
        "firm": firm, "records": FirmRecord.objects.for_user(request.user, "view").filter(firm=firm),
        "experts": Expert.objects.for_user(request.user, "view").filter(firm=firm),
        "can_change": can(request.user, Firm, "change"),
    })


def _firm_form_view(request, firm=None):
    initial = {"status": "active"}
    if firm is not None:
        initial = {"version": firm.version, "name": firm.name, "kind": firm.kind, "credit_code": firm.credit_code,
                   "qualifications": firm.qualifications, "status": firm.status,
                   "user": firm.user.username if firm.user_id else ""}
    form = FirmForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        login = resolve_login(form, d["user"], request.user.region)
        values = {k: d[k] for k in ("name", "kind", "credit_code", "qualifications", "status")}
        if not form.errors:
            try:
                if firm is None:
                    firm = services.create_firm(actor=request.user, region=request.user.region, user=login, **values)
                else:
                    firm = services.update_firm(actor=request.user, firm=firm, version=d["version"], user=login,
                                                **values)
            except ServiceError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存机构“{firm.name}”。")
                return redirect(firm)
    title = "新增第三方机构" if firm is None else f"编辑机构：{firm.name}"
    return render(request, "core/form_page.html", {
        "form": form, "title": title, "cancel": firm.get_absolute_url() if firm else reverse("pools:firm_list"),
    })


@login_required
def firm_create(request):
    require(request.user, Firm, "create")
    return _firm_form_view(request)


@login_required
def firm_edit(request, pk: int):
    require(request.user, Firm, "change")
    return _firm_form_view(request, get_for_user(Firm, request.user, "change", pk=pk))


@login_required
def firm_record_create(request, pk: int):
    require(request.user, FirmRecord, "create")
    firm = get_for_user(Firm, request.user, "change", pk=pk)
    form = FirmRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.add_firm_record(actor=request.user, firm=firm, year=d["year"], object=d["object"],
                                     quality_score=d["quality_score"], note=d["note"])
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "已记入机构业绩。")
            return redirect(firm)
    return render(request, "core/form_page.html", {"form": form, "title": f"记录业绩：{firm.name}",
                                                    "cancel": firm.get_absolute_url()})


@login_required
def firm_import(request):
    require(request.user, Firm, "create")
    return import_page(
        request, run=lambda **kw: imports.import_firms(actor=request.user, **kw), title="导入第三方机构",
        template_url="pools:firm_import_template", back_url="pools:firm_list", columns=imports.FIRM_COLUMNS,
    )


@login_required
def firm_import_template(request):
    require(request.user, Firm, "create")
    return file_response(exports.firms_workbook([], region_name=request.user.region.name), "第三方机构导入模板.xlsx", blank=True)


# --- draws --------------------------------------------------------------------------------------

@login_required
def draw_list(request):
    require(request.user, Draw, "view")
    qs = Draw.objects.for_user(request.user, "view").select_related("created_by").prefetch_related("fields")
    qs, form = DrawFilter.filter_request(qs, request.GET)
    return render(request, "pools/draw_list.html", {
        "page": paginate(request, qs), "filter_form": form, "can_create": can(request.user, Draw, "create"),
    })


@login_required
def draw_create(request):
    require(request.user, Draw, "create")
    form = DrawForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            draw = services.draw_experts(
                actor=request.user, region=request.user.region, purpose=d["purpose"], count=d["count"],
                fields=d["fields"], exclude_agencies=d["exclude_agencies"], exclude_firms=d["exclude_firms"],
                exclude_drawn_in=d["exclude_drawn_in"],
            )
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已抽取 {draw.count} 名专家（随机种子 {draw.seed}）。")
            return redirect(draw)
    return render(request, "core/form_page.html", {"form": form, "title": "随机抽取专家",
                                                    "cancel": reverse("pools:draw_list")})


@login_required
def draw_detail(request, pk: int):
    require(request.user, Draw, "view")
    draw = get_for_user(
        Draw.objects.select_related("created_by", "exclude_drawn_in").prefetch_related(
            "fields", "exclude_agencies", "exclude_firms", "excluded"),
        request.user, "view", pk=pk)
    drawn = list(DrawnExpert.objects.for_user(request.user, "view").filter(draw=draw)
                 .select_related("expert", "replaced_by__expert"))
    return render(request, "pools/draw_detail.html", {
        "draw": draw, "drawn": drawn, "pool_size": len(draw.pool),
        "reproduced": all(c.ok is not False for c in services.verify_draw(draw)),
        "show_contact": sees_contact(request.user),
    })


@login_required
def draw_verify(request, pk: int):
    """复核: re-run the recorded draw (seed over the recorded pool) and every replacement, and say
    whether the recorded result is reproduced. For anyone who may see the draw."""
    require(request.user, Draw, "view")
    draw = get_for_user(Draw.objects.select_related("created_by"), request.user, "view", pk=pk)
    checks = services.verify_draw(draw)
    ids = {i for c in checks for i in (*c.recorded, *(c.expected or ()))}
    names = dict(Expert.objects.for_user(request.user, "view").filter(pk__in=ids).values_list("pk", "name"))
    return render(request, "pools/draw_verify.html", {
        "draw": draw, "checks": [{"check": c, "expected": [names.get(i, i) for i in c.expected or ()],
                                  "recorded": [names.get(i, i) for i in c.recorded]} for c in checks],
        "reproduced": all(c.ok is not False for c in checks), "unverifiable": any(c.ok is None for c in checks),
    })


# --- drawn experts: accept / decline (the expert, or the performance section) -------------------

@login_required
@require_POST
def drawn_accept(request, pk: int):
    require(request.user, DrawnExpert, "change")
    row = get_for_user(DrawnExpert, request.user, "change", pk=pk)
    try:
        services.accept_drawn(actor=request.user, drawn=row)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已接受邀请。")
    return redirect(_back(request, row))


@login_required
@require_POST
def drawn_decline(request, pk: int):
    require(request.user, DrawnExpert, "change")
    row = get_for_user(DrawnExpert, request.user, "change", pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请说明谢绝或替换的原因。")
        return redirect(_back(request, row))
    try:
        new = services.decline_and_replace(actor=request.user, drawn=row, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if new.replaces.status == DrawnStatus.DECLINED:
            messages.success(request, "已谢绝邀请，系统已另行抽取替补专家。")
        else:
            messages.success(request, f"已替换，替补专家：{new.expert.name}。")
    return redirect(_back(request, row))


def _back(request, row) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return nxt  # the page the answer was given on (the assessment's page)
    if can(request.user, Draw, "view"):
        return reverse("pools:draw_detail", args=[row.draw_id])
    return reverse("pools:my_tasks")


@login_required
def my_tasks(request):
    """我的任务: the draws an expert login is in (a firm login's commissions come with F7)."""
    if not is_assigned(request.user):
        raise PermissionDenied("此页面供专家和第三方机构使用。")
    # the draw's subject (an assessment …) is prefetched generically: pools does not import the apps above it
    tasks = DrawnExpert.objects.for_user(request.user, "view").select_related("draw", "expert").prefetch_related(
        Prefetch("draw__fields"), "draw__subject").order_by("-draw__created_at", "order")
    return render(request, "pools/my_tasks.html", {"page": paginate(request, tasks),
                                                   "is_expert": can(request.user, DrawnExpert, "accept")})
