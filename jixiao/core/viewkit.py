"""Helpers shared by the thin views: pagination, service errors onto forms, Excel responses."""

from __future__ import annotations

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse

from jixiao.core import audit
from jixiao.core.errors import ServiceError, StaleVersion, ValidationFailed
from jixiao.core.scoping import can

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def require(user, model, action: str) -> None:
    """403 when the role may not do ``action`` on ``model`` at all (row scope answers 404 later); a
    declared action refuses with its own ``denied`` text."""
    if not can(user, model, action):
        declared = model.scope.actions.get(action)
        raise PermissionDenied((declared.denied if declared else "") or "您的角色无权进行此操作。")


def get_for_action(queryset_or_model, user, action: str, **lookup):
    """The one fetch for a page or API handler acting on one object: 403 when the role may not do
    ``action`` (CRUD or declared) at all, then the object within the user's row scope for it (404
    for missing or not yours). The object's state is left to the service, which refuses with a
    message the user can read (``scoping.check``)."""
    from jixiao.core.scoping import get_for_user

    model = queryset_or_model if isinstance(queryset_or_model, type) else queryset_or_model.model
    require(user, model, action)
    return get_for_user(queryset_or_model, user, model.scope.row_action(action), **lookup)


def paginate(request, qs, per_page: int = 50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def errors_to_form(form, exc: ServiceError) -> None:
    """Put a service's refusal onto the form: field errors where the field exists, else non-field."""
    if isinstance(exc, ValidationFailed):
        for field, messages in exc.errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    elif isinstance(exc, StaleVersion):
        form.add_error(None, exc.message)
    else:
        form.add_error(None, exc.message)


def form_page(request, *, form, run, success, redirect_to, title: str, cancel: str = "",
              template: str = "core/form_page.html", context: dict | None = None):
    """The one form page shape: on a valid POST call ``run(cleaned_data)`` (one service call) — a
    ``ServiceError`` goes onto the form (``errors_to_form``) and the page shows again with nothing
    written; otherwise ``success`` (text, or ``fn(result)``) becomes the message and the browser goes
    to ``redirect_to`` (a URL, URL name, model, or ``fn(result)``). GET and invalid forms render
    ``template`` with ``form``, ``title``, ``cancel`` and ``context``."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    if request.method == "POST" and form.is_valid():
        try:
            result = run(form.cleaned_data)
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return render(request, template, {"form": form, "title": title, "cancel": cancel, **(context or {})})


def file_response(content: bytes, filename: str, content_type: str = XLSX, *, blank: bool = False) -> HttpResponse:
    """A download. Every downloaded file is recorded as an export (``core.middleware.ExportAuditMiddleware``;
    a view that knows what and how many rows it exports says so first with ``record_export``), except an
    empty import template (``blank=True``: column headings, no data)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.jixiao_blank = blank
    return response


record_export = audit.record_export


def import_page(request, *, run, title: str, template_url: str, back_url: str, columns, background=None,
                csv: bool = False, note: str = "", year: int | None = None, hint=None,
                template_label: str = "下载导入模板"):
    """The one Excel-import page: upload → ``run(data=bytes, ip=…)`` (an import service) → either a
    success message and back to the list, or every bad cell listed and nothing written. With
    ``background(data=bytes, name=str, ip=str) -> Job``, a file of the ``import_kb`` job threshold or
    more is imported by a background job instead, and the page goes to the job's progress page.
    ``csv=True`` also takes a .csv file (``core.excel.open_table``) and passes ``name=`` (the file's
    name: a CSV's errors name it as their sheet); ``note`` replaces the page's general explanation. With
    ``year`` (the budget year to prefill), the form asks for the 预算年度 the file is imported into and
    passes it on as ``year=`` to ``run`` and ``background`` (left empty: ``year``). ``hint(exc, year=…)``
    may turn a failure into advice above the error list — ``{"text", "url", "link"}`` or None (the
    execution import asks which column is the missing one). ``template_url`` and ``back_url`` are URL
    names, or paths ("/…") for pages of one object (a monitoring round's fill-in workbook and page)."""
    from django import forms
    from django.contrib import messages
    from django.shortcuts import redirect, render

    from jixiao.core.excel import ImportFailed
    from jixiao.core.years import MAX_YEAR, MIN_YEAR

    class ImportForm(forms.Form):
        if year is not None:
            year_field = forms.IntegerField(
                label="预算年度", min_value=MIN_YEAR, max_value=MAX_YEAR, initial=year, required=False,
                error_messages={"invalid": f"预算年度应为 {MIN_YEAR}—{MAX_YEAR} 之间的年份",
                                "min_value": f"预算年度应为 {MIN_YEAR}—{MAX_YEAR} 之间的年份",
                                "max_value": f"预算年度应为 {MIN_YEAR}—{MAX_YEAR} 之间的年份"},
                help_text="文件写明年度的（年度列、表头或标题中的年度），须与此一致，否则逐表报错。",
                widget=forms.NumberInput(attrs={"class": "form-control", "style": "max-width: 10rem"}))
        file = forms.FileField(label="Excel 或 CSV 文件（.xlsx、.csv）" if csv else "Excel 文件（.xlsx）",
                               widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                      "accept": ".xlsx,.csv" if csv else ".xlsx"}))

    form = ImportForm(request.POST or None, request.FILES or None)
    report = advice = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        chosen = {"year": form.cleaned_data["year_field"] or year} if year is not None else {}
        if background is not None and upload.size >= _job_threshold_bytes():
            job = background(data=upload.read(), name=upload.name or "文件", ip=audit.client_ip(request), **chosen)
            return redirect("core:job_detail", job.pk)
        try:
            extra = {"name": upload.name or "文件"} if csv else {}
            result = run(data=upload.read(), ip=audit.client_ip(request), **extra, **chosen)
        except ImportFailed as exc:
            report = exc.report
            messages.error(request, exc.message)
            advice = hint(exc, **chosen) if hint is not None else None
            # the whole list (≤ MAX_REPORTED_ERRORS) for core:import_errors; the page shows the first ones
            request.session[IMPORT_ERRORS_KEY] = {"title": title, "errors": report.rows()}
        else:
            messages.success(request, f"导入完成：{result.summary()}")
            return redirect(back_url)
    from django.urls import reverse

    from jixiao.core.excel import MAX_SHOWN_ERRORS

    def href(url: str) -> str:
        return url if url.startswith("/") else reverse(url)

    return render(request, "core/import.html", {
        "form": form, "report": report, "title": title, "template_href": href(template_url),
        "back_href": href(back_url), "template_label": template_label,
        "columns": columns, "note": note, "shown_errors": report.errors[:MAX_SHOWN_ERRORS] if report else [],
        "more_errors": len(report.errors) > MAX_SHOWN_ERRORS if report else False, "hint": advice,
    })


def _job_threshold_bytes() -> int:
    from jixiao.core.jobs import threshold

    return threshold("import_kb") * 1024


IMPORT_ERRORS_KEY = "import_errors"


def import_errors_xlsx(request):
    """The full error list of the user's last failed import, as a workbook (sheet, row, column, message)."""
    from django.http import Http404

    from jixiao.core.excel import Column, SheetData, write_fast

    stored = request.session.get(IMPORT_ERRORS_KEY)
    if not stored:
        raise Http404("没有可下载的导入错误清单。")
    columns = [Column("sheet", "工作表", width=20), Column("row", "行", width=8), Column("column", "列", width=8),
               Column("header", "列名", width=20), Column("message", "说明", width=80)]
    content = write_fast(SheetData("导入错误", columns, stored["errors"]))
    return file_response(content, f"导入错误清单-{stored['title']}.xlsx")
