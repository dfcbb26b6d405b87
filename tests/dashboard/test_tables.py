"""The dashboard's tables by unit against the records: the 优秀 quota use of each unit-year
equals what the quota rule computes for that year alone (and what a count of its cadres
gives), and each compliance cell equals the compliance page it opens."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment_services
from assessment.selectors import quota_figures
from cadres.models import Cadre, CadreStatus
from cadres.services import posting_add
from care.defaults import load_defaults
from care.models import CareKind
from dashboard.tables import compliance_table, quota_table
from tests.assessment.builders import open_year
from tests.care.builders import record
from tests.conftest import client_for
from tests.factories import CadreFactory, make_unit

D = datetime.date


@pytest.fixture
def graded(world):
    """Two unit-years in 清河县 (城关镇 with twelve assessed, a department with five) and one in
    青山区; 城关镇 has three 优秀 with a leader's approval above the normal two (ceiling three)."""
    staff, leader = world.users["staff_a"], world.users["leader"]
    dept = make_unit("县财政局", "department", world.unit_a)
    CadreFactory.create_batch(11, unit=world.township_a)
    CadreFactory.create_batch(5, unit=dept)
    town = open_year(world, world.township_a, year=2026)
    cadres = list(Cadre.objects.filter(unit=world.township_a).order_by("pk"))
    approval = assessment_services.quota_excess_request(assessment_year=town, excellent_count=3, reason="抗洪抢险",
                                                        by=staff)
    assessment_services.quota_excess_decide(approval=approval, approve=True, reason="同意", by=leader)
    for cadre in cadres[:3]:
        assessment_services.grade_record(assessment_year=town, cadre=cadre, grade="优秀", by=staff)
    assessment_services.grade_record(assessment_year=town, cadre=cadres[3], grade="称职", by=staff)
    office = open_year(world, dept, year=2026)
    assessment_services.grade_record(assessment_year=office, cadre=Cadre.objects.filter(unit=dept).first(),
                                     grade="优秀", by=staff)
    CadreFactory(unit=world.unit_b)
    other = open_year(world, world.unit_b, year=2026)
    world.town, world.office, world.other, world.dept = town, office, other, dept
    return world


def rows_by_unit(table):
    return {r.unit_name: r for r in table.rows}


def direct_assessed(ay):
    """Active cadres of the unit, and anyone graded in its year, counted from the rows."""
    return len({c.pk for c in Cadre.objects.filter(unit=ay.unit, status=CadreStatus.ACTIVE)}
               | {g.cadre_id for g in ay.grades.all()})


def test_each_unit_years_quota_use_is_what_the_quota_rule_gives_for_that_year(graded):
    table = quota_table(user=graded.users["admin"], unit=graded.city, year=2026)
    rows = rows_by_unit(table)
    assert set(rows) == {"城关镇", "县财政局", "青山区"}
    for ay in (graded.town, graded.office, graded.other):
        figures, row = quota_figures(ay), rows[ay.unit.name]
        assert (row.assessed, row.excellent, row.allowed, row.ceiling) == (
            figures.assessed, figures.excellent, figures.allowed, figures.ceiling_max)
        assert row.assessed == direct_assessed(ay)
        assert row.excellent == ay.grades.filter(grade="优秀").count()
    # 城关镇: twelve assessed, two normally (20%), three approved (the ceiling, 25%).
    assert (rows["城关镇"].assessed, rows["城关镇"].excellent, rows["城关镇"].allowed) == (12, 3, 3)
    assert not rows["城关镇"].over
    assert table.excellent == 4 and table.units == 3


def test_a_graded_cadre_transferred_away_still_counts_in_the_unit_that_assessed_them(graded):
    moved = graded.town.grades.filter(grade="优秀").first().cadre
    posting_add(cadre=moved, by=graded.users["staff_a"], unit=graded.unit_b, position="科员", rank="一级科员",
                start_date=D(2026, 10, 1), note="交流")
    rows = rows_by_unit(quota_table(user=graded.users["admin"], unit=graded.city, year=2026))
    assert rows["城关镇"].assessed == direct_assessed(graded.town) == 12
    assert rows["城关镇"].excellent == 3
    assert rows["青山区"].excellent == 0


def test_county_staff_see_only_their_countys_unit_years(graded):
    table = quota_table(user=graded.users["staff_b"], unit=graded.unit_b, year=2026)
    assert set(rows_by_unit(table)) == {"青山区"}
    assert quota_table(user=graded.users["staff_b"], unit=graded.unit_b, year=2025).units == 0


def test_the_rows_shown_are_the_units_nearest_their_limit_and_the_total_counts_all(graded):
    table = quota_table(user=graded.users["admin"], unit=graded.city, year=2026, limit=1)
    assert [r.unit_name for r in table.rows] == ["城关镇"]  # 3 of 3 allowed, ahead of 1 of 1 by unit order
    assert table.units == 3 and table.excellent == 4


def test_the_quota_total_links_to_the_years_whose_excellent_counts_it_adds(graded, client):
    client_for(client, graded.users["leader"])
    table = quota_table(user=graded.users["leader"], unit=graded.unit_a, year=2026)
    response = client.get(table.list_link)
    assert sum(r.excellent for r in response.context["page"]) == table.excellent == 4


def test_each_unit_years_other_grades_are_counted_and_open_the_grade_list_of_that_unit_year_and_grade(graded, client):
    """称职/基本称职/不称职 per assessing unit against a count of its grades; each linked cell opens
    the grade list showing that many. The county's own year, above two assessing units, is
    counted on its own and left unlinked (the grade list takes the whole subtree)."""
    staff, leader = graded.users["staff_a"], graded.users["leader"]
    dept_cadres = list(Cadre.objects.filter(unit=graded.dept).order_by("pk"))
    for cadre, grade in zip(dept_cadres[1:], ["称职", "称职", "基本称职", "不称职"], strict=True):
        assessment_services.grade_record(assessment_year=graded.office, cadre=cadre, grade=grade, by=staff)
    county = open_year(graded, graded.unit_a, year=2026)
    assessment_services.grade_record(assessment_year=county, cadre=CadreFactory(unit=graded.unit_a), grade="称职",
                                     by=staff)
    client_for(client, leader)
    table = quota_table(user=leader, unit=graded.unit_a, year=2026)
    rows = rows_by_unit(table)
    assert table.grade_headers == ("称职", "基本称职", "不称职")
    for ay in (graded.town, graded.office, county):
        row = rows[ay.unit.name]
        assert row.grades == [ay.grades.filter(grade=g).count() for g in table.grade_headers], ay.unit.name
    assert rows["县财政局"].grades == [2, 1, 1] and rows["城关镇"].grades == [1, 0, 0]
    assert rows["清河县"].grades == [1, 0, 0] and rows["清河县"].grade_links == ["", "", ""]
    linked = 0
    for row in [*table.rows, table]:
        for n, link in row.grade_cells:
            if link:
                response = client.get(link)
                assert response.context["page"].paginator.count == n, link
                linked += 1
    assert linked == 9
    assert table.grades == [4, 1, 1]
    body = client.get(reverse("dashboard:index") + f"?year=2026&unit={graded.unit_a.pk}").content.decode()
    assert "基本称职" in body and rows["县财政局"].grade_links[1].replace("&", "&amp;") in body


# ------------------------------------------------------------------------ care compliance

@pytest.fixture
def cared(world):
    load_defaults()
    dept = make_unit("县财政局", "department", world.unit_a)
    others = CadreFactory.create_batch(2, unit=dept)
    CadreFactory(unit=world.unit_a)  # the county's own cadre: the unlinked （本级） row
    today = timezone.localdate()
    record(world, CareKind.TALK, cadres=[world.cadre_a, others[0]], date=today.replace(month=1, day=5))
    record(world, CareKind.HEALTH_CHECK, cadres=[others[1]], date=today.replace(month=1, day=6))
    world.dept = dept
    return world


def test_each_compliance_cell_opens_the_compliance_page_listing_exactly_its_cadres(cared, client):
    user = cared.users["leader"]
    client_for(client, user)
    today = timezone.localdate()
    table = compliance_table(user=user, unit=cared.unit_a, year=today.year, today=today)
    assert {r.label for r in table.rows} == {"（本级）清河县", "城关镇", "县财政局"}
    linked = 0
    for row in [*table.rows, table.total]:
        for cell in row.cells:
            if not cell.link:
                continue
            response = client.get(cell.link)
            assert response.status_code == 200
            assert response.context["page"].paginator.count == cell.behind, (row.label, cell.link)
            linked += 1
    assert linked >= 8
    talk = table.headers.index("谈心谈话")
    by_label = {r.label: r for r in table.rows}
    # Counted straight: 城关镇's one cadre talked to; of the department's two, one.
    assert (by_label["城关镇"].cells[talk].behind, by_label["城关镇"].cells[talk].total) == (0, 1)
    assert (by_label["县财政局"].cells[talk].behind, by_label["县财政局"].cells[talk].total) == (1, 2)
    assert (table.total.cells[talk].behind, table.total.cells[talk].total) == (2, 4)
    assert by_label["（本级）清河县"].cells[talk].link == ""


def test_county_staff_see_only_their_countys_compliance(cared):
    today = timezone.localdate()
    table = compliance_table(user=cared.users["staff_b"], unit=cared.unit_b, year=today.year, today=today)
    talk = table.headers.index("谈心谈话")
    assert table.total.cells[talk].total == 1
    assert all("清河" not in r.label and "城关" not in r.label for r in table.rows)


def test_the_dashboard_shows_both_tables(cared, client):
    client_for(client, cared.users["leader"])
    body = client.get(reverse("dashboard:index")).content.decode()
    assert 'id="compliance-table"' in body and "优秀等次名额使用" in body
