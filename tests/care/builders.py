"""Small helpers for the care tests."""
import datetime

from care import services
from care.models import CareKind


def record(world, kind=CareKind.TALK, cadres=None, date=datetime.date(2026, 3, 2), by="staff_a", conducted_by=None,
           **fields):
    user = world.users[by]
    if kind == CareKind.HARDSHIP_AID:
        fields.setdefault("amount", 1000)
    if kind == CareKind.LEAVE:
        fields.setdefault("days", 5)
    return services.care_activity_record(
        by=user, kind=kind, date=date, cadres=cadres or [world.cadre_a],
        conducted_by=world.users[conducted_by] if conducted_by else user, **fields)
