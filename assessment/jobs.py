"""Background jobs of assessment (core.jobs): the promotion shortlist export."""

from django.utils import timezone

from assessment import excel, forms
from assessment.selectors import Shortlist, shortlist_query
from cadres.models import Rank
from cadres.selectors import units_visible_to
from core.exports import export_done, export_filters
from core.jobs import JobRun, register_job
from core.xlsx import export_watermark, xlsx_write


def shortlist_from(user, data) -> tuple[forms.ShortlistForm, Shortlist | None]:
    """The shortlist form for `data` (the page's query string) and its query, None until a
    unit and a target rank are chosen."""
    form = forms.ShortlistForm(data or None, units=units_visible_to(user).order_by("path"))
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    return form, shortlist_query(user=user, unit=d["unit"], target_rank=d["target_rank"], on=d.get("on"),
                                 q=d.get("q", "").strip(), block=d.get("block", ""),
                                 priority=d.get("priority", ""))


@register_job("assessment.shortlist_export", label="提拔人选研判名单导出")
def shortlist_export(job: JobRun, *, query: str = "") -> str:
    form, shortlist = shortlist_from(job.user, export_filters(query))
    if shortlist is None:
        return "未选择单位和拟任职级，没有导出。"
    d = form.cleaned_data
    show = d.get("show", "")
    total = shortlist.shown(show).count()
    job.progress(0, total, force=True)
    target = Rank(d["target_rank"]).label + (f"（{d['position']}）" if d.get("position") else "")
    title = f"{d['unit'].qualified_name}拟提拔{target}人选研判名单（{(d.get('on') or timezone.localdate()):%Y-%m-%d}）"
    rows = ([number, row.name, row.unit_name, row.position, row.rank, "可提名" if row.eligible else "暂不能提名",
             "\n".join(row.blocks), "\n".join(row.priorities)]
            for number, row in enumerate(shortlist.iter_rows(show), start=1))
    count = xlsx_write(job.result_path(f"{title}.xlsx"), [("提拔人选研判", excel.HEADERS, rows)],
                       watermark=export_watermark(job.user),
                       column_widths=dict(enumerate(excel.WIDTHS)), progress=lambda done: job.progress(done, total))
    return export_done(job, detail=title, count=count)
