"""Forms restrict their choices through the same scoping as the lists (house style 3)."""

from django import forms
from django.db.models import Q

from jixiao.core.roles import GRANTABLE_ROLES, Role
from jixiao.org.choices import AgencyKind, SectionKind
from jixiao.org.models import Agency, FinanceSection, Sector


class BootstrapMixin:
    def _style(self):
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, (forms.CheckboxInput,)):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, (forms.Select, forms.SelectMultiple)):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


class AgencyForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="单位代码", max_length=32)
    name = forms.CharField(label="单位名称", max_length=128)
    kind = forms.ChoiceField(label="类型", choices=AgencyKind.choices)
    parent = forms.ModelChoiceField(label="上级部门", queryset=Agency.objects.none(), required=False,
                                    help_text="预算单位须选择上级部门；预算部门和乡镇不选。")
    sector = forms.ModelChoiceField(label="行业领域", queryset=Sector.objects.all(), required=False)
    active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, user, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Agency.objects.for_user(user, "view")
        top = Q(parent__isnull=True, active=True)
        if exclude is not None and exclude.parent_id:
            # Keep the current parent on offer even when it is a unit (a 3-level branch) or inactive,
            # or the agency could not be saved unchanged.
            top |= Q(pk=exclude.parent_id)
        qs = qs.filter(top)
        if exclude is not None:
            qs = qs.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = qs
        self._style()


class SectionForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label="股室代码", max_length=32)
    name = forms.CharField(label="股室名称", max_length=64)
    kind = forms.ChoiceField(label="类型", choices=SectionKind.choices)
    agencies = forms.ModelMultipleChoiceField(label="对口单位", queryset=Agency.objects.none(), required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 12}))

    def __init__(self, *args, user, section=None, **kwargs):
        super().__init__(*args, **kwargs)
        offered = Q(active=True)
        if section is not None:
            # An agency deactivated since stays on offer, or the section could not be saved unchanged.
            offered |= Q(sections=section)
        self.fields["agencies"].queryset = Agency.objects.for_user(user, "view").filter(offered).distinct()
        self._style()


def grantable_role_choices():
    return [(r.value, r.label) for r in Role if r in GRANTABLE_ROLES]


class UserCreateForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=64)
    role = forms.ChoiceField(label="角色", choices=())
    agency = forms.ModelChoiceField(label="所属单位", queryset=Agency.objects.none(), required=False,
                                    help_text="调整单位或股室后，账号的业务角色暂停，须由安全保密管理员重新授权。")
    finance_section = forms.ModelChoiceField(label="所在股室", queryset=FinanceSection.objects.none(), required=False)
    phone = forms.CharField(label="电话", max_length=32, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput(render_value=False),
                               help_text="至少 10 位，含大写字母、小写字母、数字、符号中的至少三类。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_role_choices()
        self.fields["agency"].queryset = Agency.objects.for_user(user, "view")
        self.fields["finance_section"].queryset = FinanceSection.objects.for_user(user, "view")
        self._style()


class UserEditForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    display_name = forms.CharField(label="姓名", max_length=64)
    agency = forms.ModelChoiceField(label="所属单位", queryset=Agency.objects.none(), required=False)
    finance_section = forms.ModelChoiceField(label="所在股室", queryset=FinanceSection.objects.none(), required=False)
    phone = forms.CharField(label="电话", max_length=32, required=False)
    is_active = forms.BooleanField(label="启用", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_user(user, "view")
        self.fields["finance_section"].queryset = FinanceSection.objects.for_user(user, "view")
        self._style()


class RoleForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label="角色", choices=())
    agency = forms.ModelChoiceField(label="所属单位", queryset=Agency.objects.none(), required=False)
    finance_section = forms.ModelChoiceField(label="所在股室", queryset=FinanceSection.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_role_choices()
        self.fields["agency"].queryset = Agency.objects.for_user(user, "view")
        self.fields["finance_section"].queryset = FinanceSection.objects.for_user(user, "view")
        self._style()
