"""The leaders' dashboard in a real browser (issue 17): the leader, the city clerk and a
county clerk each open /dashboard/, pick a year and a unit, read the figures (no raw value),
click figures and land on the list page showing the same count; the trend charts are drawn
by the vendored Chart.js; the print view hides the controls; the year-end report downloads
as a PDF (a county's at once, the whole city's through its background job). One browser for
the module, one context per walk; no page logs a script error.

Screenshots go to $WALK_SCREENSHOTS (default: the test's tmp dir); the PDFs too."""
import os
import re
from pathlib import Path

import pytest

from tests.browser.test_persona_walks import Walk, browser  # noqa: F401 (the module's shared browser)
from tests.dashboard.test_figures import scenario  # noqa: F401 (the figures' scenario)
from tests.factories import UserFactory

pytestmark = pytest.mark.browser
RAW = re.compile(r"\b(None|True|False|null|undefined|NaN)\b|[a-z]+_[a-z_]+")
COUNT = re.compile(r"共\s*(\d+)\s*")


@pytest.fixture
def walk(browser, live_server, scenario, settings, tmp_path):  # noqa: F811
    from cadres.services import jurisdiction_grant
    from care.defaults import load_defaults
    from core.roles import Role

    settings.SECOND_FACTOR_ENFORCED = False
    load_defaults()  # the care rules the data migration loads: a transactional test's flush removed them
    city_staff = UserFactory(username="city_staff", first_name="市委组织部干部一科科员 王敏", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=city_staff, unit=scenario.city)
    shots = Path(os.environ.get("WALK_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    w = Walk(browser, live_server.url, shots)
    # A dashboard counted afresh on a loaded shared machine can take longer than the default 30 s.
    w.page.set_default_timeout(120_000)
    yield w
    w.close()
    assert w.errors == []


def choose(walk, year, unit_name):
    page = walk.page
    page.goto(f"{walk.base}/dashboard/")
    form = page.locator("#dashboard-filter")
    form.locator("select[name=year]").select_option(str(year))
    options = form.locator("select[name=unit] option")
    values = [o.get_attribute("value") for o in options.all() if o.inner_text().strip() == unit_name]
    assert values, options.all_inner_texts()
    form.locator("select[name=unit]").select_option(values[0])
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_selector("canvas.dashboard-chart")


def check_page(walk):
    page = walk.page
    main = page.locator("main").inner_text() if page.locator("main").count() else page.locator("body").inner_text()
    assert not RAW.search(main), RAW.search(main)
    # Every section's trend chart is drawn (a Chart.js instance on the canvas) or says why not.
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('canvas.dashboard-chart'))
        .map(c => !!Chart.getChart(c) && c.width > 0)""")
    assert drawn and all(drawn), drawn
    for label in page.locator(".figure-label").all()[:5]:
        assert label.get_attribute("title")  # the definition as a tooltip


def figure_value(walk, key) -> int:
    return int(walk.page.locator(f"#figure-{key}").inner_text())


def drill(walk, key):
    """Click the figure and read the list's own count."""
    page = walk.page
    value = figure_value(walk, key)
    back = page.url
    with page.expect_navigation():
        page.locator(f"#figure-{key}").click()
    text = page.locator("body").inner_text()
    found = COUNT.search(text)
    assert found, f"{key}: 清单页没有“共 N”计数：{page.url}"
    assert int(found[1]) == value, (key, value, found[0], page.url)
    page.goto(back)
    return value


@pytest.mark.django_db(transaction=True)
def test_the_leader_reads_their_countys_dashboard_and_checks_figures_against_the_lists(walk, scenario):  # noqa: F811
    walk.login("leader")
    choose(walk, 2026, "清河县")
    walk.shot("dashboard-leader")
    check_page(walk)
    assert "干部激励工作情况 · 清河县 · 2026年" in walk.page.locator("h1").inner_text()
    checked = [drill(walk, key) for key in ("cases_filed", "cases_not_tolerated", "allegations_received",
                                            "grades_capped", "grades_review_any", "reviews_missing",
                                            "follow_ups_overdue", "concerns_raised")]
    assert all(checked), checked  # the scenario makes each of these non-zero
    # The 优秀 quota table and the care compliance table, each cell a link to its list.
    assert walk.page.locator("#quota-table").count() == 1
    assert walk.page.locator("#compliance-table").count() == 1
    # The print view: the controls are hidden, the figures and charts stay.
    walk.page.emulate_media(media="print")
    assert not walk.page.locator("#dashboard-filter").is_visible()
    assert walk.page.locator("#section-tolerance").is_visible()
    walk.shot("dashboard-leader-print")
    walk.page.emulate_media(media="screen")


@pytest.mark.django_db(transaction=True)
def test_the_city_clerk_reads_the_city_and_downloads_the_year_end_report_through_its_job(walk, scenario):  # noqa: F811
    walk.login("city_staff")
    choose(walk, 2026, "张垣市")
    walk.shot("dashboard-city")
    check_page(walk)
    assert walk.page.locator("#compliance-table").count() == 1
    drill(walk, "cases_filed")
    drill(walk, "grades_优秀")
    page = walk.page
    # 考核 · 综合评价排名: the figure opens the ranking list filtered alike, the same count.
    page.locator("#section-assessment").screenshot(path=str(walk.shots / "dashboard-city-assessment.png"))
    assert drill(walk, "rankings_entries") == 6
    with page.expect_navigation():
        page.locator("#figure-rankings_bold").click()
    assert "共 3 人次" in page.locator("body").inner_text()
    assert page.locator("#ranking-filter input[name=bold]").is_checked()
    main = page.locator("main").inner_text()
    assert not RAW.search(main), RAW.search(main)
    assert "征地拆迁敢抓敢管，测评靠后" in main and "信访积案敢于碰硬" not in main  # last year's is not counted
    walk.shot("ranking-list-bold")
    page.goto(f"{walk.base}/dashboard/report/?year=2026&unit={scenario.city.pk}")
    walk.shot("report-city")
    with page.expect_navigation():
        page.locator("#report-pdf").click()
    page.wait_for_selector("#job-download", timeout=60_000)
    response = page.request.get(f"{walk.base}{page.locator('#job-download').get_attribute('href')}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    (walk.shots / "report-city.pdf").write_bytes(response.body())


@pytest.mark.django_db(transaction=True)
def test_a_county_clerk_sees_only_their_county_and_downloads_its_report(walk, scenario):  # noqa: F811
    walk.login("staff_b")
    page = walk.page
    page.goto(f"{walk.base}/dashboard/")
    options = page.locator("#dashboard-filter select[name=unit] option").all_inner_texts()
    assert all("清河" not in o and "城关" not in o for o in options), options
    choose(walk, 2026, "青山区")
    walk.shot("dashboard-county")
    check_page(walk)
    assert drill(walk, "cases_filed") == 1
    page.goto(f"{walk.base}/dashboard/report/?year=2026&unit={scenario.unit_b.pk}")
    with page.expect_download() as download:
        page.locator("#report-pdf").click()
    path = walk.shots / "report-county.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
