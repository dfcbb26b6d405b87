"""Which units a user's dashboard may cover: the units of their jurisdiction (the same
selector every list page uses), the one shown first, and the counts kept for them."""
from functools import cache

from django.apps import apps

from cadres.models import Unit
from cadres.selectors import granted_subtree_paths, jurisdiction_scope, units_visible_to
from core import roles
from core.db import kept_until_changed

# The tables the dashboard's counts and tables read (a test keeps this complete), grants included.
COUNTED_MODELS = {
    "cadres": "Cadre FollowUpVisit Sanction SupervisionMeasure Unit UnitGroupObjectPermission UnitUserObjectPermission",
    "tolerance": "Allegation Allegation_subjects CaseCadre CaseEvent ClarificationNotice Determination "
                 "FalseAccusationReferral ReReview ReformFiling Ruling StageDeadline ToleranceCase "
                 "AllegationGroupObjectPermission AllegationUserObjectPermission CaseGroupObjectPermission "
                 "CaseUserObjectPermission",
    "assessment": "AssessmentYear CadreGrade GradeReview PriorityRecord Promotion QuarterlyReview QuotaApproval "
                  "QuotaRule Ranking RankingEntry ReviewEvent TeamInterview",
    "care": "CareParticipant Concern Consultation ConsultationSubmission LeaveEntitlement ObligationRule",
}


def dashboard_units(user):
    return units_visible_to(user).order_by("path")


def default_unit(user) -> Unit | None:
    """The top of the user's jurisdiction: the county for county staff, the city for the
    city's department; an administrator starts at the first root unit."""
    if roles.is_admin(user):
        return Unit.objects.filter(depth=1).order_by("path").first()
    paths = granted_subtree_paths(user)
    return Unit.objects.filter(path=paths[0]).first() if paths else None


def may_view_dashboard(user) -> bool:
    return roles.can_view_registry(user)


@cache
def counted_models() -> tuple:
    return tuple(apps.get_model(label, name) for label, names in COUNTED_MODELS.items() for name in names.split())


def kept_for(user, parts: tuple, compute):
    """`compute()` (counts, rendered sections) kept per user, jurisdiction and `parts` (unit,
    period, the day: live figures are counted as of today) until a counted record or a grant
    changes (core.db.kept_until_changed): a leader's repeated views read the counts once."""
    return kept_until_changed("dashboard", (user.pk, jurisdiction_scope(user), *parts), counted_models(), compute)
