"""Thin Celery tasks over plain functions (STYLE 6). acks_late (settings) + idempotent writes:
a worker killed mid-sweep is redelivered and finishes without duplicates."""
from celery import shared_task

from core import reminders


@shared_task
def ping() -> str:
    """Round-trip check for the deploy smoke test: a worker answered through the broker."""
    return "pong"


@shared_task
def run_sweeps(names: list[str] | None = None) -> dict:
    return reminders.run_sweeps(names)


@shared_task
def dispatch_outbox() -> int:
    return reminders.dispatch_outbox()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_pending_emails() -> int:
    return reminders.send_pending_emails()


@shared_task
def run_job(job_id: int) -> None:
    from core.jobs import job_run

    job_run(job_id)


@shared_task
def purge_job_results() -> int:
    from core.jobs import jobs_purge_expired

    return jobs_purge_expired()


@shared_task
def audit_archive() -> str:
    """Daily: audit rows past AUDIT_RETENTION_DAYS go to a signed archive file (core.audit_archive)."""
    from core.audit_archive import audit_archive as archive

    path = archive()
    return str(path or "")
