"""Password policy (等保 8.1.4.1): complexity edges, history, expiry, forced change."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, PasswordState
from core.passwords import mark_set_by_user, password_expired
from tests.conftest import client_for
from tests.factories import UserFactory


def errors_for(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [e.code for e in exc.error_list]
    return []


@pytest.mark.django_db
class TestComplexity:
    def test_it_refuses_seven_characters(self):
        assert "password_too_short" in errors_for("Ab1!xyz")

    def test_it_accepts_eight_characters_of_three_classes(self):
        assert errors_for("Ab1xyzwq") == []

    def test_it_refuses_two_classes(self):
        assert "password_classes" in errors_for("ab12cd34")

    def test_it_accepts_three_classes_without_upper_case(self):
        assert errors_for("ab12cd3!") == []

    def test_it_refuses_the_username_inside(self):
        user = UserFactory(username="zhangsan")
        assert "password_contains_username" in errors_for("Xy#ZhangSan9", user)

    def test_the_demo_password_meets_the_policy(self):
        assert errors_for("Dandang@2026", UserFactory(username="county_cadre")) == []

    def test_messages_are_chinese(self):
        with pytest.raises(ValidationError) as exc:
            validate_password("abc")
        assert "密码至少 8 位" in " ".join(exc.value.messages)


def set_passwords(user, passwords):
    for password in passwords:
        user.set_password(password)
        mark_set_by_user(user)
        user.save()


@pytest.mark.django_db
class TestHistory:
    PASSWORDS = [f"Pass#{n}word" for n in range(1, 7)]  # Pass#1word … Pass#6word (current)

    def test_the_fifth_previous_password_is_refused(self):
        user = UserFactory(username="hist")
        set_passwords(user, self.PASSWORDS)
        # The current one and the four before it are the last five.
        assert "password_reused" in errors_for("Pass#2word", user)
        assert "password_reused" in errors_for("Pass#6word", user)

    def test_the_sixth_previous_password_is_allowed_again(self):
        user = UserFactory(username="hist")
        set_passwords(user, self.PASSWORDS)
        assert errors_for("Pass#1word", user) == []

    def test_the_current_password_is_refused_without_history(self):
        # A user loaded in bulk: a password hash but no history rows.
        user = UserFactory(username="fresh", password="Curr#ent1")
        assert not user.password_history.exists()
        assert "password_reused" in errors_for("Curr#ent1", user)


@pytest.mark.django_db  # the maximum age is the security policy's (core.security_policy)
class TestExpiry:
    def test_day_eighty_nine_is_still_valid(self):
        now = timezone.now()
        assert not password_expired(now - timedelta(days=89, hours=23), now)

    def test_day_ninety_expires(self):
        now = timezone.now()
        assert password_expired(now - timedelta(days=90), now)


@pytest.mark.django_db
class TestForcedChange:
    def test_an_expired_password_sends_every_page_to_the_change_page(self, client):
        user = UserFactory(username="old")
        PasswordState.objects.create(user=user, changed_at=timezone.now() - timedelta(days=90))
        response = client_for(client, user).get(reverse("home"))
        assert response.status_code == 302 and response["Location"] == reverse("password_change")

    def test_eighty_nine_days_old_passes(self, client):
        user = UserFactory(username="recent")
        PasswordState.objects.create(user=user, changed_at=timezone.now() - timedelta(days=89))
        assert client_for(client, user).get(reverse("home")).status_code == 200

    def test_an_administrator_set_password_is_changed_at_first_login(self, client):
        user = UserFactory(username="newbie")
        user.set_password("Admin#Set1")  # not marked as the user's own choice
        user.save()
        assert PasswordState.objects.get(user=user).must_change
        client_for(client, user)
        assert client.get(reverse("home"))["Location"] == reverse("password_change")
        page = client.get(reverse("password_change"))
        assert "管理员设置" in page.content.decode()
        response = client.post(reverse("password_change"), {
            "old_password": "Admin#Set1", "new_password1": "Mine#Own22", "new_password2": "Mine#Own22"})
        assert response.status_code == 302
        assert not PasswordState.objects.get(user=user).must_change
        assert client.get(reverse("home")).status_code == 200
        assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PASSWORD_CHANGE, object_id=str(user.pk),
                                         outcome=AuditEvent.Outcome.SUCCESS).exists()

    def test_the_change_page_refuses_a_weak_password_in_chinese(self, client):
        user = UserFactory(username="weak")
        user.set_password("Good#Pass1")
        mark_set_by_user(user)
        user.save()
        response = client_for(client, user).post(reverse("password_change"), {
            "old_password": "Good#Pass1", "new_password1": "ab12cd34", "new_password2": "ab12cd34"})
        assert response.status_code == 200
        assert "至少 3 类" in response.content.decode()
        assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PASSWORD_CHANGE,
                                         outcome=AuditEvent.Outcome.FAILURE).exists()

    def test_every_user_has_the_link_in_the_user_menu(self, client):
        user = UserFactory(username="anyone")
        assert 'id="password-change-link"' in client_for(client, user).get(reverse("home")).content.decode()

    def test_demo_users_are_not_forced_to_change(self, client, db):
        from cadres.demo import DEMO_PASSWORD, build_city, build_users
        from tests.conftest import ensure_reference_data
        ensure_reference_data()
        build_city()
        build_users()
        user = User.objects.get(username="admin")
        assert user.check_password(DEMO_PASSWORD)
        assert not PasswordState.objects.get(user=user).must_change
        assert client_for(client, user).get(reverse("home")).status_code == 200
