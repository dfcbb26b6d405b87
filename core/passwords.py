"""Password policy (GB/T 22239-2019 8.1.4.1 身份鉴别): complexity, no reuse of the last few
passwords, a maximum age, and a forced change after an administrator sets a password.

The validators plug into AUTH_PASSWORD_VALIDATORS, so every form that sets a password
(the change page, the admin, createsuperuser) applies the same rules. Django calls each
validator's `password_changed` after a new password is saved: that is where the history and
the state are recorded. A password counts as chosen by its user only when the code that set
it says so (`mark_set_by_user`); any other setter (the admin, createsuperuser, a script)
leaves a password the user must change at first login."""
import re
from datetime import timedelta

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import PasswordHistory, PasswordState
from core.security_policy import security_policy

CLASSES = [
    ("大写字母", re.compile(r"[A-Z]")),
    ("小写字母", re.compile(r"[a-z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
]


def password_max_age_days() -> int:
    return security_policy().password_max_age_days


def password_history_count() -> int:
    return security_policy().password_history_count


class ComplexityValidator:
    """At least the policy's minimum length, from at least its number of the four classes, and
    not containing the username (core.security_policy: the 安全管理员 sets both within bounds)."""

    @property
    def min_length(self) -> int:
        return security_policy().password_min_length

    @property
    def min_classes(self) -> int:
        return security_policy().password_min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(f"密码至少 {self.min_length} 位。", code="password_too_short"))
        used = sum(1 for _, pattern in CLASSES if pattern.search(password))
        if used < self.min_classes:
            errors.append(ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。", code="password_classes"))
        username = (user.get_username() if user is not None else "") or ""
        if username and username.lower() in password.lower():
            errors.append(ValidationError("密码不得包含用户名。", code="password_contains_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return (f"至少 {self.min_length} 位，包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类，"
                f"且不得包含用户名。")


class HistoryValidator:
    """Not one of the user's last N passwords (the current one counts)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
            : password_history_count()]
        hashes = list(recent) or ([user.password] if user.password else [])
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(f"新密码不得与最近 {password_history_count()} 次使用过的密码相同。",
                                  code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        password_recorded(user, set_by_user=getattr(user, "_password_set_by_user", False))

    def get_help_text(self):
        return f"不得与最近 {password_history_count()} 次使用过的密码相同。"


def mark_set_by_user(user):
    """Say that the password about to be saved was chosen by the user (change page, demo data,
    test factories), so no forced change follows."""
    user._password_set_by_user = True
    return user


def password_recorded(user, *, set_by_user: bool, when=None):
    """Record a newly saved password: its hash in the history (older ones beyond the limit
    dropped) and the state (set time; forced change unless the user chose it)."""
    when = when or timezone.now()
    PasswordHistory.objects.create(user=user, password=user.password, created_at=when)
    keep = PasswordHistory.objects.filter(user=user).values_list("id", flat=True)[:password_history_count()]
    PasswordHistory.objects.filter(user=user).exclude(id__in=list(keep)).delete()
    PasswordState.objects.update_or_create(user=user, defaults={"changed_at": when, "must_change": not set_by_user})
    user._password_set_by_user = False


SESSION_KEY = "password_policy"


def password_change_reason(user, session=None) -> str:
    """Why this user must change the password before anything else ("" when not).

    The answer is kept in the session until the password's expiry, so that pages run no
    extra query (an administrator's reset changes the password hash, which ends the session)."""
    now = timezone.now()
    version = security_policy().version  # a policy change (shorter expiry) asks again
    if session is not None:
        cached = session.get(SESSION_KEY)
        if (cached and cached.get("user") == user.pk and cached.get("policy") == version
                and now.timestamp() < cached["until"]):
            return cached["reason"]
    state = PasswordState.objects.filter(user=user).first()
    if state is None:
        # Accounts loaded in bulk or before this policy existed: their age counts from now.
        state, _ = PasswordState.objects.get_or_create(user=user, defaults={"changed_at": now})
    if state.must_change:
        reason = "您的密码由管理员设置，请先修改密码后再使用系统。"
    elif password_expired(state.changed_at, now):
        reason = f"您的密码已使用超过 {password_max_age_days()} 天，请先修改密码后再使用系统。"
    else:
        reason = ""
    if session is not None:
        until = now + timedelta(minutes=5) if reason else state.changed_at + timedelta(days=password_max_age_days())
        session[SESSION_KEY] = {"user": user.pk, "reason": reason, "until": until.timestamp(), "policy": version}
    return reason


def password_policy_forget(session):
    """After a change the next page checks again."""
    session.pop(SESSION_KEY, None)


def on_login(sender, request, user, **kwargs):
    """Check once at login (the session then answers every page until the expiry)."""
    if request is not None and hasattr(request, "session"):
        password_change_reason(user, request.session)


def password_expired(changed_at, now=None) -> bool:
    """Expired on the day its age reaches the maximum (90 days by default: day 89 still valid)."""
    now = now or timezone.now()
    return now - changed_at >= timedelta(days=password_max_age_days())
