"""Second factor (等保 8.1.4.1): enrolment at first login, verification, recovery codes,
refusal, and the admin site refusing unverified users."""
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from core.second_factor import second_factor_required
from tests.conftest import client_for
from tests.factories import UserFactory


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def test_administrators_and_leaders_must_use_it_others_by_policy(world, settings):
    users = world.users
    assert second_factor_required(users["admin"]) and second_factor_required(users["leader"])
    assert not second_factor_required(users["staff_a"])
    settings.SECOND_FACTOR_FOR_ALL = True
    assert second_factor_required(users["staff_a"])


def test_a_leader_is_enrolled_at_first_login(world, client):
    leader = world.users["leader"]
    client_for(client, leader, verified=False)
    response = client.get(reverse("cadres:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_setup"))
    page = client.get(reverse("otp_setup"))
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code is drawn here, no outside service
    device = TOTPDevice.objects.get(user=leader, confirmed=False)
    wrong = client.post(reverse("otp_setup"), {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(reverse("otp_setup"), {"token": code_for(device), "next": reverse("cadres:list")})
    codes = [li for li in StaticToken.objects.filter(device__user=leader).values_list("token", flat=True)]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get(reverse("cadres:list")).status_code == 200
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SECOND_FACTOR, username="leader",
                                     outcome=AuditEvent.Outcome.SUCCESS).exists()


def test_an_enrolled_user_is_asked_for_a_code_and_refused_a_wrong_one(world, client):
    leader = world.users["leader"]
    device = TOTPDevice.objects.create(user=leader, name="app", confirmed=True)
    client_for(client, leader, verified=False)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("otp_verify"))
    wrong = "000000" if code_for(device) != "000000" else "111111"
    assert "验证码不正确" in client.post(reverse("otp_verify"), {"token": wrong}).content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SECOND_FACTOR,
                                     outcome=AuditEvent.Outcome.FAILURE).exists()
    # One failure throttles the device for a second; clear it rather than wait.
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    assert client.post(reverse("otp_verify"), {"token": code_for(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_works_once(world, client):
    from core.second_factor import recovery_codes_issue
    leader = world.users["leader"]
    TOTPDevice.objects.create(user=leader, name="app", confirmed=True)
    code = recovery_codes_issue(leader)[0]
    client_for(client, leader, verified=False)
    assert client.post(reverse("otp_verify"), {"token": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client_for(client, leader, verified=False)
    assert client.post(reverse("otp_verify"), {"token": code}).status_code == 200  # used up


def test_the_admin_site_refuses_an_unverified_superuser(world, client):
    admin_user = world.users["admin"]
    TOTPDevice.objects.create(user=admin_user, name="app", confirmed=True)
    client_for(client, admin_user, verified=False)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:index") not in response["Location"].split("?")[0]
    client_for(client, admin_user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_site_refuses_a_staff_user_whose_session_is_not_verified(world, client):
    from django.contrib import admin
    staff = UserFactory(username="backstage", is_staff=True)
    client_for(client, staff)  # needs no second factor, but the admin site still asks for one
    request = client.get(reverse("admin:index"))
    assert request.status_code == 302
    assert admin.site.__class__.__name__ == "OTPAdminSite"


def test_users_who_need_none_pass_through(world, client):
    assert client_for(client, world.users["staff_a"], verified=False).get(reverse("home")).status_code == 200
