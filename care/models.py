"""Care (关心关爱): activities for one or several cadres, their confidential notes, the yearly
"tell the organization what's on your mind" consultation, concerns tracked to an answer, and
the yearly obligations and follow-up intervals as editable data. Rules: seed 002 art. 12,
seed 000 Q8, seeds 003, 001 and 004 (DESIGN §3 "Care")."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cadres.models import Cadre, FollowUpVisit, SanctionCategory, Unit
from core.fieldcrypt import EncryptedTextField
from core.historical import HistoricalRecords


class CareKind(models.TextChoices):
    TALK = "talk", "谈心谈话"
    HOME_VISIT = "home_visit", "政治家访"
    HEALTH_CHECK = "health_check", "健康体检"
    PSYCH_ASSESSMENT = "psych_assessment", "心理测评"
    HARDSHIP_AID = "hardship_aid", "困难帮扶"
    SOLACE = "solace", "慰问"
    LEAVE = "leave", "疗休养 / 带薪休假"
    FOLLOW_UP = "follow_up", "回访教育"
    DEPARTURE = "departure", "离任关爱"


class CareActivity(models.Model):
    """One talk, visit, check … for one cadre or a group at once (e.g. a group health check).
    The notes here are ordinary record; what the cadre said in confidence goes in
    ConfidentialNote, which only the conductor and leaders may read."""

    kind = models.CharField("类别", max_length=20, choices=CareKind.choices)
    date = models.DateField("日期", help_text="多日的活动（如疗休养）填开始日期，计入该日期所在年度。")
    title = models.CharField("主题", max_length=200, blank=True)
    cadres = models.ManyToManyField(Cadre, through="CareParticipant", verbose_name="干部", related_name="+")
    conducted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="开展人（系统用户）",
                                     on_delete=models.PROTECT, related_name="+")
    conductor_names = models.CharField("谈话人 / 走访人", max_length=200, blank=True,
                                       help_text="如：县委书记 张三、组织部部长 李四")
    location = models.CharField("地点", max_length=100, blank=True)
    notes = models.TextField("情况记录", blank=True)
    follow_up_actions = models.TextField("后续措施", blank=True)
    amount = models.DecimalField("帮扶金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    fund = models.CharField("资金来源", max_length=100, blank=True, help_text="如：党内关怀帮扶基金")
    days = models.PositiveSmallIntegerField("天数", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    # Optimistic lock, as on Cadre: a save carries the version it was read at.
    version = models.PositiveIntegerField(verbose_name="版本号", default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "关心关爱活动"
        verbose_name_plural = "关心关爱活动"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date", "id"], name="care_activity_date_id"),
                   models.Index(fields=["kind", "date"], name="care_activity_kind_date")]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.date:%Y-%m-%d}）"

    def clean(self):
        if self.kind == CareKind.HARDSHIP_AID and self.amount is None:
            raise ValidationError({"amount": "困难帮扶请填写帮扶金额。"})
        if self.kind != CareKind.HARDSHIP_AID and (self.amount is not None or self.fund):
            raise ValidationError({"amount": "只有困难帮扶需要填写金额和资金来源。"})
        if self.kind == CareKind.LEAVE and not self.days:
            raise ValidationError({"days": "疗休养 / 带薪休假请填写天数。"})
        if self.kind != CareKind.LEAVE and self.days:
            raise ValidationError({"days": "只有疗休养 / 带薪休假需要填写天数。"})


class CareParticipant(models.Model):
    """A cadre in an activity. Kind, date and days are copied from the activity (the
    services keep them equal) so that the yearly counts of the compliance view read one
    covering index per cadre instead of joining every activity."""

    activity = models.ForeignKey(CareActivity, verbose_name="关心关爱活动", on_delete=models.CASCADE, related_name="participants")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="care_participations")
    kind = models.CharField("类别", max_length=20, choices=CareKind.choices, editable=False)
    date = models.DateField("日期", editable=False)
    days = models.PositiveSmallIntegerField("天数", default=0, editable=False)
    # 回访教育: the visit written into the cadre's record, tied to the sanction (DESIGN §2).
    follow_up_visits = models.ManyToManyField(FollowUpVisit, verbose_name="回访教育记录", blank=True,
                                              related_name="care_participants")
    history = HistoricalRecords(m2m_fields=[follow_up_visits])

    class Meta:
        verbose_name = "参加活动的干部"
        verbose_name_plural = "参加活动的干部"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["activity", "cadre"], name="care_participant_unique")]
        # Days as a key column rather than INCLUDE, which SQLite lacks (and warns about).
        indexes = [models.Index(fields=["cadre", "kind", "date", "days"], name="care_participant_cadre_kind"),
                   models.Index(fields=["kind", "date"], name="care_participant_kind_date")]

    def __str__(self):
        return f"{self.cadre} · {self.activity}"


class ConfidentialNote(models.Model):
    """What a cadre said in confidence. Its own model, like a reporter's identity (DESIGN §3):
    never in lists, exports or generic history views; read only by the activity's conductor
    and leaders, and each read is logged (ConfidentialNoteAccess)."""

    activity = models.OneToOneField(CareActivity, verbose_name="关心关爱活动", on_delete=models.CASCADE, related_name="confidential_note")
    text = EncryptedTextField("保密记录", purpose="care.confidential_note.text")  # encrypted at rest
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "保密谈话记录"
        verbose_name_plural = "保密谈话记录"

    def __str__(self):
        return f"{self.activity} 的保密记录"


class NoteAccessVia(models.TextChoices):
    PAGE = "page", "业务页面"
    ADMIN = "admin", "系统管理后台"
    ADMIN_HISTORY = "admin_history", "系统管理后台（历史版本）"


class ConfidentialNoteAccess(models.Model):
    """One read of a confidential note: who, when, where."""

    note = models.ForeignKey(ConfidentialNote, verbose_name="保密谈话记录", on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.PROTECT,
                             related_name="+")
    at = models.DateTimeField("查看时间", auto_now_add=True)
    via = models.CharField("途径", max_length=15, choices=NoteAccessVia.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "保密记录查看日志"
        verbose_name_plural = "保密记录查看日志"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"


class ConsultationMode(models.TextChoices):
    ORAL = "oral", "口头"
    WRITTEN = "written", "书面"
    BOTH = "both", "口头和书面"


class Consultation(models.Model):
    """向组织说说心里话 (seed 000 Q8): each unit holds at least one a year, oral or written."""

    unit = models.ForeignKey(Unit, verbose_name="开展单位", on_delete=models.PROTECT, related_name="care_consultations")
    title = models.CharField("活动名称", max_length=200)
    held_on = models.DateField("开展日期")
    mode = models.CharField("方式", max_length=10, choices=ConsultationMode.choices)
    organizer = models.CharField("组织者", max_length=100, blank=True)
    notes = models.TextField("情况说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "向组织说说心里话"
        verbose_name_plural = "向组织说说心里话"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["unit", "held_on"], name="care_consultation_unit_date")]

    def __str__(self):
        return self.title


class ConsultationSubmission(models.Model):
    """What one cadre told the organization, and the organization's answer."""

    consultation = models.ForeignKey(Consultation, verbose_name="向组织说说心里话", on_delete=models.CASCADE, related_name="submissions")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="care_submissions")
    submitted_on = models.DateField("反映日期")
    content = models.TextField("反映内容")
    answer = models.TextField("组织答复", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复录入人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "心里话反映"
        verbose_name_plural = "心里话反映"
        ordering = ["submitted_on", "id"]

    def __str__(self):
        return f"{self.cadre}：{self.content[:20]}"

    @property
    def is_answered(self):
        return self.answered_on is not None


class ConcernCategory(models.TextChoices):
    MARRIAGE = "marriage", "婚恋"
    SCHOOLING = "schooling", "子女就读"
    HOUSING = "housing", "住房"
    HEALTH = "health", "健康"
    WORK = "work", "工作安排"
    OTHER = "other", "其他"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"


class Concern(models.Model):
    """诉求 raised in a talk, a home visit or a consultation submission, tracked until
    answered (seed 000 Q8: 积极回应干部合理关切)."""

    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="care_concerns")
    activity = models.ForeignKey(CareActivity, verbose_name="提出于活动", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="concerns")
    submission = models.ForeignKey(ConsultationSubmission, verbose_name="提出于心里话反映", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="concerns")
    category = models.CharField("类别", max_length=15, choices=ConcernCategory.choices)
    content = models.TextField("诉求内容")
    raised_on = models.DateField("提出日期")
    responder = models.CharField("答复责任单位 / 责任人", max_length=100)
    deadline = models.DateField("答复期限")
    status = models.CharField("状态", max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    answer = models.TextField("答复内容", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复录入人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "干部诉求"
        verbose_name_plural = "干部诉求"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="care_concern_status_deadline"),
                   models.Index(fields=["cadre", "raised_on"], name="care_concern_cadre")]
        constraints = [models.CheckConstraint(
            condition=~models.Q(activity__isnull=False, submission__isnull=False), name="care_concern_one_source")]

    def __str__(self):
        return f"{self.cadre}：{self.get_category_display()}"

    @property
    def source_label(self):
        if self.activity_id:
            return self.activity.get_kind_display()
        if self.submission_id:
            return "向组织说说心里话"
        return "其他"

    def answered_late(self):
        return self.answered_on is not None and self.answered_on > self.deadline


class ObligationApplies(models.TextChoices):
    CADRE = "cadre", "每名干部"
    UNIT = "unit", "每个单位"


class ObligationMeasure(models.TextChoices):
    COUNT = "count", "次数"
    DAYS = "days", "天数"


CONSULTATION = "consultation"
OBLIGATION_KINDS = [
    (CareKind.TALK.value, CareKind.TALK.label),
    (CareKind.HOME_VISIT.value, CareKind.HOME_VISIT.label),
    (CareKind.HEALTH_CHECK.value, CareKind.HEALTH_CHECK.label),
    (CareKind.PSYCH_ASSESSMENT.value, CareKind.PSYCH_ASSESSMENT.label),
    (CareKind.LEAVE.value, CareKind.LEAVE.label),
    (CONSULTATION, "向组织说说心里话"),
]


class ObligationRule(models.Model):
    """A yearly obligation, editable: the seeds leave the counts to each locality (defaults:
    one talk, one home visit, one health check per cadre, one consultation per unit — seed
    003 and seed 000 Q8 — and paid leave against the statutory entitlement)."""

    kind = models.CharField("事项", max_length=20, choices=OBLIGATION_KINDS, unique=True)
    applies_to = models.CharField("对象", max_length=10, choices=ObligationApplies.choices)
    measure = models.CharField("计量", max_length=10, choices=ObligationMeasure.choices,
                               default=ObligationMeasure.COUNT)
    required = models.PositiveSmallIntegerField(
        "每年至少", null=True, blank=True,
        help_text="按天数计量的休假事项留空，表示按《职工带薪年休假条例》的年休假天数（见“年休假天数标准”）。")
    active = models.BooleanField("启用", default=True)
    citation = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度关爱任务"
        verbose_name_plural = "年度关爱任务"
        ordering = ["applies_to", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.describe()}"

    def describe(self) -> str:
        who = self.get_applies_to_display()
        if self.measure == ObligationMeasure.DAYS:
            if self.required is None:
                return f"{who}休满年休假（按工龄）"
            amount = f"{self.required} 天"
        else:
            amount = f"{self.required or 0} 次"
        return f"{who}每年至少 {amount}"

    def clean(self):
        if (self.kind == CONSULTATION) != (self.applies_to == ObligationApplies.UNIT):
            raise ValidationError({"applies_to": "“向组织说说心里话”按单位计算，其他事项按干部计算。"})
        if self.measure == ObligationMeasure.DAYS and self.kind != CareKind.LEAVE:
            raise ValidationError({"measure": "只有疗休养 / 带薪休假按天数计量。"})
        if self.measure == ObligationMeasure.COUNT and self.required is None:
            raise ValidationError({"required": "请填写每年至少的次数。"})


class LeaveEntitlement(models.Model):
    """Paid annual leave by years worked (《职工带薪年休假条例》第三条: 满1年不满10年 5天,
    满10年不满20年 10天, 满20年 15天), counted as of 1 January of the year."""

    min_years = models.PositiveSmallIntegerField("累计工作满（年）", unique=True)
    days = models.PositiveSmallIntegerField("年休假（天）")
    citation = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年休假天数标准"
        verbose_name_plural = "年休假天数标准"
        ordering = ["min_years"]

    def __str__(self):
        return f"满{self.min_years}年：{self.days}天"


class FollowUpSchedule(models.Model):
    """回访教育 intervals per kind of sanction, editable (defaults: within 3 months of the
    decision, then every 6 months while the influence period runs; seed 001 回访教育,
    seed 002 art. 11(5) 建立回访机制)."""

    category = models.CharField("处分类别", max_length=10, choices=SanctionCategory.choices, unique=True)
    first_within_months = models.PositiveSmallIntegerField("首次回访：决定后几个月内", default=3)
    every_months = models.PositiveSmallIntegerField("此后每隔几个月", default=6)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "回访教育周期"
        verbose_name_plural = "回访教育周期"
        ordering = ["category"]

    def __str__(self):
        return f"{self.get_category_display()}：{self.first_within_months}个月内首次，此后每{self.every_months}个月"

    def clean(self):
        if not self.first_within_months or not self.every_months:
            raise ValidationError("回访周期必须至少为 1 个月。")
