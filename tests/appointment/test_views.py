import io
import time
import zipfile

from django.core.management import call_command
from django.urls import reverse

from appointment import staging, views
from appointment.lrmx import parse_lrmx
from cadres.selectors import cadre_by_id_number
from cadres.views import IMPORT_TTL_SECONDS
from core.jobs import job_run
from core.models import BackgroundJob
from tests.appointment.lrmx_samples import jpeg_bytes, lrmx
from tests.appointment.test_lrmx import XXE
from tests.conftest import assert_watermarked_on_every_page, client_for
from tests.factories import make_id_number


def _upload(client, world, files):
    """Upload, then run the preview job as the worker would (eager or on Redis)."""
    response = client.post(reverse("appointment:lrmx_import"),
                           {"files": files, "unit": world.township_a.pk, "rank": "副科级"})
    token = response.url.rstrip("/").rsplit("/", 1)[-1]
    assert response.url == reverse("appointment:lrmx_import_preview", args=[token])
    job = BackgroundJob.objects.get(kind="appointment.lrmx_preview", params__token=token)
    assert job.status == BackgroundJob.Status.PENDING
    job_run(job.pk)
    return token


def test_upload_previews_in_a_job_without_writing_then_confirm_imports_once(client, world):
    client = client_for(client, world.users["staff_a"])
    files = [io.BytesIO(lrmx(photo=jpeg_bytes()).encode()), io.BytesIO(XXE.encode())]
    files[0].name, files[1].name = "王小明.lrmx", "恶意.lrmx"
    token = _upload(client, world, files)
    preview_url = reverse("appointment:lrmx_import_preview", args=[token])
    page = client.get(preview_url).content.decode()
    assert "共 2 个文件，新增 1 人，更新 0 人，无变化 0 人，有错误不导入 1 个" in page
    assert "DTD" in page and "王小明" in page and "确认导入 1 个文件" in page
    assert cadre_by_id_number(make_id_number(901)) is None
    confirm = reverse("appointment:lrmx_import_confirm", args=[token])
    response = client.post(confirm)
    job = BackgroundJob.objects.get(kind="appointment.lrmx_import")
    assert response.url == job.get_absolute_url()
    # A double click (or a second tab) is sent to the same job: nothing is imported twice.
    assert client.post(confirm).url == job.get_absolute_url()
    assert BackgroundJob.objects.filter(kind="appointment.lrmx_import").count() == 1
    job_run(job.pk)  # what the worker does (eager or on Redis)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE and job.message.startswith("导入完成：新增 1 人")
    assert job.total == 2 and job.done == 2
    assert "恶意.lrmx" in open(job.result_path, encoding="utf-8").read()
    cadre = cadre_by_id_number(make_id_number(901))
    assert cadre.rank == "副科级" and cadre.unit == world.township_a
    assert cadre.postings.count() == 3 and cadre.family_members.count() == 1 and cadre.photo
    assert {h.history_user for h in cadre.history.all()} == {world.users["staff_a"]}
    assert {h.history_user for p in cadre.postings.all() for h in p.history.all()} == {world.users["staff_a"]}
    # The uploaded files are gone; the preview page links to the import's job.
    assert not list(staging.import_dir(token).glob("*.bin"))
    assert job.get_absolute_url() in client.get(preview_url).content.decode()
    assert client.post(confirm).url == job.get_absolute_url()


def test_the_preview_polls_while_its_job_runs_and_pages_its_rows(client, world, monkeypatch):
    client = client_for(client, world.users["staff_a"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(60):
            archive.writestr(f"{n:02d}.lrmx", lrmx(name=f"干部{n:02d}", id_number=make_id_number(2000 + n)))
    buffer.seek(0)
    buffer.name = "sixty.zip"
    response = client.post(reverse("appointment:lrmx_import"),
                           {"files": [buffer], "unit": world.township_a.pk, "rank": "科员"})
    preview_url = response.url
    polled = client.get(preview_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in polled and "不会写入任何数据" in polled
    job = BackgroundJob.objects.get(kind="appointment.lrmx_preview")
    job_run(job.pk)
    job.refresh_from_db()
    assert (job.done, job.total) == (60, 60)
    polled = client.get(preview_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in polled and "共 60 个文件，新增 60 人" in polled
    assert polled.count("<tr class=") == views.PREVIEW_PAGE_SIZE
    second = client.get(preview_url + "?page=2").content.decode()
    assert "干部59" in second and "干部00" not in second and "第 2 / 2 页" in second


def test_another_user_cannot_see_or_confirm_an_upload(client, world):
    owner = client_for(client, world.users["staff_a"])
    upload = io.BytesIO(lrmx().encode())
    upload.name = "a.lrmx"
    token = _upload(owner, world, [upload])
    from django.test import Client

    other = client_for(Client(), world.users["admin"])
    assert other.get(reverse("appointment:lrmx_import_preview", args=[token])).status_code == 404
    assert other.post(reverse("appointment:lrmx_import_confirm", args=[token])).status_code == 404
    assert not BackgroundJob.objects.filter(kind="appointment.lrmx_import").exists()


def test_an_upload_expires_like_the_spreadsheet_import(client, world):
    client = client_for(client, world.users["staff_a"])
    upload = io.BytesIO(lrmx().encode())
    upload.name = "a.lrmx"
    token = _upload(client, world, [upload])
    later = time.time() + IMPORT_TTL_SECONDS + 60
    assert staging.purge_expired(now=later) >= 1
    assert not staging.import_dir(token).exists()
    response = client.get(reverse("appointment:lrmx_import_preview", args=[token]))
    assert "已过期" in response.content.decode()
    response = client.post(reverse("appointment:lrmx_import_confirm", args=[token]))
    assert response.url == reverse("appointment:lrmx_import")
    assert not BackgroundJob.objects.filter(kind="appointment.lrmx_import").exists()


def test_a_unit_outside_the_jurisdiction_cannot_be_chosen(client, world):
    client = client_for(client, world.users["staff_a"])
    upload = io.BytesIO(lrmx().encode())
    upload.name = "a.lrmx"
    response = client.post(reverse("appointment:lrmx_import"), {"files": [upload], "unit": world.unit_b.pk,
                                                                "rank": "科员"})
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert not BackgroundJob.objects.exists()


def test_exports_read_only_visible_cadres(client, world):
    client = client_for(client, world.users["staff_a"])
    response = client.get(reverse("appointment:lrmx_export", args=[world.cadre_a.pk]))
    assert parse_lrmx(response.content).values["name"] == "甲干部"
    assert client.get(reverse("appointment:lrmx_export", args=[world.cadre_b.pk])).status_code == 404
    client.post(reverse("appointment:lrmx_export_many"), {"query": ""})
    client.post(reverse("appointment:batch_pdf"), {"query": "q=甲"})
    for job in BackgroundJob.objects.all():
        job_run(job.pk)  # what the worker does (eager or on Redis)
    zipped, printed = BackgroundJob.objects.order_by("pk")
    names = zipfile.ZipFile(zipped.result_path).namelist()
    assert names == [f"甲干部-{world.cadre_a.pk}.lrmx"]
    assert open(printed.result_path, "rb").read().startswith(b"%PDF") and printed.message == "共 1 人，每人两页"
    assert assert_watermarked_on_every_page(open(printed.result_path, "rb").read(), world.users["staff_a"]) == 2
    single = client.get(reverse("appointment:form_pdf", args=[world.cadre_a.pk])).content
    assert assert_watermarked_on_every_page(single, world.users["staff_a"]) == 2
    response = client.get(reverse("appointment:form_docx", args=[world.cadre_a.pk]))
    assert response.content.startswith(b"PK")


def test_the_commands_export_and_import_with_dry_run(world, tmp_path, capsys):
    out = tmp_path / "two.zip"
    call_command("export_lrmx", "--cadre", str(world.cadre_a.pk), str(world.cadre_b.pk), str(out))
    assert len(zipfile.ZipFile(out).namelist()) == 2
    single = tmp_path / "new.lrmx"
    single.write_text(lrmx(), encoding="utf-8")
    call_command("import_lrmx", str(single), str(out), "--unit", str(world.township_a.pk), "--dry-run")
    printed = capsys.readouterr().out
    assert "检查完成（未写入）：新增 1 人" in printed and "无变化 2 人" in printed
    assert not (cadre_by_id_number(make_id_number(901)) is not None)
    call_command("import_lrmx", str(tmp_path), "--unit", str(world.township_a.pk))
    assert (cadre_by_id_number(make_id_number(901)) is not None)


def test_in_the_embedded_default_the_jobs_run_after_commit_and_the_pages_show_their_results(
        client, world, django_capture_on_commit_callbacks):
    """Eager tasks (no Redis): each job runs when the request's transaction commits, before
    the redirect is followed, so the upload lands on a finished preview and the confirmation
    on a finished import."""
    client = client_for(client, world.users["staff_a"])
    upload = io.BytesIO(lrmx().encode())
    upload.name = "a.lrmx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("appointment:lrmx_import"),
                               {"files": [upload], "unit": world.township_a.pk, "rank": "科员"})
    page = client.get(response.url).content.decode()
    assert "共 1 个文件，新增 1 人" in page and "hx-trigger" not in page
    token = response.url.rstrip("/").rsplit("/", 1)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("appointment:lrmx_import_confirm", args=[token]))
    assert "导入完成：新增 1 人" in client.get(response.url).content.decode()
    assert cadre_by_id_number(make_id_number(901)).unit == world.township_a
