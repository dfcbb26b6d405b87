"""Every official paper read back from its PDF (issue 12): the issuing body's signature and
the date of writing (成文日期) are there, no word is doubled (在在, 镇镇), and the last page
never holds the closing, signature and date alone (GB/T 9704: the signature goes with the
text). The 干部任免审批表 has its own tests (tests/appointment/test_form_pdf.py)."""
import re
import subprocess

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.dashboard.test_figures import scenario  # noqa: F401  (fixture)
from tests.factories import CadreFactory
from tests.tolerance.builders import cleared_allegation
from tests.tolerance.test_documents import case, poppler  # noqa: F401  (fixture)
from tolerance import allegation_services, documents

# A doubled single character is often right across a word boundary (党委委员, 城关镇镇长);
# these never are. A doubled phrase of two or more characters always is.
NEVER_DOUBLED = ("在在", "的的", "了了", "和和", "对对", "予予", "于于", "并并", "为为", "经经", "现现")
DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
WATERMARK = "测试用户 2026-11-30 09:00 导出"


def pages_text(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page, whitespace removed (CJK lines wrap anywhere)."""
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return ["".join(page.split()) for page in out.split("\f") if page.strip()]


def doubled(text: str) -> list[str]:
    found = {m.group(0) for m in re.finditer(r"([\u4e00-\u9fff]{2,12})\1", text)}
    return sorted(found | {d for d in NEVER_DOUBLED if d in text})


def assert_official(pages, *, signature, date):
    text = "".join(pages)
    assert not doubled(text), doubled(text)
    # The signature and date close the paper: the last page, after the body.
    last = pages[-1]
    assert last.rfind(signature) > 0 and date in last and last.rfind(date) > last.rfind(signature)
    # Something of the body is on that page besides the closing formula and page number.
    body = re.sub(r"—\d+—", "", last[:last.rfind(signature)]).replace("特此函告。", "").replace("特此通知。", "")
    assert len(body) >= 20, f"末页只有署名和日期：{last}"


def test_the_determination_is_signed_dated_and_never_doubles_a_word(case, tmp_path):  # noqa: F811
    pages = pages_text(documents.determination_pdf(case, watermark=WATERMARK), tmp_path)
    assert_official(pages, signature="中共清河县委员会", date="2026年11月24日")
    # 城关镇 + 镇党委委员 is written once: 城关镇党委委员.
    assert "城关镇党委委员" in "".join(pages) and len(pages) == 2


def test_the_feedback_letter_keeps_its_closing_with_the_text_before_it(case, tmp_path):  # noqa: F811
    import datetime

    pages = pages_text(documents.feedback_pdf(case, today=datetime.date(2026, 11, 30), watermark=WATERMARK), tmp_path)
    assert_official(pages, signature="中共清河县纪律检查委员会", date="2026年11月30日")
    last = pages[-1]
    # 特此函告 never sits alone with the signature: the re-review paragraph comes with it.
    assert "可自收到本函之日起30日内书面申请复核" in last and "特此函告" in last


@pytest.mark.parametrize("findings", [1, 4, 7, 10, 13])
def test_the_clarification_notice_keeps_signature_and_date_with_its_last_paragraph(world, tmp_path, findings):
    # Findings of growing length move the page break through every line of the last page.
    _, notice = cleared_allegation(world)
    notice.finding = "\n".join(f"经核查，反映的第{i + 1}个问题与事实不符，相关款项均按规定程序审批发放" for i in range(findings))
    notice.save()
    pages = pages_text(documents.render_pdf(documents.notice_content(notice), watermark=WATERMARK), tmp_path)
    assert_official(pages, signature="中共清河县纪委", date="2026年4月25日")
    text = "".join(pages)
    assert "在在" not in text and "清纪澄〔2026〕1号" in text
    assert text.count("反映问题失实") <= 1  # the finding is stated once


def test_the_clarification_notice_prefilled_from_the_allegation_reads_once(world, tmp_path):
    _, notice = cleared_allegation(world)
    other = CadreFactory(name="丁干部", unit=world.township_a, position="镇党委委员")
    notice.allegation.subjects.add(other)
    notice2 = allegation_services.clarification_issue(
        allegation=notice.allegation, by=world.users["staff_a"], cadre=other, form="notice", scope="城关镇全体干部大会",
        issuing_body="中共清河县纪委", alleged="违规发放津补贴", finding="反映问题失实",
        issued_on=notice.issued_on)
    text = "".join(pages_text(documents.render_pdf(documents.notice_content(notice2), watermark=WATERMARK), tmp_path))
    assert "在城关镇全体干部大会上通报" in text and "在在" not in text
    assert "清河县城关镇党委委员丁干部同志" in text
    assert not doubled(text), doubled(text)


def test_the_year_end_report_is_dated_and_no_heading_ends_a_page(scenario, client, tmp_path):  # noqa: F811
    client_for(client, scenario.users["staff_a"])
    response = client.get(reverse("dashboard:report_pdf"), {"year": 2026})
    pages = pages_text(response.content, tmp_path)
    text = "".join(pages)
    assert "制表日期：" in text and DATE.search(text) and "统计范围：清河县（含下级单位）" in text
    # The prose (指标说明); a wide table's wrapped headers read back as one string.
    prose = text[text.index("指标说明"):]
    assert not doubled(prose), doubled(prose)
    headings = ["容错纠错", "澄清正名", "考核", "选拔", "关心关爱"]
    for page in pages:
        tail = re.sub(r"—\d+—$", "", page)
        assert not any(tail.endswith(h) for h in headings), f"标题落在页末：{tail[-30:]}"


def test_the_shortlist_prints_with_its_unit_target_and_date_and_without_the_controls(world, client):
    client_for(client, world.users["staff_a"])
    page = client.get(reverse("assessment:shortlist"), {"unit": world.township_a.pk, "target_rank": "副科级",
                                                        "on": "2026-11-30"}).content.decode()
    caption = re.search(r'<p class="d-none d-print-block[^>]*id="shortlist-caption">(.*?)</p>', page, re.S).group(1)
    assert "单位：清河县城关镇（含下级）" in caption and "拟任职级：副科级" in caption
    assert "研判日期：2026年11月30日" in caption
    assert 'id="shortlist-form"' in page and re.search(r'class="[^"]*d-print-none[^"]*" id="shortlist-form"', page)
