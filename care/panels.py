"""The 关心关爱 tab of the cadre page (registered in care/apps.py through core.panels)."""
import datetime

from django.utils import timezone

from cadres.models import Cadre
from care.compliance import cadre_obligations
from care.follow_ups import follow_up_due_list
from care.models import CareParticipant, Concern, ConsultationSubmission
from core import roles


def cadre_care_tab(*, cadre: Cadre, user, today: datetime.date | None = None) -> dict:
    """Context of the cadre page's 关心关爱 tab (the cadre is already visible to the user)."""
    today = today or timezone.localdate()
    participations = (CareParticipant.objects.filter(cadre=cadre).select_related("activity__conducted_by")
                      .order_by("-date", "-id")[:100])
    return {
        "care_year": today.year,
        "care_obligations": cadre_obligations(cadre=cadre, year=today.year, today=today),
        "care_participations": participations,
        "care_concerns": Concern.objects.filter(cadre=cadre).select_related("activity", "submission")
        .order_by("-raised_on", "-id")[:100],
        "care_submissions": ConsultationSubmission.objects.filter(cadre=cadre).select_related("consultation__unit")
        .order_by("-submitted_on", "-id")[:100],
        "care_follow_ups": follow_up_due_list(cadres=Cadre.objects.filter(pk=cadre.pk), today=today),
        "care_can_edit": roles.can_edit_registry(user),
        "care_today": today,
    }
