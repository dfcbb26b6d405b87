from html import escape

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.safestring import mark_safe

from cadres.models import (
    AchievementRecord,
    Cadre,
    CadreStatus,
    Commendation,
    FamilyMember,
    FollowUpVisit,
    Rank,
    Sanction,
    SupervisionMeasure,
    Tag,
    Unit,
    unit_qualified_name,
)
from cadres.selectors import ID_NUMBER_SEARCH_HELP
from core.uploads import content_matches
from core.validation import harden_form_fields


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class HardenedFormMixin:
    """Every form of the project refuses what would break a page, as a form error: dates
    outside 1900 to ten years ahead, integers and ids the database cannot hold (see
    core.validation). Applied at validation time, so fields added after __init__ count."""

    def full_clean(self):
        harden_form_fields(self)
        super().full_clean()


class BootstrapMixin(HardenedFormMixin):
    """Bootstrap classes on every widget and date pickers for date fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
                field.error_messages["invalid"] = "请输入有效日期，格式为 年-月-日（如 2026-01-31）。"
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class FastSelect(forms.Select):
    """A single select that renders its options with plain string building. Django renders
    each option through a template, which cost about 12 ms per page for the few hundred
    options of a city's unit dropdown, and a few ms more for the other filters (make bench)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(v))}"{" selected" if str(v) in selected else ""}>{escape(str(label))}</option>'
            for v, label in self.choices)
        multiple = " multiple" if self.allow_multiple_selected else ""
        return mark_safe(f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}{multiple}>'
                         f'{options}</select>')


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """FastSelect for several values (a county's activity lists 10,000 cadres to choose from)."""


class FastTextInput(forms.TextInput):
    """A text input rendered with plain string building, as Django's template would write it:
    the grade batch page has a hundred of them, and rendering each through the widget
    template took longer than all the page's queries (issue #16)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{escape(str(value))}"'
        return mark_safe(f'<input type="{self.input_type}" name="{escape(name)}"{shown}'
                         f'{flatatt(self.build_attrs(self.attrs, attrs))}>')


def cadre_label(name: str, unit_name: str, position: str) -> str:
    return f"{name}（{unit_name} {position}）"


class CadreChoiceIterator(forms.models.ModelChoiceIterator):
    """(pk, label) pairs read as plain values, rendered by FastSelect: a county's pickers
    offer 10,000 cadres, and building a model instance and a template per option took over
    a second for a care activity's page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, unit_path, unit_name, position in self.queryset.values_list(
                "pk", "name", "unit__path", "unit__name", "position"):
            yield (pk, cadre_label(name, unit_qualified_name(unit_path, unit_name), position))


class CadreChoiceField(forms.ModelChoiceField):
    """A cadre, shown with unit and position, among those of `queryset`."""

    iterator = CadreChoiceIterator
    widget = FastSelect


class CadreMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = CadreChoiceIterator
    widget = FastSelectMultiple


def unit_label(depth: int, name: str) -> str:
    """A unit indented by its depth in the tree (an ideographic space per level)."""
    return f"{'　' * (depth - 1)}{name}"


class UnitChoiceIterator(forms.models.ModelChoiceIterator):
    """(pk, label) pairs read as plain values: no Unit instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # Qualified (清河县城关镇): typed into the picker, 城关镇 alone matches every county's.
        for pk, depth, path, name in self.queryset.values_list("pk", "depth", "path", "name"):
            yield (pk, unit_label(depth, unit_qualified_name(path, name)))


class UnitChoiceField(forms.ModelChoiceField):
    widget = FastSelect
    iterator = UnitChoiceIterator


class PhotoInput(forms.ClearableFileInput):
    """The stored photo is shown as 已上传 with a link to the permission-checked photo view:
    the storage path (photos/2026/a.jpg) means nothing to a clerk, and media is never served
    at its path."""
    initial_text = "已上传照片"
    input_text = "更换"
    clear_checkbox_label = "删除照片"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        if context["widget"]["is_initial"] and instance is not None and instance.pk:
            context["widget"]["value"] = PhotoLink(reverse("cadres:photo", args=[instance.pk]))
        return context


class PhotoLink:
    """What the widget template prints for the current file: its url and a readable name."""

    def __init__(self, url):
        self.url = url

    def __str__(self):
        return "查看"


class CadreForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="现工作单位")
    tags = forms.ModelMultipleChoiceField(queryset=Tag.objects.all(), required=False, label="标签")

    class Meta:
        model = Cadre
        fields = [
            "name", "sex", "birth_date", "ethnicity", "native_place", "birthplace", "id_number",
            "political_status", "party_join_date", "work_start_date", "health", "professional_title",
            "speciality", "fulltime_education", "fulltime_degree", "fulltime_school",
            "inservice_education", "inservice_degree", "inservice_school", "photo", "unit", "position",
            "rank", "position_since", "rank_since", "status", "is_team_member", "is_main_leader", "tags",
            # 干部任免审批表 entries (issue #15)
            "proposed_position", "proposed_removal", "appointment_reason", "reporting_unit", "form_filler",
            "form_filled_on", "age_reference_date",
        ]
        widgets = {"photo": PhotoInput}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        # A new upload only (an unchanged photo is the stored file): the bytes must be an
        # image, not a GIF/HTML polyglot that a browser could sniff as a page.
        if photo and hasattr(photo, "content_type") and not content_matches(photo, ".jpg") \
                and not content_matches(photo, ".png") and not content_matches(photo, ".gif"):
            raise forms.ValidationError("照片内容不是有效的 JPEG、PNG 或 GIF 图片，已拒绝。")
        return photo

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        if self.instance.pk:
            # The unit changes only through a posting (交流 / 调动), so history shows the move.
            del self.fields["unit"]
            self.fields["version"].initial = self.instance.version


class PostingForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="单位")
    position = forms.CharField(label="职务", max_length=100)
    rank = forms.ChoiceField(label="职级", choices=[("", "—")] + Rank.choices, required=False)
    start_date = forms.DateField(label="任职时间")
    end_date = forms.DateField(label="免职时间", required=False,
                               help_text="留空表示现任职务：保存后干部调入该单位，原任职务自动免职。")
    note = forms.CharField(label="备注（交流、调动等）", max_length=200, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class CommendationForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Commendation
        fields = ["kind", "level", "title", "date", "issuer"]


class SanctionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Sanction
        fields = ["sanction_type", "matter", "decided_by", "document_number", "decision_date"]
        help_texts = {"decision_date": "影响期自决定日期起按处分种类自动计算。"}


class MeasureForm(BootstrapMixin, forms.ModelForm):
    acknowledge_duplicate = forms.BooleanField(label="已知悉重复情况，仍需记录", required=False)

    class Meta:
        model = SupervisionMeasure
        fields = ["kind", "date", "issue", "by_whom"]


class AchievementForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = AchievementRecord
        fields = ["year", "quarter", "source", "description"]


class FamilyMemberForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = ["relation", "name", "birth_date", "political_status", "work_unit_post"]


class FollowUpVisitForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FollowUpVisit
        fields = ["sanction", "date", "visited_by", "notes"]

    def __init__(self, *args, cadre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sanction"].queryset = cadre.sanctions.select_related("sanction_type")


class CadreFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={
        "placeholder": "姓名或身份证号", "title": ID_NUMBER_SEARCH_HELP}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位（含下级）", empty_label="全部单位")
    rank = forms.ChoiceField(label="职级", choices=[("", "全部职级")] + Rank.choices, required=False, widget=FastSelect)
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态")] + CadreStatus.choices, required=False, widget=FastSelect)
    tag = forms.ChoiceField(label="标签", required=False, widget=FastSelect)
    township_years = forms.TypedChoiceField(
        label="乡镇工作年限", required=False, coerce=int, empty_value=None, widget=FastSelect,
        choices=[("", "不限"), (1, "1年以上"), (2, "2年以上"), (3, "3年以上"), (5, "5年以上")],
    )
    order = forms.ChoiceField(
        label="排序", required=False, widget=FastSelect,
        choices=[("name", "姓名"), ("-name", "姓名（倒序）"), ("birth_date", "年龄（由大到小）"),
                 ("-birth_date", "年龄（由小到大）"), ("rank", "职级"), ("unit", "单位")],
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["tag"].choices = [("", "全部标签")] + [(t, t) for t in Tag.objects.values_list("name", flat=True)]


IMPORT_MAX_BYTES = 10 * 1024 * 1024  # 20,000 rows of the template are about 2 MB


class ImportUploadForm(HardenedFormMixin, forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"文件过大（超过 {IMPORT_MAX_BYTES // 1024 // 1024} MB），请拆分后分批导入。")
        if not content_matches(upload, "xlsx"):
            raise forms.ValidationError("文件内容不是 Excel（.xlsx）格式，请使用下载的模板填写后上传。")
        return upload
