"""The cadre registry: units and jurisdiction, cadres and everything in their record."""
import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from cadres.validators import validate_id_number
from core.fieldcrypt import BlindIndexField, EncryptedCharField
from core.historical import HistoricalRecords
from core.object_permissions import GroupGrant, UserGrant
from core.uploads import AuditedImageField
from core.validation import safe_date_add


class UnitKind(models.TextChoices):
    CITY = "city", "市"
    COUNTY = "county", "县（市、区）"
    TOWNSHIP = "township", "乡镇（街道）"
    DEPARTMENT = "department", "党政部门"
    INSTITUTION = "institution", "事业单位"
    ENTERPRISE = "enterprise", "国有企业"


_UNIT_NAMES: dict[str, str] = {}


def unit_names_by_path() -> dict[str, str]:
    """Names of the units at depth ≤ 2 (the city and its counties, a few dozen), kept per
    process and dropped whenever a unit is saved or deleted."""
    if not _UNIT_NAMES:
        _UNIT_NAMES.update(Unit.objects.filter(depth__lte=2).values_list("path", "name"))
    return _UNIT_NAMES


def forget_unit_names(**kwargs) -> None:
    _UNIT_NAMES.clear()


def unit_qualified_name(path: str, name: str) -> str:
    """Unit.qualified_name from a row's path and name (for lists read with values())."""
    steplen = Unit.steplen
    if not path or len(path) < 3 * steplen:
        return name
    county = unit_names_by_path().get(path[:2 * steplen], "")
    if not county or name.startswith(county):
        return name
    # 清河县 + 县财政局 reads 清河县财政局, as the county writes its own bodies.
    return f"{county}{name[1:]}" if name[:1] == county[-1:] else f"{county}{name}"


class Unit(MP_Node):
    """A body in the hierarchy (市 → 县区 → 乡镇/部门 …), stored as a materialized path so a
    subtree is one indexed prefix query."""

    # treebeard's columns, redeclared only to label them.
    path = models.CharField("树路径", max_length=255, unique=True)
    depth = models.PositiveIntegerField("层级")
    numchild = models.PositiveIntegerField("下级单位数", default=0)
    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类型", max_length=20, choices=UnitKind.choices)
    has_leadership_team = models.BooleanField("设领导班子", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        permissions = [("manage_unit", "管理本单位及下属单位的干部（干部管理权限）")]

    def __str__(self):
        return self.qualified_name

    @property
    def qualified_name(self) -> str:
        """The name as the city reads it: every county has a 城关镇 and a 县财政局, so a unit
        below a county carries the county's name with it (清河县城关镇)."""
        if self.depth is None or self.depth < 3:
            return self.name
        return unit_qualified_name(self.path, self.name)

    @property
    def is_township(self):
        return self.kind == UnitKind.TOWNSHIP


class UnitUserObjectPermission(UserGrant):
    """Direct foreign-key table: a deleted unit takes its grants with it."""

    content_object = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE)

    class Meta(UserGrant.Meta):
        verbose_name = verbose_name_plural = "单位用户授权"


class UnitGroupObjectPermission(GroupGrant):
    content_object = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE)

    class Meta(GroupGrant.Meta):
        verbose_name = verbose_name_plural = "单位角色授权"


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class Rank(models.TextChoices):
    """职级 / 职务层次 of the appointment form."""

    ZHENG_TING = "正厅级", "正厅级"
    FU_TING = "副厅级", "副厅级"
    ZHENG_CHU = "正处级", "正处级"
    FU_CHU = "副处级", "副处级"
    ZHENG_KE = "正科级", "正科级"
    FU_KE = "副科级", "副科级"
    YIJI_DIAOYANYUAN = "一级调研员", "一级调研员"
    ERJI_DIAOYANYUAN = "二级调研员", "二级调研员"
    YIJI_ZHUREN = "一级主任科员", "一级主任科员"
    ERJI_ZHUREN = "二级主任科员", "二级主任科员"
    SANJI_ZHUREN = "三级主任科员", "三级主任科员"
    SIJI_ZHUREN = "四级主任科员", "四级主任科员"
    KEYUAN = "科员", "科员"


class PoliticalStatus(models.TextChoices):
    PARTY = "中共党员", "中共党员"
    PROBATIONARY = "中共预备党员", "中共预备党员"
    LEAGUE = "共青团员", "共青团员"
    DEMOCRATIC = "民主党派", "民主党派"
    NONE = "群众", "群众"


class EducationLevel(models.TextChoices):
    DOCTOR = "研究生（博士）", "研究生（博士）"
    MASTER = "研究生（硕士）", "研究生（硕士）"
    BACHELOR = "大学本科", "大学本科"
    COLLEGE = "大学专科", "大学专科"
    SECONDARY = "中专及以下", "中专及以下"


class CadreStatus(models.TextChoices):
    ACTIVE = "在职", "在职"
    RETIRED = "退休", "退休"
    LEFT = "调离", "调离"
    # 开除党籍 with 开除公职 (双开): the person no longer serves and holds no post.
    DISMISSED = "开除", "开除公职"


class Tag(models.Model):
    """Labels such as 优秀年轻干部 that lists filter on."""

    name = models.CharField("标签", max_length=30, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "干部标签"
        verbose_name_plural = "干部标签"

    def __str__(self):
        return self.name


# Depths of the unit tree whose subtrees have their own index on Cadre: a city's counties
# and departments (2), a province's (3). A jurisdiction elsewhere joins the unit tree, as
# fast for a township's few hundred cadres or a root holding nearly all of them.
SUBTREE_INDEX_DEPTHS = (2, 3)
SUBTREE_INDEX_COLUMNS = ("name", "id", "unit_path", "rank", "status", "township_anchor", "township_days_closed")


class Cadre(models.Model):
    """A person managed by the organization department, with the fields of the
    干部任免审批表 so the form and LRMX interchange can come later without remodelling."""

    # On PostgreSQL the column has the "C" collation (migration 0005): see there, and re-apply
    # it in any later migration that alters this field.
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=2, choices=Sex.choices)
    birth_date = models.DateField("出生年月")
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    birthplace = models.CharField("出生地", max_length=50, blank=True)
    # Encrypted at rest (core.fieldcrypt); found through the keyed blind indexes below, never
    # by a filter on the column itself (cadres.selectors.id_number_filter). The number is
    # unique through its index.
    id_number = EncryptedCharField("身份证号", max_length=18, validators=[validate_id_number],
                                   purpose="cadres.cadre.id_number")
    id_number_index = BlindIndexField("身份证号索引", source="id_number", purpose="cadres.cadre.id_number",
                                      unique=True, null=True)
    id_number_last4 = BlindIndexField("身份证号后4位索引", source="id_number", last=4, max_length=16,
                                      purpose="cadres.cadre.id_number.last4", db_index=True, default="")
    id_number_last6 = BlindIndexField("身份证号后6位索引", source="id_number", last=6, max_length=16,
                                      purpose="cadres.cadre.id_number.last6", db_index=True, default="")
    political_status = models.CharField(
        "政治面貌", max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.PARTY
    )
    party_join_date = models.DateField("入党时间", null=True, blank=True)
    work_start_date = models.DateField("参加工作时间", null=True, blank=True)
    health = models.CharField("健康状况", max_length=30, default="健康", blank=True)
    professional_title = models.CharField("专业技术职务", max_length=50, blank=True)
    speciality = models.CharField("熟悉专业有何专长", max_length=100, blank=True)
    fulltime_education = models.CharField(
        "全日制教育学历", max_length=20, choices=EducationLevel.choices, blank=True
    )
    fulltime_degree = models.CharField("全日制教育学位", max_length=30, blank=True)
    fulltime_school = models.CharField("全日制毕业院校系及专业", max_length=100, blank=True)
    inservice_education = models.CharField(
        "在职教育学历", max_length=20, choices=EducationLevel.choices, blank=True
    )
    inservice_degree = models.CharField("在职教育学位", max_length=30, blank=True)
    inservice_school = models.CharField("在职毕业院校系及专业", max_length=100, blank=True)
    photo = AuditedImageField("照片", upload_to="photos/%Y/", blank=True, url_name="cadres:photo")

    # 干部任免审批表 entries that are not kept elsewhere in the record (issue #15). Age, the
    # 简历 lines, 奖惩情况 and 年度考核结果 are computed when the form is built; the three
    # "原表述" fields only keep what an imported .lrmx said where it could not be turned into
    # records (a 简历 not in the usual pattern, rewards and grades given as prose).
    proposed_position = models.CharField("拟任职务", max_length=200, blank=True)
    proposed_removal = models.CharField("拟免职务", max_length=200, blank=True)
    appointment_reason = models.TextField("任免理由", blank=True)
    reporting_unit = models.CharField("呈报单位", max_length=100, blank=True)
    form_filler = models.CharField("填表人", max_length=50, blank=True)
    form_filled_on = models.DateField("填表时间", null=True, blank=True)
    age_reference_date = models.DateField("计算年龄时间", null=True, blank=True,
                                          help_text="留空表示按打印当天计算年龄")
    resume_text = models.TextField("简历（导入原表述）", blank=True)
    rewards_text = models.TextField("奖惩情况（导入原表述）", blank=True)
    grades_text = models.TextField("年度考核结果（导入原表述）", blank=True)

    unit = models.ForeignKey(Unit, verbose_name="现工作单位", on_delete=models.PROTECT, related_name="cadres")
    position = models.CharField("现任职务", max_length=100)
    rank = models.CharField("职级", max_length=20, choices=Rank.choices)
    position_since = models.DateField("任现职时间", null=True, blank=True)
    rank_since = models.DateField("任现职级时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=CadreStatus.choices, default=CadreStatus.ACTIVE)
    is_team_member = models.BooleanField("领导班子成员", default=False)
    is_main_leader = models.BooleanField("班子主要负责人", default=False)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True)

    # Township (乡镇) service, kept current by the posting services so that lists can
    # filter on it with an index: closed postings add to township_days_closed; while a
    # township posting runs, township_anchor is the date the count would have started had
    # it been continuous (start minus the closed days), so years = today - anchor.
    township_days_closed = models.PositiveIntegerField("乡镇工作天数（已结束任职）", default=0, editable=False)
    township_anchor = models.DateField("乡镇工作起算日", null=True, blank=True, editable=False)

    # A copy of the unit's path, kept by database triggers (migration 0008) whatever writes
    # the row or moves the unit, never by Django. A jurisdiction at an indexed depth reads
    # its cadres by this prefix, already in list order (see SUBTREE_INDEX_DEPTHS).
    unit_path = models.CharField("单位路径", max_length=255, default="", editable=False)

    # Optimistic lock: a save carries the version it was read at; a stale one is refused.
    version = models.PositiveIntegerField(verbose_name="版本号", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(m2m_fields=[tags], excluded_fields=[
        "version", "updated_at", "unit_path", "id_number_index", "id_number_last4", "id_number_last6"])

    class Meta:
        verbose_name = "干部"
        verbose_name_plural = "干部"
        ordering = ["name", "id"]
        permissions = [("reveal_id_number", "查看完整身份证号")]
        indexes = [
            # List order; under the "C" collation it also serves the prefix search LIKE '王%'.
            # With the unit, a jurisdiction spanning most units walks it in list order
            # without reading table rows (a city-wide deep page: 21 -> 6 ms).
            models.Index(fields=["name", "id", "unit"], name="cadre_name_id_unit"),
            # A jurisdiction's list: its cadres in list order, then the filter columns, so that
            # the count and the page keys are read from the index alone. (Key columns rather
            # than INCLUDE, which SQLite lacks and would warn about at every migrate.)
            models.Index(fields=["unit", "name", "id", "rank", "status", "township_anchor", "township_days_closed"],
                         name="cadre_unit_name_id"),
            *[
                # A subtree's cadres in list order: an equality on the path prefix at that depth,
                # then the list's order and filter columns, so that a county's deep page is an
                # index walk, not a sort of all its names (then the unit_path itself, without
                # which PostgreSQL reads the table rows for the prefix).
                models.Index(Left("unit_path", depth * Unit.steplen), *map(F, SUBTREE_INDEX_COLUMNS),
                             name=f"cadre_subtree{depth}_name")
                for depth in SUBTREE_INDEX_DEPTHS
            ],
            models.Index(fields=["rank", "name"], name="cadre_rank_name"),
            # The birth-date segment of an ID number (8 digits) searches the birth date: the ID
            # number itself is encrypted and cannot be searched by substring.
            models.Index(fields=["birth_date", "name"], name="cadre_birth_date_name"),
            models.Index(fields=["status", "name"], name="cadre_status_name"),
            # The workbench's count of serving cadres in a jurisdiction, read from the index
            # alone (a scan of the wide table took 38 ms for a city of 100,000).
            models.Index(fields=["status", "unit"], name="cadre_status_unit"),
            # Both fields of township_years_at_least, so its count reads only the index.
            models.Index(fields=["township_anchor", "township_days_closed"], name="cadre_township_years"),
        ]

    def __str__(self):
        return self.name

    BLIND_INDEX_FIELDS = ("id_number_index", "id_number_last4", "id_number_last6")

    def clean(self):
        """The ID number is unique through its blind index (the column itself is encrypted)."""
        super().clean()
        for name in self.BLIND_INDEX_FIELDS:
            self._meta.get_field(name).pre_save(self, False)
        if self.id_number_index and Cadre.objects.filter(id_number_index=self.id_number_index).exclude(
                pk=self.pk).exists():
            raise ValidationError({"id_number": "该身份证号已存在于干部库中。"})

    def validate_unique(self, exclude=None):
        # Checked in clean() with a message on the ID number itself.
        super().validate_unique(exclude={*(exclude or ()), *self.BLIND_INDEX_FIELDS})

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    def township_days(self, on: datetime.date | None = None) -> int:
        if self.township_anchor is None:
            return self.township_days_closed
        return ((on or timezone.localdate()) - self.township_anchor).days

    @property
    def township_years(self) -> str:
        """Township service in calendar years and months (3年 / 2年11个月), never days ÷ 365.25."""
        from cadres.tenure import span_label, township_start

        today = timezone.localdate()
        return span_label(township_start(self.township_anchor, self.township_days_closed, today), today)

    @property
    def age(self):
        return relativedelta(timezone.localdate(), self.birth_date).years


def mask_id_number(id_number: str) -> str:
    """Lists show the first 6 and last 4 digits only."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"


class FamilyMember(models.Model):
    """家庭主要成员及重要社会关系."""

    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.CASCADE, related_name="family_members")
    relation = models.CharField("称谓", max_length=20)
    name = models.CharField("姓名", max_length=50)
    birth_date = models.DateField("出生年月", null=True, blank=True)
    political_status = models.CharField("政治面貌", max_length=20, choices=PoliticalStatus.choices, blank=True)
    work_unit_post = models.CharField("工作单位及职务", max_length=150, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "家庭成员及社会关系"
        verbose_name_plural = "家庭成员及社会关系"
        ordering = ["id"]

    def __str__(self):
        return f"{self.relation} {self.name}"


class Posting(models.Model):
    """任职经历. The posting without an end date is the current one."""

    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.CASCADE, related_name="postings")
    # Empty only for a posting read from an imported 简历 line whose unit is not in the
    # registry; its words are then in resume_text.
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="postings",
                             null=True, blank=True)
    position = models.CharField("职务", max_length=100, blank=True)
    resume_text = models.CharField("简历表述", max_length=300, blank=True,
                                   help_text="任免审批表简历中的表述；留空则由单位和职务组成")
    rank = models.CharField("职级", max_length=20, choices=Rank.choices, blank=True)
    start_date = models.DateField("任职时间")
    end_date = models.DateField("免职时间", null=True, blank=True)
    note = models.CharField("备注（交流、调动等）", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "任职经历"
        verbose_name_plural = "任职经历"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["cadre", "start_date"], name="posting_cadre_start")]

    def __str__(self):
        return self.resume_text.split("\n")[0] if self.unit_id is None else f"{self.unit} {self.position}"

    def clean(self):
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "免职时间不能早于任职时间。"})


class CommendationKind(models.TextChoices):
    JIAJIANG = "嘉奖", "嘉奖"
    JIGONG = "记功", "记功"
    JI_DAGONG = "记大功", "记大功"
    TONGBAO = "通报表扬", "通报表扬"
    DANDANG = "担当作为好干部", "担当作为好干部"
    LIANGYOU = "两优一先", "两优一先"
    HONOR = "荣誉称号", "荣誉称号"
    OTHER = "其他", "其他"


class CommendationLevel(models.TextChoices):
    NATIONAL = "国家级", "国家级"
    PROVINCIAL = "省级", "省级"
    CITY = "市级", "市级"
    COUNTY = "县级", "县级"
    UNIT = "单位", "单位"


class Commendation(models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.CASCADE, related_name="commendations")
    kind = models.CharField("奖励类别", max_length=20, choices=CommendationKind.choices)
    level = models.CharField("级别", max_length=10, choices=CommendationLevel.choices)
    title = models.CharField("奖励名称", max_length=150)
    date = models.DateField("奖励时间")
    issuer = models.CharField("批准机关", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "奖励表彰"
        verbose_name_plural = "奖励表彰"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "date"], name="commendation_cadre_date")]

    def __str__(self):
        return self.title


class SanctionCategory(models.TextChoices):
    PARTY = "党纪处分", "党纪处分"
    GOVERNMENT = "政务处分", "政务处分"
    ORGANIZATIONAL = "组织处理", "组织处理"


class SanctionType(models.Model):
    """Influence periods as editable data. Defaults: 中国共产党纪律处分条例 (警告 12 个月,
    严重警告 18 个月) and 公职人员政务处分法 (警告 6, 记过 12, 记大过 18, 降级/撤职 24)."""

    category = models.CharField("类别", max_length=10, choices=SanctionCategory.choices)
    name = models.CharField("处分/处理种类", max_length=30)
    influence_months = models.PositiveSmallIntegerField("影响期（月）", default=0)
    citation = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "处分种类与影响期"
        verbose_name_plural = "处分种类与影响期"
        ordering = ["category", "influence_months", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="sanction_type_unique")]

    def __str__(self):
        return f"{self.get_category_display()}·{self.name}"


class RecordStatus(models.TextChoices):
    """Later rulings set this; caps and blocks read only IN_FORCE."""

    IN_FORCE = "in_force", "有效"
    WAIVED = "waived", "已免责"
    SUPERSEDED = "superseded", "已被替代"


class Sanction(models.Model):
    """处分 / 组织处理. The influence period runs from the decision date; the cadre is
    usable again on the day it ends."""

    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.CASCADE, related_name="sanctions")
    sanction_type = models.ForeignKey(SanctionType, verbose_name="处分种类", on_delete=models.PROTECT)
    matter = models.CharField("事由", max_length=300)
    decided_by = models.CharField("决定机关", max_length=100)
    document_number = models.CharField("文号", max_length=50, blank=True)
    decision_date = models.DateField("决定日期")
    influence_end = models.DateField("影响期截止日", editable=False)
    status = models.CharField("状态", max_length=12, choices=RecordStatus.choices, default=RecordStatus.IN_FORCE)
    # The 回访教育 schedule, stored so that lists of what is due (the workbench, the follow-up
    # list, the daily sweep) select and page it in SQL. Kept by care.follow_ups (on every save of
    # a sanction, a visit or a schedule; the daily sweep re-checks all); null: no visit due.
    follow_up_due = models.DateField("下次回访期限", null=True, editable=False)
    follow_up_last_visit = models.DateField("最近回访日期", null=True, editable=False)
    follow_up_visit_count = models.PositiveIntegerField("回访次数", default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["follow_up_due", "follow_up_last_visit", "follow_up_visit_count"])

    class Meta:
        verbose_name = "处分与组织处理"
        verbose_name_plural = "处分与组织处理"
        ordering = ["-decision_date", "-id"]
        indexes = [
            models.Index(fields=["cadre", "status", "influence_end"], name="sanction_cadre_in_force"),
            models.Index(fields=["influence_end", "status"], name="sanction_influence_end"),
            models.Index(fields=["follow_up_due", "influence_end"], condition=Q(status="in_force"),
                         name="sanction_follow_up_due"),
        ]

    def __str__(self):
        return f"{self.sanction_type.name}（{self.decision_date:%Y-%m-%d}）"

    def save(self, *args, **kwargs):
        # Clipped, never overflowing: a decision dated near year 9999 must not break the cadre's pages.
        self.influence_end = safe_date_add(self.decision_date, months=self.sanction_type.influence_months)
        super().save(*args, **kwargs)

    def in_influence_period(self, on: datetime.date) -> bool:
        return self.status == RecordStatus.IN_FORCE and self.decision_date <= on < self.influence_end


class MeasureKind(models.TextChoices):
    REMINDER = "提醒", "提醒"
    INQUIRY = "函询", "函询"
    ADMONITION = "诫勉", "诫勉"
    INTERVIEW = "约谈", "约谈"


class SupervisionMeasure(models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField("措施", max_length=4, choices=MeasureKind.choices)
    date = models.DateField("日期")
    issue = models.CharField("所涉问题", max_length=300)
    by_whom = models.CharField("实施机关", max_length=100)
    status = models.CharField("状态", max_length=12, choices=RecordStatus.choices, default=RecordStatus.IN_FORCE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "监督措施"
        verbose_name_plural = "监督措施"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "kind", "date"], name="measure_cadre_kind_date")]

    def __str__(self):
        return f"{self.kind}（{self.date:%Y-%m-%d}）"


class FollowUpVisit(models.Model):
    """回访教育 to a sanctioned or adjusted cadre; part of the cadre's record."""

    sanction = models.ForeignKey(Sanction, verbose_name="处分或组织处理", on_delete=models.CASCADE, related_name="follow_up_visits")
    date = models.DateField("回访日期")
    visited_by = models.CharField("回访人", max_length=100)
    notes = models.TextField("回访情况", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "回访教育"
        verbose_name_plural = "回访教育"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"回访 {self.date:%Y-%m-%d}"

    def clean(self):
        # A visit follows its sanction and has happened (the range check alone would let a
        # visit predate the sanction or lie years ahead); admin, pages and services all clean.
        if self.date and self.sanction_id and self.date < self.sanction.decision_date:
            raise ValidationError({"date": f"回访日期不能早于处分决定日期（{self.sanction.decision_date:%Y-%m-%d}）。"})
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "回访日期不能晚于今天。"})


class AchievementSource(models.TextChoices):
    QUARTERLY = "季度研判", "季度分析研判"
    FRONTLINE = "一线考察", "一线考察"
    SELF = "本人填报", "本人填报"
    UNIT = "单位报送", "单位报送"


class AchievementRecord(models.Model):
    """实绩档案, collected each quarter."""

    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.CASCADE, related_name="achievements")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(q, f"第{q}季度") for q in range(1, 5)])
    description = models.TextField("实绩内容")
    source = models.CharField("来源", max_length=10, choices=AchievementSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "实绩档案"
        verbose_name_plural = "实绩档案"
        ordering = ["-year", "-quarter", "-id"]
        indexes = [models.Index(fields=["cadre", "year", "quarter"], name="achievement_cadre_quarter")]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度"
