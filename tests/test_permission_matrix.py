"""Every named URL × every persona. A URL missing from MATRIX fails the test, so no new
view can slip past the permission review."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from tests.conftest import PERSONAS, client_for
from tests.tolerance.builders import load_policy, walk_case
from tolerance.models import Stage
from tolerance.services import evidence_add, reform_filing_create

R = 302  # redirect (to login for anonymous, or after an action)

# name → (method, kwargs builder, {persona: status})
VIEWERS = {"staff_a": 200, "staff_b": 200, "officer_assigned": 403, "officer_unassigned": 403,
           "leader": 200, "admin": 200, "anonymous": R}
EDITORS = {**VIEWERS, "leader": 403}
CADRE_A_VIEW = {**VIEWERS, "staff_b": 404}
CADRE_A_EDIT = {**EDITORS, "staff_b": 404}
TOLERANCE_ALL = {**VIEWERS, "officer_assigned": 200, "officer_unassigned": 200}
CASE_VIEW = {**TOLERANCE_ALL, "staff_b": 404, "officer_unassigned": 404}
CASE_HANDLE_PAGE = {**CASE_VIEW, "leader": 403}
CASE_HANDLE_POST = {**CASE_HANDLE_PAGE, "staff_a": R, "officer_assigned": R, "admin": R}

MATRIX = {
    "home": ("get", lambda w: {}, {**{p: 200 for p in PERSONAS}, "anonymous": R}),
    "healthz": ("get", lambda w: {}, {p: 200 for p in PERSONAS}),
    "login": ("get", lambda w: {}, {**{p: R for p in PERSONAS}, "anonymous": 200}),
    "logout": ("post", lambda w: {}, {p: R for p in PERSONAS}),
    "cadres:list": ("get", lambda w: {}, VIEWERS),
    "cadres:export": ("get", lambda w: {}, VIEWERS),
    "cadres:unit_tree": ("get", lambda w: {}, VIEWERS),
    "cadres:create": ("get", lambda w: {}, EDITORS),
    "cadres:import": ("get", lambda w: {}, EDITORS),
    "cadres:import_template": ("get", lambda w: {}, EDITORS),
    "cadres:import_confirm": ("post", lambda w: {"token": "0" * 32}, {**EDITORS, "staff_a": 404, "staff_b": 404, "admin": 404}),
    "cadres:detail": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_VIEW),
    "cadres:photo": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_VIEW),
    "cadres:edit": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_EDIT),
    "cadres:posting_create": ("get", lambda w: {"pk": w.cadre_a.pk}, CADRE_A_EDIT),
    "cadres:record_create": ("get", lambda w: {"pk": w.cadre_a.pk, "kind": "sanction"}, CADRE_A_EDIT),
    # Tolerance: the case concerns cadre A and is assigned to officer_assigned.
    "tolerance:list": ("get", lambda w: {}, TOLERANCE_ALL),
    "tolerance:create": ("get", lambda w: {}, EDITORS),
    "tolerance:detail": ("get", lambda w: {"pk": w.case.pk}, CASE_VIEW),
    "tolerance:checklist": ("get", lambda w: {"pk": w.case.pk, "case_cadre_pk": w.case_cadre.pk}, CASE_HANDLE_PAGE),
    "tolerance:action": ("post", lambda w: {"pk": w.case.pk, "action": "remedial"}, CASE_HANDLE_POST),
    "tolerance:document": ("get", lambda w: {"pk": w.case.pk, "kind": "determination"}, CASE_VIEW),
    "tolerance:document_pdf": ("get", lambda w: {"pk": w.case.pk, "kind": "feedback"}, CASE_VIEW),
    "tolerance:evidence": ("get", lambda w: {"pk": w.evidence.pk}, CASE_VIEW),
    "tolerance:reform_list": ("get", lambda w: {}, TOLERANCE_ALL),
    "tolerance:reform_create": ("get", lambda w: {}, EDITORS),
    "tolerance:reform_detail": ("get", lambda w: {"pk": w.filing.pk}, {**CADRE_A_VIEW, "officer_assigned": 404,
                                                                      "officer_unassigned": 404}),
}


def named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "admin":
                continue  # Django admin: covered by test_admin_lists_use_the_selector
            yield from named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_named_url_is_in_the_matrix():
    assert set(named_urls()) == set(MATRIX)


@pytest.fixture
def world_with_photo(world, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), "red").save(buffer, "JPEG")
    world.cadre_a.photo = SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")
    world.cadre_a.save()
    load_policy(world)
    world.case = walk_case(world, Stage.FEEDBACK)
    world.case_cadre = world.case.case_cadres.get()
    world.evidence = evidence_add(case=world.case, by=world.users["staff_a"], title="笔录",
                                  file=SimpleUploadedFile("note.pdf", b"%PDF-1.4 test"))
    world.filing = reform_filing_create(by=world.users["staff_a"], unit=world.unit_a, title="改革", description="d",
                                        legality_review="l", risk_assessment="r", filed_on=datetime.date(2026, 1, 1))
    return world


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(client, world_with_photo, name, persona):
    method, kwargs, expected = MATRIX[name]
    client = client_for(client, world_with_photo.users[persona])
    response = getattr(client, method)(reverse(name, kwargs=kwargs(world_with_photo)))
    assert response.status_code == expected[persona], f"{name} as {persona}"
