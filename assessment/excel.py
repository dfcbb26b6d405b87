"""Excel export of the promotion shortlist, from the same selector as the page."""
import datetime
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from cadres.models import Rank
from core.spreadsheet import append_row

HEADERS = ["序号", "姓名", "单位", "现任职务", "职级", "研判结论", "不能提名的原因", "优先提拔使用情形"]
WIDTHS = [6, 10, 22, 20, 12, 12, 60, 60]


def shortlist_workbook(rows, *, unit, target_rank, position="", on: datetime.date | None = None) -> bytes:
    """A write-only workbook, so a whole city's shortlist streams with little memory."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("提拔人选研判")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    target = Rank(target_rank).label + (f"（{position}）" if position else "")
    title = WriteOnlyCell(ws, f"{unit.name}拟提拔{target}人选研判名单（{(on or datetime.date.today()):%Y-%m-%d}）")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(ws, text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")

    def reasons(lines):
        # Styled cells cost time: only the reason lists (several lines) need wrapping.
        if len(lines) < 2:
            return lines[0] if lines else None
        cell = WriteOnlyCell(ws, "\n".join(lines))
        cell.alignment = wrap
        return cell

    for number, row in enumerate(rows, start=1):
        append_row(ws, [number, row.name, row.unit_name, row.position, row.rank,
                        "可提名" if row.eligible else "暂不能提名", reasons(row.blocks), reasons(row.priorities)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
