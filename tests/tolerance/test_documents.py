"""The printable documents of a case (容错认定书, 书面反馈函): text shared by the print page
and the PDF, the PDF carries its own Chinese font, and only a visible case is served."""
import datetime
import os
import re
import shutil
import subprocess

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from core.errors import DomainError
from tests.conftest import assert_watermarked_on_every_page
from tests.factories import CadreFactory, SanctionFactory, sanction_type
from tolerance import document_views, documents
from tolerance.models import (
    CaseCadre,
    ClauseKind,
    Consequence,
    Determination,
    Effect,
    Outcome,
    PolicyClause,
    PolicyDocument,
    Ruling,
    Stage,
    ToleranceCase,
)

NUMBER = "清委〔2026〕3号"
DECIDED = datetime.date(2026, 11, 24)


def poppler(tool):
    """The poppler-utils command, or skip (fail in CI, where it must be installed)."""
    exe = shutil.which(tool)
    if exe is None:
        message = f"未找到 {tool}（poppler-utils）：无法检查 PDF 的字体嵌入和文字内容"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + "；apt-get install poppler-utils 后可运行")
    return exe


def pdf_fonts(pdf_path) -> list[list[str]]:
    out = subprocess.run([poppler("pdffonts"), str(pdf_path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def pdf_text(pdf_path) -> str:
    out = subprocess.run([poppler("pdftotext"), "-enc", "UTF-8", str(pdf_path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return "".join(out.split())  # CJK lines wrap anywhere: compare without whitespace


def pdf_pages_png(pdf_path, prefix) -> list:
    subprocess.run([poppler("pdftoppm"), "-png", "-r", "60", str(pdf_path), str(prefix)], check=True)
    return sorted(prefix.parent.glob(prefix.name + "*.png"))


@pytest.fixture
def case(world):
    """A case in 城关镇 of 清河县 (staff_a's jurisdiction) with two cadres: 甲干部 exempted (a
    recorded 记过 waived), 丙干部 given a lighter sanction."""
    policy = PolicyDocument.objects.create(
        title="清河县予以容错及不予容错的具体情形（《关于激励干部担当作为的若干措施》附件）",
        issuing_body="中共清河县委", unit=world.unit_a, effective_from=datetime.date(2020, 1, 1))
    for kind, number, text in [
        (ClauseKind.CONDITION, 1, "党纪党规、法律法规没有明令禁止"),
        (ClauseKind.CONDITION, 2, "主观上出于公心，没有以权谋私"),
        (ClauseKind.SITUATION, 1, "在推进重点工作、重点项目中，因不可抗力因素导致未完成预期目标的"),
        (ClauseKind.EXCLUSION, 1, "违反廉政纪律，存在以权谋私问题的"),
    ]:
        PolicyClause.objects.create(document=policy, kind=kind, number=number, text=text)
    staff, leader = world.users["staff_a"], world.users["leader"]
    case = ToleranceCase.objects.create(
        title="城关镇防汛物资调拨超范围使用问题", unit=world.township_a,
        matter="城关镇在防汛抢险中紧急调拨储备物资用于群众转移安置，超出原定使用范围",
        error_date=datetime.date(2026, 7, 18), losses_impact="物资账目短期不符，未造成经济损失",
        accountability_body="中共清河县纪律检查委员会", origin="accountability", policy=policy,
        stage=Stage.FEEDBACK, stage_owner=staff, stage_deadline=datetime.date(2026, 12, 1), created_by=staff)
    other = CadreFactory(name="丙干部", unit=world.township_a, position="镇党委委员")
    cc_a = CaseCadre.objects.create(case=case, cadre=world.cadre_a, defence_statement="情况紧急，事后已补报。")
    cc_c = CaseCadre.objects.create(case=case, cadre=other, defence_statement="无异议。")
    determination = Determination.objects.create(
        case=case, decision_number=NUMBER, decided_on=DECIDED, deciding_body="中共清河县委员会",
        reasons="符合容错条件第1项、第2项和容错情形第1项。\n不存在不予容错情形。", recorded_by=leader,
        status="current")
    ruling_a = Ruling.objects.create(determination=determination, case_cadre=cc_a, outcome=Outcome.EXEMPT)
    Ruling.objects.create(determination=determination, case_cadre=cc_c, outcome=Outcome.LIGHTER,
                          final_sanction_type=sanction_type("政务处分", "警告"))
    waived = SanctionFactory(cadre=world.cadre_a, decided_by="清河县监委", document_number="清监〔2026〕9号")
    Consequence.objects.create(ruling=ruling_a, sanction=waived, effect=Effect.WAIVED)
    return case


def test_content_is_the_official_document(case):
    doc = documents.document_content(case, "determination")
    assert doc["header"] == doc["signature"] == "中共清河县委员会"
    assert doc["number"] == NUMBER
    assert doc["title"] == "容错认定书"
    assert doc["date"] == "2026年11月24日"
    assert doc["addressee"] == "清河县城关镇甲干部同志、清河县城关镇丙干部同志："
    text = "".join(p["text"] for p in doc["paragraphs"])
    assert "2026年7月18日，城关镇在防汛抢险中" in text
    assert "物资账目短期不符" in text
    # Book-title marks inside the policy title become 〈〉.
    assert "《清河县予以容错及不予容错的具体情形（〈关于激励干部担当作为的若干措施〉附件）》" in text
    assert "（一）甲干部同志（清河县城关镇副镇长）：免责。" in text
    assert "（二）丙干部同志（清河县城关镇党委委员）：从轻处理，最终给予警告（政务处分）。" in text
    assert "考核、考察、评先选优、职务职级晋升不受影响" in text
    assert "清河县监委2025年6月1日作出的记过（政务处分，清监〔2026〕9号）予以免除" in text
    assert "不存在不予容错情形。" in text
    assert [p["text"] for p in doc["paragraphs"] if p["heading"]] == [
        "一、基本事实", "二、适用政策和认定理由", "三、认定结论", "四、认定后果"]


def test_feedback_content_dates_and_rereview(case):
    doc = documents.document_content(case, "feedback", today=datetime.date(2026, 11, 30))
    assert doc["header"] == doc["signature"] == "中共清河县纪律检查委员会"
    assert doc["number"] == case.number
    assert doc["title"] == "容错认定结果书面反馈函"
    assert doc["date"] == "2026年11月30日"  # not sent yet: today
    text = "".join(p["text"] for p in doc["paragraphs"])
    assert f"于2026年11月24日作出认定（{NUMBER}）" in text
    assert "可自收到本函之日起30日内书面申请复核" in text
    # One paragraph per cadre: the outcome and what it means.
    assert "（一）甲干部同志（清河县城关镇副镇长）：免责。不作负面评价，" in text
    assert "（二）丙干部同志（清河县城关镇党委委员）：从轻处理，最终给予警告（政务处分）。影响期" in text
    case.feedback_date = datetime.date(2026, 12, 2)
    assert documents.document_content(case, "feedback")["date"] == "2026年12月2日"


@pytest.mark.parametrize("make_pdf", [documents.determination_pdf, documents.feedback_pdf])
def test_pdf_embeds_its_font_and_carries_the_text(case, make_pdf, tmp_path):
    pdf = make_pdf(case, watermark="测试 导出于 2026-01-01 00:00")
    assert pdf.startswith(b"%PDF")
    target = tmp_path / "doc.pdf"
    target.write_bytes(pdf)
    fonts = pdf_fonts(target)
    assert fonts, "PDF 中没有字体"
    # Columns: name type encoding emb sub uni object ID; every font embedded (as a subset).
    for row in fonts:
        assert row[-5] == "yes", f"字体未嵌入：{row}"
    assert any("WenQuanYi" in row[0] for row in fonts)
    text = pdf_text(target)
    for expected in ["甲干部", "丙干部", "免责", "从轻处理", "—1—"]:
        assert expected in text
    if make_pdf is documents.determination_pdf:
        assert NUMBER in text and "容错认定书" in text and "2026年11月24日" in text
    else:
        assert case.number in text and "容错认定结果书面反馈函" in text and "30日内" in text
    assert pdf_pages_png(target, tmp_path / "page"), "pdftoppm 未能渲染页面"


def test_no_current_determination_no_document(case):
    case.determinations.update(status="superseded")
    with pytest.raises(DomainError) as refused:
        documents.determination_pdf(case, watermark="测试")
    assert refused.value.message == "尚未作出认定，不能生成认定书。"
    with pytest.raises(DomainError):
        documents.feedback_pdf(case, watermark="测试")
    with pytest.raises(DomainError):
        documents.document_content(case, "determination")


def test_unknown_kind(case):
    with pytest.raises(ValueError):
        documents.document_content(case, "verdict")


def _get(view, user, case, kind):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return view(request, pk=case.pk, kind=kind)


def test_pdf_view_downloads_for_a_visible_case_only(case, world):
    response = _get(document_views.case_document_pdf, world.users["staff_a"], case, "determination")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert response.content.startswith(b"%PDF")
    for kind in ("determination", "feedback"):
        pdf = _get(document_views.case_document_pdf, world.users["staff_a"], case, kind).content
        assert_watermarked_on_every_page(pdf, world.users["staff_a"])
    for user in (world.users["staff_b"], world.users["officer_unassigned"]):
        with pytest.raises(Http404):
            _get(document_views.case_document_pdf, user, case, "determination")
    with pytest.raises(Http404):
        _get(document_views.case_document_pdf, world.users["staff_a"], case, "verdict")
    anonymous = _get(document_views.case_document_pdf, None, case, "feedback")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_print_page_shares_the_text_and_has_no_inline_code(case, world):
    response = _get(document_views.case_document, world.users["leader"], case, "feedback")
    assert response.status_code == 200
    html = response.content.decode()
    doc = documents.document_content(case, "feedback")
    for value in (doc["header"], doc["number"], doc["title"], doc["addressee"], doc["date"]):
        assert value in html
    assert 'id="print-button"' in html
    assert f"/tolerance/{case.pk}/documents/feedback/pdf/" in html
    assert "style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    with pytest.raises(Http404):
        _get(document_views.case_document, world.users["staff_b"], case, "feedback")


def test_print_page_explains_a_missing_determination(case, world):
    case.determinations.update(status="superseded")
    response = _get(document_views.case_document, world.users["staff_a"], case, "determination")
    assert response.status_code == 409
    assert "尚未作出认定，不能生成认定书。" in response.content.decode()


def test_long_document_one_cadre_not_tolerated(case, tmp_path):
    """A single cadre (no (一) numbering), the unit itself as an addressee, a long issuing
    body and a matter long enough to run over pages: the text breaks by line, nothing lost."""
    case.case_cadres.exclude(cadre__name="甲干部").delete()
    ruling = Ruling.objects.get(determination__case=case)
    ruling.outcome, ruling.final_sanction_type = Outcome.NOT_TOLERATED, None
    ruling.save()
    Consequence.objects.filter(ruling=ruling).update(effect=Effect.STANDS)
    case.concerns_unit = True
    case.matter = "\n".join(f"第{i}项：该镇在项目推进中未按规定履行集体决策程序，擅自调整资金用途，"
                            f"涉及金额ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ元。"
                            for i in range(1, 13))
    case.save()
    Determination.objects.filter(case=case).update(deciding_body="中共张垣市清河县城关镇委员会纪律检查委员会")
    doc = documents.document_content(case, "determination")
    assert doc["addressee"] == "清河县城关镇、清河县城关镇甲干部同志："
    text = "".join(p["text"] for p in doc["paragraphs"])
    assert "甲干部同志（清河县城关镇副镇长）：不予容错。" in text and "（一）" not in text
    assert "清监〔2026〕9号）维持。" in text
    target = tmp_path / "long.pdf"
    target.write_bytes(documents.render_pdf(doc, watermark="测试"))
    pdf = pdf_text(target)
    assert "第12项" in pdf and "—3—" in pdf and "不予容错" in pdf
    assert pdf_pages_png(target, tmp_path / "page")


@pytest.mark.parametrize("filler", range(17, 24))
def test_the_signature_and_date_never_sit_alone_on_the_last_page(tmp_path, filler):
    """Whatever the length, the last paragraph goes over with the signature and date."""
    from tolerance.documents import _para, render_pdf

    content = {"kind": "notice", "header": "中共清河县纪律检查委员会", "number": "清纪澄〔2026〕2号",
               "title": "澄清正名通知书", "addressee": "甲干部同志：",
               "paragraphs": [_para("段落文字" * 6) for _ in range(filler)] + [_para("最后一段正文。")],
               "signature": "中共清河县纪律检查委员会", "date": "2026年5月1日", "filename": "x.pdf"}
    path = tmp_path / "n.pdf"
    path.write_bytes(render_pdf(content, watermark="测试"))
    out = subprocess.run([poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    last_page = "".join(out.split("\f")[-2 if out.endswith("\f") else -1].split())
    assert "2026年5月1日" in last_page and "最后一段正文" in last_page
