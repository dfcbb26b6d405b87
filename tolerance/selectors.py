"""Which tolerance cases a user may see and act on: one place, used by every page,
download and admin list."""
import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from cadres.models import Unit
from cadres.selectors import cadres_visible_to, units_visible_to
from core import roles
from tolerance.models import (
    CaseCadre,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Determination,
    PolicyDocument,
    ReformFiling,
    Ruling,
    Stage,
    ToleranceCase,
)

INVESTIGATE = "investigate_case"


def cases_assigned_to(user) -> QuerySet[ToleranceCase]:
    direct = CaseUserObjectPermission.objects.filter(user=user, permission__codename=INVESTIGATE)
    via_group = CaseGroupObjectPermission.objects.filter(group__user=user, permission__codename=INVESTIGATE)
    return ToleranceCase.objects.filter(
        Q(pk__in=direct.values("content_object_id")) | Q(pk__in=via_group.values("content_object_id"))
    )


def cases_visible_to(user) -> QuerySet[ToleranceCase]:
    """Admins see all; assigned investigators keep their cases; department staff and
    leaders see the cases of the cadres and units in their jurisdiction."""
    if not user.is_authenticated:
        return ToleranceCase.objects.none()
    if roles.is_admin(user):
        return ToleranceCase.objects.all()
    visible = Q(pk__in=cases_assigned_to(user).values("pk"))
    if roles.can_view_registry(user):
        visible |= Q(unit__in=units_visible_to(user)) | Q(case_cadres__cadre__in=cadres_visible_to(user))
    return ToleranceCase.objects.filter(pk__in=ToleranceCase.objects.filter(visible).values("pk"))


def is_assigned(user, case) -> bool:
    return cases_assigned_to(user).filter(pk=case.pk).exists()


def can_handle(user, case) -> bool:
    """Work the case (checklist, evidence, opinions, feedback, filing): department staff
    and admins who see it, and its assigned investigators."""
    return roles.is_admin(user) or roles.is_staff_member(user) or is_assigned(user, case)


def can_assign(user) -> bool:
    return roles.is_admin(user) or roles.is_staff_member(user)


def can_determine(user) -> bool:
    """The party committee decides; a leader records its determination (DESIGN §3)."""
    return roles.is_leader(user)


def policy_in_force(unit: Unit, on: datetime.date) -> PolicyDocument | None:
    """The document of the nearest ancestor (or the unit itself) in force on the date."""
    steplen = Unit.steplen
    paths = [unit.path[:i] for i in range(steplen, len(unit.path) + 1, steplen)]
    return (
        PolicyDocument.objects.filter(unit__path__in=paths, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-unit__depth", "-effective_from", "-id")
        .first()
    )


def current_rulings():
    return Ruling.objects.filter(determination__status="current")


def case_list(*, user, q="", stage="", outcome="", overdue=False, unit=None, officer=None, year=None,
              today=None) -> QuerySet[ToleranceCase]:
    today = today or datetime.date.today()
    qs = cases_visible_to(user).select_related("unit", "stage_owner", "policy")
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(case_cadres__cadre__name__contains=q)).distinct()
    if stage:
        qs = qs.filter(stage=stage)
    if outcome:
        qs = qs.filter(Exists(current_rulings().filter(case_cadre__case=OuterRef("pk"), outcome=outcome)))
    if overdue:
        qs = qs.exclude(stage=Stage.CLOSED).filter(stage_deadline__lt=today)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if officer is not None:
        qs = qs.filter(pk__in=cases_assigned_to(officer).values("pk"))
    if year:
        qs = qs.filter(error_date__year=year)
    return qs.order_by("-created_at", "-id")


def case_figures(*, user) -> dict:
    """For dashboards: current rulings by outcome and year, and cases by unit."""
    rulings = current_rulings().filter(case_cadre__case__in=cases_visible_to(user))
    by_outcome_year = list(
        rulings.values("outcome", "determination__decided_on__year").annotate(n=Count("id"))
        .order_by("determination__decided_on__year", "outcome")
    )
    by_unit = list(
        cases_visible_to(user).values("unit__name").annotate(n=Count("id")).order_by("-n", "unit__name")
    )
    return {
        "by_outcome_year": [(r["determination__decided_on__year"], r["outcome"], r["n"]) for r in by_outcome_year],
        "by_unit": [(r["unit__name"], r["n"]) for r in by_unit],
        "wrongly_not_tolerated": rulings.filter(should_have_been_tolerated=True).count(),
    }


def reform_filings_visible_to(user) -> QuerySet[ReformFiling]:
    if roles.is_admin(user):
        return ReformFiling.objects.all()
    if not roles.can_view_registry(user):
        return ReformFiling.objects.none()
    return ReformFiling.objects.filter(unit__in=units_visible_to(user))


def current_determination(case) -> Determination | None:
    return case.determinations.filter(status="current").first()


def cadre_tolerance_entries(*, cadre, user):
    """The cadre's cases the user may see, each with its current ruling and consequences."""
    from tolerance.models import Consequence

    return (
        CaseCadre.objects.filter(cadre=cadre, case__in=cases_visible_to(user))
        .select_related("case")
        .prefetch_related(Prefetch("rulings", queryset=current_rulings().prefetch_related(
            Prefetch("consequences", queryset=Consequence.objects.filter(active=True).select_related(
                "sanction__sanction_type", "measure")))))
        .order_by("-case__created_at")
    )


def promotion_blocks(cadre_ids) -> dict[int, list[str]]:
    """Why each cadre is screened out of promotion by this module: an accountability or
    tolerance case still undetermined blocks promotion ("pending accountability") until its
    determination, whose consequences then apply (DESIGN §3). One query for any number."""
    blocks: dict[int, list[str]] = {}
    pending = (
        CaseCadre.objects.filter(cadre_id__in=cadre_ids)
        .exclude(Exists(current_rulings().filter(case_cadre=OuterRef("pk"))))
        .values_list("cadre_id", "case__title")
    )
    for cadre_id, title in pending:
        blocks.setdefault(cadre_id, []).append(f"问责待定：{title}（容错纠错案件尚未认定）")
    return blocks
