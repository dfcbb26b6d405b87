"""Which tolerance cases a user may see and act on: one place, used by every page,
download and admin list."""
import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from cadres.models import Unit, unit_qualified_name
from cadres.selectors import cadres_visible_to, sees_whole_registry, units_visible_to, users_with_jurisdiction
from core import roles
from core.db import date_between
from core.validation import safe_date_add
from tolerance.catalogs import DEFAULT_STAGE_DAYS
from tolerance.models import (
    Allegation,
    AllegationGroupObjectPermission,
    AllegationStatus,
    AllegationUserObjectPermission,
    CaseCadre,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    ClarificationNotice,
    Conclusion,
    Determination,
    DeterminationStatus,
    FalseAccusationReferral,
    PolicyDocument,
    ReferralStatus,
    ReformFiling,
    ReReview,
    Ruling,
    Stage,
    StageDeadline,
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
    if sees_whole_registry(user):  # every case has a unit, and they see every unit
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


def eligible_investigators(unit: Unit) -> QuerySet:
    """Who may be assigned to investigate a case or verify a report about this unit: officers
    of the discipline bodies (with no jurisdiction of their own, or one covering the unit) and
    the organization-department staff whose jurisdiction covers the unit — never the staff of
    another county."""
    from django.contrib.auth import get_user_model

    from cadres.models import UnitUserObjectPermission
    from cadres.selectors import MANAGE_UNIT

    User = get_user_model()
    staff = users_with_jurisdiction(unit, roles.STAFF_ROLES).values("pk")
    officers = users_with_jurisdiction(unit, {roles.Role.DISCIPLINE_OFFICER}).values("pk")
    unbound_officers = User.objects.filter(is_active=True, groups__name=roles.Role.DISCIPLINE_OFFICER).exclude(
        pk__in=UnitUserObjectPermission.objects.filter(permission__codename=MANAGE_UNIT).values("user_id")).values("pk")
    return (User.objects.filter(Q(pk__in=staff) | Q(pk__in=officers) | Q(pk__in=unbound_officers))
            .order_by("first_name", "pk"))


def eligible_verifiers(allegation) -> QuerySet:
    """Who may verify a report: eligible for every subject's unit."""
    qs = None
    for subject in allegation.subjects.select_related("unit"):
        eligible = eligible_investigators(subject.unit)
        qs = eligible if qs is None else qs.filter(pk__in=eligible.values("pk"))
    from django.contrib.auth import get_user_model

    return qs if qs is not None else get_user_model().objects.none()


def determination_leaders(case) -> QuerySet:
    """The leaders who record the party committee's determination of this case: those with
    jurisdiction over its unit, the nearest level first (the county's own leaders before the
    city's)."""
    return users_with_jurisdiction(case.unit, {roles.Role.LEADER}, nearest=True)


def stage_responsibles(case) -> list:
    """Who is responsible for the case's current stage, i.e. who can perform its next action:
    the investigators at 调查核实, the leaders at 党委（党组）认定, the stage owner otherwise."""
    if case.stage == Stage.CLOSED:
        return []
    if case.stage == Stage.INVESTIGATION:
        investigators = list(cases_investigators(case))
        return investigators or [case.stage_owner]
    if case.stage == Stage.DETERMINATION:
        return list(determination_leaders(case)) or [case.stage_owner]
    return [case.stage_owner]


def cases_investigators(case) -> QuerySet:
    from django.contrib.auth import get_user_model

    direct = CaseUserObjectPermission.objects.filter(content_object=case, permission__codename=INVESTIGATE)
    return get_user_model().objects.filter(pk__in=direct.values("user_id")).order_by("pk")


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


# What happened to a case between two dates (the list's 统计事项 filter; the leaders'
# dashboard counts the same conditions, so a figure and its list always agree).
CASE_EVENTS = [
    ("filed", "立案"),
    ("decided", "作出（现行）认定"),
    ("rereview", "申请复核"),
    ("rereview_upheld", "复核后维持原认定"),
    ("rereview_changed", "复核后变更认定"),
    ("rereview_pending", "申请复核、尚未重新认定"),
]


def redeterminations():
    """Determinations in force that replaced an earlier one: the decisions on a re-review
    (only a re-review sends a determined case back to the determination stage)."""
    return Determination.objects.filter(status=DeterminationStatus.CURRENT).filter(Exists(
        Determination.objects.filter(case=OuterRef("case"), status=DeterminationStatus.SUPERSEDED)))


def changed_rulings():
    """Rulings in force whose outcome differs from the same cadre's outcome in the
    determination replaced most recently (a ruling without an earlier one is no change)."""
    replaced = Ruling.objects.filter(case_cadre=OuterRef("case_cadre"),
                                     determination__status=DeterminationStatus.SUPERSEDED).order_by(
        "-determination__recorded_at", "-determination_id").values("outcome")[:1]
    return current_rulings().annotate(replaced_outcome=Subquery(replaced)).filter(
        replaced_outcome__isnull=False).exclude(outcome=F("replaced_outcome"))


def case_event_q(event: str, since: datetime.date | None, until: datetime.date | None) -> Q:
    """Cases to which `event` happened within [since, until] (either end open).
    A determination counts on the date of the one in force: a case re-reviewed and
    decided again counts once, in the period of its current determination."""
    if event == "filed":
        return date_between("created_at__date", since, until)
    if event == "decided":
        return Q(pk__in=Determination.objects.filter(
            date_between("decided_on", since, until), status=DeterminationStatus.CURRENT).values("case_id"))
    if event == "rereview":
        return Q(pk__in=ReReview.objects.filter(date_between("requested_on", since, until)).values("case_id"))
    if event in ("rereview_upheld", "rereview_changed"):
        # Counted on the date of the decision on the re-review, under the one in force: a
        # case re-reviewed twice counts once, for its latest decision.
        decided_cases = redeterminations().filter(date_between("decided_on", since, until)).values("case_id")
        decided = Q(pk__in=decided_cases)
        # Only the few re-decided cases' rulings are compared with the ones they replaced: over
        # every ruling of a city the comparison made the dashboard's count of all case figures
        # take 8 s instead of 0.2 s at 100,000 cadres.
        changed = Q(pk__in=changed_rulings().filter(case_cadre__case_id__in=decided_cases).values("case_cadre__case_id"))
        return decided & (changed if event == "rereview_changed" else ~changed)
    if event == "rereview_pending":
        # Requested in the period and back in the determination stage now, awaiting the new
        # determination (a case reaches that stage again only through a re-review).
        return Q(pk__in=ReReview.objects.filter(date_between("requested_on", since, until)).values("case_id"), stage=Stage.DETERMINATION)
    return Q()


def stage_limits() -> dict[str, int]:
    """The days allowed for each stage before 已办结: the StageDeadline rows (edited in admin),
    else the catalog's defaults. Calendar days, as services.stage_deadline counts them."""
    rows = dict(StageDeadline.objects.values_list("stage", "days"))
    return {stage: rows.get(stage, DEFAULT_STAGE_DAYS.get(stage, 0)) for stage in Stage.values if stage != Stage.CLOSED}


def overdue_on_q(day: datetime.date, limits: dict[str, int] | None = None) -> Q:
    """Cases open at the end of `day` (Beijing time) whose stage on that day had passed its
    deadline: the stage is the one the last event up to that day moved the case into (立案
    for a case without events), entered on that event's date; its deadline is that date plus
    the stage's days, as services.stage_deadline sets it when the case moves, and, as for the
    live `overdue` filter, the case is overdue once the deadline is before the day (on the
    deadline itself it is not). Closed cases are in 已办结, which has no deadline.

    Written as "an event late for its stage with no later event up to the day" (one
    anti-join), not as the last event per case annotated and tested stage by stage: Django
    repeats an annotation's subquery in every condition that uses it. `limits`: stage_limits(),
    when the caller has read it already (the dashboard counts several periods)."""
    if limits is None:
        limits = stage_limits()
    late = Q()
    for stage, days in limits.items():
        late |= Q(to_stage=stage, at__date__lt=safe_date_add(day, days=-days))
    later = CaseEvent.objects.filter(case=OuterRef("case"), at__date__lte=day).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
    stuck = CaseEvent.objects.filter(late).filter(~Exists(later)).values("case_id")
    # No event up to the day: in 立案 since it was filed. A case with no events at all (loaded
    # in bulk, without a history) can only be judged by its stored stage and deadline.
    unrecorded = ~Exists(CaseEvent.objects.filter(case=OuterRef("pk")))
    not_moved = ToleranceCase.objects.filter(
        ~Exists(CaseEvent.objects.filter(case=OuterRef("pk"), at__date__lte=day)), created_at__date__lte=day).filter(
        (unrecorded & ~Q(stage=Stage.CLOSED) & Q(stage_deadline__lt=day))
        | (~unrecorded & Q(created_at__date__lt=safe_date_add(day, days=-limits[Stage.FILED])))).values("pk")
    return Q(pk__in=stuck) | Q(pk__in=not_moved)


def left_stage_q(stage: str, since: datetime.date | None, until: datetime.date | None) -> Q:
    """Cases that left `stage` (moved on from it) within [since, until], by Beijing date."""
    events = CaseEvent.objects.filter(date_between("at__date", since, until), from_stage=stage)
    return Q(pk__in=events.values("case_id"))


def case_filter_q(*, stage="", outcome="", overdue=False, wrongly=False, event="", since=None, until=None,
                  today=None, overdue_on=None, left_stage="", limits=None) -> Q:
    """The record filters of the case list, as one condition (no joins: counted as is).
    `overdue_on`: overdue as of the end of that day (a day still ahead counts as of today, so
    a period not yet over ends today), under `limits` (stage_limits(), read here if not given);
    `left_stage`: left that stage between since and until."""
    today = today or timezone.localdate()
    q = Q()
    if stage:
        q &= Q(stage=stage)
    if overdue_on:
        q &= overdue_on_q(min(overdue_on, today), limits)
    if left_stage:
        q &= left_stage_q(left_stage, since, until)
    if outcome:
        q &= Q(pk__in=current_rulings().filter(outcome=outcome).values("case_cadre__case_id"))
    if wrongly:
        q &= Q(pk__in=current_rulings().filter(should_have_been_tolerated=True).values("case_cadre__case_id"))
    if overdue:
        q &= ~Q(stage=Stage.CLOSED) & Q(stage_deadline__lt=today)
    if event:
        q &= case_event_q(event, since, until)
    return q


def case_list(*, user, q="", stage="", outcome="", overdue=False, unit=None, officer=None, year=None,
              wrongly=False, event="", since=None, until=None, today=None, overdue_on=None,
              left_stage="") -> QuerySet[ToleranceCase]:
    qs = cases_visible_to(user).select_related("unit", "stage_owner", "policy")
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(case_cadres__cadre__name__contains=q)).distinct()
    qs = qs.filter(case_filter_q(stage=stage, outcome=outcome, overdue=overdue, wrongly=wrongly, event=event,
                                 since=since, until=until, today=today, overdue_on=overdue_on, left_stage=left_stage))
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
        cases_visible_to(user).values("unit__path", "unit__name").annotate(n=Count("id"))
        .order_by("-n", "unit__path")
    )
    return {
        "by_outcome_year": [(r["determination__decided_on__year"], r["outcome"], r["n"]) for r in by_outcome_year],
        "by_unit": [(unit_qualified_name(r["unit__path"], r["unit__name"]), r["n"]) for r in by_unit],
        "wrongly_not_tolerated": rulings.filter(should_have_been_tolerated=True).count(),
    }


@dataclass
class StageStays:
    stage: str
    stays: int
    median_days: float | None


def _median(histogram: Counter) -> float | None:
    """The median of the values counted in `histogram` (value -> how many): the middle one,
    or the mean of the two middle ones, as PostgreSQL's PERCENTILE_CONT(0.5) gives it."""
    total = sum(histogram.values())
    if not total:
        return None
    middle, seen, below = [(total - 1) // 2, total // 2], 0, {}
    for value in sorted(histogram):
        for position in middle:
            if seen <= position < seen + histogram[value]:
                below[position] = value
        seen += histogram[value]
    return (below[middle[0]] + below[middle[1]]) / 2


def stage_stays(cases: QuerySet, *, since: datetime.date, until: datetime.date) -> list[StageStays]:
    """For each stage before 已办结, the stays of `cases` in it that ended within [since, until]
    (Beijing dates) and the median of their lengths in calendar days. A stay ends with the
    event moving the case on from the stage and begins with the latest earlier event moving it
    into the stage (the case's filing when there is none); its length is the difference of the
    two Beijing dates, so a stay from 23:30 to 00:30 the next day is 1 day.

    One query: the database groups the stays by stage and length and the median is taken here
    from those (stage, days, count) rows. It is portable (SQLite has no percentile function)
    and bounded: the rows are at most the stages times the distinct lengths in days, however
    many stays there are."""
    entry = (CaseEvent.objects.filter(case=OuterRef("case"), to_stage=OuterRef("from_stage"))
             .filter(Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk")))
             .order_by("-at", "-id").values("at")[:1])
    rows = (CaseEvent.objects.filter(case__in=cases, at__date__gte=since, at__date__lte=until)
            .exclude(from_stage__in=["", Stage.CLOSED])
            .annotate(entered=Coalesce(Subquery(entry), F("case__created_at")))
            .annotate(days=TruncDate("at") - TruncDate("entered"))
            .values_list("from_stage", "days").annotate(n=Count("id")).order_by())
    histograms: dict[str, Counter] = {}
    for stage, days, n in rows:
        histograms.setdefault(stage, Counter())[days.days] += n
    return [StageStays(stage, sum(histograms.get(stage, Counter()).values()), _median(histograms.get(stage, Counter())))
            for stage in Stage.values if stage != Stage.CLOSED]


def reform_filings_visible_to(user) -> QuerySet[ReformFiling]:
    if roles.is_admin(user):
        return ReformFiling.objects.all()
    if not roles.can_view_registry(user):
        return ReformFiling.objects.none()
    return ReformFiling.objects.filter(unit__in=units_visible_to(user))


REFORM_EVENTS = [
    ("filed", "备案"),
    ("cited", "被案件关联为证据"),
]


def reform_filter_q(*, event="", since=None, until=None) -> Q:
    """The record filters of the reform filing list (shared with the dashboard). "cited": a
    tolerance case filed in the period names the filing as evidence for the decision-procedure
    condition (seed 000 Q7) — counted in the year the case arose, not the year of filing."""
    if event == "filed":
        return date_between("filed_on", since, until)
    if event == "cited":
        cases = ToleranceCase.objects.filter(date_between("created_at__date", since, until), reform_filing__isnull=False)
        return Q(pk__in=cases.values("reform_filing_id"))
    return Q()


def reform_filing_list(*, user, q="", unit=None, event="", since=None, until=None) -> QuerySet[ReformFiling]:
    qs = reform_filings_visible_to(user).select_related("unit", "filed_by")
    if q:
        qs = qs.filter(title__contains=q)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.filter(reform_filter_q(event=event, since=since, until=until))


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


def promotion_blocked() -> Q:
    """The cadres promotion_blocks would give a reason for, as one SQL condition on Cadre
    (uncorrelated INs: the promotion shortlist filters and counts a whole city with it)."""
    subjects = Allegation.subjects.through.objects
    return (Q(pk__in=subjects.filter(allegation__status__in=OPEN_ALLEGATION).values("cadre_id"))
            | Q(pk__in=subjects.filter(allegation__conclusion__in=[Conclusion.TRUE, Conclusion.PARTLY],
                                       allegation__tolerance_case__isnull=True).values("cadre_id"))
            | Q(pk__in=CaseCadre.objects.exclude(Exists(current_rulings().filter(case_cadre=OuterRef("pk"))))
                .values("cadre_id")))


def promotion_blocks(cadre_ids) -> dict[int, list[str]]:
    """Why each cadre is screened out of promotion by this module (DESIGN §3):
    - an allegation not yet concluded (Hanzhong's 问题信息档案: 直至问题核实清楚);
    - an allegation found true without its accountability case yet;
    - an accountability or tolerance case still undetermined ("pending accountability").
    A few queries for any number of cadres."""
    blocks: dict[int, list[str]] = {}
    open_allegations = Allegation.subjects.through.objects.filter(
        cadre_id__in=cadre_ids, allegation__status__in=OPEN_ALLEGATION).values_list("cadre_id", "allegation__issue")
    for cadre_id, issue in open_allegations:
        blocks.setdefault(cadre_id, []).append(f"问题线索未核实：{issue}")
    unaccounted = Allegation.subjects.through.objects.filter(
        cadre_id__in=cadre_ids, allegation__conclusion__in=[Conclusion.TRUE, Conclusion.PARTLY],
        allegation__tolerance_case__isnull=True).values_list("cadre_id", "allegation__issue")
    for cadre_id, issue in unaccounted:
        blocks.setdefault(cadre_id, []).append(f"问责待定：{issue}（线索属实，尚未问责）")
    pending = (
        CaseCadre.objects.filter(cadre_id__in=cadre_ids)
        .exclude(Exists(current_rulings().filter(case_cadre=OuterRef("pk"))))
        .values_list("cadre_id", "case__title")
    )
    for cadre_id, title in pending:
        blocks.setdefault(cadre_id, []).append(f"问责待定：{title}（容错纠错案件尚未认定）")
    return blocks


# ------------------------------------------------------------------------------ allegations

OPEN_ALLEGATION = [AllegationStatus.RECEIVED, AllegationStatus.VERIFYING]
VERIFY = "verify_allegation"


def allegations_assigned_to(user) -> QuerySet[Allegation]:
    direct = AllegationUserObjectPermission.objects.filter(user=user, permission__codename=VERIFY)
    via_group = AllegationGroupObjectPermission.objects.filter(group__user=user, permission__codename=VERIFY)
    return Allegation.objects.filter(
        Q(pk__in=direct.values("content_object_id")) | Q(pk__in=via_group.values("content_object_id")))


def allegations_visible_to(user) -> QuerySet[Allegation]:
    """Assigned verifiers keep their allegations; staff and leaders see those about cadres
    in their jurisdiction (subject, status and outcome — never the reporter)."""
    if not user.is_authenticated:
        return Allegation.objects.none()
    if roles.is_admin(user):
        return Allegation.objects.all()
    visible = Q(pk__in=allegations_assigned_to(user).values("pk"))
    if roles.can_view_registry(user):
        subjects = Allegation.subjects.through.objects.all()
        if not sees_whole_registry(user):
            subjects = subjects.filter(cadre__in=cadres_visible_to(user))
        visible |= Q(pk__in=subjects.values("allegation_id"))
    return Allegation.objects.filter(visible)


def may_see_reporter(user, allegation) -> bool:
    """Only the assigned verifiers; superusers go through the identity's own admin page."""
    return allegations_assigned_to(user).filter(pk=allegation.pk).exists()


def can_handle_allegation(user, allegation) -> bool:
    return roles.is_admin(user) or roles.is_staff_member(user) or may_see_reporter(user, allegation)


ALLEGATION_EVENTS = [
    ("received", "受理"),
    ("ended", "办结或了结"),
    ("referred", "诬告陷害移送追责"),
]


def allegation_filter_q(*, status="", source="", conclusion="", overdue=False, repeated=False, event="",
                        since=None, until=None, today=None, open_days=None) -> Q:
    """The record filters of the allegation list, as one condition (shared with the dashboard).
    A direct close stamps concluded_on too, so "ended" covers both ways out. "referred" is the
    date a 诬告陷害 finding was handed to the body that holds the accuser accountable.
    open_days: still open today (the subjects screened from promotion) for at least that
    many days since receipt (0: open at all)."""
    today = today or timezone.localdate()
    q = Q()
    if status:
        q &= Q(status=status)
    if open_days is not None:
        q &= Q(status__in=OPEN_ALLEGATION, received_on__lte=today - datetime.timedelta(days=open_days))
    if source:
        q &= Q(source=source)
    if conclusion:
        q &= Q(conclusion=conclusion)
    if overdue:
        q &= Q(status__in=OPEN_ALLEGATION, deadline__lt=today)
    if repeated:
        q &= Q(duplicate_of__isnull=False)
    if event == "referred":
        referred = FalseAccusationReferral.objects.exclude(status=ReferralStatus.PENDING)
        if since:
            referred = referred.filter(referred_on__gte=since)
        if until:
            referred = referred.filter(referred_on__lte=until)
        q &= Q(pk__in=referred.values("allegation_id"))
    field = {"received": "received_on", "ended": "concluded_on"}.get(event)
    if field and since:
        q &= Q(**{f"{field}__gte": since})
    if field and until:
        q &= Q(**{f"{field}__lte": until})
    return q


def allegations_in_subtree(path: str) -> Q:
    """Allegations about a cadre now in the subtree: an allegation stores no unit of its own,
    so it follows its subjects' current units (as the list always has)."""
    return Q(pk__in=Allegation.subjects.through.objects.filter(cadre__unit__path__startswith=path)
             .values("allegation_id"))


def allegation_list(*, user, q="", status="", source="", conclusion="", overdue=False, unit=None, repeated=False,
                    event="", since=None, until=None, today=None, open_days=None):
    qs = allegations_visible_to(user).prefetch_related("subjects__unit")
    if q:
        qs = qs.filter(Q(issue__contains=q) | Q(subjects__name__contains=q)).distinct()
    qs = qs.filter(allegation_filter_q(status=status, source=source, conclusion=conclusion, overdue=overdue,
                                       repeated=repeated, event=event, since=since, until=until, today=today,
                                       open_days=open_days))
    if unit is not None:
        qs = qs.filter(allegations_in_subtree(unit.path))
    return qs.order_by("-received_on", "-id")


def notice_list(*, user, q="", unit=None, since=None, until=None, published=False) -> QuerySet[ClarificationNotice]:
    qs = notices_visible_to(user).select_related("cadre__unit")
    if q:
        qs = qs.filter(cadre__name__contains=q)
    qs = qs.filter(notice_filter_q(since=since, until=until, published=published))
    if unit is not None:
        qs = qs.filter(cadre__unit__path__startswith=unit.path)
    return qs


def notice_filter_q(*, since=None, until=None, published=False) -> Q:
    """published: marked for the periodic publication of false-report cases (the same
    notices publication_list shows; seed 002 art. 11(3))."""
    q = Q(publishable=True) if published else Q()
    if since:
        q &= Q(issued_on__gte=since)
    if until:
        q &= Q(issued_on__lte=until)
    return q


def notices_visible_to(user) -> QuerySet[ClarificationNotice]:
    if roles.is_admin(user):
        return ClarificationNotice.objects.all()
    return ClarificationNotice.objects.filter(allegation__in=allegations_visible_to(user))


def publication_list(*, user, year: int, quarter: int | None = None) -> QuerySet[ClarificationNotice]:
    """Seed 002 art. 11(3): false-report cases published periodically; only notices marked
    publishable, and only what a publication shows (never the reporter)."""
    qs = notices_visible_to(user).filter(publishable=True, issued_on__year=year).select_related("cadre__unit",
                                                                                                 "allegation")
    if quarter:
        qs = qs.filter(issued_on__month__gte=3 * quarter - 2, issued_on__month__lte=3 * quarter)
    return qs.order_by("issued_on", "id")


def allegation_figures(*, user) -> dict:
    """For dashboards: allegations by source and conclusion; clarified cadres per year."""
    allegations = allegations_visible_to(user)
    by_source = list(allegations.values("source", "conclusion").annotate(n=Count("id")).order_by("source", "conclusion"))
    clarified = list(notices_visible_to(user).values("year").annotate(n=Count("cadre", distinct=True)).order_by("year"))
    return {
        "by_source_conclusion": [(r["source"], r["conclusion"], r["n"]) for r in by_source],
        "clarified_per_year": [(r["year"], r["n"]) for r in clarified],
    }


def workbench_items(user, today):
    """My open tasks in this module: case stages I am responsible for, allegations I verify."""
    from core.panels import WorkItem

    # The stage owner's cases, the cases the user investigates while 调查核实 is open, and the
    # cases awaiting a determination a leader may record (jurisdiction over the unit).
    mine = Q(stage_owner=user) | Q(stage=Stage.INVESTIGATION, pk__in=cases_assigned_to(user).values("pk"))
    if can_determine(user):
        mine |= Q(stage=Stage.DETERMINATION, unit__in=units_visible_to(user))
    cases = (cases_visible_to(user).filter(mine).exclude(stage=Stage.CLOSED)
             .only("id", "title", "stage", "stage_deadline").order_by("stage_deadline")[:100])
    items = [WorkItem("容错纠错", c.title, f"/tolerance/{c.pk}/", c.stage_deadline, c.get_stage_display())
             for c in cases]
    allegations = (allegations_assigned_to(user).filter(status__in=OPEN_ALLEGATION)
                   .only("id", "issue", "deadline", "status").order_by("deadline")[:100])
    items += [WorkItem("问题线索", f"核查：{a.issue}", f"/allegations/{a.pk}/", a.deadline, a.get_status_display())
              for a in allegations]
    if roles.is_staff_member(user) or roles.is_admin(user):
        # The department's own steps: review a new report (assign verifiers or close it), issue
        # the clarification of a report found false, open the accountability case of one found true.
        # NOT EXISTS rather than a join to the notices and DISTINCT over the result.
        noticed = Exists(ClarificationNotice.objects.filter(allegation=OuterRef("pk")))
        staff_steps = allegations_visible_to(user).filter(
            Q(status=AllegationStatus.RECEIVED)
            | (Q(conclusion__in=[Conclusion.FALSE, Conclusion.FRAMED]) & ~noticed)
            | Q(conclusion__in=[Conclusion.TRUE, Conclusion.PARTLY], tolerance_case__isnull=True)
        ).only("id", "issue", "status", "conclusion", "received_on").order_by("received_on", "pk")[:100]
        for a in staff_steps:
            if a.status == AllegationStatus.RECEIVED:
                items.append(WorkItem("问题线索", f"审查处置：{a.issue}", f"/allegations/{a.pk}/", None, "待审查"))
            elif a.conclusion in (Conclusion.FALSE, Conclusion.FRAMED):
                items.append(WorkItem("问题线索", f"澄清正名：{a.issue}", f"/allegations/{a.pk}/", None, "待澄清正名"))
            else:
                items.append(WorkItem("问题线索", f"转入问责：{a.issue}", f"/allegations/{a.pk}/", None, "待转入问责"))
    return items
