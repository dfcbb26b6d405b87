"""Work over many cadres or files, as plain functions with a progress callback: the batch
print of a list selection (one PDF), the list's .lrmx zip, and a multi-file LRMX import.
appointment/jobs.py runs them as background jobs; the command and the benchmark call them
directly. Each streams: cadres are read in chunks and files one at a time."""
import json
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.http import QueryDict

from appointment import pdf
from appointment.form import form_data, form_queryset
from appointment.importer import ImportPreview, import_files
from appointment.lrmx import write_zip
from cadres.forms import CadreFilterForm
from cadres.selectors import cadre_list, units_visible_to

CHUNK = 100


def selection(user, query: str):
    """The cadres of the list as the user filtered it (the same filters as the Excel export),
    always through cadres_visible_to (cadre_list starts from it)."""
    form = CadreFilterForm(QueryDict(query) or None, units=units_visible_to(user))
    filters = form.cleaned_data if form.is_valid() else {}
    return cadre_list(
        user=user, search=filters.get("q", ""), unit=filters.get("unit"), rank=filters.get("rank", ""),
        status=filters.get("status", ""), tag=filters.get("tag", ""),
        township_years_min=filters.get("township_years"), order=filters.get("order") or "name",
    )


def _form_datas(qs):
    return (form_data(c) for c in form_queryset(qs).iterator(chunk_size=CHUNK))


def batch_print(qs, out, progress=None) -> int:
    """Each cadre's form, two pages each, into one PDF written to `out`."""
    total = qs.count()
    return pdf.write_forms(_form_datas(qs), out, progress=progress, total=total)


def lrmx_zip(qs, out, progress=None) -> int:
    total = qs.count()
    return write_zip(_form_datas(qs), out, progress=progress, total=total)


def import_dir(token: str) -> Path:
    """Where an upload waits between preview and confirm (MEDIA_ROOT, never served)."""
    return Path(settings.MEDIA_ROOT) / "imports" / f"lrmx-{token}"


def stored_uploads(directory: Path, stack: ExitStack):
    names = json.loads((directory / "names.json").read_text(encoding="utf-8"))
    return [(name, stack.enter_context((directory / f"{i}.bin").open("rb"))) for i, name in enumerate(names)]


def import_stored(directory: Path, *, user, unit, rank, progress=None) -> ImportPreview:
    with ExitStack() as stack:
        return import_files(stored_uploads(directory, stack), user=user, unit=unit, rank=rank, progress=progress)


def import_report(result: ImportPreview) -> str:
    """The per-file outcome as a plain text report (the job's download)."""
    lines = ["文件\t姓名\t结果\t说明"]
    for file in result.files:
        notes = "；".join([*file.errors, *file.warnings])
        lines.append(f"{file.name}\t{file.display_name}\t{file.outcome or '跳过（有错误）'}\t{notes}")
    return "\n".join(lines) + "\n"
