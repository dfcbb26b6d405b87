"""Printable documents of a tolerance case: the 容错认定书 and the 容错认定结果书面反馈函.

One source of text (`document_content`) feeds both the print page and the PDF. The PDF
follows the layout of Party and government official documents (GB/T 9704-2012): A4, text
block 156 x 225 mm (margins 37 top, 28 left, 26 right, 35 bottom), the issuing body in red,
the document number centred under it, a red separator line, the title centred, the addressee,
body paragraphs indented two characters, the signature and the date (no seal: signature
right-spaced two characters, date starting two characters further right) and page numbers
"— 1 —" (odd pages right, even pages left).

The PDF embeds a subset of the bundled WenQuanYi Micro Hei (static/fonts), so it renders
the same on every reader."""
import datetime
import re
from io import BytesIO
from pathlib import Path

from django.db.models import Prefetch
from django.utils import timezone

from core.errors import DomainError
from tolerance.models import Consequence, Effect, Outcome, ToleranceCase
from tolerance.selectors import current_determination

FONT_NAME = "WQY"
FONT_PATH = Path(__file__).resolve().parent.parent / "static" / "fonts" / "wqy-microhei.ttc"

KINDS = {
    "determination": "容错认定书",
    "feedback": "容错认定结果书面反馈函",
}
NO_DETERMINATION = {
    "determination": "尚未作出认定，不能生成认定书。",
    "feedback": "尚未作出认定，不能生成反馈函。",
}
REREVIEW_DAYS = 30
FOUR_UNAFFECTED = "“四个不受影响”：考核、考察、评先选优、职务职级晋升不受影响"
CN_NUMERALS = "一二三四五六七八九十"

RED = "#d40000"


# ---------------------------------------------------------------------------- text

def chinese_date(d: datetime.date) -> str:
    """2026年11月24日 (GB/T 9704-2012: Arabic numerals, no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_number(n: int) -> str:
    if n <= 10:
        return CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + CN_NUMERALS[n - 11]
    tens, units = divmod(n, 10)
    return CN_NUMERALS[tens - 1] + "十" + (CN_NUMERALS[units - 1] if units else "")


def _book_title(title: str) -> str:
    """《…》 around a title; book-title marks inside it become 〈…〉 (nested quotation rule)."""
    title = title.strip().strip("《》")
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；…”" else text + "。"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\r\n]+", text or "") if line.strip()]


def _heading(text):
    return {"text": text, "heading": True}


def _para(text):
    return {"text": text, "heading": False}


# A post written after its unit drops the unit's kind once: 城关镇 + 镇党委委员 reads
# 城关镇党委委员 (never 城关镇镇党委委员), while 城关镇 + 镇长 stays 城关镇镇长.
_ORGANS = ("党委", "人大", "人民政府", "政府", "纪委")


def _post(unit_name: str, position: str) -> str:
    position = position or ""
    if position.startswith(unit_name):
        return position
    if unit_name and position[:1] == unit_name[-1] and position[1:].startswith(_ORGANS):
        position = position[1:]
    return f"{unit_name}{position}"


def _cadre_label(cc) -> str:
    cadre = cc.cadre
    return f"{cadre.name}同志（{_post(cadre.unit.qualified_name, cadre.position)}）"


def _sanction_type_label(sanction_type) -> str:
    return f"{sanction_type.name}（{sanction_type.get_category_display()}）"


def _record_label(consequence) -> str:
    if consequence.sanction_id:
        s = consequence.sanction
        number = f"，{s.document_number}" if s.document_number else ""
        return (f"{s.decided_by}{chinese_date(s.decision_date)}作出的"
                f"{s.sanction_type.name}（{s.sanction_type.get_category_display()}{number}）")
    m = consequence.measure
    return f"{m.by_whom}{chinese_date(m.date)}采取的“{m.get_kind_display()}”措施"


def _outcome_text(ruling) -> str:
    """免责。 / 从轻处理，最终给予记过（政务处分）。 / 不予容错。"""
    label = ruling.get_outcome_display()
    if ruling.outcome in (Outcome.LIGHTER, Outcome.REDUCED) and ruling.final_sanction_type_id:
        return f"{label}，最终给予{_sanction_type_label(ruling.final_sanction_type)}。"
    return f"{label}。"


def _consequence_text(ruling) -> str:
    """What the ruling means for the cadre, from the outcome and the registry records it
    touched (active Consequence rows)."""
    parts = []
    if ruling.outcome == Outcome.EXEMPT:
        parts.append(f"不作负面评价，{FOUR_UNAFFECTED}。")
    elif ruling.outcome in (Outcome.LIGHTER, Outcome.REDUCED) and ruling.final_sanction_type_id:
        months = ruling.final_sanction_type.influence_months
        if months:
            parts.append(f"影响期按{ruling.final_sanction_type.name}执行，为{months}个月。")
    else:
        parts.append("按有关规定处理。")
    for consequence in ruling.active_consequences:
        record = _record_label(consequence)
        parts.append({
            Effect.WAIVED: f"{record}予以免除。",
            Effect.PRODUCED: f"依本认定作出{record}。",
            Effect.STANDS: f"{record}维持。",
            Effect.REPLACED: f"{record}由本次{ruling.get_outcome_display()}结论替代。",
        }[consequence.effect])
    return "".join(parts)


def _rulings(determination):
    return list(
        determination.rulings.select_related("case_cadre__cadre__unit", "final_sanction_type")
        .prefetch_related(Prefetch(
            "consequences", to_attr="active_consequences",
            queryset=Consequence.objects.filter(active=True)
            .select_related("sanction__sanction_type", "measure").order_by("id"),
        ))
        .order_by("case_cadre_id")
    )


def _enumerate(items: list[str]) -> list[str]:
    """(一)(二)… only when there is more than one item."""
    if len(items) == 1:
        return items
    return [f"（{_cn_number(i)}）{text}" for i, text in enumerate(items, start=1)]


def _addressee(case: ToleranceCase, rulings) -> str:
    names = [f"{r.case_cadre.cadre.unit.qualified_name}{r.case_cadre.cadre.name}同志" for r in rulings]
    if case.concerns_unit:
        names.insert(0, case.unit.qualified_name)
    return "、".join(names) + "："


def _filename(kind: str, number: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{KINDS[kind]}-{number}") + ".pdf"


def _subjects(case, rulings) -> str:
    names = "、".join(f"{r.case_cadre.cadre.name}同志" for r in rulings)
    return f"{case.unit.qualified_name}及{names}" if case.concerns_unit else names


def document_content(case: ToleranceCase, kind: str, *, today: datetime.date | None = None) -> dict:
    """The document as data: header, number, title, addressee, paragraphs ({text, heading}),
    signature, date, plus kind and filename. Raises DomainError without a current
    determination and ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind: {kind!r}")
    determination = current_determination(case)
    if determination is None:
        raise DomainError(NO_DETERMINATION[kind])
    rulings = _rulings(determination)
    policy = _book_title(case.policy.title)
    subjects = _subjects(case, rulings)
    outcomes = _enumerate([f"{_cadre_label(r.case_cadre)}：{_outcome_text(r)}" for r in rulings])
    consequences = _enumerate([f"{r.case_cadre.cadre.name}同志：{_consequence_text(r)}" for r in rulings])

    if kind == "determination":
        matter = _lines(case.matter) or [""]
        paragraphs = [
            _para(f"根据{policy}有关规定，{determination.deciding_body}对“{case.title}”中{subjects}"
                  f"的容错问题进行了研究认定。现将认定情况告知如下。"),
            _heading("一、基本事实"),
            _para(_sentence(f"{chinese_date(case.error_date)}，{matter[0]}")),
            *[_para(_sentence(line)) for line in matter[1:]],
        ]
        losses = _lines(case.losses_impact)
        if losses:
            paragraphs.append(_para(_sentence(f"造成的损失和影响：{losses[0]}")))
            paragraphs += [_para(_sentence(line)) for line in losses[1:]]
        paragraphs += [
            _heading("二、适用政策和认定理由"),
            _para(f"本案适用{policy}。"),
            *[_para(_sentence(line)) for line in _lines(determination.reasons)],
            _heading("三、认定结论"),
            *[_para(text) for text in outcomes],
            _heading("四、认定后果"),
            *[_para(text) for text in consequences],
            _para(f"当事人对认定结论有异议的，可自收到书面反馈之日起{REREVIEW_DAYS}日内申请复核。"),
        ]
        return {
            "kind": kind,
            "header": determination.deciding_body,
            "number": determination.decision_number,
            "title": KINDS[kind],
            "addressee": _addressee(case, rulings),
            "paragraphs": paragraphs,
            "signature": determination.deciding_body,
            "date": chinese_date(determination.decided_on),
            "filename": _filename(kind, determination.decision_number),
        }

    dated = case.feedback_date or today or timezone.localdate()
    paragraphs = [
        _para(f"关于“{case.title}”中{subjects}的容错问题，{determination.deciding_body}已于"
              f"{chinese_date(determination.decided_on)}作出认定（{determination.decision_number}）。"
              f"根据{policy}有关规定，现将认定结果书面反馈如下："),
        *[_para(text) for text in _enumerate(
            [f"{_cadre_label(r.case_cadre)}：{_outcome_text(r)}{_consequence_text(r)}" for r in rulings])],
        _para(f"如对认定结果有异议，可自收到本函之日起{REREVIEW_DAYS}日内书面申请复核。"),
        _para("特此函告。"),
    ]
    return {
        "kind": kind,
        "header": case.accountability_body,
        "number": case.number,
        "title": KINDS[kind],
        "addressee": _addressee(case, rulings),
        "paragraphs": paragraphs,
        "signature": case.accountability_body,
        "date": chinese_date(dated),
        "filename": _filename(kind, case.number),
    }


# ----------------------------------------------------------------------------- PDF

# Chinese line-breaking rules (GB/T 15834 标点符号用法): these never start a line…
CANNOT_START = set("，。、；：？！）》〉」』】〕］｝”’…—·%‰,.;:?!)]}")
# …and these never end one.
CANNOT_END = set("（《〈「『【〔［｛“‘([{")
UNIT = re.compile(r"[0-9A-Za-z.%/\-]+|\s|.")  # a run of Latin letters and digits stays whole


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        # A TrueType font is always embedded (as a subset of the glyphs used).
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def _grid_text_class():
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    class GridText(Flowable):
        """Text set on the character grid of official documents: full-width characters
        advance by `advance` (156 mm / 28 for body text), lines are justified on both ends
        except the last, and the line-breaking rules above hold. Splits across pages by
        line. ReportLab's own CJK wrapping lets a line start with "，" or "："."""

        def __init__(self, text, *, font, size, leading, advance=None, first_indent=0.0, left=0.0,
                     align="justify", color=None, keep_with_next=False, lines=None):
            super().__init__()
            self.text, self.font, self.size, self.leading = text, font, size, leading
            self.advance = advance or size
            self.first_indent, self.left, self.align, self.color = first_indent, left, align, color
            self.keepWithNext = keep_with_next
            self._lines, self._for_width = lines, None if lines is None else -1

        def _width(self, unit):
            w = stringWidth(unit, self.font, self.size)
            return self.advance if len(unit) == 1 and w >= self.size * 0.99 else w

        def _units(self):
            units = []
            for unit in UNIT.findall(self.text):
                w = self._width(unit)
                if len(unit) > 1 and not unit.isspace():
                    units.append((unit, w))
                else:
                    units.append((" " if unit.isspace() else unit, w))
            return units

        def _layout(self, width):
            """[(units, x0, available width, last line?)]"""
            units, lines, i = self._units(), [], 0
            while i < len(units):
                while lines and i < len(units) and units[i][0] == " ":
                    i += 1  # no space at the start of a continuation line
                x0 = self.left + (self.first_indent if not lines else 0)
                avail = width - x0
                j, used = i, 0.0
                while j < len(units) and used + units[j][1] <= avail + 0.01:
                    used += units[j][1]
                    j += 1
                if j == i:  # a Latin run wider than the line: break it by characters
                    text, _ = units[i]
                    k = 1
                    while k < len(text) and stringWidth(text[:k + 1], self.font, self.size) <= avail:
                        k += 1
                    units[i:i + 1] = [(text[:k], stringWidth(text[:k], self.font, self.size)),
                                      (text[k:], stringWidth(text[k:], self.font, self.size))]
                    continue
                rest = avail - used
                if j < len(units) and units[j][1] > 4 * self.advance and rest > self.advance:
                    # A long Latin run would leave a gappy line: fill the line with its start.
                    text, k = units[j][0], 0
                    while k < len(text) - 1 and stringWidth(text[:k + 1], self.font, self.size) <= rest:
                        k += 1
                    if k:
                        units[j:j + 1] = [(text[:k], stringWidth(text[:k], self.font, self.size)),
                                          (text[k:], stringWidth(text[k:], self.font, self.size))]
                        continue
                if j < len(units):
                    b = j
                    # Pull characters down until the next line starts and this one ends legally.
                    while b > i + 1 and (units[b][0] in CANNOT_START or units[b - 1][0] in CANNOT_END):
                        b -= 1
                    j = b
                line = units[i:j]
                while line and line[-1][0] == " ":
                    line = line[:-1]
                lines.append((line, x0, avail, j >= len(units)))
                i = j
            return lines or [([], self.left + self.first_indent, width, True)]

        def wrap(self, availWidth, availHeight):
            if self._for_width != -1 and self._for_width != availWidth:
                self._lines, self._for_width = self._layout(availWidth), availWidth
            self.width = availWidth
            self.height = len(self._lines) * self.leading
            return availWidth, self.height

        def split(self, availWidth, availHeight):
            self.wrap(availWidth, availHeight)
            fit = int((availHeight + 0.01) // self.leading)
            if fit <= 0 or fit >= len(self._lines):
                return []
            if fit == 1 or len(self._lines) - fit == 1:  # no orphan or widow line
                fit = fit - 1 if fit > 2 else 0
                if fit == 0:
                    return []
            return [self._copy(self._lines[:fit]), self._copy(self._lines[fit:])]

        def _copy(self, lines):
            return GridText(self.text, font=self.font, size=self.size, leading=self.leading,
                            advance=self.advance, first_indent=self.first_indent, left=self.left,
                            align=self.align, color=self.color, lines=lines)

        def draw(self):
            canvas = self.canv
            canvas.saveState()
            canvas.setFont(self.font, self.size)
            if self.color is not None:
                canvas.setFillColor(self.color)
            # Baseline: the ideographs centred vertically in the line box.
            baseline = self.height - self.leading / 2 - self.size * 0.33
            for line, x0, avail, last in self._lines:
                used = sum(w for _, w in line)
                gap = 0.0
                if self.align == "center":
                    x0 += (avail - used) / 2
                elif self.align == "right":
                    x0 += avail - used
                elif self.align == "justify" and not last and len(line) > 1:
                    gap = (avail - used) / (len(line) - 1)
                x = x0
                for unit, w in line:
                    if unit != " ":
                        # Full-width glyphs are centred in their grid cell.
                        canvas.drawString(x + (w - stringWidth(unit, self.font, self.size)) / 2, baseline, unit)
                    x += w + gap
                baseline -= self.leading
            canvas.restoreState()

    return GridText


def render_pdf(content: dict, *, watermark: str) -> bytes:
    """`watermark`: who produced it and when, on every page (core.pdf)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import BaseDocTemplate, Frame, HRFlowable, KeepTogether, PageTemplate, Spacer

    from core.pdf import watermarked_canvas

    GridText = _grid_text_class()
    font = _register_font()
    red = colors.HexColor(RED)
    page_w, page_h = A4
    top, left, right, bottom = 37 * mm, 28 * mm, 26 * mm, 35 * mm
    width = page_w - left - right  # 156 mm
    size = 16  # 三号
    leading = (page_h - top - bottom) / 22  # 22 lines a page
    char = width / 28  # 28 characters a line

    def text(value, **kwargs):
        options = {"font": font, "size": size, "leading": leading, "advance": char}
        options.update(kwargs)
        return GridText(value, **options)

    header_text = content["header"]
    header_size = min(36, (width - 2 * char) / max(stringWidth(header_text, font, 1), 1))
    title_size = 22  # 二号

    story = [
        Spacer(width, 10 * mm),
        text(header_text, size=header_size, advance=header_size, leading=header_size * 1.3, align="center",
             color=red),
        Spacer(width, leading * 0.5),
        text(content["number"], align="center"),
        Spacer(width, 4 * mm),
        HRFlowable(width="100%", thickness=1.2, color=red, spaceBefore=0, spaceAfter=0),
        Spacer(width, leading * 1.5),
        text(content["title"], size=title_size, advance=title_size, leading=title_size * 1.5, align="center"),
        Spacer(width, leading * 0.5),
        text(content["addressee"], keep_with_next=True),
    ]
    for p in content["paragraphs"]:
        story.append(text(p["text"], first_indent=2 * char, keep_with_next=p["heading"]))

    # Signature without a seal: right-spaced two characters; the date below it starts two
    # characters further right, itself right-spaced at least two characters.
    sig_w = sum(char if stringWidth(c, font, size) >= size * 0.99 else stringWidth(c, font, size)
                for c in content["signature"])
    date_w = sum(char if stringWidth(c, font, size) >= size * 0.99 else stringWidth(c, font, size)
                 for c in content["date"])
    block = max(sig_w, 2 * char + date_w)
    block_left = max(0, width - 2 * char - block)
    # The last paragraph stays with the signature and date (no page holding only the signature).
    # A closing formula of one line (特此函告。) is not enough to carry them: the paragraph
    # before it comes along too, so the last page never holds the closing and signature alone.
    paragraphs = content["paragraphs"]
    keep = 2 if len(paragraphs) >= 2 and len(paragraphs[-1]["text"]) <= 26 else min(1, len(paragraphs))
    last = story[len(story) - keep:] if keep else []
    del story[len(story) - keep:]
    story.append(KeepTogether([
        *last,
        Spacer(width, leading),
        text(content["signature"], left=block_left, align="left"),
        text(content["date"], left=min(block_left + 2 * char, max(0, width - date_w)), align="left"),
    ]))

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 14)  # 四号
        label = f"— {doc.page} —"
        y = bottom - 7 * mm - 14 * 0.8  # 7 mm below the text block
        if doc.page % 2:
            canvas.drawRightString(page_w - right - char, y, label)
        else:
            canvas.drawString(left + char, y, label)
        canvas.restoreState()

    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, topMargin=top, bottomMargin=bottom, leftMargin=left, rightMargin=right,
        initialFontName=font, initialFontSize=size,
        title=content["title"], author=content["signature"], subject=content["number"], creator="担当",
    )
    # The frame is exactly the text block (no padding), so the 28-character grid holds.
    frame = Frame(left, bottom, width, page_h - top - bottom, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="text")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=page_number)])
    doc.build(story, canvasmaker=watermarked_canvas(watermark))
    return buffer.getvalue()


def determination_pdf(case: ToleranceCase, *, watermark: str) -> bytes:
    return render_pdf(document_content(case, "determination"), watermark=watermark)


def feedback_pdf(case: ToleranceCase, *, watermark: str, today: datetime.date | None = None) -> bytes:
    return render_pdf(document_content(case, "feedback", today=today), watermark=watermark)


def document_pdf(case: ToleranceCase, kind: str, *, watermark: str) -> bytes:
    return render_pdf(document_content(case, kind), watermark=watermark)


FORM_PHRASES = {"meeting": "召开澄清会议", "notice": "印发正名通知书", "announcement": "发布公告"}


def _scope_phrase(scope: str) -> str:
    """在清河县城关镇全体干部大会上通报 / 在全县范围内通报."""
    scope = scope.strip()
    if scope.endswith(("会", "会议")):
        return f"在{scope}上通报"
    return f"在{scope}范围内通报"


def notice_content(notice) -> dict:
    """澄清正名通知书 (seed 000 Q7; seed 002 art. 11(3): 在一定范围内通报)."""
    a = notice.allegation
    cadre = notice.cadre
    paragraphs = [
        _para(f"{chinese_date(a.received_on)}，我们收到反映{_post(str(cadre.unit), cadre.position)}{cadre.name}同志"
              f"有关问题的{a.get_source_display()}。"),
        _heading("一、反映的问题"),
        *[_para(_sentence(line)) for line in _lines(notice.alleged)],
        _heading("二、核查结论"),
        *[_para(_sentence(line)) for line in _lines(notice.finding)],
    ]
    conclusion = a.get_conclusion_display()
    if conclusion not in notice.finding:  # the finding is stated once, in the clerk's words if they say it
        paragraphs.append(_para(f"经核查，反映{cadre.name}同志的问题{conclusion}。"))
    paragraphs += [
        _heading("三、澄清正名"),
        _para(f"为保护干部干事创业积极性，消除不良影响，现予以澄清正名，{FORM_PHRASES.get(notice.form, '')}，"
              f"并{_scope_phrase(notice.scope)}。"),
    ]
    if a.conclusion == "framed":
        paragraphs.append(_para("对诬告陷害者，将依纪依法追究责任。"))
    return {
        "kind": "notice",
        "header": notice.issuing_body,
        "number": notice.number,
        "title": "澄清正名通知书",
        "addressee": f"{cadre.name}同志：",
        "paragraphs": paragraphs,
        "signature": notice.issuing_body,
        "date": chinese_date(notice.issued_on),
        "filename": re.sub(r'[\\/:*?"<>|\s]+', "_", f"澄清正名通知书-{notice.number}") + ".pdf",
    }
