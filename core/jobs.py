"""Background jobs: long work runs in a Celery worker, never in a web worker, while its page
shows progress and then a download link.

A module registers a job function with `@register_job(kind, label=...)`; the function takes
the job and its JSON parameters, reports `job.progress(done, total)` and writes its result to
`job.result_path(filename)`. `job_start` records the job and hands it to Celery through the
outbox in the caller's transaction (the request never talks to the broker); in the embedded
default (eager tasks) it runs right after commit, so the same page works there too."""
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from core.errors import DomainError
from core.models import BackgroundJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    run: Callable


_REGISTRY: dict[str, JobKind] = {}


def register_job(kind: str, *, label: str):
    def decorator(func):
        _REGISTRY[kind] = JobKind(kind, label, func)
        return func
    return decorator


def job_kinds() -> dict[str, JobKind]:
    return dict(_REGISTRY)


def job_start(*, user, kind: str, params: dict | None = None, label: str = "") -> BackgroundJob:
    if kind not in _REGISTRY:
        raise DomainError(f"未知的后台任务类型：{kind}")
    from core.reminders import enqueue

    with transaction.atomic():
        job = BackgroundJob.objects.create(user=user, kind=kind, label=label or _REGISTRY[kind].label,
                                           params=params or {})
        enqueue("core.tasks.run_job", job_id=job.pk)
    return job


def jobs_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs"


class JobRun:
    """What a job function sees: progress reporting and the place for its result file."""

    PROGRESS_INTERVAL = 0.5  # seconds between progress writes

    def __init__(self, job: BackgroundJob):
        self.job = job
        self.user = job.user
        self.params = job.params
        self._last_write = 0.0

    def progress(self, done: int, total: int | None = None, *, message: str | None = None, force: bool = False):
        now = time.monotonic()
        if not force and now - self._last_write < self.PROGRESS_INTERVAL and (total is None or done < total):
            return
        self._last_write = now
        values = {"done": done}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message
        BackgroundJob.objects.filter(pk=self.job.pk).update(**values)

    def result_path(self, filename: str) -> str:
        folder = jobs_dir() / str(self.job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (get_valid_filename(filename) or "result")
        self.job.result_name = filename
        self.job.result_path = str(path)
        return str(path)


def job_run(job_id: int) -> None:
    """Run one job (the Celery task's body). A job already started is not run again, so a
    redelivered message does no work twice."""
    claimed = BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.PENDING).update(
        status=BackgroundJob.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return
    job = BackgroundJob.objects.select_related("user").get(pk=job_id)
    run = JobRun(job)
    try:
        message = _REGISTRY[job.kind].run(run, **job.params)
    except DomainError as e:
        _finish(job, BackgroundJob.Status.FAILED, e.message)
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, BackgroundJob.Status.FAILED, "任务执行出错，请稍后重试或联系系统管理员。")
    else:
        _finish(job, BackgroundJob.Status.DONE, message or "", result=run)


def _finish(job, status, message, *, result: JobRun | None = None):
    values = {"status": status, "message": message, "finished_at": timezone.now()}
    if result is not None:
        values.update(result_name=result.job.result_name, result_path=result.job.result_path)
        total = BackgroundJob.objects.filter(pk=job.pk).values_list("total", flat=True).first()
        values["done"] = total or 0
    BackgroundJob.objects.filter(pk=job.pk).update(**values)


def jobs_purge_expired(*, now=None) -> int:
    """Remove result files older than JOB_RESULT_DAYS; the job rows stay as a record."""
    cutoff = (now or timezone.now()) - timezone.timedelta(days=settings.JOB_RESULT_DAYS)
    expired = BackgroundJob.objects.filter(finished_at__lt=cutoff).exclude(result_path="")
    count = 0
    for job in expired.iterator():
        shutil.rmtree(jobs_dir() / str(job.pk), ignore_errors=True)
        count += 1
    expired.update(result_path="")
    return count
