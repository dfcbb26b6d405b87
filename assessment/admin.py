"""Django admin for every assessment model, with history; lists go through the same
selectors as the pages (admins see everything, others their jurisdiction)."""
from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

from assessment.models import (
    AssessmentYear,
    CadreGrade,
    GradeCapPolicy,
    GradeCapRule,
    GradeReview,
    InformationItem,
    PriorityRecord,
    Promotion,
    QualificationRule,
    QuarterlyReview,
    QuotaApproval,
    QuotaRule,
    Ranking,
    RankingEntry,
    ReviewEvent,
    TeamAssessment,
    TeamInterview,
    TeamReport,
)
from assessment.selectors import (
    assessment_years_visible_to,
    grades_visible_to,
    priority_records_visible_to,
    promotions_visible_to,
    reviews_visible_to,
    team_interviews_visible_to,
)
from cadres.selectors import units_visible_to


class VisibleMixin:
    """`visible(request)` is the selector; `lookup` is how this model reaches it."""

    lookup = "pk__in"

    def visible(self, request):
        raise NotImplementedError

    def get_queryset(self, request):
        visible = self.visible(request)
        if self.lookup == "pk__in":
            visible = visible.values("pk")
        return super().get_queryset(request).filter(**{self.lookup: visible})


class GradeCapRuleInline(admin.TabularInline):
    model = GradeCapRule
    extra = 0


@admin.register(GradeCapPolicy)
class GradeCapPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "issuing_body", "unit", "effective_from", "effective_to"]
    search_fields = ["title", "issuing_body"]
    autocomplete_fields = ["unit"]
    inlines = [GradeCapRuleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(Q(unit__isnull=True) | Q(unit__in=units_visible_to(request.user)))


@admin.register(GradeCapRule)
class GradeCapRuleAdmin(SimpleHistoryAdmin):
    list_display = ["policy", "number", "subject", "trigger", "min_count", "allowed_grades"]
    list_filter = ["subject", "trigger"]
    list_select_related = ["policy"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            Q(policy__unit__isnull=True) | Q(policy__unit__in=units_visible_to(request.user)))


@admin.register(QuotaRule)
class QuotaRuleAdmin(SimpleHistoryAdmin):
    """Reference data (per unit type, no jurisdiction)."""

    list_display = ["unit_kind", "normal_percent", "ceiling_percent", "citation"]
    list_editable = ["normal_percent", "ceiling_percent"]


class TeamAssessmentInline(admin.StackedInline):
    model = TeamAssessment
    extra = 0
    readonly_fields = ["graded_by", "graded_at"]


@admin.register(AssessmentYear)
class AssessmentYearAdmin(VisibleMixin, SimpleHistoryAdmin):
    list_display = ["unit", "year", "assessment_date", "status", "created_by"]
    list_filter = ["year", "status"]
    list_select_related = ["unit", "created_by"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [TeamAssessmentInline]

    def visible(self, request):
        return assessment_years_visible_to(request.user)


@admin.register(CadreGrade)
class CadreGradeAdmin(VisibleMixin, SimpleHistoryAdmin):
    list_display = ["cadre", "assessment_year", "grade", "told_on", "graded_by", "graded_at"]
    list_filter = ["year", "grade"]
    list_select_related = ["cadre", "assessment_year__unit", "graded_by"]
    search_fields = ["cadre__name"]
    autocomplete_fields = ["cadre"]
    readonly_fields = ["graded_by", "graded_at"]

    def visible(self, request):
        return grades_visible_to(request.user)


@admin.register(TeamAssessment)
class TeamAssessmentAdmin(VisibleMixin, SimpleHistoryAdmin):
    lookup = "assessment_year__in"
    list_display = ["assessment_year", "grade", "graded_by", "graded_at"]
    list_filter = ["grade"]
    list_select_related = ["assessment_year__unit", "graded_by"]

    def visible(self, request):
        return assessment_years_visible_to(request.user)


@admin.register(TeamInterview)
class TeamInterviewAdmin(VisibleMixin, SimpleHistoryAdmin):
    list_display = ["unit", "date", "issue", "by_whom", "status"]
    list_filter = ["status"]
    list_select_related = ["unit"]
    search_fields = ["unit__name", "issue"]
    autocomplete_fields = ["unit"]

    def visible(self, request):
        return team_interviews_visible_to(request.user)


@admin.register(QuotaApproval)
class QuotaApprovalAdmin(VisibleMixin, SimpleHistoryAdmin):
    lookup = "assessment_year__in"
    list_display = ["assessment_year", "excellent_count", "status", "requested_by", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["assessment_year__unit", "requested_by", "decided_by"]
    # Decisions are recorded by leaders through the workflow, which names who and why.
    readonly_fields = ["status", "requested_by", "requested_at", "decided_by", "decided_at"]

    def visible(self, request):
        return assessment_years_visible_to(request.user)


@admin.register(GradeReview)
class GradeReviewAdmin(VisibleMixin, SimpleHistoryAdmin):
    lookup = "grade__in"
    list_display = ["grade", "requested_on", "status", "new_grade", "answered_on"]
    list_filter = ["status"]
    list_select_related = ["grade__cadre"]

    def visible(self, request):
        return grades_visible_to(request.user)


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(VisibleMixin, SimpleHistoryAdmin):
    list_display = ["department", "year", "quarter", "status", "deadline"]
    list_filter = ["year", "quarter", "status"]
    list_select_related = ["department"]
    # The status moves only through the workflow services, which record who and why.
    readonly_fields = ["status"]

    def visible(self, request):
        return reviews_visible_to(request.user)


class ReviewChildAdmin(VisibleMixin, SimpleHistoryAdmin):
    lookup = "review__in"

    def visible(self, request):
        return reviews_visible_to(request.user)


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReviewChildAdmin):
    list_display = ["review", "from_status", "to_status", "actor", "at"]
    list_select_related = ["review__department", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InformationItem)
class InformationItemAdmin(ReviewChildAdmin):
    list_display = ["review", "cadre", "source", "polarity", "date", "summary"]
    list_filter = ["source", "polarity"]
    list_select_related = ["review__department", "cadre"]
    search_fields = ["cadre__name", "summary"]


class RankingEntryInline(admin.TabularInline):
    model = RankingEntry
    extra = 0
    autocomplete_fields = ["cadre"]


@admin.register(Ranking)
class RankingAdmin(ReviewChildAdmin):
    list_display = ["review", "evaluator", "evaluator_title", "category", "entered_by"]
    list_select_related = ["review__department", "evaluator", "entered_by"]
    inlines = [RankingEntryInline]


@admin.register(RankingEntry)
class RankingEntryAdmin(ReviewChildAdmin):
    lookup = "ranking__review__in"
    list_display = ["ranking", "position", "cadre", "bold_work_note"]
    list_select_related = ["ranking__evaluator", "cadre"]


@admin.register(TeamReport)
class TeamReportAdmin(ReviewChildAdmin):
    list_display = ["review", "unit", "written_by", "updated_at"]
    list_select_related = ["review__department", "unit", "written_by"]


@admin.register(PriorityRecord)
class PriorityRecordAdmin(VisibleMixin, SimpleHistoryAdmin):
    list_display = ["cadre", "situation", "recorded_on", "recorded_by"]
    list_filter = ["situation"]
    list_select_related = ["cadre", "recorded_by"]
    search_fields = ["cadre__name"]
    autocomplete_fields = ["cadre"]

    def visible(self, request):
        return priority_records_visible_to(request.user)


@admin.register(Promotion)
class PromotionAdmin(VisibleMixin, SimpleHistoryAdmin):
    """Written by the posting service only (the snapshot of priority reasons): read-only here."""

    list_display = ["cadre", "unit", "rank_before", "rank_after", "promoted_on", "priority_count"]
    list_filter = ["rank_after"]
    list_select_related = ["cadre", "unit"]
    search_fields = ["cadre__name"]
    readonly_fields = ["posting", "cadre", "unit", "promoted_on", "rank_before", "rank_after", "position",
                       "priority_reasons", "priority_count", "recorded_by"]

    def visible(self, request):
        return promotions_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QualificationRule)
class QualificationRuleAdmin(SimpleHistoryAdmin):
    """A unit's own promotion qualification figures (defaults: 《党政领导干部选拔任用工作条例》第八条、第九条)."""

    list_display = ["unit", "target_rank", "min_years_in_rank", "min_work_years", "min_grassroots_years", "citation"]
    list_filter = ["target_rank"]
