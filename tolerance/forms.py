from django import forms
from django.contrib.auth import get_user_model

from cadres.forms import BootstrapMixin, CadreMultipleChoiceField, FastSelectMultiple, UnitChoiceField
from cadres.models import MeasureKind, RecordStatus, Sanction, SanctionType, Unit
from core.people import person_label
from core.roles import Role
from tolerance.models import (
    AllegationSource,
    AllegationStatus,
    ClarificationForm,
    Conclusion,
    DirectCloseReason,
    Origin,
    Outcome,
    ReferralStatus,
    ReformFiling,
    Stage,
)
from tolerance.selectors import (
    ALLEGATION_EVENTS,
    CASE_EVENTS,
    REFORM_EVENTS,
    eligible_investigators,
    eligible_verifiers,
)


class SanctionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, s):
        return f"{s.cadre.name}：{s.sanction_type}（{s.decision_date:%Y-%m-%d}，{s.matter}）"


class CaseFileForm(BootstrapMixin, forms.Form):
    """立案. Cadres are chosen among the visible cadres of the unit picked in step one."""

    title = forms.CharField(label="案件名称", max_length=200)
    cadres = CadreMultipleChoiceField(queryset=None, label="涉及干部", required=False,
                                      widget=FastSelectMultiple(attrs={"size": 8}),
                              help_text="按住 Ctrl 可多选；列出本单位及下级单位的干部。")
    concerns_unit = forms.BooleanField(label="单位作为容错对象", required=False)
    error_date = forms.DateField(label="失误发生日期")
    matter = forms.CharField(label="失误错误事实", widget=forms.Textarea(attrs={"rows": 4}))
    losses_impact = forms.CharField(label="造成的损失和影响", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    accountability_body = forms.CharField(label="问责机关（谁问责、谁考虑容错）", max_length=100)
    origin = forms.ChoiceField(label="启动方式", choices=Origin.choices)
    proposed_sanction_type = forms.ModelChoiceField(queryset=SanctionType.objects.all(), required=False,
                                                    label="拟给予的处分（每名涉及干部）")
    proposed_measure_kind = forms.ChoiceField(label="拟采取的监督措施", required=False,
                                              choices=[("", "—")] + MeasureKind.choices)
    related_sanctions = SanctionChoiceField(queryset=None, required=False, label="已作出的相关处分",
                                            widget=forms.SelectMultiple(attrs={"size": 4}),
                                            help_text="本事项已记入干部档案的处分，由认定结论免除、替代或维持。")
    reform_filing = forms.ModelChoiceField(queryset=None, required=False, label="关联的改革风险防控备案")

    def __init__(self, *args, cadres, filings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = cadres.select_related("unit").order_by("name", "id")
        self.fields["related_sanctions"].queryset = Sanction.objects.filter(
            cadre__in=cadres, status=RecordStatus.IN_FORCE).select_related("cadre", "sanction_type")
        self.fields["reform_filing"].queryset = filings

    def clean(self):
        data = super().clean()
        chosen = set(data.get("cadres") or [])
        if any(s.cadre not in chosen for s in data.get("related_sanctions") or []):
            self.add_error("related_sanctions", "只能选择所选涉及干部的处分。")
        return data


class UnitPickForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="涉及单位")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="办理说明", widget=forms.Textarea(attrs={"rows": 2}))


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """People by name and post (陈建国（市委组织部副部长）), never by login name."""

    def label_from_instance(self, obj):
        return person_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class StartInvestigationForm(ReasonForm):
    investigators = PersonMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        label="承办人（纪检监察机关、组织部门）", widget=forms.SelectMultiple(attrs={"size": 5}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people who may investigate a case of this unit (discipline bodies, the unit's
        # own organization departments), never the staff of another county.
        self.fields["investigators"].queryset = eligible_investigators(case.unit)


class PreliminaryForm(BootstrapMixin, forms.Form):
    opinion = forms.CharField(label="初步意见", widget=forms.Textarea(attrs={"rows": 4}))


class ConsultationForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label="会商日期")
    bodies = forms.CharField(label="参加单位", max_length=300, initial="纪检监察机关、组织部门、问责部门")
    minutes = forms.CharField(label="会商纪要", widget=forms.Textarea(attrs={"rows": 4}))
    proposed_outcome = forms.ChoiceField(label="会商建议结论", choices=Outcome.choices)


class DefenceForm(BootstrapMixin, forms.Form):
    case_cadre = forms.ModelChoiceField(queryset=None, label="干部")
    recorded_on = forms.DateField(label="陈述申辩日期")
    statement = forms.CharField(label="陈述申辩内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_cadre"].queryset = case.case_cadres.select_related("cadre")


class DeterminationForm(BootstrapMixin, forms.Form):
    """One outcome (and final sanction type) field per cadre of the case."""

    decision_number = forms.CharField(label="认定文号", max_length=50)
    decided_on = forms.DateField(label="认定日期")
    deciding_body = forms.CharField(label="认定机关（同级党委/党组）", max_length=100)
    reasons = forms.CharField(label="认定理由（引用条款）", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_cadres = list(case.case_cadres.select_related("cadre"))
        for cc in self.case_cadres:
            self.fields[f"outcome_{cc.pk}"] = forms.ChoiceField(label=f"{cc.cadre.name}：认定结论",
                                                                choices=Outcome.choices)
            self.fields[f"final_{cc.pk}"] = forms.ModelChoiceField(
                queryset=SanctionType.objects.all(), required=False, label=f"{cc.cadre.name}：从轻/减轻后的处分")
        for name, field in self.fields.items():
            if name.startswith(("outcome_", "final_")):
                field.widget.attrs.setdefault("class", "form-select")

    def outcomes(self):
        return {cc.pk: (self.cleaned_data[f"outcome_{cc.pk}"], self.cleaned_data.get(f"final_{cc.pk}"))
                for cc in self.case_cadres}


class FeedbackForm(BootstrapMixin, forms.Form):
    feedback_date = forms.DateField(label="书面反馈日期")
    method = forms.CharField(label="反馈方式", max_length=100, initial="送达书面反馈函")
    received_on = forms.DateField(label="当事人签收日期")


class FilingForm(BootstrapMixin, forms.Form):
    discipline_on = forms.DateField(label="报上级纪检监察机关备案日期")
    organization_on = forms.DateField(label="报上级组织人事部门备案日期")
    accountability_on = forms.DateField(label="报问责部门备案日期")


class ReReviewForm(BootstrapMixin, forms.Form):
    case_cadre = forms.ModelChoiceField(queryset=None, label="申请人")
    requested_on = forms.DateField(label="申请日期")
    grounds = forms.CharField(label="复核理由", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_cadre"].queryset = case.case_cadres.select_related("cadre")


class RemedialForm(BootstrapMixin, forms.Form):
    description = forms.CharField(label="纠错措施", max_length=300)
    owner = forms.CharField(label="责任人", max_length=100)
    deadline = forms.DateField(label="完成期限")


class RemedialDoneForm(BootstrapMixin, forms.Form):
    measure = forms.ModelChoiceField(queryset=None, label="纠错措施")
    done_on = forms.DateField(label="完成日期")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = case.remedial_measures.filter(done_on__isnull=True)


class EvidenceForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="材料名称", max_length=200)
    file = forms.FileField(label="文件（PDF、图片、Word、Excel，20 MB 以内）")


class CaseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "案件名称或干部姓名"}))
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部阶段")] + Stage.choices)
    outcome = forms.ChoiceField(label="认定结论", required=False, choices=[("", "全部结论")] + Outcome.choices)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位", empty_label="全部单位")
    officer = PersonChoiceField(queryset=get_user_model().objects.filter(groups__name=Role.DISCIPLINE_OFFICER),
                                     required=False, label="承办人", empty_label="全部承办人")
    year = forms.IntegerField(label="失误年份", required=False, min_value=2000, max_value=2100)
    wrongly = forms.BooleanField(label="应容未容", required=False)
    event = forms.ChoiceField(label="统计事项", required=False, choices=[("", "不限")] + CASE_EVENTS)
    left_stage = forms.ChoiceField(label="离开阶段", required=False,
                                   choices=[("", "不限")] + [c for c in Stage.choices if c[0] != Stage.CLOSED],
                                   help_text="在起止日期内办完该阶段、转入下一阶段的案件")
    since = forms.DateField(label="起始日期", required=False)
    until = forms.DateField(label="截止日期", required=False)
    overdue_on = forms.DateField(label="截至该日超期", required=False,
                                 help_text="该日终了时尚未办结、且当时所处阶段已超过办理期限的案件；晚于今天的按今天")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReformFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "改革事项"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位（含下级）", empty_label="全部单位")
    event = forms.ChoiceField(label="统计事项", required=False, choices=[("", "不限")] + REFORM_EVENTS)
    since = forms.DateField(label="起始日期", required=False)
    until = forms.DateField(label="截止日期", required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReformFilingForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ReformFiling
        fields = ["unit", "title", "description", "legality_review", "risk_assessment", "filed_on"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(queryset=units, label="备案单位")
        self.fields["unit"].widget.attrs["class"] = "form-select"



# ------------------------------------------------------------------------------ allegations

class AllegationForm(BootstrapMixin, forms.Form):
    source = forms.ChoiceField(label="线索来源", choices=AllegationSource.choices)
    received_on = forms.DateField(label="受理日期")
    subjects = CadreMultipleChoiceField(queryset=None, label="反映对象", widget=FastSelectMultiple(attrs={"size": 8}))
    issue = forms.CharField(label="所涉问题", max_length=200, help_text="简要概括，如“违规发放津补贴”；用于识别重复函询")
    summary = forms.CharField(label="反映内容摘要", widget=forms.Textarea(attrs={"rows": 3}))
    reporter_anonymous = forms.BooleanField(label="匿名举报", required=False)
    reporter_name = forms.CharField(label="举报人姓名", max_length=50, required=False)
    reporter_contact = forms.CharField(label="举报人联系方式", max_length=100, required=False)
    reporter_work_unit = forms.CharField(label="举报人工作单位或住址", max_length=200, required=False)
    acknowledge_duplicate = forms.BooleanField(label="已知悉重复情况，仍需登记", required=False)

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = cadres.select_related("unit").order_by("name", "id")

    def reporter(self):
        d = self.cleaned_data
        return {"anonymous": d["reporter_anonymous"], "name": d["reporter_name"], "contact": d["reporter_contact"],
                "work_unit": d["reporter_work_unit"]}


class CloseDirectlyForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label="了结理由", choices=DirectCloseReason.choices)
    note = forms.CharField(label="了结说明", widget=forms.Textarea(attrs={"rows": 2}))


class AssignVerifiersForm(BootstrapMixin, forms.Form):
    verifiers = PersonMultipleChoiceField(
        queryset=get_user_model().objects.none(), label="核查人", widget=forms.SelectMultiple(attrs={"size": 5}))
    deadline = forms.DateField(label="核查期限")

    def __init__(self, *args, allegation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verifiers"].queryset = eligible_verifiers(allegation)


class ConcludeForm(BootstrapMixin, forms.Form):
    conclusion = forms.ChoiceField(label="核查结论", choices=Conclusion.choices)
    findings = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 3}))
    concluded_on = forms.DateField(label="办结日期")


class OpenCaseForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="问责事项名称", max_length=200)
    error_date = forms.DateField(label="问题发生日期")
    accountability_body = forms.CharField(label="问责机关", max_length=100)


class ClarifyForm(BootstrapMixin, forms.Form):
    cadre = forms.ModelChoiceField(queryset=None, label="澄清对象")
    form = forms.ChoiceField(label="澄清方式", choices=ClarificationForm.choices)
    scope = forms.CharField(label="通报范围", max_length=200,
                            help_text="写范围本身，如“清河县城关镇全体干部大会”；通知书会写成“在……上通报”")
    issuing_body = forms.ChoiceField(label="发文机关", choices=())
    alleged = forms.CharField(label="反映的问题", widget=forms.Textarea(attrs={"rows": 2}))
    finding = forms.CharField(label="核查结论", widget=forms.Textarea(attrs={"rows": 2}))
    issued_on = forms.DateField(label="印发日期")
    publishable = forms.BooleanField(label="可纳入不实举报案例定期公开", required=False, initial=True)

    def __init__(self, *args, allegation, **kwargs):
        super().__init__(*args, **kwargs)
        from tolerance.models import IssuingBody

        subjects = list(allegation.subjects.select_related("unit"))
        self.fields["cadre"].queryset = allegation.subjects.all()
        self.fields["cadre"].label_from_instance = lambda c: f"{c.name}（{c.unit}{c.position}）"
        self.fields["issuing_body"].choices = [(b.name, f"{b.name}（代字：{b.code}）")
                                               for b in IssuingBody.objects.all()]
        # Prefilled from the allegation: what was reported, what verification found, and the
        # subject's own unit as the usual range.
        self.fields["alleged"].initial = allegation.summary
        self.fields["finding"].initial = allegation.findings
        if subjects:
            self.fields["scope"].initial = f"{subjects[0].unit}全体干部大会"
        if len(subjects) == 1:  # the only person the notice can clear
            self.fields["cadre"].initial = subjects[0].pk


class ReferralForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label="追责状态", choices=ReferralStatus.choices)
    referred_to = forms.CharField(label="移送机关", max_length=100, required=False)
    referred_on = forms.DateField(label="移送日期", required=False)
    outcome = forms.CharField(label="处理结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryForm(BootstrapMixin, forms.Form):
    delivered_on = forms.DateField(label="送达日期")
    note = forms.CharField(label="送达情况", max_length=200, initial="本人签收")


class AllegationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "问题或反映对象"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + AllegationStatus.choices)
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源")] + AllegationSource.choices)
    conclusion = forms.ChoiceField(label="结论", required=False, choices=[("", "全部结论")] + Conclusion.choices)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位", empty_label="全部单位")
    repeated = forms.BooleanField(label="重复线索", required=False)
    event = forms.ChoiceField(label="统计事项", required=False, choices=[("", "不限")] + ALLEGATION_EVENTS)
    since = forms.DateField(label="起始日期", required=False)
    until = forms.DateField(label="截止日期", required=False)
    open_days = forms.TypedChoiceField(
        label="未核结（暂缓提拔）", required=False, coerce=int, empty_value=None,
        choices=[("", "不限"), (0, "当前未核结"), (90, "已满3个月"), (180, "已满6个月")])

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class NoticeFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "澄清对象姓名"}))
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label="单位（含下级）", empty_label="全部单位")
    since = forms.DateField(label="印发日期自", required=False)
    until = forms.DateField(label="印发日期至", required=False)
    published = forms.BooleanField(label="纳入不实举报案例公开", required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class PublicationForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", required=False, coerce=int, empty_value=None,
                                     choices=[("", "全年")] + [(q, f"第{q}季度") for q in range(1, 5)])
