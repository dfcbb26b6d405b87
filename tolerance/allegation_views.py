"""Allegations, clarification notices and the false-report publication list. Thin views over
allegation_services; every object comes through the selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cadres.selectors import cadres_in_subtree, cadres_visible_to, units_visible_to
from core import roles
from core.errors import DomainError
from core.exports import export_start
from core.versioning import lock_version, posted_version
from core.xlsx import export_watermark
from tolerance import allegation_services as services
from tolerance import documents, forms
from tolerance.document_views import _issuer_size
from tolerance.jobs import PUBLICATION_COLUMNS, publication_filters
from tolerance.models import Allegation, AllegationStatus, Conclusion
from tolerance.selectors import (
    allegation_list as select_allegation_list,
)
from tolerance.selectors import (
    allegations_visible_to,
    may_see_reporter,
    notices_visible_to,
)
from tolerance.selectors import (
    notice_list as select_notice_list,
)
from tolerance.views import PAGE_SIZE, tolerance_access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible(request, pk):
    return get_object_or_404(allegations_visible_to(request.user), pk=pk)


def _query(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@tolerance_access
def allegation_list(request):
    form = forms.AllegationFilterForm(request.GET or None, units=units_visible_to(request.user).order_by("path"))
    f = form.cleaned_data if form.is_valid() else {}
    qs = select_allegation_list(user=request.user, q=f.get("q", ""), status=f.get("status", ""),
                                source=f.get("source", ""), conclusion=f.get("conclusion", ""),
                                overdue=f.get("overdue", False), unit=f.get("unit"),
                                repeated=f.get("repeated", False), event=f.get("event", ""),
                                since=f.get("since"), until=f.get("until"), open_days=f.get("open_days"))
    return render(request, "tolerance/allegation_list.html", {
        "form": form, "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")), "query": _query(request),
        "can_create": roles.can_edit_registry(request.user),
    })


@tolerance_access
def allegation_create(request):
    if not roles.can_edit_registry(request.user):
        raise PermissionDenied
    units = units_visible_to(request.user).order_by("path")
    pick = forms.UnitPickForm(request.GET or None, units=units)
    if not pick.is_valid():
        return render(request, "tolerance/allegation_create.html", {"pick": pick})
    unit = pick.cleaned_data["unit"]
    form = forms.AllegationForm(request.POST or None,
                                cadres=cadres_visible_to(request.user).filter(cadres_in_subtree(unit.path)))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            allegation = services.allegation_receive(
                by=request.user, source=d["source"], received_on=d["received_on"], subjects=d["subjects"],
                issue=d["issue"], summary=d["summary"], reporter=form.reporter(),
                acknowledge_duplicate=d["acknowledge_duplicate"])
        except DomainError as e:
            form.add_error(e.field, e.message)
        else:
            messages.success(request, f"已登记问题线索 {allegation.number}。")
            return redirect("tolerance:allegation_detail", pk=allegation.pk)
    return render(request, "tolerance/allegation_create.html", {"pick": pick, "unit": unit, "form": form})


def _do_close(a, form, user):
    services.allegation_close_directly(allegation=a, by=user, **form.cleaned_data)


def _do_assign(a, form, user):
    services.allegation_assign(allegation=a, by=user, **form.cleaned_data)


def _do_conclude(a, form, user):
    services.allegation_conclude(allegation=a, by=user, **form.cleaned_data)


def _do_open_case(a, form, user):
    services.allegation_open_case(allegation=a, by=user, **form.cleaned_data)


def _do_clarify(a, form, user):
    services.clarification_issue(allegation=a, by=user, **form.cleaned_data)


def _do_referral(a, form, user):
    services.referral_update(referral=a.referral, by=user, **form.cleaned_data)


def _do_evidence(a, form, user):
    services.allegation_evidence_add(allegation=a, by=user, **form.cleaned_data)


STAFF, VERIFIER = "staff", "verifier"
R, V, C = AllegationStatus.RECEIVED, AllegationStatus.VERIFYING, AllegationStatus.CONCLUDED
# name → (title, form, who, offered when (allegation → bool), service call, form needs allegation)
ACTIONS = {
    "close": ("审查后直接了结", forms.CloseDirectlyForm, STAFF, lambda a: a.status == R, _do_close, False),
    "assign": ("指定核查人，开始核查", forms.AssignVerifiersForm, STAFF, lambda a: a.status == R, _do_assign, True),
    "evidence": ("上传核查材料", forms.EvidenceForm, VERIFIER, lambda a: a.status == V, _do_evidence, False),
    "conclude": ("作出核查结论", forms.ConcludeForm, VERIFIER, lambda a: a.status == V, _do_conclude, False),
    "open_case": ("转入问责（容错纠错案件）", forms.OpenCaseForm, STAFF,
                  lambda a: a.conclusion in services.ACCOUNTABLE and not a.tolerance_case_id, _do_open_case, False),
    "clarify": ("澄清正名", forms.ClarifyForm, STAFF, lambda a: a.conclusion in services.CLEARED, _do_clarify, True),
    "referral": ("更新诬告陷害追责情况", forms.ReferralForm, STAFF,
                 lambda a: a.conclusion == Conclusion.FRAMED and hasattr(a, "referral"), _do_referral, False),
}


def _may(user, allegation, who) -> bool:
    if who == STAFF:
        return roles.is_admin(user) or roles.is_staff_member(user)
    return roles.is_admin(user) or may_see_reporter(user, allegation)  # the assigned verifiers


def _form(name, allegation, data=None, files=None):
    _, form_class, _, _, _, needs = ACTIONS[name]
    return form_class(data, files, allegation=allegation) if needs else form_class(data, files)


@tolerance_access
def allegation_detail(request, pk):
    allegation = get_object_or_404(allegations_visible_to(request.user).select_related(
        "tolerance_case", "duplicate_of", "created_by"), pk=pk)
    actions = [(name, title, _form(name, allegation)) for name, (title, _, who, offered, _, _) in ACTIONS.items()
               if offered(allegation) and _may(request.user, allegation, who)]
    verifier = may_see_reporter(request.user, allegation)
    return render(request, "tolerance/allegation_detail.html", {
        "allegation": allegation,
        "subjects": allegation.subjects.select_related("unit"),
        "notices": allegation.notices.select_related("cadre"),
        "referral": getattr(allegation, "referral", None),
        "evidence": allegation.evidence_files.select_related("uploaded_by") if verifier or roles.is_admin(request.user) else [],
        "actions": actions,
        "may_see_reporter": verifier,
        "overdue": allegation.status in (R, V) and allegation.deadline and allegation.deadline < timezone.localdate(),
    })


@require_POST
@tolerance_access
def allegation_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    allegation = _visible(request, pk)
    title, _, who, offered, handler, _ = ACTIONS[action]
    if not _may(request.user, allegation, who):
        raise PermissionDenied
    form = _form(action, allegation, request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"{title}未保存：" + "；".join(
            f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}" for f, e in form.errors.items()))
    else:
        try:
            with transaction.atomic():  # the version the page showed, checked under the row lock
                lock_version(Allegation, allegation.pk, posted_version(request))
                handler(allegation, form, request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"{title}：已保存。")
    return redirect("tolerance:allegation_detail", pk=allegation.pk)


@never_cache  # shows the reporter's identity: Cache-Control no-store, like the confidential note
@tolerance_access
def reporter_identity(request, pk):
    """Only the assigned verifiers; each view is logged."""
    allegation = _visible(request, pk)
    if not may_see_reporter(request.user, allegation):
        raise PermissionDenied
    identity = services.reporter_identity_read(allegation=allegation, user=request.user, via="页面", request=request)
    return render(request, "tolerance/reporter.html", {"allegation": allegation, "identity": identity})


@tolerance_access
def notice_list(request):
    form = forms.NoticeFilterForm(request.GET or None, units=units_visible_to(request.user).order_by("path"))
    f = form.cleaned_data if form.is_valid() else {}
    q = f.get("q", "").strip()
    qs = select_notice_list(user=request.user, q=q, unit=f.get("unit"), since=f.get("since"), until=f.get("until"),
                            published=f.get("published", False))
    return render(request, "tolerance/notice_list.html", {
        "form": form, "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")), "q": q,
        "query": _query(request)})


def _visible_notice(request, pk):
    return get_object_or_404(notices_visible_to(request.user).select_related("cadre__unit", "allegation"), pk=pk)


@tolerance_access
def notice_detail(request, pk):
    notice = _visible_notice(request, pk)
    can_deliver = roles.is_admin(request.user) or roles.is_staff_member(request.user)
    form = forms.DeliveryForm(request.POST or None)
    if request.method == "POST":
        if not can_deliver:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.clarification_deliver(notice=notice, by=request.user, **form.cleaned_data)
            except DomainError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, "送达情况已保存。")
                return redirect("tolerance:notice_detail", pk=notice.pk)
    return render(request, "tolerance/notice_detail.html", {"notice": notice, "form": form,
                                                            "can_deliver": can_deliver})


@tolerance_access
def notice_print(request, pk):
    notice = _visible_notice(request, pk)
    content = documents.notice_content(notice)
    return HttpResponse(render_to_string("tolerance/document_print.html", {
        "doc": content, "kind_label": content["title"], "subject_title": notice.cadre.name,
        "back_url": reverse("tolerance:notice_detail", args=[notice.pk]),
        "pdf_url": reverse("tolerance:notice_pdf", args=[notice.pk]), "issuer_size": _issuer_size(content["header"]),
    }))


@tolerance_access
def notice_pdf(request, pk):
    notice = _visible_notice(request, pk)
    content = documents.notice_content(notice)
    response = HttpResponse(documents.render_pdf(content, watermark=export_watermark(request.user)), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, content["filename"])
    response["Cache-Control"] = "private, no-store"
    return response


def _publication(request):
    return publication_filters(request.user, request.GET)


@tolerance_access
def publication(request):
    form, notices = _publication(request)
    return render(request, "tolerance/publication.html", {"form": form, "notices": notices,
                                                          "columns": PUBLICATION_COLUMNS, "query": _query(request)})


@tolerance_access
@require_POST
def publication_export(request):
    """Starts the export job (tolerance.jobs) for the chosen year and quarter."""
    return export_start(request, "tolerance.publication_export")
