from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadres.selectors import active_cadre_count, managed_unit_roots
from core import roles
from core.models import BackgroundJob, Notification
from core.workbench import work_rows, workbench_items


def _admin_duty(user) -> tuple[str, list[tuple[str, str]]] | None:
    """三权分立: an administrator's places of work (they open no business page)."""
    if roles.is_system_admin(user):
        return ("您是系统管理员：在系统管理后台维护单位、账号、基础数据和定时任务。",
                [("进入系统管理", reverse("admin:index"))])
    if roles.is_security_admin(user):
        return ("您是安全管理员：授予和撤销角色、管辖范围，签发和吊销合作单位的接口令牌。",
                [("授权管理", reverse("security_users")), ("接口令牌", reverse("api:token_list"))])
    if roles.is_audit_admin(user):
        return ("您是审计管理员：查询、导出审计日志。", [("审计日志", reverse("audit_list"))])
    return None


@login_required
def home(request):
    """The workbench (工作台): my open tasks by deadline, overdue first, counts per module."""
    today = timezone.localdate()
    items = workbench_items(request.user, today)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.module] = counts.get(item.module, 0) + 1
    context = {
        "can_view_registry": roles.can_view_registry(request.user),
        "work_items": items,
        "work_rows": work_rows(items, today),
        "work_counts": sorted(counts.items()),
        "overdue_count": sum(1 for i in items if i.deadline and i.deadline < today),
        "recent_notifications": Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:5],
        "admin_duty": _admin_duty(request.user),
    }
    if context["can_view_registry"]:
        context.update(
            managed_units=managed_unit_roots(request.user).order_by("path"),
            active_count=active_cadre_count(request.user),
        )
    return render(request, "core/home.html", context)


@login_required
def inbox(request):
    qs = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread")),
                                               "query": "unread=1" if request.GET.get("unread") else ""})


@require_POST
@login_required
def notification_open(request, pk):
    """Mark read and follow the link; the target view applies its own permission check."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(notification.url or "inbox")


@require_POST
@login_required
def inbox_mark_all_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("inbox")


def healthz(request):
    """For the load balancer and the deploy smoke check: the app and its database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _own_job(request, pk):
    # Only the job's owner sees it: its result holds what that user was allowed to export.
    return get_object_or_404(BackgroundJob, pk=pk, user=request.user)


@login_required
def job_list(request):
    page = Paginator(BackgroundJob.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page, "job_days": settings.JOB_RESULT_DAYS})


@login_required
def job_detail(request, pk):
    job = _own_job(request, pk)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != BackgroundJob.Status.DONE or not job.result_path or not Path(job.result_path).is_file():
        raise Http404("结果文件不存在或已过期")
    return FileResponse(open(job.result_path, "rb"), as_attachment=True, filename=job.result_name)
