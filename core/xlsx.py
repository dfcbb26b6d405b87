"""Excel files written in constant memory, safe to open.

Every text a user typed is written as a text cell, never as a formula, so a name such as
`=HYPERLINK(…)` or `=cmd|' /C calc'!A0` opens as those literal characters (OWASP's formula
injection guidance) and an import reads the same literal back. Rows stream to disk
(xlsxwriter's constant_memory), so 100,000 rows take no more memory than 100. Each sheet's
printed header carries a watermark: who exported it and when."""
import datetime
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.utils import timezone

SAFE_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
}


def export_watermark(user) -> str:
    name = (user.get_full_name() or user.get_username()) if user is not None else "系统"
    return f"{name} 导出于 {timezone.localtime():%Y-%m-%d %H:%M}"


def _header_text(text: str) -> str:
    return text.replace("&", "&&")  # & starts a control code in Excel headers


def xlsx_write(path_or_file, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]], *,
               watermark: str, column_widths: dict[int, int] | None = None, progress=None) -> int:
    """Write `sheets` (title, headers, rows) to an .xlsx file; returns the number of data rows.
    `progress(n)` is called every 1,000 rows."""
    workbook = xlsxwriter.Workbook(path_or_file, {**SAFE_OPTIONS, "in_memory": not isinstance(path_or_file, str)})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    written = 0
    for title, headers, rows in sheets:
        sheet = workbook.add_worksheet(title[:31])
        sheet.set_header(f"&L{_header_text(watermark)}&R第 &P 页 共 &N 页")
        for col, width in (column_widths or {}).items():
            sheet.set_column(col, col, width)
        for col, header in enumerate(headers):
            sheet.write_string(0, col, str(header), bold)
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                _write_cell(sheet, row_index, col, value, date_format)
            written += 1
            if progress and written % 1000 == 0:
                progress(written)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return written


def _write_cell(sheet, row, col, value, date_format):
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(row, col, timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value)
                             else value, date_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, datetime.datetime(value.year, value.month, value.day), date_format)
    else:
        sheet.write_string(row, col, str(value))
