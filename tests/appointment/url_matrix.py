"""The appointment-form and LRMX URLs in the permission matrix (tests/test_permission_matrix.py)."""
from tests.matrix_common import CADRE_A_VIEW, EDITORS, VIEWERS, R

JOB_STARTERS = {p: (R if status == 200 else status) for p, status in VIEWERS.items()}

MATRIX = {
    # A cadre's form and file: only where the cadre is visible (404 elsewhere, never 403).
    "appointment:form_pdf": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_VIEW),
    "appointment:form_docx": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_VIEW),
    "appointment:lrmx_export": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_VIEW),
    # The list's selection, as a background job (redirect to its page): each viewer gets the
    # cadres of their own jurisdiction.
    "appointment:batch_pdf": ("post", lambda w: {}, JOB_STARTERS),
    "appointment:lrmx_export_many": ("post", lambda w: {}, JOB_STARTERS),
    "appointment:lrmx_import": ("get", lambda w: {}, EDITORS),
    # An upload's preview and confirmation: only its uploader, through the token in their own
    # session (a token not theirs is 404 for every editor).
    "appointment:lrmx_import_preview": ("get", lambda w: {"token": "0" * 32},
                                        {**EDITORS, "staff_a": 404, "staff_b": 404, "admin": 404}),
    "appointment:lrmx_import_confirm": ("post", lambda w: {"token": "0" * 32},
                                        {**EDITORS, "staff_a": 404, "staff_b": 404, "admin": 404}),
}


def setup(world):
    pass
