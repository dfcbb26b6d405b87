"""Allegations and clarification: seed 000 Q7, seed 002 art. 11(3), seed 004 (Hanzhong)."""
import io
import shutil
import subprocess
import threading

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from cadres.models import SupervisionMeasure
from core.errors import DomainError
from tests.conftest import assert_watermarked_on_every_page, client_for, export_via_job
from tests.factories import CadreFactory
from tests.tolerance.builders import (
    D,
    answers_for,
    cleared_allegation,
    determine,
    load_policy,
    receive_allegation,
    verifying_allegation,
)
from tolerance import allegation_services as services
from tolerance import services as case_services
from tolerance.models import (
    Allegation,
    AllegationStatus,
    ClarificationNotice,
    Outcome,
    ReporterAccessLog,
    Stage,
)
from tolerance.selectors import allegation_figures, allegations_visible_to, promotion_blocks, publication_list


def test_a_second_report_on_the_same_issue_is_held_until_acknowledged(world):
    first = receive_allegation(world, issue="违规发放津补贴")
    with pytest.raises(DomainError, match="同一问题已有线索或函询"):
        receive_allegation(world, issue="违规发放 津补贴。")  # spacing and punctuation do not hide it
    assert Allegation.objects.count() == 1
    second = receive_allegation(world, issue="违规发放津补贴", acknowledge_duplicate=True)
    assert second.duplicate_of == first and first.number in second.duplicate_note


def test_a_report_on_an_issue_already_inquired_by_letter_is_flagged(world):
    SupervisionMeasure.objects.create(cadre=world.cadre_a, kind="函询", date=D(2026, 1, 5), issue="违规发放津补贴",
                                      by_whom="县纪委")
    with pytest.raises(DomainError, match="对甲干部的函询"):
        receive_allegation(world)


def test_the_same_issue_for_another_cadre_is_not_a_duplicate(world):
    receive_allegation(world)
    other = CadreFactory(unit=world.township_a)
    assert receive_allegation(world, cadres=[other]).duplicate_note == ""


def test_a_vague_report_is_closed_directly_with_its_reason(world):
    allegation = receive_allegation(world)
    services.allegation_close_directly(allegation=allegation, by=world.users["staff_a"], reason="vague", note="无具体事实")
    allegation.refresh_from_db()
    assert allegation.status == AllegationStatus.CLOSED and allegation.close_reason == "vague"


def test_direct_closing_needs_a_note_and_is_refused_once_verification_started(world):
    allegation = receive_allegation(world)
    with pytest.raises(DomainError, match="了结说明"):
        services.allegation_close_directly(allegation=allegation, by=world.users["staff_a"], reason="vague", note=" ")
    verifying = verifying_allegation(world, acknowledge_duplicate=True)
    with pytest.raises(DomainError, match="核查中"):
        services.allegation_close_directly(allegation=verifying, by=world.users["staff_a"], reason="vague", note="x")


def test_an_open_allegation_screens_its_subject_until_concluded(world):
    allegation = verifying_allegation(world)
    assert "问题线索未核实：违规发放津补贴" in promotion_blocks([world.cadre_a.pk])[world.cadre_a.pk]
    services.allegation_conclude(allegation=allegation, by=world.users["officer_assigned"], conclusion="false",
                                 findings="失实", concluded_on=D(2026, 4, 20))
    assert world.cadre_a.pk not in promotion_blocks([world.cadre_a.pk])


def test_a_true_finding_blocks_as_pending_accountability_until_the_case_is_determined(world):
    load_policy(world)
    allegation = verifying_allegation(world)
    services.allegation_conclude(allegation=allegation, by=world.users["officer_assigned"], conclusion="partly",
                                 findings="部分属实", concluded_on=D(2026, 4, 20))
    assert "线索属实，尚未问责" in promotion_blocks([world.cadre_a.pk])[world.cadre_a.pk][0]
    case = services.allegation_open_case(allegation=allegation, by=world.users["staff_a"], title="津补贴问责",
                                         error_date=D(2026, 3, 1), accountability_body="县纪委监委")
    allegation.refresh_from_db()
    assert allegation.tolerance_case == case and list(case.allegations.all()) == [allegation]
    assert "容错纠错案件尚未认定" in promotion_blocks([world.cadre_a.pk])[world.cadre_a.pk][0]
    case_services.case_start_investigation(case=case, by=world.users["staff_a"],
                                           investigators=[world.users["officer_assigned"]], reason="查")
    cc = case.case_cadres.get()
    case_services.checklist_record(case_cadre=cc, by=world.users["officer_assigned"], answers=answers_for(cc))
    case_services.case_finish_investigation(case=case, by=world.users["officer_assigned"], reason="完")
    case_services.case_submit_preliminary_opinion(case=case, by=world.users["officer_assigned"], opinion="意见")
    case_services.defence_record(case_cadre=cc, by=world.users["staff_a"], statement="陈述", recorded_on=D(2026, 5, 1))
    case_services.case_record_consultation(case=case, by=world.users["staff_a"], date=D(2026, 5, 2), bodies="b",
                                           minutes="m", proposed_outcome=Outcome.EXEMPT)
    determine(world, case, Outcome.EXEMPT)
    case.refresh_from_db()
    assert case.stage == Stage.FEEDBACK
    assert world.cadre_a.pk not in promotion_blocks([world.cadre_a.pk])


def test_only_a_concluded_true_finding_opens_accountability(world):
    allegation, _ = cleared_allegation(world)
    with pytest.raises(DomainError, match="属实或部分属实"):
        services.allegation_open_case(allegation=allegation, by=world.users["staff_a"], title="x",
                                      error_date=D(2026, 1, 1), accountability_body="y")


def test_a_framed_report_opens_a_referral_for_the_accuser(world):
    allegation, _ = cleared_allegation(world, conclusion="framed")
    assert allegation.referral.status == "pending"
    with pytest.raises(DomainError, match="移送机关"):
        services.referral_update(referral=allegation.referral, by=world.users["staff_a"], status="referred",
                                 referred_to="", referred_on=None, outcome="")
    services.referral_update(referral=allegation.referral, by=world.users["staff_a"], status="referred",
                             referred_to="县纪委监委", referred_on=D(2026, 5, 1), outcome="")


def test_clarification_needs_a_false_or_framed_conclusion(world):
    allegation = verifying_allegation(world)
    services.allegation_conclude(allegation=allegation, by=world.users["officer_assigned"], conclusion="true",
                                 findings="属实", concluded_on=D(2026, 4, 20))
    with pytest.raises(DomainError, match="失实或诬告陷害"):
        services.clarification_issue(allegation=allegation, by=world.users["staff_a"], cadre=world.cadre_a,
                                     form="notice", scope="全镇", issuing_body="县纪委", alleged="a", finding="f",
                                     issued_on=D(2026, 5, 1))
    assert not ClarificationNotice.objects.exists()


def _issue(world, allegation, body="中共清河县纪委", on=D(2026, 5, 1), form="meeting"):
    return services.clarification_issue(allegation=allegation, by=world.users["staff_a"], cadre=world.cadre_a,
                                        form=form, scope="全镇", issuing_body=body, alleged="a", finding="f",
                                        issued_on=on)


def test_notice_numbers_run_per_issuing_body_and_year(world, monkeypatch):
    allegation, first = cleared_allegation(world)
    # Notices are never dated ahead of today: the next year's number is issued in that year.
    monkeypatch.setattr(services.timezone, "localdate", lambda: D(2027, 6, 1))
    assert first.number == "清纪澄〔2026〕1号"
    assert _issue(world, allegation).number == "清纪澄〔2026〕2号"
    assert _issue(world, allegation, body="中共青山区纪委").number == "青纪澄〔2026〕1号"
    assert _issue(world, allegation, on=D(2027, 1, 2), form="announcement").number == "清纪澄〔2027〕1号"


def test_a_notice_from_a_body_without_a_configured_code_is_refused(world):
    allegation, _ = cleared_allegation(world)
    with pytest.raises(DomainError, match="发文机关代字"):
        _issue(world, allegation, body="中共某县纪委")


def test_the_number_is_the_same_on_the_list_the_page_the_pdf_and_the_export(client, world):
    from tolerance.documents import notice_content

    allegation, notice = cleared_allegation(world)
    client_for(client, world.users["staff_a"])
    assert "清纪澄〔2026〕1号" in client.get(reverse("tolerance:notice_list")).content.decode()
    assert "清纪澄〔2026〕1号" in client.get(reverse("tolerance:notice_detail", args=[notice.pk])).content.decode()
    assert notice_content(notice)["number"] == "清纪澄〔2026〕1号"


def test_the_notice_reads_as_an_official_writes_it(world):
    from tolerance.documents import notice_content

    allegation, _ = cleared_allegation(world)
    notice = services.clarification_issue(
        allegation=allegation, by=world.users["staff_a"], cadre=world.cadre_a, form="meeting",
        scope="在清河县城关镇全体干部大会上通报", issuing_body="中共清河县纪委", alleged="反映其违规发放津补贴。",
        finding="经核查，反映问题失实。", issued_on=D(2026, 5, 1))
    assert notice.scope == "清河县城关镇全体干部大会"
    text = "".join(p["text"] for p in notice_content(notice)["paragraphs"])
    assert "在清河县城关镇全体干部大会上通报" in text
    assert "在在" not in text and "通报范围内" not in text
    assert text.count("失实") == 1  # the finding is stated once


def test_the_same_notice_is_not_issued_twice(world):
    allegation, first = cleared_allegation(world)
    with pytest.raises(DomainError, match="不再重复出具"):
        _issue(world, allegation, form="notice")
    assert ClarificationNotice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_notices_issued_at_once_never_share_a_number(postgres_only, world):
    allegation, _ = cleared_allegation(world)
    numbers, barrier = [], threading.Barrier(2)

    def issue(form):
        barrier.wait()
        try:
            numbers.append(_issue(world, allegation, form=form).serial)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(f,)) for f in ("meeting", "announcement")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(numbers) == [2, 3]


@pytest.mark.django_db(transaction=True)
def test_one_notice_posted_four_times_at_once_is_issued_once_with_one_number(postgres_only, world):
    allegation, _ = cleared_allegation(world)
    outcomes, barrier = [], threading.Barrier(4)

    def issue():
        barrier.wait()
        try:
            outcomes.append(_issue(world, allegation).serial)
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes, key=str) == [2, "refused", "refused", "refused"]
    assert ClarificationNotice.objects.count() == 2


def test_the_reporter_is_shown_only_to_the_assigned_verifier_and_every_view_is_logged(client, world):
    allegation = verifying_allegation(world)
    url = reverse("tolerance:reporter", args=[allegation.pk])
    client_for(client, world.users["officer_assigned"])
    assert "王举报" in client.get(url).content.decode()
    assert ReporterAccessLog.objects.filter(user=world.users["officer_assigned"], via="页面").count() == 1
    client.logout()
    for persona in ["staff_a", "leader", "admin"]:
        client_for(client, world.users[persona])
        assert client.get(url).status_code == 403
        detail = client.get(reverse("tolerance:allegation_detail", args=[allegation.pk])).content.decode()
        assert "王举报" not in detail and "13800000000" not in detail
        history = client.get(reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=history").content.decode()
        assert "王举报" not in history
        client.logout()
    assert ReporterAccessLog.objects.count() == 1


def test_superusers_reach_the_identity_only_through_its_own_logged_admin_page(client, world):
    allegation = verifying_allegation(world)
    client_for(client, world.users["admin"])
    assert client.get(reverse("admin:tolerance_reporteridentity_changelist")).status_code == 403
    page = client.get(reverse("admin:tolerance_reporteridentity_change", args=[allegation.reporter.pk]))
    assert page.status_code == 200 and "王举报" in page.content.decode()
    assert ReporterAccessLog.objects.get().via == "后台"
    assert "王举报" not in client.get(reverse("admin:index")).content.decode()


def test_staff_see_allegations_about_their_cadres_only(world):
    allegation = receive_allegation(world)
    assert list(allegations_visible_to(world.users["staff_a"])) == [allegation]
    assert list(allegations_visible_to(world.users["staff_b"])) == []
    assert list(allegations_visible_to(world.users["officer_unassigned"])) == []


def test_the_publication_list_shows_publishable_cases_of_the_period_and_exports_them(client, world):
    allegation, notice = cleared_allegation(world)
    hidden = _issue(world, allegation)
    hidden.publishable = False
    hidden.save()
    assert list(publication_list(user=world.users["staff_a"], year=2026, quarter=2)) == [notice]
    assert list(publication_list(user=world.users["staff_a"], year=2026, quarter=1)) == []
    client_for(client, world.users["staff_a"])
    _, content = export_via_job(client, reverse("tolerance:publication_export"), {"year": 2026})
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "甲干部"
    assert "王举报" not in str(rows)


def test_figures_count_by_source_and_conclusion_and_clarified_cadres(world):
    cleared_allegation(world)
    receive_allegation(world, issue="另一问题")
    figures = allegation_figures(user=world.users["leader"])
    assert figures["by_source_conclusion"] == [("信访", "", 1), ("信访", "false", 1)]
    assert figures["clarified_per_year"] == [(2026, 1)]


def test_the_notice_pdf_embeds_its_font(client, world):
    if not shutil.which("pdffonts"):
        pytest.skip("未安装 poppler-utils（pdffonts）")
    _, notice = cleared_allegation(world)
    client_for(client, world.users["staff_a"])
    response = client.get(reverse("tolerance:notice_pdf", args=[notice.pk]))
    path = f"/tmp/notice-{notice.pk}.pdf"
    with open(path, "wb") as f:
        f.write(response.content)
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True).stdout
    assert "yes" in fonts.splitlines()[2]
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    assert "澄清正名通知书" in text and "〔2026〕1号" in text and "甲干部" in text
    assert_watermarked_on_every_page(response.content, world.users["staff_a"])


def test_a_second_inquiry_letter_on_a_reported_issue_waits_for_acknowledgement(client, world):
    receive_allegation(world, issue="违规发放津补贴")
    client_for(client, world.users["staff_a"])
    url = reverse("cadres:record_create", args=[world.cadre_a.pk, "measure"])
    data = {"kind": "函询", "date": "2026-05-01", "issue": "违规发放津补贴", "by_whom": "县纪委"}
    page = client.post(url, data)
    assert page.status_code == 200 and "同一问题已有线索或函询" in page.content.decode()
    assert not SupervisionMeasure.objects.exists()
    assert client.post(url, {**data, "acknowledge_duplicate": "on"}).status_code == 302
    assert SupervisionMeasure.objects.count() == 1
    # a reminder letter (提醒) on the same issue is not an inquiry and passes
    assert client.post(url, {**data, "kind": "提醒"}).status_code == 302
