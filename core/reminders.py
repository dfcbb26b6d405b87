"""Reminders: modules register due-based sweeps; a sweep yields Reminders for what is due as
of a date; delivery writes them once per natural key; emails and Celery work go out through
the outbox. Periodic jobs are plain functions, safe to run twice (STYLE 6)."""
import datetime
import logging
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from cadres.models import Unit, UnitGroupObjectPermission, UnitUserObjectPermission
from core.models import Notification, OutboxMessage
from core.roles import STAFF_ROLES, Role

log = logging.getLogger(__name__)
BATCH = 1000


@dataclass(frozen=True)
class Reminder:
    kind: str
    key: str
    recipient_id: int
    title: str
    url: str = ""
    body: str = ""


SWEEPS: dict[str, Callable[["SweepContext"], Iterable[Reminder]]] = {}


def register_sweep(name: str, sweep: Callable[["SweepContext"], Iterable[Reminder]]) -> None:
    SWEEPS[name] = sweep


class Jurisdictions:
    """Who manages which subtree, loaded once per sweep (grants are few: one per staff
    member and unit), so finding the recipients for a unit needs no query."""

    def __init__(self):
        grants: list[tuple[str, int]] = list(
            UnitUserObjectPermission.objects.filter(permission__codename="manage_unit")
            .values_list("content_object__path", "user_id"))
        grants += list(
            UnitGroupObjectPermission.objects.filter(permission__codename="manage_unit")
            .values_list("content_object__path", "group__user"))
        from django.contrib.auth.models import User

        roles: dict[int, set[str]] = {}
        for user_id, role in User.objects.filter(is_active=True, groups__isnull=False).values_list("id", "groups__name"):
            roles.setdefault(user_id, set()).add(role)
        self.grants = [(path, uid) for path, uid in grants if uid in roles]
        self.roles = roles
        self.unit_paths = dict(Unit.objects.values_list("id", "path"))

    def managers(self, unit_id: int, *, roles: set[str], own: bool = False) -> list[int]:
        """Users in these roles whose jurisdiction covers the unit; with own=True, those whose
        grant is the unit itself (its own organization department), falling back to the
        covering ones when it has none."""
        path = self.unit_paths.get(unit_id, "")
        covering = [(grant_path, uid) for grant_path, uid in self.grants
                    if path.startswith(grant_path) and self.roles[uid] & roles]
        if own and any(grant_path == path for grant_path, _ in covering):
            covering = [(grant_path, uid) for grant_path, uid in covering if grant_path == path]
        return sorted({uid for _, uid in covering})

    def staff(self, unit_id: int, *, own: bool = False) -> list[int]:
        return self.managers(unit_id, roles=set(STAFF_ROLES), own=own)

    def leaders(self, unit_id: int, *, own: bool = False) -> list[int]:
        return self.managers(unit_id, roles={Role.LEADER}, own=own)


@dataclass
class SweepContext:
    today: datetime.date
    jurisdictions: Jurisdictions
    # The day each sweep last ran to the end (core.models.SweepRun), None before its first run.
    last_success: dict | None = None

    def last_success_of(self, name: str) -> datetime.date | None:
        return (self.last_success or {}).get(name)


def deliver(reminders: Iterable[Reminder]) -> int:
    """Write each reminder once per (recipient, key); returns how many were new. A second
    run, or a concurrent one, inserts nothing (unique constraint + ignore_conflicts)."""
    created = 0
    batch: list[Reminder] = []

    def flush():
        nonlocal created
        keys = {r.key for r in batch}
        existing = set(Notification.objects.filter(key__in=keys).values_list("recipient_id", "key"))
        fresh = {(r.recipient_id, r.key): r for r in batch if (r.recipient_id, r.key) not in existing}
        Notification.objects.bulk_create(
            [Notification(recipient_id=r.recipient_id, kind=r.kind, key=r.key, title=r.title, url=r.url, body=r.body)
             for r in fresh.values()], ignore_conflicts=True)
        created += len(fresh)
        batch.clear()

    for reminder in reminders:
        batch.append(reminder)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return created


def run_sweeps(names: Iterable[str] | None = None, *, today: datetime.date | None = None) -> dict[str, int]:
    """Run the named sweeps (all by default) as of `today` (Asia/Shanghai); due-based, so a
    run missed during downtime is caught up by the next one."""
    from core.models import SweepRun

    context = SweepContext(today=today or timezone.localdate(), jurisdictions=Jurisdictions(),
                           last_success=dict(SweepRun.objects.values_list("name", "last_success_on")))
    results = {}
    for name in names or sorted(SWEEPS):
        results[name] = deliver(SWEEPS[name](context))
        last = context.last_success_of(name)
        if last is None or context.today > last:
            SweepRun.objects.update_or_create(name=name, defaults={"last_success_on": context.today})
        log.info("sweep %s: %d new reminders", name, results[name])
    if any(results.values()):
        enqueue("core.tasks.send_pending_emails")
    return results


def notify(user_ids, *, kind: str, key: str, title: str, url: str = "", body: str = "") -> int:
    """Tell users now, from a workflow service: the inbox row is written in the caller's
    transaction and the email goes out through the outbox."""
    created = deliver(Reminder(kind, key, uid, title, url, body) for uid in user_ids)
    if created:
        enqueue("core.tasks.send_pending_emails")
    return created


def enqueue(task: str, **kwargs) -> OutboxMessage:
    """Record work for Celery in the caller's transaction. Never talks to the broker; in
    the embedded default (eager tasks) it runs after commit."""
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(dispatch_outbox)
    return message


def dispatch_outbox(*, app=None, limit: int = 500) -> int:
    """Move pending outbox messages to Celery. Stops at the first broker error (logged,
    counted on the message) and leaves the rest for the next run: nothing is lost."""
    from config.celery import app as default_app

    app = app or default_app
    sent = 0
    pending = OutboxMessage.objects.filter(dispatched_at__isnull=True).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    with transaction.atomic():
        for message in pending[:limit]:
            try:
                if app.conf.task_always_eager:
                    if message.task not in app.tasks:
                        app.loader.import_default_modules()  # the apps' tasks modules
                    app.tasks[message.task].apply(kwargs=message.kwargs)
                else:
                    app.send_task(message.task, kwargs=message.kwargs)
            except Exception as e:  # broker down or hung: keep the message for the next run
                message.attempts += 1
                message.last_error = repr(e)[:2000]
                message.save(update_fields=["attempts", "last_error"])
                log.warning("outbox: %s not dispatched (%s); will retry", message, e)
                break
            message.dispatched_at = timezone.now()
            message.save(update_fields=["dispatched_at"])
            sent += 1
    return sent


def send_pending_emails(*, limit: int = 500) -> int:
    """Email the notifications not yet emailed, each once (rows locked while sending)."""
    sent = 0
    pending = (Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="")
               .select_related("recipient").order_by("id"))
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True, of=("self",))
    with transaction.atomic():
        for notification in pending[:limit]:
            send_mail(f"【担当】{notification.title}", _email_body(notification), settings.DEFAULT_FROM_EMAIL,
                      [notification.recipient.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def _email_body(notification) -> str:
    link = f"\n\n请登录系统查看：{notification.url}" if notification.url else ""
    return f"{notification.body or notification.title}{link}"


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def batches(queryset, size: int = BATCH) -> Iterator[list]:
    """A large queryset as lists of at most `size` rows, read in primary-key order (keyset
    pages: each costs the same however deep), memory flat whatever its size."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def chunked(queryset, size: int = BATCH) -> Iterator:
    """Iterate a large queryset in primary-key batches, memory flat whatever its size."""
    for rows in batches(queryset, size):
        yield from rows
