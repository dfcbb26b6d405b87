"""Fault tolerance (容错纠错): policy catalogs as data, the staged case, per-cadre rulings and
the consequences they write into the cadre's record. Rules: seed 002 arts. 7-11 and annex 2,
seed 001 (Daye), seed 000 Q7, seed 003."""
from django.conf import settings
from django.db import models

from cadres.models import Cadre, MeasureKind, Sanction, SanctionType, SupervisionMeasure, Unit
from core.fieldcrypt import EncryptedCharField
from core.historical import HistoricalRecords
from core.object_permissions import GroupGrant, UserGrant
from core.uploads import AuditedFileField


class PolicyDocument(models.Model):
    """A locality's tolerance policy: it applies to its unit's subtree between its dates."""

    title = models.CharField("文件名称", max_length=200)
    issuing_body = models.CharField("制发机关", max_length=100)
    unit = models.ForeignKey(Unit, verbose_name="适用单位（含下级）", on_delete=models.PROTECT, related_name="policies")
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("废止日期", null=True, blank=True, help_text="最后一个有效日；留空表示现行有效")
    is_partial = models.BooleanField("条款不完整", default=False, help_text="来源只公开了部分条款")
    source = models.CharField("来源", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "容错政策文件"
        verbose_name_plural = "容错政策文件"
        ordering = ["-effective_from", "id"]

    def __str__(self):
        return self.title


class ClauseKind(models.TextChoices):
    CONDITION = "condition", "容错条件"
    SITUATION = "situation", "容错情形"
    EXCLUSION = "exclusion", "不予容错情形"


class PolicyClause(models.Model):
    document = models.ForeignKey(PolicyDocument, verbose_name="政策文件", on_delete=models.CASCADE, related_name="clauses")
    kind = models.CharField("类别", max_length=10, choices=ClauseKind.choices)
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("条款内容")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "政策条款"
        verbose_name_plural = "政策条款"
        ordering = ["document", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "kind", "number"], name="clause_unique_number")]

    def __str__(self):
        return f"{self.get_kind_display()}{self.number}"

    @property
    def label(self):
        return f"{self.get_kind_display()}第{self.number}项"


class Stage(models.TextChoices):
    FILED = "filed", "立案"
    INVESTIGATION = "investigation", "调查核实"
    PRELIMINARY = "preliminary", "提出初步意见"
    CONSULTATION = "consultation", "沟通会商"
    DETERMINATION = "determination", "党委（党组）认定"
    FEEDBACK = "feedback", "书面反馈"
    FILING = "filing", "备案"
    CLOSED = "closed", "已办结"


STAGE_ORDER = list(Stage.values)


class StageDeadline(models.Model):
    """Default working days allowed per stage; editable in admin."""

    stage = models.CharField("阶段", max_length=15, choices=Stage.choices, unique=True)
    days = models.PositiveSmallIntegerField("办理时限（天）")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "阶段办理时限"
        verbose_name_plural = "阶段办理时限"

    def __str__(self):
        return f"{self.get_stage_display()}：{self.days}天"


class Origin(models.TextChoices):
    ACCOUNTABILITY = "accountability", "启动问责时同步开展"
    APPLICATION = "application", "干部（单位）本人申请"


class Outcome(models.TextChoices):
    EXEMPT = "exempt", "免责"
    LIGHTER = "lighter", "从轻处理"
    REDUCED = "reduced", "减轻处理"
    NOT_TOLERATED = "not_tolerated", "不予容错"


TOLERATED_OUTCOMES = {Outcome.EXEMPT, Outcome.LIGHTER, Outcome.REDUCED}


class ReformFiling(models.Model):
    """改革风险防控备案 (seed 000 Q7; seed 003 防错): evidence for the decision-procedure
    condition of a later case, never a tick of it."""

    unit = models.ForeignKey(Unit, verbose_name="备案单位", on_delete=models.PROTECT, related_name="reform_filings")
    title = models.CharField("改革事项", max_length=200)
    description = models.TextField("改革内容")
    legality_review = models.TextField("合法性审查意见")
    risk_assessment = models.TextField("风险评估")
    filed_on = models.DateField("备案日期")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="备案人", on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "改革风险防控备案"
        verbose_name_plural = "改革风险防控备案"
        ordering = ["-filed_on", "-id"]

    def __str__(self):
        return self.title


class ToleranceCase(models.Model):
    """One matter under accountability, judged under the policy in force where and when the
    error happened. "谁问责、谁考虑容错": the accountability body leads (seed 002 art. 9)."""

    title = models.CharField("案件名称", max_length=200)
    unit = models.ForeignKey(Unit, verbose_name="涉及单位", on_delete=models.PROTECT, related_name="tolerance_cases")
    concerns_unit = models.BooleanField("单位作为容错对象", default=False)
    matter = models.TextField("失误错误事实")
    error_date = models.DateField("失误发生日期")
    losses_impact = models.TextField("造成的损失和影响", blank=True)
    accountability_body = models.CharField("问责机关", max_length=100)
    origin = models.CharField("启动方式", max_length=15, choices=Origin.choices)
    policy = models.ForeignKey(PolicyDocument, verbose_name="适用政策", on_delete=models.PROTECT, related_name="cases")
    reform_filing = models.ForeignKey(ReformFiling, verbose_name="关联改革备案", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField("当前阶段", max_length=15, choices=Stage.choices, default=Stage.FILED)
    stage_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="阶段责任人", on_delete=models.PROTECT,
                                    related_name="+")
    stage_deadline = models.DateField("阶段办理期限")
    preliminary_opinion = models.TextField("初步意见", blank=True)
    consultation_date = models.DateField("会商日期", null=True, blank=True)
    consultation_bodies = models.CharField("参加单位", max_length=300, blank=True)
    consultation_minutes = models.TextField("会商纪要", blank=True)
    consultation_outcome = models.CharField("会商建议结论", max_length=15, choices=Outcome.choices, blank=True)
    feedback_date = models.DateField("书面反馈日期", null=True, blank=True)
    feedback_method = models.CharField("反馈方式", max_length=100, blank=True)
    feedback_received_on = models.DateField("当事人签收日期", null=True, blank=True)
    filed_with_discipline_on = models.DateField("报上级纪检监察机关备案日期", null=True, blank=True)
    filed_with_organization_on = models.DateField("报上级组织人事部门备案日期", null=True, blank=True)
    filed_with_accountability_on = models.DateField("报问责部门备案日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="立案人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("立案时间", auto_now_add=True)
    version = models.PositiveIntegerField(verbose_name="版本号", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "容错纠错案件"
        verbose_name_plural = "容错纠错案件"
        ordering = ["-created_at", "-id"]
        permissions = [("investigate_case", "调查核实本案（分配的承办人）")]
        indexes = [
            models.Index(fields=["stage", "stage_deadline"], name="case_stage_deadline"),
            models.Index(fields=["unit", "created_at"], name="case_unit_created"),
        ]

    def __str__(self):
        return self.title

    @property
    def number(self):
        return f"容〔{self.created_at:%Y}〕{self.pk}号"


class CaseUserObjectPermission(UserGrant):
    content_object = models.ForeignKey(ToleranceCase, verbose_name="案件", on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = verbose_name_plural = "容错纠错案件用户授权"


class CaseGroupObjectPermission(GroupGrant):
    content_object = models.ForeignKey(ToleranceCase, verbose_name="案件", on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = verbose_name_plural = "容错纠错案件角色授权"


class CaseCadre(models.Model):
    """A cadre within a case: the checklist, statement of defence, ruling and consequences
    are per cadre (DESIGN §3)."""

    case = models.ForeignKey(ToleranceCase, verbose_name="案件", on_delete=models.CASCADE, related_name="case_cadres")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="tolerance_entries")
    proposed_sanction_type = models.ForeignKey(SanctionType, verbose_name="拟给予的处分", null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+")
    proposed_measure_kind = models.CharField("拟采取的监督措施", max_length=4, choices=MeasureKind.choices, blank=True)
    # Sanctions or measures already recorded in the registry for this matter: the ruling
    # waives or confirms them. The link lives on the case side (the registry stays independent).
    related_sanctions = models.ManyToManyField(Sanction, verbose_name="已作出的相关处分", blank=True, related_name="+")
    related_measures = models.ManyToManyField(SupervisionMeasure, verbose_name="已采取的相关监督措施", blank=True,
                                              related_name="+")
    defence_statement = models.TextField("陈述申辩", blank=True)
    defence_recorded_on = models.DateField("陈述申辩日期", null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[related_sanctions, related_measures])

    class Meta:
        verbose_name = "案件涉及干部"
        verbose_name_plural = "案件涉及干部"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "cadre"], name="case_cadre_unique")]

    def __str__(self):
        return f"{self.case} · {self.cadre}"


class ChecklistItem(models.Model):
    """One clause of the case's policy, judged for one cadre: for a condition, whether it
    is met (with its evidence); for a situation or exclusion, whether it applies."""

    case_cadre = models.ForeignKey(CaseCadre, verbose_name="案件涉及干部", on_delete=models.CASCADE, related_name="checklist")
    clause = models.ForeignKey(PolicyClause, verbose_name="政策条款", on_delete=models.PROTECT, related_name="+")
    holds = models.BooleanField("成立", null=True, blank=True)
    evidence = models.TextField("依据和证据", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "容错条件核查项"
        verbose_name_plural = "容错条件核查项"
        ordering = ["clause__kind", "clause__number"]
        constraints = [models.UniqueConstraint(fields=["case_cadre", "clause"], name="checklist_unique_clause")]

    def __str__(self):
        return str(self.clause)


class Evidence(models.Model):
    """An evidence file. Stored under MEDIA_ROOT, never served publicly: downloads go
    through the case permission selector."""

    case = models.ForeignKey(ToleranceCase, verbose_name="案件", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="evidence_files")
    allegation = models.ForeignKey("Allegation", verbose_name="问题线索", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="evidence_files")
    title = models.CharField("材料名称", max_length=200)
    file = AuditedFileField("文件", upload_to="evidence/%Y/%m/", url_name="tolerance:evidence")
    size = models.PositiveIntegerField("大小（字节）", editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "证据材料"
        verbose_name_plural = "证据材料"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.title


class CaseEvent(models.Model):
    """Every stage transition: who, when, why."""

    case = models.ForeignKey(ToleranceCase, verbose_name="案件", on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField("原阶段", max_length=15, choices=Stage.choices, blank=True)
    to_stage = models.CharField("新阶段", max_length=15, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT)
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.TextField("说明")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class DeterminationStatus(models.TextChoices):
    CURRENT = "current", "有效"
    SUPERSEDED = "superseded", "已被复核决定替代"


class Determination(models.Model):
    """The party committee's (党委/党组) determination, recorded by a leader."""

    case = models.ForeignKey(ToleranceCase, verbose_name="案件", on_delete=models.CASCADE, related_name="determinations")
    decision_number = models.CharField("认定文号", max_length=50)
    decided_on = models.DateField("认定日期")
    deciding_body = models.CharField("认定机关", max_length=100)
    reasons = models.TextField("认定理由（引用条款）")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    status = models.CharField("状态", max_length=12, choices=DeterminationStatus.choices,
                              default=DeterminationStatus.CURRENT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "容错认定"
        verbose_name_plural = "容错认定"
        ordering = ["-recorded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(status="current"),
                                               name="one_current_determination")]

    def __str__(self):
        return self.decision_number


class Ruling(models.Model):
    """The outcome for one cadre within a determination."""

    determination = models.ForeignKey(Determination, verbose_name="容错认定", on_delete=models.CASCADE, related_name="rulings")
    case_cadre = models.ForeignKey(CaseCadre, verbose_name="案件涉及干部", on_delete=models.CASCADE, related_name="rulings")
    outcome = models.CharField("认定结论", max_length=15, choices=Outcome.choices)
    final_sanction_type = models.ForeignKey(SanctionType, verbose_name="从轻/减轻后的处分", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    # Seed 002 art. 11(4): tolerance that should have been granted and was not.
    should_have_been_tolerated = models.BooleanField("应容未容", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "个人认定结论"
        verbose_name_plural = "个人认定结论"
        constraints = [models.UniqueConstraint(fields=["determination", "case_cadre"], name="ruling_unique")]

    def __str__(self):
        return f"{self.case_cadre.cadre}：{self.get_outcome_display()}"


class Effect(models.TextChoices):
    WAIVED = "waived", "免予处分（已免责）"
    PRODUCED = "produced", "依认定作出"
    STANDS = "stands", "维持原处理"
    REPLACED = "replaced", "由从轻/减轻处理替代"


class Consequence(models.Model):
    """What a ruling did to the registry. Superseded rulings keep their rows (active=False)."""

    ruling = models.ForeignKey(Ruling, verbose_name="个人认定结论", on_delete=models.CASCADE, related_name="consequences")
    sanction = models.ForeignKey(Sanction, verbose_name="处分或组织处理", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(SupervisionMeasure, verbose_name="监督措施", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    effect = models.CharField("效果", max_length=10, choices=Effect.choices)
    active = models.BooleanField("有效", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "认定后果"
        verbose_name_plural = "认定后果"

    def __str__(self):
        return self.get_effect_display()


class RemedialMeasure(models.Model):
    """纠错: remedial measures tracked to done (seed 002 art. 11(2))."""

    case = models.ForeignKey(ToleranceCase, verbose_name="案件", on_delete=models.CASCADE, related_name="remedial_measures")
    description = models.CharField("纠错措施", max_length=300)
    owner = models.CharField("责任人", max_length=100)
    deadline = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "纠错措施"
        verbose_name_plural = "纠错措施"
        ordering = ["deadline", "id"]

    def __str__(self):
        return self.description


class ReReview(models.Model):
    """复核: requested within 30 days of receiving the written feedback."""

    case = models.ForeignKey(ToleranceCase, verbose_name="案件", on_delete=models.CASCADE, related_name="rereviews")
    case_cadre = models.ForeignKey(CaseCadre, verbose_name="申请人", on_delete=models.CASCADE, related_name="+")
    requested_on = models.DateField("申请日期")
    grounds = models.TextField("复核理由")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "复核申请"
        verbose_name_plural = "复核申请"
        ordering = ["-requested_on", "-id"]

    def __str__(self):
        return f"{self.case_cadre.cadre} {self.requested_on:%Y-%m-%d}"


# --------------------------------------------------------------- allegations and clarification
# Seed 002 art. 11(3), seed 000 Q7, seed 003, seed 004 (Hanzhong).


class AllegationSource(models.TextChoices):
    PETITION = "信访", "信访举报"
    INSPECTION = "巡察", "巡视巡察"
    DISCIPLINE = "纪检", "纪检监察"
    AUDIT = "审计", "审计"
    ONLINE = "网络舆情", "网络舆情"
    OTHER = "其他", "其他"


class AllegationStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    VERIFYING = "verifying", "核查中"
    CONCLUDED = "concluded", "已办结"
    CLOSED = "closed", "了结（未核查）"


class Conclusion(models.TextChoices):
    TRUE = "true", "属实"
    PARTLY = "partly", "部分属实"
    FALSE = "false", "失实"
    FRAMED = "framed", "诬告陷害"


class DirectCloseReason(models.TextChoices):
    """Seed 000 Q7: vague, clearly false or already-concluded reports are closed after review."""

    VAGUE = "vague", "反映问题笼统、无可查性"
    CLEARLY_FALSE = "clearly_false", "明显失实"
    ALREADY_CONCLUDED = "concluded", "已有结论且无新的实质性内容"


class Allegation(models.Model):
    """问题线索 / 举报 against one or more cadres. Who reported it lives in ReporterIdentity."""

    source = models.CharField("线索来源", max_length=10, choices=AllegationSource.choices)
    received_on = models.DateField("受理日期")
    subjects = models.ManyToManyField(Cadre, verbose_name="反映对象", related_name="allegations")
    issue = models.CharField("所涉问题", max_length=200, help_text="用于识别重复函询、多头核查")
    issue_key = models.CharField(verbose_name="问题标识", max_length=200, editable=False, db_index=True)
    summary = models.TextField("反映内容摘要")
    status = models.CharField("状态", max_length=10, choices=AllegationStatus.choices,
                              default=AllegationStatus.RECEIVED)
    deadline = models.DateField("核查期限", null=True, blank=True)
    findings = models.TextField("核查情况", blank=True)
    conclusion = models.CharField("核查结论", max_length=10, choices=Conclusion.choices, blank=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    close_reason = models.CharField("了结理由", max_length=15, choices=DirectCloseReason.choices, blank=True)
    close_note = models.TextField("了结说明", blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name="此前的同一问题线索", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    duplicate_note = models.CharField("重复提示", max_length=300, blank=True)
    tolerance_case = models.ForeignKey(ToleranceCase, verbose_name="转入的问责/容错案件", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="allegations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField(verbose_name="版本号", default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[subjects], excluded_fields=["version"])

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["-received_on", "-id"]
        permissions = [("verify_allegation", "核查本线索（分配的核查人）")]
        indexes = [models.Index(fields=["status", "deadline"], name="allegation_status_deadline")]

    def __str__(self):
        return f"{self.get_source_display()}：{self.issue}"

    @property
    def number(self):
        return f"线〔{self.received_on:%Y}〕{self.pk}号"


class AllegationUserObjectPermission(UserGrant):
    content_object = models.ForeignKey(Allegation, verbose_name="问题线索", on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = verbose_name_plural = "问题线索用户授权"


class AllegationGroupObjectPermission(GroupGrant):
    content_object = models.ForeignKey(Allegation, verbose_name="问题线索", on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = verbose_name_plural = "问题线索角色授权"


class ReporterIdentity(models.Model):
    """Who reported: visible only to the assigned verifiers, every view logged. Kept out of
    generic history views and admin lists; superusers reach it only through its own admin
    page, which logs each view too."""

    allegation = models.OneToOneField(Allegation, verbose_name="问题线索", on_delete=models.CASCADE, related_name="reporter")
    anonymous = models.BooleanField("匿名举报", default=False)
    # Encrypted at rest (core.fieldcrypt): the reporter's identity and contact.
    name = EncryptedCharField("举报人姓名", max_length=50, blank=True, purpose="tolerance.reporter.name")
    contact = EncryptedCharField("联系方式", max_length=100, blank=True, purpose="tolerance.reporter.contact")
    work_unit = EncryptedCharField("工作单位或住址", max_length=200, blank=True, purpose="tolerance.reporter.work_unit")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "举报人信息"
        verbose_name_plural = "举报人信息"

    def __str__(self):
        return f"线索 {self.allegation_id} 的举报人"


class ReporterAccessLog(models.Model):
    """Append-only: who saw a reporter's identity, when, and where."""

    identity = models.ForeignKey(ReporterIdentity, verbose_name="举报人信息", on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(verbose_name="查看时间", auto_now_add=True)
    via = models.CharField(verbose_name="查看途径", max_length=20)

    class Meta:
        verbose_name = "举报人信息查阅记录"
        verbose_name_plural = "举报人信息查阅记录"
        ordering = ["-at"]

    def __str__(self):
        from core.people import person_label

        return f"{person_label(self.user)} 于 {self.at:%Y-%m-%d %H:%M} 查阅"


class ClarificationForm(models.TextChoices):
    MEETING = "meeting", "澄清会议"
    NOTICE = "notice", "正名通知书"
    ANNOUNCEMENT = "announcement", "公告"


class IssuingBody(models.Model):
    """发文机关 and its 发文机关代字: a document number reads 代字〔年份〕序号号 (GB/T 9704-2012
    7.2.3), e.g. 清纪澄〔2026〕2号. Configured in admin per issuing body."""

    name = models.CharField("发文机关名称", max_length=100, unique=True)
    code = models.CharField("发文机关代字", max_length=20, help_text="如“清纪澄”，发文字号为 清纪澄〔2026〕2号")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "发文机关代字"
        verbose_name_plural = "发文机关代字"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


def document_number(code: str, year: int, serial: int) -> str:
    """GB/T 9704: 发文机关代字 + 〔年份〕 + 序号 + 号; the same string on every page, PDF and export."""
    return f"{code}〔{year}〕{serial}号"


class ClarificationNotice(models.Model):
    """澄清正名通知书, numbered per issuing body and year (清纪澄〔2026〕3号)."""

    allegation = models.ForeignKey(Allegation, verbose_name="问题线索", on_delete=models.PROTECT, related_name="notices")
    cadre = models.ForeignKey(Cadre, verbose_name="澄清对象", on_delete=models.PROTECT, related_name="clarifications")
    form = models.CharField("澄清方式", max_length=15, choices=ClarificationForm.choices)
    scope = models.CharField("通报范围", max_length=200, help_text="在一定范围内通报（第十一条第三项）")
    issuing_body = models.CharField("发文机关", max_length=100)
    # The code at the time of issue: a later change of the code never renumbers a paper issued.
    agency_code = models.CharField("发文机关代字", max_length=20, blank=True, editable=False)
    year = models.PositiveSmallIntegerField("年度", editable=False)
    serial = models.PositiveIntegerField("序号", editable=False)
    alleged = models.TextField("反映的问题")
    finding = models.TextField("核查结论")
    issued_on = models.DateField("印发日期")
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    delivery_note = models.CharField("送达情况", max_length=200, blank=True)
    publishable = models.BooleanField("可纳入不实举报案例公开", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "澄清正名通知书"
        verbose_name_plural = "澄清正名通知书"
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuing_body", "year", "serial"], name="notice_number_unique")]

    def __str__(self):
        return self.number

    @property
    def number(self):
        return document_number(self.agency_code, self.year, self.serial)


class NoticeCounter(models.Model):
    """The last serial per issuing body and year, locked while a number is taken."""

    issuing_body = models.CharField(verbose_name="发文机关代字", max_length=100)
    year = models.PositiveSmallIntegerField(verbose_name="年度")
    last = models.PositiveIntegerField(verbose_name="已用最大序号", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "文号计数器"
        verbose_name_plural = "文号计数器"
        constraints = [models.UniqueConstraint(fields=["issuing_body", "year"], name="counter_unique")]

    def __str__(self):
        return f"{self.issuing_body}〔{self.year}〕已用至{self.last}号"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "待移送"
    REFERRED = "referred", "已移送"
    CONCLUDED = "concluded", "已处理"


class FalseAccusationReferral(models.Model):
    """诬告陷害 → hold the accuser accountable (seed 002 art. 11(3))."""

    allegation = models.OneToOneField(Allegation, verbose_name="问题线索", on_delete=models.CASCADE, related_name="referral")
    status = models.CharField("状态", max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING)
    referred_to = models.CharField("移送机关", max_length=100, blank=True)
    referred_on = models.DateField("移送日期", null=True, blank=True)
    outcome = models.TextField("处理结果", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "诬告陷害追责移送"
        verbose_name_plural = "诬告陷害追责移送"

    def __str__(self):
        return f"线索 {self.allegation_id} 追责"
