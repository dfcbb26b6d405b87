"""Every dashboard figure against the records: its list page shows exactly the records it
counts, a count taken straight from the records agrees, and the edges hold (a superseded
determination, a case across the new year, a transferred cadre)."""
import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment_services
from assessment.models import (
    CadreGrade,
    GradeReview,
    PriorityRecord,
    QuarterlyReview,
    Ranking,
    RankingEntry,
    ReviewEvent,
)
from cadres.models import Cadre, FollowUpVisit, Sanction, SupervisionMeasure
from cadres.services import posting_add
from care import services as care_services
from care.models import Concern, ConcernCategory, Consultation, ConsultationMode
from core.db import kept_forget
from dashboard.figures import FIGURES, FIGURES_BY_KEY, figure_values
from dashboard.periods import Period
from dashboard.selectors import counted_models
from tests.assessment.builders import open_year
from tests.conftest import client_for
from tests.factories import CadreFactory, MeasureFactory, SanctionFactory
from tests.tolerance.builders import cleared_allegation, determine, load_policy, receive_allegation, walk_case
from tolerance import allegation_services
from tolerance import services as tolerance_services
from tolerance.catalogs import DEFAULT_STAGE_DAYS
from tolerance.models import (
    Allegation,
    CaseEvent,
    ClarificationNotice,
    Determination,
    Outcome,
    ReformFiling,
    ReReview,
    Ruling,
    Stage,
    StageDeadline,
    ToleranceCase,
)

D = datetime.date
TODAY = D(2026, 11, 29)
YEAR = Period(2026)


def values(user, unit, period=YEAR, today=TODAY):
    return {v.figure.key: v for s in figure_values(user=user, unit=unit, period=period, today=today) for v in s.values}


def set_filed(case, day):
    ToleranceCase.objects.filter(pk=case.pk).update(
        created_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC))


@pytest.fixture
def scenario(world):
    """A year of records in 清河县 (unit A) and one of each in 青山区 (unit B)."""
    load_policy(world)
    staff = world.users["staff_a"]
    # Exempt, determined in May.
    exempt = walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT)
    set_filed(exempt, D(2026, 3, 5))
    # Determined lighter, re-reviewed, then not tolerated (a clean checklist: 应容未容).
    reviewed = walk_case(world, Stage.CLOSED, outcome=Outcome.LIGHTER)
    set_filed(reviewed, D(2026, 3, 6))
    tolerance_services.rereview_request(case=reviewed, case_cadre=reviewed.case_cadres.get(), by=staff,
                                        requested_on=D(2026, 5, 20), grounds="认为应当免责")
    reviewed.refresh_from_db()
    determine(world, reviewed, Outcome.NOT_TOLERATED, number="清容认〔2026〕2号", decided_on=D(2026, 6, 15))
    # Filed in December 2025, determined in January 2026.
    across = walk_case(world, Stage.DETERMINATION, outcome=Outcome.REDUCED)
    set_filed(across, D(2025, 12, 20))
    # The error and the joint consultation precede the January determination.
    ToleranceCase.objects.filter(pk=across.pk).update(error_date=D(2025, 11, 30), consultation_date=D(2026, 1, 5))
    across.refresh_from_db()
    determine(world, across, Outcome.REDUCED, number="清容认〔2026〕3号", decided_on=D(2026, 1, 10))
    # Still open and overdue; and one in unit B.
    open_case = walk_case(world, Stage.INVESTIGATION)
    set_filed(open_case, D(2026, 9, 1))
    ToleranceCase.objects.filter(pk=open_case.pk).update(stage_deadline=D(2026, 10, 1))
    other = walk_case(world, Stage.FILED, cadres=[world.cadre_b], by=world.users["staff_b"])
    set_filed(other, D(2026, 4, 1))
    # Reform filings: one filed in 2025 and cited by the case filed this March, one filed this year
    # and never cited, one in unit B.
    cited = tolerance_services.reform_filing_create(
        by=staff, unit=world.township_a, title="工程项目审批改革", description="并联审批", legality_review="合法",
        risk_assessment="可控", filed_on=D(2025, 6, 1))
    ToleranceCase.objects.filter(pk=exempt.pk).update(reform_filing=cited)
    tolerance_services.reform_filing_create(
        by=staff, unit=world.unit_a, title="招商引资奖励办法", description="先行先试", legality_review="合法",
        risk_assessment="可控", filed_on=D(2026, 2, 1))
    tolerance_services.reform_filing_create(
        by=world.users["staff_b"], unit=world.unit_b, title="街道管理体制改革", description="试点",
        legality_review="合法", risk_assessment="可控", filed_on=D(2026, 8, 1))

    # Allegations: one found false with a notice, a repeat of the same issue, a framed one,
    # one closed directly, and one in unit B.
    cleared_allegation(world)
    repeat = receive_allegation(world, acknowledge_duplicate=True)
    framed = receive_allegation(world, issue="收受礼金")
    allegation_services.allegation_assign(allegation=framed, by=staff, verifiers=[world.users["officer_assigned"]],
                                          deadline=D(2026, 5, 1))
    allegation_services.allegation_conclude(allegation=framed, by=world.users["officer_assigned"],
                                            conclusion="framed", findings="系捏造", concluded_on=D(2026, 4, 28))
    allegation_services.referral_update(referral=framed.referral, by=staff, status="referred",
                                        referred_to="县纪委监委", referred_on=D(2026, 5, 10), outcome="")
    # A second false finding whose notice is not published.
    second = receive_allegation(world, issue="公车私用")
    allegation_services.allegation_assign(allegation=second, by=staff, verifiers=[world.users["officer_assigned"]],
                                          deadline=D(2026, 5, 1))
    allegation_services.allegation_conclude(allegation=second, by=world.users["officer_assigned"], conclusion="false",
                                            findings="查无实据", concluded_on=D(2026, 4, 22))
    unpublished = allegation_services.clarification_issue(
        allegation=second, by=staff, cadre=world.cadre_a, form="notice", scope="本单位", issuing_body="中共清河县纪委",
        alleged="公车私用", finding="反映问题失实", issued_on=D(2026, 4, 26))
    ClarificationNotice.objects.filter(pk=unpublished.pk).update(publishable=False)
    allegation_services.allegation_close_directly(allegation=repeat, by=staff, reason="concluded", note="已有结论")
    Allegation.objects.filter(pk=repeat.pk).update(concluded_on=D(2026, 4, 3))
    allegation_services.allegation_receive(
        by=world.users["staff_b"], source="信访", received_on=D(2026, 4, 2), subjects=[world.cadre_b],
        issue="工作作风", summary="反映其作风问题", reporter={"anonymous": True})

    # Grades, a team interview, priority records.
    ay = open_year(world, world.township_a, year=2026)
    extra = CadreFactory(name="丙干部", unit=world.township_a)
    CadreFactory.create_batch(3, unit=world.township_a)  # five assessed: room for one 优秀 (20%)
    assessment_services.grade_record(assessment_year=ay, cadre=world.cadre_a, grade="优秀", by=staff)
    assessment_services.grade_record(assessment_year=ay, cadre=extra, grade="称职", by=staff)
    assessment_services.team_interview_record(unit=world.township_a, date=D(2026, 2, 1), issue="工作滞后",
                                              by_whom="县委组织部", by=staff)
    assessment_services.priority_record_add(cadre=world.cadre_a, situation="art3-3", facts="抗洪抢险",
                                            recorded_on=D(2026, 7, 1), by=staff)
    assessment_services.priority_record_add(cadre=extra, situation="annex1-4", facts="脱贫攻坚",
                                            recorded_on=D(2025, 11, 1), by=staff)

    # Concerns: answered on time, answered late, open and overdue; a follow-up visit.
    on_time = care_services.concern_raise(by=staff, cadre=world.cadre_a, category=ConcernCategory.choices[0][0],
                                          content="子女入学", responder="县教育局", raised_on=D(2026, 3, 1),
                                          deadline=D(2026, 3, 20))
    care_services.concern_answer(concern=on_time, by=staff, answer="已协调", answered_on=D(2026, 3, 15))
    late = care_services.concern_raise(by=staff, cadre=extra, category=ConcernCategory.choices[0][0],
                                       content="住房", responder="县住建局", raised_on=D(2026, 4, 1),
                                       deadline=D(2026, 4, 20))
    care_services.concern_answer(concern=late, by=staff, answer="已答复", answered_on=D(2026, 5, 1))
    care_services.concern_raise(by=staff, cadre=world.cadre_a, category=ConcernCategory.choices[0][0],
                                content="就医", responder="县卫健局", raised_on=D(2026, 9, 1), deadline=D(2026, 9, 20))
    # 说说心里话: one consultation with every submission answered, one with a submission open
    # (held last December, so it is last year's but still unanswered today), one in unit B.
    answered = care_services.consultation_hold(by=staff, unit=world.township_a, title="说说心里话", held_on=D(2026, 6, 1),
                                               mode=ConsultationMode.choices[0][0])
    submission = care_services.submission_record(consultation=answered, by=staff, cadre=world.cadre_a,
                                                 submitted_on=D(2026, 6, 1), content="工作压力大")
    care_services.submission_answer(submission=submission, by=staff, answer="已谈心", answered_on=D(2026, 6, 10))
    pending = care_services.consultation_hold(by=staff, unit=world.unit_a, title="年终说说心里话",
                                              held_on=D(2025, 12, 1), mode=ConsultationMode.choices[0][0])
    care_services.submission_record(consultation=pending, by=staff, cadre=extra, submitted_on=D(2025, 12, 1),
                                    content="希望交流")
    care_services.consultation_hold(by=world.users["staff_b"], unit=world.unit_b, title="说说心里话",
                                    held_on=D(2026, 3, 1), mode=ConsultationMode.choices[0][0])
    sanction = SanctionFactory(cadre=extra)
    FollowUpVisit.objects.create(sanction=sanction, date=D(2026, 6, 1), visited_by="县委组织部")

    # Blocks from promotion today: a sanction still in force (extra's of 2025 has ended), an
    # admonition within six months and one older, a 基本称职 grade; a cadre with two blocks;
    # the edges: a 正厅级 cadre (no rank to be promoted to) and a retired one are no candidates.
    blocked = CadreFactory(name="丁干部", unit=world.township_a)
    SanctionFactory(cadre=blocked, decision_date=D(2026, 5, 1))
    MeasureFactory(cadre=blocked, kind="诫勉", date=D(2026, 8, 1))
    MeasureFactory(cadre=world.cadre_b, kind="诫勉", date=D(2026, 10, 1))
    MeasureFactory(cadre=extra, kind="诫勉", date=D(2026, 3, 1))
    SanctionFactory(cadre=CadreFactory(name="戊干部", unit=world.township_a, rank="正厅级"),
                    decision_date=D(2026, 5, 1))
    SanctionFactory(cadre=CadreFactory(name="己干部", unit=world.township_a, status="退休"),
                    decision_date=D(2026, 5, 1))
    weak = CadreFactory(name="庚干部", unit=world.township_a)
    assessment_services.grade_record(assessment_year=ay, cadre=weak, grade="基本称职", by=staff)

    # Promotions, recorded with the postings: cadre A with a priority record (art. 3(3)), one
    # without a reason on the day (the one recorded later does not count), one last December;
    # a transfer at the same rank in unit B is no promotion.
    posting_add(cadre=world.cadre_a, by=staff, unit=world.township_a, position="党委副书记", rank="正科级",
                start_date=D(2026, 8, 1))
    plain = CadreFactory(name="辛干部", unit=world.township_a, rank="科员")
    posting_add(cadre=plain, by=staff, unit=world.township_a, position="一级主任科员", rank="一级主任科员",
                start_date=D(2026, 5, 1))
    assessment_services.priority_record_add(cadre=plain, situation="annex1-2", facts="重点项目攻坚",
                                            recorded_on=D(2026, 6, 1), by=staff)
    posting_add(cadre=CadreFactory(name="壬干部", unit=world.unit_a), by=staff, unit=world.unit_a, position="局长",
                rank="正科级", start_date=D(2025, 12, 15))
    posting_add(cadre=world.cadre_b, by=world.users["staff_b"], unit=world.unit_b, position="副主任",
                rank=world.cadre_b.rank, start_date=D(2026, 9, 1))
    assess_and_review(world, ay, extra)
    return world


def assess_and_review(world, ay, extra):
    """Caps met (an interview in force, one withdrawn; an influence period), a 不称职 grade
    re-reviewed and changed, another upheld (both cadres retired since); quarterly reviews reported on time, late and not
    at all; a sanction whose follow-up visit is overdue."""
    staff = world.users["staff_a"]
    MeasureFactory(cadre=extra, kind="约谈", date=D(2026, 3, 1))
    withdrawn = CadreFactory(name="测甲干部", unit=world.township_a)
    MeasureFactory(cadre=withdrawn, kind="约谈", date=D(2026, 4, 1), status="waived")
    MeasureFactory(cadre=withdrawn, kind="约谈", date=D(2025, 4, 1))  # last year's: caps last year only
    assessment_services.grade_record(assessment_year=ay, cadre=withdrawn, grade="称职", by=staff)
    for name, result in (("测乙干部", "changed"), ("测丙干部", "upheld")):
        cadre = CadreFactory(name=name, unit=world.township_a)
        grade = assessment_services.grade_record(assessment_year=ay, cadre=cadre, grade="不称职", by=staff)
        grade = assessment_services.grade_notify(grade=grade, told_on=D(2026, 1, 20), by=staff)
        review = assessment_services.grade_rereview_request(grade=grade, requested_on=D(2026, 2, 1), grounds="有异议",
                                                            by=staff)
        assessment_services.grade_rereview_answer(
            review=review, answered_on=D(2026, 2, 20), answer="经复核", by=staff,
            new_grade="基本称职" if result == "changed" else "")
        if result == "changed":
            # In its influence period on the assessment date (31 December) and overdue for a visit today.
            SanctionFactory(cadre=cadre, decision_date=D(2026, 5, 1))
        # Retired since: their grades still count where they were assessed (and they are no
        # promotion candidates, so the 选拔 figures are not touched).
        Cadre.objects.filter(pk=cadre.pk).update(status="退休")
    for unit, quarter, reported in ((world.unit_a, 1, -1), (world.unit_a, 2, 5), (world.unit_a, 3, None),
                                    (world.unit_a, 4, None), (world.unit_b, 1, None)):
        review, _ = assessment_services.quarterly_review_open(department=unit, year=2026, quarter=quarter, by=staff)
        if reported is not None:
            event = ReviewEvent.objects.create(review=review, from_status="ranked", to_status="reported", actor=staff,
                                               reason="研判报告完成")
            at = datetime.datetime.combine(review.deadline + datetime.timedelta(days=reported), datetime.time(16),
                                           tzinfo=datetime.UTC)
            ReviewEvent.objects.filter(pk=event.pk).update(at=at)
    rank_in_reviews(world)


def rank_in_reviews(world):
    """综合评价排名: in 清河县's second and third quarters (one ranked cadre transferred to 青山区
    since, still counted with the review), in its fourth quarter of last year (not this year's),
    and in 青山区's first quarter; some entries with a 敢抓敢管说明."""
    staff = world.users["staff_a"]
    reviews = {(r.department_id, r.year, r.quarter): r for r in QuarterlyReview.objects.all()}
    last_q4, _ = assessment_services.quarterly_review_open(department=world.unit_a, year=2025, quarter=4, by=staff)
    secretary = CadreFactory(name="县委书记甲", unit=world.unit_a, position="县委书记", is_team_member=True)
    moved = CadreFactory(name="调出干部", unit=world.township_a, position="党委书记")
    mayor = CadreFactory(name="区委书记乙", unit=world.unit_b, position="区委书记", is_team_member=True)

    def rank(review, evaluator, rows, category="乡镇党委书记"):
        ranking = Ranking.objects.create(review=review, evaluator=evaluator, evaluator_title=evaluator.position,
                                         category=category, entered_by=staff)
        for position, (cadre, note) in enumerate(rows, 1):
            RankingEntry.objects.create(ranking=ranking, cadre=cadre, position=position, bold_work_note=note)

    bold = CadreFactory(name="排名丙", unit=world.township_a, position="党委书记")
    rank(reviews[world.unit_a.pk, 2026, 2], secretary,
         [(world.cadre_a, ""), (moved, ""), (bold, "征地拆迁敢抓敢管，测评靠后")])
    rank(reviews[world.unit_a.pk, 2026, 3], secretary, [(moved, "整治违建不怕得罪人"), (world.cadre_a, "")],
         category="乡镇长")
    rank(last_q4, secretary, [(world.cadre_a, ""), (moved, "信访积案敢于碰硬")])
    rank(reviews[world.unit_b.pk, 2026, 1], mayor, [(world.cadre_b, "敢抓敢管")], category="街道党工委书记")
    posting_add(cadre=moved, by=staff, unit=world.unit_b, position="副区长", rank=moved.rank, start_date=D(2026, 10, 8))


# ------------------------------------------------------------------------ straight from the records

def in_subtree(unit, *units):
    return any(u.path.startswith(unit.path) for u in units)


def overdue_at(case, day):
    """Open at the end of `day` and past the deadline of the stage it was in, from its events."""
    if timezone.localtime(case.created_at).date() > day:
        return False
    events = [e for e in CaseEvent.objects.filter(case=case).order_by("at", "id") if timezone.localtime(e.at).date() <= day]
    stage, entered = (events[-1].to_stage, events[-1].at) if events else (Stage.FILED, case.created_at)
    if stage == Stage.CLOSED:
        return False
    row = StageDeadline.objects.filter(stage=stage).first()
    days = row.days if row else DEFAULT_STAGE_DAYS[stage]
    return timezone.localtime(entered).date() + datetime.timedelta(days=days) < day


def straight_counts(unit, period, today):
    """Each figure counted in Python from every row, without the selectors."""
    start, end = period.start, period.end
    current = list(Ruling.objects.filter(determination__status="current").select_related(
        "determination", "case_cadre__case__unit"))
    cases = [c for c in ToleranceCase.objects.select_related("unit") if in_subtree(unit, c.unit)]
    case_ids = {c.pk for c in cases}

    def decided(outcome=None, wrongly=False):
        return len({r.case_cadre.case_id for r in current if r.case_cadre.case_id in case_ids
                    and start <= r.determination.decided_on <= end and (outcome is None or r.outcome == outcome)
                    and (not wrongly or r.should_have_been_tolerated)})

    counts = {
        "cases_filed": sum(start <= c.created_at.date() <= end for c in cases),
        "cases_wrongly": decided(wrongly=True),
        "cases_rereview": len({r.case_id for r in ReReview.objects.all()
                               if r.case_id in case_ids and start <= r.requested_on <= end}),
        "cases_overdue": sum(c.stage != Stage.CLOSED and c.stage_deadline < today for c in cases),
        "cases_overdue_at_end": sum(overdue_at(c, min(end, today)) for c in cases),
    }
    for outcome in Outcome:
        counts[f"cases_{outcome.value}"] = decided(outcome)
    counts.update(rereview_counts(cases, start, end))
    allegations = [a for a in Allegation.objects.prefetch_related("subjects__unit")
                   if in_subtree(unit, *[s.unit for s in a.subjects.all()])]
    ended = [a for a in allegations if a.concluded_on and start <= a.concluded_on <= end]
    counts.update({
        "allegations_received": sum(start <= a.received_on <= end for a in allegations),
        "allegations_closed": sum(a.status == "closed" for a in ended),
        "allegations_concluded": sum(a.status == "concluded" for a in ended),
        "allegations_repeated": sum(a.duplicate_of_id is not None and start <= a.received_on <= end
                                    for a in allegations),
        "allegations_overdue": sum(a.status in ("received", "verifying") and a.deadline is not None
                                   and a.deadline < today for a in allegations),
        "notices_issued": sum(in_subtree(unit, n.cadre.unit) and start <= n.issued_on <= end
                              for n in ClarificationNotice.objects.select_related("cadre__unit")),
        "notices_published": sum(in_subtree(unit, n.cadre.unit) and start <= n.issued_on <= end and n.publishable
                                 for n in ClarificationNotice.objects.select_related("cadre__unit")),
        "allegations_referred": sum(hasattr(a, "referral") and a.referral.status != "pending"
                                    and start <= a.referral.referred_on <= end for a in allegations),
    })
    for key, days in (("screened_now", 0), ("screened_90", 90), ("screened_180", 180)):
        counts[key] = sum(a.status in ("received", "verifying") and (today - a.received_on).days >= days
                          for a in allegations)
    filings = [f for f in ReformFiling.objects.select_related("unit") if in_subtree(unit, f.unit)]
    counts["reforms_filed"] = sum(start <= f.filed_on <= end for f in filings)
    counts["reforms_cited"] = sum(any(start <= timezone.localtime(c.created_at).date() <= end
                                      for c in ToleranceCase.objects.filter(reform_filing=f)) for f in filings)
    for conclusion in ("true", "partly", "false", "framed"):
        counts[f"allegations_{conclusion}"] = sum(a.status == "concluded" and a.conclusion == conclusion
                                                  for a in ended)
    for grade in ("优秀", "称职", "基本称职", "不称职"):
        counts[f"grades_{grade}"] = sum(
            g.grade == grade and g.year == period.year and in_subtree(unit, g.assessment_year.unit)
            for g in CadreGrade.objects.select_related("assessment_year__unit"))
    from assessment.models import TeamInterview

    grades = [g for g in CadreGrade.objects.select_related("assessment_year__unit")
              if g.year == period.year and in_subtree(unit, g.assessment_year.unit)]

    def interviewed(g):
        return any(m.kind == "约谈" and m.status == "in_force" and m.date.year == g.year
                   for m in SupervisionMeasure.objects.filter(cadre_id=g.cadre_id))

    def influenced(g):
        on = g.assessment_year.assessment_date
        return any(s.status == "in_force" and s.decision_date <= on < s.influence_end
                   for s in Sanction.objects.filter(cadre_id=g.cadre_id))

    counts["grades_capped"] = sum(interviewed(g) or influenced(g) for g in grades)
    counts["grades_capped_interview"] = sum(map(interviewed, grades))
    counts["grades_capped_influence"] = sum(map(influenced, grades))
    counts["grades_review_any"] = sum(GradeReview.objects.filter(grade=g).exists() for g in grades)
    for status in ("pending", "upheld", "changed"):
        counts[f"grades_review_{status}"] = sum(GradeReview.objects.filter(grade=g, status=status).exists()
                                                for g in grades)
    reviews = [r for r in QuarterlyReview.objects.select_related("department")
               if in_subtree(unit, r.department) and r.year == period.year
               and (period.quarter is None or r.quarter == period.quarter)]

    def reported_on(r):
        days = [timezone.localtime(e.at).date() for e in ReviewEvent.objects.filter(review=r, to_status="reported")]
        return min(days) if days else None

    counts["reviews_on_time"] = sum(reported_on(r) is not None and reported_on(r) <= r.deadline for r in reviews)
    counts["reviews_late"] = sum(reported_on(r) is not None and reported_on(r) > r.deadline for r in reviews)
    counts["reviews_missing"] = sum(reported_on(r) is None and r.deadline < today for r in reviews)
    entries = [e for e in RankingEntry.objects.select_related("ranking__review") if e.ranking.review in reviews]
    counts["rankings_entries"] = len(entries)
    counts["rankings_bold"] = sum(e.bold_work_note != "" for e in entries)
    under_follow_up = [s for s in Sanction.objects.select_related("cadre__unit")
                       if in_subtree(unit, s.cadre.unit) and s.status == "in_force" and s.cadre.status == "在职"
                       and s.decision_date <= today < s.influence_end and s.follow_up_due is not None]
    counts["follow_ups_overdue"] = sum(s.follow_up_due < today for s in under_follow_up)
    counts["follow_ups_due"] = sum(today <= s.follow_up_due <= today + datetime.timedelta(days=30)
                                   for s in under_follow_up)

    counts["team_interviews"] = sum(t.date.year == period.year and in_subtree(unit, t.unit)
                                    for t in TeamInterview.objects.select_related("unit"))
    priorities = [p for p in PriorityRecord.objects.select_related("cadre__unit")
                  if in_subtree(unit, p.cadre.unit) and start <= p.recorded_on <= end]
    counts["priorities_all"] = len(priorities)
    for f in FIGURES:
        if f.key.startswith("priorities_") and f.key != "priorities_all":
            counts[f.key] = sum(p.situation == f.key.removeprefix("priorities_") for p in priorities)
    concerns = [c for c in Concern.objects.select_related("cadre__unit") if in_subtree(unit, c.cadre.unit)]
    counts.update({
        "concerns_raised": sum(start <= c.raised_on <= end for c in concerns),
        "concerns_on_time": sum(start <= c.raised_on <= end and c.answered_on is not None
                                and c.answered_on <= c.deadline for c in concerns),
        "concerns_overdue": sum(c.status == "open" and c.deadline < today for c in concerns),
        "follow_up_visits": sum(in_subtree(unit, v.sanction.cadre.unit) and start <= v.date <= end
                                for v in FollowUpVisit.objects.select_related("sanction__cadre__unit")),
    })
    consultations = [c for c in Consultation.objects.select_related("unit") if in_subtree(unit, c.unit)]
    counts["consultations_held"] = sum(c.held_on.year == period.year for c in consultations)
    counts["consultations_unanswered"] = sum(any(s.answered_on is None for s in c.submissions.all())
                                             for c in consultations)
    counts.update(blocked_counts(unit, today))
    counts.update(shortlist_priority_counts(unit, today))
    from assessment.models import Promotion

    promotions = [p for p in Promotion.objects.select_related("unit")
                  if in_subtree(unit, p.unit) and start <= p.promoted_on <= end]
    counts["promotions_made"] = len(promotions)
    counts["promotions_priority"] = sum(bool(p.priority_reasons) for p in promotions)
    counts["promotions_priority_share"] = (round(100 * counts["promotions_priority"] / len(promotions), 1)
                                           if promotions else None)
    return counts


def rereview_counts(cases, start, end):
    """Re-reviews by result: a case whose determination in force replaced another, by the
    outcome of each cadre against the determination replaced last; and those awaiting one."""
    counts = {"cases_rereview_upheld": 0, "cases_rereview_changed": 0, "cases_rereview_pending": 0}
    for case in cases:
        determinations = list(Determination.objects.filter(case=case).order_by("recorded_at", "id"))
        current = [d for d in determinations if d.status == "current"]
        replaced = [d for d in determinations if d.status == "superseded"]
        if current and replaced and start <= current[0].decided_on <= end:
            before = {r.case_cadre_id: r.outcome for r in Ruling.objects.filter(determination=replaced[-1])}
            changed = any(r.case_cadre_id in before and before[r.case_cadre_id] != r.outcome
                          for r in Ruling.objects.filter(determination=current[0]))
            counts["cases_rereview_changed" if changed else "cases_rereview_upheld"] += 1
        requested = [r for r in ReReview.objects.filter(case=case) if start <= r.requested_on <= end]
        counts["cases_rereview_pending"] += bool(requested) and case.stage == Stage.DETERMINATION
    return counts


def shortlist_priority_counts(unit, today):
    """Candidates (active, below 正厅级) with two 优秀 in a row within the last two years, and,
    under a county only, with three full years in townships."""
    from cadres.models import Cadre, UnitKind
    from cadres.tenure import township_full_years

    candidates = [c for c in Cadre.objects.select_related("unit")
                  if in_subtree(unit, c.unit) and c.status == "在职" and c.rank != "正厅级"]
    excellent = {(g.cadre_id, g.year) for g in CadreGrade.objects.all()
                 if g.grade == "优秀" and g.year >= today.year - 2}
    county = any(u.kind == UnitKind.COUNTY for u in unit.get_ancestors()) or unit.kind == UnitKind.COUNTY
    return {
        "shortlist_two_excellent": sum(any((c.pk, y) in excellent and (c.pk, y - 1) in excellent
                                           for y in range(today.year - 1, today.year + 1)) for c in candidates),
        "shortlist_township": sum(township_full_years(c.township_anchor, c.township_days_closed, today) >= 3
                                  for c in candidates) if county else 0,
    }


def blocked_counts(unit, today):
    from cadres.models import Cadre, Sanction, SupervisionMeasure
    from tolerance.models import CaseCadre

    candidates = {c.pk for c in Cadre.objects.select_related("unit")
                  if in_subtree(unit, c.unit) and c.status == "在职" and c.rank != "正厅级"}
    sanctioned = {s.cadre_id for s in Sanction.objects.all()
                  if s.status == "in_force" and s.decision_date <= today < s.influence_end}
    admonished = {m.cadre_id for m in SupervisionMeasure.objects.all() if m.kind == "诫勉"
                  and m.status == "in_force" and today - relativedelta(months=6) < m.date <= today}
    weak = {g.cadre_id for g in CadreGrade.objects.all()
            if g.grade in ("基本称职", "不称职") and g.year >= today.year - 2}
    pending = {a.pk for a in Allegation.objects.all() if a.status in ("received", "verifying")
               or (a.conclusion in ("true", "partly") and a.tolerance_case_id is None)}
    accused = {s.pk for a in Allegation.objects.prefetch_related("subjects") if a.pk in pending
               for s in a.subjects.all()}
    undetermined = {cc.cadre_id for cc in CaseCadre.objects.all()
                    if not Ruling.objects.filter(case_cadre=cc, determination__status="current").exists()}
    return {"blocked_sanction": len(candidates & sanctioned), "blocked_admonition": len(candidates & admonished),
            "blocked_weak_grade": len(candidates & weak), "blocked_tolerance": len(candidates & (accused | undetermined))}


@pytest.mark.parametrize("key", [f.key for f in FIGURES])
def test_each_figure_equals_a_count_straight_from_the_records(scenario, key):
    admin = scenario.users["admin"]
    for unit in (scenario.city, scenario.unit_a, scenario.unit_b):
        for period in (YEAR, Period(2025), Period(2026, 2)):
            got = values(admin, unit, period)[key].value
            want = straight_counts(unit, FIGURES_BY_KEY[key]._period(period), TODAY)[key]
            assert got == want, (key, unit.name, period.label)


def test_the_scenario_exercises_the_figures(scenario):
    """Guard against a scenario where everything is zero and the comparison proves nothing."""
    v = values(scenario.users["admin"], scenario.city)
    nonzero = {k for k, x in v.items() if x.value}
    assert {"cases_filed", "cases_exempt", "cases_reduced", "cases_not_tolerated", "cases_wrongly", "cases_rereview",
            "cases_overdue", "allegations_received", "allegations_closed", "allegations_false", "allegations_framed",
            "allegations_repeated", "notices_issued", "notices_published", "allegations_referred", "screened_now",
            "screened_90", "screened_180", "reforms_filed", "reforms_cited", "consultations_held",
            "consultations_unanswered", "grades_优秀", "grades_称职", "team_interviews",
            "priorities_all", "concerns_raised", "concerns_on_time", "concerns_overdue",
            "follow_up_visits", "promotions_made", "promotions_priority", "promotions_priority_share",
            "blocked_sanction", "blocked_tolerance", "blocked_weak_grade", "blocked_admonition", "grades_capped",
            "grades_capped_interview", "grades_capped_influence", "grades_review_any", "grades_review_upheld",
            "grades_review_changed", "cases_rereview_changed", "reviews_on_time", "reviews_late", "reviews_missing", "follow_ups_overdue",
            "rankings_entries", "rankings_bold"} <= nonzero


@pytest.mark.parametrize("persona,unit_name", [("leader", "unit_a"), ("staff_b", "unit_b"), ("admin", "city")])
def test_each_figure_links_to_a_list_showing_exactly_its_records(scenario, client, persona, unit_name):
    user, unit = scenario.users[persona], getattr(scenario, unit_name)
    client_for(client, user)
    # The list counts a period's end still ahead as of the real today, after the scenario's
    # events (made now): the figure counted on that day is the one its list must show.
    as_of_now = values(user, unit, today=timezone.localdate())
    for v in values(user, unit).values():
        if v.figure.ratio:  # a share opens the list of its numerator
            assert v.link == values(user, unit)[v.figure.ratio[0]].link
            continue
        response = client.get(v.link)
        assert response.status_code == 200, v.link
        expected = as_of_now[v.figure.key].value if v.figure.key == "cases_overdue_at_end" else v.value
        assert response.context["page"].paginator.count == expected, (v.figure.key, v.link)


# ------------------------------------------------------------------------ edges

def test_a_superseded_determination_counts_once_under_its_current_outcome(scenario):
    v = values(scenario.users["admin"], scenario.unit_a)
    assert Determination.objects.filter(status="superseded").count() == 1
    assert v["cases_lighter"].value == 0
    assert v["cases_not_tolerated"].value == 1
    assert v["cases_wrongly"].value == 1
    assert v["cases_exempt"].value == 1 and v["cases_reduced"].value == 1


def test_re_reviews_count_by_result_once_under_the_decision_in_force(scenario, client):
    """Besides the scenario's re-review that changed 从轻 to 不予容错 (decided 15 June): a case
    re-reviewed twice, changed on 1 June and upheld on 1 July, counts once, as upheld in
    July; a case awaiting its new determination counts as pending by its request."""
    staff, admin = scenario.users["staff_a"], scenario.users["admin"]
    twice = walk_case(scenario, Stage.FILING, outcome=Outcome.LIGHTER)
    tolerance_services.rereview_request(case=twice, case_cadre=twice.case_cadres.get(), by=staff,
                                        requested_on=D(2026, 5, 20), grounds="认为应当免责")
    twice.refresh_from_db()
    determine(scenario, twice, Outcome.EXEMPT, number="清容认〔2026〕4号", decided_on=D(2026, 6, 1))
    twice.refresh_from_db()
    tolerance_services.case_record_feedback(case=twice, by=staff, feedback_date=D(2026, 6, 2), method="送达",
                                            received_on=D(2026, 6, 3))
    tolerance_services.rereview_request(case=twice, case_cadre=twice.case_cadres.get(), by=staff,
                                        requested_on=D(2026, 6, 10), grounds="再次申请")
    twice.refresh_from_db()
    determine(scenario, twice, Outcome.EXEMPT, number="清容认〔2026〕5号", decided_on=D(2026, 7, 1))
    waiting = walk_case(scenario, Stage.FILING, outcome=Outcome.EXEMPT)
    tolerance_services.rereview_request(case=waiting, case_cadre=waiting.case_cadres.get(), by=staff,
                                        requested_on=D(2026, 5, 25), grounds="对认定理由有异议")

    def results(period):
        v = values(admin, scenario.unit_a, period)
        return tuple(v[f"cases_rereview_{r}"].value for r in ("upheld", "changed", "pending"))

    assert results(YEAR) == (1, 1, 1)
    assert results(Period(2026, 2)) == (0, 1, 1)
    assert results(Period(2026, 3)) == (1, 0, 0)
    assert results(Period(2025)) == (0, 0, 0)
    assert values(admin, scenario.unit_b)["cases_rereview_pending"].value == 0
    for unit in (scenario.city, scenario.unit_a, scenario.unit_b):
        for period in (YEAR, Period(2026, 2), Period(2026, 3)):
            got = values(admin, unit, period)
            want = straight_counts(unit, period, TODAY)
            assert {k: got[k].value for k in want if k.startswith("cases_rereview")} == \
                {k: v for k, v in want.items() if k.startswith("cases_rereview")}, (unit.name, period.label)
    client_for(client, scenario.users["leader"])
    for key in ("cases_rereview_upheld", "cases_rereview_changed", "cases_rereview_pending"):
        v = values(scenario.users["leader"], scenario.unit_a)[key]
        assert client.get(v.link).context["page"].paginator.count == v.value == 1, key


def test_shortlist_priority_reasons_count_candidates_and_open_the_shortlist_filtered_to_them(scenario, client):
    """Two 优秀 in a row (2025, 2026) counts, 2024 and 2026 does not, nor a retired cadre's; three
    township years to the day count, a day short does not; township years count under a county only."""
    staff, admin = scenario.users["staff_a"], scenario.users["admin"]
    last_year = open_year(scenario, scenario.township_a, year=2025)
    two_years_ago = open_year(scenario, scenario.township_a, year=2024)
    CadreFactory.create_batch(4, unit=scenario.township_a)  # room for 优秀 in the earlier years
    assessment_services.grade_record(assessment_year=last_year, cadre=scenario.cadre_a, grade="优秀", by=staff)
    gap = CadreFactory(name="隔年干部", unit=scenario.township_a)
    assessment_services.grade_record(assessment_year=two_years_ago, cadre=gap, grade="优秀", by=staff)
    retired = CadreFactory(name="退休优秀", unit=scenario.township_a)
    assessment_services.grade_record(assessment_year=last_year, cadre=retired, grade="优秀", by=staff)
    Cadre.objects.filter(pk=retired.pk).update(status="退休")
    today = timezone.localdate()
    for name, start in (("满三年", today - relativedelta(years=3)),
                        ("差一天", today - relativedelta(years=3) + datetime.timedelta(days=1))):
        cadre = CadreFactory(name=name, unit=scenario.unit_a, rank="科员")
        posting_add(cadre=cadre, by=staff, unit=scenario.township_a, position="科员", rank="科员", start_date=start)

    v = values(admin, scenario.unit_a, today=today)
    assert (v["shortlist_two_excellent"].value, v["shortlist_township"].value) == (1, 1)
    city = values(admin, scenario.city, today=today)
    assert (city["shortlist_two_excellent"].value, city["shortlist_township"].value) == (1, 0)
    # The city report's table by subordinate unit counts them county by county: township years
    # too, each county being county-level though the city is not.
    from dashboard.report import BY_UNIT_KEYS, build_report

    by_unit = build_report(user=admin, unit=scenario.city, year=today.year, today=today).tables[-1]
    columns = [1 + BY_UNIT_KEYS.index(k) for k in ("shortlist_two_excellent", "shortlist_township")]
    assert [[row[c] for c in columns] for row in by_unit.rows] == [[1, 1], [0, 0]]
    for unit in (scenario.city, scenario.unit_a, scenario.township_a, scenario.unit_b):
        got = values(admin, unit, today=today)
        assert {k: got[k].value for k in ("shortlist_two_excellent", "shortlist_township")} == \
            shortlist_priority_counts(unit, today), unit.name
    for persona, unit in (("leader", scenario.unit_a), ("admin", scenario.city)):
        client_for(client, scenario.users[persona])
        for key in ("shortlist_two_excellent", "shortlist_township"):
            figure = values(scenario.users[persona], unit, today=today)[key]
            assert client.get(figure.link).context["page"].paginator.count == figure.value, (persona, key)


def test_a_case_filed_in_december_and_determined_in_january_counts_in_each_year_for_what_happened(scenario):
    admin = scenario.users["admin"]
    last, this = values(admin, scenario.unit_a, Period(2025)), values(admin, scenario.unit_a, YEAR)
    assert (last["cases_filed"].value, last["cases_reduced"].value) == (1, 0)
    assert (this["cases_filed"].value, this["cases_reduced"].value) == (3, 1)
    # The comparison with last year reads the same counts.
    assert this["cases_filed"].previous == 1
    q1 = values(admin, scenario.unit_a, Period(2026, 1))
    assert (q1["cases_filed"].value, q1["cases_reduced"].value) == (2, 1)


def test_a_transferred_cadre_counts_in_the_unit_where_the_case_arose(scenario):
    admin = scenario.users["admin"]
    before_a = values(admin, scenario.unit_a)["cases_filed"].value
    before_b = values(admin, scenario.unit_b)["cases_filed"].value
    posting_add(cadre=scenario.cadre_a, by=scenario.users["staff_a"], unit=scenario.unit_b, position="副区长",
                rank="副处级", start_date=D(2026, 10, 1), note="交流")
    assert values(admin, scenario.unit_a)["cases_filed"].value == before_a == 3
    assert values(admin, scenario.unit_b)["cases_filed"].value == before_b == 1
    # Unit B's staff now see cadre A's cases in the list, but not among unit B's figures.
    staff_b = scenario.users["staff_b"]
    assert values(staff_b, scenario.unit_b)["cases_filed"].value == 1


def test_cadres_blocked_count_each_reason_once_and_only_promotable_active_cadres(scenario):
    v = values(scenario.users["admin"], scenario.unit_a)
    # 丁 (a 2026 sanction and an admonition in August) counts under both; extra's admonition
    # of March is past six months; the 正厅级 and retired cadres' sanctions do not count.
    assert v["blocked_sanction"].value == 1
    assert v["blocked_admonition"].value == 1
    assert v["blocked_weak_grade"].value == 1
    assert values(scenario.users["admin"], scenario.unit_b)["blocked_admonition"].value == 1
    # Live figures: a later day sees the sanction's influence period end (记过: 12 months).
    later = values(scenario.users["admin"], scenario.unit_a, today=D(2027, 5, 1))
    assert later["blocked_sanction"].value == 0


def test_the_share_of_promotions_with_a_priority_reason_uses_the_reasons_of_the_day(scenario):
    v = values(scenario.users["admin"], scenario.unit_a)
    # Cadre A (art. 3(3) recorded before) of two this year; 辛's reason came after the promotion.
    assert (v["promotions_made"].value, v["promotions_priority"].value) == (2, 1)
    assert v["promotions_priority_share"].value == 50.0 and v["promotions_priority_share"].shown == "50.0%"
    # Last year: one promotion, none with a reason: 0 %, and the change in percentage points.
    assert v["promotions_priority_share"].previous == 0.0
    assert v["promotions_priority_share"].change_abs == "50.0个百分点"
    # No promotion in the period: no share rather than 0 %.
    q1 = values(scenario.users["admin"], scenario.unit_a, Period(2026, 1))
    assert q1["promotions_made"].value == 0 and q1["promotions_priority_share"].value is None
    assert q1["promotions_priority_share"].shown == "—"


# ------------------------------------------------------------------------ scope and cost

def test_county_staff_see_only_their_county_and_cannot_choose_another(scenario, client):
    client_for(client, scenario.users["staff_b"])
    response = client.get(reverse("dashboard:index"), {"year": 2026, "unit": scenario.unit_a.pk})
    assert response.context["unit"] == scenario.unit_b
    shown = {v.figure.key: v.value for s in response.context["sections"] for v in s.values}
    assert shown["cases_filed"] == 1 and shown["allegations_received"] == 1 and shown["notices_issued"] == 0


def test_a_leader_sees_their_jurisdiction_by_default(scenario, client):
    client_for(client, scenario.users["leader"])
    response = client.get(reverse("dashboard:index"))
    assert response.context["unit"] == scenario.unit_a
    body = response.content.decode()
    for title in ("容错纠错", "澄清正名", "考核", "选拔", "关心关爱"):
        assert title in body
    assert "None" not in body and "True" not in body and "False" not in body


def test_the_dashboard_costs_the_same_number_of_queries_however_many_records(scenario, client):
    client_for(client, scenario.users["admin"])
    url = reverse("dashboard:index") + f"?year=2026&unit={scenario.city.pk}"
    client.get(url)
    kept_forget()  # counted afresh, not read from the cache
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    walk_case(scenario, Stage.FEEDBACK, outcome=Outcome.EXEMPT)
    receive_allegation(scenario, issue="另一问题")
    kept_forget()
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)
    # One query per record kind (16), whether the unit is county-level (1: the township
    # priority), the 优秀 quota with its other grades (6), the care compliance (about 7) and
    # the stage days (2: the stays and the stage deadlines) tables, the stage deadlines once
    # for every year's 期末超期未办结 (1), the fingerprint of the one kept entry (1: the counts
    # and the page kept together), plus the session, user, roles and units.
    assert len(before) <= 45
    # From the cache: the session, user, roles, units, the form's choices and the kept entry's
    # fingerprint (13 here).
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert len(cached) <= 13


def test_the_cached_dashboard_counts_afresh_after_a_write(scenario, client):
    client_for(client, scenario.users["leader"])
    url = reverse("dashboard:index") + f"?year=2026&unit={scenario.unit_a.pk}"

    def shown():
        return {v.figure.key: v.value for s in client.get(url).context["sections"] for v in s.values}

    before = shown()
    assert shown() == before  # the second read is the cached one
    receive_allegation(scenario, issue="又一问题")
    assert shown()["allegations_received"] == before["allegations_received"] + 1
    # Another user of another jurisdiction never reads the leader's entry.
    client_for(client, scenario.users["staff_b"])
    response = client.get(url)
    assert response.context["unit"] == scenario.unit_b


def test_the_kept_counts_watch_every_table_the_dashboard_reads(scenario, client):
    """The counts are kept until a row of dashboard.selectors.COUNTED_MODELS changes: a figure
    that reads another table would show stale counts, so the list must hold every table the
    freshly counted page reads (the session, users and notifications aside)."""
    watched = {m._meta.db_table for m in counted_models()}
    for persona in ("admin", "leader", "staff_a"):
        client_for(client, scenario.users[persona])
        kept_forget()
        with CaptureQueriesContext(connection) as counted:
            client.get(reverse("dashboard:index") + "?year=2026")
        read = {table for q in counted.captured_queries if "SELECT MAX(" not in q["sql"]
                for table in re.findall(r'(?:FROM|JOIN) "((?:cadres|tolerance|assessment|care)_[a-z_]+)"', q["sql"])}
        assert read - watched == set(), persona


def test_an_unreachable_shared_cache_still_shows_the_dashboard(scenario, client, settings, caplog):
    """The kept counts live in the shared cache (Redis in production); when it is down the
    dashboard counts afresh on every view instead of failing."""
    settings.CACHES = {**settings.CACHES, "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    client_for(client, scenario.users["leader"])
    response = client.get(reverse("dashboard:index") + f"?year=2026&unit={scenario.unit_a.pk}")
    assert response.status_code == 200
    shown = {v.figure.key: v.value for s in response.context["sections"] for v in s.values}
    assert shown["cases_filed"] == values(scenario.users["leader"], scenario.unit_a)["cases_filed"].value
    assert "共用缓存不可用" in caplog.text


def test_rankings_count_with_their_review_by_its_year_and_quarter(scenario, client):
    """清河县: the second quarter (three ranked, one with a 敢抓敢管说明) and the third (two, one);
    its fourth quarter of last year (two, one) counts in 2025 only; 青山区's first quarter (one,
    one). A cadre ranked and transferred to 青山区 since counts with the review, in 清河县."""
    admin, leader, staff_b = (scenario.users[p] for p in ("admin", "leader", "staff_b"))

    def pair(user, unit, period=YEAR):
        v = values(user, unit, period)
        return v["rankings_entries"].value, v["rankings_bold"].value

    assert pair(admin, scenario.city) == (6, 3)
    assert pair(admin, scenario.unit_a) == (5, 2)
    assert pair(admin, scenario.unit_b) == (1, 1)
    assert pair(admin, scenario.unit_a, Period(2025)) == (2, 1)
    assert pair(admin, scenario.unit_a, Period(2025, 4)) == (2, 1)
    assert pair(admin, scenario.unit_a, Period(2026, 2)) == (3, 1)
    assert pair(admin, scenario.unit_a, Period(2026, 4)) == (0, 0)
    assert pair(admin, scenario.city, Period(2026, 1)) == (1, 1)
    # County staff count only their county's reviews, whatever the unit asked for.
    assert pair(staff_b, scenario.city) == pair(staff_b, scenario.unit_b) == (1, 1)
    assert pair(leader, scenario.city) == (5, 2)
    # Each link opens the ranking list on exactly the entries counted.
    for user, unit, period in ((leader, scenario.unit_a, Period(2026, 2)), (staff_b, scenario.unit_b, YEAR),
                               (admin, scenario.city, Period(2025, 4)), (admin, scenario.city, YEAR)):
        client_for(client, user)
        for key in ("rankings_entries", "rankings_bold"):
            v = values(user, unit, period)[key]
            assert v.link.startswith(reverse("assessment:ranking_list") + "?")
            response = client.get(v.link)
            assert response.status_code == 200
            assert response.context["page"].paginator.count == v.value, (key, v.link)
