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
