"""Assessment (考核研判): annual grades with their caps and quota, re-review, the quarterly
analysis (季度分析研判) with rankings and reports, and the priority-promotion situations that
feed the promotion shortlist. Rules: DESIGN §3 "Assessment"; seeds 004 (Xianyang, Hanzhong),
002 arts. 3, 12(4), 13-14 and annex 1, 003, 000 Q4."""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from assessment.catalogs import DEFAULT_CEILING_PERCENT, DEFAULT_NORMAL_PERCENT, PRIORITY_SITUATIONS
from cadres.models import Cadre, Rank, RecordStatus, Unit, UnitKind
from core.historical import HistoricalRecords


class Grade(models.TextChoices):
    """年度考核等次 for cadres, best first."""

    EXCELLENT = "优秀", "优秀"
    COMPETENT = "称职", "称职"
    BASIC = "基本称职", "基本称职"
    INCOMPETENT = "不称职", "不称职"


class TeamGrade(models.TextChoices):
    """领导班子年度考核等次, best first."""

    GOOD = "好", "好"
    FAIRLY_GOOD = "较好", "较好"
    AVERAGE = "一般", "一般"
    POOR = "较差", "较差"


# ---------------------------------------------------------------- policy data


class CapSubject(models.TextChoices):
    CADRE = "cadre", "干部"
    MAIN_LEADER = "main_leader", "班子主要负责人"
    TEAM = "team", "领导班子"


class CapTrigger(models.TextChoices):
    CADRE_INTERVIEWS = "cadre_interviews", "本人当年被约谈次数"
    TEAM_INTERVIEWS = "team_interviews", "所在领导班子当年被约谈次数"
    INFLUENCE_PERIOD = "influence_period", "考核基准日处于处分影响期内"


class GradeCapPolicy(models.Model):
    """A jurisdiction's grade caps. No unit: the default set, used wherever no jurisdiction
    has its own; otherwise the policy of the nearest ancestor in force on the assessment
    date wins."""

    title = models.CharField("文件名称", max_length=200)
    issuing_body = models.CharField("制发机关", max_length=100)
    unit = models.ForeignKey(Unit, verbose_name="适用单位（含下级）", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="grade_cap_policies", help_text="留空表示默认规则，适用于所有未另行规定的单位")
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("废止日期", null=True, blank=True, help_text="最后一个有效日；留空表示现行有效")
    source = models.CharField("来源", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核等次限制规则"
        verbose_name_plural = "考核等次限制规则"
        ordering = ["-effective_from", "id"]

    def __str__(self):
        return self.title


class GradeCapRule(models.Model):
    """When the trigger reaches min_count, the subject may only receive the allowed grades."""

    policy = models.ForeignKey(GradeCapPolicy, verbose_name="限制规则", on_delete=models.CASCADE, related_name="rules")
    number = models.PositiveSmallIntegerField("序号")
    subject = models.CharField("适用对象", max_length=12, choices=CapSubject.choices)
    trigger = models.CharField("触发情形", max_length=20, choices=CapTrigger.choices)
    min_count = models.PositiveSmallIntegerField("次数达到", default=1)
    allowed_grades = models.JSONField("只能评定的等次", help_text="如 [\"称职\", \"基本称职\", \"不称职\"]")
    citation = models.TextField("依据原文")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "等次限制条款"
        verbose_name_plural = "等次限制条款"
        ordering = ["policy", "number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="cap_rule_unique_number")]

    def __str__(self):
        return f"{self.get_subject_display()}：{self.get_trigger_display()}≥{self.min_count}"

    def clean(self):
        scale = TeamGrade.values if self.subject == CapSubject.TEAM else Grade.values
        if not isinstance(self.allowed_grades, list) or not self.allowed_grades or \
                any(g not in scale for g in self.allowed_grades):
            raise ValidationError({"allowed_grades": f"请从 {'、'.join(scale)} 中选择允许的等次（列表）。"})
        if self.subject == CapSubject.TEAM and self.trigger != CapTrigger.TEAM_INTERVIEWS:
            raise ValidationError({"trigger": "领导班子的等次只能由班子被约谈次数限制。"})
        if self.subject == CapSubject.CADRE and self.trigger == CapTrigger.TEAM_INTERVIEWS:
            raise ValidationError({"trigger": "班子被约谈次数只限制班子和主要负责人的等次。"})

    @property
    def allowed_label(self):
        return "、".join(self.allowed_grades)


class QuotaRule(models.Model):
    """优秀 quota per unit type: up to normal % passes, up to ceiling % with a leader's
    approval, never beyond (DESIGN §3)."""

    unit_kind = models.CharField("单位类型", max_length=20, choices=UnitKind.choices, unique=True)
    normal_percent = models.PositiveSmallIntegerField("常规比例（%）", default=DEFAULT_NORMAL_PERCENT)
    ceiling_percent = models.PositiveSmallIntegerField("最高比例（%）", default=DEFAULT_CEILING_PERCENT)
    citation = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "优秀等次比例"
        verbose_name_plural = "优秀等次比例"
        ordering = ["unit_kind"]
        constraints = [models.CheckConstraint(
            condition=models.Q(normal_percent__lte=models.F("ceiling_percent"), ceiling_percent__lte=100),
            name="quota_normal_le_ceiling")]

    def __str__(self):
        return f"{self.get_unit_kind_display()}：{self.normal_percent}%／{self.ceiling_percent}%"


# ---------------------------------------------------------------- annual assessment


class YearStatus(models.TextChoices):
    OPEN = "open", "评定中"
    CLOSED = "closed", "已归档"


def december_31(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


class AssessmentYear(models.Model):
    """A unit's annual assessment. Those assessed are the unit's own cadres (its active
    cadres, and anyone already graded in it)."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="assessment_years")
    year = models.PositiveSmallIntegerField("考核年度")
    assessment_date = models.DateField("考核基准日", help_text="影响期等按此日判断，默认当年12月31日")
    status = models.CharField("状态", max_length=10, choices=YearStatus.choices, default=YearStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="assessment_year_unique")]

    def __str__(self):
        return f"{self.unit.qualified_name}{self.year}年度考核"


class CadreGrade(models.Model):
    """One cadre's grade in one year (one per cadre and year, whichever unit assessed it)."""

    assessment_year = models.ForeignKey(AssessmentYear, verbose_name="年度考核", on_delete=models.PROTECT, related_name="grades")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="assessment_grades")
    year = models.PositiveSmallIntegerField("考核年度", editable=False)
    grade = models.CharField("考核等次", max_length=4, choices=Grade.choices)
    remarks = models.CharField("评定说明", max_length=300, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评定录入人", on_delete=models.PROTECT,
                                  related_name="+")
    graded_at = models.DateTimeField("录入时间", auto_now=True)
    told_on = models.DateField("告知本人日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "干部年度考核等次"
        verbose_name_plural = "干部年度考核等次"
        ordering = ["assessment_year", "cadre__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment_year", "cadre"], name="grade_unique_in_year"),
            models.UniqueConstraint(fields=["cadre", "year"], name="grade_one_per_cadre_year"),
        ]
        indexes = [models.Index(fields=["cadre", "year", "grade"], name="grade_cadre_year")]

    def __str__(self):
        return f"{self.cadre}：{self.year}年度{self.grade}"

    def save(self, *args, **kwargs):
        self.year = self.assessment_year.year
        super().save(*args, **kwargs)


class TeamAssessment(models.Model):
    """The leadership team's grade in the unit's annual assessment."""

    assessment_year = models.OneToOneField(AssessmentYear, verbose_name="年度考核", on_delete=models.PROTECT, related_name="team_grade")
    grade = models.CharField("班子考核等次", max_length=4, choices=TeamGrade.choices)
    remarks = models.CharField("评定说明", max_length=300, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评定录入人", on_delete=models.PROTECT,
                                  related_name="+")
    graded_at = models.DateTimeField("录入时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "领导班子年度考核等次"
        verbose_name_plural = "领导班子年度考核等次"

    def __str__(self):
        return f"{self.assessment_year}：班子{self.grade}"


class TeamInterview(models.Model):
    """约谈 of a leadership team by the organization department (seed 004, Xianyang). A
    cadre's own interviews are SupervisionMeasure rows in the registry."""

    unit = models.ForeignKey(Unit, verbose_name="被约谈班子（单位）", on_delete=models.PROTECT,
                             related_name="team_interviews")
    date = models.DateField("约谈日期")
    issue = models.CharField("约谈事由", max_length=300)
    by_whom = models.CharField("约谈实施机关", max_length=100, default="组织部")
    status = models.CharField("状态", max_length=12, choices=RecordStatus.choices, default=RecordStatus.IN_FORCE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "领导班子约谈"
        verbose_name_plural = "领导班子约谈"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="team_interview_unit_date")]

    def __str__(self):
        return f"{self.unit.qualified_name} {self.date:%Y-%m-%d} 约谈"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "待领导审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class QuotaApproval(models.Model):
    """A leader's recorded approval of 优秀 grades above the normal share (up to the
    ceiling): who asked, who decided, when and why."""

    assessment_year = models.ForeignKey(AssessmentYear, verbose_name="年度考核", on_delete=models.CASCADE, related_name="quota_approvals")
    excellent_count = models.PositiveSmallIntegerField("申请优秀等次名额（总数）")
    request_reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批领导", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "优秀等次超比例审批"
        verbose_name_plural = "优秀等次超比例审批"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.assessment_year}：优秀{self.excellent_count}名（{self.get_status_display()}）"


class ReviewRequestStatus(models.TextChoices):
    PENDING = "pending", "复核中"
    UPHELD = "upheld", "维持原等次"
    CHANGED = "changed", "已变更等次"


class GradeReview(models.Model):
    """复核 of a 不称职 grade, asked within 30 days of being told (公务员法 art. 95)."""

    grade = models.ForeignKey(CadreGrade, verbose_name="考核等次", on_delete=models.PROTECT, related_name="reviews")
    requested_on = models.DateField("申请日期")
    grounds = models.TextField("复核理由")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    status = models.CharField("状态", max_length=10, choices=ReviewRequestStatus.choices,
                              default=ReviewRequestStatus.PENDING)
    original_grade = models.CharField("原等次", max_length=4, choices=Grade.choices)
    new_grade = models.CharField("复核后等次", max_length=4, choices=Grade.choices, blank=True)
    answered_on = models.DateField("复核决定日期", null=True, blank=True)
    answer = models.TextField("复核意见", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核录入人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核等次复核"
        verbose_name_plural = "考核等次复核"
        ordering = ["-requested_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["grade"], condition=models.Q(status="pending"),
                                               name="one_pending_grade_review")]

    def __str__(self):
        return f"{self.grade.cadre} 复核（{self.requested_on:%Y-%m-%d}）"


# ---------------------------------------------------------------- quarterly analysis


class ReviewStatus(models.TextChoices):
    OPEN = "open", "已开启"
    COLLECTING = "collecting", "信息汇集"
    RANKED = "ranked", "排名完成"
    REPORTED = "reported", "研判报告完成"
    CLOSED = "closed", "已办结"


# The bodies whose organization department runs a quarterly review (seed 002 art. 14: the
# city's, and each county's for its townships and county departments).
DEPARTMENT_KINDS = (UnitKind.CITY, UnitKind.COUNTY)


class QuarterlyReview(models.Model):
    """季度分析研判 of one department (the organization department of the jurisdiction
    headed by `department`; its staff do the review) for one quarter (seed 002 art. 14)."""

    department = models.ForeignKey(Unit, verbose_name="研判单位（组织部门所在地区）", on_delete=models.PROTECT,
                                   related_name="quarterly_reviews")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(q, f"第{q}季度") for q in range(1, 5)])
    status = models.CharField("状态", max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    deadline = models.DateField("完成期限")
    top_n = models.PositiveSmallIntegerField("排名靠前人数", default=3)
    bottom_n = models.PositiveSmallIntegerField("排名靠后人数", default=3)
    opened_at = models.DateTimeField("开启时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "季度分析研判"
        verbose_name_plural = "季度分析研判"
        ordering = ["-year", "-quarter", "department__path"]
        constraints = [models.UniqueConstraint(fields=["department", "year", "quarter"], name="review_unique_quarter")]
        indexes = [models.Index(fields=["status", "deadline"], name="review_status_deadline")]

    def __str__(self):
        return f"{self.department.qualified_name}{self.year}年第{self.quarter}季度分析研判"

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        return quarter_bounds(self.year, self.quarter)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return start, end - datetime.timedelta(days=1)


class ReviewEvent(models.Model):
    """Every status change of a review: who (none when the scheduled opening did it), when, why."""

    review = models.ForeignKey(QuarterlyReview, verbose_name="季度分析研判", on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=12, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=ReviewStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("说明", max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "研判办理记录"
        verbose_name_plural = "研判办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_from_status_display() if self.from_status else ''} → {self.get_to_status_display()}"


class InfoSource(models.TextChoices):
    # Entered by staff (seed 002 art. 14(1))
    DISCIPLINE = "discipline", "纪检监察"
    AUDIT = "audit", "审计"
    PETITION = "petition", "信访"
    INSPECTION = "inspection", "巡察"
    FRONTLINE = "frontline", "一线考察识别"
    OTHER = "other", "其他"
    # Gathered from the other modules
    SANCTION = "sanction", "处分与组织处理"
    MEASURE = "measure", "监督措施"
    TOLERANCE = "tolerance", "容错纠错认定"
    ALLEGATION = "allegation", "问题线索核查结论"
    ACHIEVEMENT = "achievement", "实绩档案"
    COMMENDATION = "commendation", "奖励表彰"


MANUAL_SOURCES = [InfoSource.DISCIPLINE, InfoSource.AUDIT, InfoSource.PETITION, InfoSource.INSPECTION,
                  InfoSource.FRONTLINE, InfoSource.OTHER]


class Polarity(models.TextChoices):
    POSITIVE = "positive", "正面"
    NEUTRAL = "neutral", "中性"
    NEGATIVE = "negative", "负面"


class InformationItem(models.Model):
    """One fact about one cadre in the quarter. Gathered items carry the id of the record
    they came from, so gathering twice adds nothing."""

    review = models.ForeignKey(QuarterlyReview, verbose_name="季度分析研判", on_delete=models.CASCADE, related_name="items")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="review_items")
    source = models.CharField("信息来源", max_length=15, choices=InfoSource.choices)
    source_id = models.PositiveBigIntegerField("来源记录编号", null=True, blank=True, editable=False)
    polarity = models.CharField("性质", max_length=10, choices=Polarity.choices, default=Polarity.NEUTRAL)
    date = models.DateField("日期")
    summary = models.CharField("情况摘要", max_length=500)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "研判信息"
        verbose_name_plural = "研判信息"
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "source", "source_id"],
                                               condition=models.Q(source_id__isnull=False),
                                               name="review_item_unique_source")]
        indexes = [models.Index(fields=["review", "cadre"], name="review_item_cadre")]

    def __str__(self):
        return f"{self.cadre}：{self.summary[:30]}"

    @property
    def gathered(self):
        return self.source_id is not None


class Ranking(models.Model):
    """One evaluator's comprehensive ranking of the cadres under them, within a category
    (seed 002 art. 14(2): e.g. the county secretary ranks the township party secretaries)."""

    review = models.ForeignKey(QuarterlyReview, verbose_name="季度分析研判", on_delete=models.CASCADE, related_name="rankings")
    evaluator = models.ForeignKey(Cadre, verbose_name="评价人", on_delete=models.PROTECT, related_name="rankings_given")
    evaluator_title = models.CharField("评价人职务", max_length=100)
    category = models.CharField("排名类别", max_length=100, help_text="如：乡镇（街道）党（工）委书记")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "综合评价排名"
        verbose_name_plural = "综合评价排名"
        ordering = ["category", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "evaluator", "category"], name="ranking_unique")]

    def __str__(self):
        return f"{self.evaluator_title}{self.evaluator.name}：{self.category}"


class RankingEntry(models.Model):
    ranking = models.ForeignKey(Ranking, verbose_name="综合评价排名", on_delete=models.CASCADE, related_name="entries")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="ranking_entries")
    position = models.PositiveSmallIntegerField("名次")
    # Seed 000 Q4: a cadre ranked low because they dared to take on hard cases is graded fairly;
    # the note is shown to whoever grades them.
    bold_work_note = models.CharField("敢抓敢管说明", max_length=300, blank=True,
                                      help_text="因敢抓敢管、不怕得罪人而排名靠后的，写明情况，评定等次时提示")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "排名明细"
        verbose_name_plural = "排名明细"
        ordering = ["ranking", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "cadre"], name="ranking_entry_unique_cadre"),
            models.UniqueConstraint(fields=["ranking", "position"], name="ranking_entry_unique_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.cadre}"


class TeamReport(models.Model):
    """综合研判报告 for one leadership team in the quarter (seed 002 art. 14(3))."""

    review = models.ForeignKey(QuarterlyReview, verbose_name="季度分析研判", on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name="领导班子（单位）", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("研判报告")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撰写人", on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "班子研判报告"
        verbose_name_plural = "班子研判报告"
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["review", "unit"], name="team_report_unique")]

    def __str__(self):
        return f"{self.review}：{self.unit.qualified_name}"


# ---------------------------------------------------------------- promotion


class PriorityRecord(models.Model):
    """A priority-promotion situation (seed 002 art. 3 and annex 1) as recorded by staff."""

    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="priority_records")
    situation = models.CharField("优先情形", max_length=12, choices=PRIORITY_SITUATIONS)
    facts = models.TextField("事实和依据")
    organization_finding = models.TextField("组织考察结论", blank=True,
                                            help_text="第三条（四）情形须写明“经组织考察确实优秀”的考察结论")
    recorded_on = models.DateField("登记日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "优先提拔使用情形"
        verbose_name_plural = "优先提拔使用情形"
        ordering = ["-recorded_on", "-id"]
        indexes = [models.Index(fields=["cadre", "recorded_on"], name="priority_cadre_date")]

    def __str__(self):
        return f"{self.cadre}：{self.get_situation_display()}"


class QualificationRule(models.Model):
    """A unit's own promotion qualification figures for one target rank (overriding the
    defaults of 《党政领导干部选拔任用工作条例》 arts. 8-9 in assessment.qualifications)."""

    unit = models.ForeignKey(Unit, verbose_name="适用单位（含下级）", on_delete=models.PROTECT,
                             related_name="qualification_rules")
    target_rank = models.CharField("拟任职级", max_length=10, choices=[
        (r.value, r.label) for r in (Rank.FU_KE, Rank.ZHENG_KE, Rank.FU_CHU, Rank.ZHENG_CHU, Rank.FU_TING,
                                     Rank.ZHENG_TING)])
    min_years_in_rank = models.PositiveSmallIntegerField("任下一级职级最低年限（年）")
    min_work_years = models.PositiveSmallIntegerField("参加工作最低年限（年）", default=0)
    min_grassroots_years = models.PositiveSmallIntegerField("基层工作经历最低年限（年）", default=0)
    citation = models.CharField("依据", max_length=200, default="《党政领导干部选拔任用工作条例》第九条")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "提拔任职资格条件"
        verbose_name_plural = "提拔任职资格条件"
        ordering = ["unit", "target_rank"]
        constraints = [models.UniqueConstraint(fields=["unit", "target_rank"], name="qualification_rule_unique")]

    def __str__(self):
        return f"{self.unit}：拟任{self.get_target_rank_display()}"


class Promotion(models.Model):
    """A promotion (提拔 / 职级晋升): a cadre's new current posting at a higher level than the
    rank held before it (assessment.selectors.RANK_LEVEL). Written by the posting service in
    the same transaction as the posting, with the priority reasons the shortlist gave the
    cadre at that moment as a snapshot (seed 003 reports the share of promotions made with a
    priority reason; the reasons themselves change later)."""

    posting = models.OneToOneField("cadres.Posting", verbose_name="任职经历", on_delete=models.PROTECT,
                                   related_name="promotion")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="promotions")
    # The unit of the new posting: the figure counts the promotion where it was made.
    unit = models.ForeignKey(Unit, verbose_name="任职单位", on_delete=models.PROTECT, related_name="+")
    promoted_on = models.DateField("任职时间")
    rank_before = models.CharField("原职级", max_length=20, choices=Rank.choices)
    rank_after = models.CharField("新职级", max_length=20, choices=Rank.choices)
    position = models.CharField("新任职务", max_length=100, blank=True)
    priority_reasons = models.TextField("任职时的优先提拔使用情形", blank=True,
                                        help_text="记录任职时提拔人选研判列出的优先情形，每行一条；此后情形变化不影响本记录")
    priority_count = models.PositiveSmallIntegerField("优先情形条数", default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "提拔（职级晋升）记录"
        verbose_name_plural = "提拔（职级晋升）记录"
        ordering = ["-promoted_on", "-id"]
        indexes = [models.Index(fields=["promoted_on", "unit"], name="promotion_date_unit")]

    def __str__(self):
        return f"{self.cadre}：{self.get_rank_before_display()}→{self.get_rank_after_display()}"

    @property
    def reasons(self) -> list[str]:
        return [line for line in self.priority_reasons.split("\n") if line]
