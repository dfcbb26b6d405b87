"""One real browser records a home visit (政治家访) with a concern raised in it, from the
cadre's care tab, then answers the concern."""
import datetime

import pytest

from care.defaults import load_defaults
from care.models import CareActivity, CareKind, Concern, ConcernStatus

pytestmark = pytest.mark.browser


def script_errors(page) -> list:
    """The page's script errors and console errors, collected as they happen."""
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_staff_record_a_home_visit_with_a_concern_and_answer_it(page, live_server, world, tmp_path):  # noqa: F811
    load_defaults()  # a transactional test's flush removed the migration's rows
    base = live_server.url
    errors = script_errors(page)
    page.on("dialog", lambda d: d.accept())
    today = datetime.date.today()

    login(page, base, "staff_a")
    page.goto(f"{base}/cadres/{world.cadre_a.pk}/?tab=care")
    assert page.locator("#care-obligations").inner_text().count("0/1") == 3
    page.click("#care-record")
    page.wait_for_selector("#activity-form")
    assert page.locator("#id_cadres option:checked").all_inner_texts() == ["甲干部（清河县城关镇 副镇长）"]
    page.select_option("#id_kind", "home_visit")
    assert page.locator("#id_amount").is_hidden() and page.locator("#id_days").is_hidden()
    page.fill("#id_date", today.isoformat())
    page.fill("#id_title", "政治家访")
    page.fill("#id_conductor_names", "县委组织部副部长 李四")
    page.fill("#id_location", "干部家中")
    page.fill("#id_notes", "家属支持工作，孩子明年上小学。")
    page.fill("#id_follow_up_actions", "协调就近入学。")
    page.fill("#id_confidential_note", "家中老人患病，本人不愿声张。")
    page.select_option("#id_concern_category", "schooling")
    page.fill("#id_concern_responder", "县教育局")
    page.fill("#id_concern_content", "孩子明年上小学，希望就近入学。")
    page.screenshot(path=str(tmp_path / "entry.png"), full_page=True)
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector("text=已记录政治家访（1 名干部）")

    activity = CareActivity.objects.get()
    concern = Concern.objects.get()
    assert (activity.kind, activity.date, activity.conducted_by) == (CareKind.HOME_VISIT, today, world.users["staff_a"])
    assert (concern.cadre, concern.activity, concern.deadline) == (
        world.cadre_a, activity, today + datetime.timedelta(days=30))
    assert "孩子明年上小学，希望就近入学" in page.locator("#concern-table").inner_text()
    assert "家中老人患病" not in page.content()  # the note sits behind its own, logged page
    page.click("#confidential-link")
    assert "家中老人患病，本人不愿声张。" in page.locator("#confidential-text").inner_text()

    page.goto(f"{base}/cadres/{world.cadre_a.pk}/?tab=care")
    assert "政治家访 1/1" in page.locator("#care-obligations").inner_text()
    page.click("#care-concerns >> text=孩子明年上小学")
    page.fill("#answer-form textarea[name=answer]", "已协调城关小学接收。")
    page.fill("#answer-form input[name=answered_on]", today.isoformat())
    page.click("#answer-form button[type=submit]")
    page.wait_for_selector("text=答复已保存")
    page.screenshot(path=str(tmp_path / "answered.png"), full_page=True)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ANSWERED and concern.answered_by == world.users["staff_a"]
    assert errors == []
