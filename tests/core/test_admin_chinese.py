"""Django admin in Chinese (issue #12, "A UI with no raw value in it"): every model and field of
the project and every model the admin shows has a Chinese name, every model a readable name,
and every admin page a person may open renders without an English label, True/False/None or
a server error."""
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import override
from lxml import html as lxml_html

from core.labels import PROJECT_APPS
from tests.conftest import client_for

# Latin letters that are the Chinese term itself: "IP 地址" (no other name is in use).
ALLOWED_LATIN = {"IP"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.]*")


def _latin(text: str) -> set[str]:
    return {w for w in LATIN_WORD.findall(str(text)) if w not in ALLOWED_LATIN}


def _shown_models():
    registered = set(admin.site._registry)
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS or m in registered]


def _is_key(field) -> bool:
    # The automatic primary key ("ID") and its copy in a history table are never labelled
    # on a page: they are not editable and no admin lists them.
    return field.name == "id" and str(field.verbose_name) == "ID"


def test_every_model_and_field_has_a_chinese_name():
    wrong = []
    with override("zh-hans"):
        for model in _shown_models():
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
                if _latin(name):
                    wrong.append(f"{model._meta.label}: {name}")
            for field in model._meta.get_fields():
                if field.auto_created and not field.concrete or _is_key(field):
                    continue
                if _latin(field.verbose_name):
                    wrong.append(f"{model._meta.label}.{field.name}: {field.verbose_name}")
    assert not wrong, "\n".join(wrong)


def test_every_project_model_has_its_own_readable_name():
    generic = [m._meta.label for m in apps.get_models()
               if m._meta.app_label in PROJECT_APPS and m.__str__ is models.Model.__str__]
    assert not generic


def test_a_user_reads_as_name_and_post(db):
    from tests.factories import UserFactory

    user = UserFactory(username="zhangsan", first_name="", last_name="")
    user.first_name, user.last_name = "建国", "市委组织部副部长 陈"
    assert "zhangsan" not in str(user)


# ---- pages ----------------------------------------------------------------------------

RAW = re.compile(r"(?<![A-Za-z])(True|False|None)(?![A-Za-z])")


def _label_texts(page) -> list[str]:
    """What names things on an admin page: the title, breadcrumbs, field labels, column
    headers, filter and fieldset titles, and the help texts."""
    tree = lxml_html.fromstring(page)
    texts = []
    for path in ("//h1", "//h2", "//h3", "//div[@class='breadcrumbs']", "//label", "//thead//th",
                 "//div[contains(@class,'help')]", "//legend", "//caption"):
        texts += [el.text_content() for el in tree.xpath(path)]
    return texts


def _visible_text(page) -> str:
    tree = lxml_html.fromstring(page)
    for bad in tree.xpath("//script|//style|//textarea|//select"):
        bad.drop_tree()
    return tree.text_content()


def _admin_urls(model, obj):
    info = (model._meta.app_label, model._meta.model_name)
    urls = [("changelist", reverse("admin:%s_%s_changelist" % info)), ("add", reverse("admin:%s_%s_add" % info))]
    if obj is not None:
        urls.append(("change", reverse("admin:%s_%s_change" % info, args=[obj.pk])))
        try:
            urls.append(("history", reverse("admin:%s_%s_history" % info, args=[obj.pk])))
        except NoReverseMatch:
            pass
    return urls


def test_every_admin_page_speaks_chinese(client, demo_dataset, db):
    from django.contrib.auth.models import User

    wrong = []
    for username in ("admin", "sysadmin", "secadmin", "auditor"):
        user = User.objects.get(username=username)
        client.logout()
        client_for(client, user)
        for model in admin.site._registry:
            for kind, url in _admin_urls(model, model._default_manager.order_by("pk").first()):
                response = client.get(url)
                if response.status_code >= 500:
                    wrong.append(f"{username} {url}: {response.status_code}")
                if response.status_code != 200:
                    continue
                wrong += _page_problems(username, url, response.content.decode())
    assert not wrong, "\n".join(sorted(set(wrong)))


def _page_problems(username, url, page) -> list[str]:
    wrong = []
    for text in _label_texts(page):
        latin = _latin(text)
        if latin:
            wrong.append(f"{username} {url}: {sorted(latin)} in {' '.join(text.split())[:80]!r}")
    raw = RAW.findall(_visible_text(page))
    if raw:
        wrong.append(f"{username} {url}: {sorted(set(raw))} shown")
    return wrong


# ---- the three administrators (三权分立, issue #14) --------------------------------------

def _duty(username):
    """The models of each administrator's duty and whether they may write there, as
    core.admin_policy declares them (GB/T 22239-2019 8.1.5)."""
    from core import admin_policy

    return {"sysadmin": (admin_policy.SYSTEM_ADMIN_MODELS, True),
            "secadmin": (admin_policy.SECURITY_ADMIN_MODELS, False),
            "auditor": (admin_policy.AUDIT_ADMIN_MODELS, False)}[username]


# Case contents, reporters and care: no administrator ever reaches them.
CASE_CONTENTS = {"tolerance.tolerancecase", "tolerance.allegation", "tolerance.reporteridentity",
                 "tolerance.clarificationnotice", "care.careactivity", "care.concern", "cadres.cadre",
                 "assessment.cadregrade"}


def _expected(username, label, kind, *, admin_site_open) -> int:
    if not admin_site_open:
        return 302  # to the admin's login page: the site is not theirs at all
    models, writes = _duty(username)
    if label not in models:
        return 403
    if kind == "add" and not writes:
        return 403
    return 200


@pytest.mark.parametrize("username, admin_site_open", [
    ("sysadmin", True), ("secadmin", False), ("auditor", False),
    # An installation that opens the admin site to the other two still holds them to their duty.
    ("secadmin", True), ("auditor", True),
])
def test_each_administrator_reaches_exactly_the_admin_pages_of_their_duty_in_chinese(
        client, demo_dataset, db, username, admin_site_open):
    from django.contrib.auth.models import User

    user = User.objects.get(username=username)
    if user.is_staff != admin_site_open:
        user.is_staff = admin_site_open
        user.save(update_fields=["is_staff"])
    models, writes = _duty(username)
    assert not models & CASE_CONTENTS
    client_for(client, user)
    wrong, reached = [], set()
    for model in admin.site._registry:
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        for kind, url in _admin_urls(model, obj):
            response = client.get(url)
            expected = _expected(username, label, kind, admin_site_open=admin_site_open)
            if response.status_code != expected:
                wrong.append(f"{username} {kind} {url}: {response.status_code}，应为 {expected}")
                continue
            if expected == 302:
                assert response.url.startswith(reverse("admin:login")), response.url
            if expected == 200:
                reached.add(label)
                wrong += _page_problems(username, url, response.content.decode())
                if not writes and kind == "change":
                    assert 'name="_save"' not in response.content.decode(), f"{username} 可修改 {url}"
    assert not wrong, "\n".join(sorted(set(wrong)))
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert reached == (models & registered if admin_site_open else set())
    if admin_site_open:
        index = client.get(reverse("admin:index")).content.decode()
        listed = {label for label in registered if reverse("admin:%s_%s_changelist" % tuple(label.split("."))) in index}
        assert listed == models & registered
