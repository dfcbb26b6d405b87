"""One real browser: a clerk uploads a zip of .lrmx files, watches the check's progress, reads
the preview, confirms, watches the import to its end; then opens an imported cadre's
干部任免审批表 as PDF and Word, and batch-prints a selection of the list.

The jobs run as on a Celery worker (not eagerly): the test plays the worker, so the pages are
seen while their jobs wait and run."""
import subprocess
import zipfile

import pytest

from appointment.batch import selection
from cadres.models import Cadre
from core.jobs import job_run
from core.models import BackgroundJob
from tests.appointment.lrmx_samples import jpeg_bytes, lrmx
from tests.appointment.test_lrmx import XXE
from tests.browser.test_care_home_visit import login, script_errors
from tests.factories import make_id_number

pytestmark = pytest.mark.browser


def _zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("王小明.lrmx", lrmx(photo=jpeg_bytes()))
        archive.writestr("李小红.lrmx", lrmx(name="李小红", id_number=make_id_number(902)))
        archive.writestr("恶意.lrmx", XXE)
    return path


def _work(kind):
    """What the Celery worker does with the job the page is waiting for."""
    job = BackgroundJob.objects.filter(kind=kind, status=BackgroundJob.Status.PENDING).get()
    job_run(job.pk)
    return job


@pytest.mark.django_db(transaction=True)
def test_a_clerk_imports_lrmx_files_then_prints_their_forms(page, live_server, world, tmp_path, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # jobs wait in the outbox for the worker (this test)
    base = live_server.url
    errors = script_errors(page)
    page.on("dialog", lambda d: d.accept())
    login(page, base, "staff_a")

    page.goto(f"{base}/cadres/")
    page.click("text=导入任免审批表")
    page.set_input_files("#id_files", str(_zip(tmp_path / "批量.zip")))
    page.select_option("#id_unit", str(world.township_a.pk))
    page.select_option("#id_rank", "副科级")
    page.click("#lrmx-upload button[type=submit]")
    page.wait_for_selector("#lrmx-preview-status [role=progressbar]")
    assert "正在后台逐个检查" in page.locator("#lrmx-preview-status").inner_text()
    page.screenshot(path=str(tmp_path / "1-checking.png"), full_page=True)

    _work("appointment.lrmx_preview")
    page.wait_for_selector("#lrmx-preview-counts")  # the poll swaps the progress for the preview
    assert page.locator("#lrmx-preview-counts").inner_text() == (
        "检查结果：共 3 个文件，新增 2 人，更新 0 人，无变化 0 人，有错误不导入 1 个")
    table = page.locator("#lrmx-preview").inner_text()
    assert "王小明" in table and "李小红" in table and "DTD" in table
    assert not Cadre.objects.filter(name__in=["王小明", "李小红"]).exists()  # a preview writes nothing
    page.screenshot(path=str(tmp_path / "2-preview.png"), full_page=True)

    page.click("#lrmx-confirm button[type=submit]")
    page.wait_for_selector("#job-progress")
    page.screenshot(path=str(tmp_path / "3-importing.png"), full_page=True)
    job = _work("appointment.lrmx_import")
    page.wait_for_selector("#job-download")
    assert "导入完成：新增 2 人，更新 0 人，无变化 0 人，跳过有错误的文件 1 个" in page.locator("#job-progress").inner_text()
    page.screenshot(path=str(tmp_path / "4-imported.png"), full_page=True)
    with page.expect_download() as report:
        page.click("#job-download")
    assert "恶意.lrmx" in open(report.value.path(), encoding="utf-8").read()
    assert BackgroundJob.objects.filter(kind="appointment.lrmx_import").count() == 1 and job.user == world.users["staff_a"]

    cadre = Cadre.objects.get(name="王小明")
    assert cadre.unit == world.township_a and cadre.rank == "副科级" and cadre.photo
    page.goto(f"{base}/cadres/{cadre.pk}/")
    with page.expect_download() as form_pdf:
        page.click("text=任免审批表 PDF")
    pdf_path = tmp_path / "form.pdf"
    form_pdf.value.save_as(pdf_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True).stdout
    assert "干部任免审批表" in text and "王小明" in text and "河北大学中文系学生" in text
    with page.expect_download() as form_docx:
        page.click("a:text-is('Word')")
    assert form_docx.value.suggested_filename == "干部任免审批表-王小明.docx"
    assert open(form_docx.value.path(), "rb").read(2) == b"PK"

    query = f"unit={world.township_a.pk}"  # the township's cadres: the two imported and those it had
    selected = selection(world.users["staff_a"], query).count()
    assert selected >= 3
    page.goto(f"{base}/cadres/?{query}")
    page.click("text=批量打印任免审批表")
    page.wait_for_selector("#job-progress")
    printed = _work("appointment.batch_print")
    page.wait_for_selector("#job-download")
    assert f"共 {selected} 人，每人两页" in page.locator("#job-progress").inner_text()
    with page.expect_download() as batch:
        page.click("#job-download")
    batch_path = tmp_path / "batch.pdf"
    batch.value.save_as(batch_path)
    info = subprocess.run(["pdfinfo", str(batch_path)], capture_output=True, text=True).stdout
    pages = next(int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:"))
    assert pages == 2 * selected and printed.params == {"query": query}
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(batch_path), str(tmp_path / "batch")],
                   check=True)
    page.screenshot(path=str(tmp_path / "5-printed.png"), full_page=True)
    assert errors == []
