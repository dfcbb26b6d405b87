"""Background jobs of the tolerance module (core.jobs): the clarification publication list export."""
from django.utils import timezone

from core.exports import export_done, export_filters
from core.jobs import JobRun, register_job
from core.xlsx import export_watermark, xlsx_write
from tolerance import forms
from tolerance.selectors import publication_list

PUBLICATION_COLUMNS = ["通知书编号", "澄清对象", "单位", "反映的问题", "核查结论", "澄清方式", "通报范围", "印发日期"]


def publication_filters(user, data):
    """The publication list's form and notices for `user`; the current year when none is chosen."""
    form = forms.PublicationForm(data or {"year": timezone.localdate().year})
    if not form.is_valid():
        return form, []
    return form, publication_list(user=user, year=form.cleaned_data["year"], quarter=form.cleaned_data.get("quarter"))


def publication_row(n):
    return [n.number, n.cadre.name, n.cadre.unit.qualified_name, n.alleged, n.finding, n.get_form_display(), n.scope,
            n.issued_on]


@register_job("tolerance.publication_export", label="不实举报澄清案例导出")
def publication_export(job: JobRun, *, query: str = "") -> str:
    _, notices = publication_filters(job.user, export_filters(query))
    notices = list(notices)  # one year's published clarifications: a few dozen rows
    job.progress(0, len(notices), force=True)
    count = xlsx_write(job.result_path("不实举报澄清案例.xlsx"),
                       [("不实举报澄清案例", PUBLICATION_COLUMNS, (publication_row(n) for n in notices))],
                       watermark=export_watermark(job.user))
    return export_done(job, detail=f"不实举报澄清案例（{query or '本年度'}）", count=count)
