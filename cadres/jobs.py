"""Background jobs of the cadre registry (core.jobs): the registry export."""
from cadres import excel
from cadres.forms import CadreFilterForm
from cadres.selectors import cadre_list, can_reveal_id_number, units_visible_to
from core.exports import export_done, export_filters
from core.jobs import JobRun, register_job
from core.xlsx import export_watermark, xlsx_write


def cadres_filtered(user, data):
    """The registry list for `user` filtered as the list page's query string `data` says."""
    form = CadreFilterForm(data or None, units=units_visible_to(user))
    filters = form.cleaned_data if form.is_valid() else {}
    return cadre_list(
        user=user, search=filters.get("q", ""), unit=filters.get("unit"), rank=filters.get("rank", ""),
        status=filters.get("status", ""), tag=filters.get("tag", ""),
        township_years_min=filters.get("township_years"), order=filters.get("order") or "name",
    )


@register_job("cadres.export", label="干部信息导出")
def cadres_export(job: JobRun, *, query: str = "") -> str:
    qs = cadres_filtered(job.user, export_filters(query))
    total = qs.count()
    job.progress(0, total, force=True)
    count = xlsx_write(job.result_path("干部名册.xlsx"),
                       [("干部名册", [h for h, _ in excel.EXPORT_COLUMNS], excel.export_rows(qs, user=job.user))],
                       watermark=export_watermark(job.user), progress=lambda done: job.progress(done, total))
    full_ids = "，含完整身份证号" if can_reveal_id_number(job.user) else ""
    return export_done(job, detail=f"干部名册（{query or '全部'}{full_ids}）", count=count)
