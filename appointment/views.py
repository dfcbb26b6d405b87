"""干部任免审批表 (PDF, Word) and LRMX export and import pages. Every cadre is read through
cadres_visible_to; imports and the list's batch work need the registry edit role or view role
as the Excel pages do (cadres.views.registry_access)."""
import json
import uuid
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from appointment import pdf, word
from appointment.batch import import_dir, stored_uploads
from appointment.form import form_data, form_queryset
from appointment.forms import LrmxImportForm
from appointment.importer import preview_files
from appointment.lrmx import build_lrmx, lrmx_filename
from cadres.selectors import cadres_visible_to, units_visible_to
from cadres.views import registry_access
from core.audit import audit_log
from core.jobs import job_start
from core.models import AuditEvent

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
    return _attachment(pdf.form_pdf([data]), f"干部任免审批表-{data.cadre.name}.pdf", PDF)


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


# Import: upload → dry-run preview → confirm. The files wait in MEDIA_ROOT (never served)
# under a random token remembered in the user's session, as the Excel import does; the
# confirmed import runs as a background job with a progress page.
@registry_access(edit=True)
def lrmx_import(request):
    units = units_visible_to(request.user).order_by("path")
    form = LrmxImportForm(request.POST or None, request.FILES or None, units=units)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        token = uuid.uuid4().hex
        directory = import_dir(token)
        directory.mkdir(parents=True)
        names = []
        for i, upload in enumerate(form.cleaned_data["files"]):
            with (directory / f"{i}.bin").open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            names.append(Path(upload.name).name)
        (directory / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
        with ExitStack() as stack:
            preview = preview_files(stored_uploads(directory, stack), user=request.user)
        request.session.setdefault("lrmx_imports", {})[token] = {
            "unit": form.cleaned_data["unit"].pk, "rank": form.cleaned_data["rank"]}
        request.session.modified = True
        context.update(preview=preview, token=token, unit=form.cleaned_data["unit"],
                       rank=form.cleaned_data["rank"])
    return render(request, "appointment/lrmx_import.html", context)


@require_POST
@registry_access(edit=True)
def lrmx_import_confirm(request, token):
    pending = request.session.get("lrmx_imports", {})
    if token not in pending or not import_dir(token).is_dir():
        raise Http404
    choice = pending[token]
    request.session["lrmx_imports"] = {t: v for t, v in pending.items() if t != token}
    try:
        # The first confirmation claims the upload (an exclusive create): a second one (a
        # double click without the page token, two tabs) starts no second import.
        (import_dir(token) / "confirmed").open("x").close()
    except FileExistsError:
        messages.info(request, "此次导入已经确认，未重复导入。")
        return redirect("cadres:list")
    # Checked again in the job: the registry may have changed since the preview.
    job = job_start(user=request.user, kind="appointment.lrmx_import",
                    params={"token": token, "unit": choice["unit"], "rank": choice["rank"]})
    return redirect(job)
