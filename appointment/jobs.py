"""The appointment app's background jobs (core.jobs; autodiscovered by core.apps)."""
import shutil

from appointment import batch
from appointment.importer import summary_text
from cadres.selectors import units_visible_to
from core.audit import audit_log
from core.errors import DomainError
from core.jobs import register_job
from core.models import AuditEvent


@register_job("appointment.batch_print", label="批量打印干部任免审批表")
def batch_print_job(job, *, query=""):
    qs = batch.selection(job.user, query)
    with open(job.result_path("干部任免审批表.pdf"), "wb") as out:
        count = batch.batch_print(qs, out, progress=job.progress)
    audit_log(AuditEvent.Type.EXPORT, user=job.user, count=count, detail=f"批量打印干部任免审批表：{query}")
    return f"共 {count} 人，每人两页"


@register_job("appointment.lrmx_zip", label="导出干部任免审批表（LRMX）")
def lrmx_zip_job(job, *, query=""):
    qs = batch.selection(job.user, query)
    with open(job.result_path("干部任免审批表.zip"), "wb") as out:
        count = batch.lrmx_zip(qs, out, progress=job.progress)
    audit_log(AuditEvent.Type.EXPORT, user=job.user, count=count, detail=f"导出干部任免审批表（LRMX）：{query}")
    return f"共 {count} 人"


@register_job("appointment.lrmx_import", label="导入干部任免审批表（LRMX）")
def lrmx_import_job(job, *, token, unit, rank):
    directory = batch.import_dir(token)
    if not directory.is_dir():
        raise DomainError("待导入的文件已不存在，请重新上传。")
    try:
        unit_obj = units_visible_to(job.user).filter(pk=unit).first()
        if unit_obj is None:
            raise DomainError("所选单位已不在您的管辖范围内，未导入。")
        result = batch.import_stored(directory, user=job.user, unit=unit_obj, rank=rank, progress=job.progress)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    with open(job.result_path("导入结果.txt"), "w", encoding="utf-8") as out:
        out.write(batch.import_report(result))
    summary = summary_text(result)
    audit_log(AuditEvent.Type.IMPORT, user=job.user, count=sum(1 for f in result.files if f.outcome in ("新增", "更新")),
              detail=f"导入干部任免审批表（LRMX）：{summary}")
    return summary


