from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from cadres.models import CadreStatus
from cadres.selectors import cadres_visible_to, managed_unit_roots
from core import roles
from tolerance.models import Stage
from tolerance.selectors import cases_visible_to


@login_required
def home(request):
    """The workbench: the user's jurisdiction and its registry at a glance."""
    context = {
        "can_view_registry": roles.can_view_registry(request.user),
        # The stages this user is responsible for, the most urgent first.
        "my_cases": cases_visible_to(request.user).filter(stage_owner=request.user).exclude(stage=Stage.CLOSED)
        .select_related("unit").order_by("stage_deadline", "id")[:20],
    }
    if context["can_view_registry"]:
        cadres = cadres_visible_to(request.user)
        context.update(
            managed_units=managed_unit_roots(request.user).order_by("path"),
            active_count=cadres.filter(status=CadreStatus.ACTIVE).count(),
            total_count=cadres.count(),
        )
    return render(request, "core/home.html", context)


def healthz(request):
    """For the load balancer and the deploy smoke check: the app and its database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
