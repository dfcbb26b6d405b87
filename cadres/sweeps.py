"""Influence periods ending: tell the staff who manage the cadre that they are usable again
(DESIGN §3: "the cadre is usable again on the day it ends"; seed 001)."""
import datetime

from cadres.models import RecordStatus, Sanction
from core.reminders import Reminder, SweepContext, chunked

# Before the sweep's first successful run, periods that ended up to this long ago are
# announced; afterwards it catches up from its last successful run, however long ago.
CATCH_UP_DAYS = 90
SWEEP_NAME = "cadres_influence_periods_ending"


def influence_periods_ending(context: SweepContext):
    today = context.today
    last = context.last_success_of(SWEEP_NAME)
    if last is not None and last < today:
        since = last - datetime.timedelta(days=1)  # overlap a day; the natural key drops repeats
    else:
        since = today - datetime.timedelta(days=CATCH_UP_DAYS)
    ended = (Sanction.objects.filter(status=RecordStatus.IN_FORCE, influence_end__lte=today,
                                     influence_end__gt=since)
             .select_related("cadre", "sanction_type")
             # Only what the reminder says: a whole cadre row (encrypted fields, résumé) per
             # sanction made each batch of 1,000 several megabytes.
             .only("decision_date", "influence_end", "cadre__name", "cadre__unit_id", "sanction_type__category",
                   "sanction_type__name"))
    for sanction in chunked(ended):
        cadre = sanction.cadre
        for user_id in context.jurisdictions.staff(cadre.unit_id):
            yield Reminder(
                kind="influence_end", key=f"influence_end:{sanction.pk}", recipient_id=user_id,
                title=f"{cadre.name}的处分影响期已于 {sanction.influence_end:%Y-%m-%d} 期满",
                body=f"{cadre.name}（{sanction.sanction_type}，{sanction.decision_date:%Y-%m-%d} 决定）影响期满，"
                     f"使用不再受该处分影响。",
                url=f"/cadres/{cadre.pk}/?tab=rewards")
