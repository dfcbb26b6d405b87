"""What the API shows and accepts. Output serializers only shape rows the selectors chose;
input serializers only check types and formats: every rule (scope, duplicates, status,
dates within the quarter) lives in the services the pages call."""
import datetime

from rest_framework import serializers

from api.masking import id_number_for
from assessment.models import MANUAL_SOURCES, Polarity
from assessment.selectors import SHORTLIST_BLOCK_CHOICES, TARGET_RANKS
from tolerance.models import AllegationSource


def label_field(source: str, **kwargs):
    """The Chinese label beside each code."""
    return serializers.CharField(source=f"get_{source}_display", read_only=True, **kwargs)


class ErrorSerializer(serializers.Serializer):
    """Every error: a message in Chinese, a code, and the messages per field."""

    detail = serializers.CharField(help_text="错误说明")
    code = serializers.CharField(help_text="错误代码，如 invalid、refused、not_found、not_authenticated、throttled")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="各字段的错误说明；无字段错误时为空对象")


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="单位名称")
    kind = serializers.CharField(help_text="单位类型代码")
    kind_label = label_field("kind", help_text="单位类型")
    parent_id = serializers.IntegerField(allow_null=True, help_text="上级单位；根单位为 null")
    depth = serializers.IntegerField(help_text="层级，根单位为 1")
    path = serializers.CharField(help_text="树路径：按它排序即为树的先序")


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CadreListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="姓名")
    sex = serializers.CharField(help_text="性别")
    birth_date = serializers.DateField(help_text="出生年月")
    id_number = serializers.SerializerMethodField(help_text="身份证号（列表中一律遮盖中间位）")
    unit = UnitRefSerializer(help_text="现工作单位")
    position = serializers.CharField(help_text="现任职务")
    rank = serializers.CharField(help_text="职级")
    status = serializers.CharField(help_text="状态")

    def get_id_number(self, cadre) -> str:
        return id_number_for(self.context["request"], cadre, detail=False)


class PostingSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    position = serializers.CharField()
    rank = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class CommendationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    level = serializers.CharField()
    title = serializers.CharField()
    date = serializers.DateField()
    issuer = serializers.CharField()


class SanctionSerializer(serializers.Serializer):
    category = serializers.CharField(source="sanction_type.category")
    name = serializers.CharField(source="sanction_type.name")
    matter = serializers.CharField()
    decided_by = serializers.CharField()
    document_number = serializers.CharField()
    decision_date = serializers.DateField()
    influence_end = serializers.DateField(help_text="影响期截止日：当日起方可使用")


class GradeSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    grade = serializers.CharField(help_text="优秀 / 称职 / 基本称职 / 不称职")


class CadreDetailSerializer(CadreListSerializer):
    id_number = serializers.SerializerMethodField(
        help_text="身份证号：有权查看且令牌含 read:id_numbers 时为完整号码，否则遮盖")
    political_status = serializers.CharField()
    is_team_member = serializers.BooleanField()
    is_main_leader = serializers.BooleanField()
    postings = PostingSerializer(many=True, help_text="任职经历，最近的在前")
    commendations = CommendationSerializer(many=True, help_text="奖励表彰")
    sanctions_in_force = SanctionSerializer(many=True, help_text="有效的处分与组织处理（已免责、已被替代的不列）")
    annual_grades = GradeSerializer(many=True, help_text="年度考核等次，最近的在前")

    def get_id_number(self, cadre) -> str:
        return id_number_for(self.context["request"], cadre, detail=True)


class CaseCadreSerializer(serializers.Serializer):
    cadre_id = serializers.IntegerField()
    cadre_name = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True, help_text="认定结论代码；尚未认定为空")
    outcome_label = serializers.CharField(allow_blank=True)


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="案件编号")
    title = serializers.CharField()
    unit = UnitRefSerializer()
    stage = serializers.CharField(help_text="当前阶段代码")
    stage_label = label_field("stage")
    stage_deadline = serializers.DateField(help_text="阶段办理期限")
    error_date = serializers.DateField()
    accountability_body = serializers.CharField()
    cadres = CaseCadreSerializer(many=True, help_text="涉及干部及其认定结论")


class SubjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = UnitRefSerializer(help_text="现工作单位")


class AllegationSerializer(serializers.Serializer):
    """Subject, status and outcome: never who reported it (DESIGN §3)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    source = serializers.CharField()
    source_label = label_field("source")
    received_on = serializers.DateField()
    issue = serializers.CharField()
    subjects = SubjectSerializer(many=True)
    status = serializers.CharField()
    status_label = label_field("status")
    deadline = serializers.DateField(allow_null=True)
    conclusion = serializers.CharField(allow_blank=True)
    conclusion_label = label_field("conclusion")
    concluded_on = serializers.DateField(allow_null=True)
    duplicate_note = serializers.CharField(allow_blank=True, help_text="同一问题的此前线索或函询（登记时提示）")


class AllegationCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=AllegationSource.choices, help_text="线索来源")
    received_on = serializers.DateField(help_text="受理日期，不晚于今天")
    subject_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=20,
                                        help_text="反映对象（干部编号），须在令牌账号的权限范围内")
    issue = serializers.CharField(max_length=200, help_text="所涉问题：用于识别重复线索和函询")
    summary = serializers.CharField(max_length=5000, help_text="反映内容摘要")
    acknowledge_duplicate = serializers.BooleanField(
        default=False, help_text="同一问题已有线索或函询时须为 true 才登记（先查看提示）")
    reporter_anonymous = serializers.BooleanField(default=False, help_text="匿名举报")
    reporter_name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True,
                                          help_text="举报人姓名：单独保存，仅指定核查人可见，接口从不返回")
    reporter_contact = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    reporter_work_unit = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="通知书编号，如〔2026〕3号")
    allegation_id = serializers.IntegerField()
    cadre = SubjectSerializer()
    form = serializers.CharField()
    form_label = label_field("form")
    scope = serializers.CharField(help_text="通报范围")
    issuing_body = serializers.CharField()
    alleged = serializers.CharField()
    finding = serializers.CharField()
    issued_on = serializers.DateField()
    delivered_on = serializers.DateField(allow_null=True)
    pdf_url = serializers.SerializerMethodField(help_text="通知书 PDF（内嵌字体）")

    def get_pdf_url(self, notice) -> str:
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(reverse("api:notice_pdf", args=[notice.pk]))


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = UnitRefSerializer(help_text="研判单位（市、县区）")
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    status = serializers.CharField()
    status_label = label_field("status")
    deadline = serializers.DateField()
    period_start = serializers.SerializerMethodField(help_text="季度首日")
    period_end = serializers.SerializerMethodField(help_text="季度末日")

    def get_period_start(self, review) -> datetime.date:
        return review.period[0]

    def get_period_end(self, review) -> datetime.date:
        return review.period[1]


class FactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cadre = SubjectSerializer()
    source = serializers.CharField()
    source_label = label_field("source")
    gathered = serializers.BooleanField(help_text="true：由系统从其他模块自动汇集；false：录入或报送")
    polarity = serializers.CharField()
    polarity_label = label_field("polarity")
    date = serializers.DateField()
    summary = serializers.CharField()


class FactCreateSerializer(serializers.Serializer):
    cadre_id = serializers.IntegerField(min_value=1, help_text="干部编号，须在研判范围和令牌账号的权限范围内")
    source = serializers.ChoiceField(choices=[(s.value, s.label) for s in MANUAL_SOURCES],
                                     help_text="信息来源：纪检监察、审计、信访、巡察、一线考察识别或其他")
    polarity = serializers.ChoiceField(choices=Polarity.choices, default=Polarity.NEUTRAL)
    date = serializers.DateField(help_text="日期，须在本季度内")
    summary = serializers.CharField(max_length=500, help_text="情况摘要（如处分决定、审计发现、信访事项、巡察发现）")


class ShortlistRowSerializer(serializers.Serializer):
    cadre_id = serializers.IntegerField()
    name = serializers.CharField()
    unit_name = serializers.CharField()
    position = serializers.CharField()
    rank = serializers.CharField()
    eligible = serializers.BooleanField()
    blocks = serializers.ListField(child=serializers.CharField(), help_text="不能提拔的原因")
    priorities = serializers.ListField(child=serializers.CharField(), help_text="优先考虑的情形")


class ShortlistQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, help_text="单位编号（含下级单位）")
    target_rank = serializers.ChoiceField(choices=TARGET_RANKS, help_text="拟提拔职级")
    on = serializers.DateField(required=False, help_text="以哪一天为准，默认今天")
    q = serializers.CharField(required=False, default="", allow_blank=True, max_length=50, help_text="姓名包含")
    show = serializers.ChoiceField(choices=[("eligible", "可提拔的"), ("blocked", "不能提拔的"),
                                            ("priority", "优先考虑的")],
                                   required=False, default="", allow_blank=True, help_text="只列出其中一类，默认全部")
    block = serializers.ChoiceField(choices=SHORTLIST_BLOCK_CHOICES, required=False, default="", allow_blank=True,
                                    help_text="只列出因这一原因暂不能提名的（同时有其他原因的也列出），同提拔人选研判页面的筛选")

