"""Each persona walks their part of one case per module in a real browser (issue 12): the
county clerk (staff_a, 清河县), the city clerk (city_staff, 张垣市), the assigned discipline
officer and the leader. Before acting, each finds the item on their workbench and opens it
from there; no page logs a script error. One browser for the module, one context per walk.

Screenshots go to $WALK_SCREENSHOTS (default: the test's tmp dir)."""
import datetime
import os
from pathlib import Path

import pytest
from django.db import connections

from assessment import services as assessment_services
from assessment.models import QuarterlyReview, ReviewStatus
from cadres.services import jurisdiction_grant
from care.defaults import load_defaults
from care.models import Concern, ConcernStatus
from core.roles import Role
from tests.browser.conftest import CHROMIUM_ARGS
from tests.conftest import chromium_path
from tests.factories import UserFactory
from tests.tolerance.builders import issuing_bodies, load_policy
from tolerance.models import Allegation, ClarificationNotice, Stage, ToleranceCase

pytestmark = pytest.mark.browser
TODAY = datetime.date.today()
CN_TODAY = f"{TODAY.year}年{TODAY.month}月{TODAY.day}日"


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI 必须安装 Chromium（apt-get install chromium）以运行浏览器测试")
        pytest.skip("未找到 Chromium：浏览器测试已跳过（apt-get install -y chromium 后可运行）")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Walk:
    """One browser context: signs personas in and out, collects script errors, saves shots."""

    def __init__(self, browser, base, shots: Path):
        self.context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base, self.shots, self.errors = base, shots, []
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))
        self.page.on("console", lambda m: self.errors.append(f"{self.page.url}: {m.text}") if m.type == "error" else None)
        self.page.on("dialog", lambda d: d.accept())

    def login(self, username):
        page = self.page
        self.context.clear_cookies()
        page.goto(f"{self.base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.base}/")

    def from_workbench(self, url, shot=None):
        """The item is on the persona's workbench: open it from there."""
        page = self.page
        page.goto(f"{self.base}/")
        link = page.locator(f"#work-table a[href='{url}']")
        assert link.count() >= 1, f"工作台没有 {url}：{page.locator('#work-table').inner_text()}"
        if shot:
            self.shot(shot)
        with page.expect_navigation():
            link.first.click()

    def act(self, card_id, fields, *, button="button[type=submit]"):
        page = self.page
        card = page.locator(f"#{card_id}")
        for selector, value in fields.items():
            element = card.locator(selector)
            if element.evaluate("e => e.tagName") == "SELECT":
                element.select_option(value) if value.isdigit() else element.select_option(label=value)
            else:
                element.fill(value)
        with page.expect_navigation():  # the POST's redirect, not the page already loaded
            card.locator(button).first.click()
        assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()
        invalid = page.locator(".invalid-feedback:visible, .errorlist")
        assert invalid.count() == 0, invalid.all_inner_texts()

    def shot(self, name):
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()
        # Playwright's loop kept Django's connections per context: close them here, or
        # PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()


@pytest.fixture
def walk(browser, live_server, world, settings, tmp_path):
    settings.SECOND_FACTOR_ENFORCED = False  # the leader signs in by the form; the factor has its own tests
    city_staff = UserFactory(username="city_staff", first_name="市委组织部干部一科科员 王敏", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=city_staff, unit=world.city)
    world.users["city_staff"] = city_staff
    shots = Path(os.environ.get("WALK_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    w = Walk(browser, live_server.url, shots)
    yield w
    w.close()
    assert w.errors == []


@pytest.mark.django_db(transaction=True)
def test_a_tolerance_case_from_filing_through_the_party_committee_determination_to_closing(walk, world):
    load_policy(world)
    page, officer = walk.page, world.users["officer_assigned"]

    # County clerk: files the case and assigns the investigator.
    walk.login("staff_a")
    page.goto(f"{walk.base}/tolerance/new/")
    page.select_option("select[name=unit]", label="　　清河县城关镇")
    page.click("#unit-pick button[type=submit]")
    page.fill("#id_title", "防汛物资调拨问责事项")
    page.select_option("#id_cadres", label="甲干部（清河县城关镇 副镇长）")
    page.fill("#id_error_date", "2026-03-01")
    page.fill("#id_matter", "紧急调拨物资未履行审批")
    page.fill("#id_accountability_body", "清河县纪委监委")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("text=已立案")
    case = ToleranceCase.objects.get()
    url = f"/tolerance/{case.pk}/"
    walk.from_workbench(url)
    walk.act("action-start", {"select[name=investigators]": str(officer.pk), "textarea[name=reason]": "联合调查"})

    # Officer: the case is on their workbench while 调查核实 is open.
    walk.login("officer_assigned")
    walk.from_workbench(url, shot="tolerance-officer-workbench")
    page.goto(f"{walk.base}/tolerance/{case.pk}/cadres/{case.case_cadres.get().pk}/checklist/")
    for row in page.locator("tbody tr").all():
        text = row.locator("td").first.inner_text()
        select = row.locator("select")
        is_condition = select.locator("option[value=yes]").inner_text() == "满足"
        select.select_option("yes" if is_condition or text.startswith("6.") and "容缺受理" in text else "no")
        if is_condition:
            row.locator("textarea").fill("调查笔录")
    page.click("text=保存核查清单")
    page.wait_for_selector("text=核查清单已保存")
    page.goto(f"{walk.base}{url}")
    walk.act("action-finish", {"textarea[name=reason]": "调查完毕"})
    walk.act("action-preliminary", {"textarea[name=opinion]": "建议免责"})
    walk.act("action-defence", {"select[name=case_cadre]": str(case.case_cadres.get().pk),
                                "input[name=recorded_on]": "2026-05-01", "textarea[name=statement]": "本人陈述"})
    walk.act("action-consultation", {"input[name=date]": "2026-05-02", "textarea[name=minutes]": "一致同意",
                                     "select[name=proposed_outcome]": "免责"})
    case.refresh_from_db()
    assert case.stage == Stage.DETERMINATION
    page.goto(f"{walk.base}/")  # the officer's part is done: off their workbench
    assert page.locator(f"#work-table a[href='{url}']").count() == 0

    # Leader: 党委（党组）认定 is theirs, on the workbench and in the inbox.
    walk.login("leader")
    assert page.locator("#unread-count").count() == 1
    walk.from_workbench(url, shot="tolerance-leader-workbench")
    cc = case.case_cadres.get()
    walk.act("action-determine", {"input[name=decision_number]": "清容认〔2026〕1号", "input[name=decided_on]": "2026-05-10",
                                  "input[name=deciding_body]": "中共清河县委", "textarea[name=reasons]": "符合条件",
                                  f"select[name=outcome_{cc.pk}]": "免责"})
    assert page.locator("text=四个不受影响").count() >= 1
    walk.shot("tolerance-determined")
    case.refresh_from_db()
    assert case.stage == Stage.FEEDBACK and case.stage_owner == world.users["staff_a"]

    # County clerk: the written feedback is back on their workbench; the paper prints; the
    # feedback and the filing close the case, which leaves the workbench.
    walk.login("staff_a")
    walk.from_workbench(url)
    response = page.request.get(f"{walk.base}/tolerance/{case.pk}/documents/determination/pdf/")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    walk.act("action-feedback", {"input[name=feedback_date]": "2026-05-12", "input[name=received_on]": "2026-05-13"})
    walk.act("action-filing", {"input[name=discipline_on]": "2026-05-20", "input[name=organization_on]": "2026-05-20",
                               "input[name=accountability_on]": "2026-05-21"})
    walk.shot("tolerance-closed")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.events.count() == 8  # every transition recorded, from filing to closing
    page.goto(f"{walk.base}/")
    assert page.locator(f"#work-table a[href='{url}']").count() == 0

    # City clerk: reads the case in the city's list.
    walk.login("city_staff")
    page.goto(f"{walk.base}/tolerance/")
    page.click("text=防汛物资调拨问责事项")
    page.wait_for_url(f"{walk.base}{url}")
    assert "清容认〔2026〕1号" in page.locator("body").inner_text()


@pytest.mark.django_db(transaction=True)
def test_an_allegation_from_receipt_to_its_clarification_notice(walk, world):
    issuing_bodies()
    page, officer = walk.page, world.users["officer_assigned"]

    # County clerk: registers the report and assigns a verifier from the discipline bodies.
    walk.login("staff_a")
    page.goto(f"{walk.base}/allegations/new/")
    page.select_option("#unit-pick select[name=unit]", label="　　清河县城关镇")
    page.click("#unit-pick button[type=submit]")
    page.wait_for_selector("#allegation-form")
    page.select_option("#id_source", label="信访举报")
    page.fill("#id_received_on", (TODAY - datetime.timedelta(days=10)).isoformat())
    page.select_option("#id_subjects", label=page.locator("#id_subjects option").first.inner_text())
    page.fill("#id_issue", "违规发放津补贴")
    page.fill("#id_summary", "反映其违规发放津补贴。")
    page.fill("#id_reporter_name", "王举报")
    with page.expect_navigation():
        page.click("#allegation-form button[type=submit]")
    allegation = Allegation.objects.get()
    url = f"/allegations/{allegation.pk}/"
    walk.from_workbench(url)
    walk.act("action-assign", {"select[name=verifiers]": str(officer.pk), "input[name=deadline]": (TODAY + datetime.timedelta(days=20)).isoformat()})

    # Officer: the verification is on their workbench.
    walk.login("officer_assigned")
    walk.from_workbench(url, shot="allegation-officer-workbench")
    walk.act("action-conclude", {"select[name=conclusion]": "失实", "textarea[name=findings]": "经核查，所反映问题不存在。",
                                 "input[name=concluded_on]": TODAY.isoformat()})

    # County clerk: the clarification is their to-do; the notice form comes prefilled.
    walk.login("staff_a")
    walk.from_workbench(url, shot="allegation-clerk-workbench")
    card = page.locator("#action-clarify")
    assert card.locator("textarea[name=finding]").input_value() == "经核查，所反映问题不存在。"
    assert card.locator("input[name=scope]").input_value() == "清河县城关镇全体干部大会"
    walk.act("action-clarify", {"input[name=issued_on]": TODAY.isoformat()})
    notice = ClarificationNotice.objects.get()
    number = f"清纪澄〔{TODAY.year}〕1号"
    assert notice.number == number
    page.goto(f"{walk.base}/clarifications/{notice.pk}/print/")
    text = page.locator("body").inner_text()
    assert "在清河县城关镇全体干部大会上通报" in text and "在在" not in text
    assert "中共清河县纪委" in text and CN_TODAY in text
    walk.shot("notice-print")
    response = page.request.get(f"{walk.base}/clarifications/{notice.pk}/pdf/")
    assert response.status == 200 and response.body().startswith(b"%PDF")

    # Leader: reads the notice with its number as it is printed.
    walk.login("leader")
    page.goto(f"{walk.base}/clarifications/{notice.pk}/")
    assert number in page.locator("body").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_care_talk_raises_a_concern_the_county_clerk_answers_from_the_workbench(walk, world):
    load_defaults()
    page = walk.page

    # City clerk: records a talk with a county cadre, who raises a concern.
    walk.login("city_staff")
    page.goto(f"{walk.base}/cadres/{world.cadre_a.pk}/?tab=care")
    page.click("#care-record")
    page.wait_for_selector("#activity-form")
    page.select_option("#id_kind", "talk")
    page.fill("#id_date", TODAY.isoformat())
    page.fill("#id_title", "谈心谈话")
    page.fill("#id_conductor_names", "市委组织部干部一科科长 李四")
    page.fill("#id_notes", "工作压力较大。")
    page.select_option("#id_concern_category", "schooling")
    page.fill("#id_concern_responder", "县教育局")
    page.fill("#id_concern_content", "孩子明年上小学，希望就近入学。")
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector("text=已记录谈心谈话（1 名干部）")
    concern = Concern.objects.get()

    # County clerk: the concern is on their workbench; they answer it.
    walk.login("staff_a")
    walk.from_workbench(f"/care/concerns/{concern.pk}/", shot="care-clerk-workbench")
    page.fill("#answer-form textarea[name=answer]", "已协调城关小学接收。")
    page.fill("#answer-form input[name=answered_on]", TODAY.isoformat())
    page.click("#answer-form button[type=submit]")
    page.wait_for_selector("text=答复已保存")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ANSWERED
    page.goto(f"{walk.base}/")
    assert page.locator(f"#work-table a[href='/care/concerns/{concern.pk}/']").count() == 0

    # Leader: reads the answered concern.
    walk.login("leader")
    page.goto(f"{walk.base}/care/concerns/{concern.pk}/")
    assert "已协调城关小学接收" in page.locator("#concern-answer").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_quarterly_review_is_found_on_the_workbench_and_walked_to_its_close(walk, world):
    from assessment.models import Ranking

    page, staff = walk.page, world.users["staff_a"]
    review, _ = assessment_services.quarterly_review_open(department=world.unit_a, year=2026, quarter=2, by=None)
    url = f"/assessment/reviews/{review.pk}/"

    walk.login("staff_a")
    walk.from_workbench(url, shot="review-clerk-workbench")
    page.click("text=开始收集信息")
    page.wait_for_selector("text=开始收集信息：已完成")
    # The ranking by the county secretary (its own browser test covers the form).
    ranking = Ranking.objects.create(review=review, evaluator=world.cadre_a, evaluator_title="县委书记",
                                     category="乡镇党委书记", entered_by=staff)
    ranking.entries.create(cadre=world.cadre_a, position=1)
    page.goto(f"{walk.base}{url}")
    page.click("text=排名完成")
    page.wait_for_selector("text=排名完成：已完成")
    page.goto(f"{walk.base}/assessment/reviews/{review.pk}/reports/{world.township_a.pk}/")
    page.fill("#report-form textarea[name=text]", "班子运行良好，干部履职尽责。")
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    page.goto(f"{walk.base}{url}")
    page.click("text=研判报告完成并记入实绩档案")
    page.wait_for_selector("text=研判报告完成并记入实绩档案：已完成")
    page.click("button:has-text('办结')")
    page.wait_for_selector("text=办结：已完成")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED
    page.goto(f"{walk.base}/")
    assert page.locator(f"#work-table a[href='{url}']").count() == 0

    # Leader: reads the closed review.
    walk.login("leader")
    page.goto(f"{walk.base}{url}?tab=reports")
    assert "已撰写" in page.locator("#report-table").inner_text()
    assert QuarterlyReview.objects.get().status == ReviewStatus.CLOSED


def assert_no_raw_value(walk, world):
    from tests.test_raw_value_crawler import raw_values

    usernames = {u.username for u in world.users.values() if u}
    found = raw_values(walk.page.locator("body").inner_text(), usernames)
    assert not found, f"{walk.page.url}: {found}"


@pytest.mark.django_db(transaction=True)
def test_a_grade_batch_is_opened_by_the_city_graded_by_the_county_and_its_excess_approved_by_the_leader(walk, world):
    from assessment.catalogs import load_default_rules
    from assessment.models import AssessmentYear, CadreGrade, QuotaApproval, YearStatus
    from tests.factories import CadreFactory

    load_default_rules()  # the transactional flush removed the data migration's rules
    page = walk.page
    # Four cadres in 城关镇: no 优秀 within the normal 20%, one with a leader's approval (25%).
    cadres = [world.cadre_a] + [CadreFactory(unit=world.township_a, name=name) for name in ("赵明", "钱丽", "孙强")]

    # City clerk: opens 城关镇's annual assessment; it is the county's to do, not theirs.
    walk.login("city_staff")
    page.goto(f"{walk.base}/assessment/years/new/")
    page.select_option("#id_unit", label="　　清河县城关镇")
    page.fill("#id_year", "2025")
    with page.expect_navigation():
        page.click("#year-form button[type=submit]")
    ay = AssessmentYear.objects.get()
    url = f"/assessment/years/{ay.pk}/"
    assert "评定等次（尚有 4 人未评定）" in page.locator("#year-steps").inner_text()
    walk.shot("grade-city-opened")
    page.goto(f"{walk.base}/")
    assert page.locator(f"#work-table a[href='{url}']").count() == 0

    # County clerk: told and has it to do; asks for one 优秀 above the normal share.
    walk.login("staff_a")
    walk.from_workbench(url, shot="grade-clerk-workbench")
    assert_no_raw_value(walk, world)
    walk.act("quota-request", {"input[name=excellent_count]": "1", "textarea[name=reason]": "防汛抢险实绩突出"})
    approval = QuotaApproval.objects.get()

    # Leader: the request is on their workbench; approves it on the year's page.
    walk.login("leader")
    walk.from_workbench(url, shot="grade-leader-workbench")
    assert "审批优秀等次超比例申请" in page.locator("#year-steps").inner_text()
    walk.act(f"quota-decision-{approval.pk}", {"select[name=decision]": "批准", "textarea[name=reason]": "同意"})
    walk.shot("grade-leader-approved")
    assert_no_raw_value(walk, world)
    page.goto(f"{walk.base}/")
    assert page.locator(f"#work-table a[href='{url}']").count() == 0

    # County clerk: grades the unit in batch, tells the 不称职 cadre, archives the year.
    walk.login("staff_a")
    walk.from_workbench(url)
    with page.expect_navigation():
        page.click("#batch-link")
    for cadre, grade in zip(cadres, ["优秀", "称职", "称职", "不称职"]):
        page.select_option(f"#id_grade_{cadre.pk}", grade)
    walk.shot("grade-clerk-batch")
    assert_no_raw_value(walk, world)
    with page.expect_navigation():
        page.click("#batch-save")
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()
    assert CadreGrade.objects.count() == 4
    weak = CadreGrade.objects.get(grade="不称职")
    walk.from_workbench(f"/assessment/grades/{weak.pk}/", shot="grade-clerk-tell")
    walk.act("action-notify", {"input[name=told_on]": TODAY.isoformat()})
    assert_no_raw_value(walk, world)
    walk.from_workbench(url)
    assert "核对等次后归档" in page.locator("#year-steps").inner_text()
    walk.act("year-close", {})
    walk.shot("grade-clerk-closed")
    assert_no_raw_value(walk, world)
    ay.refresh_from_db()
    assert ay.status == YearStatus.CLOSED
    page.goto(f"{walk.base}/")
    assert page.locator("#work-table a[href^='/assessment/']").count() == 0
