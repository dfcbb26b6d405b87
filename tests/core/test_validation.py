"""Nothing a user types breaks a page: out-of-range dates are refused everywhere and the
pages still render when such a date already sits in the database; NUL bytes are stripped;
ids too large for the database are form errors; a crafted .xlsx is refused clearly."""
import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cadres.excel import preview_import
from cadres.forms import CadreForm, SanctionForm
from cadres.models import Cadre, FollowUpVisit, Sanction
from core.errors import DomainError
from core.uploads import content_matches
from core.validation import safe_date_add
from tests.conftest import client_for
from tests.factories import SanctionFactory, make_id_number, sanction_type

D = datetime.date


def test_safe_date_add_clips_at_the_calendar_ends():
    assert safe_date_add(D(9999, 12, 31), months=12) == D.max
    assert safe_date_add(D(9999, 12, 31), days=1) == D.max
    assert safe_date_add(D(1, 1, 1), days=-1) == D.min
    assert safe_date_add(D(2025, 11, 30), months=3) == D(2026, 2, 28)
    assert safe_date_add(D(2026, 1, 31), months=1, days=1) == D(2026, 3, 1)


def test_every_model_date_refuses_year_9999_in_full_clean(world):
    sanction = Sanction(cadre=world.cadre_a, sanction_type=sanction_type(), matter="失职", decided_by="县纪委",
                        decision_date=D(9999, 12, 31))
    with pytest.raises(ValidationError) as e:
        sanction.full_clean()
    assert "decision_date" in e.value.message_dict
    world.cadre_a.birth_date = D(1850, 1, 1)
    with pytest.raises(ValidationError):
        world.cadre_a.full_clean()


def test_a_form_refuses_an_out_of_range_date_as_a_field_error(world):
    form = SanctionForm({"sanction_type": sanction_type().pk, "matter": "失职", "decided_by": "县纪委",
                         "decision_date": "9999-12-31"})
    assert not form.is_valid()
    assert "日期超出合理范围" in str(form.errors["decision_date"])


def test_pages_render_when_a_year_9999_sanction_and_visit_already_sit_in_the_database(world, client):
    sanction = SanctionFactory(cadre=world.cadre_a, decision_date=D(2025, 6, 1))
    Sanction.objects.filter(pk=sanction.pk).update(decision_date=D(9999, 12, 31), influence_end=D.max)
    FollowUpVisit.objects.create(sanction=sanction, date=D(9999, 12, 31), visited_by="县委组织部")
    bad = SanctionFactory(cadre=world.cadre_a, decision_date=D(2025, 6, 1))
    Sanction.objects.filter(pk=bad.pk).update(decision_date=D(9999, 12, 31))
    bad.refresh_from_db()
    bad.save()  # influence period arithmetic clips instead of raising
    assert bad.influence_end == D.max
    c = client_for(client, world.users["staff_a"])
    for url in [reverse("care:follow_up_list"), reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=rewards",
                reverse("cadres:detail", args=[world.cadre_a.pk]) + "?tab=care", reverse("home")]:
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("url_name", ["tolerance:notice_list", "tolerance:reform_list", "tolerance:allegation_list",
                                      "cadres:list", "care:activity_list"])
def test_a_nul_byte_in_a_query_parameter_is_stripped(world, client, url_name):
    response = client_for(client, world.users["admin"]).get(reverse(url_name), {"q": "a\x00b"})
    assert response.status_code == 200


def test_a_nul_byte_in_a_posted_value_is_stripped(world, client):
    c = client_for(client, world.users["staff_a"])
    response = c.post(reverse("cadres:record_create", args=[world.cadre_a.pk, "measure"]),
                      {"kind": "约谈", "date": "2026-03-01", "issue": "作风\x00问题", "by_whom": "县委组织部"})
    assert response.status_code == 302
    assert world.cadre_a.measures.get().issue == "作风问题"


def test_an_id_too_large_for_the_database_is_a_form_error(world):
    form = CadreForm({"name": "王五", "tags": ["12345678901234567890123"]}, units=None)
    assert not form.is_valid()
    assert "tags" in form.errors


def test_an_integer_too_large_is_a_form_error(world):
    from cadres.forms import AchievementForm
    form = AchievementForm({"year": "12345678901234567890123", "source": "x", "description": "y"})
    assert not form.is_valid()
    assert "year" in form.errors


def xlsx_with_doctype() -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Types/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
    buffer.seek(0)
    buffer.name = "x.xlsx"
    return buffer


def test_an_xlsx_declaring_a_dtd_is_refused_with_a_clear_message(world):
    with pytest.raises(DomainError) as e:
        preview_import(xlsx_with_doctype(), user=world.users["staff_a"])
    assert "实体声明" in e.value.message


def test_the_import_page_refuses_a_crafted_or_fake_file_without_a_500(world, client):
    c = client_for(client, world.users["staff_a"])
    for content in [xlsx_with_doctype().getvalue(), b"MZ\x90\x00 not excel", b"PK\x03\x04broken"]:
        upload = SimpleUploadedFile("a.xlsx", content)
        response = c.post(reverse("cadres:import"), {"file": upload})
        assert response.status_code == 200
        assert response.context["form"].errors


def test_an_import_row_with_a_date_out_of_range_is_reported_not_saved(world):
    from tests.cadres.test_import import row, workbook
    preview = preview_import(workbook([row("王一", make_id_number(601), birth="9999-12-31")]),
                             user=world.users["staff_a"])
    assert "日期超出合理范围" in preview.rows[0].errors[0]
    assert not Cadre.objects.filter(id_number=make_id_number(601)).exists()


@pytest.mark.parametrize("name, content, ok", [
    ("a.pdf", b"%PDF-1.7 ...", True),
    ("a.pdf", b"MZ\x90\x00\x03 an exe", False),
    ("a.png", b"\x89PNG\r\n\x1a\n....", True),
    ("a.gif", b"GIF89a<html><script>alert(1)</script>", False),
    ("a.jpg", b"GIF89a....", False),
    ("a.txt", "说明".encode(), True),
    ("a.txt", b"<html><body>x", False),
    ("a.exe", b"MZ", False),
])
def test_upload_content_must_match_its_extension(name, content, ok):
    assert content_matches(SimpleUploadedFile(name, content)) is ok
