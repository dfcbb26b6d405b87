"""Work over many cadres or files, as plain functions with a progress callback: the batch
print of a list selection (one PDF), the list's .lrmx zip, and the LRMX import's report.
appointment/jobs.py runs them as background jobs; the command and the benchmark call them
directly. Each streams: cadres are read in chunks."""
from django.http import QueryDict

from appointment import pdf
from appointment.form import form_data, form_queryset
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


def batch_print(qs, out, progress=None, *, watermark: str) -> int:
    """Each cadre's form, two pages each, into one PDF written to `out`."""
    total = qs.count()
    return pdf.write_forms(_form_datas(qs), out, progress=progress, total=total, watermark=watermark)


def lrmx_zip(qs, out, progress=None) -> int:
    total = qs.count()
    return write_zip(_form_datas(qs), out, progress=progress, total=total)


# The import job's per-file report (its download), written line by line as the files go.
REPORT_HEADER = "文件\t姓名\t结果\t说明\n"


def report_line(file) -> str:
    notes = "；".join([*file.errors, *file.warnings])
    return f"{file.name}\t{file.display_name}\t{file.outcome or '跳过（有错误）'}\t{notes}\n"
