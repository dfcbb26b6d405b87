import datetime
import io

import openpyxl

from core.xlsx import xlsx_write

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
           "\t=1+1"]


def test_user_text_is_written_as_text_never_as_a_formula_and_reads_back_unchanged():
    buffer = io.BytesIO()
    xlsx_write(buffer, [("名册", ["姓名"], ([text] for text in HOSTILE))], watermark="张三 导出于 2026-11-29 10:00")
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == HOSTILE
    assert all(c.data_type == "s" for c in cells)


def test_each_sheet_carries_the_watermark_in_its_header_and_dates_stay_dates():
    buffer = io.BytesIO()
    xlsx_write(buffer, [("一", ["日期"], [[datetime.date(2026, 3, 1)]]), ("二", ["x"], [])],
               watermark="R&D 王五 导出于 2026-11-29 10:00")
    buffer.seek(0)
    book = openpyxl.load_workbook(buffer)
    for sheet in book.worksheets:
        assert "王五 导出于 2026-11-29 10:00" in sheet.oddHeader.left.text
    assert book["一"]["A2"].value == datetime.datetime(2026, 3, 1)
