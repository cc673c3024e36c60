"""F2 pages. Thin: role gate → the library's visibility helper → form → one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.core.errors import ServiceError
from jixiao.core.scoping import can, get_for_user
from jixiao.core.viewkit import file_response, form_page, import_page, paginate, record_export, require
from jixiao.core.years import year_param
from jixiao.library import exports, imports, rules, services
from jixiao.library.choices import Level1, Level2, TaxonomyVersion
from jixiao.library.filters import TemplateFilter
from jixiao.library.forms import SuggestForm, TemplateForm
from jixiao.library.models import Framework, IndicatorTemplate, TaxonomyEntry, get_visible_template
from jixiao.org.filters import sector_choices


def _templates():
    return IndicatorTemplate.objects.select_related("sector")


@login_required
def template_list(request):
    require(request.user, IndicatorTemplate, "view")
    qs = _templates().visible_to(request.user).ordered()
    qs, form = TemplateFilter.filter_request(qs, request.GET, choices={"sector": sector_choices()})
    if request.GET.get("format") == "xlsx":
        templates = list(qs)
        record_export(request, "indicator_templates", len(templates))
        return file_response(exports.templates_workbook(templates), f"{request.user.region.name}指标库.xlsx")
    return render(request, "library/template_list.html", {
        "page": paginate(request, qs), "filter_form": form,
        "can_create": can(request.user, IndicatorTemplate, "create"),
    })


@login_required
def template_detail(request, pk: int):
    require(request.user, IndicatorTemplate, "view")
    template = get_visible_template(request.user, pk, _templates().select_related("copied_from"))
    can_edit = can(request.user, IndicatorTemplate, "change")
    return render(request, "library/template_detail.html", {
        "template": template, "can_change": can_edit and not template.is_national, "can_copy": can_edit,
    })


def _form_view(request, template=None):
    initial = {"kind": "specific", "serves": "project", "value_basis": "plan", "active": True}
    if template is not None:
        initial = {f: getattr(template, f) for f in services.EDITABLE if f != "source_note"}
        initial["sector"] = template.sector_id
        initial["version"] = template.version

    def run(cleaned):
        d = dict(cleaned)
        version = d.pop("version")
        if template is None:
            return services.create_template(actor=request.user, region=request.user.region, **d)
        return services.update_template(actor=request.user, template=template, version=version, **d)

    return form_page(
        request, form=TemplateForm(request.POST or None, initial=initial), run=run, success="已保存。",
        redirect_to=lambda saved: saved,
        title="新增指标模板" if template is None else f"编辑指标模板：{template.name}",
        cancel=template.get_absolute_url() if template else reverse("library:template_list"),
    )


@login_required
def template_create(request):
    require(request.user, IndicatorTemplate, "create")
    return _form_view(request)


@login_required
def template_edit(request, pk: int):
    require(request.user, IndicatorTemplate, "change")
    return _form_view(request, get_for_user(_templates(), request.user, "change", pk=pk))


@login_required
@require_POST
def template_copy(request, pk: int):
    require(request.user, IndicatorTemplate, "create")
    source = get_visible_template(request.user, pk)
    try:
        copy = services.copy_template(actor=request.user, template=source, region=request.user.region)
    except ServiceError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(source)
    messages.success(request, "已复制到本区划指标库，可按本地实际修改。")
    return redirect(reverse("library:template_edit", args=[copy.pk]))


@login_required
def template_import(request):
    require(request.user, IndicatorTemplate, "create")
    return import_page(
        request, run=lambda **kw: imports.import_templates(actor=request.user, **kw), title="导入指标模板",
        template_url="library:template_import_template", back_url="library:template_list", columns=imports.COLUMNS,
    )


@login_required
def template_import_template(request):
    require(request.user, IndicatorTemplate, "create")
    return file_response(exports.templates_workbook([]), "指标库导入模板.xlsx", blank=True)


@login_required
def suggest(request):
    require(request.user, IndicatorTemplate, "view")
    form = SuggestForm(request.GET or None)
    results = None
    if form.is_valid():
        d = form.cleaned_data
        results = services.suggest(region=request.user.region, sector_code=d["sector"].code if d["sector"] else None,
                                   name=d["name"], description=d["description"], limit=30)
    return render(request, "library/suggest.html", {"form": form, "results": results})


@login_required
def framework_list(request):
    require(request.user, IndicatorTemplate, "view")
    frameworks = list(Framework.objects.prefetch_related("items"))
    for fw in frameworks:
        items = sorted(fw.items.all(), key=lambda i: i.position)
        children: dict = {}
        for item in items:
            children.setdefault(item.parent_id, []).append(item)
        for item in items:
            item.kids = children.get(item.pk, [])
        fw.roots = children.get(None, [])
    taxonomy = services.taxonomy_for(request.user.region, _year(request))
    versions = []
    for code, label in TaxonomyVersion.choices:
        pairs = TaxonomyEntry.objects.filter(taxonomy=code).values_list("level1", "level2")
        versions.append({"code": code, "label": label, "current": code == taxonomy["version"],
                         "tree": rules.tree(pairs, dict(Level1.choices), dict(Level2.choices))})
    return render(request, "library/framework_list.html", {
        "frameworks": frameworks, "versions": versions, "year": _year(request),
    })


def _year(request) -> int:
    return year_param(request)
