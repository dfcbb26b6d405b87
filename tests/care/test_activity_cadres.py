"""Changing who took part in a recorded activity: cadres left off are added with the same
rules as recording, cadres recorded by mistake are taken off with a reason, and nothing is
half-saved."""
import datetime

import pytest
from django.urls import reverse

from cadres.models import Cadre, FollowUpVisit
from care import services
from care.models import CareKind, CareParticipant
from core.errors import DomainError
from tests.care.builders import record
from tests.conftest import client_for
from tests.factories import CadreFactory, SanctionFactory

D = datetime.date


def participants(activity) -> set:
    return set(activity.participants.values_list("cadre__name", flat=True))


# ------------------------------------------------------------------ adding

def test_added_cadres_join_with_the_activitys_kind_date_and_days_and_history_names_who(world):
    activity = record(world, CareKind.LEAVE, days=7, date=D(2026, 4, 1))
    late = CadreFactory(name="补录干部", unit=world.township_a)
    services.care_activity_add_cadres(activity=activity, by=world.users["staff_a"], cadres=[late])
    row = CareParticipant.objects.get(activity=activity, cadre=late)
    assert (row.kind, row.date, row.days) == (CareKind.LEAVE, D(2026, 4, 1), 7)
    assert row.history.get().history_user == world.users["staff_a"]


def test_adding_a_cadre_already_in_the_activity_is_refused_and_nothing_is_added(world):
    activity = record(world)
    newcomer = CadreFactory(unit=world.township_a)
    with pytest.raises(DomainError, match="甲干部已在本活动中"):
        services.care_activity_add_cadres(activity=activity, by=world.users["staff_a"], cadres=[newcomer, world.cadre_a])
    assert participants(activity) == {"甲干部"}


def test_adding_nobody_is_refused(world):
    with pytest.raises(DomainError, match="至少选择一名干部"):
        services.care_activity_add_cadres(activity=record(world), by=world.users["staff_a"], cadres=[])


def test_a_follow_up_visit_takes_only_cadres_with_a_sanction_in_force_and_writes_their_visits(world):
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 3, 10))
    activity = record(world, CareKind.FOLLOW_UP, date=D(2026, 4, 1))
    sanctioned, clean = CadreFactory(name="受处分干部", unit=world.township_a), CadreFactory(unit=world.township_a)
    sanction = SanctionFactory(cadre=sanctioned, decision_date=D(2026, 3, 31))  # in force from the day before

    with pytest.raises(DomainError, match="没有处于影响期内的处分"):
        services.care_activity_add_cadres(activity=activity, by=world.users["staff_a"], cadres=[sanctioned, clean])
    assert participants(activity) == {"甲干部"}
    assert not FollowUpVisit.objects.filter(sanction=sanction).exists()

    services.care_activity_add_cadres(activity=activity, by=world.users["staff_a"], cadres=[sanctioned])
    visit = FollowUpVisit.objects.get(sanction=sanction)
    assert visit.date == D(2026, 4, 1)
    assert list(activity.participants.get(cadre=sanctioned).follow_up_visits.all()) == [visit]


def test_the_add_page_offers_the_users_cadres_not_yet_in_the_activity_and_adds_the_chosen(client, world):
    activity = record(world)
    newcomer = CadreFactory(name="新来干部", unit=world.township_a)
    client = client_for(client, world.users["staff_a"])
    url = reverse("care:activity_add_cadres", args=[activity.pk]) + f"?unit={world.unit_a.pk}"
    offered = set(client.get(url).context["form"].fields["cadres"].queryset)
    assert offered == {newcomer}  # not 甲干部 (already in), not 乙干部 (another county)

    response = client.post(url, {"cadres": [world.cadre_b.pk]})  # outside the jurisdiction
    assert response.status_code == 200 and response.context["form"].errors
    assert participants(activity) == {"甲干部"}

    response = client.post(url, {"cadres": [newcomer.pk]}, follow=True)
    assert participants(activity) == {"甲干部", "新来干部"}
    assert "已添加 1 名干部：新来干部" in response.content.decode()


def test_the_add_page_reads_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    activity = record(world)
    CadreFactory.create_batch(30, unit=world.township_a)
    client = client_for(client, world.users["staff_a"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("care:activity_add_cadres", args=[activity.pk]) + f"?unit={world.unit_a.pk}")
    assert response.content.decode().count("<option") >= 30


def test_an_activity_shared_with_another_jurisdiction_cannot_be_changed_by_either(client, world):
    activity = record(world, cadres=[world.cadre_a, world.cadre_b], by="admin")
    client = client_for(client, world.users["staff_a"])
    assert client.get(reverse("care:activity_add_cadres", args=[activity.pk])).status_code == 403
    remove = reverse("care:activity_remove_cadre", args=[activity.pk, world.cadre_a.pk])
    assert client.post(remove, {"reason": "误选"}).status_code == 403
    assert participants(activity) == {"甲干部", "乙干部"}


# ------------------------------------------------------------------ removing

def test_removing_a_cadre_keeps_the_reason_and_the_user_in_history_and_shows_it(client, world):
    extra = CadreFactory(name="误选干部", unit=world.township_a)
    activity = record(world, CareKind.HEALTH_CHECK, cadres=[world.cadre_a, extra])
    client = client_for(client, world.users["staff_a"])
    url = reverse("care:activity_remove_cadre", args=[activity.pk, extra.pk])
    assert "确认移出" in client.get(url).content.decode()

    response = client.post(url, {"reason": "误选，未参加体检"}, follow=True)
    assert participants(activity) == {"甲干部"}
    removed = CareParticipant.history.get(cadre_id=extra.pk, history_type="-")
    assert (removed.history_user, removed.history_change_reason) == (world.users["staff_a"], "误选，未参加体检")
    page = response.content.decode()
    assert "已将误选干部移出本活动" in page and "误选，未参加体检" in page  # in the change record


def test_removal_needs_a_reason(client, world):
    extra = CadreFactory(unit=world.township_a)
    activity = record(world, cadres=[world.cadre_a, extra])
    with pytest.raises(DomainError, match="移除原因"):
        services.care_activity_remove_cadre(activity=activity, by=world.users["staff_a"], cadre=extra, reason="  ")
    client = client_for(client, world.users["staff_a"])
    response = client.post(reverse("care:activity_remove_cadre", args=[activity.pk, extra.pk]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert activity.participants.count() == 2


def test_removing_a_follow_up_participant_deletes_the_visits_the_activity_wrote(world):
    sanctioned = CadreFactory(unit=world.township_a)
    SanctionFactory(cadre=world.cadre_a, decision_date=D(2026, 3, 10))
    sanction = SanctionFactory(cadre=sanctioned, decision_date=D(2026, 3, 10))
    activity = record(world, CareKind.FOLLOW_UP, cadres=[world.cadre_a, sanctioned], date=D(2026, 4, 1))
    services.care_activity_remove_cadre(activity=activity, by=world.users["staff_a"], cadre=sanctioned,
                                        reason="回访对象填错")
    assert not FollowUpVisit.objects.filter(sanction=sanction).exists()
    deleted = FollowUpVisit.history.get(sanction_id=sanction.pk, history_type="-")
    assert deleted.history_user == world.users["staff_a"]
    assert FollowUpVisit.objects.filter(sanction__cadre=world.cadre_a).count() == 1  # the other's visit stays


def test_the_last_cadre_cannot_be_removed(world):
    activity = record(world)
    with pytest.raises(DomainError, match="不能移除最后一名"):
        services.care_activity_remove_cadre(activity=activity, by=world.users["staff_a"], cadre=world.cadre_a,
                                            reason="误录")
    assert participants(activity) == {"甲干部"}


def test_a_cadre_who_raised_a_concern_in_the_activity_cannot_be_removed(world):
    extra = CadreFactory(name="提诉求干部", unit=world.township_a)
    activity = record(world, cadres=[world.cadre_a, extra])
    services.concern_raise(by=world.users["staff_a"], activity=activity, cadre=extra, category="work",
                           content="希望增加培训机会", responder="县委组织部", raised_on=D(2026, 3, 2))
    with pytest.raises(DomainError, match="提出过诉求"):
        services.care_activity_remove_cadre(activity=activity, by=world.users["staff_a"], cadre=extra, reason="误录")
    assert participants(activity) == {"甲干部", "提诉求干部"}


def test_removing_someone_not_in_the_activity_is_a_404(client, world):
    activity = record(world)
    client = client_for(client, world.users["staff_a"])
    other = CadreFactory(unit=world.township_a)
    assert client.get(reverse("care:activity_remove_cadre", args=[activity.pk, other.pk])).status_code == 404


def test_the_change_record_lists_an_addition_and_a_removal_in_the_same_minute_in_order(world):
    from care.history import activity_history

    activity = record(world)
    late = CadreFactory(name="补录干部", unit=world.township_a)
    services.care_activity_add_cadres(activity=activity, by=world.users["staff_a"], cadres=[late])
    services.care_activity_remove_cadre(activity=activity, by=world.users["staff_a"], cadre=late, reason="重复录入")
    newest_first = [(e.action, e.changes) for e in activity_history(activity)[:2]]
    assert newest_first == [("删除", [("干部", "", "补录干部"), ("原因", "", "重复录入")]),
                            ("新增", [("干部", "", "甲干部、补录干部")])]  # one user, one minute: one entry


def test_admin_shows_participants_but_leaves_removal_to_the_activity_page(client, world):
    activity = record(world, cadres=[world.cadre_a, CadreFactory(unit=world.township_a)])
    participant = activity.participants.first()
    client = client_for(client, world.users["admin"])
    assert client.get(reverse("admin:care_careparticipant_change", args=[participant.pk])).status_code == 200
    assert client.post(reverse("admin:care_careparticipant_delete", args=[participant.pk]),
                       {"post": "yes"}).status_code == 403
    assert activity.participants.count() == 2


def test_the_cadre_pickers_render_as_django_would_and_keep_a_refused_selection(client, world):
    """The pickers render their options as plain strings (a county offers 10,000 cadres):
    the options Django's own widget would render, escaped, with what was chosen still chosen."""
    import re

    from django import forms as django_forms

    from care.forms import AddCadresForm

    odd = CadreFactory(name="<b>怪名</b>", unit=world.township_a, position="科员")
    cadres = Cadre.objects.filter(pk__in=[world.cadre_a.pk, odd.pk, world.cadre_b.pk])
    chosen = [str(world.cadre_a.pk), str(odd.pk)]
    ours = str(AddCadresForm(data={"cadres": chosen}, cadres=cadres)["cadres"])
    django_widget = django_forms.SelectMultiple()
    django_widget.choices = [(c.pk, f"{c.name}（{c.unit.qualified_name} {c.position}）")
                             for c in cadres.order_by("unit__path", "name", "id")]
    theirs = django_widget.render("cadres", chosen)

    def options(html):
        return re.findall(r'<option value="(\d+)"( selected)?>(.*?)</option>', html)

    assert options(ours) == options(theirs) and len(options(ours)) == 3
    assert "&lt;b&gt;怪名&lt;/b&gt;" in ours and "<b>" not in ours
    assert ours.startswith('<select name="cadres" aria-describedby="id_cadres_helptext" class="form-select" '
                           'id="id_cadres" size="12" required multiple>')

    activity = record(world)
    url = reverse("care:activity_create") + f"?unit={world.unit_a.pk}"
    response = client_for(client, world.users["staff_a"]).post(url, {"cadres": [odd.pk, world.cadre_a.pk]})  # no kind
    assert str(response.context["form"]["cadres"]).count(" selected") == 2
    assert activity.participants.count() == 1


@pytest.mark.parametrize("count", [2, 6])
def test_a_group_follow_up_reads_the_cadres_sanctions_in_one_query(world, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cadres = [CadreFactory(unit=world.township_a) for _ in range(count)]
    for cadre in cadres:
        SanctionFactory(cadre=cadre, decision_date=D(2026, 3, 10))
    with CaptureQueriesContext(connection) as ctx:
        record(world, CareKind.FOLLOW_UP, cadres=cadres, date=D(2026, 4, 1))
    # (Each visit's own validation still checks its sanction exists: SELECT 1 … LIMIT 1.)
    sanction_reads = [q for q in ctx.captured_queries
                      if q["sql"].startswith('SELECT "cadres_sanction"') and 'FROM "cadres_sanction"' in q["sql"]]
    # Two whatever the group's size: the cadres' sanctions, and the refresh of their stored
    # follow-up schedules once for the group (care.follow_ups.follow_up_refresh_batched).
    assert len(sanction_reads) == 2
    assert FollowUpVisit.objects.count() == count
