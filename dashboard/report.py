"""年度干部激励工作统计表: the dashboard's figures for a year and a unit subtree, as tables
in an official layout (PDF, in the style and font of tolerance.documents) and as Excel,
with the definition of every figure on the last page.

`build_report` is a plain function with a progress callback so that it can run as a
background job for the whole city; each subordinate unit's column costs one query per
record kind."""
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from itertools import groupby
from xml.sax.saxutils import escape

from cadres.models import Unit
from core.people import unit_label
from core.xlsx import xlsx_write
from dashboard.figures import FIGURES, FIGURES_BY_KEY, SECTIONS, figure_values
from dashboard.periods import Period
from dashboard.tables import TABLE_DEFINITIONS, compliance_table, quota_table, stage_days_table
from tolerance.documents import RED, _register_font, chinese_date

# The columns of the table by subordinate unit: the figures seed 003 and 004 report.
# How a clerk names the two downloads (job labels, audit details): never the file suffix.
FORMAT_LABELS = {"pdf": "PDF", "xlsx": "Excel"}

BY_UNIT_KEYS = [
    "cases_filed", "cases_exempt", "cases_lighter", "cases_reduced", "cases_not_tolerated",
    "allegations_received", "allegations_false", "allegations_framed", "allegations_referred", "notices_issued",
    "grades_优秀", "priorities_all", "promotions_made", "promotions_priority", "promotions_priority_share",
    "shortlist_two_excellent", "shortlist_township", "concerns_raised", "concerns_on_time", "follow_up_visits", "consultations_held",
]


@dataclass
class ReportTable:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    # The Excel sheet of a table by unit (the figures by section share the first sheet).
    sheet: str = ""
    # Printed on an A4 landscape page of its own (the table by unit: a column per figure).
    landscape: bool = False
    # Headers over runs of columns after the first, (title, how many): the sections.
    groups: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Report:
    unit: Unit
    year: int
    made_on: datetime.date
    tables: list[ReportTable]
    definitions: list[tuple[str, str, str]]  # (section, label, definition)

    @property
    def title(self) -> str:
        return f"{self.unit.qualified_name}{self.year}年度干部激励工作统计表"


def _change(value, previous) -> str:
    if previous is None:
        return "—"
    diff = value - previous
    return f"+{diff}" if diff > 0 else str(diff) if diff < 0 else "持平"


def build_report(*, user, unit: Unit, year: int, today: datetime.date,
                 progress: Callable[[int, int], None] | None = None, by_unit: bool = True) -> Report:
    period = Period(year)
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")) \
        if by_unit else []
    total = 1 + len(children)
    sections = figure_values(user=user, unit=unit, period=period, today=today, trend=False)
    if progress:
        progress(1, total)
    tables = []
    for n, section in enumerate(sections, 1):
        table = ReportTable(f"表{n}　{section.title}", ["指标", f"{year}年", f"{year - 1}年", "增减"])
        for v in section.values:
            if v.figure.live:
                table.rows.append([f"{v.figure.label}（截至{chinese_date(today)}）", v.value, "—", "—"])
            elif v.figure.ratio:
                table.rows.append([v.figure.label, v.shown, v.previous_shown,
                                   "—" if v.change is None else f"{v.change:+.1f}个百分点" if v.change else "持平"])
            else:
                table.rows.append([v.figure.label, v.value, v.previous, _change(v.value, v.previous)])
        tables.append(table)
    stage_days = stage_days_table(user=user, unit=unit, period=period)
    tables.append(ReportTable(
        f"表{len(tables) + 1}　容错纠错案件各阶段办理天数（{year}年办完的）", ["阶段", "办完次数", "中位天数", "时限（天）"],
        [[r.label, r.stays, r.median_shown, r.limit_days] for r in stage_days.rows], sheet="阶段用时"))
    quota = quota_table(user=user, unit=unit, year=year, limit=None)
    if quota.rows:
        tables.append(ReportTable(
            f"表{len(tables) + 1}　优秀等次名额使用及等次分布情况（{year}年）",
            ["考核单位", "参加考核人数", "评定优秀", "允许名额", "最高名额", *quota.grade_headers],
            [[r.unit_name, r.assessed, r.excellent, r.allowed, r.ceiling, *r.grades] for r in quota.rows]
            + [[f"合计（{quota.units}个单位）", quota.assessed, quota.excellent, quota.allowed, "—", *quota.grades]],
            sheet="优秀名额"))
    care = compliance_table(user=user, unit=unit, year=year, today=today)
    if care.rows and care.headers:
        tables.append(ReportTable(
            f"表{len(tables) + 1}　关心关爱任务完成情况（{year}年，未完成／应完成）", ["单位", *care.headers],
            [[r.label, *(f"{c.behind}／{c.total}" for c in r.cells)] for r in [*care.rows, care.total]],
            sheet="关爱任务"))
    if children:
        keys = set(BY_UNIT_KEYS)
        titles = dict(SECTIONS)
        groups = [(titles[section], len(list(run))) for section, run in
                  groupby(FIGURES_BY_KEY[k].section for k in BY_UNIT_KEYS)]
        by_unit = ReportTable(f"表{len(tables) + 1}　分单位主要指标（{year}年）",
                              ["单位"] + [FIGURES_BY_KEY[k].label for k in BY_UNIT_KEYS], sheet="分单位",
                              landscape=True, groups=groups)
        for i, child in enumerate(children, 2):
            # A share as shown (with %, or — without promotions); counts as numbers.
            values = {v.figure.key: v.shown if v.figure.ratio else v.value
                      for s in figure_values(user=user, unit=child, period=period, today=today, trend=False,
                                             only=keys) for v in s.values}
            by_unit.rows.append([child.qualified_name] + [values[k] for k in BY_UNIT_KEYS])
            if progress:
                progress(i, total)
        tables.append(by_unit)
    section_titles = {s.key: s.title for s in sections}
    definitions = [(section_titles.get(f.section, ""), f.label, f.definition) for f in FIGURES]
    for section, label, definition in TABLE_DEFINITIONS:
        at = max((i for i, d in enumerate(definitions) if d[0] == section_titles.get(section)), default=len(definitions) - 1)
        definitions.insert(at + 1, (section_titles.get(section, ""), label, definition))
    return Report(unit=unit, year=year, made_on=today, tables=tables, definitions=definitions)


# ------------------------------------------------------------------------------ PDF

def report_pdf(report: Report, *, watermark: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        HRFlowable,
        KeepTogether,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    from core.pdf import watermarked_canvas

    font = _register_font()
    red = colors.HexColor(RED)
    page_w, page_h = A4
    top, left, right, bottom = 37 * mm, 28 * mm, 26 * mm, 35 * mm
    width = page_w - left - right
    # The landscape page of the table by unit: the same side margins turned, a narrower top.
    land_w, land_h = landscape(A4)
    land_top, land_bottom = 25 * mm, 25 * mm
    land_width = land_w - left - right
    title_style = ParagraphStyle("title", fontName=font, fontSize=22, leading=32, alignment=1, textColor=red,
                                 wordWrap="CJK")
    sub_style = ParagraphStyle("sub", fontName=font, fontSize=12, leading=18, alignment=1, wordWrap="CJK")
    # A heading never ends a page: it goes with the table or definitions under it.
    head_style = ParagraphStyle("head", fontName=font, fontSize=14, leading=22, spaceBefore=8, spaceAfter=4,
                                wordWrap="CJK", keepWithNext=1)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    small_style = ParagraphStyle("small", fontName=font, fontSize=8, leading=10, wordWrap="CJK", alignment=1)
    def_style = ParagraphStyle("def", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK",
                               leftIndent=0, spaceAfter=3)

    def grid(table: ReportTable, wide: bool, width: float = width):
        style = small_style if wide else cell_style
        data = [[Paragraph(escape(str(h)), style) for h in table.headers]]
        spans = []
        if table.groups:
            # A row of section titles over their columns; the first column's header spans both rows.
            row, column = [data[0][0]], 1
            for title, n in table.groups:
                row += [Paragraph(escape(title), style)] + [""] * (n - 1)
                spans.append(("SPAN", (column, 0), (column + n - 1, 0)))
                column += n
            data = [row, [""] + data[0][1:]]
            spans.append(("SPAN", (0, 0), (0, 1)))
        for row in table.rows:
            data.append([Paragraph(escape(str(c)), style if i == 0 else ParagraphStyle(
                "num", parent=style, alignment=2 if not wide else 1)) for i, c in enumerate(row)])
        if wide:
            first = (32 if table.landscape else 24) * mm
            widths = [first] + [(width - first) / (len(table.headers) - 1)] * (len(table.headers) - 1)
        else:
            widths = [width * 0.52, width * 0.16, width * 0.16, width * 0.16]
        header_rows = 2 if table.groups else 1
        t = Table(data, colWidths=widths, repeatRows=header_rows)
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#f2f2f2")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            # Narrow columns of a wide table: the text, not the padding, gets the width.
            *([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)] if wide else []),
            *spans,
        ]))
        return t

    story = [
        Paragraph(escape(report.title), title_style),
        Spacer(width, 2 * mm),
        HRFlowable(width="100%", thickness=1.2, color=red, spaceBefore=0, spaceAfter=2 * mm),
        Paragraph(f"统计范围：{escape(unit_label(report.unit))}（含下级单位）　统计年度：{report.year}年　"
                  f"制表日期：{chinese_date(report.made_on)}", sub_style),
        Spacer(width, 4 * mm),
    ]
    for table in report.tables:
        wide = len(table.headers) > 4
        if table.landscape:
            story += [NextPageTemplate("landscape"), PageBreak(), Paragraph(table.title, head_style),
                      grid(table, wide, land_width), NextPageTemplate("page")]
            continue
        story.append(KeepTogether([Paragraph(table.title, head_style), grid(table, wide)])
                     if len(table.rows) < 25 else Paragraph(table.title, head_style))
        if len(table.rows) >= 25:
            story.append(grid(table, wide))
    story.append(PageBreak())
    story.append(Paragraph("指标说明", ParagraphStyle("defs", parent=title_style, textColor=colors.black,
                                                   fontSize=16, leading=26)))
    story.append(Spacer(width, 3 * mm))
    current = None
    for section, label, definition in report.definitions:
        if section != current:
            story.append(Paragraph(section, head_style))
            current = section
        story.append(Paragraph(f"<b>{label}</b>：{definition}", def_style))
    story.append(Spacer(width, 4 * mm))
    story.append(Paragraph("说明：每项数字均可在系统“领导驾驶舱”中点击打开其对应的记录清单核对；"
                           "统计口径以本页说明为准。", def_style))

    def page_number(canvas, doc, *, page_width=page_w, foot=bottom):
        canvas.saveState()
        canvas.setFont(font, 14)
        label = f"— {doc.page} —"
        y = foot - 7 * mm - 14 * 0.8
        if doc.page % 2:
            canvas.drawRightString(page_width - right, y, label)
        else:
            canvas.drawString(left, y, label)
        canvas.restoreState()

    def landscape_page_number(canvas, doc):
        page_number(canvas, doc, page_width=land_w, foot=land_bottom)

    buffer = BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, topMargin=top, bottomMargin=bottom, leftMargin=left,
                          rightMargin=right, title=report.title, author=report.unit.qualified_name, creator="担当")
    frame = Frame(left, bottom, width, page_h - top - bottom, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="text")
    land_frame = Frame(left, land_bottom, land_width, land_h - land_top - land_bottom, leftPadding=0, rightPadding=0,
                       topPadding=0, bottomPadding=0, id="land")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=page_number),
                          PageTemplate(id="landscape", frames=[land_frame], onPage=landscape_page_number,
                                       pagesize=landscape(A4))])
    doc.build(story, canvasmaker=watermarked_canvas(watermark))
    return buffer.getvalue()


# ------------------------------------------------------------------------------ Excel

def report_xlsx(report: Report, path_or_file, *, watermark: str) -> None:
    """Sheets: the figures by section (with last year's), each table of its own (优秀名额,
    关爱任务, the table by subordinate unit), and the definitions. Written by core.xlsx: unit names stay text, never formulas."""
    figures = [[table.title.split("　", 1)[-1], *row] for table in report.tables if not table.sheet
               for row in table.rows]
    sheets = [("统计表", ["类别", "指标", f"{report.year}年", f"{report.year - 1}年", "增减"], figures)]
    sheets += [(table.sheet, table.headers, table.rows) for table in report.tables if table.sheet]
    sheets.append(("指标说明", ["类别", "指标", "统计口径"], report.definitions))
    xlsx_write(path_or_file, sheets, watermark=f"{report.title}　{watermark}", column_widths={0: 14, 1: 40, 2: 60})
