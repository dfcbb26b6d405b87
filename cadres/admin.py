from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from cadres.models import (
    AchievementRecord,
    Cadre,
    Commendation,
    FamilyMember,
    FollowUpVisit,
    Posting,
    Sanction,
    SanctionType,
    SupervisionMeasure,
    Tag,
    Unit,
)
from cadres.selectors import cadres_visible_to, id_number_search_filter, units_visible_to
from core import roles
from core.versioning import VersionedAdminMixin


class VisibleCadresMixin:
    """Admin lists go through the same selector as the pages."""

    cadre_lookup = "cadre__in"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.cadre_lookup == "self":
            return qs.filter(pk__in=cadres_visible_to(request.user).values("pk"))
        return qs.filter(**{self.cadre_lookup: cadres_visible_to(request.user)})


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin, TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ["name", "kind", "has_leadership_team"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def get_queryset(self, request):
        if roles.is_system_admin(request.user):  # the 系统管理员 keeps the whole unit tree
            return super().get_queryset(request)
        return super().get_queryset(request).filter(pk__in=units_visible_to(request.user).values("pk"))


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    autocomplete_fields = ["unit"]


class FamilyInline(admin.TabularInline):
    model = FamilyMember
    extra = 0


@admin.register(Cadre)
class CadreAdmin(VersionedAdminMixin, VisibleCadresMixin, SimpleHistoryAdmin):
    cadre_lookup = "self"
    list_display = ["name", "sex", "birth_date", "unit", "position", "rank", "status"]
    list_filter = ["status", "rank", "sex", "tags"]
    list_select_related = ["unit"]
    search_fields = ["name"]
    autocomplete_fields = ["unit"]
    filter_horizontal = ["tags"]
    readonly_fields = ["township_days_closed", "township_anchor", "created_at", "updated_at"]
    inlines = [PostingInline, FamilyInline]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """A whole ID number, or its last 6 / 4 digits, through the blind indexes (the
        column is encrypted); anything else searches the name."""
        term = search_term.strip()
        if term and term.rstrip("Xx").isdigit():
            return queryset.filter(id_number_search_filter(term)), False
        return super().get_search_results(request, queryset, search_term)


class CadreRecordAdmin(VisibleCadresMixin, SimpleHistoryAdmin):
    list_select_related = ["cadre"]
    autocomplete_fields = ["cadre"]
    search_fields = ["cadre__name"]


@admin.register(Commendation)
class CommendationAdmin(CadreRecordAdmin):
    list_display = ["cadre", "kind", "level", "title", "date"]
    list_filter = ["kind", "level"]


@admin.register(SanctionType)
class SanctionTypeAdmin(SimpleHistoryAdmin):
    list_display = ["category", "name", "influence_months", "citation"]
    list_editable = ["influence_months"]
    list_filter = ["category"]


@admin.register(Sanction)
class SanctionAdmin(CadreRecordAdmin):
    list_display = ["cadre", "sanction_type", "decision_date", "influence_end", "status", "follow_up_due"]
    list_filter = ["status", "sanction_type"]
    list_select_related = ["cadre", "sanction_type"]
    # Derived: the influence period from the type, the 回访教育 schedule from the visits (care.follow_ups).
    readonly_fields = ["influence_end", "follow_up_due", "follow_up_last_visit", "follow_up_visit_count"]


@admin.register(SupervisionMeasure)
class SupervisionMeasureAdmin(CadreRecordAdmin):
    list_display = ["cadre", "kind", "date", "by_whom", "status"]
    list_filter = ["kind", "status"]


@admin.register(AchievementRecord)
class AchievementRecordAdmin(CadreRecordAdmin):
    list_display = ["cadre", "year", "quarter", "source"]
    list_filter = ["year", "quarter", "source"]


@admin.register(Posting)
class PostingAdmin(CadreRecordAdmin):
    list_display = ["cadre", "unit", "position", "start_date", "end_date"]
    list_select_related = ["cadre", "unit"]


@admin.register(FamilyMember)
class FamilyMemberAdmin(CadreRecordAdmin):
    list_display = ["cadre", "relation", "name"]


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(CadreRecordAdmin):
    cadre_lookup = "sanction__cadre__in"
    list_display = ["sanction", "date", "visited_by"]
    list_select_related = ["sanction__cadre", "sanction__sanction_type"]
    autocomplete_fields = []
    search_fields = ["sanction__cadre__name"]


@admin.register(Tag)
class TagAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]
