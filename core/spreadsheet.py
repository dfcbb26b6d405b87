"""User text in exported workbooks is written as text, never as a formula (OWASP CSV /
formula injection): a cadre named `=HYPERLINK("http://…")` or `=cmd|' /C calc'!A0` must
open as those characters, not as a link or a DDE call.

openpyxl turns any string starting with "=" into a formula cell; `text_cells` writes such
strings, and every string starting with another trigger (+ - @ tab CR LF), as string cells
marked with Excel's quote prefix, so even re-editing the cell in Excel keeps it text. The
value itself is unchanged, so importing the file back reads the same literal.

Used by every export (cadres/excel.py, care/exports.py, assessment/excel.py and the
clarification publication export). core/xlsx.py (xlsxwriter, landing from the integrator)
applies the same rule with write_string; this is the openpyxl side of it."""
from openpyxl.cell import WriteOnlyCell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def text_cell(ws, value):
    """`value` as a cell for `ws`: a formula-looking string becomes a text cell."""
    if hasattr(value, "data_type"):  # already a cell (styled by the caller)
        if value.data_type == "f" or looks_like_formula(value.value):
            value.data_type = "s"
            value.quotePrefix = True
        return value
    if not looks_like_formula(value):
        return value
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def text_cells(ws, values) -> list:
    return [text_cell(ws, v) for v in values]


def append_row(ws, values) -> None:
    """ws.append for user data: formula-safe."""
    ws.append(text_cells(ws, values))
