"""Exported user text that looks like a formula (core/xlsx.py writes it as text) imports back as
the same literal; pages showing the reporter's identity are never cached."""
import io

from django.urls import reverse
from openpyxl import load_workbook

from cadres.excel import preview_import
from core.xlsx import xlsx_write
from tests.cadres.test_import import row
from tests.conftest import client_for
from tests.factories import make_id_number

LINK = '=HYPERLINK("http://evil.example/","点我")'
DDE = "=cmd|' /C calc'!A0"
PAYLOADS = [LINK, DDE, "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def test_formula_looking_text_imports_back_as_the_same_literal(world):
    from cadres.excel import HEADERS
    rows = []
    for i, payload in enumerate(PAYLOADS):
        values = row(f"王{i}", make_id_number(700 + i))
        values[HEADERS.index("籍贯")] = payload
        rows.append(values)
    buffer = io.BytesIO()
    xlsx_write(buffer, [("干部信息", HEADERS, rows)], watermark="测试")
    buffer.seek(0)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert not [c for line in sheet.iter_rows() for c in line if c.data_type == "f"]  # text, never a formula
    buffer.name = "round.xlsx"
    preview = preview_import(buffer, user=world.users["staff_a"])
    assert [r.values.get("native_place") for r in preview.rows] == [p.strip() for p in PAYLOADS]


def test_pages_showing_the_reporters_identity_are_never_cached(world, client):
    from tests.tolerance.builders import verifying_allegation
    allegation = verifying_allegation(world)
    page = client_for(client, world.users["officer_assigned"]).get(reverse("tolerance:reporter", args=[allegation.pk]))
    assert "no-store" in page["Cache-Control"]
    client.logout()
    admin_page = client_for(client, world.users["admin"]).get(
        reverse("admin:tolerance_reporteridentity_change", args=[allegation.reporter.pk]))
    assert admin_page.status_code == 200 and "no-store" in admin_page["Cache-Control"]
