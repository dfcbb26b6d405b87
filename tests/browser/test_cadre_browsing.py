"""One real browser: log in, filter the cadre list, open a cadre.
Skipped with a message when Debian's Chromium is missing (never in CI)."""
import pytest

from tests.factories import CadreFactory

pytestmark = pytest.mark.browser

@pytest.mark.django_db(transaction=True)
def test_staff_logs_in_filters_and_opens_a_cadre(page, live_server, world, tmp_path):
    CadreFactory(name="周明", unit=world.township_a, rank="正科级", position="党委书记")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "staff_a")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("text=干部信息")
    page.fill("#id_q", "周明")
    page.click("#cadre-filter button[type=submit]")
    rows = page.locator("#cadre-table tbody tr")
    assert rows.count() == 1
    assert "乙干部" not in page.content()  # unit B's cadre is never listed for unit A staff
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
    page.click("#cadre-table >> text=周明")
    page.wait_for_selector("h1:has-text('周明')")
    assert "党委书记" in page.content()
    assert page.locator("#id-number").inner_text().startswith("1307")  # masked: 130702********1234
