
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from cadres.forms import (
    BootstrapMixin,
    CadreChoiceField,
    CadreMultipleChoiceField,
    FastSelectMultiple,
    UnitChoiceField,
)
from cadres.models import Unit
from care.follow_ups import FOLLOW_UP_STATE_LABELS
from care.models import (
    CareKind,
    ConcernCategory,
    ConcernStatus,
    ConsultationMode,
    ObligationApplies,
)
from care.selectors import YOUNG_CADRE_AGE
from core.roles import STAFF_ROLES, Role


def conductors():
    """Who may conduct an activity: department staff and leaders (users of the system)."""
    return (get_user_model().objects.filter(groups__name__in=[*STAFF_ROLES, Role.LEADER]).distinct()
            .order_by("first_name", "username"))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class UnitPickForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="干部所在单位（含下级）")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


def _bootstrap(field):
    """BootstrapMixin's styling, for fields added after the form is built."""
    if isinstance(field, forms.DateField):
        field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        field.error_messages["invalid"] = "请输入有效日期，格式为 年-月-日（如 2026-01-31）。"
    if isinstance(field.widget, forms.Select):
        field.widget.attrs.setdefault("class", "form-select")
    else:
        field.widget.attrs.setdefault("class", "form-control")


class ConcernFieldsMixin:
    """The optional concern raised with an activity or a submission."""

    def add_concern_fields(self, cadres=None):
        if cadres is not None:
            self.fields["concern_cadre"] = CadreChoiceField(
                queryset=cadres, required=False, label="提出诉求的干部", empty_label="（仅一名干部时可不选）")
        self.fields["concern_category"] = forms.ChoiceField(
            label="诉求类别", required=False, choices=[("", "—")] + ConcernCategory.choices)
        self.fields["concern_content"] = forms.CharField(
            label="诉求内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["concern_responder"] = forms.CharField(label="答复责任单位 / 责任人", max_length=100,
                                                           required=False)
        self.fields["concern_deadline"] = forms.DateField(label="答复期限", required=False,
                                                          help_text="留空则为提出之日起 30 天。")
        for name, field in self.fields.items():
            if name.startswith("concern_"):
                _bootstrap(field)

    def clean_concern(self, data, chosen=None):
        if not (data.get("concern_content") or "").strip():
            data["concern"] = None
            return
        if not data.get("concern_category"):
            self.add_error("concern_category", "请选择诉求类别。")
        if not (data.get("concern_responder") or "").strip():
            self.add_error("concern_responder", "请填写答复责任单位或责任人。")
        cadre = data.get("concern_cadre")
        if chosen is not None:
            if cadre is None and len(chosen) == 1:
                cadre = chosen[0]
            if cadre is None:
                self.add_error("concern_cadre", "多名干部参加时，请选择提出诉求的干部。")
            elif cadre not in chosen:
                self.add_error("concern_cadre", "提出诉求的干部须是本次活动的参加人。")
        data["concern"] = {"cadre": cadre, "category": data.get("concern_category"),
                           "content": data.get("concern_content", ""), "responder": data.get("concern_responder", ""),
                           "deadline": data.get("concern_deadline")}


class ActivityForm(ConcernFieldsMixin, BootstrapMixin, forms.Form):
    """One activity for one or several cadres of the chosen unit (e.g. a group health check)."""

    kind = forms.ChoiceField(label="类别", choices=CareKind.choices)
    date = forms.DateField(label="日期", help_text="多日的活动填开始日期。")
    cadres = CadreMultipleChoiceField(queryset=None, label="干部", widget=FastSelectMultiple(attrs={"size": 10}),
                                      help_text="按住 Ctrl 可多选；集体活动（如集体体检）一次选择全部参加的干部。")
    title = forms.CharField(label="主题", max_length=200, required=False)
    conducted_by = UserChoiceField(queryset=None, label="开展人（系统用户）",
                                   help_text="保密记录只有开展人和部门领导可以查看。")
    conductor_names = forms.CharField(label="谈话人 / 走访人", max_length=200, required=False,
                                      help_text="如：县委书记 张三、组织部部长 李四")
    location = forms.CharField(label="地点", max_length=100, required=False)
    amount = forms.DecimalField(label="帮扶金额（元）", max_digits=10, decimal_places=2, min_value=0, required=False)
    fund = forms.CharField(label="资金来源", max_length=100, required=False, help_text="如：党内关怀帮扶基金")
    days = forms.IntegerField(label="天数", min_value=1, max_value=366, required=False)
    notes = forms.CharField(label="情况记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_actions = forms.CharField(label="后续措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confidential_note = forms.CharField(
        label="保密记录", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="干部本人要求保密的内容。保存后仅开展人和部门领导可以查看，每次查看都会留痕；不出现在列表、导出和变更记录中。")

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        cadres = cadres.select_related("unit").order_by("unit__path", "name", "id")
        self.fields["cadres"].queryset = cadres
        self.fields["conducted_by"].queryset = conductors()
        self.add_concern_fields(cadres)

    def clean(self):
        data = super().clean()
        self.clean_concern(data, list(data.get("cadres") or []))
        return data


class AddCadresForm(BootstrapMixin, forms.Form):
    cadres = CadreMultipleChoiceField(queryset=None, label="干部", widget=FastSelectMultiple(attrs={"size": 12}),
                                      help_text="按住 Ctrl 可多选；已在本活动中的干部不再列出。")

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = cadres.select_related("unit").order_by("unit__path", "name", "id")


class RemoveCadreForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="移除原因", max_length=200, help_text="如：误选，该干部未参加本次体检。记入变更记录。")


class ActivityEditForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    date = forms.DateField(label="日期")
    title = forms.CharField(label="主题", max_length=200, required=False)
    conducted_by = UserChoiceField(queryset=None, label="开展人（系统用户）")
    conductor_names = forms.CharField(label="谈话人 / 走访人", max_length=200, required=False)
    location = forms.CharField(label="地点", max_length=100, required=False)
    amount = forms.DecimalField(label="帮扶金额（元）", max_digits=10, decimal_places=2, min_value=0, required=False)
    fund = forms.CharField(label="资金来源", max_length=100, required=False)
    days = forms.IntegerField(label="天数", min_value=1, max_value=366, required=False)
    notes = forms.CharField(label="情况记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_actions = forms.CharField(label="后续措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conducted_by"].queryset = conductors()
        if not self.is_bound:
            for name in self.fields:
                if name != "version":
                    self.fields[name].initial = getattr(activity, name)
            self.fields["version"].initial = activity.version
        # Only the fields of the activity's kind.
        if activity.kind != CareKind.HARDSHIP_AID:
            del self.fields["amount"], self.fields["fund"]
        if activity.kind != CareKind.LEAVE:
            del self.fields["days"]


class ConfidentialNoteForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label="保密记录", widget=forms.Textarea(attrs={"rows": 6}))


class ConcernForm(ConcernFieldsMixin, BootstrapMixin, forms.Form):
    """A concern raised in an activity (choose among its cadres) or in a submission."""

    raised_on = forms.DateField(label="提出日期")

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_concern_fields(cadres)
        self.fields["concern_content"].required = True
        self.fields["concern_category"].required = True
        self.fields["concern_responder"].required = True
        self.cadres = list(cadres) if cadres is not None else None

    def clean(self):
        data = super().clean()
        self.clean_concern(data, self.cadres)
        return data


class AnswerForm(BootstrapMixin, forms.Form):
    answered_on = forms.DateField(label="答复日期", initial=timezone.localdate)
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))


class ConsultationForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="开展单位")
    title = forms.CharField(label="活动名称", max_length=200)
    held_on = forms.DateField(label="开展日期")
    mode = forms.ChoiceField(label="方式", choices=ConsultationMode.choices)
    organizer = forms.CharField(label="组织者", max_length=100, required=False)
    notes = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.attrs["class"] = "form-select"


class SubmissionForm(ConcernFieldsMixin, BootstrapMixin, forms.Form):
    cadre = CadreChoiceField(queryset=None, label="干部")
    submitted_on = forms.DateField(label="反映日期")
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres.select_related("unit").order_by("unit__path", "name", "id")
        self.add_concern_fields()

    def clean(self):
        data = super().clean()
        self.clean_concern(data)
        if data.get("concern"):
            data["concern"].pop("cadre")
        return data


# ------------------------------------------------------------------ list filters

def year_choices(today=None):
    year = (today or timezone.localdate()).year
    return [(y, f"{y}年") for y in range(year, year - 6, -1)]


class CareFilterForm(BootstrapMixin, forms.Form):
    """Search, unit, township and young cadres: every care list has these (seed 004)."""

    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "干部姓名"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位（含下级）", empty_label="全部单位")
    township = forms.BooleanField(label="乡镇干部", required=False)
    young = forms.BooleanField(label=f"年轻干部（{YOUNG_CADRE_AGE}岁以下）", required=False)
    checkboxes = ("township", "young")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def value(self, name, default=None):
        return self.cleaned_data.get(name, default) if self.is_valid() else default


class ActivityFilterForm(CareFilterForm):
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别")] + CareKind.choices)
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "主题或干部姓名"
        self.fields["year"].choices = [("", "全部年度")] + year_choices()


class ConcernFilterForm(CareFilterForm):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + ConcernStatus.choices)
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别")] + ConcernCategory.choices)
    overdue = forms.BooleanField(label="仅看超期未答复", required=False)
    on_time = forms.BooleanField(label="按期答复", required=False)
    since = forms.DateField(label="提出日期自", required=False)
    until = forms.DateField(label="提出日期至", required=False)
    checkboxes = ("overdue", "on_time", "township", "young")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "干部姓名、诉求或责任单位"


class ConsultationFilterForm(CareFilterForm):
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    unanswered = forms.BooleanField(label="有未答复的反映", required=False)
    checkboxes = ("unanswered", "township", "young")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "活动名称或单位"
        self.fields["year"].choices = [("", "全部年度")] + year_choices()
        self.fields["township"].label = "乡镇开展的"
        self.fields["young"].label = f"有年轻干部（{YOUNG_CADRE_AGE}岁以下）反映的"


class FollowUpFilterForm(CareFilterForm):
    state = forms.ChoiceField(label="回访状态", required=False,
                              choices=[("", "全部")] + list(FOLLOW_UP_STATE_LABELS.items()))


class FollowUpDoneFilterForm(CareFilterForm):
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    since = forms.DateField(label="回访日期自", required=False)
    until = forms.DateField(label="回访日期至", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "干部姓名或回访人"
        self.fields["year"].choices = [("", "全部年度")] + year_choices()


class ComplianceFilterForm(CareFilterForm):
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    only = forms.ChoiceField(label="未完成事项", required=False)

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = ""
        self.fields["unit"].label = "范围（单位及下级）"
        self.fields["unit"].empty_label = "我的全部管辖范围"
        self.fields["year"].choices = year_choices()
        self.fields["only"].choices = [("", "任一事项")] + [
            (r.kind, r.get_kind_display()) for r in rules if r.applies_to == ObligationApplies.CADRE]
