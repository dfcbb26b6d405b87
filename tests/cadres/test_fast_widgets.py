"""The widgets that build their HTML as plain strings (pages with hundreds of fields, issue
#16) write what Django's own templates write: same attributes and values, escaped."""
import re

import pytest
from django import forms

from cadres.forms import FastSelect, FastTextInput

CHOICES = [("", "—"), ("优秀", "优秀"), ("称职", "称职"), ("<b>", "a&b")]


def form_class(select, text):
    class F(forms.Form):
        grade = forms.ChoiceField(required=False, choices=CHOICES, widget=select(attrs={"class": "form-select"}))
        remarks = forms.CharField(required=False, max_length=300, widget=text(attrs={"class": "form-control"}))
        short = forms.CharField(max_length=3, widget=text(attrs={"class": "form-control"}))

    return F


def attributes(html: str) -> tuple[str, list[str]]:
    """The tag and its attributes in any order, with whitespace between tags ignored."""
    html = re.sub(r">\s+<", "><", html.strip())
    tag, rest = re.match(r"<(\w+)(.*)", html, re.S).groups()
    head, _, body = rest.partition(">")
    return tag, sorted(re.findall(r'\s([\w-]+(?:="[^"]*")?)', head)) + [body]


@pytest.mark.parametrize("data", [None, {"grade": "称职", "remarks": 'a<b"&c', "short": "too long"},
                                  {"grade": "<b>", "remarks": "", "short": ""}])
def test_the_fast_widgets_render_as_djangos_widgets(data):
    initial = {"grade": "优秀", "remarks": "初始"}
    django_form = form_class(forms.Select, forms.TextInput)(data, initial=initial)
    fast_form = form_class(FastSelect, FastTextInput)(data, initial=initial)
    for name in ("grade", "remarks", "short"):
        assert attributes(str(fast_form[name])) == attributes(str(django_form[name]))


def test_a_fast_text_input_escapes_its_value():
    html = str(form_class(FastSelect, FastTextInput)({"remarks": '"><script>', "short": "x"})["remarks"])
    assert 'value="&quot;&gt;&lt;script&gt;"' in html and "<script>" not in html
