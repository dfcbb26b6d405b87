"""The promotion shortlist: eligible cadres with their priority reasons, blocked ones with the
reason for each block; one query plan for the whole unit (DESIGN §3, §5)."""
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import AssessmentYear, CadreGrade
from assessment.selectors import promotion_shortlist
from cadres.models import Commendation, Rank, unit_names_by_path
from core.errors import DomainError
from core.models import AuditEvent
from tests.assessment.builders import D, staff
from tests.conftest import client_for, export_via_job
from tests.factories import CadreFactory, MeasureFactory, SanctionFactory, sanction_type
from tests.tolerance.builders import load_policy, walk_case
from tolerance.models import Outcome, Stage

ON = D(2026, 6, 1)


def shortlist(world, *, unit=None, target=Rank.FU_KE, user="staff_a", on=ON):
    rows = promotion_shortlist(user=world.users[user], unit=unit or world.unit_a, target_rank=target, on=on)
    return {r.name: r for r in rows}


@pytest.fixture
def clerk(world):
    return CadreFactory(unit=world.township_a, name="科员甲", rank=Rank.KEYUAN, position="科员",
                        rank_since=D(2020, 1, 1), work_start_date=D(2015, 7, 1))


def graded(world, cadre, year, value):
    ay, _ = AssessmentYear.objects.get_or_create(unit=cadre.unit, year=year, defaults={
        "assessment_date": D(year, 12, 31), "created_by": staff(world)})
    return CadreGrade.objects.create(assessment_year=ay, cadre=cadre, grade=value, graded_by=staff(world))


def test_a_cadre_without_any_block_is_eligible(world, clerk):
    row = shortlist(world)["科员甲"]
    assert (row.eligible, row.blocks, row.priorities) == (True, [], [])


def test_only_active_cadres_below_the_target_rank_in_the_subtree_and_jurisdiction_are_listed(world, clerk):
    CadreFactory(unit=world.township_a, name="已是副科", rank=Rank.FU_KE)
    CadreFactory(unit=world.township_a, name="主任科员", rank=Rank.SIJI_ZHUREN)  # 四级主任科员 ≈ 副科
    CadreFactory(unit=world.township_a, name="退休科员", rank=Rank.KEYUAN, status="退休")
    CadreFactory(unit=world.unit_b, name="外区科员", rank=Rank.KEYUAN)
    assert set(shortlist(world)) == {"科员甲"}
    assert set(shortlist(world, target=Rank.ZHENG_KE)) == {"科员甲", "已是副科", "主任科员", "甲干部"}
    assert shortlist(world, user="staff_b", unit=world.unit_a) == {}  # outside staff_b's jurisdiction


@pytest.mark.parametrize("decision, blocked", [(D(2025, 6, 1), False), (D(2025, 6, 2), True)])
def test_an_influence_period_blocks_until_the_day_it_ends(world, clerk, decision, blocked):
    SanctionFactory(cadre=clerk, sanction_type=sanction_type("政务处分", "记过"), decision_date=decision)
    row = shortlist(world)["科员甲"]
    assert row.eligible is not blocked
    if blocked:
        assert row.blocks == ["处分影响期内：记过（2025-06-02作出），2026-06-02起方可使用"]


def test_a_waived_sanction_does_not_block(world, clerk):
    SanctionFactory(cadre=clerk, decision_date=D(2026, 1, 1), status="waived")
    assert shortlist(world)["科员甲"].eligible


def qualified(cadre):
    """Years in rank on record (《党政领导干部选拔任用工作条例》第九条), so only the block under test shows."""
    cadre.rank_since, cadre.work_start_date = D(2020, 1, 1), D(2015, 7, 1)
    cadre.save()


def test_an_undetermined_accountability_case_blocks(world):
    load_policy(world)
    qualified(world.cadre_a)
    case = walk_case(world, Stage.INVESTIGATION)
    row = shortlist(world, target=Rank.ZHENG_KE)["甲干部"]
    assert row.blocks == [f"问责待定：{case.title}（容错纠错案件尚未认定）"]


def test_a_determined_case_no_longer_blocks_and_an_exemption_leaves_nothing_behind(world):
    load_policy(world)
    qualified(world.cadre_a)
    sanction = SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 2, 1))
    walk_case(world, Stage.FEEDBACK, outcome=Outcome.EXEMPT, related_sanctions=[sanction])
    assert shortlist(world, target=Rank.ZHENG_KE)["甲干部"].eligible


@pytest.mark.parametrize("year, blocked", [(2024, True), (2023, False)])
def test_a_low_grade_in_the_last_two_years_blocks(world, clerk, year, blocked):
    graded(world, clerk, year, "基本称职")
    row = shortlist(world)["科员甲"]
    assert row.eligible is not blocked
    if blocked:
        assert row.blocks == ["近2年内年度考核为“基本称职”（2024年度）"]


@pytest.mark.parametrize("date, blocked", [(D(2025, 12, 2), True), (D(2025, 12, 1), False)])
def test_an_admonition_blocks_for_six_months(world, clerk, date, blocked):
    MeasureFactory(cadre=clerk, kind="诫勉", date=date)
    assert shortlist(world)["科员甲"].eligible is not blocked


def test_recorded_priority_situations_are_listed(world, clerk):
    services.priority_record_add(cadre=clerk, situation="annex1-4", facts="脱贫攻坚考核全市第一", recorded_on=D(2026, 5, 1),
                                 by=staff(world))
    services.priority_record_add(cadre=clerk, situation="art3-4", facts="拆违受到非议", by=staff(world),
                                 organization_finding="经组织考察确实优秀", recorded_on=D(2026, 5, 2))
    assert shortlist(world)["科员甲"].priorities == ["附件1第4项 精准扶贫工作实绩突出（2026-05-01登记）",
                                                  "第三条（四）因敢抓敢管、敢闯敢试遭遇挫折失误、受到非议，经组织考察确实优秀（2026-05-02登记）"]


def test_article_3_4_needs_the_organizations_finding_and_no_tolerance_ruling(world, clerk):
    with pytest.raises(DomainError, match="第三条（四）情形须经组织考察确实优秀：请填写组织考察结论"):
        services.priority_record_add(cadre=clerk, situation="art3-4", facts="拆违受到非议", recorded_on=D(2026, 5, 2),
                                     by=staff(world))


@pytest.mark.parametrize("years, priority", [((2024, 2025), True), ((2023, 2025), False), ((2025,), False)])
def test_two_consecutive_years_excellent_is_a_priority(world, clerk, years, priority):
    for year in years:
        graded(world, clerk, year, "优秀")
    reasons = shortlist(world)["科员甲"].priorities
    assert (reasons == ["连续两年年度考核优秀（2024、2025年度）"]) is priority
    assert bool(reasons) is priority


@pytest.mark.parametrize("level, priority", [("省级", True), ("国家级", True), ("市级", False)])
def test_a_provincial_commendation_is_a_priority(world, clerk, level, priority):
    Commendation.objects.create(cadre=clerk, kind="记功", level=level, title="先进个人", date=D(2024, 3, 1))
    assert bool(shortlist(world)["科员甲"].priorities) is priority


@pytest.mark.parametrize("years, unit_attr, priority", [(4, "unit_a", True), (2, "unit_a", False), (4, "city", False)])
def test_three_township_years_count_when_a_county_level_body_promotes(world, clerk, years, unit_attr, priority):
    clerk.township_anchor = D(2026 - years, 5, 1)
    clerk.save()
    staff_city = world.users["admin"]
    rows = promotion_shortlist(user=staff_city, unit=getattr(world, unit_attr), target_rank=Rank.FU_KE, on=ON)
    reasons = next(r for r in rows if r.name == "科员甲").priorities
    assert any("3年以上乡镇工作经历" in r for r in reasons) is priority


def build_candidates(world, count, start=0):
    for i in range(start, start + count):
        cadre = CadreFactory(unit=world.township_a, rank=Rank.KEYUAN, name=f"候选{i:03d}")
        if i % 3 == 0:
            SanctionFactory(cadre=cadre, decision_date=D(2026, 1, 1))
        if i % 4 == 0:
            MeasureFactory(cadre=cadre, kind="诫勉", date=D(2026, 3, 1))
        if i % 5 == 0:
            Commendation.objects.create(cadre=cadre, kind="记功", level="省级", title="先进", date=D(2025, 1, 1))
        if i % 7 == 0:
            graded(world, cadre, 2025, "优秀")
            graded(world, cadre, 2024, "优秀")


def count_queries(world):
    user = User.objects.get(pk=world.users["staff_a"].pk)  # no roles or jurisdiction cached yet
    unit_names_by_path()  # the county names, cached per process as on a running site
    with CaptureQueriesContext(connection) as ctx:
        rows = promotion_shortlist(user=user, unit=world.unit_a, target_rank=Rank.FU_KE, on=ON)
    return len(rows), len(ctx.captured_queries)


def test_the_shortlist_runs_the_same_queries_for_10_and_for_200_cadres(world):
    build_candidates(world, 10)
    few = count_queries(world)
    build_candidates(world, 190, start=10)
    many = count_queries(world)
    assert (few[0], many[0]) == (10, 200)
    assert few[1] == many[1] <= 18  # 16, plus the qualification rule in force and its reasons


@pytest.mark.parametrize("count", [10, 200])
def test_the_shortlist_page_query_count_is_bounded(client, world, count, django_assert_max_num_queries):
    build_candidates(world, count)
    client_for(client, world.users["staff_a"])
    with django_assert_max_num_queries(30):
        response = client.get(reverse("assessment:shortlist"), {"unit": world.unit_a.pk, "target_rank": "副科级"})
    assert response.status_code == 200
    assert f"共 {count} 人" in response.content.decode()


def test_the_page_and_the_export_show_each_cadres_reasons(client, world, clerk):
    SanctionFactory(cadre=clerk, decision_date=D(2026, 1, 1))
    client_for(client, world.users["leader"])
    params = {"unit": world.unit_a.pk, "target_rank": "副科级", "on": "2026-06-01"}
    page = client.get(reverse("assessment:shortlist"), params).content.decode()
    assert "科员甲" in page and "处分影响期内：记过（2026-01-01作出），2027-01-01起方可使用" in page
    job, content = export_via_job(client, reverse("assessment:shortlist_export"), params)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows == [(1, "科员甲", "清河县城关镇", "科员", "科员", "暂不能提名",
                     "处分影响期内：记过（2026-01-01作出），2027-01-01起方可使用", None)]
    assert job.result_name == "清河县拟提拔副科级人选研判名单（2026-06-01）.xlsx"
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.EXPORT)
    assert (event.user, event.count, event.detail) == (world.users["leader"], 1, "清河县拟提拔副科级人选研判名单（2026-06-01）")


# ------------------------------------------------ 《党政领导干部选拔任用工作条例》arts. 8-9


def test_promotion_is_one_grade_at_a_time(world, clerk):
    row = shortlist(world, target=Rank.ZHENG_KE)["科员甲"]  # 科员 → 正科级 skips 副科级
    assert not row.eligible and "逐级提拔" in row.blocks[0] and "第九条" in row.blocks[0]


@pytest.mark.parametrize("rank_since, eligible", [(D(2024, 6, 1), True), (D(2024, 6, 2), False)])
def test_deputy_to_chief_needs_exactly_two_years_in_the_deputy_rank(world, rank_since, eligible):
    CadreFactory(unit=world.township_a, name="副科乙", rank=Rank.FU_KE, rank_since=rank_since,
                 work_start_date=D(2010, 7, 1))
    row = shortlist(world, target=Rank.ZHENG_KE)["副科乙"]  # ON = 2026-06-01
    assert row.eligible is eligible
    if not eligible:
        assert row.blocks == ["任现职级不满2年（2024-06-02起任）（《党政领导干部选拔任用工作条例》第九条）"]


@pytest.mark.parametrize("rank_since, eligible", [(D(2023, 6, 1), True), (D(2023, 6, 2), False)])
def test_chief_to_county_deputy_needs_three_years(world, rank_since, eligible):
    from cadres.models import Posting

    cadre = CadreFactory(unit=world.township_a, name="正科丙", rank=Rank.ZHENG_KE, rank_since=rank_since,
                         work_start_date=D(2010, 7, 1), township_anchor=D(2015, 1, 1))
    Posting.objects.filter(cadre=cadre).delete()
    row = shortlist(world, target=Rank.FU_CHU)["正科丙"]
    assert row.eligible is eligible, row.blocks


@pytest.mark.parametrize("work_start, eligible", [(D(2021, 6, 1), True), (D(2021, 6, 2), False)])
def test_a_county_level_post_needs_five_years_of_work(world, work_start, eligible):
    CadreFactory(unit=world.township_a, name="正科丁", rank=Rank.ZHENG_KE, rank_since=D(2020, 1, 1),
                 work_start_date=work_start, township_anchor=D(2015, 1, 1))
    row = shortlist(world, target=Rank.FU_CHU)["正科丁"]
    assert row.eligible is eligible
    if not eligible:
        assert "第八条" in row.blocks[0]


def test_a_county_sets_its_own_figures_for_section_level(world):
    from assessment.models import QualificationRule

    CadreFactory(unit=world.township_a, name="副科戊", rank=Rank.FU_KE, rank_since=D(2025, 1, 1))
    assert not shortlist(world, target=Rank.ZHENG_KE)["副科戊"].eligible
    QualificationRule.objects.create(unit=world.unit_a, target_rank=Rank.ZHENG_KE, min_years_in_rank=1,
                                     citation="清河县科级干部选拔任用办法第五条")
    assert shortlist(world, target=Rank.ZHENG_KE)["副科戊"].eligible


def test_tenure_counts_calendar_years(world):
    from cadres.tenure import full_years

    assert full_years(D(2020, 3, 1), D(2023, 3, 1)) == 3  # a posting 2020-03-01 … 2023-02-28
    assert full_years(D(2020, 3, 1), D(2023, 2, 28)) == 2


@pytest.mark.parametrize("show", ["", "eligible", "blocked", "priority"])
def test_the_page_counts_what_it_shows_without_counting_twice(client, world, show):
    """The paginator takes its length from the page's counts (one pass over the candidates),
    and that length is what the filter shows: the last page ends with the last cadre."""
    build_candidates(world, 120)
    client_for(client, world.users["staff_a"])
    params = {"unit": world.unit_a.pk, "target_rank": "副科级", "show": show}
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(reverse("assessment:shortlist"), params)
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "cadres_cadre"')]
    paginator = first.context["page"].paginator
    shown = sum(len(client.get(reverse("assessment:shortlist"), {**params, "page": n}).context["page"].object_list)
                for n in paginator.page_range)
    assert paginator.count == shown == {"": 120, "eligible": first.context["eligible"],
                                        "blocked": first.context["blocked"], "priority": first.context["priority"]}[show]
