"""The API's named URLs in the main permission matrix (browser session personas). The
dedicated API matrix (tests/api/test_matrix.py) reuses these expectations for tokens."""
import datetime

from api.models import Scope
from api.services import token_create
from tests.matrix_common import R

A = 401  # unauthenticated API call
API_VIEWERS = {"staff_a": 200, "staff_b": 200, "officer_assigned": 403, "officer_unassigned": 403,
               "leader": 200, "admin": 200, "anonymous": A}
API_EVERYONE = {**{p: 200 for p in API_VIEWERS}, "anonymous": A}
# Objects of unit A (cadre A, its case, allegation and notice; unit A's quarterly review).
CADRE_A = {**API_VIEWERS, "staff_b": 404}
CASE = {**API_EVERYONE, "staff_b": 404, "officer_unassigned": 404}
REVIEW_A = CADRE_A
MANAGERS = {"staff_a": 403, "staff_b": 403, "officer_assigned": 403, "officer_unassigned": 403, "leader": 403,
            "admin": 200, "anonymous": R}

# name -> (method, kwargs(world), {persona: status}, scope a token needs)
API_MATRIX = {
    "api:unit_list": ("get", lambda w: {}, API_VIEWERS, Scope.READ_CADRES),
    "api:cadre_list": ("get", lambda w: {}, API_VIEWERS, Scope.READ_CADRES),
    "api:cadre_detail": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A, Scope.READ_CADRES),
    # Without its required parameters the shortlist answers 400 to whoever may ask for it.
    "api:shortlist": ("get", lambda w: {}, {**API_VIEWERS, **{p: 400 for p in ("staff_a", "staff_b", "leader",
                                                                               "admin")}}, Scope.READ_CADRES),
    "api:case_list": ("get", lambda w: {}, API_EVERYONE, Scope.READ_CASES),
    "api:case_detail": ("get", lambda w: {"pk": w.case.pk}, CASE, Scope.READ_CASES),
    "api:allegation_list": ("get", lambda w: {}, API_EVERYONE, Scope.READ_ALLEGATIONS),
    "api:allegation_detail": ("get", lambda w: {"pk": w.allegation.pk}, CASE, Scope.READ_ALLEGATIONS),
    "api:notice_list": ("get", lambda w: {}, API_EVERYONE, Scope.READ_ALLEGATIONS),
    "api:notice_detail": ("get", lambda w: {"pk": w.notice.pk}, CASE, Scope.READ_ALLEGATIONS),
    "api:notice_pdf": ("get", lambda w: {"pk": w.notice.pk}, CASE, Scope.READ_ALLEGATIONS),
    "api:review_list": ("get", lambda w: {}, API_VIEWERS, Scope.READ_REVIEWS),
    "api:review_detail": ("get", lambda w: {"pk": w.review.pk}, REVIEW_A, Scope.READ_REVIEWS),
    "api:review_facts": ("get", lambda w: {"pk": w.review.pk}, REVIEW_A, Scope.READ_REVIEWS),
}

MATRIX = {name: (method, kwargs, expected) for name, (method, kwargs, expected, _) in API_MATRIX.items()}
MATRIX.update({
    "api:schema": ("get", lambda w: {}, API_EVERYONE),
    "api:docs": ("get", lambda w: {}, {**API_EVERYONE, "anonymous": R}),
    "api:token_list": ("get", lambda w: {}, MANAGERS),
    "api:token_revoke": ("get", lambda w: {"pk": w.api_token.pk}, MANAGERS),
})


def setup(world):
    world.api_token, _ = token_create(by=world.users["admin"], user=world.users["staff_a"], note="矩阵",
                                      scopes=[Scope.READ_CADRES],
                                      expires_on=datetime.date.today() + datetime.timedelta(days=30))
