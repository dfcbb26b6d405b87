"""The leaders' dashboard and the year-end statistical report. Thin: the figures come from
dashboard.figures, the units from the same jurisdiction selector as every list page."""
from functools import wraps
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe

from core.audit import audit_log
from core.jobs import job_start
from core.models import AuditEvent
from core.xlsx import export_watermark
from dashboard import report as year_report
from dashboard.figures import figure_values, period_counts
from dashboard.forms import DashboardForm, ReportForm
from dashboard.periods import Period
from dashboard.selectors import dashboard_units, default_unit, kept_for, may_view_dashboard
from dashboard.tables import compliance_table, quota_table, stage_days_table

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dashboard_access(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_view_dashboard(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _choice(request, form_class):
    """The chosen (or default) year and unit; a unit outside the jurisdiction is refused by
    the form's choices, and then the default is shown."""
    today = timezone.localdate()
    unit = default_unit(request.user)
    if unit is None:
        raise Http404("没有可统计的单位。")
    data = {"year": today.year, "unit": unit.pk, **request.GET.dict()}
    form = form_class(data, units=dashboard_units(request.user), today=today)
    if form.is_valid():
        return form, form.cleaned_data, today
    form = form_class({"year": today.year, "unit": unit.pk}, units=dashboard_units(request.user), today=today)
    form.is_valid()
    return form, form.cleaned_data, today


@dashboard_access
def dashboard(request):
    form, choice, today = _choice(request, DashboardForm)
    period = Period(choice["year"], choice.get("quarter"))
    unit = choice["unit"]
    user, year = request.user, period.year

    def page() -> tuple[dict, str]:
        """The counts, and the sections and tables as HTML (a page of a hundred figures takes
        longer to render than to read from the cache): kept together, one look-up a view."""
        counts = period_counts(user=user, unit=unit, period=period, today=today)
        sections = figure_values(user=user, unit=unit, period=period, today=today, counts=counts)
        return counts, render_to_string("dashboard/_sections.html", {
            "period": period, "unit": unit, "sections": sections, "charts": {s.key: s.chart() for s in sections},
            "quota": quota_table(user=user, unit=unit, year=year),
            "stage_days": stage_days_table(user=user, unit=unit, period=period),
            "care_table": compliance_table(user=user, unit=unit, year=year, today=today)})

    counts, body = kept_for(user, ("page", unit.pk, period, today), page)
    return render(request, "dashboard/index.html", {
        "form": form, "period": period, "previous": period.shifted(-1), "unit": unit,
        "sections": figure_values(user=user, unit=unit, period=period, today=today, counts=counts),
        "body": mark_safe(body),  # noqa: S308 - our own template's output
    })


@dashboard_access
def report(request):
    form, choice, today = _choice(request, ReportForm)
    # A whole city's table by subordinate unit is left to the files (a background job).
    whole_city = choice["unit"].depth == 1
    content = year_report.build_report(user=request.user, unit=choice["unit"], year=choice["year"], today=today,
                                       by_unit=not whole_city)
    return render(request, "dashboard/report.html", {"form": form, "report": content, "whole_city": whole_city,
                                                     "query": f"year={choice['year']}&unit={choice['unit'].pk}"})


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _report_file(request, fmt: str):
    """A county's report is built in the request; a whole city's (a root unit: one column
    per county and city department) runs as a background job with a progress page."""
    _, choice, today = _choice(request, ReportForm)
    unit, year = choice["unit"], choice["year"]
    if unit.depth == 1:
        job = job_start(user=request.user, kind="dashboard.report",
                        params={"unit": unit.pk, "year": year, "format": fmt},
                        label=f"{unit.qualified_name}{year}年度干部激励工作统计表（{year_report.FORMAT_LABELS[fmt]}）")
        return redirect(job)
    content = year_report.build_report(user=request.user, unit=unit, year=year, today=today)
    if fmt == "pdf":
        data, content_type = year_report.report_pdf(content, watermark=export_watermark(request.user)), PDF
    else:
        buffer = BytesIO()
        year_report.report_xlsx(content, buffer, watermark=export_watermark(request.user))
        data, content_type = buffer.getvalue(), XLSX
    audit_log(AuditEvent.Type.EXPORT, request=request, obj=unit, detail=f"{content.title}（{year_report.FORMAT_LABELS[fmt]}）")
    return _download(data, content_type, f"{content.title}.{fmt}")


@dashboard_access
def report_pdf(request):
    return _report_file(request, "pdf")


@dashboard_access
def report_xlsx(request):
    return _report_file(request, "xlsx")
