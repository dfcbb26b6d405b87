"""Exports are safe to open: user text starting with = + - @ (or tab, CR) is written as text,
never as a live formula, in every export; and it imports back as the same literal."""
import io

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cadres.excel import preview_import
from cadres.models import Cadre
from care.defaults import load_defaults
from care.models import CareActivity
from core.spreadsheet import append_row
from tests.cadres.test_import import row
from tests.care.builders import record
from tests.conftest import client_for
from tests.factories import make_id_number
from tests.tolerance.builders import cleared_allegation
from tolerance.models import ClarificationNotice

LINK = '=HYPERLINK("http://evil.example/","点我")'
DDE = "=cmd|' /C calc'!A0"
PAYLOADS = [LINK, DDE, "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def cells(content):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [cell for line in sheet.iter_rows() for cell in line]


def assert_text(content, *payloads):
    found = {c.value: c for c in cells(content) if isinstance(c.value, str)}
    for payload in payloads:
        assert payload in found, payload
        assert found[payload].data_type == "s", payload
    assert not [c for c in cells(content) if c.data_type == "f"]


def test_the_cadre_export_writes_a_formula_looking_name_as_text(world, client):
    Cadre.objects.filter(pk=world.cadre_a.pk).update(name=LINK, position=DDE)
    response = client_for(client, world.users["staff_a"]).get(reverse("cadres:export"))
    assert_text(response.content, LINK, DDE)


def test_the_care_activity_export_writes_formula_looking_text_as_text(world, client):
    load_defaults()
    activity = record(world, title="x")
    CareActivity.objects.filter(pk=activity.pk).update(title=DDE, location="@SUM(1)")
    response = client_for(client, world.users["staff_a"]).get(reverse("care:activity_export"))
    assert_text(response.content, DDE, "@SUM(1)")


def test_the_publication_export_writes_formula_looking_text_as_text(world, client):
    _, notice = cleared_allegation(world)
    ClarificationNotice.objects.filter(pk=notice.pk).update(alleged=LINK, finding="+1+1", scope="-2+3")
    response = client_for(client, world.users["staff_a"]).get(
        reverse("tolerance:publication_export"), {"year": notice.issued_on.year})
    assert_text(response.content, LINK, "+1+1", "-2+3")


def test_formula_looking_text_imports_back_as_the_same_literal(world):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("干部信息")
    from cadres.excel import HEADERS
    ws.append(HEADERS)
    for i, payload in enumerate(PAYLOADS):
        values = row(f"王{i}", make_id_number(700 + i))
        values[HEADERS.index("籍贯")] = payload
        append_row(ws, values)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
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
