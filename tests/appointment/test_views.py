import io
import zipfile

from django.core.management import call_command
from django.urls import reverse

from appointment.lrmx import parse_lrmx
from cadres.selectors import cadre_by_id_number
from core.jobs import job_run
from core.models import BackgroundJob
from tests.appointment.lrmx_samples import jpeg_bytes, lrmx
from tests.appointment.test_lrmx import XXE
from tests.conftest import client_for
from tests.factories import make_id_number


def test_upload_previews_without_writing_then_confirm_imports(client, world):
    client = client_for(client, world.users["staff_a"])
    files = [io.BytesIO(lrmx(photo=jpeg_bytes()).encode()), io.BytesIO(XXE.encode())]
    files[0].name, files[1].name = "王小明.lrmx", "恶意.lrmx"
    response = client.post(reverse("appointment:lrmx_import"),
                           {"files": files, "unit": world.township_a.pk, "rank": "副科级"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "新增 1 人" in page and "DTD" in page and "王小明" in page
    assert not (cadre_by_id_number(make_id_number(901)) is not None)
    token = response.context["token"]
    response = client.post(reverse("appointment:lrmx_import_confirm", args=[token]))
    job = BackgroundJob.objects.get()
    assert response.url == job.get_absolute_url()
    job_run(job.pk)  # what the worker does (eager or on Redis)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE and job.message.startswith("导入完成：新增 1 人")
    assert "恶意.lrmx" in open(job.result_path, encoding="utf-8").read()
    cadre = cadre_by_id_number(make_id_number(901))
    assert cadre.rank == "副科级" and cadre.unit == world.township_a
    # The token is spent.
    assert client.post(reverse("appointment:lrmx_import_confirm", args=[token])).status_code == 404


def test_a_unit_outside_the_jurisdiction_cannot_be_chosen(client, world):
    client = client_for(client, world.users["staff_a"])
    upload = io.BytesIO(lrmx().encode())
    upload.name = "a.lrmx"
    response = client.post(reverse("appointment:lrmx_import"), {"files": [upload], "unit": world.unit_b.pk,
                                                                "rank": "科员"})
    assert "preview" not in response.context and response.context["form"].errors["unit"]


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
