from django import forms

from jixiao.library.choices import Level1, Level2, Operator, ServesLevel, TemplateKind, ValueBasis
from jixiao.org.forms import BootstrapMixin
from jixiao.org.models import Sector


class TemplateForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="指标名称", max_length=128)
    level1 = forms.ChoiceField(label="一级指标", choices=Level1.choices)
    level2 = forms.ChoiceField(label="二级指标", choices=Level2.choices)
    operator = forms.ChoiceField(label="运算符", choices=Operator.choices)
    typical_value = forms.CharField(label="参考指标值", max_length=128, required=False)
    unit = forms.CharField(label="计量单位", max_length=32, required=False)
    value_basis = forms.ChoiceField(label="指标值确定依据", choices=ValueBasis.choices)
    sector = forms.ModelChoiceField(label="行业领域", queryset=Sector.objects.all(), required=False,
                                    empty_label="（通用）")
    kind = forms.ChoiceField(label="指标类别", choices=TemplateKind.choices)
    serves = forms.ChoiceField(label="适用层级", choices=ServesLevel.choices)
    scoring_standard = forms.CharField(label="评分标准", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    explanation = forms.CharField(label="指标解释", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    keywords = forms.CharField(label="关键词", max_length=255, required=False, help_text="用空格分隔，用于检索和智能推荐。")
    active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class SuggestForm(BootstrapMixin, forms.Form):
    sector = forms.ModelChoiceField(label="行业领域", queryset=Sector.objects.all(), required=False,
                                    to_field_name="code", empty_label="（不限）")
    name = forms.CharField(label="项目名称", max_length=255)
    description = forms.CharField(label="项目概述", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
