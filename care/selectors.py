"""Reads of the care module: which care records a user may see, and the lists. Visibility
follows the cadres the user may see (`cadres_visible_to`) and, for a unit's consultation, the
units (`units_visible_to`): one place, used by every page, export and admin list. The yearly
obligations are read in care.compliance, the follow-up schedule in care.follow_ups, and what
falls due in care.sweeps."""
import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cadres.models import Cadre, FollowUpVisit, Unit, UnitKind
from cadres.selectors import cadres_visible_to, sees_whole_registry, units_visible_to
from care.models import (
    CareActivity,
    CareParticipant,
    Concern,
    ConcernStatus,
    Consultation,
    ConsultationSubmission,
)
from core import roles
from core.db import date_between

# Several measures target young cadres (seed 004); "young" is under this age today.
YOUNG_CADRE_AGE = getattr(settings, "CARE_YOUNG_CADRE_AGE", 35)


# ---------------------------------------------------------------- visibility

def _visible_cadres(user) -> QuerySet[Cadre] | None:
    """None when the user sees every cadre (admins, a city's own department), else the
    selector's queryset."""
    return None if sees_whole_registry(user) else cadres_visible_to(user)


def activities_visible_to(user) -> QuerySet[CareActivity]:
    """An activity is visible when one of its cadres is; its other cadres stay hidden."""
    if roles.is_admin(user):
        return CareActivity.objects.all()
    if not roles.can_view_registry(user):
        return CareActivity.objects.none()
    return CareActivity.objects.filter(Exists(CareParticipant.objects.filter(
        activity=OuterRef("pk"), cadre__in=cadres_visible_to(user))))


def activities_editable_by(user) -> QuerySet[CareActivity]:
    """Edits change the record of every cadre of the activity: all must be the editor's."""
    if not roles.can_edit_registry(user):
        return CareActivity.objects.none()
    if roles.is_admin(user):
        return CareActivity.objects.all()
    return activities_visible_to(user).exclude(Exists(CareParticipant.objects.filter(
        activity=OuterRef("pk")).exclude(cadre__in=cadres_visible_to(user))))


def participants_visible_to(user) -> QuerySet[CareParticipant]:
    visible = _visible_cadres(user)
    qs = CareParticipant.objects.all()
    return qs if visible is None else qs.filter(cadre__in=visible)


def can_read_confidential(user, activity: CareActivity) -> bool:
    """The conductor and leaders (DESIGN §3); the activity must already be visible."""
    return user.is_authenticated and (activity.conducted_by_id == user.pk or roles.is_leader(user))


def can_write_confidential(user, activity: CareActivity) -> bool:
    return user.is_authenticated and activity.conducted_by_id == user.pk and roles.can_edit_registry(user)


def concerns_visible_to(user) -> QuerySet[Concern]:
    if sees_whole_registry(user):
        return Concern.objects.all()
    if not roles.can_view_registry(user):
        return Concern.objects.none()
    return Concern.objects.filter(cadre__in=cadres_visible_to(user))


def consultations_visible_to(user) -> QuerySet[Consultation]:
    if roles.is_admin(user):
        return Consultation.objects.all()
    if not roles.can_view_registry(user):
        return Consultation.objects.none()
    return Consultation.objects.filter(unit__in=units_visible_to(user))


def submissions_visible_to(user) -> QuerySet[ConsultationSubmission]:
    if sees_whole_registry(user):
        return ConsultationSubmission.objects.all()
    if not roles.can_view_registry(user):
        return ConsultationSubmission.objects.none()
    return ConsultationSubmission.objects.filter(cadre__in=cadres_visible_to(user))


def follow_up_visits_visible_to(user) -> QuerySet[FollowUpVisit]:
    if sees_whole_registry(user):
        return FollowUpVisit.objects.all()
    if not roles.can_view_registry(user):
        return FollowUpVisit.objects.none()
    return FollowUpVisit.objects.filter(sanction__cadre__in=cadres_visible_to(user))


# ---------------------------------------------------------------- filters shared by every list

def young_born_after(today: datetime.date) -> datetime.date:
    """Under YOUNG_CADRE_AGE today ⇔ born after this date."""
    return today - relativedelta(years=YOUNG_CADRE_AGE)


def cadre_filter(prefix: str = "", *, unit: Unit | None = None, township: bool = False, young: bool = False,
                 today: datetime.date | None = None) -> Q:
    """Unit subtree, township cadres (currently in a 乡镇) and young cadres, on a path to Cadre."""
    q = Q()
    if unit is not None:
        q &= Q(**{f"{prefix}unit__path__startswith": unit.path})
    if township:
        q &= Q(**{f"{prefix}unit__kind": UnitKind.TOWNSHIP})
    if young:
        q &= Q(**{f"{prefix}birth_date__gt": young_born_after(today or timezone.localdate())})
    return q


def name_filter(prefix: str, term: str) -> Q:
    return Q(**{f"{prefix}name__startswith" if len(term) == 1 else f"{prefix}name__contains": term})


# ---------------------------------------------------------------- lists

def activity_list(*, user, q: str = "", kind: str = "", year: int | None = None, unit: Unit | None = None,
                  township: bool = False, young: bool = False, today: datetime.date | None = None,
                  preview: int | None = None) -> QuerySet[CareActivity]:
    """Activities with their visible cadres prefetched (visible_participants) and counted
    (visible_count); `preview` prefetches only the first few of each, for a list page."""
    qs = activities_visible_to(user)
    participants = participants_visible_to(user).filter(activity=OuterRef("pk"))
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__contains=q) | Exists(participants.filter(name_filter("cadre__", q))))
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31))
    cadres_q = cadre_filter("cadre__", unit=unit, township=township, young=young, today=today)
    if cadres_q:
        qs = qs.filter(Exists(participants.filter(cadres_q)))
    shown = participants_visible_to(user).select_related("cadre__unit").order_by("activity_id", "id")
    counted = (participants_visible_to(user).filter(activity=OuterRef("pk")).order_by().values("activity")
               .annotate(n=Count("pk")).values("n"))
    return qs.select_related("conducted_by").annotate(visible_count=Coalesce(Subquery(counted), 0)).prefetch_related(
        Prefetch("participants", queryset=shown[:preview] if preview else shown, to_attr="visible_participants")
    ).order_by("-date", "-id")


def concern_filter_q(*, status: str = "", category: str = "", overdue: bool = False, on_time: bool = False,
                     since: datetime.date | None = None, until: datetime.date | None = None,
                     today: datetime.date | None = None) -> Q:
    """The record filters of the concern list (shared with the leaders' dashboard). On time:
    answered no later than its deadline."""
    q = date_between("raised_on", since, until)
    if status:
        q &= Q(status=status)
    if category:
        q &= Q(category=category)
    if overdue:
        q &= overdue_q(today or timezone.localdate())
    if on_time:
        q &= Q(answered_on__isnull=False, answered_on__lte=F("deadline"))
    return q


def concern_list(*, user, q: str = "", status: str = "", category: str = "", overdue: bool = False,
                 unit: Unit | None = None, township: bool = False, young: bool = False, on_time: bool = False,
                 since: datetime.date | None = None, until: datetime.date | None = None,
                 today: datetime.date | None = None) -> QuerySet[Concern]:
    today = today or timezone.localdate()
    qs = concerns_visible_to(user)
    q = q.strip()
    if q:
        qs = qs.filter(name_filter("cadre__", q) | Q(content__contains=q) | Q(responder__contains=q))
    qs = qs.filter(concern_filter_q(status=status, category=category, overdue=overdue, on_time=on_time,
                                    since=since, until=until, today=today))
    qs = qs.filter(cadre_filter("cadre__", unit=unit, township=township, young=young, today=today))
    return qs.select_related("cadre__unit", "activity", "submission").order_by("status", "deadline", "id")


def overdue_q(today: datetime.date) -> Q:
    """Open past its deadline: the deadline day itself is still on time."""
    return Q(status=ConcernStatus.OPEN, deadline__lt=today)


def consultation_unanswered_q() -> Q:
    """Consultations with a submission not yet answered (000 Q8: each submission gets an answer).
    A property of the consultation itself: every submission counts, also one from a cadre since
    transferred out of the user's jurisdiction; no submission is shown by it. Shared with the
    dashboard."""
    return Q(Exists(ConsultationSubmission.objects.filter(consultation=OuterRef("pk"), answered_on__isnull=True)))


def consultation_list(*, user, q: str = "", year: int | None = None, unit: Unit | None = None,
                      township: bool = False, young: bool = False, unanswered: bool = False,
                      today: datetime.date | None = None) -> QuerySet[Consultation]:
    today = today or timezone.localdate()
    qs = consultations_visible_to(user)
    submissions = submissions_visible_to(user).filter(consultation=OuterRef("pk"))
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(unit__name__contains=q))
    if year:
        qs = qs.filter(held_on__gte=datetime.date(year, 1, 1), held_on__lte=datetime.date(year, 12, 31))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if township:
        qs = qs.filter(unit__kind=UnitKind.TOWNSHIP)
    if young:  # consultations that heard young cadres
        qs = qs.filter(Exists(submissions.filter(cadre_filter("cadre__", young=True, today=today))))
    if unanswered:
        qs = qs.filter(consultation_unanswered_q())
    visible = submissions_visible_to(user)
    return qs.select_related("unit").annotate(
        submission_count=Coalesce(Subquery(visible.filter(consultation=OuterRef("pk")).order_by()
                                           .values("consultation").annotate(n=Count("pk")).values("n")), 0),
        unanswered_count=Coalesce(Subquery(visible.filter(consultation=OuterRef("pk"), answered_on__isnull=True)
                                           .order_by().values("consultation").annotate(n=Count("pk")).values("n")), 0),
    ).order_by("-held_on", "-id")


def follow_up_visit_list(*, user, q: str = "", year: int | None = None, unit: Unit | None = None,
                         township: bool = False, young: bool = False, since: datetime.date | None = None,
                         until: datetime.date | None = None, today: datetime.date | None = None
                         ) -> QuerySet[FollowUpVisit]:
    qs = follow_up_visits_visible_to(user).filter(date_between("date", since, until))
    q = q.strip()
    if q:
        qs = qs.filter(name_filter("sanction__cadre__", q) | Q(visited_by__contains=q))
    if year:
        qs = qs.filter(date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31))
    qs = qs.filter(cadre_filter("sanction__cadre__", unit=unit, township=township, young=young, today=today))
    return qs.select_related("sanction__cadre__unit", "sanction__sanction_type").order_by("-date", "-id")
