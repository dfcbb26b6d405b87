import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from api.models import PartnerBody, Scope, TokenKind


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        full = user.get_full_name()
        return f"{full}（{user.get_username()}）" if full else user.get_username()


class TokenCreateForm(forms.Form):
    user = UserChoiceField(label="所属账号", queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
                           help_text="个人，或合作单位的服务账号（在系统管理中建账号并授予角色和干部管理权限）")
    kind = forms.ChoiceField(label="类型", choices=TokenKind.choices, widget=forms.Select(attrs={"class": "form-select"}))
    partner_body = forms.ChoiceField(label="合作单位", choices=[("", "（个人令牌不选）")] + PartnerBody.choices,
                                     required=False, widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(label="用途说明", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    expires_on = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    scopes = forms.MultipleChoiceField(label="权限范围", choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].widget.attrs["class"] = "form-select"
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=90)
