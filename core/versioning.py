"""No silent overwrite: every write path of a versioned record (a model with `version`:
Cadre, CareActivity, ToleranceCase, Allegation) locks the row, checks the version the user
read and bumps it. Pages and services call `lock_version`; Django admin gets the same
through VersionedAdminMixin (a hidden field with the version the change page showed)."""
from django import forms
from django.core.exceptions import ValidationError

from core.errors import DomainError

STALE = "该{name}已被他人修改，您的修改未保存。请刷新页面查看最新内容后重新编辑。"


def stale_message(model) -> str:
    return STALE.format(name=model._meta.verbose_name)


def lock_version(model, pk, expected: int | None):
    """The row, locked until the transaction ends; refused if its version is not the one
    the user read (`expected`; None when the caller has no page version to compare)."""
    current = model.objects.select_for_update().get(pk=pk)
    if expected is not None and current.version != expected:
        raise DomainError(stale_message(model))
    return current


def posted_version(request) -> int | None:
    """The `version` a page's form carried (hidden input), if any."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


class VersionedAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(label="打开时的版本号", widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            # The admin's change view runs in one transaction: the lock holds until the save.
            current = (type(self.instance).objects.select_for_update().filter(pk=self.instance.pk)
                       .values_list("version", flat=True).first())
            if current is None or data.get("seen_version") != current:
                raise ValidationError(stale_message(type(self.instance)), code="stale")
        return data


class VersionedAdminMixin:
    """For the ModelAdmin of a versioned model: the change page carries the version it
    showed; saving an older one is refused as a form error; a save bumps it, so a page
    opened before the admin's edit cannot overwrite it either."""

    form = VersionedAdminForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((None, {"fields": ["seen_version"], "classes": ["hidden"]}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = form.cleaned_data["seen_version"] + 1
        super().save_model(request, obj, form, change)
