"""Reads of the audit trail: the 审计管理员 alone (三权分立)."""
import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from core import roles
from core.models import AuditEvent


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    if not roles.can_read_audit(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events_filtered(user, *, who: str = "", event_type: str = "", since: datetime.date | None = None,
                          until: datetime.date | None = None, obj: str = "", outcome: str = "") -> QuerySet[AuditEvent]:
    """The auditor's search: user (username or name), event type, time range (whole days),
    object (type, number or text) and outcome; newest first."""
    qs = audit_events_visible_to(user)
    if who:
        qs = qs.filter(Q(username=who) | Q(user_display__contains=who))
    if event_type:
        qs = qs.filter(event_type=event_type)
    if since:
        qs = qs.filter(created_at__gte=_day_start(since))
    if until:
        qs = qs.filter(created_at__lt=_day_start(until + datetime.timedelta(days=1)))
    if obj:
        qs = qs.filter(Q(object_id=obj) | Q(object_type__contains=obj) | Q(object_repr__contains=obj))
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("-id")
