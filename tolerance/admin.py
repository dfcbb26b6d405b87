from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core import roles
from core.versioning import VersionedAdminMixin
from tolerance.allegation_services import reporter_identity_read
from tolerance.models import (
    Allegation,
    CaseCadre,
    CaseEvent,
    ChecklistItem,
    ClarificationNotice,
    Consequence,
    Determination,
    Evidence,
    FalseAccusationReferral,
    IssuingBody,
    PolicyClause,
    PolicyDocument,
    ReformFiling,
    RemedialMeasure,
    ReporterAccessLog,
    ReporterIdentity,
    ReReview,
    Ruling,
    StageDeadline,
    ToleranceCase,
)
from tolerance.selectors import allegations_visible_to, cases_visible_to, notices_visible_to, reform_filings_visible_to


class PolicyClauseInline(admin.TabularInline):
    model = PolicyClause
    extra = 0


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "issuing_body", "unit", "effective_from", "effective_to", "is_partial"]
    list_filter = ["is_partial"]
    search_fields = ["title", "issuing_body"]
    autocomplete_fields = ["unit"]
    inlines = [PolicyClauseInline]


@admin.register(StageDeadline)
class StageDeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["stage", "days"]
    list_editable = ["days"]


class VisibleCasesMixin:
    case_lookup = "case__in"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(**{self.case_lookup: cases_visible_to(request.user)})


class CaseCadreInline(admin.TabularInline):
    model = CaseCadre
    extra = 0
    autocomplete_fields = ["cadre"]
    fields = ["cadre", "proposed_sanction_type", "proposed_measure_kind", "defence_recorded_on"]


class CaseEventInline(admin.TabularInline):
    """Transitions are written by the services only: read-only here."""

    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ToleranceCase)
class ToleranceCaseAdmin(VersionedAdminMixin, VisibleCasesMixin, SimpleHistoryAdmin):
    case_lookup = "pk__in"
    list_display = ["title", "unit", "stage", "stage_deadline", "error_date", "accountability_body"]
    list_filter = ["stage", "origin"]
    list_select_related = ["unit"]
    search_fields = ["title"]
    autocomplete_fields = ["unit"]
    # The stage moves only through the workflow services, which record who and why.
    readonly_fields = ["stage", "policy", "created_by", "created_at"]
    inlines = [CaseCadreInline, CaseEventInline]


@admin.register(Determination)
class DeterminationAdmin(VisibleCasesMixin, SimpleHistoryAdmin):
    list_display = ["decision_number", "case", "decided_on", "deciding_body", "status"]
    list_filter = ["status"]
    list_select_related = ["case"]
    readonly_fields = ["status"]


@admin.register(Ruling)
class RulingAdmin(VisibleCasesMixin, SimpleHistoryAdmin):
    case_lookup = "determination__case__in"
    list_display = ["case_cadre", "outcome", "final_sanction_type", "should_have_been_tolerated"]
    list_filter = ["outcome", "should_have_been_tolerated"]
    list_select_related = ["case_cadre__cadre", "case_cadre__case", "final_sanction_type"]


@admin.register(Consequence)
class ConsequenceAdmin(VisibleCasesMixin, SimpleHistoryAdmin):
    case_lookup = "ruling__determination__case__in"
    list_display = ["ruling", "effect", "sanction", "measure", "active"]
    list_filter = ["effect", "active"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(VisibleCasesMixin, SimpleHistoryAdmin):
    case_lookup = "case_cadre__case__in"
    list_display = ["case_cadre", "clause", "holds"]
    list_select_related = ["case_cadre__cadre", "case_cadre__case", "clause"]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    """Case evidence of visible cases; allegation evidence only for admins (it may name the reporter)."""

    list_display = ["title", "case", "allegation", "size", "uploaded_by", "uploaded_at"]

    def get_queryset(self, request):
        # The same rule as the download view (tolerance.views.evidence_download).
        visible = Q(case__in=cases_visible_to(request.user))
        if roles.is_admin(request.user):
            visible |= Q(allegation__isnull=False)
        return super().get_queryset(request).filter(visible)


@admin.register(RemedialMeasure)
class RemedialMeasureAdmin(VisibleCasesMixin, SimpleHistoryAdmin):
    list_display = ["description", "case", "owner", "deadline", "done_on"]


@admin.register(ReReview)
class ReReviewAdmin(VisibleCasesMixin, SimpleHistoryAdmin):
    list_display = ["case", "case_cadre", "requested_on"]


@admin.register(CaseEvent)
class CaseEventAdmin(VisibleCasesMixin, SimpleHistoryAdmin):
    list_display = ["case", "from_stage", "to_stage", "actor", "at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReformFiling)
class ReformFilingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "unit", "filed_on", "filed_by"]
    search_fields = ["title"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=reform_filings_visible_to(request.user).values("pk"))


@admin.register(Allegation)
class AllegationAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "source", "received_on", "status", "conclusion", "deadline"]
    list_filter = ["status", "source", "conclusion"]
    search_fields = ["issue"]
    filter_horizontal = ["subjects"]
    readonly_fields = ["status", "issue_key", "reporter_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=allegations_visible_to(request.user).values("pk"))

    @admin.display(description="举报人信息")
    def reporter_link(self, obj):
        """A link only: the identity opens on its own page, which logs the view."""
        identity = ReporterIdentity.objects.filter(allegation=obj).only("pk").first()
        if identity is None:
            return "—"
        url = reverse("admin:tolerance_reporteridentity_change", args=[identity.pk])
        return format_html('<a href="{}">查看（将记录查阅）</a>', url)


@admin.register(ReporterIdentity)
class ReporterIdentityAdmin(admin.ModelAdmin):
    """Superusers only, one identity at a time, each view logged; never listed."""

    fields = ["allegation", "anonymous", "name", "contact", "work_unit"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and obj is not None

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        identity = self.get_object(request, object_id)
        if identity is not None and self.has_view_permission(request, identity):
            reporter_identity_read(allegation=identity.allegation, user=request.user, via="后台", request=request)
        response = super().change_view(request, object_id, form_url, extra_context)
        add_never_cache_headers(response)  # the reporter's identity: never kept by a browser or proxy
        return response


@admin.register(ReporterAccessLog)
class ReporterAccessLogAdmin(admin.ModelAdmin):
    list_display = ["identity", "user", "at", "via"]
    list_filter = ["via"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuingBody)
class IssuingBodyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(ClarificationNotice)
class ClarificationNoticeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "issuing_body", "cadre", "form", "issued_on", "delivered_on", "publishable"]
    list_filter = ["form", "publishable", "year"]
    list_select_related = ["cadre"]
    readonly_fields = ["agency_code", "year", "serial"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=notices_visible_to(request.user).values("pk"))


@admin.register(FalseAccusationReferral)
class FalseAccusationReferralAdmin(SimpleHistoryAdmin):
    list_display = ["allegation", "status", "referred_to", "referred_on"]
    list_filter = ["status"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(allegation__in=allegations_visible_to(request.user))
