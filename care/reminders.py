"""Care reminders: what care_due_items lists, told to the staff who manage the unit."""
import datetime

from cadres.models import RecordStatus, Sanction
from care.sweeps import iter_care_due_items
from core.reminders import Reminder, SweepContext

KINDS = {"obligation": "care_obligation", "follow_up": "care_follow_up", "concern": "care_concern",
         "submission": "care_submission"}
LINKS = {"obligation": "/care/compliance/", "follow_up": "/care/follow-ups/", "concern": "/care/concerns/",
         "submission": "/care/consultations/"}


def care_reminders(context: SweepContext):
    from care.follow_ups import refresh_follow_up_due

    # Re-check the stored follow-up schedules (kept on every save) against their inputs, in
    # case a write bypassed the signals (queryset.update, raw SQL): those that can still fall due.
    refresh_follow_up_due(Sanction.objects.filter(status=RecordStatus.IN_FORCE, influence_end__gt=context.today))
    for item in iter_care_due_items(context.today):
        for user_id in context.jurisdictions.staff(item.unit_id):
            yield Reminder(KINDS[item.kind], item.key, user_id, item.text, url=item.url or LINKS[item.kind])


def workbench_items(user, today):
    """Open concerns and follow-up visits falling due in the staff member's jurisdiction."""
    from cadres.selectors import cadres_visible_to
    from care.follow_ups import FOLLOW_UP_DUE_SOON_DAYS, follow_up_due_list
    from care.models import ConcernStatus
    from care.selectors import concerns_visible_to, submissions_visible_to
    from care.sweeps import submission_answer_due
    from core import roles
    from core.panels import WorkItem

    if not (roles.is_staff_member(user) or roles.is_admin(user)):
        return []
    # Only the columns shown: a whole cadre row carries encrypted fields to decrypt.
    concerns = (concerns_visible_to(user).filter(status=ConcernStatus.OPEN).select_related("cadre")
                .only("id", "category", "deadline", "cadre__name").order_by("deadline", "pk")[:20])
    items = [WorkItem("关心关爱", f"答复{c.cadre.name}的{c.get_category_display()}诉求", f"/care/concerns/{c.pk}/",
                      c.deadline, "待答复") for c in concerns]
    # 说说心里话: every submission is answered (seed 000 Q8: 积极回应干部合理关切).
    unanswered = (submissions_visible_to(user).filter(answered_on__isnull=True)
                  .select_related("cadre", "consultation")
                  .only("id", "submitted_on", "consultation__title", "cadre__name").order_by("submitted_on", "id")[:20])
    items += [WorkItem("关心关爱", f"答复{s.cadre.name}在“{s.consultation.title}”中反映的心里话",
                       f"/care/consultations/{s.consultation_id}/", submission_answer_due(s), "待答复")
              for s in unanswered]
    due = follow_up_due_list(cadres=cadres_visible_to(user), today=today,
                             due_by=today + datetime.timedelta(days=FOLLOW_UP_DUE_SOON_DAYS), limit=20)
    items += [WorkItem("关心关爱", f"回访教育：{d.sanction.cadre.name}（{d.sanction.sanction_type}）",
                       f"/cadres/{d.sanction.cadre_id}/?tab=care", d.next_due, "回访") for d in due]
    return items
