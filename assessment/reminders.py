"""Quarterly review reminders (seed 002 art. 14), the explicit ask of this product: open each
quarter's reviews and tell the department's staff; remind 7 days before the deadline; the day
after the deadline, escalate to the department's leaders. Due-based: a missed run catches up."""
import datetime

from assessment.models import QuarterlyReview, ReviewStatus
from assessment.services import quarterly_reviews_open
from core.reminders import Reminder, SweepContext, chunked

REMIND_DAYS_BEFORE = 7


def quarterly_review_reminders(context: SweepContext):
    today = context.today
    quarterly_reviews_open(today)
    open_reviews = (QuarterlyReview.objects.exclude(status=ReviewStatus.CLOSED).select_related("department")
                    .filter(year__gte=today.year - 1))
    for review in chunked(open_reviews):
        label = f"{review.department.qualified_name}{review.year}年第{review.quarter}季度分析研判"
        url = f"/assessment/reviews/{review.pk}/"
        base = f"review:{review.pk}"
        staff = context.jurisdictions.staff(review.department_id, own=True)
        for user_id in staff:
            yield Reminder("review_opened", f"{base}:opened", user_id,
                           f"{label}已开启，请于 {review.deadline:%Y-%m-%d} 前完成", url=url)
        if review.deadline - datetime.timedelta(days=REMIND_DAYS_BEFORE) <= today <= review.deadline:
            for user_id in staff:
                yield Reminder("review_deadline", f"{base}:soon", user_id,
                               f"{label}将于 {review.deadline:%Y-%m-%d} 到期（{review.get_status_display()}）", url=url)
        if today > review.deadline:
            for user_id in context.jurisdictions.leaders(review.department_id, own=True):
                yield Reminder("review_escalation", f"{base}:escalated", user_id,
                               f"督办：{label}已超过期限（{review.deadline:%Y-%m-%d}），当前{review.get_status_display()}",
                               url=url)


def workbench_items(user, today):
    """Open quarterly reviews of the departments in the staff member's jurisdiction."""
    from cadres.selectors import units_visible_to
    from core import roles
    from core.panels import WorkItem

    if not (roles.is_staff_member(user) or roles.is_admin(user)):
        return []
    reviews = (QuarterlyReview.objects.exclude(status=ReviewStatus.CLOSED)
               .filter(department__in=units_visible_to(user)).select_related("department").order_by("deadline")[:20])
    return [WorkItem("考核研判", f"{r.department.qualified_name}{r.year}年第{r.quarter}季度分析研判", f"/assessment/reviews/{r.pk}/",
                     r.deadline, r.get_status_display()) for r in reviews]
