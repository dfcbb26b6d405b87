import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix_common import CADRE_A_VIEW, EDITORS, EVERYONE, R
from tests.tolerance.builders import cleared_allegation, load_policy, walk_case
from tolerance.models import Stage
from tolerance.services import evidence_add, reform_filing_create

# The case concerns cadre A and is assigned to officer_assigned.
CASE_VIEW = {**EVERYONE, "staff_b": 404, "officer_unassigned": 404}
CASE_HANDLE_PAGE = {**CASE_VIEW, "leader": 403}
CASE_HANDLE_POST = {**CASE_HANDLE_PAGE, "staff_a": R, "officer_assigned": R, "admin": R}
# The allegation concerns cadre A; officer_assigned verifies it.
ALLEGATION_VIEW = CASE_VIEW
VERIFIER_POST = {**ALLEGATION_VIEW, "staff_a": 403, "leader": 403, "officer_assigned": R, "admin": R}
VERIFIER_PAGE = {**ALLEGATION_VIEW, "staff_a": 403, "leader": 403, "admin": 403}

MATRIX = {
    "tolerance:list": ("get", lambda w: {}, EVERYONE),
    "tolerance:create": ("get", lambda w: {}, EDITORS),
    "tolerance:detail": ("get", lambda w: {"pk": w.case.pk}, CASE_VIEW),
    "tolerance:checklist": ("get", lambda w: {"pk": w.case.pk, "case_cadre_pk": w.case_cadre.pk}, CASE_HANDLE_PAGE),
    "tolerance:action": ("post", lambda w: {"pk": w.case.pk, "action": "remedial"}, CASE_HANDLE_POST),
    "tolerance:document": ("get", lambda w: {"pk": w.case.pk, "kind": "determination"}, CASE_VIEW),
    "tolerance:document_pdf": ("get", lambda w: {"pk": w.case.pk, "kind": "feedback"}, CASE_VIEW),
    "tolerance:evidence": ("get", lambda w: {"pk": w.evidence.pk}, CASE_VIEW),
    "tolerance:reform_list": ("get", lambda w: {}, EVERYONE),
    "tolerance:reform_create": ("get", lambda w: {}, EDITORS),
    "tolerance:reform_detail": ("get", lambda w: {"pk": w.filing.pk},
                                {**CADRE_A_VIEW, "officer_assigned": 404, "officer_unassigned": 404}),
    "tolerance:allegation_list": ("get", lambda w: {}, EVERYONE),
    "tolerance:allegation_create": ("get", lambda w: {}, EDITORS),
    "tolerance:allegation_detail": ("get", lambda w: {"pk": w.allegation.pk}, ALLEGATION_VIEW),
    "tolerance:allegation_action": ("post", lambda w: {"pk": w.allegation.pk, "action": "conclude"}, VERIFIER_POST),
    "tolerance:reporter": ("get", lambda w: {"pk": w.allegation.pk}, VERIFIER_PAGE),
    "tolerance:notice_list": ("get", lambda w: {}, EVERYONE),
    "tolerance:notice_detail": ("get", lambda w: {"pk": w.notice.pk}, ALLEGATION_VIEW),
    "tolerance:notice_print": ("get", lambda w: {"pk": w.notice.pk}, ALLEGATION_VIEW),
    "tolerance:notice_pdf": ("get", lambda w: {"pk": w.notice.pk}, ALLEGATION_VIEW),
    "tolerance:publication": ("get", lambda w: {}, EVERYONE),
    "tolerance:publication_export": ("post", lambda w: {}, {p: R if s == 200 else s for p, s in EVERYONE.items()}),
}


def setup(world):
    load_policy(world)
    world.case = walk_case(world, Stage.FEEDBACK)
    world.case_cadre = world.case.case_cadres.get()
    world.evidence = evidence_add(case=world.case, by=world.users["staff_a"], title="笔录",
                                  file=SimpleUploadedFile("note.pdf", b"%PDF-1.4 test"))
    world.allegation, world.notice = cleared_allegation(world)
    world.filing = reform_filing_create(by=world.users["staff_a"], unit=world.unit_a, title="改革", description="d",
                                        legality_review="l", risk_assessment="r", filed_on=datetime.date(2026, 1, 1))
