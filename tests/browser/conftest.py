"""The browser fixture shared by every browser test: one headless Chromium page.
Skipped with a message when Debian's Chromium is missing (never in CI)."""
import os

import pytest
from django.db import connections

from tests.conftest import chromium_path

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
