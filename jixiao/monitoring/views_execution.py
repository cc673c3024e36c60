"""Pages of budget execution data beside the imports (issue #13 F13): the region's column names for
the treasury export (导入列对应), asked from a failed import ("把哪一列当作实际支付金额？"), and the hand
entry of an agency's whole budget (部门整体支出). Thin: require → the scoped fetch → one service call."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from jixiao.core import config as region_config
from jixiao.core.errors import ServiceError
from jixiao.core.models import RegionConfig
from jixiao.core.money import from_wan, to_wan
from jixiao.core.scoping import can, get_for_user
from jixiao.core.services import save_region_config
from jixiao.core.viewkit import errors_to_form, require
from jixiao.core.years import year_param
from jixiao.monitoring import rules, services
from jixiao.monitoring.forms import ExecutionEntryForm
from jixiao.monitoring.imports import CONFIG_FIELD
from jixiao.monitoring.models import MonthlyExecution
from jixiao.org.models import Agency

KEY = "import_columns"
#: the fields of ``import_columns`` a question asks for (the 万元 spellings are set on the full form)
ASKED = {"code", "agency", "date", "month", "amount", "fund_source"}


def columns_hint(exc, *, user, year: int, plan: bool = False) -> dict | None:
    """Advice on a failed import whose header lacked a required column: the question, and — for whoever
    may set the region's column names — the link to the page that asks it with the file's headers."""
    missing = getattr(exc, "missing", None)
    if not missing:
        return None
    labels = [m.label for m in missing if m.label]
    text = (f"文件中未能识别{'、'.join(labels)}列" if labels else "文件的表头未能识别") + \
        "：若贵地导出文件的列名与常见写法不同，可设置一次本区划的“导入列对应”，以后导入即按其识别。"
    if not can(user, RegionConfig, "change"):
        return {"text": text + "请联系绩效股设置。", "url": "", "link": ""}
    fields = CONFIG_FIELD[plan]
    keys = [fields.get(k, k) for m in missing for k in (m.keys or ("code", "month", "amount")) if k in ASKED]
    headers = list(dict.fromkeys(h for m in missing for h in m.headers))[:60]
    query = urlencode([("year", year), *(("ask", k) for k in dict.fromkeys(keys)), *(("header", h) for h in headers)])
    return {"text": text, "url": f"{reverse('monitoring:import_columns')}?{query}", "link": "设置列对应"}


def _labels() -> dict[str, str]:
    return dict(region_config.IMPORT_COLUMN_FIELDS)


class ColumnsForm(forms.Form):
    """One text per field of ``import_columns`` (several names separated by 、), and — when the page
    comes from a failed import — one question per missing column, offering the file's headers."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, asked=(), headers=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = _labels()
        self.asked = [k for k in asked if k in labels]
        for key in self.asked:
            name = labels[key].split("（")[0]
            self.fields[f"pick_{key}"] = forms.ChoiceField(
                label=f"把哪一列当作{name}？", required=False, choices=[("", "（不选）"), *((h, h) for h in headers)],
                widget=forms.Select(attrs={"class": "form-select"}))
        for key, label in region_config.IMPORT_COLUMN_FIELDS:
            self.fields[key] = forms.CharField(
                label=label, required=False, max_length=255,
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "本地导出文件的列名，多个用“、”分隔"}))

    def value(self) -> dict:
        """The record to store: each field's names, with the picked header added to its field."""
        d = self.cleaned_data
        out = {key: d.get(key) or "" for key, _label in region_config.IMPORT_COLUMN_FIELDS}
        for key in self.asked:
            picked = d.get(f"pick_{key}")
            if picked and picked not in region_config.column_names(out[key]):
                out[key] = "、".join([*region_config.column_names(out[key]), picked])
        return {k: v or None for k, v in out.items()}


@login_required
def import_columns(request):
    """导入列对应: the names the region's treasury export gives the columns, for the execution and the
    spending-plan imports (configuration ``import_columns`` of the year, carried into later years)."""
    require(request.user, RegionConfig, "change")
    year = year_param(request)
    region = request.user.region
    row = RegionConfig.objects.for_user(request.user, "change").filter(year=year, key=KEY).first()
    current = region_config.get(region, year, KEY)
    asked, headers = request.GET.getlist("ask"), request.GET.getlist("header")
    initial = {**{k: v or "" for k, v in current.items()}, "version": row.version if row else None}
    form = ColumnsForm(request.POST or None, initial=initial, asked=asked, headers=headers)
    if request.method == "POST" and form.is_valid():
        try:
            save_region_config(actor=request.user, region=region, year=year, key=KEY, raw=form.value(),
                               version=form.cleaned_data["version"])
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存 {year} 年的导入列对应，以后年度沿用，直到再次修改。")
            return redirect(f"{reverse('monitoring:import_columns')}?year={year}")
    return render(request, "monitoring/import_columns.html", {
        "form": form, "year": year, "asked": bool(form.asked), "headers": headers,
        "title": f"导入列对应（{year} 年）"})


@login_required
def agency_execution_entry(request, pk: int):
    """An agency's whole budget (部门整体支出) by hand, one month and fund source at a time, as the
    project's page (``views.execution_entry``): for agencies without the treasury export."""
    require(request.user, MonthlyExecution, "enter")
    # the agencies of the user's own region it sees (a province's performance division sees a
    # county's agencies from above, and may not enter their figures)
    agency = get_for_user(Agency.objects.for_user(request.user, "view").filter(region_id=request.user.region_id),
                          request.user, "view", pk=pk)
    year = year_param(request)
    month, source = _cell(request)
    mine = MonthlyExecution.objects.for_user(request.user, "view").filter(agency=agency, project__isnull=True,
                                                                           year=year)
    rows = list(mine.order_by("month", "fund_source"))
    current = next((r for r in rows if r.month == month and r.fund_source == source), None)
    form = ExecutionEntryForm(request.POST or None, initial={
        "month": month, "fund_source": source, "version": current.version if current else None,
        "amount": to_wan(current.amount) if current else None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enter_execution(actor=request.user, agency=agency, year=year, month=d["month"],
                                     fund_source=d["fund_source"], amount=from_wan(d["amount"]), version=d["version"])
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存 {year} 年 {d['month']} 月的部门整体支出执行数。")
            return redirect(f"{request.path}?year={year}&month={d['month']}&fund_source={d['fund_source']}")
    series = services.monthly(mine)
    return render(request, "monitoring/execution_entry.html", {
        "agency": agency, "owner": agency, "year": year, "rows": rows, "form": form,
        "executed": rules.execution_to_date(series, max(series)) if series else None, "whole_budget": True,
        "title": f"录入部门整体支出执行数：{agency.name}（{year} 年）"})


def _cell(request):
    from jixiao.monitoring.views import _cell as cell

    return cell(request)
