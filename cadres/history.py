"""The read-only history tab: who changed what and when, across the cadre's whole record."""
from dataclasses import dataclass

from cadres.models import (
    AchievementRecord,
    Cadre,
    Commendation,
    FamilyMember,
    FollowUpVisit,
    Posting,
    Sanction,
    SupervisionMeasure,
)
from cadres.selectors import mask_digits
from core.history_display import value_display
from core.people import person_label

# model → lookup from its historical rows to the cadre
HISTORY_SOURCES = [
    (Cadre, "id"),
    (Posting, "cadre_id"),
    (Commendation, "cadre_id"),
    (Sanction, "cadre_id"),
    (SupervisionMeasure, "cadre_id"),
    (AchievementRecord, "cadre_id"),
    (FamilyMember, "cadre_id"),
    (FollowUpVisit, "sanction__cadre_id"),
]
HIDDEN_FIELDS = {"township_days_closed", "township_anchor", "created_at"}
TYPES = {"+": "新增", "~": "修改", "-": "删除"}
LIMIT_PER_KIND = 200


@dataclass
class HistoryEntry:
    when: object
    who: str
    what: str
    action: str
    changes: list  # (field label, old, new)


def _display(record, field, related):
    if record is None:
        return ""
    value = getattr(record, field.attname)
    if field.name == "id_number":  # the history tab masks it like every list
        return mask_digits(value or "")
    return value_display(field, value, related.get(field.name) if field.is_relation else None)


def cadre_history(cadre: Cadre) -> list[HistoryEntry]:
    """A bounded number of queries per kind of record, whatever the number of changes."""
    entries = []
    for model, lookup in HISTORY_SOURCES:
        rows = list(
            model.history.filter(**{lookup: cadre.pk}).select_related("history_user")
            .order_by("-history_date", "-history_id")[:LIMIT_PER_KIND]
        )
        tracked = {f.name for f in model.history.model._meta.fields}
        fields = [f for f in model._meta.fields if f.name in tracked and f.name not in HIDDEN_FIELDS | {"id", "cadre"}]
        related = {  # names of foreign keys (unit, sanction type …), one query per field
            f.name: f.related_model.objects.in_bulk({getattr(r, f.attname) for r in rows} - {None})
            for f in fields if f.is_relation
        }
        previous_by_object = {}
        for row in reversed(rows):  # oldest first, to diff each row with the one before it
            before = previous_by_object.get(row.id)
            changes = []
            for f in fields:
                old, new = _display(before, f, related), _display(row, f, related)
                if old != new:
                    changes.append((f.verbose_name, old, new))
            previous_by_object[row.id] = row
            user = row.history_user
            entries.append(HistoryEntry(
                when=row.history_date,
                who=person_label(user) if user else "系统",
                what="干部信息" if model is Cadre else f"{model._meta.verbose_name}",
                action=TYPES.get(row.history_type, row.history_type),
                changes=changes,
            ))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
