"""Thin views: fetch through the care selectors (404 outside the user's jurisdiction), check
the action is the user's (403), call the service, turn a refusal into a message."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadres.selectors import cadres_in_subtree, cadres_visible_to, units_visible_to
from care import forms, services
from care.compliance import active_rules
from care.compliance import compliance as select_compliance
from care.follow_ups import follow_up_list as select_follow_up_list
from care.follow_ups import follow_up_schedules
from care.history import activity_history
from care.jobs import activity_list_filters
from care.models import ConcernStatus, ConfidentialNote, ObligationApplies
from care.selectors import (
    activities_editable_by,
    activities_visible_to,
    can_read_confidential,
    can_write_confidential,
    concerns_visible_to,
    consultations_visible_to,
    follow_up_visit_list,
    participants_visible_to,
    submissions_visible_to,
)
from care.selectors import (
    activity_list as select_activity_list,
)
from care.selectors import (
    concern_list as select_concern_list,
)
from care.selectors import (
    consultation_list as select_consultation_list,
)
from core import roles
from core.errors import DomainError
from core.exports import export_start
from core.pagination import DeferredJoinPaginator

PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def care_access(edit=False):
    """Login required; then the registry role (staff, leaders and admins read; staff and
    admins write). Discipline officers have no business in care: 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            allowed = roles.can_edit_registry(request.user) if edit else roles.can_view_registry(request.user)
            if not allowed:
                raise PermissionDenied("您没有访问关心关爱工作的权限。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _query(request) -> str:
    return _query_without(request, "page")


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _units(request):
    return units_visible_to(request.user).order_by("path")


def _today():
    return timezone.localdate()


def _refuse(request, form, title):
    errors = "；".join(f"{form.fields[f].label}：{' '.join(e)}" if f in form.fields else " ".join(e)
                      for f, e in form.errors.items())
    messages.error(request, f"{title}未保存：{errors}")


# ------------------------------------------------------------------ activities

def _activity_filters(request):
    return activity_list_filters(request.user, request.GET)


@care_access()
def activity_list(request):
    form, filters = _activity_filters(request)
    qs = select_activity_list(user=request.user, preview=5, **filters)
    page = DeferredJoinPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/activity_list.html", {
        "form": form, "page": page, "query": _query(request), "can_edit": roles.can_edit_registry(request.user),
    })


@care_access()
@require_POST
def activity_export(request):
    """Starts the export job (care.jobs) with the list's filters; never the confidential notes."""
    return export_start(request, "care.activities_export")


@care_access(edit=True)
def activity_create(request):
    """Step one picks the unit; step two the activity and its cadres among that unit's."""
    pick = forms.UnitPickForm(request.GET or None, units=_units(request))
    if not pick.is_valid():
        return render(request, "care/activity_create.html", {"pick": pick})
    unit = pick.cleaned_data["unit"]
    cadres = cadres_visible_to(request.user).filter(cadres_in_subtree(unit.path))
    initial = {"kind": request.GET.get("kind", ""), "date": _today(), "conducted_by": request.user.pk,
               "cadres": [c for c in request.GET.get("cadres", "").split(",") if c.isdigit()]}
    form = forms.ActivityForm(request.POST or None, initial=initial, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            activity = services.care_activity_record(
                by=request.user, kind=d["kind"], date=d["date"], cadres=d["cadres"], conducted_by=d["conducted_by"],
                title=d["title"], conductor_names=d["conductor_names"], location=d["location"], notes=d["notes"],
                follow_up_actions=d["follow_up_actions"], amount=d["amount"], fund=d["fund"], days=d["days"],
                confidential_note=d["confidential_note"], concern=d["concern"])
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已记录{activity.get_kind_display()}（{len(d['cadres'])} 名干部）。")
            return redirect("care:activity_detail", pk=activity.pk)
    return render(request, "care/activity_create.html", {"pick": pick, "unit": unit, "form": form})


def _visible_activity(request, pk):
    return get_object_or_404(activities_visible_to(request.user).select_related("conducted_by", "created_by"), pk=pk)


@care_access()
def activity_detail(request, pk):
    activity = _visible_activity(request, pk)
    participants = Paginator(participants_visible_to(request.user).filter(activity=activity)
                             .select_related("cadre__unit").prefetch_related("follow_up_visits__sanction__sanction_type")
                             .order_by("cadre__unit__path", "cadre__name", "id"), 100).get_page(request.GET.get("page"))
    concerns = concerns_visible_to(request.user).filter(activity=activity).select_related("cadre")
    editable = activities_editable_by(request.user).filter(pk=activity.pk).exists()
    has_note = ConfidentialNote.objects.filter(activity=activity).exists()
    return render(request, "care/activity_detail.html", {
        "activity": activity, "participants": participants, "concerns": concerns, "editable": editable,
        "has_note": has_note, "can_read_note": can_read_confidential(request.user, activity),
        "can_write_note": can_write_confidential(request.user, activity) and editable,
        "hidden_count": activity.participants.count() - participants.paginator.count, "query": _query(request),
        "history": activity_history(activity, visible_cadre_ids=cadres_visible_to(request.user).values("pk")),
        "concern_form": forms.ConcernForm(initial={"raised_on": activity.date},
                                          cadres=cadres_visible_to(request.user).filter(
                                              care_participations__activity=activity)) if editable else None,
    })


def _editable_activity(request, pk):
    _visible_activity(request, pk)  # 404 outside the jurisdiction before 403 for a shared activity
    activity = activities_editable_by(request.user).filter(pk=pk).first()
    if activity is None:
        raise PermissionDenied("该活动有您管辖范围以外的干部参加，请由上级组织部门修改。")
    return activity


@care_access(edit=True)
def activity_edit(request, pk):
    activity = _editable_activity(request, pk)
    form = forms.ActivityEditForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.care_activity_update(activity=activity, by=request.user,
                                          expected_version=form.cleaned_data["version"], **fields)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已保存。")
            return redirect("care:activity_detail", pk=activity.pk)
    return render(request, "care/activity_edit.html", {"activity": activity, "form": form})


@care_access(edit=True)
def activity_add_cadres(request, pk):
    """As when recording: step one picks the unit, step two its cadres not yet in the activity."""
    activity = _editable_activity(request, pk)
    pick = forms.UnitPickForm(request.GET or None, units=_units(request))
    if not pick.is_valid():
        return render(request, "care/activity_add_cadres.html", {"activity": activity, "pick": pick})
    unit = pick.cleaned_data["unit"]
    cadres = (cadres_visible_to(request.user).filter(cadres_in_subtree(unit.path))
              .exclude(care_participations__activity=activity))
    form = forms.AddCadresForm(request.POST or None, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        added = form.cleaned_data["cadres"]
        try:
            services.care_activity_add_cadres(activity=activity, by=request.user, cadres=added)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已添加 {len(added)} 名干部：{'、'.join(c.name for c in added)}。")
            return redirect("care:activity_detail", pk=activity.pk)
    return render(request, "care/activity_add_cadres.html",
                  {"activity": activity, "pick": pick, "unit": unit, "form": form})


@care_access(edit=True)
def activity_remove_cadre(request, pk, cadre_pk):
    """A confirmation page with the reason; the removal itself is a POST."""
    activity = _editable_activity(request, pk)
    participant = get_object_or_404(
        activity.participants.select_related("cadre__unit").prefetch_related("follow_up_visits__sanction__sanction_type"),
        cadre_id=cadre_pk)
    form = forms.RemoveCadreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_activity_remove_cadre(activity=activity, by=request.user, cadre=participant.cadre,
                                                reason=form.cleaned_data["reason"])
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已将{participant.cadre.name}移出本活动。")
            return redirect("care:activity_detail", pk=activity.pk)
    return render(request, "care/activity_remove_cadre.html",
                  {"activity": activity, "participant": participant, "form": form})


@care_access()
def activity_confidential(request, pk):
    """The confidential note: the conductor and leaders only; each view is logged."""
    activity = _visible_activity(request, pk)
    if not can_read_confidential(request.user, activity):
        raise PermissionDenied("保密记录仅开展人和部门领导可以查看。")
    can_write = can_write_confidential(request.user, activity) and activities_editable_by(
        request.user).filter(pk=activity.pk).exists()
    form = forms.ConfidentialNoteForm(request.POST or None)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("只有活动开展人可以修改保密记录。")
        if form.is_valid():
            try:
                services.confidential_note_save(activity=activity, by=request.user, text=form.cleaned_data["text"])
            except DomainError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, "保密记录已保存。")
                return redirect("care:activity_confidential", pk=activity.pk)
    note = services.confidential_note_view(activity=activity, by=request.user)
    if not form.is_bound and note is not None:
        form = forms.ConfidentialNoteForm(initial={"text": note.text})
    response = render(request, "care/confidential_note.html", {
        "activity": activity, "note": note, "form": form if can_write else None})
    # Not kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ concerns

@care_access()
def concern_list(request):
    form = forms.ConcernFilterForm(request.GET or None, units=_units(request))
    qs = select_concern_list(user=request.user, q=form.value("q", ""), status=form.value("status", ""),
                             category=form.value("category", ""), overdue=form.value("overdue", False),
                             unit=form.value("unit"), township=form.value("township", False),
                             young=form.value("young", False), on_time=form.value("on_time", False),
                             since=form.value("since"), until=form.value("until"), today=_today())
    page = DeferredJoinPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/concern_list.html", {"form": form, "page": page, "query": _query(request)})


SOURCES = ("activities", "submissions")


@care_access(edit=True)
def concern_create(request, source, pk):
    """A concern raised in an activity (among its cadres) or in a consultation submission."""
    if source not in SOURCES:
        raise Http404
    if source == "activities":
        activity = _visible_activity(request, pk)
        if not activities_editable_by(request.user).filter(pk=activity.pk).exists():
            raise PermissionDenied
        submission = None
        cadres = cadres_visible_to(request.user).filter(care_participations__activity=activity)
        back = reverse("care:activity_detail", args=[activity.pk])
        initial = {"raised_on": activity.date}
    else:
        submission = get_object_or_404(submissions_visible_to(request.user).select_related("cadre", "consultation"),
                                       pk=pk)
        activity, cadres = None, None
        back = reverse("care:consultation_detail", args=[submission.consultation_id])
        initial = {"raised_on": submission.submitted_on}
    form = forms.ConcernForm(request.POST or None, initial=initial, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data["concern"]
        try:
            services.concern_raise(by=request.user, cadre=c["cadre"] or submission.cadre, category=c["category"],
                                   content=c["content"], responder=c["responder"], deadline=c["deadline"],
                                   raised_on=form.cleaned_data["raised_on"], activity=activity,
                                   submission=submission)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "诉求已登记。")
            return redirect(back)
    return render(request, "care/concern_form.html", {"form": form, "activity": activity, "submission": submission,
                                                      "back": back})


def _visible_concern(request, pk):
    return get_object_or_404(concerns_visible_to(request.user).select_related(
        "cadre__unit", "activity", "submission__consultation", "answered_by", "created_by"), pk=pk)


@care_access()
def concern_detail(request, pk):
    concern = _visible_concern(request, pk)
    can_answer = roles.can_edit_registry(request.user) and concern.status == ConcernStatus.OPEN
    return render(request, "care/concern_detail.html", {
        "concern": concern, "answer_form": forms.AnswerForm() if can_answer else None,
        "history": concern.history.select_related("history_user").order_by("-history_date")[:50],
        "today": _today(),
    })


@require_POST
@care_access(edit=True)
def concern_answer(request, pk):
    concern = _visible_concern(request, pk)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        _refuse(request, form, "答复")
    else:
        try:
            services.concern_answer(concern=concern, by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "答复已保存。")
    return redirect("care:concern_detail", pk=concern.pk)


# ------------------------------------------------------------------ consultations (向组织说说心里话)

@care_access()
def consultation_list(request):
    form = forms.ConsultationFilterForm(request.GET or None, units=_units(request))
    qs = select_consultation_list(user=request.user, q=form.value("q", ""), year=form.value("year"),
                                  unit=form.value("unit"), township=form.value("township", False),
                                  young=form.value("young", False), unanswered=form.value("unanswered", False),
                                  today=_today())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/consultation_list.html", {
        "form": form, "page": page, "query": _query(request), "can_edit": roles.can_edit_registry(request.user)})


@care_access(edit=True)
def consultation_create(request):
    form = forms.ConsultationForm(request.POST or None, units=_units(request), initial={"held_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_hold(by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已登记“向组织说说心里话”活动。")
            return redirect("care:consultation_detail", pk=consultation.pk)
    return render(request, "care/consultation_form.html", {"form": form})


def _visible_consultation(request, pk):
    return get_object_or_404(consultations_visible_to(request.user).select_related("unit", "created_by"), pk=pk)


def _submission_cadres(request, consultation):
    return cadres_visible_to(request.user).filter(cadres_in_subtree(consultation.unit.path))


@care_access()
def consultation_detail(request, pk):
    consultation = _visible_consultation(request, pk)
    submissions = (submissions_visible_to(request.user).filter(consultation=consultation)
                   .select_related("cadre__unit", "answered_by").prefetch_related("concerns"))
    can_edit = roles.can_edit_registry(request.user)
    page = Paginator(submissions.order_by("submitted_on", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for submission in page:
        if can_edit and not submission.is_answered:
            submission.answer_form = forms.AnswerForm(auto_id=f"id_s{submission.pk}_%s")
    return render(request, "care/consultation_detail.html", {
        "consultation": consultation, "page": page, "query": _query(request), "can_edit": can_edit,
        "submission_form": forms.SubmissionForm(initial={"submitted_on": consultation.held_on},
                                                cadres=_submission_cadres(request, consultation)) if can_edit else None,
    })


@require_POST
@care_access(edit=True)
def submission_create(request, pk):
    consultation = _visible_consultation(request, pk)
    form = forms.SubmissionForm(request.POST, cadres=_submission_cadres(request, consultation))
    if not form.is_valid():
        _refuse(request, form, "反映")
    else:
        d = form.cleaned_data
        try:
            services.submission_record(consultation=consultation, by=request.user, cadre=d["cadre"],
                                       submitted_on=d["submitted_on"], content=d["content"], concern=d["concern"])
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已记录{d['cadre'].name}的反映。")
    return redirect("care:consultation_detail", pk=consultation.pk)


@require_POST
@care_access(edit=True)
def submission_answer(request, pk):
    submission = get_object_or_404(submissions_visible_to(request.user), pk=pk)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        _refuse(request, form, "答复")
    else:
        try:
            services.submission_answer(submission=submission, by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "答复已保存。")
    return redirect(f"{reverse('care:consultation_detail', args=[submission.consultation_id])}#submission-{submission.pk}")


# ------------------------------------------------------------------ compliance

@care_access()
def compliance(request):
    today = _today()
    rules = active_rules()
    form = forms.ComplianceFilterForm(request.GET or None, units=_units(request), rules=rules)
    year = form.value("year") or today.year
    result = select_compliance(user=request.user, year=year, today=today, scope=form.value("unit"),
                               township=form.value("township", False), young=form.value("young", False),
                               only=form.value("only", ""), q=form.value("q", ""), rules=rules)
    page = Paginator(result.behind_cadres, PAGE_SIZE).get_page(request.GET.get("page"))
    cadre_rules = [r for r in result.rules if r.applies_to == ObligationApplies.CADRE]
    return render(request, "care/compliance.html", {
        "form": form, "result": result, "page": page, "query": _query(request), "cadre_rules": cadre_rules,
        "chart": result.chart_data(), "year": year, "today": today, "can_edit": roles.can_edit_registry(request.user),
        "scope_query": _query_without(request, "unit", "page"), "scope_chosen": form.value("unit") is not None,
    })


# ------------------------------------------------------------------ follow-up visits (回访教育)

@care_access()
def follow_up_list(request):
    today = _today()
    show_done = request.GET.get("show") == "done"
    if show_done:
        form = forms.FollowUpDoneFilterForm(request.GET or None, units=_units(request))
        rows = follow_up_visit_list(user=request.user, q=form.value("q", ""), year=form.value("year"),
                                    unit=form.value("unit"), township=form.value("township", False),
                                    young=form.value("young", False), since=form.value("since"),
                                    until=form.value("until"), today=today)
        page = DeferredJoinPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        form = forms.FollowUpFilterForm(request.GET or None, units=_units(request))
        rows = select_follow_up_list(user=request.user, today=today, q=form.value("q", ""),
                                     state=form.value("state", ""), unit=form.value("unit"),
                                     township=form.value("township", False), young=form.value("young", False))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/follow_up_list.html", {
        "form": form, "page": page, "query": _query(request), "show_done": show_done, "today": today,
        "show_keep": {"show": "done"},
        "schedules": follow_up_schedules(), "can_edit": roles.can_edit_registry(request.user),
    })
