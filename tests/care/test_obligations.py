"""Yearly obligations: counted per calendar year as of today, from editable rules."""
import datetime

from cadres.models import CadreStatus
from care.compliance import cadre_obligations, compliance
from care.models import CareKind, LeaveEntitlement, ObligationRule
from tests.care.builders import record
from tests.factories import CadreFactory

D = datetime.date


def status(cadre, year, today):
    return {o["rule"].kind: (o["done"], o["required"]) for o in cadre_obligations(cadre=cadre, year=year, today=today)}


def test_the_default_obligations_are_one_talk_one_home_visit_one_health_check_and_the_leave_entitlement(world):
    rules = {r.kind: (r.applies_to, r.measure, r.required) for r in ObligationRule.objects.all()}
    assert rules == {"talk": ("cadre", "count", 1), "home_visit": ("cadre", "count", 1),
                     "health_check": ("cadre", "count", 1), "leave": ("cadre", "days", None),
                     "consultation": ("unit", "count", 1)}
    assert list(LeaveEntitlement.objects.values_list("min_years", "days")) == [(1, 5), (10, 10), (20, 15)]


def test_an_activity_on_31_december_counts_for_that_year_and_one_on_1_january_for_the_next(world):
    record(world, CareKind.TALK, date=D(2024, 12, 31))
    record(world, CareKind.HOME_VISIT, date=D(2025, 1, 1))
    assert status(world.cadre_a, 2024, D(2026, 6, 1))["talk"] == (1, 1)
    assert status(world.cadre_a, 2024, D(2026, 6, 1))["home_visit"] == (0, 1)
    assert status(world.cadre_a, 2025, D(2026, 6, 1))["talk"] == (0, 1)
    assert status(world.cadre_a, 2025, D(2026, 6, 1))["home_visit"] == (1, 1)


def test_last_years_talk_does_not_satisfy_this_years_obligation(world):
    record(world, CareKind.TALK, date=D(2025, 12, 31))
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 3, 1))
    assert result.total.behind["talk"] == 1
    result = compliance(user=world.users["staff_a"], year=2025, today=D(2026, 3, 1))
    assert result.total.behind["talk"] == 0


def test_the_year_is_counted_as_of_today(world):
    """An activity dated after `today` has not happened yet on that day."""
    record(world, CareKind.HEALTH_CHECK, date=D(2026, 3, 2))
    assert status(world.cadre_a, 2026, D(2026, 3, 1))["health_check"] == (0, 1)
    assert status(world.cadre_a, 2026, D(2026, 3, 2))["health_check"] == (1, 1)
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 3, 1)).total.behind["health_check"] == 1
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 3, 2)).total.behind["health_check"] == 0


def test_a_group_health_check_counts_once_for_every_cadre_in_it(world):
    others = [CadreFactory(unit=world.township_a) for _ in range(4)]
    record(world, CareKind.HEALTH_CHECK, cadres=[world.cadre_a, *others], date=D(2026, 4, 1))
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1))
    assert result.total.cadres == 5
    assert result.total.behind["health_check"] == 0
    assert result.total.behind["talk"] == 5
    assert all(status(c, 2026, D(2026, 5, 1))["health_check"] == (1, 1) for c in [world.cadre_a, *others])


def test_an_edited_rule_changes_what_counts_as_behind(world):
    ObligationRule.objects.filter(kind="talk").update(required=2)
    record(world, CareKind.TALK, date=D(2026, 2, 1))
    assert status(world.cadre_a, 2026, D(2026, 5, 1))["talk"] == (1, 2)
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.behind["talk"] == 1
    record(world, CareKind.TALK, date=D(2026, 4, 1))
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.behind["talk"] == 0


def test_an_inactive_rule_is_not_counted(world):
    ObligationRule.objects.filter(kind="home_visit").update(active=False)
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1))
    assert "home_visit" not in result.total.behind
    assert "home_visit" not in status(world.cadre_a, 2026, D(2026, 5, 1))


def test_retired_cadres_have_no_yearly_obligations(world):
    CadreFactory(unit=world.township_a, status=CadreStatus.RETIRED)
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.cadres == 1


def test_leave_is_counted_in_days_against_the_entitlement_by_years_worked_on_1_january(world):
    """《职工带薪年休假条例》第三条: 满1年 5天, 满10年 10天, 满20年 15天."""
    a = world.cadre_a
    cases = [(D(2016, 1, 1), 10), (D(2016, 1, 2), 5), (D(2006, 1, 1), 15), (D(2025, 6, 1), 0), (D(2025, 1, 1), 5),
             (None, 5)]
    for start, days in cases:
        a.work_start_date = start
        a.save()
        assert status(a, 2026, D(2026, 5, 1))["leave"] == (0, days), start
    a.work_start_date = D(2016, 1, 1)
    a.save()
    record(world, CareKind.LEAVE, date=D(2026, 3, 1), days=6)
    assert status(a, 2026, D(2026, 5, 1))["leave"] == (6, 10)
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.behind["leave"] == 1
    record(world, CareKind.LEAVE, date=D(2026, 4, 1), days=4)
    assert status(a, 2026, D(2026, 5, 1))["leave"] == (10, 10)
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.behind["leave"] == 0


def test_a_cadre_new_to_work_has_no_leave_to_take(world):
    world.cadre_a.work_start_date = D(2025, 9, 1)
    world.cadre_a.save()
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.behind["leave"] == 0


def test_a_unit_with_cadres_owes_one_consultation_a_year(world):
    from care.services import consultation_hold

    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1))
    assert (result.total.units, result.total.behind["consultation"]) == (1, 1)
    consultation_hold(by=world.users["staff_a"], unit=world.township_a, title="说说心里话", held_on=D(2025, 12, 31),
                      mode="oral")
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.behind["consultation"] == 1
    consultation_hold(by=world.users["staff_a"], unit=world.township_a, title="说说心里话", held_on=D(2026, 1, 1),
                      mode="written")
    assert compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).total.behind["consultation"] == 0


def test_compliance_rolls_units_up_to_the_children_of_the_scope(world):
    from tests.factories import make_unit

    dept = make_unit("县财政局", "department", world.unit_a)
    CadreFactory(unit=dept)
    CadreFactory(unit=world.unit_a)  # a cadre of the county itself
    record(world, CareKind.TALK, date=D(2026, 2, 1))
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1))
    rows = {(r.unit.name, r.own_only): r for r in result.rows}
    assert result.scope == world.unit_a
    assert rows[("清河县", True)].cadres == 1
    assert rows[("城关镇", False)].cadres == 1 and rows[("城关镇", False)].behind["talk"] == 0
    assert rows[("县财政局", False)].behind["talk"] == 1
    assert result.total.cadres == 3 and result.total.behind["talk"] == 2
    drilled = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1), scope=world.township_a)
    assert drilled.total.cadres == 1


def test_the_admin_sees_the_whole_city_and_each_staff_member_only_their_county(world):
    record(world, CareKind.TALK, cadres=[world.cadre_b], by="staff_b", date=D(2026, 2, 1))
    admin = compliance(user=world.users["admin"], year=2026, today=D(2026, 5, 1))
    assert admin.total.cadres == 2 and admin.total.behind["talk"] == 1
    assert {r.unit.name for r in admin.rows} >= {"清河县", "青山区"}
    staff_b = compliance(user=world.users["staff_b"], year=2026, today=D(2026, 5, 1))
    assert staff_b.total.cadres == 1 and staff_b.total.behind["talk"] == 0
    assert list(compliance(user=world.users["staff_b"], year=2026, today=D(2026, 5, 1), only="talk").behind_cadres) == []


def test_township_and_young_filters_narrow_the_compliance_view(world):
    young = CadreFactory(unit=world.unit_a, birth_date=D(1995, 1, 1))
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1), township=True)
    assert [c.pk for c in result.behind_cadres] == [world.cadre_a.pk]
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1), young=True)
    assert [c.pk for c in result.behind_cadres] == [young.pk]


def test_the_behind_list_can_be_narrowed_to_one_obligation(world):
    other = CadreFactory(unit=world.township_a)
    record(world, CareKind.TALK, cadres=[world.cadre_a], date=D(2026, 2, 1))
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1), only="talk")
    assert [c.pk for c in result.behind_cadres] == [other.pk]
    assert {c.pk for c in compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1)).behind_cadres} == {
        world.cadre_a.pk, other.pk}


def test_the_behind_list_pages_through_units_in_order_and_every_page_matches_a_plain_listing(world):
    from django.core.paginator import Paginator

    from tests.factories import make_unit

    units = [world.township_a, make_unit("县财政局", "department", world.unit_a),
             make_unit("南山镇", "township", world.unit_a)]
    cadres = [world.cadre_a] + [CadreFactory(unit=units[i % 3], name=f"干部{i:02d}") for i in range(24)]
    record(world, CareKind.TALK, cadres=cadres[::4], date=D(2026, 2, 1))
    result = compliance(user=world.users["staff_a"], year=2026, today=D(2026, 5, 1), only="talk")
    expected = sorted((c for i, c in enumerate(cadres) if i % 4), key=lambda c: (c.unit.path, c.name, c.pk))
    paginator = Paginator(result.behind_cadres, 7)
    assert paginator.count == len(expected) == 18
    listed = [c.pk for n in paginator.page_range for c in paginator.page(n)]
    assert listed == [c.pk for c in expected]
    first = paginator.page(1)[0]
    assert [(r.kind, done, required) for r, done, required in first.care_status][:1] == [("talk", 0, 1)]


def test_the_compliance_page_searches_filters_and_pages(client, world):
    from django.urls import reverse

    from tests.conftest import client_for

    for i in range(35):
        CadreFactory(unit=world.township_a, name=f"批量{i:02d}")
    young = CadreFactory(unit=world.unit_a, name="小青年", birth_date=D(1999, 1, 1))
    client_for(client, world.users["staff_a"])
    url = reverse("care:compliance")
    page = client.get(url).context["page"]
    assert page.paginator.count == 37 and page.paginator.num_pages == 2
    assert [c.name for c in client.get(url + "?q=小青").context["page"]] == ["小青年"]
    assert [c.pk for c in client.get(url + "?young=on").context["page"]] == [young.pk]
    second = client.get(url + "?page=2")
    assert len(second.context["page"]) == 7
    assert 'id="compliance-data"' in second.content.decode()  # the chart's data, for the static script


def test_the_compliance_totals_follow_every_change_of_the_participations_and_the_cadres(world):
    """The per-unit totals are kept until their data change (core.db.kept_until_changed): a
    recorded activity, an edited date, a cadre taken off, a retirement and a new cadre each
    show on the next view."""
    from care.services import care_activity_remove_cadre, care_activity_update

    staff = world.users["staff_a"]
    other = CadreFactory(unit=world.township_a)

    def talks_behind():
        total = compliance(user=staff, year=2026, today=D(2026, 5, 1)).total
        return total.cadres, total.behind["talk"]

    assert talks_behind() == (2, 2)
    assert talks_behind() == (2, 2)  # read again: the same, from the kept totals
    activity = record(world, CareKind.TALK, cadres=[world.cadre_a, other], date=D(2026, 4, 1))
    assert talks_behind() == (2, 0)
    care_activity_update(activity=activity, by=staff, expected_version=activity.version, date=D(2025, 12, 1))
    assert talks_behind() == (2, 2)
    activity.refresh_from_db()
    care_activity_update(activity=activity, by=staff, expected_version=activity.version, date=D(2026, 4, 2))
    assert talks_behind() == (2, 0)
    care_activity_remove_cadre(activity=activity, by=staff, cadre=other, reason="误录")
    assert talks_behind() == (2, 1)
    other.status = CadreStatus.RETIRED
    other.save()
    assert talks_behind() == (1, 0)
    CadreFactory(unit=world.township_a)
    assert talks_behind() == (2, 1)
