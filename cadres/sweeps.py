"""Influence periods ending: tell the staff who manage the cadre that they are usable again
(DESIGN §3: "the cadre is usable again on the day it ends"; seed 001)."""
import datetime

from cadres.models import RecordStatus, Sanction
from core.reminders import Reminder, SweepContext, chunked

CATCH_UP_DAYS = 90  # a sweep missed for up to this long still sends the reminder


def influence_periods_ending(context: SweepContext):
    today = context.today
    ended = (Sanction.objects.filter(status=RecordStatus.IN_FORCE, influence_end__lte=today,
                                     influence_end__gt=today - datetime.timedelta(days=CATCH_UP_DAYS))
             .select_related("cadre", "sanction_type"))
    for sanction in chunked(ended):
        cadre = sanction.cadre
        for user_id in context.jurisdictions.staff(cadre.unit_id):
            yield Reminder(
                kind="influence_end", key=f"influence_end:{sanction.pk}", recipient_id=user_id,
                title=f"{cadre.name}的处分影响期已于 {sanction.influence_end:%Y-%m-%d} 期满",
                body=f"{cadre.name}（{sanction.sanction_type}，{sanction.decision_date:%Y-%m-%d} 决定）影响期满，"
                     f"使用不再受该处分影响。",
                url=f"/cadres/{cadre.pk}/?tab=rewards")
