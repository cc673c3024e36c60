"""Pool forms; agency and firm choices come from the user's scope (house style 3)."""

from django import forms

from jixiao.org.forms import BootstrapMixin
from jixiao.org.models import Agency, Sector
from jixiao.pools.choices import ExpertStatus, FirmKind, FirmStatus
from jixiao.pools.models import Draw, Firm


class LoginField(forms.CharField):
    """A login linked by its username (the performance section may not browse the user list)."""

    def __init__(self, **kwargs):
        super().__init__(label="登录账号", max_length=150, required=False, **kwargs)


def resolve_login(form, username: str, region):
    from jixiao.org.models import User

    if not username:
        return None
    # Looked up by name within the region only; the service checks the role and that it is free.
    user = User.objects.filter(region=region, username__iexact=username).first()
    if user is None:
        form.add_error("user", f"本区划没有账号 {username}")
    return user


class ExpertForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="姓名", max_length=64)
    organisation = forms.CharField(label="工作单位", max_length=128)
    title = forms.CharField(label="职称", max_length=64, required=False)
    fields = forms.ModelMultipleChoiceField(label="专业领域", queryset=Sector.objects.all(),
                                            widget=forms.SelectMultiple(attrs={"size": 8}))
    qualification = forms.CharField(label="执业资格", max_length=255, required=False)
    status = forms.ChoiceField(label="状态", choices=ExpertStatus.choices)
    agency = forms.ModelChoiceField(label="所在预算单位（回避用）", queryset=Agency.objects.none(), required=False)
    firm = forms.ModelChoiceField(label="所属第三方机构（回避用）", queryset=Firm.objects.none(), required=False)
    phone = forms.CharField(label="联系电话", max_length=32, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    user = LoginField(help_text="专家本人的登录账号（角色为专家），可不填。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_user(user, "view")
        self.fields["firm"].queryset = Firm.objects.for_user(user, "view")
        self._style()


class FirmForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="机构名称", max_length=128)
    kind = forms.ChoiceField(label="机构类型", choices=FirmKind.choices)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, min_length=18)
    qualifications = forms.CharField(label="资质", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label="状态", choices=FirmStatus.choices)
    user = LoginField(help_text="机构的登录账号（角色为第三方机构），可不填。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class FirmRecordForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    object = forms.CharField(label="评价对象", max_length=255)
    quality_score = forms.DecimalField(label="报告质量评分", max_digits=5, decimal_places=2, required=False,
                                       min_value=0, max_value=100)
    note = forms.CharField(label="备注", max_length=255, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class DrawForm(BootstrapMixin, forms.Form):
    purpose = forms.CharField(label="抽取事由", max_length=255)
    count = forms.IntegerField(label="抽取人数", min_value=1, max_value=99, initial=5)
    fields = forms.ModelMultipleChoiceField(label="专业领域", queryset=Sector.objects.all(),
                                            widget=forms.SelectMultiple(attrs={"size": 8}))
    exclude_agencies = forms.ModelMultipleChoiceField(label="回避单位（被评对象等）", queryset=Agency.objects.none(),
                                                      required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
                                                      help_text="所选单位所在部门的专家均回避：该单位、其主管部门及该部门所有单位。")
    exclude_firms = forms.ModelMultipleChoiceField(label="回避机构", queryset=Firm.objects.none(), required=False,
                                                   widget=forms.SelectMultiple(attrs={"size": 4}))
    exclude_drawn_in = forms.ModelChoiceField(label="排除该次已抽中的专家", queryset=Draw.objects.none(),
                                              required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exclude_agencies"].queryset = Agency.objects.for_user(user, "view")
        self.fields["exclude_firms"].queryset = Firm.objects.for_user(user, "view")
        self.fields["exclude_drawn_in"].queryset = Draw.objects.for_user(user, "view")
        self._style()


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=255)
