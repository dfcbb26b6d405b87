"""The pages: thin views over the services, refusals shown where they happen, everything
through the jurisdiction selectors."""
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import ApprovalStatus, CadreGrade, QuarterlyReview, Ranking, ReviewStatus
from tests.assessment.builders import D, grade, interviews, open_year, staff, unit_with_cadres
from tests.conftest import client_for
from tests.factories import CadreFactory


@pytest.fixture
def year(world):
    unit, cadres = unit_with_cadres(world, 10)
    return open_year(world, unit), cadres


def post_batch(client, ay, grades):
    data = {f"grade_{c.pk}": g for c, g in grades}
    return client.post(reverse("assessment:batch", args=[ay.pk]), data)


def test_the_batch_page_saves_valid_rows_and_shows_each_refusal_on_its_row(client, world, year):
    ay, cadres = year
    interviews(cadres[2], 1)
    client_for(client, world.users["staff_a"])
    response = post_batch(client, ay, [(cadres[0], "优秀"), (cadres[1], "称职"), (cadres[2], "优秀")])
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="row-{cadres[2].pk}" class="batch-row table-danger"' in page
    assert "未保存：不能评为“优秀”：本年度被约谈 1 次" in page
    assert f"已保存 2 人的等次：{cadres[0].name}（优秀）、{cadres[1].name}（称职）" in page
    assert dict(CadreGrade.objects.values_list("cadre_id", "grade")) == {cadres[0].pk: "优秀", cadres[1].pk: "称职"}


def test_a_refused_row_keeps_what_was_posted_and_the_others_show_their_saved_grade(client, world, year):
    """The rows are written as strings (GradeBatchForm.rows_html): after a save with a refusal
    each field shows what was posted, the saved rows their new grade and a 已保存 badge."""
    ay, cadres = year
    interviews(cadres[2], 1)
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("assessment:batch", args=[ay.pk]), {
        f"grade_{cadres[0].pk}": "称职", f"remarks_{cadres[0].pk}": "实绩<突出>",
        f"grade_{cadres[2].pk}": "优秀", f"remarks_{cadres[2].pk}": "群众评价好"})
    page = response.content.decode()
    saved = CadreGrade.objects.get(cadre=cadres[0])
    assert f'id="row-{cadres[0].pk}" class="batch-row table-success"' in page
    assert f'<a href="/assessment/grades/{saved.pk}/">称职</a> <span class="badge text-bg-success">已保存</span>' in page
    assert f'name="remarks_{cadres[0].pk}" value="实绩&lt;突出&gt;"' in page
    assert (f'<select name="grade_{cadres[2].pk}" class="form-select form-select-sm grade-select" '
            f'id="id_grade_{cadres[2].pk}"><option value="">—</option><option value="优秀" selected>') in page
    assert f'name="remarks_{cadres[2].pk}" value="群众评价好"' in page
    assert f'<td colspan="6" class="text-danger small row-error" data-cadre="{cadres[2].name}">未保存：' in page
    assert f'id="row-{cadres[1].pk}" class="batch-row" ' in page and '<span class="text-muted">未评定</span>' in page


def test_a_posted_value_that_is_no_grade_is_marked_on_its_field(client, world, year):
    ay, cadres = year
    client_for(client, world.users["staff_a"])
    page = post_batch(client, ay, [(cadres[0], "特优")]).content.decode()
    assert "未保存：" in page and not CadreGrade.objects.exists()
    assert f'<select name="grade_{cadres[0].pk}" class="form-select form-select-sm grade-select" aria-invalid="true"' in page
    assert '<option value="" selected>' not in page.split(f'name="grade_{cadres[0].pk}"')[1].split("</select>")[0]


def test_a_cadre_name_is_escaped_on_the_batch_page(client, world):
    unit, _ = unit_with_cadres(world, 1)
    CadreFactory(unit=unit, name="<i>丁</i>")
    ay = open_year(world, unit)
    client_for(client, world.users["staff_a"])
    page = client.get(reverse("assessment:batch", args=[ay.pk])).content.decode()
    assert "&lt;i&gt;丁&lt;/i&gt;的等次" in page and "<i>丁</i>" not in page


def test_a_batch_without_refusals_returns_to_the_year(client, world, year):
    ay, cadres = year
    client_for(client, world.users["staff_a"])
    response = post_batch(client, ay, [(c, "称职") for c in cadres])
    assert response.status_code == 302 and response.url == reverse("assessment:year_detail", args=[ay.pk])
    assert CadreGrade.objects.filter(graded_by=world.users["staff_a"]).count() == 10


def test_the_batch_page_shows_the_caps_and_the_bold_work_notes_to_whoever_grades(client, world):
    unit, cadres = unit_with_cadres(world, 3)
    ay = open_year(world, unit, year=2026)
    interviews(cadres[0], 2, year=2026)
    evaluator = CadreFactory(unit=world.unit_a, is_team_member=True)
    review, _ = services.quarterly_review_open(department=world.unit_a, year=2026, quarter=2, by=staff(world))
    services.review_start_collecting(review=review, by=staff(world))
    services.ranking_record(review=review, evaluator=evaluator, evaluator_title="县委书记", category="干部", by=staff(world),
                            entries=[(cadres[0], 2, ""), (cadres[1], 1, ""), (cadres[2], 3, "拆违敢抓敢管，得罪了人")])
    client_for(client, world.users["staff_a"])
    page = client.get(reverse("assessment:batch", args=[ay.pk])).content.decode()
    assert "本年度被约谈 2 次" in page and "只能评为：基本称职、不称职" in page
    assert "第2季度县委书记" in page and "排第3名：拆违敢抓敢管，得罪了人" in page


def test_a_team_grade_is_entered_on_the_same_page(client, world, year):
    ay, cadres = year
    services.team_interview_record(unit=ay.unit, date=D(2025, 3, 1), issue="一", by_whom="组织部", by=staff(world))
    services.team_interview_record(unit=ay.unit, date=D(2025, 4, 1), issue="二", by_whom="组织部", by=staff(world))
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("assessment:batch", args=[ay.pk]), {"team_grade": "好", f"grade_{cadres[0].pk}": "称职"})
    page = response.content.decode()
    assert "未保存：不能评为“好”：领导班子本年度被约谈 2 次" in page
    assert CadreGrade.objects.get().grade == "称职"
    client.post(reverse("assessment:batch", args=[ay.pk]), {"team_grade": "较好"})
    assert ay.team_grade.grade == "较好"


def test_a_leader_approves_the_excess_and_staff_cannot(client, world):
    unit, _ = unit_with_cadres(world, 20)
    ay = open_year(world, unit)
    client_for(client, world.users["staff_a"])
    client.post(reverse("assessment:quota_request", args=[ay.pk]), {"excellent_count": 5, "reason": "任务重"})
    approval = ay.quota_approvals.get()
    url = reverse("assessment:quota_decide", args=[ay.pk, approval.pk])
    assert client.post(url, {"decision": "approve", "reason": "同意"}).status_code == 403
    client_for(client, world.users["leader"])
    client.post(url, {"decision": "approve", "reason": "同意"})
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by) == (ApprovalStatus.APPROVED, world.users["leader"])
    assert approval.history.latest().history_user == world.users["leader"]
    page = client.get(reverse("assessment:year_detail", args=[ay.pk])).content.decode()
    assert "当前可评优秀" in page and "已批准" in page


def test_a_re_review_is_requested_and_answered_through_the_grade_page(client, world, year):
    ay, cadres = year
    record = grade(world, ay, cadres[0], "不称职")
    client_for(client, world.users["staff_a"])
    url = lambda action: reverse("assessment:grade_action", args=[record.pk, action])  # noqa: E731
    client.post(url("notify"), {"told_on": "2026-01-10"})
    response = client.post(url("rereview"), {"requested_on": "2026-02-10", "grounds": "不服"}, follow=True)
    assert "已超过复核申请期限" in response.content.decode()
    client.post(url("rereview"), {"requested_on": "2026-02-09", "grounds": "不服"})
    client.post(url("answer"), {"answered_on": "2026-02-20", "answer": "改为基本称职", "new_grade": "基本称职"})
    record.refresh_from_db()
    assert record.grade == "基本称职"
    page = client.get(reverse("assessment:grade_detail", args=[record.pk])).content.decode()
    assert "已变更等次" in page and "改为基本称职" in page


def test_the_quarterly_review_is_run_from_its_page(client, world):
    evaluator = CadreFactory(unit=world.unit_a, is_team_member=True, name="县委书记甲")
    secretaries = [CadreFactory(unit=world.township_a, name=f"书记{i}", position="党委书记", is_team_member=True)
                   for i in range(3)]
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("assessment:review_open"), {"department": world.unit_a.pk, "year": 2026, "quarter": 2})
    review = QuarterlyReview.objects.get()
    assert response.url == reverse("assessment:review_detail", args=[review.pk])
    client.post(reverse("assessment:review_action", args=[review.pk, "start"]))
    url = reverse("assessment:ranking_create", args=[review.pk])
    query = f"?unit={world.unit_a.pk}&position=党委书记&team_only=on"
    form = client.get(url + query)
    assert [c.name for c in form.context["form"].candidates] == ["书记0", "书记1", "书记2"]
    assert evaluator in form.context["form"].fields["evaluator"].queryset
    data = {"evaluator": evaluator.pk, "evaluator_title": "县委书记", "category": "乡镇党委书记",
            **{f"position_{c.pk}": i for i, c in enumerate(secretaries, start=1)},
            f"note_{secretaries[2].pk}": "敢抓敢管"}
    assert client.post(url + query, data).status_code == 302
    assert Ranking.objects.get().entries.count() == 3
    page = client.get(reverse("assessment:review_detail", args=[review.pk]) + "?tab=rankings").content.decode()
    assert "排名靠前" in page and "敢抓敢管" in page
    client.post(reverse("assessment:review_action", args=[review.pk, "finish_ranking"]))
    report = reverse("assessment:report_edit", args=[review.pk, world.township_a.pk])
    client_for(client, world.users["leader"])
    assert client.post(report, {"text": "领导不撰写"}).status_code == 403
    client_for(client, world.users["staff_a"])
    client.post(report, {"text": "班子团结"})
    client.post(reverse("assessment:review_action", args=[review.pk, "report"]))
    review.refresh_from_db()
    assert review.status == ReviewStatus.REPORTED
    assert client.get(reverse("assessment:review_detail", args=[review.pk]) + "?tab=events").status_code == 200


def test_an_information_item_is_entered_for_a_cadre_of_a_chosen_unit(client, world):
    review, _ = services.quarterly_review_open(department=world.unit_a, year=2026, quarter=2, by=staff(world))
    client_for(client, world.users["staff_a"])
    url = reverse("assessment:item_create", args=[review.pk]) + f"?unit={world.township_a.pk}"
    response = client.post(url, {"cadre": world.cadre_a.pk, "source": "audit", "polarity": "negative",
                                 "date": "2026-05-01", "summary": "经济责任审计发现问题"})
    assert response.status_code == 302
    assert review.items.get().entered_by == world.users["staff_a"]
    # A cadre of another jurisdiction is not offered.
    response = client.post(url, {"cadre": world.cadre_b.pk, "source": "audit", "date": "2026-05-01", "summary": "x"})
    assert response.status_code == 200 and review.items.count() == 1


def test_a_priority_situation_is_recorded_from_the_cadre_page(client, world):
    client_for(client, world.users["staff_a"])
    tab = client.get(reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=assessment").content.decode()
    assert reverse("assessment:priority_create", args=[world.cadre_a.pk]) in tab
    response = client.post(reverse("assessment:priority_create", args=[world.cadre_a.pk]), {
        "situation": "art3-3", "facts": "抗洪抢险冲在一线", "recorded_on": "2026-05-01"})
    assert response.status_code == 302
    tab = client.get(reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=assessment").content.decode()
    assert "抗洪抢险冲在一线" in tab


def test_team_interviews_are_recorded_and_listed(client, world):
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("assessment:team_interview_create"), {
        "unit": world.township_a.pk, "date": "2026-03-01", "issue": "安全生产", "by_whom": "县委组织部"})
    assert response.status_code == 302
    assert "安全生产" in client.get(reverse("assessment:team_interview_list")).content.decode()
    client_for(client, world.users["staff_b"])
    assert "安全生产" not in client.get(reverse("assessment:team_interview_list")).content.decode()


def test_a_year_is_created_from_its_form(client, world):
    client_for(client, world.users["staff_a"])
    response = client.post(reverse("assessment:year_create"), {"unit": world.township_a.pk, "year": 2025})
    ay = world.township_a.assessment_years.get()
    assert response.url == reverse("assessment:year_detail", args=[ay.pk])
    assert ay.assessment_date == datetime.date(2025, 12, 31)
    response = client.post(reverse("assessment:year_create"), {"unit": world.unit_b.pk, "year": 2025})
    assert response.status_code == 200 and not world.unit_b.assessment_years.exists()  # not in staff_a's units


@pytest.mark.parametrize("name", ["year_list", "team_interview_list", "review_list", "priority_list", "shortlist",
                                  "rules"])
def test_lists_filter_and_paginate_for_a_leader(client, world, name):
    client_for(client, world.users["leader"])
    response = client.get(reverse(f"assessment:{name}"), {"page": 2, "q": "x"})
    assert response.status_code == 200


def test_the_navigation_offers_assessment_to_registry_users_only(client, world):
    client_for(client, world.users["leader"])
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("assessment:year_list")}"' in page
    coming = page.split("即将上线：")[1].split("<")[0] if "即将上线：" in page else ""
    assert "考核研判" not in coming
    client_for(client, world.users["officer_assigned"])
    assert reverse("assessment:year_list") not in client.get(reverse("home")).content.decode()


def test_admin_lists_use_the_selectors(client, world, year):
    ay, cadres = year
    grade(world, ay, cadres[0], "称职")
    other, others = unit_with_cadres(world, 1, name="外区镇", parent=world.unit_b)
    CadreGrade.objects.create(assessment_year=open_year(world, other), cadre=others[0], grade="称职",
                              graded_by=staff(world))
    user = world.users["staff_a"]
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_cadregrade"),
                              Permission.objects.get(codename="view_assessmentyear"))
    client_for(client, user)
    response = client.get(reverse("admin:assessment_cadregrade_changelist"))
    assert [g.cadre for g in response.context["cl"].result_list] == [cadres[0]]
    response = client.get(reverse("admin:assessment_assessmentyear_changelist"))
    assert [y.unit for y in response.context["cl"].result_list] == [ay.unit]
    client_for(client, world.users["admin"])
    assert client.get(reverse("admin:assessment_cadregrade_changelist")).context["cl"].result_count == 2


def batch_page_queries(client, ay) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("assessment:batch", args=[ay.pk]))
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_batch_page_runs_the_same_queries_for_10_and_for_80_cadres(client, world):
    """Issue #16: the page is the unit's page of rows, whatever the unit's size (and, on
    PostgreSQL, whatever the city's: scripts/benchmark.py)."""
    client_for(client, world.users["staff_a"])
    counts = []
    for n, name in [(10, "东城镇"), (80, "西城镇")]:
        unit, cadres = unit_with_cadres(world, n, name=name)
        ay = open_year(world, unit)
        for cadre in cadres[::3]:
            interviews(cadre, 1)
        grade(world, ay, cadres[1], "称职")
        counts.append(len(batch_page_queries(client, ay)))
    assert counts[0] == counts[1] <= 25


def test_the_batch_page_reads_no_encrypted_column_of_its_cadres(client, world, year):
    """The rows show names and positions: the ID number (encrypted) is neither read nor
    decrypted for a page of a hundred cadres."""
    ay, _ = year
    client_for(client, world.users["staff_a"])
    cadre_reads = [sql for sql in batch_page_queries(client, ay) if 'FROM "cadres_cadre"' in sql]
    assert cadre_reads and not [sql for sql in cadre_reads if '"id_number"' in sql]


def test_the_year_page_query_count_does_not_grow_with_the_unit(client, world, django_assert_max_num_queries):
    unit, _ = unit_with_cadres(world, 80)
    ay = open_year(world, unit)
    client_for(client, world.users["staff_a"])
    with django_assert_max_num_queries(28):
        assert client.get(reverse("assessment:year_detail", args=[ay.pk])).status_code == 200


def test_the_pages_carry_no_inline_code_for_the_content_security_policy(client, world, year):
    ay, cadres = year
    record = grade(world, ay, cadres[0], "不称职")
    review, _ = services.quarterly_review_open(department=world.unit_a, year=2026, quarter=2, by=staff(world))
    client_for(client, world.users["staff_a"])
    for url in [reverse("assessment:year_detail", args=[ay.pk]), reverse("assessment:batch", args=[ay.pk]),
                reverse("assessment:grade_detail", args=[record.pk]), reverse("assessment:review_detail", args=[review.pk]),
                reverse("assessment:rules"), reverse("cadres:detail", args=[cadres[0].pk]) + "?tab=assessment"]:
        html = client.get(url).content.decode()
        assert "style=" not in html and "<style" not in html and "<script>" not in html, url
