"""Shell pages: capability areas not built yet, the task inbox, help."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from jixiao.core import inbox, navigation


@login_required
def area(request, code: str):
    a = navigation.area_open_to(code, request.user)
    if a is None:
        raise Http404("页面不存在。")
    return render(request, "core/area.html", {"area": a})


@login_required
def inbox_list(request):
    show_done = request.GET.get("done") == "1"
    qs = request.user.inbox_items.all() if show_done else inbox.open_for(request.user)
    items = qs.order_by("done_at", "due_at", "-created_at")[:500]
    return render(request, "core/inbox.html", {"items": items, "show_done": show_done, "now": timezone.now()})


@login_required
def help_page(request):
    return render(request, "core/help.html", {"areas": navigation.AREAS})


def bad_request(request, exception=None):
    """handler400: a malformed request (Django's SuspiciousOperation, BadRequest …) — a Chinese page,
    never Django's English one; the exception's own text (English, technical) is not shown."""
    return render(request, "400.html", {"message": ""}, status=400)


def forbidden(request, exception=None):
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


# --- region configuration -------------------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from jixiao.core import audit  # noqa: E402
from jixiao.core import audit as audit_log  # noqa: E402
from jixiao.core import config as region_config  # noqa: E402
from jixiao.core.choices import SecurityEventCode  # noqa: E402
from jixiao.core.errors import ServiceError, ValidationFailed  # noqa: E402
from jixiao.core.jobs import jobs_for_user  # noqa: E402
from jixiao.core.models import ChangeLog, RegionConfig, SecurityEvent  # noqa: E402
from jixiao.core.roles import Role  # noqa: E402
from jixiao.core.scoping import can, get_for_user  # noqa: E402
from jixiao.core.services import seed_region_config, update_region_config  # noqa: E402
from jixiao.core.viewkit import paginate, require  # noqa: E402
from jixiao.core.years import year_param  # noqa: E402


def _year(request) -> int:
    return year_param(request)


@login_required
def config_list(request):
    require(request.user, RegionConfig, "view")
    year = _year(request)
    rows = {c.key: c for c in RegionConfig.objects.for_user(request.user, "view").filter(year=year)}
    years = sorted(set(RegionConfig.objects.for_user(request.user, "view").values_list("year", flat=True)) | {year})
    items = [{"spec": s, "row": rows.get(k),
              "shown": s.display(region_config.from_json(k, rows[k].value)) if k in rows else None}
             for k, s in region_config.SPECS.items()]
    return render(request, "core/config_list.html", {
        "items": items, "year": year, "years": years, "can_change": can(request.user, RegionConfig, "change"),
    })


@login_required
@require_POST
def config_seed(request):
    """Open a year: write that year's records from the previous year's (or national default) values."""
    require(request.user, RegionConfig, "change")
    year = _year(request)
    if not 2000 <= year <= 2100:
        raise Http404("年度无效。")
    created = seed_region_config(actor=request.user, region=request.user.region, year=year)
    messages.success(request, f"已为 {year} 年建立 {len(created)} 项配置。")
    return redirect(f"{reverse('core:config_list')}?year={year}")


def _raw_from_post(spec, post):
    """The record as the edit form posts it: an object's fields as ``value-<field>``, rows as
    ``row-<i>-<field>`` — never a bare field name, which could be the form's own ``version`` (the
    指标体系版本's field is called ``version``)."""
    if spec.shape == region_config.OBJECT:
        return {f.name: post.get(f"value-{f.name}") for f in spec.fields}
    indices = sorted({int(k.split("-")[1]) for k in post if k.startswith("row-") and k.count("-") >= 2
                      and k.split("-")[1].isdigit()})
    return [{f.name: post.get(f"row-{i}-{f.name}") for f in spec.fields} for i in indices]


@login_required
def config_edit(request, pk: int):
    row = get_for_user(RegionConfig, request.user, "change", pk=pk)
    spec = region_config.spec(row.key)
    value = region_config.from_json(row.key, row.value)
    errors: list[str] = []
    if request.method == "POST":
        raw = _raw_from_post(spec, request.POST)
        try:
            update_region_config(actor=request.user, config=row, raw=raw, version=request.POST.get("version"))
        except ValidationFailed as exc:
            errors = exc.messages
            value = raw
        except ServiceError as exc:
            errors = [exc.message]
            value = raw
        else:
            messages.success(request, f"“{spec.label}”已保存。")
            return redirect(f"{reverse('core:config_list')}?year={row.year}")
    return render(request, "core/config_edit.html", {"row": row, "spec": spec, "value": value, "errors": errors})


# --- audit logs -----------------------------------------------------------------------------------

@login_required
def change_log(request):
    require(request.user, ChangeLog, "view")
    qs = ChangeLog.objects.for_user(request.user, "view").order_by("-seq")
    q = request.GET.get("q", "").strip()
    if q:
        qs = (qs.filter(object_repr__icontains=q) | qs.filter(actor_name__icontains=q)
              | qs.filter(object_type__in=audit.object_types_named(q)))
    page = paginate(request, qs)
    for row in page:
        row.labeled = audit.labeled_changes(row)
        row.type_label = audit.model_label(row.object_type)
    return render(request, "core/change_log.html", {"page": page, "q": q})


@login_required
def security_events(request):
    require(request.user, SecurityEvent, "view")
    qs = SecurityEvent.objects.for_user(request.user, "view").order_by("-seq")
    code = request.GET.get("code", "")
    if code:
        qs = qs.filter(code=code)
    page = paginate(request, qs)
    for event in page:
        event.labeled = audit.labeled_detail(event)
    return render(request, "core/security_events.html", {
        "page": page, "code": code, "codes": SecurityEventCode.choices,
        "can_verify": can(request.user, ChangeLog, "verify"),
    })


def _audit_admin(request):
    require(request.user, ChangeLog, "verify")


@login_required
@require_POST
def audit_verify(request):
    """The audit administrator verifies both chains. The chains are installation-wide; the page shows
    the figures of the administrator's own region — its rows and the problems found on them — and
    for the rest only whether the chain's structure (order, head, anchor) holds."""
    _audit_admin(request)
    results = audit_log.verify_all()
    region_id = request.user.region_id
    rows = []
    for chain, model in (("change", ChangeLog), ("security", SecurityEvent)):
        _count, found = results[chain]
        mine = [p for p in found if p.region_id is not None and p.region_id == region_id]
        structural = [p for p in found if p.region_id is None]
        elsewhere = len(found) - len(mine) - len(structural)
        rows.append({"chain": chain, "label": "变更日志" if chain == "change" else "安全事件日志",
                     "count": model.objects.filter(region_id=region_id).count(),
                     "mine": mine, "structural": structural, "elsewhere": elsewhere})
    problems = sum(len(r["mine"]) + len(r["structural"]) + r["elsewhere"] for r in rows)
    audit_log.security_event(SecurityEventCode.AUDIT_VERIFIED, actor=request.user, ip=audit_log.client_ip(request),
                             detail={"problems": problems})
    return render(request, "core/audit_verify.html", {"rows": rows, "problems": problems})


@login_required
def audit_anchor(request):
    """The anchor file (heads of the chains, outside the database), for the audit administrator to
    keep a copy off the server; downloading it is recorded."""
    from django.http import HttpResponse

    _audit_admin(request)
    path = audit_log.anchor_path()
    data = path.read_bytes() if path.exists() else b""
    audit_log.record_export(request, "audit_anchor", data.count(b"\n"))
    response = HttpResponse(data, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit_anchor.log"'
    return response


# --- jobs -----------------------------------------------------------------------------------------

@login_required
def job_detail(request, pk: int):
    job = jobs_for_user(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("记录不存在或您无权访问。")
    template = "core/job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk: int):
    from django.http import FileResponse

    from jixiao.core.viewkit import record_export

    job = jobs_for_user(request.user).filter(pk=pk).first()
    if job is None or not job.file:
        raise Http404("记录不存在或您无权访问。")
    record_export(request, f"job:{job.kind}", job.result.get("rows", job.progress_total) or 0)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])


@login_required
def import_errors(request):
    """The full error list of the caller's last failed import (viewkit.import_page) as .xlsx."""
    from jixiao.core.viewkit import import_errors_xlsx

    return import_errors_xlsx(request)


# --- review chain: a step nobody holds -------------------------------------------------------------

@login_required
def review_assign(request, pk: int):
    """指定审核人: the performance section assigns a reviewer to a step that has none (the
    【无审核人】 item of its inbox leads here)."""
    from jixiao.core import review as review_machinery
    from jixiao.core.models import Review
    from jixiao.core.viewkit import get_for_action

    rv = get_for_action(Review, request.user, "assign_reviewer", pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        raw = request.POST.get("user", "")
        chosen = review_machinery.assignable_users(rv).filter(pk=int(raw)).first() if raw.isdigit() else None
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            review_machinery.assign_reviewer(actor=request.user, review=rv, version=version, user=chosen,
                                             opinion=request.POST.get("opinion", ""))
        except ServiceError as exc:
            errors = exc.messages
            rv.refresh_from_db()
        else:
            name = chosen.display_name or chosen.username
            messages.success(request, f"已指定{name}为“{rv.current_step['name']}”的审核人，待办已转给{name}。")
            subject_url = review_machinery.subject_url(rv)
            return redirect(subject_url or reverse("core:inbox"))
    step = rv.current_step
    return render(request, "core/review_assign.html", {
        "review": rv, "step": step, "errors": errors, "subject_url": review_machinery.subject_url(rv),
        "candidates": review_machinery.assignable_users(rv) if step else [],
        "waiting": step is not None and not review_machinery.members(rv),
        "role_label": Role(step["role"]).label if step else "",
    })


# --- attachments (core.attachments) ----------------------------------------------------------------

def _back(request, owner_obj) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return nxt
    return owner_obj.get_absolute_url()


@login_required
@require_POST
def attachment_upload(request, owner: str, pk: int):
    """上传附件 to one record (``owner`` = "app_label.model"): the owner through its scoping, then the
    service (permission by the kind's registered action, type and size)."""
    from jixiao.core import attachments
    from jixiao.core.scoping import get_for_user
    from jixiao.core.viewkit import require

    reg = attachments.OWNERS.get(owner)
    if reg is None:
        raise Http404("页面不存在。")
    require(request.user, reg.model, reg.view)
    owner_obj = get_for_user(reg.model, request.user, reg.view, pk=pk)
    try:
        att = attachments.upload(actor=request.user, owner=owner_obj, kind=request.POST.get("kind", ""),
                                 file=request.FILES.get("file"))
    except ServiceError as exc:
        for message in exc.messages:
            messages.error(request, f"附件未上传：{message}")
    else:
        messages.success(request, f"已上传{att.get_kind_display()}：{att.name}")
    return redirect(_back(request, owner_obj))


@login_required
def attachment_download(request, pk: int):
    """下载附件: only through the owner's scoping (404 otherwise); recorded as an export."""
    from jixiao.core import attachments
    from jixiao.core.viewkit import file_response

    att, _owner = attachments.fetch(request.user, pk)
    content = attachments.read(att)
    attachments.record_download(request, att)
    return file_response(content, att.name, attachments.content_type_of(att))


@login_required
@require_POST
def attachment_delete(request, pk: int):
    from jixiao.core import attachments

    att, owner_obj = attachments.fetch(request.user, pk)
    try:
        attachments.remove(actor=request.user, attachment=att)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除附件：{att.name}")
    return redirect(_back(request, owner_obj))
