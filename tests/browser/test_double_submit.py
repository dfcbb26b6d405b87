"""A real double click on a save button records once: the page's token (static/js/submit_once.js)
and the button disabled while the form posts."""
import pytest

from cadres.models import Commendation

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_save_records_the_commendation_once(page, live_server, world):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "staff_a")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cadres/{world.cadre_a.pk}/records/commendation/new/")
    assert page.locator("main form[method=post] input[name=_submit_once]").count() == 1
    page.select_option("#id_kind", index=1)
    page.select_option("#id_level", index=1)
    page.fill("#id_title", "年度嘉奖")
    page.fill("#id_date", "2026-01-10")
    page.fill("#id_issuer", "县委")
    page.dblclick("main form[method=post] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/cadres/{world.cadre_a.pk}/?tab=rewards")
    assert Commendation.objects.filter(cadre=world.cadre_a).count() == 1
    assert not errors
