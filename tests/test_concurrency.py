"""Every create and every workflow transition, posted four times at once on PostgreSQL
(issue 13): real requests, each on its own thread and database connection.

- The page's token (static/js/submit_once.js, what a double click in the browser sends):
  exactly one write; every answer is the redirect the first one led to; the others carry
  the note that nothing was saved twice (core.idempotency).
- Transitions and edits also without the token (no JavaScript, a script): the service
  alone holds (the row lock and the version the page showed, or the stage): exactly one
  transition, the others get a clear Chinese message.
Never a 500.

The list of writes is derived from the URLconf: every view that accepts a POST (and every
action or kind of an action URL) has a case here or a reason in NOT_RACED, so a new create
or transition form cannot be forgotten. One scenario serves the whole module: each case
builds what it needs in it."""
import datetime
import inspect
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import get_resolver, reverse

from assessment.models import Ranking
from core.idempotency import FIELD, REPEATED
from tests.conftest import client_for
from tests.factories import make_id_number
from tests.probe import forms_of, plausible
from tests.test_permission_matrix import full_world, named_urls  # noqa: F401  (fixture)

N = 4
D = datetime.date
# Rows every request writes whatever it does (the audit trail, sessions, the page tokens).
BOOKKEEPING = {"core.AuditEvent", "core.SubmittedForm", "sessions.Session", "core.Notification", "axes.AccessAttempt",
               "axes.AccessLog"}


@dataclass
class Case:
    persona: str
    target: Callable  # world → the URL the form posts to
    expect: dict  # model label → rows added (or "app.Model.version" → versions bumped) by ONE post
    page: Callable | None = None  # world → the page holding the form (its fields and hidden version)
    data: Callable = lambda w: {}  # world → values over the page's plausible ones
    bare: bool = False  # a transition or an edit: raced without the page token (the service alone holds)
    idempotent: bool = False  # saving the same values again is a no-op: the others may succeed, writing nothing
    prepare: Callable | None = None  # world → builds the objects the case needs
    api_scopes: tuple = ()  # an API write: JSON with the token of the persona, one Idempotency-Key
    before_race: Callable | None = None  # (world, the persona's client) → e.g. the upload a confirmation confirms


def own(url_name, **kw):
    return lambda w: reverse(url_name, kwargs={k: (v(w) if callable(v) else v) for k, v in kw.items()})


CASES: dict[str, Case] = {}
NOT_RACED: dict[str, str] = {}


# ---------------------------------------------------------------- derived from the URLconf

def _action_tables():
    """URL name → the names its <action>/<kind> argument takes (the views' own tables)."""
    from assessment import views as assessment_views
    from cadres import views as cadre_views
    from care import views as care_views
    from core import security_views
    from tolerance import allegation_views
    from tolerance import views as tolerance_views

    return {
        "tolerance:action": tolerance_views.ACTIONS,
        "tolerance:allegation_action": allegation_views.ACTIONS,
        "assessment:grade_action": assessment_views.GRADE_ACTIONS,
        "assessment:review_action": assessment_views.REVIEW_ACTIONS,
        "security_grant": security_views.GRANT_ACTIONS,
        "cadres:record_create": cadre_views.RECORD_KINDS,
        "care:concern_create": dict.fromkeys(care_views.SOURCES),
    }


def _callbacks(resolver=None, namespace=""):
    from django.urls import URLPattern, URLResolver

    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = pattern.namespace
            yield from _callbacks(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def accepts_post(callback) -> bool:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return hasattr(view_class, "post") or hasattr(view_class, "create")
    source = inspect.getsource(inspect.unwrap(callback))
    return "POST" in source


def writes():
    """Every POST the product accepts, as 'url name' or 'url name:action'."""
    tables = _action_tables()
    found = set()
    for name, callback in _callbacks():
        if not accepts_post(callback):
            continue
        found |= {f"{name}:{action}" for action in tables[name]} if name in tables else {name}
    return found


def test_every_create_and_transition_has_a_concurrency_case():
    assert set(named_urls()) >= {name for name, _ in _callbacks()}
    missing = writes() - set(CASES) - set(NOT_RACED)
    assert not missing, f"add a Case (or a reason in NOT_RACED) for: {sorted(missing)}"
    assert not (set(CASES) & set(NOT_RACED))



# ---------------------------------------------------------------- the cases

def case(key, persona, target, expect, **kw):
    CASES[key] = Case(persona, target, expect, **kw)


def pdf(name="材料.pdf"):
    return ("file", name, b"%PDF-1.4 concurrency test\n%%EOF")


# cadres
case("cadres:create", "staff_a", own("cadres:create"), {"cadres.Cadre": 1}, data=lambda w: {
    "name": "王并发", "sex": "男", "birth_date": "1988-05-06", "id_number": make_id_number(950), "ethnicity": "汉族",
    "political_status": "中共党员", "unit": w.township_a.pk, "position": "副镇长", "rank": "副科级", "status": "在职"})
case("cadres:edit", "staff_a", own("cadres:edit", pk=lambda w: w.cadre_a.pk), {"cadres.HistoricalCadre": 1},
     page=own("cadres:edit", pk=lambda w: w.cadre_a.pk), data=lambda w: {"position": "镇长"}, bare=True)
case("cadres:posting_create", "staff_a", own("cadres:posting_create", pk=lambda w: w.cadre_a.pk), {"cadres.Posting": 1},
     page=own("cadres:posting_create", pk=lambda w: w.cadre_a.pk),
     data=lambda w: {"unit": w.township_a.pk, "position": "副镇长", "start_date": "2020-01-01", "end_date": ""})


def prepare_sanction(w):
    from tests.factories import SanctionFactory

    w.sanction = SanctionFactory(cadre=w.cadre_a, decision_date=D(2026, 1, 5))


RECORD_DATA = {
    "commendation": ("cadres.Commendation", lambda w: {"title": "年度嘉奖", "date": "2026-01-10", "issuer": "县委"}),
    "sanction": ("cadres.Sanction", lambda w: {"decision_date": "2026-01-10", "decided_by": "县纪委",
                                              "matter": "违反规定", "document_number": "清纪〔2026〕1号"}),
    "visit": ("cadres.FollowUpVisit", lambda w: {"date": "2026-06-10", "sanction": w.sanction.pk}),
    "measure": ("cadres.SupervisionMeasure", lambda w: {"date": "2026-01-10"}),
    "achievement": ("cadres.AchievementRecord", lambda w: {"year": "2025"}),
    "family": ("cadres.FamilyMember", lambda w: {"name": "王亲属", "birth_date": "1990-01-01"}),
}
for kind, (model, data) in RECORD_DATA.items():
    url = own("cadres:record_create", pk=lambda w: w.cadre_a.pk, kind=kind)
    case(f"cadres:record_create:{kind}", "staff_a", url, {model: 1}, page=url, data=data,
         prepare=prepare_sanction if kind == "visit" else None)
case("cadres:export", "staff_a", own("cadres:export"), {"core.BackgroundJob": 1})
def upload_cadres(w, c):
    from tests.cadres.test_import import row, workbook

    file = workbook([row("王导入", make_id_number(960))])
    assert c.post(reverse("cadres:import"), {"file": file}).status_code == 200
    w.import_url = reverse("cadres:import_confirm", args=[c.session["cadre_imports"][-1]])


def upload_lrmx(w, c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.appointment.lrmx_samples import lrmx

    file = SimpleUploadedFile("王小明.lrmx", lrmx(id_number=make_id_number(961)).encode())
    response = c.post(reverse("appointment:lrmx_import"), {"files": file, "unit": w.township_a.pk, "rank": "副科级"})
    assert response.status_code in (200, 302) and c.session.get("lrmx_imports"), _errors(response)
    w.lrmx_url = reverse("appointment:lrmx_import_confirm", args=[list(c.session["lrmx_imports"])[-1]])


case("cadres:import_confirm", "staff_a", lambda w: w.import_url, {"cadres.Cadre": 1}, bare=True,
     before_race=upload_cadres)
case("appointment:lrmx_import_confirm", "staff_a", lambda w: w.lrmx_url, {"core.BackgroundJob": 1}, bare=True,
     before_race=upload_lrmx)
case("otp_setup", "staff_a", own("otp_setup"), {"audit": 1}, page=own("otp_setup"), bare=True,
     data=lambda w: {"token": current_totp(w.users["staff_a"])})


def current_totp(user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


NOT_RACED["cadres:import"] = "the upload only shows a preview (nothing is saved); its confirmation is raced"
NOT_RACED["appointment:lrmx_import"] = "the upload only shows a preview (nothing is saved); its confirmation is raced"
NOT_RACED["cadres:reveal_id_number"] = "a read: shows the full number and logs the read, saves nothing"

# core and security
NOT_RACED["login"] = "signing in: no record (axes counts failures)"
NOT_RACED["logout"] = "ends the session: repeating it changes nothing"
NOT_RACED["otp_verify"] = "checks a code: marks the session, no record"
NOT_RACED["password_change"] = "an edit of one's own password: the last one wins, the history keeps each"
NOT_RACED["inbox_read_all"] = "marks notifications read: repeating it changes nothing"
NOT_RACED["notification_open"] = "marks one notification read and opens it: repeating it changes nothing"
case("api:allegation_list", "staff_a", own("api:allegation_list"), {"tolerance.Allegation": 1},
     api_scopes=("write:allegations",),
     data=lambda w: {"source": "审计", "received_on": "2026-04-02", "subject_ids": [w.cadre_a.pk],
                     "issue": "接口并发登记问题", "summary": "审计发现", "reporter_name": "李保密"})
NOT_RACED["api:review_facts"] = ("API write, one per Idempotency-Key: raced on PostgreSQL in "
                                 "tests/api/test_writes.py::test_concurrent_repeats_of_one_key_create_one_fact")
case("security_policy", "secadmin", own("security_policy"), {"core.HistoricalSecurityPolicy": 1},
     page=own("security_policy"), data=lambda w: {"session_concurrent_limit": "1"})
case("audit_export", "auditor", own("audit_export"), {"core.BackgroundJob": 1})
for action, role_or_unit in [("role_grant", None), ("role_revoke", None), ("jurisdiction_grant", None),
                             ("jurisdiction_revoke", None)]:
    case(f"security_grant:{action}", "secadmin", own("security_grant", pk=lambda w: w.users["officer_unassigned"].pk,
                                                     action=action),
         {"audit": 1}, page=own("security_user", pk=lambda w: w.users["officer_unassigned"].pk),
         data=(lambda w: {"role": "部门领导"}) if action.startswith("role") else (lambda w: {"unit": w.unit_b.pk}),
         bare=True)
case("api:token_list", "secadmin", own("api:token_list"), {"api.ApiToken": 1}, page=own("api:token_list"),
     data=lambda w: {"user": w.users["staff_a"].pk, "note": "并发签发", "scopes": ["read:cadres"],
                     "expires_on": (datetime.date.today() + datetime.timedelta(days=30)).isoformat()})
case("api:token_revoke", "secadmin", own("api:token_revoke", pk=lambda w: w.api_token.pk), {"audit": 1},
     page=own("api:token_revoke", pk=lambda w: w.api_token.pk), bare=True)

# appointment
case("appointment:batch_pdf", "staff_a", own("appointment:batch_pdf"), {"core.BackgroundJob": 1},
     data=lambda w: {"ids": [w.cadre_a.pk]})
case("appointment:lrmx_export_many", "staff_a", own("appointment:lrmx_export_many"), {"core.BackgroundJob": 1},
     data=lambda w: {"ids": [w.cadre_a.pk]})

# assessment
def prepare_year(w):
    """Enough cadres in the township for one 优秀 above the normal share (the ceiling)."""
    from assessment import services
    from assessment.selectors import quota_figures
    from tests.factories import CadreFactory

    for n in range(20):
        figures = quota_figures(w.ay)
        if figures.ceiling_max > figures.normal_max:
            break
        CadreFactory(name=f"戊干部{n}", unit=w.township_a)
    w.excess = figures.ceiling_max
    w.ay_county = services.assessment_year_open(unit=w.unit_a, year=2025, by=w.users["staff_a"])


def prepare_review(w):
    from assessment import services
    from tests.factories import CadreFactory

    w.secretary = CadreFactory(name="县委书记", unit=w.unit_a, position="县委书记", is_team_member=True, is_main_leader=True)
    CadreFactory(name="丁镇长", unit=w.township_a, position="镇长", is_team_member=True)
    w.walked_review, _ = services.quarterly_review_open(department=w.unit_a, year=2026, quarter=1,
                                                        by=w.users["staff_a"])


def ranking(w, form):
    """The county secretary ranks the others: positions 1..n, none for himself."""
    mine = {f"position_{w.secretary.pk}", f"note_{w.secretary.pk}"}
    data = {k: v for k, v in form.items() if k not in mine}
    ranked = sorted(k for k in data if k.startswith("position_"))
    return {**data, **{k: str(n) for n, k in enumerate(ranked, 1)}, "evaluator": w.secretary.pk,
            "evaluator_title": "县委书记", "category": "班子成员"}


def review_step(action):
    return own("assessment:review_action", pk=lambda w: w.walked_review.pk, action=action)


case("assessment:year_create", "staff_a", own("assessment:year_create"), {"assessment.AssessmentYear": 1},
     page=own("assessment:year_create"), data=lambda w: {"unit": w.unit_a.pk, "year": "2024", "assessment_date": ""})
case("assessment:quota_decide", "leader", own("assessment:quota_decide", pk=lambda w: w.ay.pk,
                                                 approval_pk=lambda w: w.approval.pk),
     {"assessment.HistoricalQuotaApproval": 1}, data=lambda w: {"decision": "reject", "reason": "不同意超比例"}, bare=True)
case("assessment:quota_request", "staff_a", own("assessment:quota_request", pk=lambda w: w.ay.pk),
     {"assessment.QuotaApproval": 1}, data=lambda w: {"excellent_count": str(w.excess), "reason": "实绩突出"}, prepare=prepare_year)
case("assessment:year_close", "staff_a", own("assessment:year_close", pk=lambda w: w.ay_county.pk),
     {"assessment.HistoricalAssessmentYear": 1}, bare=True)
case("assessment:grade_action:notify", "staff_a", own("assessment:grade_action", pk=lambda w: w.grade.pk,
                                                         action="notify"),
     {"assessment.HistoricalCadreGrade": 1}, data=lambda w: {"told_on": "2026-01-05"}, bare=True, idempotent=True)
case("assessment:grade_action:rereview", "staff_a", own("assessment:grade_action", pk=lambda w: w.grade.pk,
                                                           action="rereview"),
     {"assessment.GradeReview": 1}, data=lambda w: {"requested_on": "2026-01-08", "grounds": "申请复核"}, bare=True)
case("assessment:grade_action:answer", "staff_a", own("assessment:grade_action", pk=lambda w: w.grade.pk,
                                                         action="answer"),
     {"assessment.HistoricalGradeReview": 1}, data=lambda w: {"answered_on": "2026-01-20", "new_grade": "",
                                                                "answer": "维持原等次"}, bare=True)
case("assessment:batch", "staff_a", own("assessment:batch", pk=lambda w: w.ay.pk), {"assessment.HistoricalCadreGrade": 1},
     data=lambda w: {f"grade_{w.cadre_a.pk}": "基本称职", f"remarks_{w.cadre_a.pk}": ""}, bare=True)
case("assessment:team_interview_create", "staff_a", own("assessment:team_interview_create"),
     {"assessment.TeamInterview": 1}, page=own("assessment:team_interview_create"),
     data=lambda w: {"unit": w.township_a.pk, "date": "2026-02-01", "issue": "工作不力"})
case("assessment:review_open", "staff_a", own("assessment:review_open"), {"assessment.QuarterlyReview": 1},
     data=lambda w: {"department": w.unit_a.pk, "year": "2026", "quarter": "3"})
case("assessment:review_action:start", "staff_a", review_step("start"), {"assessment.ReviewEvent": 1}, bare=True,
     prepare=prepare_review)
case("assessment:review_action:gather", "staff_a", review_step("gather"), {"assessment.InformationItem": 0},
     bare=True, idempotent=True)
case("assessment:item_create", "staff_a",
     lambda w: reverse("assessment:item_create", args=[w.walked_review.pk]) + f"?unit={w.township_a.pk}",
     {"assessment.InformationItem": 1},
     page=lambda w: reverse("assessment:item_create", args=[w.walked_review.pk]) + f"?unit={w.township_a.pk}",
     data=lambda w: {"cadre": w.cadre_a.pk, "date": "2026-02-01", "summary": "表现突出"})
case("assessment:ranking_create", "staff_a",
     lambda w: reverse("assessment:ranking_create", args=[w.walked_review.pk]) + f"?unit={w.unit_a.pk}",
     {"assessment.Ranking": 1},
     page=lambda w: reverse("assessment:ranking_create", args=[w.walked_review.pk]) + f"?unit={w.unit_a.pk}",
     data=lambda w, form: ranking(w, form))
case("assessment:ranking_delete", "staff_a", own("assessment:ranking_delete", pk=lambda w: w.walked_review.pk,
                                                    ranking_pk=lambda w: w.mistaken_ranking.pk),
     {"assessment.Ranking": -1}, bare=True, prepare=lambda w: setattr(w, "mistaken_ranking", Ranking.objects.create(
         review=w.walked_review, evaluator=w.secretary, evaluator_title="县委书记", category="误录",
         entered_by=w.users["staff_a"])))
case("assessment:review_action:finish_ranking", "staff_a", review_step("finish_ranking"), {"assessment.ReviewEvent": 1},
     bare=True)
case("assessment:report_edit", "staff_a", own("assessment:report_edit", pk=lambda w: w.walked_review.pk,
                                                 unit_pk=lambda w: w.township_a.pk),
     {"assessment.HistoricalTeamReport": 1}, data=lambda w: {"text": "班子研判报告"}, bare=True, idempotent=True)
case("assessment:review_action:report", "staff_a", review_step("report"), {"assessment.ReviewEvent": 1}, bare=True)
case("assessment:review_action:close", "staff_a", review_step("close"), {"assessment.ReviewEvent": 1}, bare=True)
case("assessment:priority_create", "staff_a", own("assessment:priority_create", cadre_pk=lambda w: w.cadre_a.pk),
     {"assessment.PriorityRecord": 1}, page=own("assessment:priority_create", cadre_pk=lambda w: w.cadre_a.pk),
     data=lambda w: {"facts": "抢险救灾表现突出", "organization_finding": "属实", "recorded_on": "2026-02-01"})
case("assessment:shortlist_export", "staff_a", own("assessment:shortlist_export"), {"core.BackgroundJob": 1},
     data=lambda w: {"unit": w.unit_a.pk, "target_rank": "正科级"})

# care
NO_CONCERN = {"concern_cadre": "", "concern_category": "", "concern_content": "", "concern_responder": "",
              "concern_deadline": ""}
case("care:activity_create", "staff_a", lambda w: reverse("care:activity_create") + f"?unit={w.unit_a.pk}",
     {"care.CareActivity": 1}, page=lambda w: reverse("care:activity_create") + f"?unit={w.unit_a.pk}",
     data=lambda w: {"kind": "talk", "date": "2026-03-01", "cadres": [w.cadre_a.pk],
                     "conducted_by": w.users["staff_a"].pk, "title": "谈心谈话", "amount": "", "fund": "",
                     "days": "", **NO_CONCERN})
case("care:activity_edit", "staff_a", own("care:activity_edit", pk=lambda w: w.care_activity.pk),
     {"care.HistoricalCareActivity": 1}, page=own("care:activity_edit", pk=lambda w: w.care_activity.pk),
     data=lambda w: {"title": "改过的主题"}, bare=True)
case("care:activity_add_cadres", "staff_a", own("care:activity_add_cadres", pk=lambda w: w.care_activity.pk),
     {"care.CareParticipant": 1},
     page=lambda w: reverse("care:activity_add_cadres", args=[w.care_activity.pk]) + f"?unit={w.township_a.pk}",
     data=lambda w: {"cadres": [w.cadre_a2.pk]}, bare=True, prepare=lambda w: setattr(w, "cadre_a2", _cadre(w)))
case("care:activity_remove_cadre", "staff_a", own("care:activity_remove_cadre", pk=lambda w: w.care_activity.pk,
                                                     cadre_pk=lambda w: w.cadre_a2.pk),
     {"care.CareParticipant": -1}, data=lambda w: {"reason": "误选"}, bare=True)
case("care:activity_confidential", "staff_a", own("care:activity_confidential", pk=lambda w: w.care_activity.pk),
     {"care.HistoricalConfidentialNote": 1}, page=own("care:activity_confidential", pk=lambda w: w.care_activity.pk),
     data=lambda w: {"text": "新的保密记录"}, bare=True, idempotent=True)
case("care:concern_create:activities", "staff_a",
     own("care:concern_create", source="activities", pk=lambda w: w.care_activity.pk), {"care.Concern": 1},
     page=own("care:concern_create", source="activities", pk=lambda w: w.care_activity.pk),
     data=lambda w: {"concern_cadre": w.cadre_a.pk, "concern_category": "schooling", "concern_deadline": "", "concern_content": "子女入学",
                     "concern_responder": "教育局"})
case("care:concern_create:submissions", "staff_a",
     own("care:concern_create", source="submissions", pk=lambda w: w.care_submission.pk), {"care.Concern": 1},
     page=own("care:concern_create", source="submissions", pk=lambda w: w.care_submission.pk),
     data=lambda w: {"concern_category": "housing", "concern_deadline": "", "concern_content": "住房困难", "concern_responder": "住建局"})
case("care:concern_answer", "staff_a", own("care:concern_answer", pk=lambda w: w.care_concern.pk),
     {"care.HistoricalConcern": 1}, page=own("care:concern_detail", pk=lambda w: w.care_concern.pk),
     data=lambda w: {"answered_on": "2026-03-10", "answer": "已协调解决"}, bare=True)
case("care:consultation_create", "staff_a", own("care:consultation_create"), {"care.Consultation": 1},
     page=own("care:consultation_create"),
     data=lambda w: {"unit": w.unit_a.pk, "title": "年轻干部座谈会", "held_on": "2026-03-05"})
case("care:submission_create", "staff_a", own("care:submission_create", pk=lambda w: w.care_consultation.pk),
     {"care.ConsultationSubmission": 1}, page=own("care:consultation_detail", pk=lambda w: w.care_consultation.pk),
     data=lambda w: {"cadre": w.cadre_a.pk, "submitted_on": "2026-03-01", "content": "希望加强培训"})
case("care:submission_answer", "staff_a", own("care:submission_answer", pk=lambda w: w.care_submission.pk),
     {"care.HistoricalConsultationSubmission": 1}, page=own("care:consultation_detail", pk=lambda w: w.care_consultation.pk),
     data=lambda w: {"answered_on": "2026-03-10", "answer": "已采纳"}, bare=True)
case("care:activity_export", "staff_a", own("care:activity_export"), {"core.BackgroundJob": 1})


def _cadre(w):
    from tests.factories import CadreFactory

    return CadreFactory(name="丙干部", unit=w.township_a)

# tolerance: one case walked through every stage by the races themselves
def prepare_case(w):
    from tests.tolerance.builders import file_case

    w.walked_case = file_case(w)


def step(action):
    return own("tolerance:action", pk=lambda w: w.walked_case.pk, action=action)


def case_page(w):
    return reverse("tolerance:detail", args=[w.walked_case.pk])


def checklist_answers(w):
    from tests.tolerance.builders import answers_for

    cc = w.walked_case.case_cadres.get()
    return {k: v for pk, (holds, evidence) in answers_for(cc).items()
            for k, v in ((f"holds_{pk}", "yes" if holds else "no"), (f"evidence_{pk}", evidence))}


EVENT = {"tolerance.CaseEvent": 1}
case("tolerance:create", "staff_a", lambda w: reverse("tolerance:create") + f"?unit={w.unit_a.pk}",
     {"tolerance.ToleranceCase": 1},
     page=lambda w: reverse("tolerance:create") + f"?unit={w.unit_a.pk}",
     data=lambda w: {"title": "并发立案事项", "cadres": [w.cadre_a.pk], "error_date": "2026-03-01", "matter": "失误事实",
                     "accountability_body": "清河县纪委监委", "origin": "accountability"})
case("tolerance:action:start", "staff_a", step("start"), EVENT, page=case_page, prepare=prepare_case, bare=True,
     data=lambda w: {"investigators": [w.users["officer_assigned"].pk], "reason": "联合调查"})
case("tolerance:checklist", "officer_assigned",
     own("tolerance:checklist", pk=lambda w: w.walked_case.pk, case_cadre_pk=lambda w: w.walked_case.case_cadres.get().pk),
     {"tolerance.HistoricalChecklistItem": lambda w: w.walked_case.case_cadres.get().checklist.count()},
     data=checklist_answers, bare=True, idempotent=True)
case("tolerance:action:evidence", "officer_assigned", step("evidence"), {"tolerance.Evidence": 1}, page=case_page,
     data=lambda w: {"title": "调查笔录", "file": pdf()})
case("tolerance:action:finish", "officer_assigned", step("finish"), EVENT, page=case_page, bare=True,
     data=lambda w: {"reason": "调查完毕"})
case("tolerance:action:preliminary", "officer_assigned", step("preliminary"), EVENT, page=case_page, bare=True,
     data=lambda w: {"opinion": "建议免责"})
case("tolerance:action:defence", "officer_assigned", step("defence"), {"tolerance.HistoricalCaseCadre": 1},
     page=case_page, data=lambda w: {"case_cadre": w.walked_case.case_cadres.get().pk, "recorded_on": "2026-05-01",
                                     "statement": "本人陈述"})
case("tolerance:action:consultation", "staff_a", step("consultation"), EVENT, page=case_page, bare=True,
     data=lambda w: {"date": "2026-05-02", "minutes": "纪要", "proposed_outcome": "exempt"})
case("tolerance:action:determine", "leader", step("determine"), {"tolerance.Determination": 1}, page=case_page,
     bare=True, data=lambda w: {"decision_number": "清容认〔2026〕9号", "decided_on": "2026-05-10",
                                "deciding_body": "中共清河县委", "reasons": "依据条款",
                                f"outcome_{w.walked_case.case_cadres.get().pk}": "exempt"})
case("tolerance:action:remedial", "staff_a", step("remedial"), {"tolerance.RemedialMeasure": 1}, page=case_page,
     data=lambda w: {"description": "完善审批流程", "owner": "办公室", "deadline": "2026-06-30"})
case("tolerance:action:remedial_done", "staff_a", step("remedial_done"), {"tolerance.HistoricalRemedialMeasure": 1},
     page=case_page, bare=True,
     data=lambda w: {"measure": w.walked_case.remedial_measures.get().pk, "done_on": "2026-06-01"})
case("tolerance:action:feedback", "staff_a", step("feedback"), EVENT, page=case_page, bare=True,
     data=lambda w: {"feedback_date": "2026-05-12", "method": "送达", "received_on": "2026-05-13"})
case("tolerance:action:filing", "staff_a", step("filing"), EVENT, page=case_page, bare=True,
     data=lambda w: {"discipline_on": "2026-05-20", "organization_on": "2026-05-20", "accountability_on": "2026-05-21"})
case("tolerance:action:rereview", "staff_a", step("rereview"), {"tolerance.ReReview": 1}, page=case_page,
     data=lambda w: {"case_cadre": w.walked_case.case_cadres.get().pk, "requested_on": "2026-05-25",
                     "grounds": "申请复核"})
case("tolerance:reform_create", "staff_a", own("tolerance:reform_create"), {"tolerance.ReformFiling": 1},
     page=own("tolerance:reform_create"),
     data=lambda w: {"unit": w.unit_a.pk, "title": "并发备案", "filed_on": "2026-01-01"})


# allegations: one received allegation walked through, another closed directly, one framed
def prepare_allegation(w):
    from tests.tolerance.builders import issuing_bodies, receive_allegation

    issuing_bodies()
    w.walked_allegation = receive_allegation(w, issue="并发核查问题")
    w.closed_allegation = receive_allegation(w, issue="并发了结问题")


def a_step(action, attr="walked_allegation"):
    return own("tolerance:allegation_action", pk=lambda w: getattr(w, attr).pk, action=action)


def a_page(attr="walked_allegation"):
    return lambda w: reverse("tolerance:allegation_detail", args=[getattr(w, attr).pk])


case("tolerance:allegation_create", "staff_a", lambda w: reverse("tolerance:allegation_create") + f"?unit={w.unit_a.pk}",
     {"tolerance.Allegation": 1},
     page=lambda w: reverse("tolerance:allegation_create") + f"?unit={w.unit_a.pk}",
     data=lambda w: {"source": "信访", "received_on": "2026-04-01", "subjects": [w.cadre_a.pk],
                     "issue": "并发登记问题", "summary": "反映内容"})
case("tolerance:allegation_action:close", "staff_a", a_step("close", "closed_allegation"),
     {"tolerance.HistoricalAllegation": 1}, page=a_page("closed_allegation"), prepare=prepare_allegation, bare=True,
     data=lambda w: {"reason": "vague", "note": "不属于受理范围"})
case("tolerance:allegation_action:assign", "staff_a", a_step("assign"), {"tolerance.HistoricalAllegation": 1},
     page=a_page(), bare=True, data=lambda w: {"verifiers": [w.users["officer_assigned"].pk], "deadline": "2026-05-01"})
case("tolerance:allegation_action:evidence", "officer_assigned", a_step("evidence"), {"tolerance.Evidence": 1},
     page=a_page(), data=lambda w: {"title": "核查材料", "file": pdf()})
case("tolerance:allegation_action:conclude", "officer_assigned", a_step("conclude"),
     {"tolerance.HistoricalAllegation": 1}, page=a_page(), bare=True,
     data=lambda w: {"conclusion": "true", "findings": "经核查属实", "concluded_on": "2026-04-20"})
case("tolerance:allegation_action:open_case", "staff_a", a_step("open_case"), {"tolerance.ToleranceCase": 1},
     page=a_page(), bare=True,
     data=lambda w: {"title": "转入问责", "error_date": "2026-03-01", "accountability_body": "清河县纪委监委"})


def prepare_framed(w):
    from tests.tolerance.builders import verifying_allegation
    from tolerance import allegation_services

    w.framed = verifying_allegation(w, issue="并发诬告问题")
    allegation_services.allegation_conclude(allegation=w.framed, by=w.users["officer_assigned"], conclusion="framed",
                                            findings="经核查系诬告", concluded_on=D(2026, 4, 20))


case("tolerance:allegation_action:clarify", "staff_a", a_step("clarify", "framed"),
     {"tolerance.ClarificationNotice": 1}, page=a_page("framed"), prepare=prepare_framed,
     data=lambda w: {"cadre": w.cadre_a.pk, "form": "meeting", "scope": "全镇", "issuing_body": "中共清河县纪委",
                     "alleged": "a", "finding": "f", "issued_on": "2026-05-01"})
case("tolerance:allegation_action:referral", "staff_a", a_step("referral", "framed"),
     {"tolerance.HistoricalFalseAccusationReferral": 1}, page=a_page("framed"),
     data=lambda w: {"status": "referred", "referred_to": "县公安局", "referred_on": "2026-05-02", "outcome": ""})
case("tolerance:notice_detail", "staff_a", own("tolerance:notice_detail", pk=lambda w: w.notice.pk),
     {"tolerance.HistoricalClarificationNotice": 1}, page=own("tolerance:notice_detail", pk=lambda w: w.notice.pk),
     data=lambda w: {"delivered_on": "2026-05-03"})
case("tolerance:publication_export", "staff_a", own("tolerance:publication_export"), {"core.BackgroundJob": 1})


# ---------------------------------------------------------------- the races

def counts(expect):
    from core.models import AuditEvent

    return {label: AuditEvent.objects.count() if label == "audit" else apps.get_model(label)._default_manager.count()
            for label in expect}


def payload(case, w, c, failures, key):
    """(url, data): the page's form as the browser would post it (to its action), with the
    case's values; or the case's values alone for a button without a page of its own."""
    data, url = {}, case.target(w)
    if case.page:
        page_url, target = case.page(w), urlsplit(case.target(w)).path
        response = c.get(page_url)
        posted = [f for f in forms_of(response.content.decode(errors="replace"), page_url)
                  if f.method == "post" and urlsplit(f.action).path == target]
        if response.status_code != 200 or not posted:
            failures.append(f"{key}: no form posting to {target} on {page_url} ({response.status_code})")
            return None, None
        data, url = plausible(posted[0]), posted[0].action
    if len(inspect.signature(case.data).parameters) == 2:  # values that depend on the form's own fields
        return url, case.data(w, data)
    return url, {**data, **case.data(w)}


def materialize(data):
    """A fresh upload per request (a file object is read once)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {k: SimpleUploadedFile(v[1], v[2], content_type="application/pdf") if isinstance(v, tuple) else v
            for k, v in data.items()}


def race(clients, url, data):
    responses, barrier = [None] * len(clients), threading.Barrier(len(clients))

    def post(i):
        body = materialize(data)
        barrier.wait()
        try:
            responses[i] = clients[i].post(url, body)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return responses


def notes(response):
    storage = getattr(response.wsgi_request, "_messages", None)
    # Queued by this request; a page that rendered them moved them to the loaded ones.
    shown = getattr(storage, "_queued_messages", []) + getattr(storage, "_loaded_messages", [])
    return [(m.level, str(m.message)) for m in shown]


def refused_clearly(response) -> bool:
    """A loser's answer: a redirect with a message that is not a success (a refusal, or that
    there was nothing to save), a page with the form's errors, or (the record it deleted is
    gone) not found. In Chinese."""
    from django.contrib.messages import SUCCESS

    if response.status_code == 404:
        return True
    if response.status_code == 302:
        return any(level != SUCCESS and any("\u4e00" <= ch <= "\u9fff" for ch in text)
                   for level, text in notes(response))
    body = response.content.decode(errors="replace")
    return response.status_code == 200 and ("invalid-feedback" in body or "alert-danger" in body or "errorlist" in body)


FIGURES = {"cases": 0, "requests": 0}


def run_api(key, case, w, failures):
    from rest_framework.test import APIClient

    from tests.api.conftest import issue_token

    _, raw = issue_token(w, w.users[case.persona], list(case.api_scopes))
    clients = [APIClient() for _ in range(N)]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    before = counts(case.expect)
    answers, barrier, idempotency_key = [None] * N, threading.Barrier(N), uuid.uuid4().hex

    def send(i):
        barrier.wait()
        try:
            answers[i] = clients[i].post(case.target(w), case.data(w), format="json",
                                         HTTP_IDEMPOTENCY_KEY=idempotency_key)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(N)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    FIGURES["cases"] += 1
    FIGURES["requests"] += N
    after = counts(case.expect)
    delta = {label: after[label] - before[label] for label in case.expect}
    codes = [a.status_code for a in answers]
    if delta != case.expect or codes != [201] * N or len({a.json()["id"] for a in answers}) != 1:
        failures.append(f"{key}: wrote {delta}, expected {case.expect}; answers {codes}")


def run(key, case, w, failures):
    if case.prepare:
        case.prepare(w)
    if case.api_scopes:
        return run_api(key, case, w, failures)
    user = w.users[case.persona]
    c = client_for(Client(raise_request_exception=False), user)
    if case.before_race:
        case.before_race(w, c)
    url, data = payload(case, w, c, failures, key)
    if data is None:
        return
    clients = [c]
    for _ in range(N - 1):  # a double click: the same browser session
        other = Client(raise_request_exception=False)
        other.cookies = c.cookies
        clients.append(other)
    if not case.bare:
        data[FIELD] = uuid.uuid4().hex
    before = counts(case.expect)
    responses = race(clients, url, data)
    FIGURES["cases"] += 1
    FIGURES["requests"] += N
    after = counts(case.expect)
    delta = {label: after[label] - before[label] for label in case.expect}
    wanted = {label: (n(w) if callable(n) else n) for label, n in case.expect.items()}
    codes = [r.status_code for r in responses]
    if any(code >= 500 for code in codes):
        failures.append(f"{key}: 500 in {codes}")
    if delta != wanted:
        first = responses[0]
        failures.append(f"{key}: wrote {delta}, expected {wanted}; answers {codes} {[notes(r) for r in responses]}"
                        + (first.content.decode(errors="replace")[:0] if first.status_code == 302 else
                           " " + _errors(first)))
        return
    if case.bare:
        refused = [r for r in responses if refused_clearly(r)]
        if not case.idempotent and len(refused) != N - 1:
            failures.append(f"{key}: {N - len(refused)} answers were not a clear refusal: "
                            f"{codes} {[notes(r) for r in responses]}")
    else:
        locations = {r.get("Location") for r in responses}
        replayed = [r for r in responses if any(REPEATED in text for _, text in notes(r))]
        if codes != [302] * N or len(locations) != 1 or len(replayed) != N - 1:
            failures.append(f"{key}: answers {codes} {locations}, {len(replayed)} replayed")


def _errors(response):
    contexts = response.context or []
    contexts = [contexts] if isinstance(contexts, dict) else contexts
    forms = [v for ctx in contexts for v in (ctx.flatten() if hasattr(ctx, "flatten") else ctx).values()
             if hasattr(v, "errors") and getattr(v, "is_bound", False)]
    return "; ".join(str(f.errors.as_data()) for f in forms if f.errors)[:800]


@pytest.mark.django_db(transaction=True)
def test_every_create_and_transition_posted_four_times_at_once_writes_once(postgres_only, full_world):  # noqa: F811
    failures = []
    only = os.environ.get("CONCURRENCY_ONLY", "")  # while writing a case: its key's prefix
    for key, case in CASES.items():
        if only and not any(key.startswith(p) for p in only.split(",")):
            if case.prepare:
                case.prepare(full_world)
            continue
        try:
            run(key, case, full_world, failures)
        except Exception as e:  # noqa: BLE001  (one broken case must not hide the others)
            failures.append(f"{key}: {type(e).__name__}: {e}")
    print(f"\n[concurrency] {FIGURES['cases']} writes × {N} simultaneous posts, {FIGURES['requests']} requests, "
          f"{len(failures)} failures")
    assert not failures, "\n".join(failures)
