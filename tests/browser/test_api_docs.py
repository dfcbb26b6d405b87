"""The API docs page: Swagger UI from the vendored sidecar assets, its init script a static
file, under the strict Content-Security-Policy (no inline script, no external host)."""
import pytest

from tests.browser.test_care_home_visit import login, script_errors

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_the_schema_without_script_or_csp_errors(page, live_server, world, tmp_path):
    errors = script_errors(page)
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url)
            and not r.url.startswith("data:") else None)
    login(page, live_server.url, "staff_a")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20000)
    assert page.locator(".opblock").count() >= 15
    assert "担当 · 信息共享接口" in page.content()
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=False)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert not external, external
