"""Django admin for care, every list through the care selectors. The confidential note has
its own admin page for superusers only, and each view of it there is logged too (DESIGN §3)."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from care.models import (
    CareActivity,
    CareParticipant,
    Concern,
    ConfidentialNote,
    ConfidentialNoteAccess,
    Consultation,
    ConsultationSubmission,
    FollowUpSchedule,
    LeaveEntitlement,
    NoteAccessVia,
    ObligationRule,
)
from care.selectors import (
    activities_visible_to,
    concerns_visible_to,
    consultations_visible_to,
    participants_visible_to,
    submissions_visible_to,
)
from care.services import confidential_note_log_access
from core.versioning import VersionedAdminMixin


class SelectorMixin:
    """get_queryset = the model's rows the selector lets this user see."""

    selector = None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=type(self).selector(request.user).values("pk"))


class ParticipantInline(admin.TabularInline):
    """Cadres join and leave an activity on its care page (which copies kind and date, writes
    or removes 回访教育 visits, and asks why a cadre is removed): read-only here."""

    model = CareParticipant
    extra = 0
    can_delete = False
    fields = ["cadre", "kind", "date", "days"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=participants_visible_to(request.user).values("pk"))


@admin.register(CareActivity)
class CareActivityAdmin(VersionedAdminMixin, SelectorMixin, SimpleHistoryAdmin):
    selector = staticmethod(activities_visible_to)
    list_display = ["date", "kind", "title", "conducted_by", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["conducted_by", "created_by"]
    search_fields = ["title"]
    date_hierarchy = "date"
    # Kind, date and days are copied to each cadre's row and the follow-up visits by the care
    # pages' service, so they change there, as do its cadres (added or removed on its page).
    readonly_fields = ["kind", "date", "days", "created_by", "created_at"]
    exclude = ["cadres"]
    inlines = [ParticipantInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # recorded on the care pages, which add the cadres (and 回访教育 visits) with it


@admin.register(CareParticipant)
class CareParticipantAdmin(SelectorMixin, SimpleHistoryAdmin):
    selector = staticmethod(participants_visible_to)
    list_display = ["cadre", "kind", "date", "activity"]
    list_filter = ["kind"]
    list_select_related = ["cadre", "activity"]
    search_fields = ["cadre__name"]
    readonly_fields = ["activity", "cadre", "kind", "date", "days"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # removed on the activity's page, with a reason and its follow-up visits


@admin.register(ConfidentialNote)
class ConfidentialNoteAdmin(SimpleHistoryAdmin):
    """Superusers only; the list shows no text; the change page and every historical version
    shown log the view."""

    list_display = ["activity", "written_by", "updated_at"]
    list_select_related = ["activity", "written_by"]
    readonly_fields = ["activity", "written_by", "updated_at"]
    fields = ["activity", "text", "written_by", "updated_at"]
    history_list_display = []

    def get_queryset(self, request):
        return super().get_queryset(request).filter(activity__in=activities_visible_to(request.user))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        note = self.get_object(request, object_id)
        if note is not None and request.method == "GET" and self.has_view_permission(request, note):
            confidential_note_log_access(note=note, by=request.user, via=NoteAccessVia.ADMIN)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        note = self.get_object(request, object_id)
        if note is not None:
            confidential_note_log_access(note=note, by=request.user, via=NoteAccessVia.ADMIN_HISTORY)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ConfidentialNoteAccess)
class ConfidentialNoteAccessAdmin(SimpleHistoryAdmin):
    """The access log: read-only, superusers only."""

    list_display = ["note", "user", "at", "via"]
    list_filter = ["via"]
    list_select_related = ["note__activity", "user"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(note__activity__in=activities_visible_to(request.user))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubmissionInline(admin.TabularInline):
    model = ConsultationSubmission
    extra = 0
    fields = ["cadre", "submitted_on", "content", "answered_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=submissions_visible_to(request.user).values("pk"))


@admin.register(Consultation)
class ConsultationAdmin(SelectorMixin, SimpleHistoryAdmin):
    selector = staticmethod(consultations_visible_to)
    list_display = ["title", "unit", "held_on", "mode"]
    list_filter = ["mode"]
    list_select_related = ["unit"]
    search_fields = ["title", "unit__name"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["created_by"]
    inlines = [SubmissionInline]


@admin.register(ConsultationSubmission)
class ConsultationSubmissionAdmin(SelectorMixin, SimpleHistoryAdmin):
    selector = staticmethod(submissions_visible_to)
    list_display = ["cadre", "consultation", "submitted_on", "answered_on"]
    list_select_related = ["cadre", "consultation"]
    search_fields = ["cadre__name"]
    autocomplete_fields = ["cadre"]
    readonly_fields = ["answered_by"]


@admin.register(Concern)
class ConcernAdmin(SelectorMixin, SimpleHistoryAdmin):
    selector = staticmethod(concerns_visible_to)
    list_display = ["cadre", "category", "raised_on", "responder", "deadline", "status", "answered_on"]
    list_filter = ["status", "category"]
    list_select_related = ["cadre"]
    search_fields = ["cadre__name", "responder"]
    autocomplete_fields = ["cadre"]
    raw_id_fields = ["activity", "submission"]
    readonly_fields = ["created_by", "answered_by"]


@admin.register(ObligationRule)
class ObligationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "applies_to", "measure", "required", "active", "citation"]
    list_editable = ["required", "active"]


@admin.register(LeaveEntitlement)
class LeaveEntitlementAdmin(SimpleHistoryAdmin):
    list_display = ["min_years", "days", "citation"]
    list_editable = ["days"]


@admin.register(FollowUpSchedule)
class FollowUpScheduleAdmin(SimpleHistoryAdmin):
    list_display = ["category", "first_within_months", "every_months"]
    list_editable = ["first_within_months", "every_months"]
