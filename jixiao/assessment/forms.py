"""Assessment pages' forms. Amounts are typed in 万元; the project list is the user's scope."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from jixiao.assessment import services
from jixiao.core.money import WanField
from jixiao.org.forms import BootstrapMixin


class CreateForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(label="项目", queryset=None,
                                     help_text="储备阶段的新增重大项目（政策），或超过实施期申请延续的项目。")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["project"].label_from_instance = lambda p: f"{p.code} {p.name}（{p.agency.name}）"
        self._style()


class DrawForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    count = forms.IntegerField(label="抽取人数", min_value=services.MIN_EXPERTS, max_value=services.MAX_EXPERTS,
                               initial=services.DEFAULT_EXPERTS)
    # no seed field: the system draws the seed (pools.services.draw_experts) and records it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ScoreForm(BootstrapMixin, forms.Form):
    """One score and one opinion field per dimension of the snapshot, and the overall opinion."""

    def __init__(self, *args, dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        for d in dimensions:
            self.fields[f"score_{d['code']}"] = forms.DecimalField(
                label=f"{d['name']}（0—{d['points']} 分）", min_value=0, max_value=Decimal(d["points"]), decimal_places=2,
                max_digits=7, help_text=d.get("sub_items", ""))
            self.fields[f"opinion_{d['code']}"] = forms.CharField(
                label=f"{d['name']}意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["opinion"] = forms.CharField(label="总体评审意见", widget=forms.Textarea(attrs={"rows": 4}))
        self._style()

    def service_scores(self) -> dict:
        d = self.cleaned_data
        return {x["code"]: {"score": d[f"score_{x['code']}"], "opinion": d.get(f"opinion_{x['code']}", "")}
                for x in self.dimensions}

    def add_service_errors(self, errors: dict) -> None:
        for key, messages in errors.items():
            field = f"score_{key.split('.', 1)[1]}" if key.startswith("scores.") else key
            for m in messages:
                self.add_error(field if field in self.fields else None, m)


class ProxyScoreForm(ScoreForm):
    """代录: the drawn expert (one without a login), the scores and opinions from the expert's signed
    score sheet, and the scanned sheet itself."""

    def __init__(self, *args, dimensions, experts, **kwargs):
        super().__init__(*args, dimensions=dimensions, **kwargs)
        drawn = forms.ModelChoiceField(label="代录哪位专家", queryset=experts, empty_label=None,
                                       help_text="只列出没有登录账号的抽中专家；有账号的专家须本人登录评分。")
        drawn.label_from_instance = lambda d: f"{d.expert.name}（{d.expert.organisation}）"
        sheet = forms.FileField(label="专家签字评分表", help_text="专家签字的纸质评分表扫描件（PDF、OFD、JPG、PNG、Word 或 Excel）。")
        self.fields = {"drawn": drawn, **self.fields, "score_sheet": sheet}
        self._style()


class ConcludeForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    conclusion = forms.ChoiceField(label="评估结论", choices=())
    supported_amount = WanField(label="支持金额（万元）", required=False, help_text="部分支持时必填；予以支持为申报金额，不予支持为零，暂缓支持不定金额。")
    opinion = forms.CharField(label="评估意见", widget=forms.Textarea(attrs={"rows": 5}))
    admit_project = forms.BooleanField(label="结论为支持时，同时批准项目入库", required=False, initial=True)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conclusion"].choices = [(o["code"], o["label"]) for o in options]
        self._style()
