"""The read-only change record of an activity: who changed what and when. It reads the
history of the activity and of its (visible) cadres' participation, never of the
confidential note, which is only read through its own logged view."""
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from cadres.models import Cadre
from care.models import CareActivity, CareParticipant
from core.history_display import value_display
from core.people import person_label

TYPES = {"+": "新增", "~": "修改", "-": "删除"}  # history_type
HIDDEN = {"id", "activity", "created_at", "created_by"}
LIMIT = 200


@dataclass
class Entry:
    when: object
    who: str
    what: str
    action: str
    changes: list  # (field label, old, new)


def _display(record, field, names):
    if record is None:
        return ""
    value = getattr(record, field.attname)
    if field.is_relation and value is not None:
        return names.get((field.related_model, value), "")
    return value_display(field, value)


def _name(obj) -> str:
    return person_label(obj) if isinstance(obj, get_user_model()) else str(obj)


def _who(row) -> str:
    user = row.history_user
    return person_label(user) if user else "系统"


def _entries(rows, model, what):
    fields = [f for f in model._meta.fields if f.name not in HIDDEN and f.name in
              {h.name for h in model.history.model._meta.fields}]
    names = {}
    for f in fields:
        if f.is_relation:
            ids = {getattr(r, f.attname) for r in rows} - {None}
            names.update({(f.related_model, pk): _name(obj) for pk, obj in
                          f.related_model.objects.in_bulk(ids).items()})
    previous, entries = {}, []
    for row in reversed(rows):
        before = previous.get(row.id)
        changes = [(f.verbose_name, _display(before, f, names), _display(row, f, names)) for f in fields]
        changes = [c for c in changes if c[1] != c[2]]
        previous[row.id] = row
        entries.append(Entry(row.history_date, _who(row), what(row), TYPES.get(row.history_type, row.history_type),
                             changes))
    return entries


def _participant_entries(rows) -> list[Entry]:
    """Cadres added or removed, one entry per user and minute (a group activity adds many at
    once). Their other changes only mirror the activity's, which has its own entries."""
    names = {c.pk: c.name for c in Cadre.objects.filter(pk__in={r.cadre_id for r in rows}).only("name")}
    grouped, last = {}, {}  # (minute, who, type, reason) -> names, and the time of the group's last change
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        if row.history_type not in ("+", "-"):
            continue
        key = (row.history_date.replace(second=0, microsecond=0), _who(row), row.history_type,
               row.history_change_reason or "")
        grouped.setdefault(key, []).append(names.get(row.cadre_id, ""))
        last[key] = row.history_date  # so that changes within one minute keep their order
    entries = []
    for key, people in grouped.items():
        _, who, kind, reason = key
        changes = [("干部", "", "、".join(people))] + ([("原因", "", reason)] if reason else [])
        entries.append(Entry(last[key], who, f"参加干部 {len(people)} 人", TYPES[kind], changes))
    return entries


def activity_history(activity: CareActivity, visible_cadre_ids=None) -> list[Entry]:
    """A bounded number of queries whatever the number of changes or cadres."""
    rows = list(CareActivity.history.filter(id=activity.pk).select_related("history_user")
                .order_by("-history_date", "-history_id")[:LIMIT])
    entries = _entries(rows, CareActivity, lambda r: "活动信息")
    participant_rows = CareParticipant.history.filter(activity_id=activity.pk)
    if visible_cadre_ids is not None:
        participant_rows = participant_rows.filter(cadre_id__in=visible_cadre_ids)
    participant_rows = list(participant_rows.select_related("history_user").order_by("-history_date", "-history_id")
                            [:LIMIT])
    entries += _participant_entries(participant_rows)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
