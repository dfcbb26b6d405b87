"""Quarterly analysis (季度分析研判, seed 002 art. 14): opening, gathering the quarter's facts,
rankings with the top and bottom few, reports, and the facts written into the achievement
records."""
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import services
from assessment.models import InfoSource, QuarterlyReview, Ranking, RankingEntry, ReviewEvent, ReviewStatus
from assessment.selectors import RankedCadre, named_top_bottom, ranking_results
from cadres.models import AchievementRecord, AchievementSource, Commendation
from core.errors import DomainError
from tests.assessment.builders import D, staff
from tests.factories import CadreFactory, MeasureFactory, SanctionFactory
from tests.tolerance.builders import load_policy, walk_case
from tolerance.models import Outcome, Stage


def open_review(world, year=2026, quarter=2):
    review, _ = services.quarterly_review_open(department=world.unit_a, year=year, quarter=quarter, by=staff(world))
    return review


def collecting(world, **kwargs):
    return services.review_start_collecting(review=open_review(world, **kwargs), by=staff(world))


# ---------------------------------------------------------------- opening


def test_the_periodic_opening_opens_every_departments_review_once(world):
    created = services.quarterly_reviews_open(D(2026, 5, 20))
    assert {r.department for r in created} == {world.city, world.unit_a, world.unit_b}
    assert services.quarterly_reviews_open(D(2026, 6, 30)) == []
    assert QuarterlyReview.objects.count() == 3
    review = QuarterlyReview.objects.get(department=world.unit_a)
    assert (review.year, review.quarter, review.status, review.deadline) == (2026, 2, ReviewStatus.OPEN, D(2026, 7, 15))
    event = review.events.get()
    assert (event.actor, event.reason) == (None, "按季度自动开启")


@pytest.mark.parametrize("day, quarter", [(D(2026, 3, 31), 1), (D(2026, 4, 1), 2), (D(2026, 12, 31), 4)])
def test_the_quarter_follows_the_date(world, day, quarter):
    services.quarterly_reviews_open(day)
    assert set(QuarterlyReview.objects.values_list("quarter", flat=True)) == {quarter}


def test_only_cities_and_counties_run_a_review(world):
    with pytest.raises(DomainError, match="城关镇不是开展季度分析研判的地区"):
        services.quarterly_review_open(department=world.township_a, year=2026, quarter=2, by=staff(world))


def test_opening_by_hand_is_idempotent_too(world):
    first, created = services.quarterly_review_open(department=world.unit_a, year=2026, quarter=2, by=staff(world))
    again, created_again = services.quarterly_review_open(department=world.unit_a, year=2026, quarter=2, by=staff(world))
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert first.history.get().history_user == staff(world)


# ---------------------------------------------------------------- gathering


def test_collecting_gathers_the_quarters_facts_from_the_other_modules(world):
    cadre = world.cadre_a
    in_quarter = SanctionFactory(cadre=cadre, decision_date=D(2026, 4, 3))
    SanctionFactory(cadre=cadre, decision_date=D(2026, 3, 31))  # previous quarter
    SanctionFactory(cadre=cadre, decision_date=D(2026, 5, 1), status="superseded")
    measure = MeasureFactory(cadre=cadre, kind="诫勉", date=D(2026, 6, 30))
    Commendation.objects.create(cadre=cadre, kind="嘉奖", level="县级", title="防汛先进", date=D(2026, 5, 5))
    AchievementRecord.objects.create(cadre=cadre, year=2026, quarter=2, description="完成项目签约", source="单位报送")
    AchievementRecord.objects.create(cadre=cadre, year=2026, quarter=2, description="上季度研判", source="季度研判")
    SanctionFactory(cadre=world.cadre_b, decision_date=D(2026, 4, 3))  # another jurisdiction
    review = collecting(world)
    items = {(i.source, i.source_id): i for i in review.items.all()}
    assert set(items) == {(InfoSource.SANCTION, in_quarter.pk), (InfoSource.MEASURE, measure.pk),
                          (InfoSource.COMMENDATION, Commendation.objects.get().pk),
                          (InfoSource.ACHIEVEMENT, AchievementRecord.objects.get(source="单位报送").pk)}
    assert items[(InfoSource.SANCTION, in_quarter.pk)].polarity == "negative"
    assert items[(InfoSource.MEASURE, measure.pk)].summary == "被县委组织部诫勉：工作作风"
    assert all(i.cadre == cadre for i in items.values())
    assert review.items.first().history.get().history_user == staff(world)


def test_a_tolerance_ruling_is_gathered_and_the_waived_measure_is_not(world):
    load_policy(world)
    measure = MeasureFactory(cadre=world.cadre_a, kind="诫勉", date=D(2026, 4, 2))
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT, related_measures=[measure])
    review = collecting(world)
    [item] = review.items.all()
    assert (item.source, item.polarity, item.date) == (InfoSource.TOLERANCE, "neutral", D(2026, 5, 10))
    assert item.summary.startswith("容错纠错认定免责（“四个不受影响”）")


def test_gathering_again_adds_nothing_and_drops_what_no_longer_counts(world):
    measure = MeasureFactory(cadre=world.cadre_a, kind="约谈", date=D(2026, 4, 2))
    review = collecting(world)
    assert services.review_gather(review=review, by=staff(world)) == (0, 0)
    MeasureFactory(cadre=world.cadre_a, kind="提醒", date=D(2026, 4, 9))
    measure.status = "waived"
    measure.save()
    assert services.review_gather(review=review, by=staff(world)) == (1, 1)
    assert list(review.items.values_list("summary", flat=True)) == ["被县委组织部提醒：工作作风"]


@pytest.mark.parametrize("count", [10, 60])
def test_gathering_runs_the_same_queries_for_any_number_of_cadres(world, count):
    for i in range(count):
        cadre = CadreFactory(unit=world.township_a)
        SanctionFactory(cadre=cadre, decision_date=D(2026, 4, 1 + i % 28))
        MeasureFactory(cadre=cadre, kind="提醒", date=D(2026, 5, 1))
    review = open_review(world)
    with CaptureQueriesContext(connection) as ctx:
        services.review_start_collecting(review=review, by=staff(world))
    reads = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert review.items.count() == 2 * count
    assert len(reads) <= 12


def test_staff_enter_information_dated_within_the_quarter_about_cadres_in_scope(world):
    review = open_review(world)
    item = services.information_item_add(review=review, cadre=world.cadre_a, source="petition", date=D(2026, 6, 1),
                                         summary="群众来信反映工作作风", polarity="negative", by=staff(world))
    assert (item.entered_by, item.gathered) == (staff(world), False)
    with pytest.raises(DomainError, match="信息日期应在本季度内（2026-04-01 至 2026-06-30）"):
        services.information_item_add(review=review, cadre=world.cadre_a, source="audit", date=D(2026, 7, 1),
                                      summary="审计", by=staff(world))
    with pytest.raises(DomainError, match="乙干部不在清河县的研判范围内"):
        services.information_item_add(review=review, cadre=world.cadre_b, source="audit", date=D(2026, 6, 1),
                                      summary="审计", by=staff(world))
    with pytest.raises(DomainError, match="请选择信息来源"):
        services.information_item_add(review=review, cadre=world.cadre_a, source="sanction", date=D(2026, 6, 1),
                                      summary="处分", by=staff(world))


# ---------------------------------------------------------------- ranking


def ranked(values):
    return [RankedCadre(cadre_id=i, name=f"干部{i}", unit_name="", position="", mean=Fraction(v), evaluators=1)
            for i, v in enumerate(values)]


def names(rows, flag):
    return sorted(r.cadre_id for r in rows if getattr(r, flag))


def test_the_top_and_bottom_three_are_named():
    rows = ranked([1, 2, 3, 4, 5, 6, 7, 8])
    named_top_bottom(rows, 3, 3)
    assert (names(rows, "top"), names(rows, "bottom")) == ([0, 1, 2], [5, 6, 7])


def test_everyone_tied_at_the_cut_is_named():
    rows = ranked([1, 2, Fraction(5, 2), Fraction(5, 2), 4, 6, 6, 6, 7])
    named_top_bottom(rows, 3, 3)
    assert names(rows, "top") == [0, 1, 2, 3]  # two tied for third: four named
    assert names(rows, "bottom") == [5, 6, 7, 8]  # three tied at the bottom cut


def test_a_small_group_is_never_named_both_top_and_bottom():
    rows = ranked([1, 2, 3, 4])
    named_top_bottom(rows, 3, 3)
    assert (names(rows, "top"), names(rows, "bottom")) == ([0, 1, 2], [3])


@pytest.fixture
def ranking_world(world):
    secretaries = [CadreFactory(unit=world.township_a, name=f"书记{i}", position="党委书记") for i in range(5)]
    evaluators = [CadreFactory(unit=world.unit_a, name=n, position=p, is_team_member=True)
                  for n, p in [("严书记", "县委书记"), ("华县长", "县长")]]
    return secretaries, evaluators


def rank(world, review, evaluator, order, category="乡镇党委书记", notes=None):
    notes = notes or {}
    return services.ranking_record(review=review, evaluator=evaluator, evaluator_title=evaluator.position,
                                   category=category, by=staff(world),
                                   entries=[(c, i, notes.get(c, "")) for i, c in enumerate(order, start=1)])


def test_rankings_are_averaged_across_evaluators_with_ties_at_the_cut_named(world, ranking_world):
    s, (secretary, mayor) = ranking_world
    review = collecting(world)
    rank(world, review, secretary, [s[0], s[1], s[2], s[3], s[4]], notes={s[4]: "敢抓敢管拆违得罪人"})
    rank(world, review, mayor, [s[1], s[0], s[3], s[2], s[4]])
    [(category, rows)] = ranking_results(review)
    by_name = {r.name: r for r in rows}
    assert category == "乡镇党委书记"
    assert [(r.name, r.mean_display) for r in rows] == [("书记0", "1.5"), ("书记1", "1.5"), ("书记2", "3.5"),
                                                         ("书记3", "3.5"), ("书记4", "5")]
    review.top_n = review.bottom_n = 1
    review.save()
    [(_, rows)] = ranking_results(review)
    assert [r.name for r in rows if r.top] == ["书记0", "书记1"]
    assert [r.name for r in rows if r.bottom] == ["书记4"]
    assert by_name["书记4"].notes == ["县委书记严书记：敢抓敢管拆违得罪人"]


def test_a_ranking_must_be_complete_and_by_someone_else_in_scope(world, ranking_world):
    s, (secretary, _) = ranking_world
    review = collecting(world)
    with pytest.raises(DomainError, match="名次应为 1 至 3 且各不相同（共 3 人），现填写的名次为 1、1、3"):
        services.ranking_record(review=review, evaluator=secretary, evaluator_title="县委书记", category="书记",
                                entries=[(s[0], 1, ""), (s[1], 1, ""), (s[2], 3, "")], by=staff(world))
    with pytest.raises(DomainError, match="评价人不能对本人排名"):
        rank(world, review, secretary, [secretary, s[0]])
    with pytest.raises(DomainError, match="不在清河县研判范围内：乙干部"):
        rank(world, review, secretary, [s[0], world.cadre_b])
    rank(world, review, secretary, [s[0], s[1]])
    with pytest.raises(DomainError, match="已经录入；如需修改，请先删除原排名"):
        rank(world, review, secretary, [s[0], s[1]])


def test_a_ranking_is_entered_only_while_collecting_and_can_be_withdrawn_then(world, ranking_world):
    s, (secretary, _) = ranking_world
    review = open_review(world)
    with pytest.raises(DomainError, match="只能在“信息汇集”状态下办理"):
        rank(world, review, secretary, [s[0]])
    review = services.review_start_collecting(review=review, by=staff(world))
    ranking = rank(world, review, secretary, [s[0], s[1]])
    pk = ranking.pk
    services.ranking_delete(ranking=ranking, by=staff(world))
    assert not review.rankings.exists()
    assert Ranking.history.filter(id=pk, history_type="-").get().history_user == staff(world)
    assert RankingEntry.history.filter(ranking_id=pk, history_type="-").count() == 2


# ---------------------------------------------------------------- the whole walk


def test_a_review_walks_to_closing_and_writes_the_facts_into_the_achievement_records(world, ranking_world):
    s, (secretary, _) = ranking_world
    SanctionFactory(cadre=s[0], decision_date=D(2026, 4, 3))
    Commendation.objects.create(cadre=s[0], kind="嘉奖", level="县级", title="防汛先进", date=D(2026, 5, 5))
    review = collecting(world)
    services.information_item_add(review=review, cadre=s[1], source="frontline", date=D(2026, 6, 1),
                                  summary="一线值守表现突出", polarity="positive", by=staff(world))
    with pytest.raises(DomainError, match="尚未录入任何综合评价排名"):
        services.review_finish_ranking(review=review, by=staff(world))
    rank(world, review, secretary, s)
    services.review_finish_ranking(review=review, by=staff(world))
    with pytest.raises(DomainError, match="尚未撰写任何领导班子研判报告"):
        services.review_report(review=review, by=staff(world))
    with pytest.raises(DomainError, match="不是清河县研判范围内的领导班子"):
        services.team_report_write(review=review, unit=world.unit_b, text="报告", by=staff(world))
    services.team_report_write(review=review, unit=world.township_a, text="班子运行良好", by=staff(world))
    services.review_report(review=review, by=staff(world))

    records = AchievementRecord.objects.filter(source=AchievementSource.QUARTERLY)
    assert set(records.values_list("cadre_id", flat=True)) == {s[0].pk, s[1].pk}
    first = records.get(cadre=s[0])
    assert (first.year, first.quarter, first.recorded_by) == (2026, 2, staff(world))
    assert "－ 2026-04-03 处分与组织处理：受到政务处分·记过" in first.description
    assert "＋ 2026-05-05 奖励表彰：获县级嘉奖：防汛先进" in first.description
    assert set(AchievementRecord.history.filter(source="季度研判").values_list("history_user", flat=True)) == {
        staff(world).pk}

    services.review_close(review=review, by=staff(world))
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED
    assert list(ReviewEvent.objects.filter(review=review).values_list("to_status", flat=True)) == [
        "open", "collecting", "ranked", "reported", "closed"]
    with pytest.raises(DomainError, match="研判当前处于“已办结”状态"):
        services.review_close(review=review, by=staff(world))


def test_the_quarterly_records_are_not_gathered_back_next_quarter(world):
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 4, 3))
    review = collecting(world)
    AchievementRecord.objects.create(cadre=world.cadre_a, year=2026, quarter=2, description="研判记入",
                                     source=AchievementSource.QUARTERLY)
    assert services.review_gather(review=review, by=staff(world)) == (0, 0)


def conclude(world, conclusion, *, cadres=None, on=D(2026, 5, 6), issue="违规发放津补贴"):
    from tests.tolerance.builders import verifying_allegation
    from tolerance import allegation_services

    allegation = verifying_allegation(world, cadres=cadres, issue=issue)
    return allegation_services.allegation_conclude(allegation=allegation, by=world.users["officer_assigned"],
                                                   conclusion=conclusion, findings="核查情况", concluded_on=on)


def test_allegations_concluded_in_the_quarter_are_gathered_by_conclusion_never_naming_the_reporter(world):
    other = CadreFactory(name="丙干部", unit=world.township_a)
    found = conclude(world, "partly", cadres=[world.cadre_a, other])
    cleared = conclude(world, "false", issue="收受礼金")
    conclude(world, "true", on=D(2026, 7, 1), issue="下季度办结的线索")  # concluded in the next quarter
    from tests.tolerance.builders import verifying_allegation
    verifying_allegation(world, issue="仍在核查")  # not concluded: says nothing yet
    review = collecting(world)
    items = list(review.items.filter(source=InfoSource.ALLEGATION))
    assert {(i.cadre.name, i.polarity, i.summary) for i in items} == {
        ("丙干部", "negative", "反映的问题经核查部分属实：违规发放津补贴"),
        ("甲干部", "negative", "反映的问题经核查部分属实：违规发放津补贴"),
        ("甲干部", "neutral", "反映的问题经核查失实，已澄清：收受礼金"),
    }
    assert len({i.source_id for i in items}) == 3  # one per allegation and cadre
    assert not review.items.filter(summary__contains="王举报").exists()
    assert found.subjects.count() == 2 and cleared.conclusion == "false"


def test_an_allegation_found_true_but_ruled_exempt_is_not_a_negative_fact(world):
    from tolerance.models import Allegation

    load_policy(world)
    allegation = conclude(world, "true")
    review = collecting(world)
    assert review.items.filter(source=InfoSource.ALLEGATION, polarity="negative").count() == 1
    case = walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT)
    Allegation.objects.filter(pk=allegation.pk).update(tolerance_case=case)  # the case it led to
    assert services.review_gather(review=review, by=staff(world)) == (1, 1)  # the ruling in, the allegation out
    assert not review.items.filter(source=InfoSource.ALLEGATION).exists()
    assert review.items.get().source == InfoSource.TOLERANCE  # the ruling itself, neutral
