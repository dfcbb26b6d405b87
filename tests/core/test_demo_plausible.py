"""The demo data reads as a real registry would (issue #12): names match the cadre's sex, a
cadre expelled from the party or removed from post no longer holds that post, every date
follows the cadre's life, and every case, report and notice is about a cadre of its unit.

Checked over the whole set `demo_data --scale-records` builds (the default 300 cadres and the
records at scale behind them), by direct queries."""
import datetime
import os
from collections import defaultdict

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from assessment.models import CadreGrade
from cadres.models import (
    AchievementRecord,
    Cadre,
    CadreStatus,
    Commendation,
    FamilyMember,
    FollowUpVisit,
    PoliticalStatus,
    Posting,
    Sanction,
    Sex,
    SupervisionMeasure,
    Unit,
    UnitKind,
    unit_names_by_path,
)
from cadres.services import township_fields
from care.models import CareParticipant, ConsultationSubmission
from tolerance.models import Allegation, CaseCadre, ClarificationNotice, Determination, ReReview, ToleranceCase

# Characters that mark a given name as a man's or a woman's (chosen here, not read from the
# generator): 芳、娟 are never a man's name, 强、军 never a woman's.
FEMININE = set("芳娜静丽艳娟秀霞婷燕梅玲莉慧琳颖倩萍凤兰")
MASCULINE = set("强磊军勇杰涛刚斌鹏浩凯峰俊彪虎龙")
# 开除党籍 ends the cadre's service; these take the cadre out of the post held.
EXPELLED = ("党纪处分", "开除党籍")
REMOVED = {("党纪处分", "撤销党内职务"), ("政务处分", "撤职"), ("政务处分", "降级"), ("组织处理", "调整职务"),
           ("组织处理", "责令辞职"), ("组织处理", "免职"), ("组织处理", "降职")}
PARTY = (PoliticalStatus.PARTY, PoliticalStatus.PROBATIONARY)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.core.management import call_command
    from django.db import transaction

    from tests.conftest import ensure_reference_data

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_reference_data()
            call_command("demo_data", "--scale-records", stdout=open(os.devnull, "w"))
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _given_names_clash(name: str, sex: str) -> bool:
    given = set(name[1:])
    return bool(given & (MASCULINE if sex == Sex.FEMALE else FEMININE))


def test_every_name_matches_the_sex(demo, db):
    cadres = list(Cadre.objects.values_list("name", "sex"))
    assert {sex for _, sex in cadres} == {Sex.MALE, Sex.FEMALE}
    assert [(n, s) for n, s in cadres if _given_names_clash(n, s)] == []
    relatives = {"妻子": Sex.FEMALE, "丈夫": Sex.MALE, "儿子": Sex.MALE, "女儿": Sex.FEMALE, "父亲": Sex.MALE}
    wrong = [(r, n) for r, n in FamilyMember.objects.values_list("relation", "name")
             if r in relatives and _given_names_clash(n, relatives[r])]
    assert wrong == []
    spouses = FamilyMember.objects.filter(relation__in=["妻子", "丈夫"])
    assert not spouses.filter(relation="妻子", cadre__sex=Sex.FEMALE).exists()
    assert not spouses.filter(relation="丈夫", cadre__sex=Sex.MALE).exists()
    # Tags that name a group fit the cadre.
    assert not Cadre.objects.filter(tags__name="女干部").exclude(sex=Sex.FEMALE).exists()
    assert not Cadre.objects.filter(tags__name="少数民族干部", ethnicity="汉族").exists()


def test_an_expelled_cadre_no_longer_serves_and_a_removed_one_left_the_post(demo, db):
    expelled = Sanction.objects.filter(sanction_type__category=EXPELLED[0], sanction_type__name=EXPELLED[1])
    assert expelled.exists()  # the demo shows the case
    for s in expelled.select_related("cadre"):
        cadre = s.cadre
        assert cadre.status != CadreStatus.ACTIVE, cadre
        assert cadre.political_status not in PARTY, cadre
        assert not cadre.postings.filter(end_date__isnull=True).exists(), cadre
        assert not cadre.postings.filter(end_date__gt=s.decision_date).exists(), cadre
    removals = [s for s in Sanction.objects.select_related("sanction_type")
                if (s.sanction_type.category, s.sanction_type.name) in REMOVED]
    assert removals
    for s in removals:
        # No post held from before the decision to after it: the post was taken away.
        assert not Posting.objects.filter(cadre_id=s.cadre_id, start_date__lt=s.decision_date).exclude(
            end_date__lte=s.decision_date).exists(), s
    # Party discipline is for party members, after they joined.
    party = Sanction.objects.filter(sanction_type__category="党纪处分").select_related("cadre")
    assert party.exists()
    for s in party:
        assert s.cadre.party_join_date and s.cadre.party_join_date < s.decision_date, s.cadre


def test_every_cadre_life_runs_in_order(demo, db):
    today = timezone.localdate()
    postings = defaultdict(list)
    for p in Posting.objects.order_by("start_date"):
        postings[p.cadre_id].append(p)
    cadres = list(Cadre.objects.all())
    assert len(cadres) >= 300
    for c in cadres:
        assert c.work_start_date, c
        assert c.work_start_date >= c.birth_date + relativedelta(years=18), c
        assert c.work_start_date <= today, c
        if c.political_status in PARTY:
            assert c.party_join_date, c
        if c.party_join_date:
            assert c.party_join_date >= c.birth_date + relativedelta(years=18), c
            assert c.party_join_date <= today, c
        mine = postings[c.pk]
        assert mine, c
        for p in mine:
            assert p.start_date >= c.work_start_date, (c, p)
            assert p.end_date is None or p.start_date <= p.end_date <= today, (c, p)
        for before, after in zip(mine, mine[1:]):
            assert before.end_date is not None and before.end_date < after.start_date, (c, before, after)
        current = [p for p in mine if p.end_date is None]
        if c.status == CadreStatus.ACTIVE:
            assert len(current) == 1 and current[0].unit_id == c.unit_id, c
            assert current[0].start_date == c.position_since, c
        else:
            assert current == [], c
            assert mine[-1].unit_id == c.unit_id, c
        retirement = c.birth_date + relativedelta(years=60 if c.sex == Sex.MALE else 55)
        if c.status == CadreStatus.RETIRED:
            assert retirement <= today, c
        if c.status == CadreStatus.ACTIVE:
            assert retirement > today, c
        # The stored township service is what the postings say.
        assert (c.township_days_closed, c.township_anchor) == township_fields(c), c


def _career_end(cadre: Cadre) -> datetime.date:
    if cadre.status == CadreStatus.ACTIVE:
        return timezone.localdate()
    return max(p.end_date for p in cadre.postings.all())


def test_every_record_falls_within_the_career(demo, db):
    today = timezone.localdate()
    for model, field in ((Sanction, "decision_date"), (Commendation, "date"), (SupervisionMeasure, "date")):
        rows = list(model.objects.select_related("cadre").prefetch_related("cadre__postings"))
        assert rows, model
        for r in rows:
            day = getattr(r, field)
            assert r.cadre.work_start_date < day <= _career_end(r.cadre) and day <= today, (model, r.cadre, day)
    for r in AchievementRecord.objects.select_related("cadre"):
        assert r.cadre.status == CadreStatus.ACTIVE, r.cadre
        assert datetime.date(r.year, 3 * r.quarter, 1) >= r.cadre.work_start_date, r.cadre
    for v in FollowUpVisit.objects.select_related("sanction__cadre"):
        assert v.sanction.decision_date <= v.date <= today, v
        assert v.sanction.cadre.status == CadreStatus.ACTIVE, v.sanction.cadre
    for m in FamilyMember.objects.filter(relation__in=["儿子", "女儿"]).select_related("cadre"):
        assert m.birth_date >= m.cadre.birth_date + relativedelta(years=18) and m.birth_date <= today, m
    for p in CareParticipant.objects.select_related("cadre"):
        assert p.date >= p.cadre.work_start_date, p
    for g in CadreGrade.objects.select_related("cadre"):
        assert g.cadre.work_start_date <= datetime.date(g.year, 12, 31), g
    for s in ConsultationSubmission.objects.select_related("cadre"):
        assert s.cadre.status == CadreStatus.ACTIVE, s


def _county(unit: Unit) -> str:
    return unit_names_by_path().get(unit.path[:2 * Unit.steplen], "") if unit.depth >= 2 else ""


def _held(cadre_id: int, unit: Unit, day: datetime.date) -> bool:
    """The cadre held a post in `unit` (or a unit under it) on `day`."""
    return Posting.objects.filter(cadre_id=cadre_id, unit__path__startswith=unit.path, start_date__lte=day).exclude(
        end_date__lt=day).exists()


def test_every_case_is_filed_after_its_error_for_a_cadre_of_its_unit(demo, db):
    today = timezone.localdate()
    cases = list(ToleranceCase.objects.select_related("unit"))
    assert cases
    place_names = set(Unit.objects.filter(kind__in=[UnitKind.TOWNSHIP, UnitKind.COUNTY]).values_list("name", flat=True))
    for case in cases:
        filed = timezone.localtime(case.created_at).date()
        assert case.error_date <= filed <= today, case
        assert case.consultation_date is None or filed <= case.consultation_date <= today, case
        named = {name for name in place_names if name in case.title}
        assert named <= {case.unit.name, _county(case.unit)}, case.title
    for cc in CaseCadre.objects.select_related("case__unit", "cadre"):
        assert _held(cc.cadre_id, cc.case.unit, cc.case.error_date), (cc.case, cc.cadre)
        assert cc.defence_recorded_on is None or cc.defence_recorded_on >= cc.case.created_at.date() - datetime.timedelta(days=1)
    for d in Determination.objects.select_related("case"):
        assert timezone.localtime(d.case.created_at).date() <= d.decided_on <= today, d.case
        assert d.case.consultation_date is None or d.case.consultation_date <= d.decided_on, d.case
    first_decided = {}
    for case_id, decided_on in Determination.objects.order_by("decided_on").values_list("case_id", "decided_on"):
        first_decided.setdefault(case_id, decided_on)
    for r in ReReview.objects.all():
        assert first_decided[r.case_id] <= r.requested_on <= today, r.case_id


def test_every_report_and_notice_concerns_a_cadre_in_post(demo, db):
    today = timezone.localdate()
    allegations = list(Allegation.objects.prefetch_related("subjects"))
    assert allegations
    for a in allegations:
        assert a.received_on <= today and (a.concluded_on is None or a.received_on <= a.concluded_on <= today), a
        for cadre in a.subjects.all():
            assert _held(cadre.pk, cadre.unit, a.received_on), (a, cadre)
    counties = set(Unit.objects.filter(kind=UnitKind.COUNTY).values_list("name", flat=True))
    for n in ClarificationNotice.objects.select_related("allegation", "cadre__unit"):
        assert n.allegation.concluded_on <= n.issued_on <= today, n
        for name in counties:
            if name in n.issuing_body or name in n.scope:
                assert name == _county(n.cadre.unit), (n.issuing_body, n.scope, n.cadre.unit)
