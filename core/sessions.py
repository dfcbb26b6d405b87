"""Session rules (GB/T 22239-2019 8.1.4.1), from the security policy (core.security_policy;
settings give the defaults): an idle timeout (at most SESSION_COOKIE_AGE, after which the
server drops the session anyway), an absolute lifetime (default 12 h) and a limit on
concurrent sessions per user (default 1: a new login ends the older session, whose user is
told so at the next page). core.middleware.SessionPolicyMiddleware applies them."""
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from core.models import UserSession
from core.security_policy import security_policy

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
ENDED = "session_ended_reason"
REPLACED_MESSAGE = "您的账号已在其他地方登录，本会话已结束。如非本人操作，请立即修改密码。"
EXPIRED_MESSAGE = "登录已超过 {hours} 小时，请重新登录。"
IDLE_MESSAGE = "闲置超过 {minutes} 分钟，会话已结束，请重新登录。"


def _store(session_key):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def on_login(sender, request, user, **kwargs):
    """Stamp the login time; record the session and end the user's older ones beyond the limit."""
    if request is None or not hasattr(request, "session"):
        return
    session = request.session
    session[LOGIN_AT] = session[SEEN_AT] = timezone.now().timestamp()
    if not session.session_key:
        session.save()
    now = timezone.now()
    UserSession.objects.update_or_create(session_key=session.session_key,
                                         defaults={"user": user, "created_at": now})
    limit = security_policy().session_concurrent_limit
    if limit <= 0:
        return
    older = list(UserSession.objects.filter(user=user).exclude(session_key=session.session_key)
                 .order_by("-created_at", "-id")[limit - 1:])
    for row in older:
        store = _store(row.session_key)
        if store.exists(row.session_key):
            store[ENDED] = REPLACED_MESSAGE
            store.save()
    UserSession.objects.filter(pk__in=[row.pk for row in older]).delete()


def on_logout(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def end_reason(request) -> str:
    """Why this signed-in session must end now ("" when it may go on); otherwise notes this
    request as the session's latest activity."""
    session = request.session
    if session.get(ENDED):
        return session[ENDED]
    policy = security_policy()
    now = timezone.now().timestamp()
    login_at = session.get(LOGIN_AT)
    if login_at is not None and now - login_at >= policy.session_absolute_seconds:
        return EXPIRED_MESSAGE.format(hours=round(policy.session_absolute_seconds / 3600))
    seen_at = session.get(SEEN_AT)
    if seen_at is not None and now - seen_at >= policy.session_idle_seconds:
        return IDLE_MESSAGE.format(minutes=round(policy.session_idle_seconds / 60))
    # The session is saved on every request anyway (SESSION_SAVE_EVERY_REQUEST): no extra write.
    session[SEEN_AT] = now
    return ""
