"""The 干部任免审批表 as a PDF in the standard two-page layout of the 中组部 form: A4, a
bordered grid, the photo box top right, the 简历 cell filling page 1; page 2 with 奖惩情况,
年度考核结果, 任免理由, the 家庭主要成员及重要社会关系 table, 呈报单位, 审批机关意见 and
行政机关任免意见, then 填表人 and 填表时间.

Text that does not fit its cell shrinks (down to 7 pt); what still does not fit continues on
a 续页 after page 2, and the cell says so: nothing is cut off silently.

The font is the bundled WenQuanYi Micro Hei, registered (and embedded) by the tolerance
documents' helper, so every PDF of the product uses the same registration."""
import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from appointment.lrmx import RESUME_LINE
from core.pdf import watermarked_canvas
from tolerance.documents import _register_font

PAGE_W, PAGE_H = A4
LEFT = 20 * mm
WIDTH = 170 * mm
TOP = 18 * mm
LABEL_SIZE = 12
VALUE_SIZE = 12
MIN_SIZE = 7
PAD = 1.5 * mm
LEADING = 1.3
FAMILY_ROWS = 7
MAX_FAMILY_ROWS = 12
RESUME_DATES = "2000.09--2004.07 "


@dataclass
class Overflow:
    """Lines that did not fit a cell, printed on the 续页."""

    items: list[tuple[str, list[str]]] = field(default_factory=list)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for char in paragraph:
            w = stringWidth(char, font, size)
            if used + w > width and line:
                lines.append(line)
                line, used = "", 0.0
            line += char
            used += w
        lines.append(line)
    return lines


class FormCanvas:
    def __init__(self, out, watermark: str):
        self.font = _register_font()
        self.c = watermarked_canvas(watermark)(out, pagesize=A4, pageCompression=1)
        self.c.setTitle("干部任免审批表")

    # Coordinates: x from the left edge of the table, y from the top of the page, in points.
    def rect(self, x, y, w, h):
        self.c.setLineWidth(0.8)
        self.c.rect(LEFT + x, PAGE_H - y - h, w, h)

    def text_at(self, s, x, y, size, *, center_w=None):
        self.c.setFont(self.font, size)
        if center_w is not None:
            x += (center_w - stringWidth(s, self.font, size)) / 2
        self.c.drawString(LEFT + x, PAGE_H - y - size, s)

    def label(self, text, x, y, w, h, *, size=LABEL_SIZE):
        """A label cell: bordered, its lines centred; shrinks to fit."""
        self.rect(x, y, w, h)
        lines = text.split("\n")
        while size > MIN_SIZE and (max(stringWidth(s, self.font, size) for s in lines) > w - 2 * PAD
                                   or len(lines) * size * LEADING > h - PAD):
            size -= 0.5
        top = y + (h - len(lines) * size * LEADING) / 2 + (LEADING - 1) * size / 2
        for i, line in enumerate(lines):
            self.text_at(line, x, top + i * size * LEADING, size, center_w=w)

    def value(self, text, x, y, w, h, *, name="", overflow: Overflow | None = None, center=True,
              size=VALUE_SIZE, bottom_note=""):
        """A value cell: wrapped, centred when short, shrunk to fit; the rest to the 续页."""
        self.rect(x, y, w, h)
        text = (text or "").strip()
        if not text:
            return
        room = h - 2 * PAD - (size * LEADING * 2 if bottom_note else 0)
        if center:
            # A short entry (籍贯, 民族 …) shrinks a little to stay on its lines before it wraps.
            longest = max(stringWidth(part, self.font, size) for part in text.split("\n"))
            if longest > w - 2 * PAD:
                size = max(9.0, size * (w - 2 * PAD) / longest)
        while True:
            lines = _wrap(text, self.font, size, w - 2 * PAD)
            if len(lines) * size * LEADING <= room or size <= MIN_SIZE:
                break
            size -= 0.5
        fits = max(1, int(room // (size * LEADING)))
        if len(lines) > fits:
            shown, rest = lines[:fits - 1], lines[fits - 1:]
            shown.append("（转续页）")
            if overflow is not None:
                overflow.items.append((name, rest))
            lines = shown
        short_cell = h < 20 * mm and not bottom_note  # one-line rows (现任职务 …) centre vertically too
        top = y + (h - len(lines) * size * LEADING) / 2 if center or short_cell else y + PAD
        for i, line in enumerate(lines):
            if center:
                self.text_at(line, x, top + i * size * LEADING, size, center_w=w)
            else:
                self.text_at(line, x + PAD, top + i * size * LEADING, size)
        if bottom_note:
            for i, line in enumerate(reversed(bottom_note.split("\n"))):
                s = LABEL_SIZE - 1
                self.text_at(line, x + w - stringWidth(line, self.font, s) - 8 * mm, y + h - PAD - (i + 1) * s * LEADING, s)

    def resume(self, text, x, y, w, h, overflow: Overflow):
        """The 简历 cell: dates in a column, the words beside them with a hanging indent,
        （其间…） lines under the words."""
        self.rect(x, y, w, h)
        entries = []  # (dates, words)
        for line in (text or "").split("\n"):
            m = RESUME_LINE.match(line.strip())
            if m and not line.startswith(" "):
                entries.append((line.strip()[:m.start("text")].strip(), m["text"]))
            else:
                entries.append(("", line.strip()))
        size = VALUE_SIZE
        while True:
            indent = stringWidth(RESUME_DATES, self.font, size) + 2 * mm
            lines = []  # (dates, words)
            for dates, words in entries:
                wrapped = _wrap(words, self.font, size, w - 2 * PAD - indent)
                lines.append((dates, wrapped[0]))
                lines += [("", more) for more in wrapped[1:]]
            room = int((h - 2 * PAD) // (size * LEADING))
            if len(lines) <= room or size <= MIN_SIZE:
                break
            size -= 0.5
        if len(lines) > room:
            overflow.items.append(("简历", [f"{d}  {t}" if d else f"{' ' * 20}{t}" for d, t in lines[room - 1:]]))
            lines = lines[:room - 1] + [("", "（转续页）")]
        for i, (dates, words) in enumerate(lines):
            top = y + PAD + i * size * LEADING
            if dates:
                self.text_at(dates, x + PAD, top, size)
            self.text_at(words, x + PAD + indent, top, size)

    def photo(self, data, x, y, w, h):
        self.rect(x, y, w, h)
        if not data:
            self.text_at("照片", x, y + h / 2 - 6, 12, center_w=w)
            return
        try:
            image = ImageReader(io.BytesIO(data))
            iw, ih = image.getSize()
        except Exception:  # noqa: BLE001 - a stored photo that no longer reads: print the box empty
            self.text_at("照片", x, y + h / 2 - 6, 12, center_w=w)
            return
        scale = min((w - 4 * mm) / iw, (h - 4 * mm) / ih)
        dw, dh = iw * scale, ih * scale
        self.c.drawImage(image, LEFT + x + (w - dw) / 2, PAGE_H - y - (h + dh) / 2, dw, dh)

    def page(self):
        self.c.showPage()


def _title(fc: FormCanvas, text="干部任免审批表"):
    fc.text_at(" ".join(text), 0, TOP - 4 * mm, 22, center_w=WIDTH)


def _page_one(fc: FormCanvas, d, overflow: Overflow):
    cadre = d.cadre
    _title(fc)
    c = [20 * mm, 24 * mm, 18 * mm, 24 * mm, 22 * mm, 26 * mm]  # six columns, then the photo
    photo_w = WIDTH - sum(c)
    xs = [sum(c[:i]) for i in range(7)]
    y = TOP + 12 * mm
    row = 15 * mm
    cells = [
        [("姓  名", cadre.name), ("性  别", cadre.sex), ("出生年月\n（  岁）", d.birth_with_age)],
        [("民  族", cadre.ethnicity), ("籍  贯", cadre.native_place), ("出 生 地", cadre.birthplace)],
        [("入  党\n时  间", d.month(cadre.party_join_date)), ("参加工作\n时    间", d.month(cadre.work_start_date)),
         ("健康状况", cadre.health)],
    ]
    for r, triple in enumerate(cells):
        for k, (label, value) in enumerate(triple):
            fc.label(label, xs[2 * k], y + r * row, c[2 * k], row)
            fc.value(value, xs[2 * k + 1], y + r * row, c[2 * k + 1], row, name=label.replace("\n", ""),
                     overflow=overflow)
    r4 = y + 3 * row
    fc.label("专业技\n术职务", xs[0], r4, c[0], row)
    fc.value(cadre.professional_title, xs[1], r4, c[1] + c[2], row, name="专业技术职务", overflow=overflow)
    fc.label("熟悉专业\n有何专长", xs[3], r4, c[3], row)
    fc.value(cadre.speciality, xs[4], r4, c[4] + c[5], row, name="熟悉专业有何专长", overflow=overflow)
    fc.photo(d.photo, xs[6], y, photo_w, 4 * row)

    edu_y, edu_h = y + 4 * row, 16 * mm
    fc.label("学  历\n学  位", xs[0], edu_y, c[0], 2 * edu_h)
    for i, (kind, level, degree, school) in enumerate([
        ("全日制\n教  育", cadre.fulltime_education, cadre.fulltime_degree, cadre.fulltime_school),
        ("在  职\n教  育", cadre.inservice_education, cadre.inservice_degree, cadre.inservice_school),
    ]):
        ry = edu_y + i * edu_h
        fc.label(kind, xs[1], ry, c[1], edu_h)
        fc.value("\n".join(v for v in (level, degree) if v), xs[2], ry, c[2] + c[3], edu_h,
                 name=kind.replace("\n", "").replace(" ", "") + "学历学位", overflow=overflow)
        fc.label("毕业院校\n系及专业", xs[4], ry, c[4], edu_h)
        fc.value(school, xs[5], ry, c[5] + photo_w, edu_h, name="毕业院校系及专业", overflow=overflow, center=False)

    ry = edu_y + 2 * edu_h
    for label, value in (("现 任 职 务", d.current_position), ("拟 任 职 务", cadre.proposed_position),
                         ("拟 免 职 务", cadre.proposed_removal)):
        fc.label(label, xs[0], ry, c[0] + c[1], 13 * mm)
        fc.value(value, xs[2], ry, WIDTH - xs[2], 13 * mm, name=label.replace(" ", ""), overflow=overflow,
                 center=False)
        ry += 13 * mm
    bottom = PAGE_H - 15 * mm
    fc.label("简\n\n\n\n历", xs[0], ry, c[0], bottom - ry)
    fc.resume(d.resume, xs[1], ry, WIDTH - xs[1], bottom - ry, overflow)


def _page_two(fc: FormCanvas, d, overflow: Overflow):
    cadre = d.cadre
    label_w = 20 * mm
    y = TOP
    for label, value, h in (("奖\n惩\n情\n况", d.rewards, 36 * mm), ("年度考核\n结    果", d.grades, 20 * mm),
                            ("任\n免\n理\n由", cadre.appointment_reason, 24 * mm)):
        fc.label(label, 0, y, label_w, h)
        fc.value(value, label_w, y, WIDTH - label_w, h, name=label.replace("\n", "").replace(" ", ""),
                 overflow=overflow, center=False)
        y += h
    family = d.family
    rows = max(FAMILY_ROWS, min(len(family), MAX_FAMILY_ROWS))
    head_h, row_h = 10 * mm, min(9 * mm, 80 * mm / rows)
    fc.label("家\n庭\n主\n要\n成\n员\n及\n重\n要\n社\n会\n关\n系", 0, y, label_w, head_h + rows * row_h)
    widths = [16 * mm, 20 * mm, 12 * mm, 22 * mm]
    widths.append(WIDTH - label_w - sum(widths))
    xs = [label_w + sum(widths[:i]) for i in range(5)]
    for x, w, title in zip(xs, widths, ("称  谓", "姓  名", "年龄", "政治面貌", "工 作 单 位 及 职 务"), strict=True):
        fc.label(title, x, y, w, head_h)
    shown = family if len(family) <= MAX_FAMILY_ROWS else family[:MAX_FAMILY_ROWS - 1]
    for i in range(rows):
        ry = y + head_h + i * row_h
        member = shown[i] if i < len(shown) else None
        if member is None and i == len(shown) and len(family) > len(shown):
            values = ["", "", "", "", "（转续页）"]
        elif member is None:
            values = ["", "", "", "", ""]
        else:
            values = [member.relation, member.name, "" if member.age is None else str(member.age),
                      member.political_status, member.work_unit_post]
        for x, w, v in zip(xs, widths, values, strict=True):
            fc.value(v, x, ry, w, row_h, name="家庭主要成员及重要社会关系", overflow=overflow, center=x != xs[4])
    if len(family) > len(shown):
        overflow.items.append(("家庭主要成员及重要社会关系", [
            f"{m.relation}  {m.name}  {'' if m.age is None else m.age}  {m.political_status}  {m.work_unit_post}"
            for m in family[len(shown):]]))
    y += head_h + rows * row_h
    seal = "（盖章）\n年    月    日"
    fc.label("呈\n报\n单\n位", 0, y, label_w, 26 * mm)
    fc.value(cadre.reporting_unit, label_w, y, WIDTH - label_w, 26 * mm, name="呈报单位", overflow=overflow,
             center=False, bottom_note=seal)
    y += 26 * mm
    h = PAGE_H - 26 * mm - y
    half = (WIDTH - 2 * label_w) / 2
    fc.label("审\n批\n机\n关\n意\n见", 0, y, label_w, h)
    fc.value("", label_w, y, half, h)
    fc.text_at("（盖章）", label_w + half - 28 * mm, y + h - 14 * mm, 11)
    fc.text_at("年    月    日", label_w + half - 34 * mm, y + h - 8 * mm, 11)
    fc.label("行\n政\n机\n关\n任\n免\n意\n见", label_w + half, y, label_w, h)
    fc.value("", 2 * label_w + half, y, half, h)
    fc.text_at("（盖章）", WIDTH - 28 * mm, y + h - 14 * mm, 11)
    fc.text_at("年    月    日", WIDTH - 34 * mm, y + h - 8 * mm, 11)
    filled = d.filled_on
    fc.text_at(f"填表人：{cadre.form_filler}", 0, PAGE_H - 23 * mm, 11)
    fc.text_at(f"填表时间：{filled.year}年{filled.month}月{filled.day}日", WIDTH - 55 * mm, PAGE_H - 23 * mm, 11)


def _continuation(fc: FormCanvas, d, overflow: Overflow):
    """续页: what did not fit its cell, under the cell's name, as many pages as it takes."""
    size = 10
    y = None
    for name, lines in overflow.items:
        wrapped = [w for line in lines for w in _wrap(line, fc.font, size, WIDTH - 4 * PAD)]
        for i, line in enumerate([f"{name}（续）", *wrapped]):
            if y is None or y > PAGE_H - 20 * mm:
                if y is not None:
                    fc.page()
                _title(fc, "干部任免审批表续页")
                fc.text_at(f"姓名：{d.cadre.name}", 0, TOP + 6 * mm, 11)
                y = TOP + 14 * mm
            fc.text_at(line, PAD if i == 0 else 3 * PAD, y, size + (1 if i == 0 else 0))
            y += size * 1.5
        y += size
    fc.page()


def render_form(fc: FormCanvas, d) -> None:
    overflow = Overflow()
    _page_one(fc, d, overflow)
    fc.page()
    _page_two(fc, d, overflow)
    fc.page()
    if overflow.items:
        _continuation(fc, d, overflow)


def form_pdf(datas, progress=None, total=None, *, watermark: str) -> bytes:
    """One PDF with each cadre's form (two pages, and a 续页 where text overflowed)."""
    out = io.BytesIO()
    write_forms(datas, out, progress=progress, total=total, watermark=watermark)
    return out.getvalue()


def write_forms(datas, out, progress=None, total=None, *, watermark: str) -> int:
    """Stream the forms into `out` (a file or buffer): the batch print's plain function."""
    fc = FormCanvas(out, watermark)
    count = 0
    for d in datas:
        render_form(fc, d)
        count += 1
        if progress:
            progress(count, total)
    fc.c.save()
    return count
