"""The form fuzzer (issue 13's probe, kept): every form of every module, as each persona,
posted with malformed and out-of-range dates, huge and NUL strings, out-of-range numbers and
foreign or impossible ids; the search and filter forms likewise in the query string. It
fails on any 500. Bounded: a fixed seed and a few posts per form (run with -s for figures)."""
import random
from urllib.parse import urlsplit

import pytest

from tests.conftest import PERSONAS, build_world, client_for, module_scenario
from tests.probe import forms_of, hostile, matrix_pages, plausible
from tests.test_permission_matrix import build_full_world

pytestmark = pytest.mark.usefixtures("quiet_refusals")
# One scenario for every persona; each persona's posts run in a savepoint rolled back after it.
scenario = module_scenario(lambda: build_full_world(build_world()))
DISCOVERED = {}  # persona → the forms found on their pages (the scenario's ids are stable)

POSTS_PER_FORM = 2
SKIP_ACTIONS = ("/logout/",)  # would end the session the fuzzer is using
FIGURES = {"forms": 0, "requests": 0}
FOREIGN = ["staff_b", "officer_unassigned", "leader"]  # out of unit A's scope, or read-only


def discover(c, world, failures, persona):
    """The persona's pages and their forms, one step further through GET forms (a unit
    picker leads to the page that holds the real form). Read once per persona."""
    if persona in DISCOVERED:
        return DISCOVERED[persona]
    pages, seen = [], set()
    queue = [url for name, url, method in matrix_pages(world) if method == "get"]
    for step in range(2):
        next_queue = []
        for url in queue:
            if url in seen:
                continue
            seen.add(url)
            response = c.get(url)
            FIGURES["requests"] += 1
            if response.status_code >= 500:
                failures.append(("GET", url, {}))
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for form in forms_of(response.content.decode(), url):
                pages.append(form)
                if form.method == "get" and step == 0:
                    query = "&".join(f"{k}={v}" for k, v in plausible(form).items() if isinstance(v, str))
                    next_queue.append(f"{urlsplit(form.action).path}?{query}")
        queue = next_queue
    unique = {}
    for form in pages:
        unique.setdefault(form.key(), form)
    DISCOVERED[persona] = list(unique.values())
    return DISCOVERED[persona]


def fuzz(c, forms, rng, failures):
    for form in forms:
        if any(skip in form.action for skip in SKIP_ACTIONS):
            continue
        FIGURES["forms"] += 1
        for _ in range(POSTS_PER_FORM if form.method == "post" else 1):
            data = hostile(form, rng)
            send = c.post if form.method == "post" else c.get
            response = send(form.action, data)
            FIGURES["requests"] += 1
            if response.status_code >= 500:
                failures.append((form.method.upper(), form.action, data))


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_no_form_of_any_module_answers_500_to_hostile_input(client, db, scenario, persona):
    full_world = scenario
    rng = random.Random(13)
    c = client_for(client, full_world.users[persona])
    c.raise_request_exception = False
    failures = []
    forms = discover(c, full_world, failures, persona)
    assert forms or persona.startswith("officer"), "the fuzzer found no form"
    fuzz(c, forms, rng, failures)
    print(f"\n[fuzz] {persona}: {len(forms)} forms, running total {FIGURES['forms']} forms, "
          f"{FIGURES['requests']} requests, {len(failures)} × 500")
    assert not failures, failures[:5]


def test_a_persona_posting_another_personas_forms_never_gets_a_500(client, db, scenario):
    full_world = scenario
    """Forms found as staff_a (objects of unit A), posted as every other persona: foreign
    objects are refused (403/404/redirect), never a 500."""
    rng = random.Random(31)
    owner = client_for(client, full_world.users["staff_a"])
    failures = []
    forms = [f for f in discover(owner, full_world, failures, "staff_a") if f.method == "post"]
    from django.test import Client
    for persona in FOREIGN:
        c = client_for(Client(raise_request_exception=False), full_world.users[persona])
        for form in forms:
            if any(skip in form.action for skip in SKIP_ACTIONS):
                continue
            response = c.post(form.action, hostile(form, rng) if rng.random() < 0.5 else plausible(form))
            FIGURES["requests"] += 1
            if response.status_code >= 500:
                failures.append((persona, form.action))
    print(f"\n[fuzz] foreign posts: {len(forms)} forms × {len(FOREIGN)} personas, "
          f"running total {FIGURES['requests']} requests, {len(failures)} × 500")
    assert not failures, failures[:5]
