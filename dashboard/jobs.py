"""The year-end report for a whole city runs as a background job (core.jobs): one column per
subordinate unit, a second or more at 100,000 cadres."""
from django.utils import timezone

from core.audit import audit_log
from core.errors import DomainError
from core.jobs import JobRun, register_job
from core.models import AuditEvent
from core.xlsx import export_watermark
from dashboard import report as year_report
from dashboard.selectors import dashboard_units


@register_job("dashboard.report", label="年度干部激励工作统计表")
def report_job(job: JobRun, *, unit: int, year: int, format: str):
    # The grant is checked again when the job runs: it may have been revoked meanwhile.
    unit_obj = dashboard_units(job.user).filter(pk=unit).first()
    if unit_obj is None:
        raise DomainError("所选单位不在您的管辖范围内。")
    content = year_report.build_report(user=job.user, unit=unit_obj, year=year, today=timezone.localdate(),
                                       progress=lambda done, total: job.progress(done, total))
    path = job.result_path(f"{content.title}.{format}")
    if format == "pdf":
        with open(path, "wb") as f:
            f.write(year_report.report_pdf(content, watermark=export_watermark(job.user)))
    else:
        year_report.report_xlsx(content, path, watermark=export_watermark(job.user))
    audit_log(AuditEvent.Type.EXPORT, user=job.user, obj=unit_obj, detail=f"{content.title}（{format.upper()}）")
    return f"{content.title}已生成。"
