"""Shared by the form fuzzer (tests/test_fuzz_forms.py) and the read crawler
(tests/test_read_crawler.py): the pages of the permission matrix, a small HTML form reader,
and the hostile values typed into forms and query strings."""
import random
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import reverse

HOSTILE_TEXT = ["a\x00b", "\x00", "x" * 5000, "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "'; --", "　",
                "𠀀😀", ""]
HOSTILE_DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "2026-02-30", "20260101", "-1", "0000-00-00", "2026-13-01"]
HOSTILE_NUMBERS = ["1" * 23, "-" + "9" * 20, "1e309", "NaN", "-1", "0", "3.5", "2147483648"]
HOSTILE_IDS = ["1" * 23, "999999999", "-1", "0", "abc", "1.5"]


@dataclass
class Form:
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name → (kind, [option values], default value)

    def key(self):
        return self.method, urlsplit(self.action).path, tuple(sorted(self.fields))


class FormReader(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            # action="?unit=3" or "": relative to the page, as the browser resolves it
            self._form = Form(method=(a.get("method") or "get").lower(), action=urljoin(self.page_url, a.get("action") or ""))
            self.forms.append(self._form)
        elif tag == "option" and self._form is not None and self._select:  # options carry no name
            value = a.get("value", "")
            self._form.fields[self._select][1].append(value)
            if "selected" in a:
                kind, options, _ = self._form.fields[self._select]
                self._form.fields[self._select] = (kind, options, value)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            self._form.fields.setdefault(a["name"], (kind, [], a.get("value", "")))
            if kind in ("checkbox", "radio"):
                self._form.fields[a["name"]][1].append(a.get("value", "on"))
        elif tag == "textarea":
            self._form.fields[a["name"]] = ("textarea", [], "")
        elif tag == "select":
            self._select = a["name"]
            self._form.fields[a["name"]] = ("select-multiple" if "multiple" in a else "select", [], "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(html: str, page_url: str) -> list[Form]:
    reader = FormReader(page_url)
    reader.feed(html)
    return reader.forms


def plausible(form: Form) -> dict:
    """Values a careful user would send: the defaults and the first real option."""
    data = {}
    for name, (kind, options, default) in form.fields.items():
        real = [o for o in options if o]
        if kind == "select-multiple" and not (default or real):
            continue  # nothing to choose (no tags yet): left empty, as a user would
        if kind in ("select", "select-multiple"):
            data[name] = default or (real[0] if real else "")
        elif kind == "checkbox":
            continue
        elif kind == "radio":
            data[name] = real[0] if real else ""
        elif kind == "date":
            data[name] = default or "2026-03-01"
        elif kind == "number":
            data[name] = default or "1"
        elif kind == "file":
            continue
        else:
            data[name] = default or "测试"
    return data


def hostile(form: Form, rng: random.Random) -> dict:
    """The plausible post with some fields replaced by hostile values of their kind."""
    data = plausible(form)
    for name, (kind, options, _) in form.fields.items():
        if name in ("csrfmiddlewaretoken", "_submit_once") or rng.random() < 0.4:
            continue
        if kind == "date":
            data[name] = rng.choice(HOSTILE_DATES)
        elif kind == "number":
            data[name] = rng.choice(HOSTILE_NUMBERS)
        elif kind == "select-multiple":
            data[name] = [rng.choice(HOSTILE_IDS), *(options[:1] or [])]
        elif kind in ("select", "radio", "hidden"):
            data[name] = rng.choice(HOSTILE_IDS + HOSTILE_TEXT[:2])
        elif kind == "checkbox":
            data[name] = rng.choice(["on", "\x00", "1" * 23])
        elif kind != "file":
            data[name] = rng.choice(HOSTILE_TEXT + HOSTILE_DATES[:1] + HOSTILE_NUMBERS[:1])
    return data


def matrix_pages(world):
    """(name, url, method) for every named URL of the permission matrix, with its objects."""
    from tests.test_permission_matrix import MATRIX

    for name in sorted(MATRIX):
        method, kwargs, _ = MATRIX[name]
        yield name, reverse(name, kwargs=kwargs(world)), method
