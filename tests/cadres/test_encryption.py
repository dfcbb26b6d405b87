"""Personal data at rest (等保 8.1.4.8 / 8.1.4.11): ciphertext in the columns, search through
blind indexes, masking, reveal and export auditing, key rotation."""
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from cadres import excel
from cadres.models import Cadre
from cadres.selectors import (
    cadre_by_id_number,
    cadre_list,
    masked_id_number,
)
from core import fieldcrypt
from core.models import AuditEvent
from tests.conftest import client_for
from tests.factories import CadreFactory, make_id_number


def raw_column(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_id_number_column_holds_no_plaintext(world):
    cadre = world.cadre_a
    stored = raw_column("cadres_cadre", "id_number", cadre.pk)
    assert cadre.id_number not in stored and cadre.id_number[-6:] not in stored
    assert stored.startswith("sm4gcm$")
    assert Cadre.objects.get(pk=cadre.pk).id_number == cadre.id_number
    for column in ("id_number_index", "id_number_last4", "id_number_last6"):
        assert cadre.id_number[-4:] not in raw_column("cadres_cadre", column, cadre.pk)


def test_history_rows_hold_no_plaintext_either(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM cadres_historicalcadre WHERE id = %s", [world.cadre_a.pk])
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(world.cadre_a.id_number not in value for value in stored)


def test_aes_gcm_is_the_alternative(world):
    with override_settings(FIELD_ENCRYPTION_ALGORITHM="AES-GCM"):
        cadre = CadreFactory(unit=world.unit_a)
        assert raw_column("cadres_cadre", "id_number", cadre.pk).startswith("aesgcm$")
    # Readable after the setting goes back: the algorithm is recorded with each value.
    assert Cadre.objects.get(pk=cadre.pk).id_number == cadre.id_number


def test_a_value_copied_to_another_column_does_not_decrypt(world):
    stored = raw_column("cadres_cadre", "id_number", world.cadre_a.pk)
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(stored, "tolerance.reporter.contact")


def test_search_by_the_last_six_digits_finds_the_cadre(world):
    cadre = world.cadre_a
    staff = world.users["staff_a"]
    assert list(cadre_list(user=staff, search=cadre.id_number[-6:])) == [cadre]
    assert list(cadre_list(user=staff, search=cadre.id_number[-4:])) == [cadre]
    assert list(cadre_list(user=staff, search=cadre.id_number)) == [cadre]
    assert list(cadre_list(user=staff, search=cadre.id_number.lower())) == [cadre]


def test_the_birth_date_segment_searches_the_birth_date(world):
    cadre = world.cadre_a
    segment = cadre.id_number[6:14]
    Cadre.objects.filter(pk=cadre.pk).update(birth_date=f"{segment[:4]}-{segment[4:6]}-{segment[6:]}")
    assert cadre in cadre_list(user=world.users["staff_a"], search=segment)
    assert list(cadre_list(user=world.users["staff_a"], search="12345")) == []


def test_search_stays_within_the_jurisdiction(world):
    assert list(cadre_list(user=world.users["staff_a"], search=world.cadre_b.id_number[-6:])) == []


def test_one_function_looks_a_cadre_up_by_id_number(world):
    assert cadre_by_id_number(world.cadre_b.id_number) == world.cadre_b
    assert cadre_by_id_number(make_id_number(9999)) is None
    from cadres.selectors import cadres_visible_to
    assert cadre_by_id_number(world.cadre_b.id_number, queryset=cadres_visible_to(world.users["staff_a"])) is None


def test_a_filter_on_the_encrypted_column_itself_is_refused(world):
    from django.core.exceptions import FieldError
    with pytest.raises(FieldError):
        list(Cadre.objects.filter(id_number=world.cadre_a.id_number))


def test_a_duplicate_id_number_is_refused_through_the_blind_index(world):
    from django.core.exceptions import ValidationError
    duplicate = Cadre(name="重号", sex="男", birth_date=world.cadre_a.birth_date, id_number=world.cadre_a.id_number,
                      unit=world.unit_a, position="科员", rank="科员")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "已存在" in str(exc.value.message_dict["id_number"])


def test_masking():
    assert masked_id_number("110105194912310021") == "110105********0021"
    assert masked_id_number("13812345678") == "138****5678"
    assert masked_id_number("") == ""


def test_lists_mask_and_only_the_permission_reveals_with_an_audit_row(world, client):
    cadre = world.cadre_a
    staff = world.users["staff_a"]  # 组织部干部科: granted cadres.reveal_id_number
    leader = world.users["leader"]
    page = client_for(client, leader).get(reverse("cadres:detail", args=[cadre.pk])).content.decode()
    assert cadre.id_number not in page and "reveal-id-number" not in page
    assert client.post(reverse("cadres:reveal_id_number", args=[cadre.pk])).status_code == 403
    client_for(client, staff)
    page = client.get(reverse("cadres:detail", args=[cadre.pk])).content.decode()
    assert cadre.id_number not in page and "reveal-id-number" in page
    assert cadre.id_number not in client.get(reverse("cadres:list")).content.decode()
    response = client.post(reverse("cadres:reveal_id_number", args=[cadre.pk]), HTTP_HX_REQUEST="true")
    assert cadre.id_number in response.content.decode()
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.SENSITIVE_READ, object_id=str(cadre.pk))
    assert event.username == "staff_a"
    # Outside the jurisdiction the cadre does not exist.
    assert client.post(reverse("cadres:reveal_id_number", args=[world.cadre_b.pk])).status_code == 404


def test_exports_are_masked_unless_the_user_may_reveal(world):
    def id_cells(user):
        rows = excel.export_rows(Cadre.objects.filter(pk=world.cadre_a.pk), user=user)
        return next(rows)[[h for h, _ in excel.EXPORT_COLUMNS].index("身份证号")]

    assert id_cells(world.users["leader"]) == masked_id_number(world.cadre_a.id_number)
    assert id_cells(world.users["staff_a"]) == world.cadre_a.id_number


def test_key_rotation_re_encrypts_every_row_and_its_indexes(world):
    cadre = world.cadre_a
    before = raw_column("cadres_cadre", "id_number", cadre.pk)
    with override_settings(FIELD_ENCRYPTION_KEY="a-brand-new-key", FIELD_ENCRYPTION_OLD_KEYS=[
            "test-only-field-encryption-key"]):
        call_command("rotate_field_key", batch_size=1, verbosity=0)
        after = raw_column("cadres_cadre", "id_number", cadre.pk)
        assert after.split("$")[1] == fieldcrypt.current_key().id != before.split("$")[1]
        assert Cadre.objects.get(pk=cadre.pk).id_number == cadre.id_number
        assert cadre_by_id_number(cadre.id_number) == cadre
        assert list(cadre_list(user=world.users["staff_a"], search=cadre.id_number[-6:])) == [cadre]
    # Without the new key the rotated rows no longer open: the key really changed.
    with pytest.raises(fieldcrypt.DecryptionError):
        Cadre.objects.get(pk=cadre.pk)


@override_settings(FIELD_ENCRYPTION_KEY="")
def test_no_key_no_encryption():
    from django.core.exceptions import ImproperlyConfigured
    with pytest.raises(ImproperlyConfigured):
        fieldcrypt.encrypt("x", "p")


def test_production_settings_refuse_to_start_without_a_key():
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELD_ENCRYPTION")}
    env.update(DEBUG="false", SECRET_KEY="x" * 60, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                            capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))))
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY" in result.stderr


@pytest.mark.django_db
def test_reporter_identity_and_confidential_notes_are_encrypted():
    from care.models import ConfidentialNote
    from tolerance.models import ReporterIdentity
    for model, fields in ((ReporterIdentity, ("name", "contact", "work_unit")), (ConfidentialNote, ("text",))):
        for name in fields:
            assert isinstance(model._meta.get_field(name), fieldcrypt._EncryptedMixin), (model, name)


def test_a_stored_reporter_contact_is_ciphertext(world):
    from tests.tolerance.builders import receive_allegation
    from tolerance.models import ReporterIdentity
    identity = ReporterIdentity.objects.get(allegation=receive_allegation(world, issue="违规发放津补贴"))
    assert raw_column("tolerance_reporteridentity", "contact", identity.pk).startswith("sm4gcm$")
    assert "13800000000" not in raw_column("tolerance_reporteridentity", "contact", identity.pk)
    assert "王举报" not in raw_column("tolerance_reporteridentity", "name", identity.pk)
    assert ReporterIdentity.objects.get(pk=identity.pk).contact == "13800000000"
