"""The printable documents of a case: a print page and the PDF download. A case the user
may not see does not exist (404)."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header

from core.errors import DomainError
from core.xlsx import export_watermark
from tolerance import documents
from tolerance.selectors import cases_visible_to


def _visible_case(request, pk, kind):
    if kind not in documents.KINDS:
        raise Http404("没有这种文书。")
    return get_object_or_404(cases_visible_to(request.user).select_related("policy", "unit"), pk=pk)


def _links(case, kind):
    return {"back_url": reverse("tolerance:detail", args=[case.pk]), "subject_title": case.title,
            "pdf_url": reverse("tolerance:document_pdf", args=[case.pk, kind])}


def _page(context, status=200):
    """A standalone page (no navigation bar), so no request context processors."""
    return HttpResponse(render_to_string("tolerance/document_print.html", context), status=status)


def _refusal(case, kind, error: DomainError):
    return _page({"kind": kind, "kind_label": documents.KINDS[kind], "error": error.message, **_links(case, kind)},
                 status=409)


def _issuer_size(header: str) -> str:
    """The issuing body's name fills at most one line of the 156 mm text block: a size class
    by length (CSS cannot measure text; no inline styles under the CSP)."""
    n = len(header)
    return "s" if n <= 12 else "m" if n <= 14 else "l" if n <= 18 else "xl"


@login_required
def case_document(request, pk, kind):
    case = _visible_case(request, pk, kind)
    try:
        content = documents.document_content(case, kind)
    except DomainError as e:
        return _refusal(case, kind, e)
    return _page({"kind": kind, "kind_label": documents.KINDS[kind], "doc": content,
                  "issuer_size": _issuer_size(content["header"]), **_links(case, kind)})


@login_required
def case_document_pdf(request, pk, kind):
    case = _visible_case(request, pk, kind)
    try:
        content = documents.document_content(case, kind)
    except DomainError as e:
        return _refusal(case, kind, e)
    response = HttpResponse(documents.render_pdf(content, watermark=export_watermark(request.user)), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, content["filename"])
    response["Cache-Control"] = "private, no-store"
    return response
