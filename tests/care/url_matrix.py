"""Care URLs × personas. Staff and admins write within their jurisdiction, leaders read,
discipline officers have no care pages (403), and records of cadres outside the user's
jurisdiction do not exist for them (404)."""
import datetime

from care import services
from care.models import CareKind
from tests.matrix_common import CADRE_A_EDIT, CADRE_A_VIEW, EDITORS, STARTS_JOB, VIEWERS, R

# The talk with cadre A was conducted by staff_a: its confidential note is for staff_a and
# leaders only (the admin is neither).
CONFIDENTIAL = {**CADRE_A_VIEW, "admin": 403}
CADRE_A_POST = {**CADRE_A_EDIT, "staff_a": R, "admin": R}

MATRIX = {
    "care:activity_list": ("get", lambda w: {}, VIEWERS),
    "care:activity_export": ("post", lambda w: {}, STARTS_JOB),
    "care:activity_create": ("get", lambda w: {}, EDITORS),
    "care:activity_detail": ("get", lambda w: {"pk": w.care_activity.pk}, CADRE_A_VIEW),
    "care:activity_edit": ("get", lambda w: {"pk": w.care_activity.pk}, CADRE_A_EDIT),
    "care:activity_add_cadres": ("get", lambda w: {"pk": w.care_activity.pk}, CADRE_A_EDIT),
    "care:activity_remove_cadre": ("get", lambda w: {"pk": w.care_activity.pk, "cadre_pk": w.cadre_a.pk}, CADRE_A_EDIT),
    "care:activity_confidential": ("get", lambda w: {"pk": w.care_activity.pk}, CONFIDENTIAL),
    "care:concern_list": ("get", lambda w: {}, VIEWERS),
    "care:concern_create": ("get", lambda w: {"source": "activities", "pk": w.care_activity.pk}, CADRE_A_EDIT),
    "care:concern_detail": ("get", lambda w: {"pk": w.care_concern.pk}, CADRE_A_VIEW),
    "care:concern_answer": ("post", lambda w: {"pk": w.care_concern.pk}, CADRE_A_POST),
    "care:consultation_list": ("get", lambda w: {}, VIEWERS),
    "care:consultation_create": ("get", lambda w: {}, EDITORS),
    "care:consultation_detail": ("get", lambda w: {"pk": w.care_consultation.pk}, CADRE_A_VIEW),
    "care:submission_create": ("post", lambda w: {"pk": w.care_consultation.pk}, CADRE_A_POST),
    "care:submission_answer": ("post", lambda w: {"pk": w.care_submission.pk}, CADRE_A_POST),
    "care:compliance": ("get", lambda w: {}, VIEWERS),
    "care:follow_up_list": ("get", lambda w: {}, VIEWERS),
}


def setup(world):
    staff = world.users["staff_a"]
    world.care_activity = services.care_activity_record(
        by=staff, kind=CareKind.TALK, date=datetime.date(2026, 3, 2), cadres=[world.cadre_a], conducted_by=staff,
        confidential_note="保密内容",
        concern={"cadre": world.cadre_a, "category": "work", "content": "诉求", "responder": "组织部", "deadline": None})
    world.care_concern = world.care_activity.concerns.get()
    world.care_consultation = services.consultation_hold(by=staff, unit=world.unit_a, title="座谈",
                                                         held_on=datetime.date(2026, 3, 1), mode="oral")
    world.care_submission = services.submission_record(consultation=world.care_consultation, by=staff,
                                                       cadre=world.cadre_a, submitted_on=datetime.date(2026, 3, 1),
                                                       content="反映")
