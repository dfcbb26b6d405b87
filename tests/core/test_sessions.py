"""Sessions (等保 8.1.4.1): absolute lifetime and one session per user, the user told why."""
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, UserSession
from core.sessions import LOGIN_AT
from tests.conftest import client_for


def test_a_new_login_ends_the_older_session_and_the_user_is_told(world, settings):
    settings.SESSION_CONCURRENT_LIMIT = 1
    staff = world.users["staff_a"]
    first, second = client_for(Client(), staff), client_for(Client(), staff)
    assert second.get(reverse("home")).status_code == 200
    response = first.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = first.get(reverse("login"))
    assert "已在其他地方登录" in page.content.decode()
    assert first.get(reverse("home")).status_code == 302  # signed out for good
    assert second.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=staff).count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SESSION_EXPIRED, username="staff_a").exists()


def test_two_sessions_are_allowed_when_the_limit_is_two(world, settings):
    settings.SESSION_CONCURRENT_LIMIT = 2
    staff = world.users["staff_a"]
    first, second = client_for(Client(), staff), client_for(Client(), staff)
    assert first.get(reverse("home")).status_code == 200 and second.get(reverse("home")).status_code == 200


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(world, client, settings):
    settings.SESSION_ABSOLUTE_AGE = 12 * 3600
    client_for(client, world.users["staff_a"])
    session = client.session
    session[LOGIN_AT] = timezone.now().timestamp() - 12 * 3600 + 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[LOGIN_AT] = timezone.now().timestamp() - 12 * 3600
    session.save()
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("login")
    assert "12 小时" in client.get(reverse("login")).content.decode()


def test_the_idle_timeout_stays_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_failed_logins_stay_recorded_after_a_successful_login(world, client):
    from axes.models import AccessFailureLog

    staff = world.users["staff_a"]
    staff.set_password("Right#Pass1")
    staff.save()
    client.post(reverse("login"), {"username": "staff_a", "password": "wrong"})
    client.post(reverse("login"), {"username": "staff_a", "password": "Right#Pass1"})
    assert AccessFailureLog.objects.filter(username="staff_a").count() == 1
