"""Records at a city's scale behind the cadres of `demo_data --cadres N` (issue #16): the
benchmarks must time the heavy pages over thousands of cases, reports, notices, care records
and reminders, not over the handful the demo walks through.

Proportional to the number of cadres (per 100,000: 3,000 tolerance cases and 5,000 reports a
year over two years, their determinations, rulings and notices, 2,000 priority records and
20,000 concerns a year, follow-up visits to half the sanctions, a year of care activities —
a group health check per unit and talks, home visits and leave for most cadres —,
consultations with submissions, and 10,000 reminders). Written in bulk, a batch at a time
(a few queries per BATCH rows, never one per row, memory flat up to 1,000,000 cadres), without
history rows: nothing the benchmarks time reads the history of these records. Each kind is
written once: a second run finds it there and adds nothing."""
import datetime
import random
import time

from django.db import transaction
from django.db.models import DateTimeField, Max
from django.db.models.functions import Cast
from django.utils import timezone

BATCH = 5000
PER_100K = {"cases": 3000, "allegations": 5000, "priorities": 2000, "concerns": 20000, "notifications": 10000}


def build_scale_records(cadres: int, *, log=print, seed: int = 2026) -> dict[str, int]:
    """Write what is missing for `cadres` cadres; returns rows written per kind."""
    from django.contrib.auth.models import User

    from cadres.models import Cadre, CadreStatus

    rng = random.Random(seed)
    scale = cadres / 100_000
    admin = User.objects.get(username="admin")
    # Cases, reports and concerns are about cadres in post, in the unit they have served since.
    ids = list(Cadre.objects.filter(status=CadreStatus.ACTIVE).order_by("pk")
               .values_list("pk", "unit_id", "position_since"))
    written = {}
    for name, build in (("tolerance", _tolerance), ("care", _care), ("notifications", _notifications)):
        started = time.perf_counter()
        written.update(build(rng, scale, admin, ids))
        log(f"  规模数据（{name}）：{time.perf_counter() - started:.1f} 秒")
    from care.follow_ups import refresh_follow_up_due

    refresh_follow_up_due()
    return written


def _day(rng, year: int, today: datetime.date) -> datetime.date:
    last = today if year == today.year else datetime.date(year, 12, 31)
    start = datetime.date(year, 1, 1)
    return start + datetime.timedelta(days=rng.randrange(max((last - start).days, 1)))


def _in_post(rng, cadres, year: int, today: datetime.date):
    """(cadre, date): a day of the year and a cadre in their current post on that day (a few
    draws; failing those, the day the cadre took up the post)."""
    day = _day(rng, year, today)
    for _ in range(8):
        pick = rng.choice(cadres)
        if pick[2] is None or pick[2] <= day:
            return pick, day
    return pick, max(day, pick[2])


def _tolerance(rng, scale, admin, cadres) -> dict[str, int]:
    from assessment.catalogs import PRIORITY_SITUATIONS
    from assessment.models import PriorityRecord
    from cadres.models import FollowUpVisit, Sanction
    from care.models import Concern, ConcernCategory, ConcernStatus
    from tolerance.models import (
        Allegation,
        AllegationStatus,
        CaseCadre,
        ClarificationNotice,
        Conclusion,
        Determination,
        Outcome,
        PolicyDocument,
        ReReview,
        Ruling,
        Stage,
        ToleranceCase,
    )

    per_year = {k: max(int(n * scale), 1) for k, n in PER_100K.items()}
    if ToleranceCase.objects.count() >= per_year["cases"]:
        return {}
    today = timezone.localdate()
    policy = PolicyDocument.objects.order_by("id").first()
    outcomes = list(Outcome.values)
    written = dict.fromkeys(("cases", "allegations", "notices", "priorities", "concerns", "visits"), 0)
    for year in (today.year - 1, today.year):
        for start in range(0, per_year["cases"], BATCH):
            drawn = [_in_post(rng, cadres, year, today) for _ in range(min(BATCH, per_year["cases"] - start))]
            picks, filed = [p for p, _ in drawn], [d for _, d in drawn]
            with transaction.atomic():
                cases = ToleranceCase.objects.bulk_create([ToleranceCase(
                    title=rng.choice(["防汛物资紧急调拨问责事项", "招商项目先行开工问责事项", "疫情防控临时采购问责事项",
                                      "征地拆迁程序瑕疵问责事项"]),
                    unit_id=unit_id, matter="在紧急情况下未履行完整审批程序", error_date=d, accountability_body="县纪委监委",
                    origin="accountability", policy=policy,
                    stage=Stage.CLOSED if rng.random() < 0.7 else rng.choice([Stage.INVESTIGATION, Stage.DETERMINATION]),
                    stage_owner=admin, stage_deadline=d + datetime.timedelta(days=30), created_by=admin)
                    for (_, unit_id, _), d in zip(picks, filed)])
                # created_at is set on insert; the filing date is the error date here (one statement).
                ToleranceCase.objects.filter(pk__in=[c.pk for c in cases]).update(
                    created_at=Cast("error_date", DateTimeField()))
                case_cadres = CaseCadre.objects.bulk_create(
                    [CaseCadre(case=c, cadre_id=cadre_id) for c, (cadre_id, _, _) in zip(cases, picks)])
                decided = [(c, cc, d) for c, cc, d in zip(cases, case_cadres, filed) if c.stage == Stage.CLOSED]
                dets, rereviews = [], []
                for c, cc, d in decided:
                    decided_on = min(d + datetime.timedelta(days=rng.randrange(20, 90)), today)
                    if rng.random() < 0.05:  # superseded after a re-review asked for within 30 days
                        dets.append((Determination(case=c, decision_number="认", decided_on=decided_on,
                                                   deciding_body="县委", reasons="理由", recorded_by=admin,
                                                   status="superseded"), cc))
                        requested = min(decided_on + datetime.timedelta(days=rng.randrange(1, 30)), today)
                        rereviews.append(ReReview(case=c, case_cadre=cc, requested_on=requested, grounds="理由",
                                                  recorded_by=admin))
                        decided_on = min(requested + datetime.timedelta(days=30), today)
                    dets.append((Determination(case=c, decision_number="认", decided_on=decided_on, deciding_body="县委",
                                               reasons="理由", recorded_by=admin, status="current"), cc))
                made = Determination.objects.bulk_create([d for d, _ in dets])
                rulings = []
                for det, (_, cc) in zip(made, dets):
                    outcome = rng.choice(outcomes)
                    rulings.append(Ruling(determination=det, case_cadre=cc, outcome=outcome,
                                          should_have_been_tolerated=outcome == Outcome.NOT_TOLERATED
                                          and rng.random() < 0.2))
                Ruling.objects.bulk_create(rulings)
                ReReview.objects.bulk_create(rereviews)
                written["cases"] += len(cases)

        for start in range(0, per_year["allegations"], BATCH):
            picks, allegations = [], []
            for _ in range(min(BATCH, per_year["allegations"] - start)):
                pick, received = _in_post(rng, cadres, year, today)
                picks.append(pick)
                status = rng.choice([AllegationStatus.CONCLUDED] * 3 + [AllegationStatus.CLOSED,
                                                                          AllegationStatus.VERIFYING])
                ended = min(received + datetime.timedelta(days=rng.randrange(10, 60)), today)
                allegations.append(Allegation(
                    source="信访", received_on=received, issue="违规发放津补贴", issue_key="违规发放津补贴",
                    summary="反映其违规发放津补贴", status=status, deadline=received + datetime.timedelta(days=30),
                    conclusion=rng.choice(Conclusion.values) if status == AllegationStatus.CONCLUDED else "",
                    concluded_on=ended if status != AllegationStatus.VERIFYING else None, created_by=admin))
            with transaction.atomic():
                allegations = Allegation.objects.bulk_create(allegations)
                Allegation.subjects.through.objects.bulk_create(
                    [Allegation.subjects.through(allegation_id=a.pk, cadre_id=cadre_id)
                     for a, (cadre_id, _, _) in zip(allegations, picks)])
                # After the highest serial of the year, not their count: numbers need not be contiguous
                # (the demo's own notices, an earlier run at another size).
                serial = ClarificationNotice.objects.filter(issuing_body="县纪委", year=year).aggregate(
                    last=Max("serial"))["last"] or 0
                notices = [ClarificationNotice(
                    allegation=a, cadre_id=cadre_id, form="notice", scope="本单位", issuing_body="县纪委", year=year,
                    serial=serial + i + 1, alleged="违规发放津补贴", finding="经核查，所反映问题不存在",
                    issued_on=a.concluded_on, created_by=admin)
                    for i, (a, (cadre_id, _, _)) in enumerate(zip(allegations, picks)) if a.conclusion == Conclusion.FALSE]
                ClarificationNotice.objects.bulk_create(notices)
            written["allegations"] += len(allegations)
            written["notices"] += len(notices)

        PriorityRecord.objects.bulk_create([PriorityRecord(
            cadre_id=rng.choice(cadres)[0], situation=rng.choice(PRIORITY_SITUATIONS)[0], facts="事实",
            recorded_on=_day(rng, year, today), recorded_by=admin) for _ in range(per_year["priorities"])],
            batch_size=BATCH)
        written["priorities"] += per_year["priorities"]
        for start in range(0, per_year["concerns"], BATCH):
            concerns = []
            for _ in range(min(BATCH, per_year["concerns"] - start)):
                raised = _day(rng, year, today)
                answered = raised + datetime.timedelta(days=rng.randrange(1, 25)) if rng.random() < 0.8 else None
                answered = answered if answered and answered <= today else None
                concerns.append(Concern(
                    cadre_id=rng.choice(cadres)[0], category=rng.choice(ConcernCategory.values),
                    content="反映子女入学困难", raised_on=raised, responder="县教育局",
                    deadline=raised + datetime.timedelta(days=15),
                    status=ConcernStatus.ANSWERED if answered else ConcernStatus.OPEN,
                    answer="已协调解决" if answered else "", answered_on=answered, created_by=admin))
            Concern.objects.bulk_create(concerns)
            written["concerns"] += len(concerns)

    # Visits to half the sanctions of cadres in post, dated within their influence period up to today.
    last = 0
    while True:
        chunk = list(Sanction.objects.filter(pk__gt=last, cadre__status="在职").order_by("pk")
                     .values_list("pk", "decision_date", "influence_end")[:BATCH])
        if not chunk:
            break
        visits = []
        for pk, decided, ends in chunk:
            span = (min(ends, today) - decided).days
            if span > 0 and rng.random() < 0.5:
                visits.append(FollowUpVisit(sanction_id=pk, date=decided + datetime.timedelta(days=rng.randrange(span)),
                                            visited_by="县委组织部"))
        FollowUpVisit.objects.bulk_create(visits)
        written["visits"] += len(visits)
        last = chunk[-1][0]
    return written


def _care(rng, scale, admin, cadres) -> dict[str, int]:
    """A year of care: per unit a group health check, per cadre talks, home visits and leave."""
    from cadres.models import Cadre, CadreStatus
    from care.models import CareActivity, CareKind, CareParticipant, Consultation, ConsultationSubmission

    if CareParticipant.objects.count() >= len(cadres) // 2:
        return {}
    today = timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    span = max((today - start).days, 1)

    def day():
        return start + datetime.timedelta(days=rng.randrange(span))

    by_unit: dict[int, list[int]] = {}
    for pk, unit_id in Cadre.objects.filter(status=CadreStatus.ACTIVE).values_list("pk", "unit_id"):
        by_unit.setdefault(unit_id, []).append(pk)
    written = {"activities": 0, "participants": 0, "consultations": 0, "submissions": 0}
    planned: list[tuple] = []  # (activity, [cadre ids]), flushed every BATCH activities

    def flush():
        with transaction.atomic():
            activities = CareActivity.objects.bulk_create([a for a, _ in planned])
            rows = [CareParticipant(activity=a, cadre_id=c, kind=a.kind, date=a.date, days=a.days or 0)
                    for a, (_, ids) in zip(activities, planned) for c in ids]
            CareParticipant.objects.bulk_create(rows, batch_size=BATCH)
        written["activities"] += len(activities)
        written["participants"] += len(rows)
        planned.clear()

    for unit_id, ids in by_unit.items():
        group = [c for c in ids if rng.random() < 0.7]
        if group:
            planned.append((CareActivity(kind=CareKind.HEALTH_CHECK, date=day(), title="年度集体体检",
                                         conducted_by=admin, created_by=admin), group))
        for cadre in ids:
            for kind, share in ((CareKind.TALK, 0.45), (CareKind.HOME_VISIT, 0.3), (CareKind.LEAVE, 0.35)):
                if rng.random() < share:
                    days = rng.choice((3, 5, 5, 10)) if kind == CareKind.LEAVE else None
                    planned.append((CareActivity(kind=kind, date=day(), days=days, conducted_by=admin,
                                                 created_by=admin), [cadre]))
        if len(planned) >= BATCH:
            flush()
    if planned:
        flush()
    consultations = Consultation.objects.bulk_create(
        [Consultation(unit_id=u, title="向组织说说心里话", held_on=day(), mode="both", created_by=admin)
         for u in by_unit if rng.random() < 0.6], batch_size=BATCH)
    submissions = []
    for c in consultations:
        for cadre in rng.sample(by_unit[c.unit_id], min(3, len(by_unit[c.unit_id]))):
            answered = rng.random() < 0.7
            submissions.append(ConsultationSubmission(
                consultation=c, cadre_id=cadre, submitted_on=c.held_on, content="反映工作中的困难",
                answer="已答复" if answered else "", answered_on=c.held_on if answered else None))
    ConsultationSubmission.objects.bulk_create(submissions, batch_size=BATCH)
    written["consultations"], written["submissions"] = len(consultations), len(submissions)
    return written


def _notifications(rng, scale, admin, cadres) -> dict[str, int]:
    """Reminders in the staff's inboxes (most read), as the sweeps leave them over a year."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from core.models import Notification

    wanted = max(int(PER_100K["notifications"] * scale), 1)
    if Notification.objects.filter(kind="scale_demo").count() >= wanted:
        return {}
    users = list(User.objects.filter(groups__isnull=False).distinct().values_list("pk", flat=True))
    now = timezone.now()
    written = 0
    for start in range(0, wanted, BATCH):
        Notification.objects.bulk_create([Notification(
            recipient_id=users[i % len(users)], kind="scale_demo", key=f"scale_demo:{i}",
            title=f"案件“防汛物资紧急调拨问责事项”调查核实阶段将于 {today:%Y-%m-%d} 到期",
            url="/tolerance/", read_at=now if rng.random() < 0.8 else None, emailed_at=now)
            for i in range(start, min(start + BATCH, wanted)) for today in [timezone.localdate()]],
            ignore_conflicts=True)
        written += min(BATCH, wanted - start)
    return {"notifications": written}
