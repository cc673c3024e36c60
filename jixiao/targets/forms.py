"""Target pages' forms. Amounts are typed in 万元 (six decimals, so a yuan amount survives the round
trip); project and sector choices come from the user's scope."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from jixiao.core.money import WAN, WanField, from_wan
from jixiao.org.forms import BootstrapMixin

AGENCY_WHOLE = "agency:"  # + the agency's id: its whole-budget sheet


def wan_exact(amount) -> Decimal:
    """Yuan → 万元 without rounding (for an edit form's initial value)."""
    value = (Decimal(amount or 0) / WAN).quantize(Decimal("0.000001"))
    return value.normalize() if value else Decimal("0")


class CreateForm(BootstrapMixin, forms.Form):
    """A new declared sheet: one of the user's projects of the year that has none yet, or the
    whole budget (部门整体) of an agency that has none yet — the user's own agency, or for the
    performance section any agency of the region."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    subject = forms.ChoiceField(label="编报对象", help_text="选择项目（政策），或单位的部门整体支出。")
    include_expert_panel = forms.BooleanField(label="纳入专家会审（审核链最后增加专家会审步骤）", required=False)

    def __init__(self, *args, projects, agencies=(), allow_panel=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.projects = {str(p.pk): p for p in projects}
        self.agencies = {f"{AGENCY_WHOLE}{a.pk}": a for a in agencies}
        choices = [("", "请选择")]
        choices += [(k, f"部门整体：{a.code} {a.name}") for k, a in self.agencies.items()]
        choices += [(k, f"{p.code} {p.name}（{p.agency.name}，{p.year} 年）") for k, p in self.projects.items()]
        self.fields["subject"].choices = choices
        if not allow_panel:
            del self.fields["include_expert_panel"]
        self._style()

    def service_fields(self) -> dict:
        d = self.cleaned_data
        out = {"year": d["year"], "include_expert_panel": d.get("include_expert_panel", False)}
        if d["subject"] in self.agencies:
            out["agency"] = self.agencies[d["subject"]]
        else:
            out["project"] = self.projects[d["subject"]]
        return out


class SheetForm(BootstrapMixin, forms.Form):
    """The header of a draft or returned sheet: goals and amounts (万元)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    annual_goal = forms.CharField(label="年度目标", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    medium_goal = forms.CharField(label="中期目标（跨年度项目）", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    amount = WanField(label="年度资金总额（万元）", required=False)
    fiscal_amount = WanField(label="其中：财政拨款（万元）", required=False)
    other_amount = WanField(label="其中：其他资金（万元）", required=False)
    medium_amount = WanField(label="中期资金总额（万元）", required=False)
    medium_fiscal = WanField(label="中期其中：财政拨款（万元）", required=False)
    medium_other = WanField(label="中期其中：其他资金（万元）", required=False)
    adjustment_reason = forms.CharField(label="调整原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    MONEY = ("amount", "fiscal_amount", "other_amount", "medium_amount", "medium_fiscal", "medium_other")

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        if sheet.number == 1:
            del self.fields["adjustment_reason"]
        if sheet.kind == "agency":  # the annual amounts are the sums of the main tasks
            for f in ("amount", "fiscal_amount", "other_amount"):
                del self.fields[f]
        if not sheet.is_multi_year:
            for f in ("medium_goal", "medium_amount", "medium_fiscal", "medium_other"):
                del self.fields[f]
        self._style()

    @classmethod
    def initial_for(cls, sheet) -> dict:
        initial = {"version": sheet.version, "annual_goal": sheet.annual_goal, "medium_goal": sheet.medium_goal,
                   "adjustment_reason": sheet.adjustment_reason}
        initial.update({f: wan_exact(getattr(sheet, f)) for f in cls.MONEY})
        return initial

    def service_fields(self) -> dict:
        d = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for f in self.MONEY:
            if f in d:
                d[f] = from_wan(d[f] if d[f] is not None else 0)
        return d


class OpinionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    opinion = forms.CharField(label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AdjustForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="调整原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="年中调整将复制当前已批复版本为新版本（草稿），修改后须重新走审核流程。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    published = forms.BooleanField(required=False)
    redacted = forms.BooleanField(required=False)


class DrawForm(BootstrapMixin, forms.Form):
    count = forms.IntegerField(label="抽取人数", min_value=1, max_value=99, initial=3)
    fields = forms.ModelMultipleChoiceField(label="专业领域", queryset=None,
                                            help_text="从专家库中具有所选专业领域的专家里随机抽取；编报单位回避。")

    def __init__(self, *args, sectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].queryset = sectors
        self._style()


class BulkReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "通过"), ("return", "退回")])
    opinion = forms.CharField(required=False, max_length=2000)

    def clean(self):
        d = super().clean()
        if d.get("action") == "return" and not (d.get("opinion") or "").strip():
            self.add_error("opinion", "退回须填写审核意见")
        return d


class AdmitForm(forms.Form):
    indicator = forms.IntegerField()
