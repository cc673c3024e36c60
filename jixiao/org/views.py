"""F1 pages. Thin: parse → scoped fetch → one service call → render (house style 2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.core import navigation
from jixiao.core.audit import client_ip
from jixiao.core.errors import ServiceError
from jixiao.core.roles import ADMIN_ROLES
from jixiao.core.scoping import actions_for, can, get_for_user
from jixiao.core.viewkit import (
    file_response,
    form_page,
    get_for_action,
    import_page,
    paginate,
    record_export,
    require,
)
from jixiao.org import exports, imports, services
from jixiao.org.filters import AgencyFilter, sector_choices
from jixiao.org.forms import AgencyForm
from jixiao.org.models import Agency, FinanceSection


@login_required
def home(request):
    user = request.user
    agencies = Agency.objects.for_user(user, "view")
    from jixiao.core.years import year_param
    from jixiao.org import home as home_figures

    year = year_param(request)
    context = {
        "agency_count": agencies.count(),
        "department_count": agencies.filter(parent__isnull=True).count(),
        "looked_after": agencies.filter(sections=user.finance_section_id)[:30] if user.finance_section_id else [],
        "figure_year": year, "figure_cards": home_figures.cards(user, year),
        "planned_areas": navigation.planned_areas_for(user.role),
    }
    return render(request, "org/home.html", context)



@login_required
def agency_list(request):
    require(request.user, Agency, "view")
    qs = Agency.objects.for_user(request.user, "view").select_related("parent", "sector")
    qs, form = AgencyFilter.filter_request(qs, request.GET, choices={"sector": sector_choices()})
    if request.GET.get("format") == "xlsx":
        agencies = list(qs)
        record_export(request, "agencies", len(agencies))
        data = exports.agencies_workbook(agencies, region_name=request.user.region.name)
        return file_response(data, f"{request.user.region.name}预算单位.xlsx")
    return render(request, "org/agency_list.html", {
        "page": paginate(request, qs), "filter_form": form,
        "can_create": can(request.user, Agency, "create"),
    })


@login_required
def agency_detail(request, pk: int):
    from jixiao.org.panels import agency_facts

    require(request.user, Agency, "view")
    agency = get_for_user(Agency.objects.select_related("parent", "sector", "region"), request.user, "view", pk=pk)
    children = Agency.objects.for_user(request.user, "view").filter(parent=agency)
    sections = FinanceSection.objects.for_user(request.user, "view").filter(agencies=agency) \
        if can(request.user, FinanceSection, "view") else []
    return render(request, "org/agency_detail.html", {
        "agency": agency, "children": children, "sections": sections,
        "can_change": can(request.user, Agency, "change"), "facts": agency_facts(agency, request.user),
    })


@login_required
def agency_create(request):
    require(request.user, Agency, "create")
    return form_page(
        request, form=AgencyForm(request.POST or None, user=request.user),
        run=lambda d: services.create_agency(
            actor=request.user, region=request.user.region, code=d["code"], name=d["name"], kind=d["kind"],
            parent=d["parent"], sector=d["sector"], active=d["active"]),
        success=lambda agency: f"已新增单位“{agency.name}”。", redirect_to=lambda agency: agency,
        title="新增单位", cancel=reverse("org:agency_list"),
    )


@login_required
def agency_edit(request, pk: int):
    require(request.user, Agency, "change")
    agency = get_for_user(Agency, request.user, "change", pk=pk)
    initial = {"version": agency.version, "code": agency.code, "name": agency.name, "kind": agency.kind,
               "parent": agency.parent_id, "sector": agency.sector_id, "active": agency.active}
    return form_page(
        request, form=AgencyForm(request.POST or None, initial=initial, user=request.user, exclude=agency),
        run=lambda d: services.update_agency(
            actor=request.user, agency=agency, version=d["version"], code=d["code"], name=d["name"],
            kind=d["kind"], parent=d["parent"], sector=d["sector"], active=d["active"]),
        success="已保存。", redirect_to=lambda saved: saved,
        title=f"编辑单位：{agency.name}", cancel=agency.get_absolute_url(),
    )


@login_required
def agency_import(request):
    require(request.user, Agency, "create")
    return import_page(
        request, run=lambda **kw: imports.import_agencies(actor=request.user, **kw), title="导入预算单位",
        template_url="org:agency_import_template", back_url="org:agency_list", columns=imports.AGENCY_COLUMNS,
    )


@login_required
def agency_import_template(request):
    require(request.user, Agency, "create")
    return file_response(exports.agencies_workbook([], region_name=request.user.region.name), "预算单位导入模板.xlsx", blank=True)


# --- finance sections ---------------------------------------------------------------------------

@login_required
def section_list(request):
    from jixiao.org.filters import SectionFilter

    require(request.user, FinanceSection, "view")
    qs = FinanceSection.objects.for_user(request.user, "view").prefetch_related("agencies")
    qs, form = SectionFilter.filter_request(qs, request.GET)
    return render(request, "org/section_list.html", {
        "page": paginate(request, qs), "filter_form": form, "can_create": can(request.user, FinanceSection, "create"),
    })


@login_required
def section_detail(request, pk: int):
    require(request.user, FinanceSection, "view")
    section = get_for_user(FinanceSection, request.user, "view", pk=pk)
    agencies = Agency.objects.for_user(request.user, "view").filter(sections=section)
    return render(request, "org/section_detail.html", {
        "section": section, "agencies": agencies, "members": section.users.filter(is_active=True),
        "can_change": can(request.user, FinanceSection, "change"),
    })


def _section_form_view(request, section=None):
    from jixiao.org.forms import SectionForm

    initial = {}
    if section is not None:
        initial = {"version": section.version, "code": section.code, "name": section.name, "kind": section.kind,
                   "agencies": list(section.agencies.values_list("pk", flat=True))}
    def run(d):
        if section is None:
            return services.create_section(actor=request.user, region=request.user.region, code=d["code"],
                                           name=d["name"], kind=d["kind"], agencies=d["agencies"])
        return services.update_section(actor=request.user, section=section, version=d["version"], code=d["code"],
                                       name=d["name"], kind=d["kind"], agencies=d["agencies"])

    return form_page(
        request, form=SectionForm(request.POST or None, initial=initial, user=request.user, section=section),
        run=run, success="已保存。", redirect_to=lambda saved: saved,
        title="新增股室" if section is None else f"编辑股室：{section.name}",
        cancel=section.get_absolute_url() if section else reverse("org:section_list"),
    )


@login_required
def section_create(request):
    require(request.user, FinanceSection, "create")
    return _section_form_view(request)


@login_required
def section_edit(request, pk: int):
    require(request.user, FinanceSection, "change")
    return _section_form_view(request, get_for_user(FinanceSection, request.user, "change", pk=pk))


# --- users --------------------------------------------------------------------------------------

def _users(request):
    from jixiao.org.models import User

    return User.objects.for_user(request.user, "view").select_related("agency", "finance_section")


@login_required
def user_list(request):
    from jixiao.org.filters import UserFilter
    from jixiao.org.models import User

    require(request.user, User, "view")
    qs, form = UserFilter.filter_request(_users(request), request.GET)
    if request.GET.get("format") == "xlsx":
        users = list(qs.exclude(role__in=ADMIN_ROLES))
        record_export(request, "users", len(users))
        return file_response(exports.users_workbook(users, region_name=request.user.region.name),
                             f"{request.user.region.name}用户.xlsx")
    return render(request, "org/user_list.html", {
        "page": paginate(request, qs), "filter_form": form, "can_create": can(request.user, User, "create"),
    })


@login_required
def user_detail(request, pk: int):
    from jixiao.org.models import User

    require(request.user, User, "view")
    user = get_for_user(_users(request), request.user, "view", pk=pk)
    from jixiao.org.auth import is_locked

    return render(request, "org/user_detail.html", {
        "subject": user, "locked": is_locked(user), "acts": actions_for(request.user, user),
    })


@login_required
def user_create(request):
    from jixiao.org.forms import UserCreateForm
    from jixiao.org.models import User

    require(request.user, User, "create")
    return form_page(
        request, form=UserCreateForm(request.POST or None, user=request.user),
        run=lambda d: services.create_user(
            actor=request.user, region=request.user.region, username=d["username"],
            display_name=d["display_name"], role=d["role"], password=d["password"], agency=d["agency"],
            finance_section=d["finance_section"], phone=d["phone"]),
        success=lambda user: f"已创建账号 {user.username}，待安全保密管理员授予角色“{user.get_pending_role_display()}”；"
                             "本人首次登录须修改初始密码。", redirect_to=lambda user: user,
        title="新增用户", cancel=reverse("org:user_list"),
    )


@login_required
def user_edit(request, pk: int):
    from jixiao.org.forms import UserEditForm

    subject = get_for_action(_users(request), request.user, "edit_profile", pk=pk)
    initial = {"version": subject.version, "display_name": subject.display_name, "agency": subject.agency_id,
               "finance_section": subject.finance_section_id, "phone": subject.phone, "is_active": subject.is_active}
    return form_page(
        request, form=UserEditForm(request.POST or None, initial=initial, user=request.user),
        run=lambda d: services.update_user(
            actor=request.user, user=subject, version=d["version"], display_name=d["display_name"],
            agency=d["agency"], finance_section=d["finance_section"], phone=d["phone"], is_active=d["is_active"]),
        success=lambda saved: "已保存。" if saved.role or not subject.role else
        f"已保存。{saved.username} 调整了单位或股室，其角色“{subject.get_role_display()}”已暂停，须由安全保密管理员重新授权。",
        redirect_to=lambda saved: saved,
        title=f"编辑用户：{subject.username}", cancel=subject.get_absolute_url(),
    )


@login_required
def user_role(request, pk: int):
    from jixiao.org.forms import RoleForm

    subject = get_for_action(_users(request), request.user, "grant_role", pk=pk)
    initial = {"version": subject.version, "role": subject.role or subject.pending_role, "agency": subject.agency_id,
               "finance_section": subject.finance_section_id}
    return form_page(
        request, form=RoleForm(request.POST or None, initial=initial, user=request.user),
        run=lambda d: services.change_role(
            actor=request.user, user=subject, version=d["version"], role=d["role"], agency=d["agency"],
            finance_section=d["finance_section"], ip=client_ip(request)),
        success=lambda saved: f"已将 {saved.username} 的角色变更为“{saved.get_role_display()}”。",
        redirect_to=lambda saved: saved, title=f"变更角色：{subject.username}", cancel=subject.get_absolute_url(),
    )


@login_required
@require_POST
def user_unlock(request, pk: int):
    subject = get_for_action(_users(request), request.user, "unlock", pk=pk)
    services.unlock_user(actor=request.user, user=subject, ip=client_ip(request))
    messages.success(request, f"已解除 {subject.username} 的锁定。")
    return redirect(subject)


@login_required
def user_password(request, pk: int):
    subject = get_for_action(_users(request), request.user, "reset_password", pk=pk)
    error = ""
    if request.method == "POST":
        try:
            services.reset_password(actor=request.user, user=subject, password=request.POST.get("password", ""),
                                    ip=client_ip(request))
        except ServiceError as exc:
            error = "；".join(m for ms in getattr(exc, "errors", {"": [exc.message]}).values() for m in ms)
        else:
            messages.success(request, f"已重置 {subject.username} 的密码：本人登录后须先修改密码；"
                                      "其业务角色待安全保密管理员确认后恢复。")
            return redirect(subject)
    return render(request, "org/user_password.html", {"subject": subject, "error": error})


@login_required
def user_import(request):
    from jixiao.org.models import User

    require(request.user, User, "create")
    return import_page(
        request, run=lambda **kw: imports.import_users(actor=request.user, **kw), title="导入用户",
        template_url="org:user_import_template", back_url="org:user_list", columns=imports.USER_COLUMNS,
    )


@login_required
def user_import_template(request):
    from jixiao.core.excel import SheetData, write_styled
    from jixiao.org.models import User

    require(request.user, User, "create")
    data = write_styled([SheetData(imports.USER_SHEET, imports.USER_COLUMNS, [], caption="用户导入模板")])
    return file_response(data, "用户导入模板.xlsx", blank=True)


# --- API tokens (every logged-in user, for themselves) -----------------------------------------------

@login_required
def token_list(request):
    new_key = None
    error = ""
    if request.method == "POST" and request.POST.get("revoke"):
        raw = request.POST["revoke"]
        services.revoke_api_token(actor=request.user, token_id=int(raw) if raw.isdigit() else 0,
                                  ip=client_ip(request))
        messages.success(request, "令牌已吊销，使用它的程序将无法再访问接口。")
        return redirect("org:token_list")
    if request.method == "POST":
        try:
            _, new_key = services.create_api_token(actor=request.user, name=request.POST.get("name", ""),
                                                   ip=client_ip(request))
        except ServiceError as exc:
            error = exc.message
    tokens = [t for t in request.user.api_tokens.filter(revoked=False).select_related("user")
              if services.token_usable(t)]
    from django.conf import settings

    return render(request, "org/token_list.html", {"tokens": tokens, "new_key": new_key, "error": error,
                                                    "token_days": settings.JIXIAO_TOKEN_DAYS})
