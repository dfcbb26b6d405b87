"""Session rules (GB/T 22239-2019 8.1.4.1): besides the idle timeout (SESSION_COOKIE_AGE),
an absolute lifetime (SESSION_ABSOLUTE_AGE, default 12 h) and a limit on concurrent sessions
per user (SESSION_CONCURRENT_LIMIT, default 1: a new login ends the older session, whose
user is told so at the next page)."""
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from core.models import UserSession

LOGIN_AT = "login_at"
ENDED = "session_ended_reason"
REPLACED_MESSAGE = "您的账号已在其他地方登录，本会话已结束。如非本人操作，请立即修改密码。"
EXPIRED_MESSAGE = "登录已超过 {hours} 小时，请重新登录。"


def _store(session_key):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def on_login(sender, request, user, **kwargs):
    """Stamp the login time; record the session and end the user's older ones beyond the limit."""
    if request is None or not hasattr(request, "session"):
        return
    session = request.session
    session[LOGIN_AT] = timezone.now().timestamp()
    if not session.session_key:
        session.save()
    now = timezone.now()
    UserSession.objects.update_or_create(session_key=session.session_key,
                                         defaults={"user": user, "created_at": now})
    limit = getattr(settings, "SESSION_CONCURRENT_LIMIT", 1)
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
    """Why this signed-in session must end now ("" when it may go on)."""
    session = request.session
    if session.get(ENDED):
        return session[ENDED]
    login_at = session.get(LOGIN_AT)
    age = getattr(settings, "SESSION_ABSOLUTE_AGE", 12 * 3600)
    if login_at is not None and timezone.now().timestamp() - login_at >= age:
        return EXPIRED_MESSAGE.format(hours=round(age / 3600))
    return ""
