"""Files in the admin are reached through the app's own views (GB/T 22239-2019 8.1.4.3: every
read of an evidence file is audited, admin downloads included): the change page links the file
to the permission-checked view, never to a /media/ path, which is not served (a dead link) and,
were it served, would skip the check and the audit row."""
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from core.models import AuditEvent
from core.uploads import AuditedFileField, AuditedImageField
from tests.conftest import client_for

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _evidence(world):
    from tests.tolerance.builders import load_policy, walk_case
    from tolerance.models import Stage
    from tolerance.services import evidence_add

    load_policy(world)
    case = walk_case(world, Stage.INVESTIGATION)
    return evidence_add(case=case, by=world.users["staff_a"], title="谈话笔录",
                        file=SimpleUploadedFile("talk.pdf", b"%PDF-1.4\n%%EOF\n"))


def test_the_evidence_admin_page_links_the_audited_download(client, world):
    evidence = _evidence(world)
    page = client_for(client, world.users["admin"]).get(
        reverse("admin:tolerance_evidence_change", args=[evidence.pk])).content.decode()
    assert f'href="{reverse("tolerance:evidence", args=[evidence.pk])}"' in page
    assert "/media/" not in page


def test_following_the_admin_link_checks_and_records_the_download(client, world):
    evidence = _evidence(world)
    response = client_for(client, world.users["admin"]).get(evidence.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    read = AuditEvent.objects.get(event_type=AuditEvent.Type.SENSITIVE_READ)
    assert (read.username, read.object_id, read.detail) == ("admin", str(evidence.pk), "下载证据材料：谈话笔录")


def test_a_user_without_rights_to_the_case_is_refused_the_file_and_nothing_is_recorded(client, world):
    evidence = _evidence(world)
    for name in ("staff_b", "officer_unassigned", "sysadmin", "auditor"):
        assert client_for(client, world.users[name]).get(evidence.file.url).status_code in (403, 404), name
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.SENSITIVE_READ).exists()


def test_the_cadre_admin_page_links_the_permission_checked_photo(client, world):
    cadre = world.cadre_a
    cadre.photo.save("p.jpg", ContentFile(JPEG))
    page = client_for(client, world.users["admin"]).get(
        reverse("admin:cadres_cadre_change", args=[cadre.pk])).content.decode()
    assert f'href="{reverse("cadres:photo", args=[cadre.pk])}"' in page
    assert "/media/" not in page
    assert client.get(cadre.photo.url).status_code == 200
    # Outside the jurisdiction the photo does not exist.
    assert client_for(client, world.users["staff_b"]).get(cadre.photo.url).status_code == 404


def test_a_read_only_admin_display_links_the_audited_view_too(world):
    """The admin prints a read-only file field with display_for_field, which uses `url`."""
    from django.contrib.admin.utils import display_for_field

    evidence = _evidence(world)
    shown = display_for_field(evidence.file, evidence._meta.get_field("file"), "—")
    assert reverse("tolerance:evidence", args=[evidence.pk]) in shown and "/media/" not in shown


def test_every_stored_file_field_is_served_by_a_view_of_its_own():
    """A new FileField (in any model, and so in any admin) must name the view that checks
    permission and records the read; a plain one would print a /media/ link."""
    plain = [f"{model._meta.label}.{field.name}" for model in apps.get_models()
             for field in model._meta.concrete_fields
             if isinstance(field, models.FileField) and not isinstance(field, (AuditedFileField, AuditedImageField))
             and not model._meta.label.startswith(("simple_history.",)) and "Historical" not in model.__name__]
    assert plain == []
    audited = {model._meta.label for model in apps.get_models()
               if any(isinstance(f, (AuditedFileField, AuditedImageField)) for f in model._meta.concrete_fields)}
    assert {"cadres.Cadre", "tolerance.Evidence"} <= audited
    for model in map(apps.get_model, audited):
        for field in model._meta.concrete_fields:
            if isinstance(field, (AuditedFileField, AuditedImageField)):
                reverse(field.url_name, args=[1])  # names a real view taking the row's key
