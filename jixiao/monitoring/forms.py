"""Page forms of budget execution data: one month by hand (amounts typed in 万元)."""

from __future__ import annotations

from django import forms

from jixiao.core.money import WanField
from jixiao.projects.choices import FundSource

MONTHS = [(m, f"{m}月") for m in range(1, 13)]


class ExecutionEntryForm(forms.Form):
    """One month of one fund source of a project. ``version`` is the stored row's, as the page showed
    it (empty for a month not yet entered)."""

    month = forms.TypedChoiceField(label="月份", choices=MONTHS, coerce=int)
    fund_source = forms.ChoiceField(label="资金来源", choices=FundSource.choices)
    amount = WanField(label="支付金额（万元）")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PlanEntryForm(forms.Form):
    month = forms.TypedChoiceField(label="月份", choices=MONTHS, coerce=int)
    amount = WanField(label="计划金额（万元）")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RoundForm(forms.Form):
    """发起监控批次. The hand-picked list is typed as project codes, one a line (or separated by commas)."""

    title = forms.CharField(label="批次名称", max_length=128)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label="监控截至月份", choices=MONTHS, coerce=int,
                                   help_text="监控 1 月至该月末的执行和目标完成情况")
    deadline = forms.DateField(label="填报截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    scope_kind = forms.ChoiceField(label="监控范围", choices=())
    tag = forms.ChoiceField(label="项目标签（按标签时）", choices=(), required=False)
    codes = forms.CharField(label="项目编码（指定项目时，每行一个）", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        from jixiao.monitoring.choices import RoundScope
        from jixiao.projects.choices import ProjectTag

        super().__init__(*args, **kwargs)
        self.fields["scope_kind"].choices = RoundScope.choices
        self.fields["tag"].choices = [("", "—"), *ProjectTag.choices]

    def clean(self):
        data = super().clean()
        scope = data.get("scope_kind")
        if scope == "tag" and not data.get("tag"):
            self.add_error("tag", "按项目标签监控时请选择标签")
        if scope == "picked" and not self.picked_codes():
            self.add_error("codes", "指定项目时请填写项目编码")
        return data

    def picked_codes(self) -> list[str]:
        import re

        return [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data.get("codes") or "") if c]


class CloseRoundForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    action = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("return", "退回")])
    opinion = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    """A finance decision on one project: the kind, the amount (万元; only for 调减预算 and 收回资金), the
    monitoring table it came from (the project's tables the user sees) and the reason."""

    kind = forms.ChoiceField(label="处理方式", choices=[])
    amount = WanField(label="金额（万元，调减预算、收回资金时必填）", required=False)
    table = forms.ModelChoiceField(label="依据的监控表（可选）", queryset=None, required=False,
                                   empty_label="不关联监控表")
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args, tables, **kwargs):
        from jixiao.monitoring.choices import DecisionKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = DecisionKind.choices
        self.fields["table"].queryset = tables
        self.fields["table"].label_from_instance = lambda t: str(t.round)


class LiftForm(forms.Form):
    lift_reason = forms.CharField(label="解除理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class BoardForm(forms.Form):
    """The warnings board's filters (预警看板, GET). The round, agency and sector choices are the user's:
    the rounds they see, the agencies with tables of the round they see, the national sectors."""

    round = forms.TypedChoiceField(label="监控批次", choices=(), coerce=int, required=False)
    agency = forms.TypedChoiceField(label="单位", choices=(), coerce=int, required=False, empty_value=None)
    sector = forms.TypedChoiceField(label="行业领域", choices=(), coerce=int, required=False, empty_value=None)
    tag = forms.ChoiceField(label="项目标签", choices=(), required=False)
    status = forms.ChoiceField(label="填报状态", choices=(), required=False)
    light_of = forms.ChoiceField(label="信号灯", choices=(), required=False)
    light = forms.ChoiceField(label="灯色", choices=(), required=False)
    deviation = forms.ChoiceField(label="偏差", choices=(), required=False)

    def __init__(self, data=None, *, rounds=(), agencies=(), sectors=()):
        from jixiao.monitoring import board
        from jixiao.projects.choices import ProjectTag

        super().__init__(data)
        everything = [("", "全部")]
        self.fields["round"].choices = list(rounds)
        self.fields["agency"].choices = [*everything, *agencies]
        self.fields["sector"].choices = [*everything, *sectors]
        self.fields["tag"].choices = [*everything, *ProjectTag.choices]
        self.fields["status"].choices = [*everything, *board.STATUSES]
        self.fields["light_of"].choices = list(board.LIGHT_OF)
        self.fields["light"].choices = [*everything, *board.LIGHTS]
        self.fields["deviation"].choices = [*everything, *board.DEVIATIONS]
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")

    def filter(self):
        """The :class:`board.BoardFilter` of the valid fields (an invalid value is ignored, like a list's filters)."""
        from jixiao.monitoring.board import BoardFilter

        self.is_valid()
        d = self.cleaned_data  # what did not validate is left out of it
        return BoardFilter(agency=d.get("agency"), sector=d.get("sector"), tag=d.get("tag") or "",
                           status=d.get("status") or "", light_of=d.get("light_of") or "budget",
                           light=d.get("light") or "", deviation=d.get("deviation") or "")
