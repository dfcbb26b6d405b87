"""Thin views: fetch through the selectors (outside the jurisdiction an object does not exist:
404), check the action is the user's (403), call the service, turn a refusal into a message."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment import forms, services
from assessment.catalogs import PRIORITY_SITUATIONS
from assessment.jobs import shortlist_from
from assessment.models import (
    ApprovalStatus,
    Grade,
    GradeCapPolicy,
    GradeCapRule,
    QuotaRule,
    Ranking,
    RankingEntry,
    ReviewRequestStatus,
    ReviewStatus,
    TeamAssessment,
    YearStatus,
)
from assessment.routing import year_steps
from assessment.selectors import (
    SHORTLIST_VALUES,
    assessed_cadres,
    assessment_year_list,
    assessment_years_visible_to,
    bold_work_notes,
    can_approve,
    can_grade,
    cap_policy_for,
    departments_visible_to,
    grade_reviews,
    grades_visible_to,
    grading_rows,
    priority_record_list,
    quota_figures,
    ranking_results,
    review_item_list,
    review_scope,
    review_teams,
    reviews_visible_to,
    team_facts,
    year_grade_list,
    year_grades,
)
from assessment.selectors import (
    grade_list as select_grade_list,
)
from assessment.selectors import (
    promotion_list as promotion_list_selector,
)
from assessment.selectors import (
    ranking_entry_list as select_ranking_entry_list,
)
from assessment.selectors import (
    review_list as select_review_list,
)
from assessment.selectors import (
    team_interview_list as select_team_interview_list,
)
from cadres.models import CadreStatus
from cadres.selectors import cadres_in_subtree, cadres_visible_to, units_visible_to
from core import roles
from core.errors import DomainError
from core.exports import export_start
from core.validation import safe_date_add

PAGE_SIZE = 30
BATCH_PAGE_SIZE = 100
BATCH_CADRE_FIELDS = ("pk", "name", "position", "is_main_leader", "is_team_member", "unit_id", "status")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assessment_access(*, edit=False, approve=False):
    """Login required; then the role: staff (and admins) enter and run, leaders approve and
    read, everyone else (discipline officers) gets 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if approve:
                allowed = can_approve(user)
            elif edit:
                allowed = can_grade(user)
            else:
                allowed = roles.can_view_registry(user)
            if not allowed:
                raise PermissionDenied("您没有办理考核研判的权限。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{' '.join(e)}"
                    for f, e in form.errors.items())


def _visible_year(request, pk):
    return get_object_or_404(assessment_years_visible_to(request.user).select_related("unit", "created_by"), pk=pk)


def _visible_among(user, cadre_ids) -> set[int]:
    """Those of the cadres the user sees now: a cadre named in a record of the jurisdiction and
    since transferred out is shown by name only, without a link, unit or position (已调出)."""
    return set(cadres_visible_to(user).filter(pk__in=cadre_ids).values_list("pk", flat=True))


def _visible_review(request, pk):
    return get_object_or_404(reviews_visible_to(request.user).select_related("department"), pk=pk)


# ---------------------------------------------------------------- annual assessment


@assessment_access()
def year_list(request):
    units = units_visible_to(request.user).order_by("path")
    form = forms.YearFilterForm(request.GET or None, units=units)
    f = form.cleaned_data if form.is_valid() else {}
    qs = assessment_year_list(user=request.user, year=f.get("year"), unit=f.get("unit"), status=f.get("status", ""),
                              q=f.get("q", "").strip())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/year_list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "can_grade": can_grade(request.user)})


@assessment_access(edit=True)
def year_create(request):
    form = forms.YearCreateForm(request.POST or None, units=units_visible_to(request.user).order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            ay = services.assessment_year_open(by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已建立{ay}。")
            return redirect("assessment:year_detail", pk=ay.pk)
    return render(request, "assessment/year_form.html", {"form": form})


@assessment_access()
def year_detail(request, pk):
    ay = _visible_year(request, pk)
    filter_form = forms.GradeFilterForm(request.GET or None)
    f = filter_form.cleaned_data if filter_form.is_valid() else {}
    grades = year_grade_list(user=request.user, assessment_year=ay, grade=f.get("grade", ""), q=f.get("q", "").strip())
    page = Paginator(grades, PAGE_SIZE).get_page(request.GET.get("page"))
    approvals = list(ay.quota_approvals.select_related("requested_by", "decided_by"))
    team_grade = TeamAssessment.objects.filter(assessment_year=ay).select_related("graded_by").first()
    return render(request, "assessment/year_detail.html", {
        "ay": ay,
        "figures": quota_figures(ay),
        "filter_form": filter_form,
        "page": page,
        "query": _query_without_page(request),
        "team_grade": team_grade,
        "team_interviews": ay.unit.team_interviews.filter(date__year=ay.year).order_by("date"),
        "approvals": approvals,
        "policy": cap_policy_for(ay.unit, ay.assessment_date),
        "can_grade": can_grade(request.user) and ay.status == YearStatus.OPEN,
        "can_approve": can_approve(request.user),
        "request_form": forms.QuotaRequestForm(),
        "decision_form": forms.QuotaDecisionForm(),
        "pending": [a for a in approvals if a.status == ApprovalStatus.PENDING],
        "steps": year_steps(ay),
    })


@assessment_access()
def grade_list(request):
    """Grades across assessment years, by the assessing unit (the dashboard's 考核 figures
    open here: grade, caps met, re-reviews)."""
    form = forms.GradeListFilterForm(request.GET or None, units=units_visible_to(request.user).order_by("path"))
    f = form.cleaned_data if form.is_valid() else {}
    qs = select_grade_list(user=request.user, year=f.get("year"), unit=f.get("unit"), grade=f.get("grade", ""),
                           capped=f.get("capped", ""), review=f.get("review", ""), q=f.get("q", "").strip())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = _visible_among(request.user, [g.cadre_id for g in page])
    return render(request, "assessment/grade_list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "visible": visible})


@assessment_access(edit=True)
def grade_batch(request, pk):
    """Batch entry for a unit on one page: every refusal is shown on its row; valid rows
    are saved and the message says which."""
    ay = _visible_year(request, pk)
    q = request.GET.get("q", "").strip()
    graded = year_grades(ay)
    # Only what the rows show: the cadre's other columns (an encrypted ID number among them)
    # would be read and decrypted for nothing.
    cadres = (assessed_cadres(ay, within=cadres_visible_to(request.user), graded=graded)
              .only(*BATCH_CADRE_FIELDS).order_by("-is_main_leader", "-is_team_member", "name", "pk"))
    if q:
        cadres = cadres.filter(name__contains=q)
    page = Paginator(cadres, BATCH_PAGE_SIZE).get_page(request.GET.get("page"))
    rows, team = grading_rows(ay, list(page.object_list))
    with_team = ay.unit.has_leadership_team
    team_grade = TeamAssessment.objects.filter(assessment_year=ay).first() if with_team else None
    form = forms.GradeBatchForm(request.POST or None, rows=rows, with_team=with_team, initial={
        "team_grade": team_grade.grade if team_grade else "", "team_remarks": team_grade.remarks if team_grade else ""})
    refused, saved_ids, team_refused = {}, set(), ""
    if request.method == "POST":
        if ay.status != YearStatus.OPEN:
            messages.error(request, f"{ay}已归档，不能再修改考核等次。")
        elif form.is_valid():
            try:
                result = services.grades_record_batch(
                    assessment_year=ay, rows=form.batch_rows(), by=request.user,
                    team_grade=form.cleaned_data.get("team_grade", ""),
                    team_remarks=form.cleaned_data.get("team_remarks", ""))
            except DomainError as e:
                messages.error(request, e.message)
            else:
                if result.saved:
                    messages.success(request, f"已保存 {len(result.saved)} 人的等次：{result.saved_summary}。")
                if result.team_saved:
                    messages.success(request, f"已保存领导班子等次：{result.team_saved.grade}。")
                if not (result.refused or result.team_refused):
                    if not (result.saved or result.team_saved):
                        messages.info(request, "没有需要保存的修改。")
                    return redirect(f"{reverse('assessment:year_detail', args=[ay.pk])}")
                refused, team_refused = result.refused, result.team_refused
                saved_ids = {g.cadre_id for g in result.saved}
                messages.error(request, f"有 {len(refused) + bool(team_refused)} 项未保存，原因见各行标红处；"
                                        f"其余各行{'已保存' if result.saved or result.team_saved else '没有修改'}。")
                rows, team = grading_rows(ay, list(page.object_list))
                graded = year_grades(ay)
        else:
            messages.error(request, f"未保存：{_form_errors(form)}")
    return render(request, "assessment/batch.html", {
        "ay": ay, "rows": rows, "rows_html": form.rows_html(rows, refused=refused, saved_ids=saved_ids), "team": team,
        "form": form, "with_team": with_team, "team_refused": team_refused,
        "figures": quota_figures(ay, graded=graded), "page": page, "q": q, "query": f"q={q}" if q else "",
        "open": ay.status == YearStatus.OPEN,
    })


@require_POST
@assessment_access(edit=True)
def quota_request(request, pk):
    ay = _visible_year(request, pk)
    form = forms.QuotaRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"申请未提交：{_form_errors(form)}")
    else:
        try:
            services.quota_excess_request(assessment_year=ay, by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "超比例申请已提交，等待部门领导审批。")
    return redirect("assessment:year_detail", pk=ay.pk)


@require_POST
@assessment_access(approve=True)
def quota_decide(request, pk, approval_pk):
    ay = _visible_year(request, pk)
    approval = get_object_or_404(ay.quota_approvals, pk=approval_pk)
    form = forms.QuotaDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"审批未保存：{_form_errors(form)}")
    else:
        try:
            approval = services.quota_excess_decide(approval=approval, approve=form.cleaned_data["decision"] == "approve",
                                                    reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"审批已记录：{approval.get_status_display()}（优秀 {approval.excellent_count} 名）。")
    return redirect("assessment:year_detail", pk=ay.pk)


@require_POST
@assessment_access(edit=True)
def year_close(request, pk):
    ay = _visible_year(request, pk)
    try:
        services.assessment_year_close(assessment_year=ay, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{ay}已归档。")
    return redirect("assessment:year_detail", pk=ay.pk)


@assessment_access()
def grade_detail(request, pk):
    grade = get_object_or_404(grades_visible_to(request.user).select_related(
        "cadre__unit", "assessment_year__unit", "graded_by"), pk=pk)
    reviews = list(grade_reviews(grade))
    pending = next((r for r in reviews if r.status == ReviewRequestStatus.PENDING), None)
    staff = can_grade(request.user)
    return render(request, "assessment/grade_detail.html", {
        "grade": grade,
        "reviews": reviews,
        "notes": bold_work_notes([grade.cadre_id], grade.year).get(grade.cadre_id, []),
        "history": grade.history.select_related("history_user").order_by("-history_date")[:50],
        "notify_form": forms.NotifyForm(initial={"told_on": grade.told_on}) if staff and not reviews else None,
        "request_form": forms.ReReviewRequestForm() if staff and grade.grade == Grade.INCOMPETENT
        and grade.told_on and not pending else None,
        "answer_form": forms.ReReviewAnswerForm() if staff and pending else None,
        "pending": pending,
        "deadline": safe_date_add(grade.told_on, days=services.REREVIEW_DAYS) if grade.told_on else None,
    })


GRADE_ACTIONS = {
    "notify": (forms.NotifyForm, "记录告知日期",
               lambda grade, d, user: services.grade_notify(grade=grade, by=user, **d)),
    "rereview": (forms.ReReviewRequestForm, "登记复核申请",
                 lambda grade, d, user: services.grade_rereview_request(grade=grade, by=user, **d)),
    "answer": (forms.ReReviewAnswerForm, "录入复核结论",
               lambda grade, d, user: services.grade_rereview_answer(review=_pending_review(grade), by=user, **d)),
}


def _pending_review(grade):
    """The re-review being answered; gone when a simultaneous post answered it first (the
    service re-checks it under its lock)."""
    review = grade.reviews.filter(status=ReviewRequestStatus.PENDING).first()
    if review is None:
        raise DomainError("该复核申请已经答复（可能已被他人办理），请刷新页面。")
    return review


@require_POST
@assessment_access(edit=True)
def grade_action(request, pk, action):
    if action not in GRADE_ACTIONS:
        raise Http404
    grade = get_object_or_404(grades_visible_to(request.user), pk=pk)
    form_class, title, handler = GRADE_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, f"{title}未保存：{_form_errors(form)}")
    elif action == "answer" and not grade.reviews.filter(status=ReviewRequestStatus.PENDING).exists():
        messages.error(request, "没有正在办理的复核申请。")
    else:
        try:
            handler(grade, form.cleaned_data, request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"{title}：已保存。")
    return redirect("assessment:grade_detail", pk=grade.pk)


@assessment_access()
def team_interview_list(request):
    units = units_visible_to(request.user).order_by("path")
    form = forms.TeamInterviewFilterForm(request.GET or None, units=units)
    f = form.cleaned_data if form.is_valid() else {}
    qs = select_team_interview_list(user=request.user, unit=f.get("unit"), year=f.get("year"), q=f.get("q", "").strip())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/team_interview_list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "can_grade": can_grade(request.user)})


@assessment_access(edit=True)
def team_interview_create(request):
    form = forms.TeamInterviewForm(request.POST or None, units=units_visible_to(request.user).order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            interview = services.team_interview_record(by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已登记{interview.unit.qualified_name}领导班子约谈（{interview.date:%Y-%m-%d}）。")
            return redirect("assessment:team_interview_list")
    return render(request, "assessment/simple_form.html", {
        "form": form, "title": "登记领导班子约谈", "back": reverse("assessment:team_interview_list"),
        "hint": "咸阳市规定：领导班子当年被约谈2次的，班子不得评为“好”、主要负责人不得评为“优秀”；3次以上的，班子只能评为“一般”或“较差”。"})


# ---------------------------------------------------------------- quarterly analysis


@assessment_access()
def review_list(request):
    departments = departments_visible_to(request.user)
    form = forms.ReviewFilterForm(request.GET or None, departments=departments,
                                  units=units_visible_to(request.user).order_by("path"))
    f = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    qs = select_review_list(user=request.user, year=f.get("year"), quarter=f.get("quarter"),
                            status=f.get("status", ""), department=f.get("department"), unit=f.get("unit"),
                            timeliness=f.get("timeliness", ""), today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/review_list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "today": today,
        "open_form": forms.ReviewOpenForm(departments=departments) if can_grade(request.user) else None,
    })


@assessment_access()
def ranking_list(request):
    """排名明细: one row per cadre ranked by an evaluator in the visible reviews (the
    dashboard's 综合评价排名 figures open here)."""
    form = forms.RankingEntryFilterForm(request.GET or None, units=units_visible_to(request.user).order_by("path"),
                                        reviews=reviews_visible_to(request.user))
    f = form.cleaned_data if form.is_valid() else {}
    qs = select_ranking_entry_list(user=request.user, year=f.get("year"), quarter=f.get("quarter"),
                                   unit=f.get("unit"), review=f.get("review"), category=f.get("category", "").strip(),
                                   bold=f.get("bold", False), q=f.get("q", "").strip())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = _visible_among(request.user, [e.cadre_id for e in page])
    return render(request, "assessment/ranking_list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "visible": visible,
        "review": f.get("review")})


@require_POST
@assessment_access(edit=True)
def review_open(request):
    form = forms.ReviewOpenForm(request.POST, departments=departments_visible_to(request.user))
    if not form.is_valid():
        messages.error(request, f"未开启：{_form_errors(form)}")
        return redirect("assessment:review_list")
    try:
        review, created = services.quarterly_review_open(by=request.user, **form.cleaned_data)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("assessment:review_list")
    messages.success(request, f"已开启{review}。" if created else f"{review}此前已开启。")
    return redirect("assessment:review_detail", pk=review.pk)


REVIEW_TABS = [("items", "信息汇集"), ("rankings", "综合评价排名"), ("reports", "班子研判报告"), ("events", "办理记录")]
# action → (label, service, confirmation)
REVIEW_ACTIONS = {
    "start": ("开始收集信息", services.review_start_collecting, ""),
    "gather": ("重新汇集各模块信息", services.review_gather, ""),
    "finish_ranking": ("排名完成", services.review_finish_ranking, "确认排名已全部录入？排名完成后不能再修改排名。"),
    "report": ("研判报告完成并记入实绩档案", services.review_report,
               "确认研判报告已完成？本季度情况将记入每名干部的实绩档案，不能撤回。"),
    "close": ("办结", services.review_close, "确认办结本季度分析研判？"),
}
STATUS_ACTIONS = {
    ReviewStatus.OPEN: ["start"],
    ReviewStatus.COLLECTING: ["gather", "finish_ranking"],
    ReviewStatus.RANKED: ["report"],
    ReviewStatus.REPORTED: ["close"],
}


@assessment_access()
def review_detail(request, pk):
    review = _visible_review(request, pk)
    tab = request.GET.get("tab", "items")
    if tab not in dict(REVIEW_TABS):
        tab = "items"
    context = {
        "review": review, "tab": tab, "tabs": REVIEW_TABS, "statuses": ReviewStatus.choices,
        "status_index": list(ReviewStatus.values).index(review.status),
        "can_grade": can_grade(request.user),
        "actions": [(name, REVIEW_ACTIONS[name][0], REVIEW_ACTIONS[name][2])
                    for name in STATUS_ACTIONS.get(review.status, [])] if can_grade(request.user) else [],
        "query": _query_without_page(request),
    }
    if tab == "items":
        form = forms.ItemFilterForm(request.GET or None)
        f = form.cleaned_data if form.is_valid() else {}
        items = review_item_list(review=review, source=f.get("source", ""), polarity=f.get("polarity", ""),
                                 q=f.get("q", "").strip())
        page = Paginator(items, 50).get_page(request.GET.get("page"))
        context.update(filter_form=form, page=page, visible=_visible_among(request.user, [i.cadre_id for i in page]))
    elif tab == "rankings":
        results = ranking_results(review)
        context.update(results=results,
                       visible=_visible_among(request.user, [r.cadre_id for _, ranked in results for r in ranked]),
                       rankings=review.rankings.select_related("evaluator", "entered_by").prefetch_related(
                           Prefetch("entries", queryset=RankingEntry.objects.select_related("cadre").order_by("position"))))
    elif tab == "reports":
        written = {r.unit_id: r for r in review.reports.select_related("written_by")}
        teams = Paginator(review_teams(review), PAGE_SIZE).get_page(request.GET.get("page"))
        for unit in teams:
            unit.report = written.get(unit.pk)
        context.update(page=teams, written=len(written))
    else:
        context["events"] = review.events.select_related("actor")
    return render(request, "assessment/review_detail.html", context)


@require_POST
@assessment_access(edit=True)
def review_action(request, pk, action):
    if action not in REVIEW_ACTIONS:
        raise Http404
    review = _visible_review(request, pk)
    label, service, _ = REVIEW_ACTIONS[action]
    try:
        result = service(review=review, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        if action == "gather":
            added, removed = result
            messages.success(request, f"重新汇集完成：新增 {added} 条，移除已不再有效的 {removed} 条。")
        else:
            messages.success(request, f"{label}：已完成。")
    return redirect("assessment:review_detail", pk=review.pk)


@assessment_access(edit=True)
def item_create(request, pk):
    review = _visible_review(request, pk)
    scope_units = units_visible_to(request.user).filter(path__startswith=review.department.path).order_by("path")
    pick = forms.UnitPickForm(request.GET or None, units=scope_units)
    if not pick.is_valid():
        return render(request, "assessment/item_form.html", {"review": review, "pick": pick})
    unit = pick.cleaned_data["unit"]
    cadres = (cadres_visible_to(request.user).filter(unit=unit, status=CadreStatus.ACTIVE)
              .select_related("unit").order_by("name", "pk"))
    form = forms.ItemForm(request.POST or None, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        try:
            services.information_item_add(review=review, by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "研判信息已录入。")
            return redirect(f"{reverse('assessment:review_detail', args=[review.pk])}?tab=items")
    return render(request, "assessment/item_form.html", {"review": review, "pick": pick, "unit": unit, "form": form})


RANKING_CANDIDATES_MAX = 100


@assessment_access(edit=True)
def ranking_create(request, pk):
    review = _visible_review(request, pk)
    visible = cadres_visible_to(request.user)
    scope_units = units_visible_to(request.user).filter(path__startswith=review.department.path).order_by("path")
    pick = forms.RankingPickForm(request.GET or None, units=scope_units)
    if not pick.is_valid():
        return render(request, "assessment/ranking_form.html", {"review": review, "pick": pick})
    p = pick.cleaned_data
    candidates = (review_scope(review).filter(cadres_in_subtree(p["unit"].path), pk__in=visible.values("pk"),
                                              status=CadreStatus.ACTIVE).select_related("unit"))
    if p["position"]:
        candidates = candidates.filter(position__contains=p["position"])
    if p["team_only"]:
        candidates = candidates.filter(is_team_member=True)
    candidates = list(candidates.order_by("unit__path", "name", "pk")[:RANKING_CANDIDATES_MAX + 1])
    too_many = len(candidates) > RANKING_CANDIDATES_MAX
    candidates = candidates[:RANKING_CANDIDATES_MAX]
    # The superiors of art. 14(2): the leaders of the department's own level and of the
    # bodies directly under it (e.g. the county secretary, a county department's secretary).
    evaluators = (review_scope(review).filter(pk__in=visible.values("pk"), is_team_member=True,
                                              status=CadreStatus.ACTIVE, unit__depth__lte=review.department.depth + 1)
                  .select_related("unit").order_by("unit__path", "-is_main_leader", "name"))
    form = forms.RankingForm(request.POST or None, evaluators=evaluators, candidates=candidates,
                             initial={"category": p["position"]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.ranking_record(review=review, evaluator=d["evaluator"], evaluator_title=d["evaluator_title"],
                                    category=d["category"], entries=form.entries(), by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已录入{d['evaluator'].name}对“{d['category']}”的排名（{len(form.entries())} 人）。")
            return redirect(f"{reverse('assessment:review_detail', args=[review.pk])}?tab=rankings")
    return render(request, "assessment/ranking_form.html", {
        "review": review, "pick": pick, "form": form, "too_many": too_many, "limit": RANKING_CANDIDATES_MAX,
        "pick_query": request.GET.urlencode()})


@require_POST
@assessment_access(edit=True)
def ranking_delete(request, pk, ranking_pk):
    review = _visible_review(request, pk)
    ranking = get_object_or_404(Ranking.objects.filter(review=review), pk=ranking_pk)
    try:
        services.ranking_delete(ranking=ranking, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "排名已删除。")
    return redirect(f"{reverse('assessment:review_detail', args=[review.pk])}?tab=rankings")


@assessment_access()
def report_edit(request, pk, unit_pk):
    """The report of one leadership team, with the quarter's facts about its members beside it."""
    review = _visible_review(request, pk)
    unit = get_object_or_404(review_teams(review).filter(pk__in=units_visible_to(request.user).values("pk")), pk=unit_pk)
    report = review.reports.filter(unit=unit).select_related("written_by").first()
    editable = can_grade(request.user) and review.status == ReviewStatus.RANKED
    form = forms.ReportForm(request.POST or None, initial={"text": report.text if report else ""})
    if request.method == "POST":
        if not can_grade(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.team_report_write(review=review, unit=unit, text=form.cleaned_data["text"], by=request.user)
            except DomainError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, f"{unit.qualified_name}领导班子研判报告已保存。")
                return redirect(f"{reverse('assessment:review_detail', args=[review.pk])}?tab=reports")
    team = [c for c in review_scope(review).filter(unit=unit, is_team_member=True, status=CadreStatus.ACTIVE)
            .order_by("-is_main_leader", "name")]
    return render(request, "assessment/report_form.html", {
        "review": review, "unit": unit, "report": report, "form": form, "editable": editable,
        "facts": team_facts(review, unit), "team": team})


# ---------------------------------------------------------------- promotion


@assessment_access()
def priority_list(request):
    units = units_visible_to(request.user).order_by("path")
    form = forms.PriorityFilterForm(request.GET or None, units=units)
    f = form.cleaned_data if form.is_valid() else {}
    qs = priority_record_list(user=request.user, situation=f.get("situation", ""), q=f.get("q", "").strip(),
                              unit=f.get("unit"), since=f.get("since"), until=f.get("until"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/priority_list.html", {
        "form": form, "page": page, "query": _query_without_page(request)})


@assessment_access()
def promotion_list(request):
    units = units_visible_to(request.user).order_by("path")
    form = forms.PromotionFilterForm(request.GET or None, units=units)
    f = form.cleaned_data if form.is_valid() else {}
    qs = promotion_list_selector(user=request.user, q=f.get("q", "").strip(), unit=f.get("unit"),
                                 since=f.get("since"), until=f.get("until"), priority=f.get("priority", False))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/promotion_list.html", {
        "form": form, "page": page, "query": _query_without_page(request)})


@assessment_access(edit=True)
def priority_create(request, cadre_pk):
    cadre = get_object_or_404(cadres_visible_to(request.user).select_related("unit"), pk=cadre_pk)
    form = forms.PriorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_record_add(cadre=cadre, by=request.user, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已登记{cadre.name}的优先提拔使用情形。")
            return redirect(f"{reverse('cadres:detail', args=[cadre.pk])}?tab=assessment")
    return render(request, "assessment/simple_form.html", {
        "form": form, "title": f"登记优先提拔使用情形：{cadre.name}（{cadre.unit.qualified_name} {cadre.position}）",
        "back": f"{reverse('cadres:detail', args=[cadre.pk])}?tab=assessment",
        "hint": "依据《张家口市激励干部担当干事的规定》第三条及附件1，由组织部门据实登记；列入提拔人选名单的优先情形。"})


def _shortlist(request):
    return shortlist_from(request.user, request.GET)


SHORTLIST_PAGE_SIZE = 50
# Which of Shortlist.counts() is the length of each choice of the "show" filter.
SHOWN_COUNT = {"": "total", "eligible": "eligible", "blocked": "blocked", "priority": "priority"}


@assessment_access()
def shortlist(request):
    """Ranked, filtered, counted and paged in the database; reasons written for the page's rows."""
    form, query = _shortlist(request)
    context = {"form": form, "rows": query}
    if query is not None:
        show = form.cleaned_data.get("show", "")
        counts = query.counts()
        paginator = Paginator(query.shown(show).values_list(*SHORTLIST_VALUES), SHORTLIST_PAGE_SIZE)
        # The counts above already hold the size of what is shown: the paginator's own COUNT
        # would read every candidate of the city a second time (issue #16).
        paginator.count = counts[SHOWN_COUNT.get(show, "total")]
        page = paginator.get_page(request.GET.get("page"))
        start = (page.number - 1) * SHORTLIST_PAGE_SIZE
        page.object_list = query.rows(query.page_values(show, start, start + SHORTLIST_PAGE_SIZE))
        context.update(page=page, query=_query_without_page(request), **counts)
    return render(request, "assessment/shortlist.html", context)


@assessment_access()
@require_POST
def shortlist_export(request):
    """Starts the export job (assessment.jobs) with the page's choices."""
    form, query = shortlist_from(request.user, request.POST)
    if query is None:
        messages.error(request, "请先选择单位和拟任职级。")
        return redirect("assessment:shortlist")
    return export_start(request, "assessment.shortlist_export")


@assessment_access()
def rules(request):
    """The rules in force, as data: caps with their citations and the 优秀 quota per unit type."""
    policies = (GradeCapPolicy.objects.filter(unit__isnull=True) |
                GradeCapPolicy.objects.filter(unit__in=units_visible_to(request.user)))
    return render(request, "assessment/rules.html", {
        "policies": policies.select_related("unit").prefetch_related(
            Prefetch("rules", queryset=GradeCapRule.objects.order_by("number"))).order_by("unit__path", "-effective_from"),
        "quotas": QuotaRule.objects.order_by("unit_kind"),
        "situations": PRIORITY_SITUATIONS,
    })
