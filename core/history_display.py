"""How a recorded value reads in a history diff (issue #12: no raw values).

One function for every history view, the app's tabs and the admin's history page alike: a
choice shows its label ("已办结", not "closed"), a yes/no field 是/否, an empty value nothing,
a related row its name (a person by name and post), a date as a date."""
import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from core.people import person_label

EMPTY = ""


def value_display(field, value, related: dict | None = None) -> str:
    """`value` is the stored value (for a foreign key, its id); `related` maps ids to the
    objects the caller fetched in bulk, so a list of diffs costs one query per field, not per
    row (without it, the related row is read here: the admin's paginated history page)."""
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        if isinstance(value, models.Model):  # diff_against(foreign_keys_are_objs=True)
            return person_label(value) if isinstance(value, get_user_model()) else str(value)
        if type(value).__name__ == "DeletedObject":  # simple-history: the row is gone
            return "（已删除）"
        if related is not None:  # fetched in bulk by the caller
            obj = related.get(value)
        else:
            obj = field.related_model._default_manager.filter(pk=value).first()
        if obj is None:
            return "（已删除）"
        return person_label(obj) if isinstance(obj, get_user_model()) else str(obj)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def install_admin_history_display() -> None:
    """The admin's history page (django-simple-history) diffs through value_display."""
    from simple_history.admin import SimpleHistoryAdmin
    from simple_history.template_utils import HistoricalRecordContextHelper

    class ReadableChanges(HistoricalRecordContextHelper):
        def prepare_delta_change_value(self, change, value):
            field = self.model._meta.get_field(change.field)
            if isinstance(field, models.ManyToManyField):
                return super().prepare_delta_change_value(change, value)
            return value_display(field, value)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    SimpleHistoryAdmin.get_historical_record_context_helper = get_historical_record_context_helper
