"""Background jobs of care (core.jobs): the activity list export."""

from django.utils import timezone

from cadres.selectors import units_visible_to
from care import exports, forms
from care.selectors import activity_list
from core.exports import export_done, export_filters
from core.jobs import JobRun, register_job
from core.xlsx import export_watermark, xlsx_write


def activity_list_filters(user, data):
    """The activity list's filter form and its values, from the page's query string `data`."""
    form = forms.ActivityFilterForm(data or None, units=units_visible_to(user).order_by("path"))
    return form, dict(q=form.value("q", ""), kind=form.value("kind", ""), year=form.value("year"),
                      unit=form.value("unit"), township=form.value("township", False),
                      young=form.value("young", False), today=timezone.localdate())


@register_job("care.activities_export", label="关心关爱活动导出")
def activities_export(job: JobRun, *, query: str = "") -> str:
    _, filters = activity_list_filters(job.user, export_filters(query))
    qs = activity_list(user=job.user, **filters)
    total = qs.count()
    job.progress(0, total, force=True)
    count = xlsx_write(job.result_path("关心关爱活动.xlsx"),
                       [("关心关爱活动", [h for h, _ in exports.COLUMNS], exports.activity_rows(qs))],
                       watermark=export_watermark(job.user), progress=lambda done: job.progress(done, total))
    return export_done(job, detail=f"关心关爱活动（{query or '全部'}）", count=count)
