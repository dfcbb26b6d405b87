"""Shared expectations for the permission matrix. Each module adds its URLs in
tests/<module>/url_matrix.py: MATRIX = {name: (method, kwargs(world), {persona: status})}
and setup(world) to create the objects its URLs need."""
R = 302  # redirect (to login for anonymous, or after an action)
# 三权分立: the three administrators never open a business page (core.middleware).
ADMINISTRATORS_REFUSED = {"sysadmin": 403, "secadmin": 403, "auditor": 403}

VIEWERS = {"staff_a": 200, "staff_b": 200, "officer_assigned": 403, "officer_unassigned": 403,
           "leader": 200, "admin": 200, **ADMINISTRATORS_REFUSED, "anonymous": R}
EDITORS = {**VIEWERS, "leader": 403}
CADRE_A_VIEW = {**VIEWERS, "staff_b": 404}
CADRE_A_EDIT = {**EDITORS, "staff_b": 404}
# A POST that starts a background job redirects to the job's page; the others are refused as for a page.
STARTS_JOB = {p: R if status == 200 else status for p, status in VIEWERS.items()}
EVERYONE = {"staff_a": 200, "staff_b": 200, "officer_assigned": 200, "officer_unassigned": 200,
            "leader": 200, "admin": 200, **ADMINISTRATORS_REFUSED, "anonymous": R}
