"""干部任免审批表 (PDF, Word) and LRMX export and import pages. Every cadre is read through
cadres_visible_to; imports and the list's batch work need the registry edit role or view role
as the Excel pages do (cadres.views.registry_access)."""
import uuid
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from appointment import pdf, staging, word
from appointment.form import form_data, form_queryset
from appointment.forms import LrmxImportForm
from appointment.lrmx import build_lrmx, lrmx_filename
from cadres.selectors import cadres_visible_to, units_visible_to
from cadres.views import registry_access
from core.audit import audit_log
from core.jobs import job_start
from core.models import AuditEvent, BackgroundJob
from core.xlsx import export_watermark

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _visible_form_data(request, pk, what):
    cadre = get_object_or_404(form_queryset(cadres_visible_to(request.user)), pk=pk)
    audit_log(AuditEvent.Type.EXPORT, request=request, obj=cadre, count=1, detail=what)
    return form_data(cadre)


@registry_access()
def form_pdf(request, pk):
    data = _visible_form_data(request, pk, "干部任免审批表（PDF）")
    return _attachment(pdf.form_pdf([data], watermark=export_watermark(request.user)), f"干部任免审批表-{data.cadre.name}.pdf", PDF)


@registry_access()
def form_docx(request, pk):
    data = _visible_form_data(request, pk, "干部任免审批表（Word）")
    return _attachment(word.form_docx(data), f"干部任免审批表-{data.cadre.name}.docx", DOCX)


@registry_access()
def lrmx_export(request, pk):
    data = _visible_form_data(request, pk, "干部任免审批表（LRMX）")
    return _attachment(build_lrmx(data), lrmx_filename(data.cadre), "application/xml")


@require_POST
@registry_access()
def batch_pdf(request):
    """Batch print of the list as filtered: a background job, whose page shows progress and
    then the one PDF (the selection is read again in the job, through cadres_visible_to)."""
    job = job_start(user=request.user, kind="appointment.batch_print", params={"query": request.POST.get("query", "")})
    return redirect(job)


@require_POST
@registry_access()
def lrmx_export_many(request):
    job = job_start(user=request.user, kind="appointment.lrmx_zip", params={"query": request.POST.get("query", "")})
    return redirect(job)


# Import: upload → preview (a background job: every file parsed, checked and matched, nothing
# written) → confirm → import (a second job). The files wait in MEDIA_ROOT (appointment.staging)
# under a random token remembered in the user's session, and expire as the Excel import's do.
PREVIEW_PAGE_SIZE = 50


@registry_access(edit=True)
def lrmx_import(request):
    units = units_visible_to(request.user).order_by("path")
    form = LrmxImportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST":
        staging.purge_expired()
    if request.method == "POST" and form.is_valid():
        token = uuid.uuid4().hex
        staging.store_uploads(token, form.cleaned_data["files"])
        choice = {"unit": form.cleaned_data["unit"].pk, "rank": form.cleaned_data["rank"]}
        job = job_start(user=request.user, kind="appointment.lrmx_preview", params={"token": token, **choice})
        request.session.setdefault("lrmx_imports", {})[token] = {**choice, "preview_job": job.pk}
        request.session.modified = True
        return redirect("appointment:lrmx_import_preview", token=token)
    return render(request, "appointment/lrmx_import.html", {"form": form})


def _pending_import(request, token):
    """The user's own upload (its token is in their session) and its preview job."""
    choice = request.session.get("lrmx_imports", {}).get(token)
    if choice is None:
        raise Http404
    job = get_object_or_404(BackgroundJob, pk=choice["preview_job"], user=request.user, kind="appointment.lrmx_preview")
    return choice, job


@registry_access(edit=True)
def lrmx_import_preview(request, token):
    """The preview's progress while its job runs (polled by htmx), then its counts and its
    rows a page at a time, with the confirm button."""
    choice, job = _pending_import(request, token)
    context = {"job": job, "token": token}
    if job.status == BackgroundJob.Status.DONE:
        summary = staging.read_summary(staging.import_dir(token))
        if summary is None or not staging.is_pending(token) and not job.params.get("import_job"):
            context["expired"] = True
        else:
            rows = staging.PreviewRows(staging.import_dir(token), summary["total"])
            context.update(
                summary=summary, page=Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page")),
                importable=summary["new"] + summary["update"] + summary["unchanged"],
                unit=units_visible_to(request.user).filter(pk=choice["unit"]).first(), rank=choice["rank"],
                import_job=job.params.get("import_job"))
    template = "appointment/_lrmx_preview.html" if request.htmx else "appointment/lrmx_import_preview.html"
    return render(request, template, context)


@require_POST
@registry_access(edit=True)
def lrmx_import_confirm(request, token):
    """Start the import once: the preview job's row, locked, remembers the import job, so a
    double click or a second tab is sent to the same job instead of importing twice."""
    staging.purge_expired()
    choice, job = _pending_import(request, token)
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().get(pk=job.pk)
        started = job.params.get("import_job")
        if started is None:
            if job.status != BackgroundJob.Status.DONE:
                raise Http404
            if not staging.is_pending(token):
                messages.error(request, "上传的文件已过期（上传后 2 小时内未确认导入），请重新上传。")
                return redirect("appointment:lrmx_import")
            # Checked again in the job: the registry may have changed since the preview.
            started = job_start(user=request.user, kind="appointment.lrmx_import",
                                params={"token": token, "unit": choice["unit"], "rank": choice["rank"]}).pk
            job.params = {**job.params, "import_job": started}
            job.save(update_fields=["params"])
        else:
            messages.info(request, "该批文件已确认导入，未重复导入。")
    return redirect("job_detail", pk=started)
