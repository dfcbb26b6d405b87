"""{{ user|person }}: a person by name and post, never by login name (core.people)."""
from django import template

from core.people import person_label, unit_label

register = template.Library()


@register.filter
def person(user):
    return person_label(user) if user else "系统"


@register.filter
def unit_full(unit):
    return unit_label(unit) if unit else ""
