import datetime

import pytest
from django.urls import reverse

from api.models import Scope
from cadres.models import Cadre, Commendation, Posting, Sanction, SanctionType
from core.models import AuditEvent
from tests.factories import CadreFactory

ALL_READ = [Scope.READ_CADRES, Scope.READ_CASES, Scope.READ_ALLEGATIONS, Scope.READ_REVIEWS]


def test_the_unit_tree_lists_the_jurisdiction_in_tree_order_with_parents(token_client, api_world):
    body = token_client("staff_a", [Scope.READ_CADRES]).get(reverse("api:unit_list")).json()
    names = [u["name"] for u in body["results"]]
    assert names == ["清河县", "城关镇"]
    assert body["results"][1]["parent_id"] == api_world.unit_a.pk
    assert body["results"][0]["kind_label"] == "县（市、区）"


def test_the_cadre_list_shows_the_jurisdiction_with_masked_id_numbers(token_client, api_world):
    body = token_client("staff_a", [Scope.READ_CADRES, Scope.READ_ID_NUMBERS]).get(reverse("api:cadre_list")).json()
    shown = {c["name"]: c for c in body["results"]}
    # 丁提拔 and 丙书记: the promotion and the ranking entry of the assessment matrix
    assert sorted(shown) == ["丁提拔", "丙书记", "甲干部"]
    assert "*" in shown["甲干部"]["id_number"]
    assert shown["甲干部"]["id_number"] != api_world.cadre_a.id_number


def test_the_cadre_list_filters_and_searches(token_client, api_world):
    CadreFactory(name="甲乙丙", unit=api_world.unit_a, rank="正科级")
    client = token_client("admin", [Scope.READ_CADRES])

    def names(**q):
        return [c["name"] for c in client.get(reverse("api:cadre_list"), q).json()["results"]]

    assert names(q="甲") == ["甲乙丙", "甲干部"]
    assert names(q="乙丙") == ["甲乙丙"]
    assert names(unit=api_world.unit_b.pk) == ["乙干部"]
    assert names(rank="正科级") == ["丁提拔", "甲乙丙"]
    assert names(ordering="-name") == ["甲干部", "甲乙丙", "乙干部", "丙书记", "丁提拔"]


def test_cursor_pages_walk_every_cadre_once_even_when_rows_are_inserted_meanwhile(token_client, api_world):
    for i in range(7):
        CadreFactory(name=f"丙{i}", unit=api_world.unit_a)
    in_scope = Cadre.objects.filter(unit__path__startswith=api_world.unit_a.path).count()
    client = token_client("staff_a", [Scope.READ_CADRES])
    seen = []
    url = reverse("api:cadre_list") + "?page_size=3"
    first = True
    while url:
        body = client.get(url).json()
        seen += [c["name"] for c in body["results"]]
        if first:
            CadreFactory(name="一插入", unit=api_world.unit_a)  # sorts before the page already read
            first = False
        url = body["next"]
    assert len(seen) == len(set(seen)) == in_scope
    assert "一插入" not in seen


def test_a_cadre_detail_has_postings_rewards_sanctions_in_force_and_grades(token_client, api_world):
    cadre = api_world.cadre_a
    Posting.objects.create(cadre=cadre, unit=api_world.township_a, position="镇长", start_date=datetime.date(2020, 1, 1))
    Commendation.objects.create(cadre=cadre, kind="嘉奖", level="县级", title="防汛嘉奖", date=datetime.date(2025, 8, 1))
    stype = SanctionType.objects.first()
    Sanction.objects.create(cadre=cadre, sanction_type=stype, matter="有效的", decided_by="县纪委",
                            decision_date=datetime.date(2026, 1, 5))
    Sanction.objects.create(cadre=cadre, sanction_type=stype, matter="已免责", decided_by="县纪委",
                            decision_date=datetime.date(2026, 1, 6), status="waived")
    body = token_client("staff_a", [Scope.READ_CADRES]).get(reverse("api:cadre_detail", args=[cadre.pk])).json()
    assert body["postings"][0]["position"] == "镇长"
    assert body["commendations"][0]["title"] == "防汛嘉奖"
    assert [s["matter"] for s in body["sanctions_in_force"]] == ["有效的"]
    assert body["annual_grades"] == [{"year": 2025, "grade": "不称职"}]


def test_the_whole_id_number_needs_the_id_scope_on_a_token(token_client, session_client, api_world):
    url = reverse("api:cadre_detail", args=[api_world.cadre_a.pk])
    whole = api_world.cadre_a.id_number
    assert token_client("staff_a", [Scope.READ_CADRES]).get(url).json()["id_number"] != whole
    assert token_client("staff_a", [Scope.READ_CADRES, Scope.READ_ID_NUMBERS]).get(url).json()["id_number"] == whole
    assert session_client("staff_a").get(url).json()["id_number"] == whole


def test_a_cadre_out_of_scope_is_not_found(token_client, api_world):
    response = token_client("staff_b", [Scope.READ_CADRES]).get(reverse("api:cadre_detail",
                                                                        args=[api_world.cadre_a.pk]))
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在，或不在您的权限范围内。", "code": "not_found", "errors": {}}


def test_cases_show_stage_deadline_and_outcomes(token_client, api_world):
    body = token_client("officer_assigned", [Scope.READ_CASES]).get(reverse("api:case_list")).json()
    [case] = body["results"]
    assert case["stage_label"] == "书面反馈"
    assert case["cadres"][0]["outcome_label"] == "免责"
    detail = token_client("staff_a", [Scope.READ_CASES]).get(reverse("api:case_detail", args=[case["id"]])).json()
    assert detail["title"] == case["title"]


def test_allegations_and_notices_show_status_and_conclusion_and_the_pdf(token_client, api_world):
    client = token_client("staff_a", [Scope.READ_ALLEGATIONS])
    [allegation] = client.get(reverse("api:allegation_list")).json()["results"]
    assert (allegation["status_label"], allegation["conclusion_label"]) == ("已办结", "失实")
    [notice] = client.get(reverse("api:notice_list")).json()["results"]
    assert notice["number"] == api_world.notice.number
    pdf = client.get(notice["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_reviews_and_their_facts(token_client, api_world):
    client = token_client("staff_a", [Scope.READ_REVIEWS])
    [review] = client.get(reverse("api:review_list")).json()["results"]
    assert (review["year"], review["quarter"], review["status_label"]) == (2026, 2, "已开启")
    assert client.get(reverse("api:review_facts", args=[review["id"]])).json()["results"] == []


def test_the_shortlist_answers_with_blocks_and_bad_parameters_are_field_errors(token_client, api_world):
    client = token_client("staff_a", [Scope.READ_CADRES])
    rows = client.get(reverse("api:shortlist"), {"unit": api_world.unit_a.pk, "target_rank": "副科级"}).json()
    assert isinstance(rows["results"], list)
    bad = client.get(reverse("api:shortlist"), {"unit": api_world.unit_b.pk, "target_rank": "无", "on": "2026-13-01"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"target_rank", "on"}
    out = client.get(reverse("api:shortlist"), {"unit": api_world.unit_b.pk, "target_rank": "副科级"})
    assert out.status_code == 400 and out.json()["errors"]["unit"] == ["单位不存在，或不在您的权限范围内。"]


def test_an_unknown_ordering_is_a_field_error(token_client, api_world):
    response = token_client("staff_a", [Scope.READ_CADRES]).get(reverse("api:cadre_list"), {"ordering": "id_number"})
    assert response.status_code == 400 and "ordering" in response.json()["errors"]


@pytest.mark.parametrize("name", ["api:cadre_list", "api:unit_list"])
def test_every_call_is_audited_with_the_token_and_the_count(token_client, api_world, name):
    client = token_client("staff_a", [Scope.READ_CADRES])
    client.get(reverse(name))
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.API_CALL).latest("id")
    assert event.username == "staff_a" and event.outcome == "成功"
    assert "令牌" in event.detail and reverse(name) in event.detail
    assert event.count is not None


def test_a_detail_call_names_its_object_in_the_audit(token_client, api_world):
    token_client("staff_a", [Scope.READ_CADRES]).get(reverse("api:cadre_detail", args=[api_world.cadre_a.pk]))
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.API_CALL).latest("id")
    assert event.object_id == str(api_world.cadre_a.pk)


def test_the_shortlist_pages_by_cursor_in_the_pages_order_and_filters_by_kind(token_client, api_world):
    from assessment.selectors import promotion_shortlist

    for i in range(3):
        CadreFactory(unit=api_world.unit_a, name=f"候选{i}", rank="科员")
    params = {"unit": api_world.unit_a.pk, "target_rank": "副科级"}
    whole = promotion_shortlist(user=api_world.users["staff_a"], unit=api_world.unit_a, target_rank="副科级")
    client = token_client("staff_a", [Scope.READ_CADRES])
    seen, url, query = [], reverse("api:shortlist"), {**params, "page_size": 1}
    while url:
        page = client.get(url, query).json()
        seen += [row["cadre_id"] for row in page["results"]]
        url, query = page["next"], None
    assert len(whole) >= 3 and seen == [row.cadre_id for row in whole]
    blocked = client.get(reverse("api:shortlist"), {**params, "show": "blocked"}).json()["results"]
    assert [row["cadre_id"] for row in blocked] == [row.cadre_id for row in whole if not row.eligible]


def test_the_shortlist_filters_by_block_like_its_page(token_client, api_world):
    from django.utils import timezone

    from tests.factories import SanctionFactory

    sanctioned = CadreFactory(unit=api_world.unit_a, name="受处分者", rank="科员")
    # 记过: 12 months' influence period, decided a month ago.
    SanctionFactory(cadre=sanctioned, decision_date=timezone.localdate() - datetime.timedelta(days=30))
    clean = CadreFactory(unit=api_world.unit_a, name="无处分者", rank="科员")
    client = token_client("staff_a", [Scope.READ_CADRES])
    params = {"unit": api_world.unit_a.pk, "target_rank": "副科级"}
    everyone = [row["cadre_id"] for row in client.get(reverse("api:shortlist"), params).json()["results"]]
    by_sanction = [row["cadre_id"] for row in
                   client.get(reverse("api:shortlist"), {**params, "block": "sanction"}).json()["results"]]
    assert {sanctioned.pk, clean.pk} <= set(everyone)
    assert sanctioned.pk in by_sanction and clean.pk not in by_sanction
    from assessment.selectors import shortlist_query

    same = shortlist_query(user=api_world.users["staff_a"], unit=api_world.unit_a, target_rank="副科级",
                           block="sanction").cadres.values_list("pk", flat=True)
    assert by_sanction == list(same)
    bad = client.get(reverse("api:shortlist"), {**params, "block": "no_such_reason"})
    assert bad.status_code == 400 and "block" in bad.json()["errors"]
