"""Exports run as background jobs (issue #16): a list page's 导出 button POSTs the list's
filters, the view starts a job and sends the user to its progress page, and the job re-runs
the list's selector for the job's user in a Celery worker, writing with core.xlsx.xlsx_write.
A web worker never builds a workbook, so a whole city's export cannot hit gunicorn's timeout."""
from django.http import QueryDict
from django.shortcuts import redirect

from core.audit import audit_log
from core.jobs import job_start
from core.models import AuditEvent


def export_start(request, kind: str):
    """Start the export `kind` with the filters the list page posted (its query string)."""
    data = request.POST.copy()
    for key in ("csrfmiddlewaretoken", "page"):
        data.pop(key, None)
    job = job_start(user=request.user, kind=kind, params={"query": data.urlencode()})
    return redirect(job)


def export_filters(query: str) -> QueryDict:
    """The list's filters as the page had them in request.GET."""
    return QueryDict(query)


def export_done(job, *, detail: str, count: int) -> str:
    """Record the export in the audit trail and return the job's closing message."""
    audit_log(AuditEvent.Type.EXPORT, user=job.user, detail=detail, count=count)
    return f"共导出 {count} 条。"
