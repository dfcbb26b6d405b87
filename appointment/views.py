"""干部任免审批表 (PDF, Word) and LRMX export and import pages. Every cadre is read through
cadres_visible_to; imports and the list's batch work need the registry edit role or view role
as the Excel pages do (cadres.views.registry_access)."""
import io
import json
import shutil
import uuid
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from appointment import pdf, word
from appointment.form import form_data, form_queryset
from appointment.forms import LrmxImportForm
from appointment.importer import import_files, preview_files, summary_text
from appointment.lrmx import build_lrmx, lrmx_filename, write_zip
from cadres.forms import CadreFilterForm
from cadres.selectors import cadre_list as select_cadre_list
from cadres.selectors import cadres_visible_to, units_visible_to
from cadres.views import registry_access

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Until background jobs land (core/jobs.py), a list's batch print and zip export run in the
# request; a selection larger than this is refused with advice to narrow the filters.
MAX_SYNC_SELECTION = 200


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _visible_form_data(request, pk):
    cadre = get_object_or_404(form_queryset(cadres_visible_to(request.user)), pk=pk)
    return form_data(cadre)


@registry_access()
def form_pdf(request, pk):
    data = _visible_form_data(request, pk)
    return _attachment(pdf.form_pdf([data]), f"干部任免审批表-{data.cadre.name}.pdf", PDF)


@registry_access()
def form_docx(request, pk):
    data = _visible_form_data(request, pk)
    return _attachment(word.form_docx(data), f"干部任免审批表-{data.cadre.name}.docx", DOCX)


@registry_access()
def lrmx_export(request, pk):
    data = _visible_form_data(request, pk)
    return _attachment(build_lrmx(data), lrmx_filename(data.cadre), "application/xml")


def _selection(request):
    """The cadres of the list as filtered on the page (the same filters as the Excel export)."""
    form = CadreFilterForm(request.GET or None, units=units_visible_to(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    return select_cadre_list(
        user=request.user, search=filters.get("q", ""), unit=filters.get("unit"), rank=filters.get("rank", ""),
        status=filters.get("status", ""), tag=filters.get("tag", ""),
        township_years_min=filters.get("township_years"), order=filters.get("order") or "name",
    )


def _too_many(request, qs):
    count = qs.count()
    if count == 0:
        messages.warning(request, "当前筛选结果中没有干部。")
        return True
    if count > MAX_SYNC_SELECTION:
        messages.error(request, f"当前筛选结果有 {count} 人，一次最多处理 {MAX_SYNC_SELECTION} 人，请缩小筛选范围后重试。")
        return True
    return False


@registry_access()
def batch_pdf(request):
    qs = _selection(request)
    if _too_many(request, qs):
        return redirect(f"{reverse('cadres:list')}?{request.GET.urlencode()}")
    datas = (form_data(c) for c in form_queryset(qs))
    return _attachment(pdf.form_pdf(datas), "干部任免审批表.pdf", PDF)


@registry_access()
def lrmx_export_many(request):
    qs = _selection(request)
    if _too_many(request, qs):
        return redirect(f"{reverse('cadres:list')}?{request.GET.urlencode()}")
    buffer = io.BytesIO()
    write_zip((form_data(c) for c in form_queryset(qs)), buffer)
    return _attachment(buffer.getvalue(), "干部任免审批表.zip", "application/zip")


# Import: upload → dry-run preview → confirm. The files wait in MEDIA_ROOT (never served)
# under a random token remembered in the user's session, as the Excel import does.
def _import_dir(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"lrmx-{token}"


def _stored_uploads(directory: Path, stack: ExitStack):
    names = json.loads((directory / "names.json").read_text(encoding="utf-8"))
    return [(name, stack.enter_context((directory / f"{i}.bin").open("rb"))) for i, name in enumerate(names)]


@registry_access(edit=True)
def lrmx_import(request):
    units = units_visible_to(request.user).order_by("path")
    form = LrmxImportForm(request.POST or None, request.FILES or None, units=units)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        token = uuid.uuid4().hex
        directory = _import_dir(token)
        directory.mkdir(parents=True)
        names = []
        for i, upload in enumerate(form.cleaned_data["files"]):
            with (directory / f"{i}.bin").open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            names.append(Path(upload.name).name)
        (directory / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
        with ExitStack() as stack:
            preview = preview_files(_stored_uploads(directory, stack), user=request.user)
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
    directory = _import_dir(token)
    if token not in pending or not directory.is_dir():
        raise Http404
    choice = pending[token]
    unit = units_visible_to(request.user).filter(pk=choice["unit"]).first()
    try:
        if unit is None:
            messages.error(request, "所选单位已不在您的管辖范围内，未导入。")
            return redirect("appointment:lrmx_import")
        with ExitStack() as stack:
            # Checked again: the registry may have changed since the preview.
            result = import_files(_stored_uploads(directory, stack), user=request.user, unit=unit,
                                  rank=choice["rank"])
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        request.session["lrmx_imports"] = {t: v for t, v in pending.items() if t != token}
    messages.success(request, summary_text(result))
    for file in result.files:
        if file.outcome == "失败":
            messages.warning(request, f"{file.name}：{'；'.join(file.errors)}")
    return redirect("cadres:list")
