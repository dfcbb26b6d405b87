"""Thin views: fetch through the selector, check the action is the user's, call the service,
turn a refusal into a message."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cadres.models import FollowUpVisit
from cadres.selectors import cadres_in_subtree, cadres_visible_to, units_visible_to
from core import roles
from core.audit import AuditEvent, audit_log
from core.errors import DomainError
from core.people import people_label
from core.versioning import lock_version, posted_version
from tolerance import forms, services
from tolerance.models import (
    CaseCadre,
    ChecklistItem,
    ClauseKind,
    Consequence,
    Evidence,
    Ruling,
    Stage,
    ToleranceCase,
)
from tolerance.rules import tolerance_blockers
from tolerance.selectors import (
    allegations_assigned_to,
    can_assign,
    can_determine,
    can_handle,
    cases_visible_to,
    reform_filings_visible_to,
    stage_responsibles,
)
from tolerance.selectors import (
    case_list as select_case_list,
)
from tolerance.selectors import (
    reform_filing_list as select_reform_filing_list,
)

PAGE_SIZE = 30


def _visible_case(request, pk):
    return get_object_or_404(cases_visible_to(request.user).select_related("unit", "policy", "stage_owner",
                                                                          "reform_filing"), pk=pk)


def tolerance_access(view):
    """Everyone in a role that takes part in tolerance cases; others get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (roles.can_view_registry(request.user) or roles.is_discipline_officer(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@tolerance_access
def case_list(request):
    units = units_visible_to(request.user).order_by("path")
    form = forms.CaseFilterForm(request.GET or None, units=units)
    f = form.cleaned_data if form.is_valid() else {}
    qs = select_case_list(user=request.user, q=f.get("q", ""), stage=f.get("stage", ""), outcome=f.get("outcome", ""),
                          overdue=f.get("overdue", False), unit=f.get("unit"), officer=f.get("officer"),
                          year=f.get("year"), wrongly=f.get("wrongly", False), event=f.get("event", ""),
                          since=f.get("since"), until=f.get("until"), overdue_on=f.get("overdue_on"),
                          left_stage=f.get("left_stage", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "tolerance/case_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_file": can_assign(request.user),
    })


@tolerance_access
def case_create(request):
    if not can_assign(request.user):
        raise PermissionDenied
    units = units_visible_to(request.user).order_by("path")
    pick = forms.UnitPickForm(request.GET or None, units=units)
    if not pick.is_valid():
        return render(request, "tolerance/case_create.html", {"pick": pick})
    unit = pick.cleaned_data["unit"]
    cadres = cadres_visible_to(request.user).filter(cadres_in_subtree(unit.path))
    form = forms.CaseFileForm(request.POST or None, cadres=cadres,
                              filings=reform_filings_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        entries = [{
            "cadre": cadre, "proposed_sanction_type": d["proposed_sanction_type"],
            "proposed_measure_kind": d["proposed_measure_kind"],
            "related_sanctions": [s for s in d["related_sanctions"] if s.cadre_id == cadre.pk],
        } for cadre in d["cadres"]]
        try:
            case = services.case_file(
                by=request.user, title=d["title"], unit=unit, cadres=entries, matter=d["matter"],
                error_date=d["error_date"], accountability_body=d["accountability_body"], origin=d["origin"],
                losses_impact=d["losses_impact"], concerns_unit=d["concerns_unit"], reform_filing=d["reform_filing"])
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已立案：{case.title}（适用《{case.policy.title}》）。")
            return redirect("tolerance:detail", pk=case.pk)
    return render(request, "tolerance/case_create.html", {"pick": pick, "unit": unit, "form": form})


# action → (form class, who may do it, service call)
def _do_start(case, form, user):
    services.case_start_investigation(case=case, by=user, investigators=form.cleaned_data["investigators"],
                                      reason=form.cleaned_data["reason"])


def _do_finish(case, form, user):
    services.case_finish_investigation(case=case, by=user, reason=form.cleaned_data["reason"])


def _do_preliminary(case, form, user):
    services.case_submit_preliminary_opinion(case=case, by=user, opinion=form.cleaned_data["opinion"])


def _do_consultation(case, form, user):
    services.case_record_consultation(case=case, by=user, **form.cleaned_data)


def _do_defence(case, form, user):
    d = form.cleaned_data
    services.defence_record(case_cadre=d["case_cadre"], by=user, statement=d["statement"], recorded_on=d["recorded_on"])


def _do_determine(case, form, user):
    d = form.cleaned_data
    services.case_determine(case=case, by=user, decision_number=d["decision_number"], decided_on=d["decided_on"],
                            deciding_body=d["deciding_body"], reasons=d["reasons"], outcomes=form.outcomes())


def _do_feedback(case, form, user):
    services.case_record_feedback(case=case, by=user, **form.cleaned_data)


def _do_filing(case, form, user):
    services.case_record_filing(case=case, by=user, **form.cleaned_data)


def _do_rereview(case, form, user):
    services.rereview_request(case=case, by=user, **form.cleaned_data)


def _do_remedial(case, form, user):
    services.remedial_add(case=case, by=user, **form.cleaned_data)


def _do_remedial_done(case, form, user):
    services.remedial_complete(measure=form.cleaned_data["measure"], by=user, done_on=form.cleaned_data["done_on"])


def _do_evidence(case, form, user):
    services.evidence_add(case=case, by=user, **form.cleaned_data)


HANDLER, ASSIGNER, LEADER = "handle", "assign", "determine"
# name → (title, form, who, stages in which it is offered, service call, needs case in form)
ACTIONS = {
    "start": ("启动调查核实", forms.StartInvestigationForm, ASSIGNER, {Stage.FILED}, _do_start, True),
    "finish": ("调查核实结束", forms.ReasonForm, HANDLER, {Stage.INVESTIGATION}, _do_finish, False),
    "preliminary": ("提出初步意见", forms.PreliminaryForm, HANDLER, {Stage.PRELIMINARY}, _do_preliminary, False),
    "consultation": ("记录沟通会商", forms.ConsultationForm, HANDLER, {Stage.CONSULTATION}, _do_consultation, False),
    "defence": ("记录陈述申辩", forms.DefenceForm, HANDLER, set(services.CHECKLIST_STAGES), _do_defence, True),
    "determine": ("录入党委（党组）认定", forms.DeterminationForm, LEADER, {Stage.DETERMINATION}, _do_determine, True),
    "feedback": ("记录书面反馈", forms.FeedbackForm, HANDLER, {Stage.FEEDBACK}, _do_feedback, False),
    "filing": ("记录备案并办结", forms.FilingForm, HANDLER, {Stage.FILING}, _do_filing, False),
    "rereview": ("登记复核申请", forms.ReReviewForm, HANDLER, {Stage.FILING, Stage.CLOSED}, _do_rereview, True),
    "remedial": ("新增纠错措施", forms.RemedialForm, HANDLER, set(Stage.values), _do_remedial, False),
    "remedial_done": ("纠错措施完成", forms.RemedialDoneForm, HANDLER, set(Stage.values), _do_remedial_done, True),
    "evidence": ("上传证据材料", forms.EvidenceForm, HANDLER, set(Stage.values) - {Stage.CLOSED}, _do_evidence, False),
}


def _may(user, case, who) -> bool:
    return {HANDLER: can_handle, ASSIGNER: lambda u, c: can_assign(u), LEADER: lambda u, c: can_determine(u)}[who](user, case)


def _action_form(name, case, data=None, files=None):
    _, form_class, _, _, _, needs_case = ACTIONS[name]
    return form_class(data, files, case=case) if needs_case else form_class(data, files)


def _offered_actions(user, case):
    offered = []
    for name, (title, _, who, stages, _, _) in ACTIONS.items():
        if case.stage in stages and _may(user, case, who):
            if name == "remedial_done" and not case.remedial_measures.filter(done_on__isnull=True).exists():
                continue
            offered.append((name, title, _action_form(name, case)))
    return offered


@tolerance_access
def case_detail(request, pk):
    case = _visible_case(request, pk)
    case_cadres = list(case.case_cadres.select_related("cadre__unit", "proposed_sanction_type").prefetch_related(
        Prefetch("checklist", queryset=ChecklistItem.objects.select_related("clause")),
        Prefetch("rulings", queryset=Ruling.objects.select_related("determination", "final_sanction_type")
                 .prefetch_related(Prefetch("consequences", queryset=Consequence.objects.select_related(
                     "sanction__sanction_type", "measure")))),
        "related_sanctions__sanction_type"))
    for cc in case_cadres:
        items = list(cc.checklist.all())
        cc.blockers = tolerance_blockers(items)
        cc.answered = sum(1 for i in items if i.holds is not None)
        cc.total = len(items)
        cc.rulings_sorted = sorted(cc.rulings.all(), key=lambda r: r.determination.recorded_at, reverse=True)
    produced = Consequence.objects.filter(ruling__case_cadre__case=case, sanction__isnull=False).values("sanction")
    return render(request, "tolerance/case_detail.html", {
        "case": case,
        "case_cadres": case_cadres,
        "events": case.events.select_related("actor"),
        "determinations": case.determinations.select_related("recorded_by"),
        "evidence": case.evidence_files.select_related("uploaded_by"),
        "remedial": case.remedial_measures.all(),
        "rereviews": case.rereviews.select_related("case_cadre__cadre"),
        "visits": FollowUpVisit.objects.filter(sanction__in=produced).select_related("sanction__cadre",
                                                                                     "sanction__sanction_type"),
        "actions": _offered_actions(request.user, case),
        "responsibles": people_label(stage_responsibles(case)),
        "can_handle": can_handle(request.user, case),
        "stages": Stage.choices,
        "stage_index": list(Stage.values).index(case.stage),
    })


@require_POST
@tolerance_access
def case_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    case = _visible_case(request, pk)
    title, _, who, stages, handler, _ = ACTIONS[action]
    if not _may(request.user, case, who):
        raise PermissionDenied
    form = _action_form(action, case, request.POST, request.FILES)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{' '.join(e)}"
                          for f, e in form.errors.items())
        messages.error(request, f"{title}未保存：{errors}")
    else:
        try:
            with transaction.atomic():  # the version the page showed, checked under the row lock
                lock_version(ToleranceCase, case.pk, posted_version(request))
                handler(case, form, request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"{title}：已保存。")
    return redirect("tolerance:detail", pk=case.pk)


@tolerance_access
def checklist_edit(request, pk, case_cadre_pk):
    case = _visible_case(request, pk)
    if not can_handle(request.user, case):
        raise PermissionDenied
    case_cadre = get_object_or_404(CaseCadre.objects.select_related("cadre"), pk=case_cadre_pk, case=case)
    items = list(case_cadre.checklist.select_related("clause"))
    editable = case.stage in services.CHECKLIST_STAGES
    if request.method == "POST":
        answers = {}
        for item in items:
            raw = request.POST.get(f"holds_{item.pk}", "")
            holds = {"yes": True, "no": False}.get(raw)
            answers[item.pk] = (holds, request.POST.get(f"evidence_{item.pk}", "").strip())
        try:
            services.checklist_record(case_cadre=case_cadre, by=request.user, answers=answers)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "核查清单已保存。")
            return redirect("tolerance:detail", pk=case.pk)
    groups = [(kind.label, [i for i in items if i.clause.kind == kind]) for kind in ClauseKind]
    return render(request, "tolerance/checklist.html", {
        "case": case, "case_cadre": case_cadre, "groups": groups, "editable": editable,
        "blockers": tolerance_blockers(items),
    })


@tolerance_access
def evidence_download(request, pk):
    # Case evidence: whoever may see the case. Allegation evidence may name the reporter,
    # so only the assigned verifiers (and admins) download it.
    visible = Q(case__in=cases_visible_to(request.user))
    if roles.is_admin(request.user):
        visible |= Q(allegation__isnull=False)
    else:
        visible |= Q(allegation__in=allegations_assigned_to(request.user))
    evidence = get_object_or_404(Evidence.objects.filter(visible), pk=pk)
    audit_log(AuditEvent.Type.SENSITIVE_READ, request=request, obj=evidence, detail=f"下载证据材料：{evidence.title}")
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file.name.rsplit("/", 1)[-1])


@tolerance_access
def reform_filing_list(request):
    form = forms.ReformFilterForm(request.GET or None, units=units_visible_to(request.user).order_by("path"))
    f = form.cleaned_data if form.is_valid() else {}
    qs = select_reform_filing_list(user=request.user, q=f.get("q", "").strip(), unit=f.get("unit"),
                                   event=f.get("event", ""), since=f.get("since"), until=f.get("until"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "tolerance/reform_list.html", {"form": form, "page": page, "query": query.urlencode(),
                                                          "can_file": roles.can_edit_registry(request.user)})


@tolerance_access
def reform_filing_create(request):
    if not roles.can_edit_registry(request.user):
        raise PermissionDenied
    form = forms.ReformFilingForm(request.POST or None, units=units_visible_to(request.user).order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            services.reform_filing_create(by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "改革风险防控备案已保存。")
            return redirect("tolerance:reform_list")
    return render(request, "tolerance/reform_form.html", {"form": form})


@tolerance_access
def reform_filing_detail(request, pk):
    filing = get_object_or_404(reform_filings_visible_to(request.user).select_related("unit", "filed_by"), pk=pk)
    cases = cases_visible_to(request.user).filter(reform_filing=filing)
    return render(request, "tolerance/reform_detail.html", {"filing": filing, "cases": cases})
