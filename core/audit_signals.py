"""Authentication events of the audit trail: logins, failed logins, logouts, lockouts and
Django admin actions (LogEntry). Session expiry is recorded by core.middleware."""
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.audit import audit_log
from core.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_log(AuditEvent.Type.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(AuditEvent.Type.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Kept for good: axes resets its counter on a successful login, this record stays.
    audit_log(AuditEvent.Type.LOGIN_FAILED, request=request, username=str(credentials.get("username", "")),
              outcome=AuditEvent.Outcome.FAILURE, detail="用户名或密码错误，或账户已锁定")


try:
    from axes.signals import user_locked_out
except ImportError:  # pragma: no cover - axes is a dependency
    user_locked_out = None

if user_locked_out is not None:
    @receiver(user_locked_out, dispatch_uid="audit_lockout")
    def _locked_out(sender, request, username, ip_address, **kwargs):
        audit_log(AuditEvent.Type.LOCKOUT, request=request, username=str(username or ""),
                  outcome=AuditEvent.Outcome.DENIED, detail=f"连续登录失败，账户在 {ip_address} 上被锁定")


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_action")
def _admin_action(sender, instance, created, **kwargs):
    """Every add, change or delete through the Django admin (LogEntry) joins the trail."""
    if not created:
        return
    action = {1: "新增", 2: "修改", 3: "删除"}.get(instance.action_flag, "操作")
    model = instance.content_type.name if instance.content_type_id else ""
    audit_log(AuditEvent.Type.ADMIN_ACTION, user=instance.user,
              detail=f"后台{action}{model}“{instance.object_repr}”（编号 {instance.object_id}）"
                     f"{'：' + instance.get_change_message() if instance.change_message else ''}")
