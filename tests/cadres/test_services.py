import datetime
import threading

import pytest
from django.db import connection

from cadres.models import Cadre, Posting, Sanction
from cadres.selectors import township_years_at_least
from cadres.services import cadre_create, cadre_update, posting_add
from core.errors import DomainError
from tests.factories import CadreFactory, make_id_number, sanction_type

D = datetime.date


def test_it_creates_a_cadre_with_its_current_posting(world):
    by = world.users["staff_a"]
    cadre = cadre_create(by=by, unit=world.township_a, name="新干部", sex="女", birth_date=D(1990, 1, 1),
                         id_number=make_id_number(901), position="副镇长", rank="副科级", position_since=D(2024, 3, 1))
    posting = cadre.postings.get()
    assert (posting.unit, posting.start_date, posting.end_date) == (world.township_a, D(2024, 3, 1), None)
    assert cadre.history.get().history_user == by
    assert posting.history.get().history_user == by


def test_it_refuses_an_invalid_id_number_and_saves_nothing(world):
    with pytest.raises(Exception):
        cadre_create(by=world.users["staff_a"], unit=world.unit_a, name="错号", sex="男", birth_date=D(1990, 1, 1),
                     id_number="130702199001011235", position="科员", rank="科员")
    assert not Cadre.objects.filter(name="错号").exists()
    assert not Posting.objects.filter(cadre__name="错号").exists()


def test_it_saves_an_edit_made_on_the_current_version(world):
    cadre = world.cadre_a
    updated = cadre_update(cadre=cadre, by=world.users["staff_a"], expected_version=cadre.version, position="镇长")
    assert updated.position == "镇长"
    assert updated.version == cadre.version + 1
    latest = cadre.history.latest()
    assert (latest.history_type, latest.history_user, latest.position) == ("~", world.users["staff_a"], "镇长")


def test_it_refuses_an_edit_made_on_a_stale_version(world):
    cadre = world.cadre_a
    cadre_update(cadre=cadre, by=world.users["staff_a"], expected_version=cadre.version, position="镇长")
    with pytest.raises(DomainError, match="已被他人修改"):
        cadre_update(cadre=cadre, by=world.users["leader"], expected_version=cadre.version, position="党委书记")
    cadre.refresh_from_db()
    assert cadre.position == "镇长"


@pytest.mark.django_db(transaction=True)
def test_two_users_saving_at_once_never_overwrite_each_other(postgres_only, world):
    """Both read version v; the row lock serialises the saves and the second is refused."""
    cadre = world.cadre_a
    results, barrier = [], threading.Barrier(2)

    def save(user, position):
        barrier.wait()
        try:
            cadre_update(cadre=cadre, by=user, expected_version=cadre.version, position=position)
            results.append(("saved", position))
        except DomainError:
            results.append(("refused", position))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(world.users["staff_a"], "镇长")),
               threading.Thread(target=save, args=(world.users["admin"], "党委书记"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == ["refused", "saved"]
    cadre.refresh_from_db()
    assert cadre.position == next(p for outcome, p in results if outcome == "saved")
    assert cadre.version == 2


def test_a_transfer_closes_the_current_posting_and_moves_the_cadre(world):
    cadre = CadreFactory(unit=world.township_a)
    Posting.objects.create(cadre=cadre, unit=world.township_a, position="副镇长", start_date=D(2020, 1, 1))
    posting_add(cadre=cadre, by=world.users["staff_a"], unit=world.unit_b, position="副局长", rank="副科级",
                start_date=D(2025, 7, 1), note="交流")
    old = cadre.postings.get(unit=world.township_a)
    assert old.end_date == D(2025, 6, 30)
    cadre.refresh_from_db()
    assert (cadre.unit, cadre.position, cadre.position_since) == (world.unit_b, "副局长", D(2025, 7, 1))


def test_a_transfer_cannot_start_before_the_current_posting(world):
    cadre = CadreFactory(unit=world.township_a)
    Posting.objects.create(cadre=cadre, unit=world.township_a, position="副镇长", start_date=D(2020, 1, 1))
    with pytest.raises(DomainError, match="须晚于"):
        posting_add(cadre=cadre, by=world.users["staff_a"], unit=world.unit_b, position="副局长", rank="",
                    start_date=D(2020, 1, 1))
    cadre.refresh_from_db()
    assert cadre.unit == world.township_a


def test_township_years_count_closed_and_running_township_postings(world):
    cadre = CadreFactory(unit=world.unit_a)
    by = world.users["staff_a"]
    # 2 years in a township, then a county post, then back to a township.
    posting_add(cadre=cadre, by=by, unit=world.township_a, position="副镇长", rank="副科级",
                start_date=D(2018, 1, 1), end_date=D(2019, 12, 31))
    posting_add(cadre=cadre, by=by, unit=world.township_a, position="镇长", rank="正科级", start_date=D(2024, 1, 1))
    cadre.refresh_from_db()
    assert cadre.township_days(on=D(2024, 12, 31)) == 730 + 365
    assert Cadre.objects.filter(township_years_at_least(3, on=D(2024, 12, 31)), pk=cadre.pk).exists() is False
    assert Cadre.objects.filter(township_years_at_least(3, on=D(2025, 12, 31)), pk=cadre.pk).exists() is True


def test_township_years_stop_growing_after_leaving_the_township(world):
    cadre = CadreFactory(unit=world.township_a)
    by = world.users["staff_a"]
    posting_add(cadre=cadre, by=by, unit=world.township_a, position="镇长", rank="正科级", start_date=D(2020, 1, 1))
    posting_add(cadre=cadre, by=by, unit=world.unit_a, position="局长", rank="正科级", start_date=D(2023, 1, 1))
    cadre.refresh_from_db()
    assert cadre.township_anchor is None
    assert cadre.township_days(on=D(2030, 1, 1)) == cadre.township_days(on=D(2023, 6, 1)) == 1096


@pytest.mark.parametrize("category,name,decided,ends", [
    ("党纪处分", "警告", D(2025, 3, 15), D(2026, 3, 15)),
    ("党纪处分", "严重警告", D(2025, 3, 15), D(2026, 9, 15)),
    ("政务处分", "警告", D(2025, 8, 31), D(2026, 2, 28)),  # month end clamps
    ("政务处分", "撤职", D(2024, 2, 29), D(2026, 2, 28)),
])
def test_the_influence_period_runs_from_the_decision_date(world, category, name, decided, ends):
    s = Sanction.objects.create(cadre=world.cadre_a, sanction_type=sanction_type(category, name), matter="x",
                                decided_by="县纪委", decision_date=decided)
    assert s.influence_end == ends
    assert s.in_influence_period(ends - datetime.timedelta(days=1))
    assert not s.in_influence_period(ends)  # usable again on the day it ends


def test_an_edited_influence_period_applies_to_new_sanctions(world):
    st = sanction_type("政务处分", "记过")
    st.influence_months = 9
    st.save()
    s = Sanction.objects.create(cadre=world.cadre_a, sanction_type=st, matter="x", decided_by="y",
                                decision_date=D(2026, 1, 1))
    assert s.influence_end == D(2026, 10, 1)


def test_the_female_cadre_filter_returns_every_female_cadre_in_scope_as_a_direct_query_does(world):
    from cadres.models import Cadre
    from cadres.selectors import cadre_list, cadres_visible_to

    CadreFactory(unit=world.township_a, name="女甲", sex="女")
    CadreFactory(unit=world.township_a, name="女乙", sex="女")
    CadreFactory(unit=world.unit_b, name="女丙", sex="女")  # another county: out of scope
    listed = set(cadre_list(user=world.users["staff_a"], tag="女干部").values_list("pk", flat=True))
    direct = set(cadres_visible_to(world.users["staff_a"]).filter(sex="女").values_list("pk", flat=True))
    assert listed == direct and len(direct) >= 2
    assert not Cadre.objects.filter(pk__in=listed, unit=world.unit_b).exists()
