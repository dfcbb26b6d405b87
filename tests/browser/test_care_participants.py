"""One real browser changes who took part in a recorded group activity: adds the cadres
left off (with the select-all button), then removes one with a reason."""
import datetime

import pytest

from care import services
from care.defaults import load_defaults
from care.models import CareKind, CareParticipant
from tests.browser.test_care_home_visit import login, script_errors
from tests.factories import CadreFactory

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_staff_add_the_cadres_left_off_and_remove_one_recorded_by_mistake(page, live_server, world, tmp_path):  # noqa: F811
    load_defaults()  # a transactional test's flush removed the migration's rows
    base = live_server.url
    errors = script_errors(page)
    late = [CadreFactory(name=name, unit=world.township_a) for name in ("补录甲", "补录乙")]
    activity = services.care_activity_record(
        by=world.users["staff_a"], kind=CareKind.HEALTH_CHECK, date=datetime.date.today(), cadres=[world.cadre_a],
        conducted_by=world.users["staff_a"], title="集体体检")

    login(page, base, "staff_a")
    page.goto(f"{base}/care/activities/{activity.pk}/")
    page.click("#add-cadres-link")
    page.select_option("#id_unit", str(world.township_a.pk))
    page.click("#unit-pick button[type=submit]")
    page.wait_for_selector("#add-cadres-form")
    assert set(page.locator("#id_cadres option").all_inner_texts()) == {"补录甲（清河县城关镇 副镇长）", "补录乙（清河县城关镇 副镇长）"}
    page.click("[data-care-select-all]")
    assert page.locator("[data-care-count]").inner_text() == "已选 2 / 2 人"
    page.click("#add-cadres-form button[type=submit]")
    page.wait_for_selector("text=已添加 2 名干部")
    assert set(activity.participants.values_list("cadre__name", flat=True)) == {"甲干部", "补录甲", "补录乙"}

    page.locator("#participant-table tr", has_text="补录乙").locator("text=移出").click()
    page.wait_for_selector("#remove-confirm")
    page.click("#remove-confirm button[type=submit]")  # no reason yet: the browser asks for one
    assert page.locator("#id_reason:invalid").count() == 1
    assert CareParticipant.objects.filter(activity=activity).count() == 3
    page.fill("#id_reason", "误选，未参加体检")
    page.screenshot(path=str(tmp_path / "remove.png"), full_page=True)
    page.click("#remove-confirm button[type=submit]")
    page.wait_for_selector("text=已将补录乙移出本活动。")
    assert set(activity.participants.values_list("cadre__name", flat=True)) == {"甲干部", "补录甲"}
    assert "误选，未参加体检" in page.locator("body").inner_text()  # in the change record
    assert late[1].pk not in set(CareParticipant.objects.values_list("cadre_id", flat=True))
    assert errors == []
