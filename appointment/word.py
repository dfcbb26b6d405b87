"""The 干部任免审批表 as a Word file (.docx) a clerk can still edit: the same two tables as
the PDF (appointment.pdf), from the same FormData, the cells merged as on the printed form.
Text is left to Word's own wrapping; rows grow as a clerk types."""
import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "宋体"


def _font(run, size=12):
    run.font.size = Pt(size)
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _set(cell, text, *, center=True, size=12):
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER if center else WD_CELL_VERTICAL_ALIGNMENT.TOP
    lines = (text or "").split("\n")
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.space_after = Pt(0)
        _font(paragraph.add_run(line), size)


def _table(document, rows, widths):
    table = document.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
    return table


def _height(row, mm):
    row.height = Mm(mm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def form_docx(d) -> bytes:
    cadre = d.cadre
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(15), Mm(15)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run("干 部 任 免 审 批 表"), 22)

    t = _table(document, 10, [20, 24, 18, 24, 22, 26, 36])
    rows = t.rows
    for label_cells in (
        [(0, 0, "姓  名"), (0, 1, cadre.name), (0, 2, "性  别"), (0, 3, cadre.sex), (0, 4, "出生年月\n（  岁）"),
         (0, 5, d.birth_with_age)],
        [(1, 0, "民  族"), (1, 1, cadre.ethnicity), (1, 2, "籍  贯"), (1, 3, cadre.native_place),
         (1, 4, "出 生 地"), (1, 5, cadre.birthplace)],
        [(2, 0, "入党时间"), (2, 1, d.month(cadre.party_join_date)), (2, 2, "参加工作\n时    间"),
         (2, 3, d.month(cadre.work_start_date)), (2, 4, "健康状况"), (2, 5, cadre.health)],
    ):
        for r, c, text in label_cells:
            _set(t.cell(r, c), text)
    _set(t.cell(3, 0), "专业技\n术职务")
    _set(t.cell(3, 1).merge(t.cell(3, 2)), cadre.professional_title)
    _set(t.cell(3, 3), "熟悉专业\n有何专长")
    _set(t.cell(3, 4).merge(t.cell(3, 5)), cadre.speciality)
    photo = t.cell(0, 6).merge(t.cell(3, 6))
    if d.photo:
        try:
            photo.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            photo.paragraphs[0].add_run().add_picture(io.BytesIO(d.photo), width=Mm(30))
        except Exception:  # noqa: BLE001 - a stored photo Word cannot take: leave the box for a print
            _set(photo, "照片")
    else:
        _set(photo, "照片")
    _set(t.cell(4, 0).merge(t.cell(5, 0)), "学  历\n学  位")
    for r, kind, level, degree, school in (
        (4, "全日制\n教  育", cadre.fulltime_education, cadre.fulltime_degree, cadre.fulltime_school),
        (5, "在  职\n教  育", cadre.inservice_education, cadre.inservice_degree, cadre.inservice_school),
    ):
        _set(t.cell(r, 1), kind)
        _set(t.cell(r, 2).merge(t.cell(r, 3)), "\n".join(v for v in (level, degree) if v))
        _set(t.cell(r, 4), "毕业院校\n系及专业")
        _set(t.cell(r, 5).merge(t.cell(r, 6)), school, center=False)
    for r, label, value in ((6, "现 任 职 务", d.current_position), (7, "拟 任 职 务", cadre.proposed_position),
                            (8, "拟 免 职 务", cadre.proposed_removal)):
        _set(t.cell(r, 0).merge(t.cell(r, 1)), label)
        _set(t.cell(r, 2).merge(t.cell(r, 6)), value, center=False)
    _set(t.cell(9, 0), "简\n\n\n\n历")
    _set(t.cell(9, 1).merge(t.cell(9, 6)), d.resume, center=False, size=11)
    for i, row in enumerate(rows):
        _height(row, 14 if i < 9 else 125)

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    family_rows = max(7, len(d.family))
    t2 = _table(document, 3 + 1 + family_rows + 2, [20, 16, 20, 12, 22, 80])
    for r, label, value, height in ((0, "奖\n惩\n情\n况", d.rewards, 36), (1, "年度考核\n结    果", d.grades, 20),
                                    (2, "任\n免\n理\n由", cadre.appointment_reason, 24)):
        _set(t2.cell(r, 0), label)
        _set(t2.cell(r, 1).merge(t2.cell(r, 5)), value, center=False)
        _height(t2.rows[r], height)
    first, last = 3, 3 + family_rows
    _set(t2.cell(first, 0).merge(t2.cell(last, 0)), "家庭主要成员及重要社会关系")
    for c, title_text in enumerate(("称  谓", "姓  名", "年龄", "政治面貌", "工作单位及职务"), start=1):
        _set(t2.cell(first, c), title_text)
    for i in range(family_rows):
        member = d.family[i] if i < len(d.family) else None
        values = ([member.relation, member.name, "" if member.age is None else str(member.age),
                   member.political_status, member.work_unit_post] if member else [""] * 5)
        for c, value in enumerate(values, start=1):
            _set(t2.cell(first + 1 + i, c), value, center=c != 5)
        _height(t2.rows[first + 1 + i], 9)
    r = last + 1
    _set(t2.cell(r, 0), "呈\n报\n单\n位")
    _set(t2.cell(r, 1).merge(t2.cell(r, 5)), f"{cadre.reporting_unit}\n\n（盖章）\n年    月    日", center=False)
    _height(t2.rows[r], 26)
    r += 1
    _set(t2.cell(r, 0), "审\n批\n机\n关\n意\n见")
    _set(t2.cell(r, 1).merge(t2.cell(r, 3)), "\n\n\n\n\n\n（盖章）\n年    月    日")
    _set(t2.cell(r, 4), "行\n政\n机\n关\n任\n免\n意\n见")
    _set(t2.cell(r, 5), "\n\n\n\n\n\n（盖章）\n年    月    日")
    _height(t2.rows[r], 50)
    filled = d.filled_on
    footer = document.add_paragraph()
    _font(footer.add_run(f"填表人：{cadre.form_filler}"
                         f"{' ' * 40}填表时间：{filled.year}年{filled.month}月{filled.day}日"), 11)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
