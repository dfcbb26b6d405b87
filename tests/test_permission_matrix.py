"""Every named URL × every persona. A URL missing from the matrix fails the test, so no new
view can slip past the permission review. Modules add their part in tests/<module>/url_matrix.py."""
import importlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from core.jobs import JobRun
from core.models import BackgroundJob, Notification
from tests.conftest import PERSONAS, build_world, client_for, module_scenario
from tests.matrix_common import CADRE_A_EDIT, CADRE_A_VIEW, EDITORS, STARTS_JOB, VIEWERS, R

pytestmark = pytest.mark.usefixtures("quiet_refusals")
MODULES = ["tolerance", "care", "assessment", "appointment", "dashboard", "api"]

MATRIX = {
    "home": ("get", lambda w: {}, {**{p: 200 for p in PERSONAS}, "anonymous": R}),
    "healthz": ("get", lambda w: {}, {p: 200 for p in PERSONAS}),
    "login": ("get", lambda w: {}, {**{p: R for p in PERSONAS}, "anonymous": 200}),
    "logout": ("post", lambda w: {}, {p: R for p in PERSONAS}),
    "password_change": ("get", lambda w: {}, {**{p: 200 for p in PERSONAS}, "anonymous": R}),
    # Enrolment and the code page: every signed-in user's own; a verified user without a
    # device may enrol, one with a device is sent back to the code page (the matrix clients
    # are verified, so enrolment shows for those with no device).
    "otp_setup": ("get", lambda w: {}, {**{p: 200 for p in PERSONAS}, "anonymous": R}),
    # The code page is for those who must use a second factor: leaders and every administrator.
    "otp_verify": ("get", lambda w: {}, {**{p: R for p in PERSONAS}, "leader": 200, "admin": 200, "sysadmin": 200,
                                         "secadmin": 200, "auditor": 200}),
    "inbox": ("get", lambda w: {}, {**{p: 200 for p in PERSONAS}, "anonymous": R}),
    "inbox_read_all": ("post", lambda w: {}, {p: R for p in PERSONAS}),
    # A notification of staff_a's: nobody else can open it.
    "notification_open": ("post", lambda w: {"pk": w.notification.pk}, {**{p: 404 for p in PERSONAS},
                                                                         "staff_a": R, "anonymous": R}),
    "job_list": ("get", lambda w: {}, {**{p: 200 for p in PERSONAS}, "anonymous": R}),
    # A background job of staff_a's: nobody else sees it or its file.
    "job_detail": ("get", lambda w: {"pk": w.job.pk}, {**{p: 404 for p in PERSONAS}, "staff_a": 200, "anonymous": R}),
    "job_download": ("get", lambda w: {"pk": w.job.pk}, {**{p: 404 for p in PERSONAS}, "staff_a": 200,
                                                         "anonymous": R}),
    # 三权分立: the audit trail is the 审计管理员's alone; grants are the 安全管理员's (and the
    # bootstrap superuser's while it is enabled).
    "audit_list": ("get", lambda w: {}, {**{p: 403 for p in PERSONAS}, "auditor": 200, "anonymous": R}),
    "audit_export": ("post", lambda w: {}, {**{p: 403 for p in PERSONAS}, "auditor": R, "anonymous": R}),
    "security_users": ("get", lambda w: {}, {**{p: 403 for p in PERSONAS}, "secadmin": 200, "admin": 200,
                                             "anonymous": R}),
    # The security policy: the 安全管理员's alone (not the bootstrap superuser, not the other two).
    "security_policy": ("get", lambda w: {}, {**{p: 403 for p in PERSONAS}, "secadmin": 200, "anonymous": R}),
    "security_user": ("get", lambda w: {"pk": w.users["staff_a"].pk},
                      {**{p: 403 for p in PERSONAS}, "secadmin": 200, "admin": 200, "anonymous": R}),
    "security_grant": ("post", lambda w: {"pk": w.users["staff_a"].pk, "action": "role_grant"},
                       {**{p: 403 for p in PERSONAS}, "secadmin": R, "admin": R, "anonymous": R}),
    "cadres:list": ("get", lambda w: {}, VIEWERS),
    # Exports POST the list's filters and redirect to the job they start (core.exports).
    "cadres:export": ("post", lambda w: {}, STARTS_JOB),
    "cadres:unit_tree": ("get", lambda w: {}, VIEWERS),
    "cadres:create": ("get", lambda w: {}, EDITORS),
    "cadres:import": ("get", lambda w: {}, EDITORS),
    "cadres:import_template": ("get", lambda w: {}, EDITORS),
    "cadres:import_confirm": ("post", lambda w: {"token": "0" * 32},
                              {**EDITORS, "staff_a": 404, "staff_b": 404, "admin": 404}),
    "cadres:detail": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_VIEW),
    "cadres:photo": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_VIEW),
    "cadres:edit": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_EDIT),
    # Only holders of cadres.reveal_id_number (the cadre section, superusers) see a full number.
    "cadres:reveal_id_number": ("post", lambda w: {"pk": w.cadre_a.pk}, {**CADRE_A_VIEW, "leader": 403}),
    "cadres:posting_create": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_EDIT),
    "cadres:record_create": ("get", lambda w: {"pk": w.cadre_a.pk, "kind": "sanction"}, CADRE_A_EDIT),
}
SETUPS = []
for module in MODULES:
    try:
        part = importlib.import_module(f"tests.{module}.url_matrix")
    except ModuleNotFoundError:
        continue
    MATRIX.update(part.MATRIX)
    SETUPS.append(part.setup)


def named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "admin":
                continue  # Django admin: covered by test_admin_lists_use_the_selector
            yield from named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_named_url_is_in_the_matrix():
    assert set(named_urls()) == set(MATRIX)


@pytest.fixture
def full_world(world):
    return build_full_world(world)


def build_full_world(world):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), "red").save(buffer, "JPEG")
    world.cadre_a.photo = SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")
    world.cadre_a.save()
    world.notification = Notification.objects.create(recipient=world.users["staff_a"], kind="test", key="k",
                                                     title="提醒", url=f"/cadres/{world.cadre_a.pk}/")
    world.job = BackgroundJob.objects.create(user=world.users["staff_a"], kind="cadres.export", label="导出",
                                             status=BackgroundJob.Status.DONE, result_name="a.xlsx")
    world.job.result_path = JobRun(world.job).result_path("a.xlsx")
    Path(world.job.result_path).write_bytes(b"x")
    world.job.save()
    for setup in SETUPS:
        setup(world)
    return world


# One scenario for the module's 1,200 cases; each case runs in a savepoint rolled back after it.
scenario = module_scenario(lambda: build_full_world(build_world()))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(db, scenario, name, persona):
    method, kwargs, expected = MATRIX[name]
    client = signed_in(scenario, persona)
    response = getattr(client, method)(reverse(name, kwargs=kwargs(scenario)))
    assert response.status_code == expected[persona], f"{name} as {persona}"


def signed_in(world, persona):
    """A fresh client signed in as the persona: a new session per case, as each case's
    savepoint rolls the session back."""
    from django.test import Client

    return client_for(Client(), world.users[persona])
