"""One real browser: log in, filter the cadre list, open a cadre.
Skipped with a message when Debian's Chromium is missing (never in CI)."""
import os

import pytest
from django.db import connections

from tests.conftest import chromium_path
from tests.factories import CadreFactory

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
def page():
    path = chromium_path()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI 必须安装 Chromium（apt-get install chromium）以运行浏览器测试")
        pytest.skip("未找到 Chromium：浏览器测试已跳过（apt-get install -y chromium 后可运行）")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 800}, locale="zh-CN")
        yield page
        # While Playwright's loop runs, asgiref keeps Django's connections per context, so the
        # test's own ORM calls had a connection that pytest-django's teardown never sees. Close
        # it here, inside the loop, or PostgreSQL refuses to drop the test database at the end
        # of the run ("being accessed by other users").
        connections.close_all()
        browser.close()


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
    assert page.locator("td.font-monospace").first.inner_text().startswith("1307")
