import copy

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from assessment.catalogs import BOLD_WORK_SITUATION, PRIORITY_SITUATIONS
from assessment.models import (
    MANUAL_SOURCES,
    Grade,
    InfoSource,
    Polarity,
    QuarterlyReview,
    ReviewStatus,
    TeamGrade,
    YearStatus,
)
from assessment.selectors import (
    CAP_CAUSES,
    REVIEW_RESULTS,
    SHORTLIST_BLOCK_CHOICES,
    SHORTLIST_PRIORITY_CHOICES,
    TARGET_RANKS,
    TIMELINESS,
)
from cadres.forms import (
    BootstrapMixin,
    CadreChoiceField,
    FastSelect,
    FastTextInput,
    HardenedFormMixin,
    UnitChoiceField,
)
from cadres.models import Cadre, Unit


def _year_choices(blank="全部年度"):
    this = timezone.localdate().year
    return [("", blank)] + [(y, f"{y}年") for y in range(this + 1, this - 8, -1)]


QUARTER_CHOICES = [(q, f"第{q}季度") for q in range(1, 5)]


class YearFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="单位名称", required=False, widget=forms.TextInput(attrs={"placeholder": "单位名称"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位（含下级）", empty_label="全部单位")
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=_year_choices)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + YearStatus.choices)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class YearCreateForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="单位")
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    assessment_date = forms.DateField(label="考核基准日", required=False, help_text="留空为当年12月31日；处分影响期按此日判断。")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].initial = timezone.localdate().year - 1 if timezone.localdate().month < 7 \
            else timezone.localdate().year


_GRADE_CHOICES = [("", "—")] + Grade.choices
_GRADE_SELECT_CLASS = "form-select form-select-sm grade-select"
_REMARKS_CLASS = "form-control form-control-sm"
_REMARKS_MAX = 300
# The grade dropdown's options for each selected value, written once (FastSelect's markup).
_GRADE_OPTIONS = {selected: mark_safe("".join(
    f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(label)}</option>'
    for v, label in _GRADE_CHOICES)) for selected, _ in _GRADE_CHOICES}
_BOLD_NOTE = "<strong>敢抓敢管说明</strong>（因敢抓敢管、不怕得罪人而排名靠后的，应公正评定等次）："


class GradeBatchForm(HardenedFormMixin, forms.Form):
    """One grade and one remark field per cadre row, and the team's grade.

    A page has a hundred rows: each row's two fields are shallow copies of one prototype each
    (no per-row choice normalizing or widget deep copy), their values go through the form's
    `initial`, and rows_html writes the rows as strings. Built as ordinary fields and rendered
    through the template, the rows took longer than all the page's queries (issue #16)."""

    def __init__(self, *args, rows, with_team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        grade_field = forms.ChoiceField(required=False, choices=_GRADE_CHOICES,
                                        widget=FastSelect(attrs={"class": _GRADE_SELECT_CLASS}))
        remarks_field = forms.CharField(required=False, max_length=_REMARKS_MAX,
                                        widget=FastTextInput(attrs={"class": _REMARKS_CLASS}))
        for row in rows:
            pk = row.cadre.pk
            self.fields[f"grade_{pk}"] = copy.copy(grade_field)
            self.fields[f"grade_{pk}"].label = f"{row.cadre.name}：等次"
            self.fields[f"remarks_{pk}"] = copy.copy(remarks_field)
            self.fields[f"remarks_{pk}"].label = f"{row.cadre.name}：说明"
            self.initial.setdefault(f"grade_{pk}", row.current.grade if row.current else "")
            self.initial.setdefault(f"remarks_{pk}", row.current.remarks if row.current else "")
        if with_team:
            self.fields["team_grade"] = forms.ChoiceField(
                label="领导班子等次", required=False, choices=[("", "—")] + TeamGrade.choices,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            self.fields["team_remarks"] = forms.CharField(
                label="班子评定说明", required=False, max_length=300,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def batch_rows(self) -> list[dict]:
        return [{"cadre": row.cadre, "grade": self.cleaned_data.get(f"grade_{row.cadre.pk}", ""),
                 "remarks": self.cleaned_data.get(f"remarks_{row.cadre.pk}", "")} for row in self.rows]

    def _shown(self, name: str) -> str:
        """The value a field shows: what was posted, else its initial value."""
        if self.is_bound:
            return str(self.data.get(name, "") or "")
        return str(self.initial.get(name, "") or "")

    def rows_html(self, rows, *, refused: dict, saved_ids: set) -> str:
        """The table rows of the page (the markup the template and the widgets would write):
        name and badges, position, the limits and notes, the current grade, the two fields
        with their labels, and the refusal under a refused row. `rows`: the form's, or the same
        cadres read again after a save."""
        return mark_safe("".join(self._row_html(row, refused.get(row.cadre.pk, ""), row.cadre.pk in saved_ids)
                                 for row in rows))

    def _row_html(self, row, error: str, just_saved: bool) -> str:
        cadre, limits = row.cadre, row.limits
        grade_name, remarks_name = f"grade_{cadre.pk}", f"remarks_{cadre.pk}"
        invalid = ' aria-invalid="true"'
        badge = (mark_safe('<span class="badge text-bg-dark">主要负责人</span>') if cadre.is_main_leader else
                 mark_safe('<span class="badge text-bg-light border">班子成员</span>') if cadre.is_team_member else "")
        allowed = limits.allowed
        notes = [format_html('<div class="text-warning-emphasis">{}</div>', f) for f in limits.facts]
        if len(allowed) < 4:
            notes.append(format_html("<div>只能评为：{}</div>", "、".join(allowed)))
        if row.elsewhere:
            notes.append(format_html('<div class="text-danger">已在{}本年度考核中评定</div>', row.elsewhere))
        notes += [format_html('<div class="alert alert-info py-1 px-2 mb-1 mt-1 bold-note">{}{}</div>',
                              mark_safe(_BOLD_NOTE), note) for note in row.notes]
        if not (limits.facts or row.notes or row.elsewhere):
            notes.append(mark_safe('<span class="text-muted">—</span>'))
        current = (format_html('<a href="{}">{}</a>', reverse("assessment:grade_detail", args=[row.current.pk]),
                               row.current.grade) if row.current else mark_safe('<span class="text-muted">未评定</span>'))
        grade_value, remarks_value = self._shown(grade_name), self._shown(remarks_name)
        select = format_html('<select name="{}" class="{}"{} id="id_{}">{}</select>', grade_name, _GRADE_SELECT_CLASS,
                             mark_safe(invalid if grade_name in self.errors else ""), grade_name,
                             _GRADE_OPTIONS.get(grade_value) or _grade_options(grade_value))
        text = format_html('<input type="text" name="{}"{} class="{}"{} id="id_{}" maxlength="{}">', remarks_name,
                           format_html(' value="{}"', remarks_value) if remarks_value else "", _REMARKS_CLASS,
                           mark_safe(invalid if remarks_name in self.errors else ""), remarks_name, _REMARKS_MAX)
        html = format_html(
            '<tr id="row-{}" class="batch-row{}" data-cadre="{}"><td class="text-nowrap">{}{}</td>'
            '<td class="small">{}</td><td class="small">{}</td><td>{}{}</td>'
            '<td><label class="visually-hidden" for="id_{}">{}的等次</label>{}</td>'
            '<td><label class="visually-hidden" for="id_{}">{}的评定说明</label>{}</td></tr>',
            cadre.pk, " table-danger" if error else " table-success" if just_saved else "", cadre.name, cadre.name,
            format_html(" {}", badge) if badge else "", cadre.position, mark_safe("".join(notes)), current,
            mark_safe(' <span class="badge text-bg-success">已保存</span>') if just_saved else "",
            grade_name, cadre.name, select, remarks_name, cadre.name, text)
        if error:
            html += format_html('<tr class="table-danger row-error-line"><td colspan="6" class="text-danger small '
                                'row-error" data-cadre="{}">未保存：{}</td></tr>', cadre.name, error)
        return html


def _grade_options(selected: str) -> str:
    """The options with a posted value that is not a grade (the form refuses it)."""
    return mark_safe("".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in _GRADE_CHOICES))


class GradeFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    grade = forms.ChoiceField(label="等次", required=False, choices=[("", "全部等次")] + Grade.choices)


class QuotaRequestForm(BootstrapMixin, forms.Form):
    excellent_count = forms.IntegerField(label="申请优秀等次总名额", min_value=1)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}))


class QuotaDecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "不批准")])
    reason = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 2}))


class NotifyForm(BootstrapMixin, forms.Form):
    told_on = forms.DateField(label="告知本人日期")


class ReReviewRequestForm(BootstrapMixin, forms.Form):
    requested_on = forms.DateField(label="申请日期")
    grounds = forms.CharField(label="复核理由", widget=forms.Textarea(attrs={"rows": 3}))


class ReReviewAnswerForm(BootstrapMixin, forms.Form):
    answered_on = forms.DateField(label="复核决定日期")
    new_grade = forms.ChoiceField(label="复核结论", required=False,
                                  choices=[("", "维持原等次")] + [(g, f"变更为“{g}”") for g in Grade.values])
    answer = forms.CharField(label="复核意见", widget=forms.Textarea(attrs={"rows": 3}))


class TeamInterviewForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="被约谈班子（单位）")
    date = forms.DateField(label="约谈日期")
    issue = forms.CharField(label="约谈事由", max_length=300)
    by_whom = forms.CharField(label="约谈实施机关", max_length=100, initial="县委组织部")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.filter(has_leadership_team=True)


class TeamInterviewFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "单位或事由"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位（含下级）", empty_label="全部单位")
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=_year_choices)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReviewFilterForm(BootstrapMixin, forms.Form):
    department = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="研判单位", empty_label="全部")
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="地区（含下级）", empty_label="全部地区")
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=_year_choices)
    quarter = forms.TypedChoiceField(label="季度", required=False, coerce=int, empty_value=None,
                                     choices=[("", "全部季度")] + QUARTER_CHOICES)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + ReviewStatus.choices)
    timeliness = forms.ChoiceField(label="完成情况", required=False,
                                   choices=[("", "全部")] + list(TIMELINESS.items()))

    def __init__(self, *args, departments, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["unit"].queryset = departments if units is None else units


class GradeListFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "干部姓名"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="考核单位（含下级）",
                           empty_label="全部单位")
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=_year_choices)
    grade = forms.ChoiceField(label="等次", required=False, choices=[("", "全部等次")] + Grade.choices)
    capped = forms.ChoiceField(label="等次限制", required=False,
                               choices=[("", "不限"), ("all", "受等次限制")] + list(CAP_CAUSES.items()))
    review = forms.ChoiceField(label="复核", required=False, choices=[("", "不限")] + list(REVIEW_RESULTS.items()))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RankingEntryFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="干部姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "干部姓名"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="研判单位（含下级）",
                           empty_label="全部单位")
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=_year_choices)
    quarter = forms.TypedChoiceField(label="季度", required=False, coerce=int, empty_value=None,
                                     choices=[("", "全部季度")] + QUARTER_CHOICES)
    category = forms.CharField(label="排名类别", required=False, max_length=100,
                               widget=forms.TextInput(attrs={"placeholder": "如：党委书记"}))
    bold = forms.BooleanField(label="仅有敢抓敢管说明的", required=False)
    # The review detail's rankings tab opens the list on its own review.
    review = forms.ModelChoiceField(queryset=QuarterlyReview.objects.none(), required=False,
                                    widget=forms.HiddenInput)

    def __init__(self, *args, units, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["review"].queryset = reviews


class ReviewOpenForm(BootstrapMixin, forms.Form):
    department = UnitChoiceField(queryset=Unit.objects.none(), label="研判单位")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=QUARTER_CHOICES,
                                     initial=lambda: (timezone.localdate().month - 1) // 3 + 1)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class ItemFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源")] + InfoSource.choices)
    polarity = forms.ChoiceField(label="性质", required=False, choices=[("", "全部")] + Polarity.choices)


class UnitPickForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="干部所在单位")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ItemForm(BootstrapMixin, forms.Form):
    cadre = CadreChoiceField(queryset=Cadre.objects.none(), label="干部")
    source = forms.ChoiceField(label="信息来源", choices=[(s.value, s.label) for s in MANUAL_SOURCES])
    polarity = forms.ChoiceField(label="性质", choices=Polarity.choices, initial=Polarity.NEUTRAL)
    date = forms.DateField(label="日期")
    summary = forms.CharField(label="情况摘要", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class RankingPickForm(BootstrapMixin, forms.Form):
    """Step one of a ranking: which cadres are ranked (e.g. the township party secretaries)."""

    unit = UnitChoiceField(queryset=Unit.objects.none(), label="被排名干部所在单位（含下级）")
    position = forms.CharField(label="职务包含", required=False, max_length=30,
                               widget=forms.TextInput(attrs={"placeholder": "如：党委书记"}))
    team_only = forms.BooleanField(label="只列领导班子成员", required=False, initial=True)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RankingForm(BootstrapMixin, forms.Form):
    """The evaluator and one position (and optional bold-work note) field per candidate."""

    evaluator = CadreChoiceField(queryset=Cadre.objects.none(), label="评价人（上级领导）")
    evaluator_title = forms.CharField(label="评价人职务", max_length=100, widget=forms.TextInput(
        attrs={"placeholder": "如：县委书记"}))
    category = forms.CharField(label="排名类别", max_length=100, widget=forms.TextInput(
        attrs={"placeholder": "如：乡镇（街道）党（工）委书记"}))

    def __init__(self, *args, evaluators, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluators
        self.candidates = candidates
        for cadre in candidates:
            self.fields[f"position_{cadre.pk}"] = forms.IntegerField(
                label=f"{cadre.name}：名次", required=False, min_value=1,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm rank-input"}))
            self.fields[f"note_{cadre.pk}"] = forms.CharField(
                label=f"{cadre.name}：敢抓敢管说明", required=False, max_length=300,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                              "placeholder": "因敢抓敢管、不怕得罪人而排名靠后的，写明情况"}))

    def entries(self) -> list[tuple]:
        return [(c, self.cleaned_data[f"position_{c.pk}"], self.cleaned_data.get(f"note_{c.pk}", ""))
                for c in self.candidates if self.cleaned_data.get(f"position_{c.pk}")]

    def candidate_fields(self):
        return [(c, self[f"position_{c.pk}"], self[f"note_{c.pk}"]) for c in self.candidates]


class ReportForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label="研判报告", widget=forms.Textarea(attrs={"rows": 14}),
                           help_text="综合政治表现、能力水平、工作实绩、工作作风，结合班子运行和结构情况（第十四条第三项）。")


class PriorityForm(BootstrapMixin, forms.Form):
    situation = forms.ChoiceField(label="优先提拔使用情形（张家口第三条、附件1）", choices=PRIORITY_SITUATIONS)
    facts = forms.CharField(label="事实和依据", widget=forms.Textarea(attrs={"rows": 3}))
    organization_finding = forms.CharField(
        label="组织考察结论", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="第三条（四）“因敢抓敢管、敢闯敢试而遭遇挫折失误、受到非议”的，须写明经组织考察确实优秀的结论；无需容错认定。")
    recorded_on = forms.DateField(label="登记日期", initial=timezone.localdate)

    bold_work_situation = BOLD_WORK_SITUATION


class PriorityFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位（含下级）", empty_label="全部单位")
    situation = forms.ChoiceField(label="情形", required=False, choices=[("", "全部情形")] + PRIORITY_SITUATIONS)
    since = forms.DateField(label="登记日期自", required=False)
    until = forms.DateField(label="登记日期至", required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class PromotionFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="任职单位（含下级）",
                           empty_label="全部单位")
    priority = forms.BooleanField(label="仅有优先情形的", required=False)
    since = forms.DateField(label="任职时间自", required=False)
    until = forms.DateField(label="任职时间至", required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


SHORTLIST_SHOW = [("", "全部"), ("eligible", "可提名"), ("blocked", "暂不能提名"), ("priority", "有优先情形")]


class ShortlistForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="单位（含下级）")
    target_rank = forms.ChoiceField(label="拟任职级", choices=TARGET_RANKS)
    position = forms.CharField(label="拟任职务", required=False, max_length=100,
                               widget=forms.TextInput(attrs={"placeholder": "如：乡镇党委副书记（选填）"}))
    on = forms.DateField(label="研判日期", required=False, help_text="留空为今天")
    q = forms.CharField(label="姓名", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名"}))
    show = forms.ChoiceField(label="显示", required=False, choices=SHORTLIST_SHOW)
    block = forms.ChoiceField(label="暂不能提名原因", required=False,
                              choices=[("", "全部")] + SHORTLIST_BLOCK_CHOICES)
    priority = forms.ChoiceField(label="优先情形", required=False,
                                 choices=[("", "全部")] + SHORTLIST_PRIORITY_CHOICES)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
