"""No silent overwrite: for every versioned record, a save in Django admin bumps the version,
so a page opened before it cannot overwrite it; and an admin change page opened before a
page's save is refused in turn. One test per model (Cadre, CareActivity, ToleranceCase,
Allegation)."""
import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from cadres.models import Cadre
from cadres.services import cadre_update
from care.defaults import load_defaults
from care.models import CareActivity
from care.services import care_activity_update
from core.errors import DomainError
from core.versioning import VersionedAdminForm
from tests.care.builders import record
from tests.conftest import client_for
from tests.tolerance.builders import file_case, load_policy, receive_allegation
from tolerance.models import Allegation, ToleranceCase


def admin_save(world, obj, seen_version=None, **changes):
    """Save `obj` through its ModelAdmin's form and save_model, as the change page does."""
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().post("/")
    request.user = world.users["admin"]
    form_class = model_admin.get_form(request, obj, change=True)
    initial = form_class(instance=obj)
    data = {}
    for name, field in initial.fields.items():
        value = initial[name].value()
        if value is None:
            continue
        data[name] = [v.pk if hasattr(v, "pk") else v for v in value] if isinstance(value, (list, tuple)) else value
    data.update(changes)
    data["seen_version"] = obj.version if seen_version is None else seen_version
    form = form_class(data, instance=obj)
    if not form.is_valid():
        return form
    saved = form.save(commit=False)
    model_admin.save_model(request, saved, form, change=True)
    return form


def test_every_versioned_model_has_the_versioned_admin():
    for model in (Cadre, CareActivity, ToleranceCase, Allegation):
        assert issubclass(admin.site._registry[model].form, VersionedAdminForm), model


def test_cadre_an_admin_edit_refuses_the_page_opened_before_it(world):
    cadre = world.cadre_a
    page_version = cadre.version
    assert not admin_save(world, cadre, position="镇长").errors
    cadre.refresh_from_db()
    assert (cadre.position, cadre.version) == ("镇长", page_version + 1)
    with pytest.raises(DomainError, match="已被他人修改"):
        cadre_update(cadre=cadre, by=world.users["staff_a"], expected_version=page_version, position="副镇长")
    assert Cadre.objects.get(pk=cadre.pk).position == "镇长"


def test_cadre_the_edit_page_after_an_admin_edit_is_refused_over_http(world, client):
    cadre = world.cadre_a
    page_version = cadre.version
    admin_save(world, cadre, position="镇长")
    c = client_for(client, world.users["staff_a"])
    response = c.post(reverse("cadres:edit", args=[cadre.pk]), {
        "name": cadre.name, "sex": cadre.sex, "birth_date": "1985-03-12", "id_number": cadre.id_number,
        "ethnicity": "汉族", "political_status": "中共党员", "position": "副镇长", "rank": cadre.rank,
        "status": cadre.status, "version": page_version})
    assert "已被他人修改" in response.content.decode()
    assert Cadre.objects.get(pk=cadre.pk).position == "镇长"


def test_cadre_an_admin_page_opened_before_a_page_save_is_refused(world):
    cadre = world.cadre_a
    admin_version = cadre.version
    cadre_update(cadre=cadre, by=world.users["staff_a"], expected_version=admin_version, position="镇长")
    cadre.refresh_from_db()
    form = admin_save(world, cadre, seen_version=admin_version, position="副书记")
    assert "已被他人修改" in str(form.errors)
    assert Cadre.objects.get(pk=cadre.pk).position == "镇长"


def test_the_admin_change_page_carries_the_version(world, client):
    c = client_for(client, world.users["admin"])
    page = c.get(reverse("admin:cadres_cadre_change", args=[world.cadre_a.pk])).content.decode()
    assert 'name="seen_version"' in page


def test_care_activity_an_admin_edit_refuses_the_page_opened_before_it(world):
    load_defaults()
    activity = record(world, title="谈心")
    page_version = activity.version
    assert not admin_save(world, activity, title="谈心谈话（改）").errors
    activity.refresh_from_db()
    assert activity.version == page_version + 1
    with pytest.raises(DomainError, match="已被他人修改"):
        care_activity_update(activity=activity, by=world.users["staff_a"], expected_version=page_version, title="x")
    stale = admin_save(world, activity, seen_version=page_version, title="y")
    assert "已被他人修改" in str(stale.errors)
    assert CareActivity.objects.get(pk=activity.pk).title == "谈心谈话（改）"


def test_tolerance_case_an_admin_edit_refuses_the_action_posted_from_an_older_page(world, client):
    load_policy(world)
    case = file_case(world)
    page_version = case.version
    assert not admin_save(world, case, title="问责事项（改）").errors
    case.refresh_from_db()
    assert case.version == page_version + 1
    c = client_for(client, world.users["staff_a"])
    response = c.post(reverse("tolerance:action", args=[case.pk, "start"]),
                      {"reason": "启动", "investigators": [world.users["officer_assigned"].pk], "version": page_version}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert ToleranceCase.objects.get(pk=case.pk).stage == case.stage
    assert "已被他人修改" in str(admin_save(world, case, seen_version=page_version, title="z").errors)


def test_allegation_an_admin_edit_refuses_the_action_posted_from_an_older_page(world, client):
    allegation = receive_allegation(world)
    page_version = allegation.version
    assert not admin_save(world, allegation, summary="摘要（改）").errors
    allegation.refresh_from_db()
    assert allegation.version == page_version + 1
    c = client_for(client, world.users["staff_a"])
    response = c.post(reverse("tolerance:allegation_action", args=[allegation.pk, "close"]),
                      {"reason": "vague", "note": "反映不具体", "version": page_version}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert Allegation.objects.get(pk=allegation.pk).status == allegation.status
    assert "已被他人修改" in str(admin_save(world, allegation, seen_version=page_version, summary="z").errors)
