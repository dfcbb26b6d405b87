import openpyxl
import pytest
from django.urls import reverse

from core.jobs import JobRun, job_run, job_start, jobs_purge_expired, register_job
from core.models import BackgroundJob
from core.xlsx import xlsx_write
from tests.conftest import client_for


@register_job("tests.squares", label="测试任务")
def squares_job(job: JobRun, *, count: int):
    job.progress(0, count, force=True)
    path = job.result_path("平方.xlsx")
    xlsx_write(path, [("平方", ["数", "平方"], ((i, i * i) for i in range(count)))], watermark="测试")
    return f"共 {count} 行"


@register_job("tests.broken", label="会失败的任务")
def broken_job(job: JobRun):
    raise RuntimeError("boom")


def test_it_runs_a_job_after_commit_and_offers_its_file_to_its_owner_only(world, client,
                                                                        django_capture_on_commit_callbacks):
    owner = world.users["staff_a"]
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(user=owner, kind="tests.squares", params={"count": 3})
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert (job.done, job.total, job.percent, job.message) == (3, 3, 100, "共 3 行")

    page = client_for(client, owner).get(reverse("job_detail", args=[job.pk]))
    assert "下载 平方.xlsx" in page.content.decode()
    download = client.get(reverse("job_download", args=[job.pk]))
    rows = list(openpyxl.load_workbook(download.filename and _read(download)).active.values)
    assert rows == [("数", "平方"), (0, 0), (1, 1), (2, 4)]

    other = client_for(client.__class__(), world.users["staff_b"])
    assert other.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("job_download", args=[job.pk])).status_code == 404


def _read(response):
    import io

    return io.BytesIO(b"".join(response.streaming_content))


def test_a_failing_job_is_marked_failed_with_a_chinese_message(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(user=world.users["staff_a"], kind="tests.broken")
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "任务执行出错" in job.message


def test_a_redelivered_job_does_not_run_twice(world):
    job = BackgroundJob.objects.create(user=world.users["staff_a"], kind="tests.squares", label="x",
                                       params={"count": 2}, status=BackgroundJob.Status.DONE)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.result_path == ""  # untouched: it had already run


def test_expired_result_files_are_removed_and_the_job_row_stays(world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(user=world.users["staff_a"], kind="tests.squares", params={"count": 1})
    job.refresh_from_db()
    assert jobs_purge_expired(now=timezone.now()) == 0
    assert jobs_purge_expired(now=timezone.now() + timezone.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.result_path == ""


def test_unknown_job_kinds_are_refused(world):
    from core.errors import DomainError

    with pytest.raises(DomainError):
        job_start(user=world.users["staff_a"], kind="nope")
