from tests.matrix_common import VIEWERS, R

# Staff, leaders and administrators see the dashboard of their own jurisdiction; officers
# (纪检监察) have no registry view and get 403.
MATRIX = {
    "dashboard:index": ("get", lambda w: {}, VIEWERS),
    "dashboard:report": ("get", lambda w: {}, VIEWERS),
    # The administrator's default is the whole city: built as a background job (redirect to it).
    "dashboard:report_pdf": ("get", lambda w: {}, {**VIEWERS, "admin": R}),
    "dashboard:report_xlsx": ("get", lambda w: {}, {**VIEWERS, "admin": R}),
}


def setup(world):
    pass
