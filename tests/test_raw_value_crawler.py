"""The raw-value crawler (issue 12): as each persona, start at the workbench, follow every
link of the navbar, the workbench and the pages they lead to, and read each page as the user
sees it. Fails on any HTTP 500 and on any raw value in the visible text: True/False/None,
an English model, field, stage or outcome code, a username where a name belongs, the word
"seed". The world holds objects in every workflow state (cases at every stage and outcome,
allegations from receipt to their notice, a grade batch, a care activity, a quarterly review).

The read crawler (tests/test_read_crawler.py) hits every named URL for 500s and leaks; this
one reads what a person would read, page by page, following links as they would."""
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from cadres.services import jurisdiction_grant
from core.roles import Role
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.test_permission_matrix import full_world  # noqa: F401  (fixture)
from tests.tolerance.builders import walk_case
from tolerance.models import Outcome, Stage

# Latin words a Chinese page may show: formats and standard abbreviations a clerk reads as such.
ALLOWED_WORDS = {"PDF", "Excel", "xlsx", "ID", "API", "URL", "LRMX", "lrmx", "GB", "T", "HMAC", "SM3", "SM4", "TOTP",
                 "OTP", "Token", "CSV", "IP", "JSON", "HTTP", "HTTPS", "Bearer", "Authorization", "GET", "POST",
                 "zip", "jpg", "png", "JPEG", "PNG", "KB", "MB", "Word", "Ctrl"}
WORD = re.compile(r"[A-Za-z_][A-Za-z_]+")
# A page may name a URL or a file (the API documentation does): not a raw value.
ALLOWED_PREFIXES = ("/api/",)
# Pages whose text is data a user typed or a file's own content, not the product's wording.
SKIP_PATHS = ("/admin/",)  # Django admin: its own crawler (issue 12, admin part)
# The administrators' pages are about accounts: there the login name is the subject, shown
# beside the person's name.
ACCOUNT_PAGES = ("/security/", "/audit/")
# Pages read per URL pattern: every object of the world (one per workflow state) on a detail
# route, the first few filters and pages of a list.
PER_ROUTE, PER_ROUTE_WITH_QUERY = 12, 3
# Not read: code the browser runs, and <code>, where a page quotes a command on purpose.
SILENT_TAGS = ("script", "style", "template", "code")
SHOWN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}


class VisibleText(HTMLParser):
    """The text a person sees: element text, button labels and hover titles; never script,
    style, hidden inputs or attribute values the browser does not show."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in SILENT_TAGS:
            self._skip += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "input" and (a.get("type") or "text") in ("submit", "button"):
            self.parts.append(a.get("value") or "")
        elif tag == "input" and (a.get("type") or "text") in ("text", "search") and a.get("value"):
            self.parts.append(a["value"])
        self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SILENT_TAGS:
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in SILENT_TAGS:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def raw_values(text, usernames, *, accounts_page=False):
    """Each raw value with the text around it, so a failure says where to look."""
    found = {}
    for match in WORD.finditer(text):
        word = match.group()
        if word in ALLOWED_WORDS or (accounts_page and word in usernames):
            continue
        label = f"用户名 {word}" if word in usernames else word
        found.setdefault(label, " ".join(text[max(0, match.start() - 25):match.end() + 25].split()))
    return found


def route_key(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client, usernames, start="/"):
    """Breadth-first over same-site links; returns ({url: raw values}, [500s], Counter of routes)."""
    seen, queue, per_route = {start}, deque([start]), Counter()
    problems, errors = {}, []
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(url)
            continue
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        reader = VisibleText()
        reader.feed(response.content.decode())
        text = " ".join(reader.parts)
        path = urlsplit(url).path
        if not path.startswith(ALLOWED_PREFIXES):
            found = raw_values(text, usernames, accounts_page=path.startswith(ACCOUNT_PAGES))
            if found:
                problems[url] = found
        for href in reader.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or href in seen:
                continue
            if parts.path.startswith(SKIP_PATHS):
                continue
            key = route_key(parts.path)
            # A list's filters and pages are one page: read the first few query strings only.
            key = (key, bool(parts.query))
            if key[0] is None or per_route[key] >= (PER_ROUTE_WITH_QUERY if key[1] else PER_ROUTE):
                continue
            per_route[key] += 1
            seen.add(href)
            queue.append(href)
    return problems, errors, per_route


@pytest.fixture
def every_state(full_world):  # noqa: F811
    """full_world (objects of every module) plus cases and allegations in every state."""
    from tests.tolerance.builders import receive_allegation, verifying_allegation
    from tolerance import allegation_services

    w = full_world
    w.users["city_staff"] = UserFactory(username="city_staff", first_name="市组织部干事", role=Role.CADRE_SECTION)
    jurisdiction_grant(user=w.users["city_staff"], unit=w.city)
    for stage in (Stage.FILED, Stage.INVESTIGATION, Stage.PRELIMINARY, Stage.CONSULTATION, Stage.DETERMINATION):
        walk_case(w, stage)
    walk_case(w, Stage.CLOSED, outcome=Outcome.LIGHTER)
    walk_case(w, Stage.CLOSED, outcome=Outcome.NOT_TOLERATED, checklist={"conditions": False, "situation": None})
    receive_allegation(w, issue="违规操办婚宴")
    verifying_allegation(w, issue="违规收受礼金")
    true = verifying_allegation(w, issue="违规占用办公用房")
    allegation_services.allegation_conclude(allegation=true, by=w.users["officer_assigned"], conclusion="true",
                                            findings="经核查属实", concluded_on=true.received_on)
    return w


PERSONAS = ["city_staff", "staff_a", "staff_b", "officer_assigned", "leader", "secadmin", "auditor"]


def test_no_page_any_persona_reaches_shows_a_raw_value_or_answers_500(every_state):
    # One world for every persona: building the states is most of the cost.
    users = every_state.users
    usernames = {u.username for u in users.values() if u is not None}
    failures = []
    for persona in PERSONAS:
        client = client_for(Client(raise_request_exception=False), users[persona])
        problems, errors, routes = crawl(client, usernames)
        print(f"\n[raw-value crawl] {persona}: {sum(routes.values()) + 1} pages, {len(routes)} routes")
        failures += [f"{persona} {url}: HTTP 500" for url in errors]
        failures += [f"{persona} {url}: {word} «{where}»" for url, words in problems.items()
                     for word, where in words.items()]
    assert not failures, "\n".join(failures[:60])


def test_the_reader_finds_raw_values_in_what_is_shown_and_ignores_what_is_not():
    reader = VisibleText()
    reader.feed('<p>是否主要领导：True</p><td title="filing">备案</td><script>var x = None;</script>'
                '<input type="hidden" value="exempt"><input type="submit" value="closed"><code>manage.py</code>'
                '<p>经办人：staff_a</p><p>导出 PDF 和 Excel</p>')
    found = raw_values(" ".join(reader.parts), {"staff_a"})
    assert set(found) == {"True", "filing", "closed", "用户名 staff_a"}
