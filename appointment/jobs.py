"""The appointment app's background jobs (core.jobs; autodiscovered by core.apps)."""
from contextlib import ExitStack

from appointment import batch, staging
from appointment.importer import ImportCounts, count_files, iter_import, iter_preview, summary_text
from cadres.selectors import units_visible_to
from core.audit import audit_log
from core.errors import DomainError
from core.jobs import register_job
from core.models import AuditEvent
from core.xlsx import export_watermark


@register_job("appointment.batch_print", label="批量打印干部任免审批表")
def batch_print_job(job, *, query=""):
    qs = batch.selection(job.user, query)
    with open(job.result_path("干部任免审批表.pdf"), "wb") as out:
        count = batch.batch_print(qs, out, progress=job.progress, watermark=export_watermark(job.user))
    audit_log(AuditEvent.Type.EXPORT, user=job.user, count=count, detail=f"批量打印干部任免审批表：{query}")
    return f"共 {count} 人，每人两页"


@register_job("appointment.lrmx_zip", label="导出干部任免审批表（LRMX）")
def lrmx_zip_job(job, *, query=""):
    qs = batch.selection(job.user, query)
    with open(job.result_path("干部任免审批表.zip"), "wb") as out:
        count = batch.lrmx_zip(qs, out, progress=job.progress)
    audit_log(AuditEvent.Type.EXPORT, user=job.user, count=count, detail=f"导出干部任免审批表（LRMX）：{query}")
    return f"共 {count} 人"


def _chosen_unit(job, unit):
    unit_obj = units_visible_to(job.user).filter(pk=unit).first()
    if unit_obj is None:
        raise DomainError("所选单位已不在您的管辖范围内，未导入。")
    return unit_obj


def _pending_dir(token):
    directory = staging.import_dir(token)
    if not staging.is_pending(token):
        raise DomainError("待导入的文件已不存在（上传后超过保存期限或已导入），请重新上传。")
    return directory


@register_job("appointment.lrmx_preview", label="检查待导入的干部任免审批表（LRMX）")
def lrmx_preview_job(job, *, token, unit, rank):
    """The dry run: every file parsed, checked and matched; nothing written but the preview's
    rows (staging), read page by page by the preview page."""
    directory = _pending_dir(token)
    _chosen_unit(job, unit)
    with ExitStack() as stack:
        uploads = staging.stored_uploads(directory, stack)
        total = count_files(uploads)
        job.progress(0, total, force=True)
        counts = staging.write_preview(directory, iter_preview(uploads, user=job.user, progress=job.progress,
                                                               total=total))
    return (f"检查完成：共 {counts.total} 个文件，新增 {counts.action('新增')} 人，更新 {counts.action('更新')} 人，"
            f"无变化 {counts.action('无变化')} 人，有错误不导入 {counts.action('不导入')} 个")


@register_job("appointment.lrmx_import", label="导入干部任免审批表（LRMX）")
def lrmx_import_job(job, *, token, unit, rank):
    """The confirmed import: the files are checked again (the registry may have changed since
    the preview) and written a chunk at a time; the per-file report streams to the result."""
    directory = _pending_dir(token)
    unit_obj = _chosen_unit(job, unit)
    counts = ImportCounts()
    try:
        with ExitStack() as stack, open(job.result_path("导入结果.txt"), "w", encoding="utf-8") as out:
            uploads = staging.stored_uploads(directory, stack)
            total = count_files(uploads)
            job.progress(0, total, force=True)
            out.write(batch.REPORT_HEADER)
            for result in iter_import(uploads, user=job.user, unit=unit_obj, rank=rank, progress=job.progress,
                                      total=total):
                counts.add(result)
                out.write(batch.report_line(result))
    finally:
        staging.discard_files(directory)
    summary = summary_text(counts)
    audit_log(AuditEvent.Type.IMPORT, user=job.user, count=counts.outcome("新增") + counts.outcome("更新"),
              detail=f"导入干部任免审批表（LRMX）：{summary}")
    return summary
