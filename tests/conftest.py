"""Personas shared by every test: staff of unit A, staff of unit B, officers, a leader, the
bootstrap superuser (admin), the three administrators and anonymous. Unit A and unit B are two counties of one city."""
import os
import shutil
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse

from cadres.models import UnitKind
from cadres.services import jurisdiction_grant
from core.roles import Role
from tests.factories import CadreFactory, UserFactory, make_unit


def _flush_past_the_audit_trigger():
    """A transactional test ends with Django's flush, which on SQLite is a DELETE on every
    table; the append-only trigger on the audit trail (core migration 0012) would refuse it.
    The test teardown holds the archive's permit for the length of the flush only."""
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        permitted = []
        for alias in self._databases_names(include_mirrors=False):
            from django.db import connections

            conn = connections[alias]
            if conn.vendor == "sqlite":
                with conn.cursor() as cursor:
                    cursor.execute("INSERT OR IGNORE INTO core_audit_delete_permit (id) VALUES (1)")
                permitted.append(conn)
        try:
            original(self)
        finally:
            for conn in permitted:
                with conn.cursor() as cursor:
                    cursor.execute("DELETE FROM core_audit_delete_permit")

    TransactionTestCase._fixture_teardown = _fixture_teardown


_flush_past_the_audit_trigger()


@dataclass
class World:
    city: object
    unit_a: object
    township_a: object
    unit_b: object
    cadre_a: object
    cadre_b: object
    users: dict


PERSONAS = ["staff_a", "staff_b", "officer_assigned", "officer_unassigned", "leader", "admin",
            "sysadmin", "secadmin", "auditor", "anonymous"]
# 三权分立: the three administrators (admin is the bootstrap superuser).
ADMINISTRATORS = ["sysadmin", "secadmin", "auditor"]


def ensure_reference_data():
    """Rows the migrations load (role groups, sanction types): a transactional test's flush
    removes them, so the fixtures put them back."""
    from django.contrib.auth.models import Group

    from cadres.defaults import SANCTION_TYPES
    from cadres.models import SanctionType

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    # The cadre section may reveal full ID numbers (cadres migration 0009).
    from django.contrib.auth.models import Permission
    Group.objects.get(name=Role.CADRE_SECTION).permissions.add(
        Permission.objects.get(content_type__app_label="cadres", codename="reveal_id_number"))
    for category, name, months, citation in SANCTION_TYPES:
        SanctionType.objects.get_or_create(category=category, name=name,
                                           defaults={"influence_months": months, "citation": citation})


def assert_watermarked_on_every_page(pdf: bytes, user) -> int:
    """Every page of a PDF carries the watermark (core.pdf): who produced it, and when.
    Returns the number of pages."""
    import subprocess
    import tempfile

    name = user.get_full_name() or user.get_username()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True,
                              text=True).stdout
    pages = text.split("\f")[:-1]  # pdftotext ends every page with a form feed
    assert pages, "空 PDF"
    for number, page in enumerate(pages, 1):
        assert f"{name} 导出于 " in page, f"第 {number} 页没有水印"
    return len(pages)


@pytest.fixture(autouse=True)
def security_policy_not_kept_between_tests():
    """The policy's row is cached (core.security_policy), and so are the aggregates kept until
    their data change (core.db.kept_until_changed): a test's rolled-back rows must not
    outlive it."""
    yield
    from core.db import kept_forget
    from core.security_policy import security_policy_forget

    security_policy_forget()
    kept_forget()


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> World:
    ensure_reference_data()
    # Read once here, as a running site has it cached: page query budgets count no policy read.
    from core.security_policy import security_policy

    security_policy()
    city = make_unit("张垣市", UnitKind.CITY)
    unit_a = make_unit("清河县", UnitKind.COUNTY, city)
    township_a = make_unit("城关镇", UnitKind.TOWNSHIP, unit_a)
    unit_b = make_unit("青山区", UnitKind.COUNTY, city)
    users = {
        "staff_a": UserFactory(username="staff_a", role=Role.CADRE_SECTION),
        "staff_b": UserFactory(username="staff_b", role=Role.SUPERVISION_SECTION),
        "officer_assigned": UserFactory(username="officer_assigned", role=Role.DISCIPLINE_OFFICER),
        "officer_unassigned": UserFactory(username="officer_unassigned", role=Role.DISCIPLINE_OFFICER),
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True),
        "sysadmin": UserFactory(username="sysadmin", role=Role.ADMIN, is_staff=True),
        "secadmin": UserFactory(username="secadmin", role=Role.SECURITY_ADMIN),
        "auditor": UserFactory(username="auditor", role=Role.AUDIT_ADMIN),
        "anonymous": None,
    }
    jurisdiction_grant(user=users["staff_a"], unit=unit_a)
    jurisdiction_grant(user=users["staff_b"], unit=unit_b)
    jurisdiction_grant(user=users["leader"], unit=unit_a)
    return World(
        city=city, unit_a=unit_a, township_a=township_a, unit_b=unit_b,
        cadre_a=CadreFactory(name="甲干部", unit=township_a), cadre_b=CadreFactory(name="乙干部", unit=unit_b),
        users=users,
    )


def client_for(client, user, *, verified=True):
    if user is not None:
        # Name the backend: axes' backend comes first in the list and cannot load users.
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if verified:
            verify_second_factor(client, user)
    return client


def verify_second_factor(client, user):
    """Mark a test client's session as having passed the second factor (what the code page
    does after a right code), for the personas that must use one. Tests of the second factor
    itself pass verified=False."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.second_factor import second_factor_required

    if not (second_factor_required(user) or user.is_staff):  # staff use the admin site, which asks too
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="测试", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def export_via_job(client, url, data=None):
    """Press a list's 导出 button: POST its filters, run the job it starts (after commit, as
    the embedded default does) and download the result. Returns (job, workbook bytes)."""
    from django.test import TestCase

    from core.models import BackgroundJob

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data or {})
    assert response.status_code == 302, response.status_code
    job = BackgroundJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert job.status == BackgroundJob.Status.DONE, job.message
    download = client.get(reverse("job_download", args=[job.pk]))
    return job, b"".join(download.streaming_content)


def module_scenario(build):
    """A module-scoped fixture holding one scenario for every test of a module (the probe's
    modules: hundreds of tests reading one world). It is built once in an outer transaction,
    each test runs in a savepoint inside it (pytest-django's own, rolled back after the test,
    so a test's writes never reach the next one) and the whole is rolled back at the end."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        from django.db import transaction

        with django_db_blocker.unblock(), transaction.atomic():
            yield build()
            transaction.set_rollback(True)

    return fixture


@pytest.fixture(scope="module")
def quiet_refusals():
    """The probe's thousands of expected refusals (403, 404, 405) are not logged with their
    tracebacks: formatting them was a large share of its time. A 500 is still logged (ERROR)
    and still fails the probe by its status code."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def demo_dataset(django_db_setup, django_db_blocker):
    """The `demo_data` command's dataset (300 cadres), built once per module inside a
    transaction that is rolled back afterwards; tests using it also take `db`."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_reference_data()
            call_command("demo_data", stdout=open(os.devnull, "w"))
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def postgres_only(db):
    """For tests that need real row locks: skipped on SQLite, required in .ci/run's
    PostgreSQL pass (REQUIRE_SERVICES)."""
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES 已设置，但数据库不是 PostgreSQL")
        pytest.skip("需要 PostgreSQL 的行锁：在 SQLite 上跳过，.ci/run 会在 PostgreSQL 上运行")


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True)
def tasks_run_in_process(request, settings):
    """Celery tasks (background jobs, emails) run in the test process after commit, as in the
    embedded default, even in .ci/run's pass with REDIS_URL set; the tests marked `redis`
    exercise the real broker and worker instead."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    from config.celery import app

    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
