"""Project pages' forms. Amounts are typed in 万元; the agency list is the user's scope."""

from django import forms

from jixiao.core.money import WanField, from_wan, to_wan
from jixiao.org.forms import BootstrapMixin
from jixiao.org.models import Agency, Sector
from jixiao.projects.choices import BudgetBook, FundSource, ProjectKind, ProjectTag


class Checkboxes(forms.CheckboxSelectMultiple):
    """Inline checkboxes: Django puts the widget's class on the wrapper too, so the boxes get theirs here."""

    def __init__(self):
        super().__init__(attrs={"class": "d-flex flex-wrap gap-3"})

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"]["class"] = "form-check-input me-1"
        return option


class ProjectForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="项目编码", max_length=32, required=False, help_text="新建时留空则自动编码；编码终身不变。")
    name = forms.CharField(label="项目名称", max_length=255)
    kind = forms.ChoiceField(label="类型", choices=ProjectKind.choices)
    agency = forms.ModelChoiceField(label="申报单位", queryset=Agency.objects.none())
    sector = forms.ModelChoiceField(label="行业领域", queryset=Sector.objects.all())
    budget_book = forms.ChoiceField(label="预算类型", choices=BudgetBook.choices)
    function_code = forms.CharField(label="支出功能分类科目", max_length=7, help_text="类、款、项代码，如 2050202（小学教育）。")
    fund_sources = forms.MultipleChoiceField(label="资金来源", choices=FundSource.choices,
                                             widget=Checkboxes())
    requested_amount = WanField(label="申报金额（万元）")
    budget_amount = WanField(label="预算金额（万元）", required=False)
    is_new = forms.TypedChoiceField(label="新增/延续", choices=[("1", "新增"), ("0", "延续")],
                                    coerce=lambda v: v == "1")
    is_major = forms.BooleanField(label="重大项目（政策）", required=False)
    tags = forms.MultipleChoiceField(label="标签", choices=ProjectTag.choices, required=False,
                                     widget=Checkboxes())
    year = forms.IntegerField(label="预算年度", min_value=2000, max_value=2100)
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100, required=False)
    end_year = forms.IntegerField(label="结束年度", min_value=2000, max_value=2100, required=False)
    description = forms.CharField(label="项目说明", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_user(user, "view").filter(active=True)
        self._style()

    @staticmethod
    def initial_for(project) -> dict:
        return {
            "version": project.version, "code": project.code, "name": project.name, "kind": project.kind,
            "agency": project.agency_id, "sector": project.sector_id, "budget_book": project.budget_book,
            "function_code": project.function_code, "fund_sources": project.fund_sources,
            "requested_amount": to_wan(project.requested_amount), "budget_amount": to_wan(project.budget_amount),
            "is_new": "1" if project.is_new else "0", "is_major": project.is_major, "tags": project.tags,
            "year": project.year, "start_year": project.start_year, "end_year": project.end_year,
            "description": project.description,
        }

    def service_fields(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("version", None)
        d["requested_amount"] = from_wan(d["requested_amount"])
        d["budget_amount"] = from_wan(d["budget_amount"] or 0)
        return d


class MoveForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    budget_amount = WanField(label="预算金额（万元）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
