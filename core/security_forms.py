from django import forms

from cadres.forms import BootstrapMixin, UnitChoiceField
from cadres.models import Unit
from core.models import AuditEvent
from core.roles import Role


class AuditFilterForm(BootstrapMixin, forms.Form):
    who = forms.CharField(label="用户", required=False, max_length=150,
                          widget=forms.TextInput(attrs={"placeholder": "用户名或姓名"}))
    event_type = forms.ChoiceField(label="事件类型", required=False, choices=[("", "全部")] + AuditEvent.Type.choices)
    since = forms.DateField(label="起始日期", required=False)
    until = forms.DateField(label="截止日期", required=False)
    obj = forms.CharField(label="对象", required=False, max_length=200,
                          widget=forms.TextInput(attrs={"placeholder": "对象类型、编号或名称"}))
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部")] + AuditEvent.Outcome.choices)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

    def params(self) -> dict:
        """JSON-safe filters for the export job."""
        data = self.cleaned_data
        return {key: (value.isoformat() if hasattr(value, "isoformat") else value)
                for key, value in data.items() if value}


class UserSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=150,
                        widget=forms.TextInput(attrs={"placeholder": "用户名或姓名"}))
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部角色")] + Role.choices)


class RoleForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)


class JurisdictionForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.filter(depth__lte=3).order_by("path"), label="管辖单位")


class SecurityPolicyForm(BootstrapMixin, forms.Form):
    """The 安全管理员's policy page. Bounds are checked by core.security_policy (the service
    checks them again), so the page and any other caller refuse the same values the same way."""

    def __init__(self, *args, **kwargs):
        from core.security_policy import RULES, SECOND_FACTOR_ROLE_CHOICES, bounds

        super().__init__(*args, **kwargs)
        for name, rule in RULES.items():
            lo, hi = bounds(name)
            self.fields[name] = forms.IntegerField(
                label=f"{rule.label}（{rule.unit}）", help_text=f"允许范围 {lo}～{hi} {rule.unit}；{rule.why}。",
                error_messages={"required": f"请填写{rule.label}。", "invalid": "请输入整数。"})
        self.fields["second_factor_roles"] = forms.MultipleChoiceField(
            label="还须使用双因素认证的角色", required=False, choices=SECOND_FACTOR_ROLE_CHOICES,
            widget=forms.CheckboxSelectMultiple,
            help_text="三员（系统管理员、安全管理员、审计管理员）和部门领导始终须使用，无需勾选。")
        self.fields["second_factor_for_all"] = forms.BooleanField(label="所有用户均须使用双因素认证", required=False)
        self.fields["second_factor_optional"] = forms.BooleanField(
            label="其他用户可自愿启用双因素认证", required=False)

    def clean(self):
        from core.security_policy import policy_problems

        data = super().clean()
        if not self.errors:
            for name, message in policy_problems(data).items():
                self.add_error(name, message)
        return data
