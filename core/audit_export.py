"""The auditor's Excel export of the audit trail, a background job (core.jobs) that is itself
recorded in the trail (what was exported, how many rows)."""
import datetime

from django.utils import timezone

from core.audit import audit_log
from core.audit_selectors import audit_events_filtered
from core.errors import DomainError
from core.jobs import register_job
from core.models import AuditEvent
from core.xlsx import export_watermark, xlsx_write

HEADERS = ["时间", "用户名", "姓名", "角色", "IP 地址", "事件类型", "对象类型", "对象编号", "对象", "结果", "详情",
           "记录数", "摘要"]
FILTER_LABELS = {"who": "用户", "event_type": "事件类型", "since": "起始日期", "until": "截止日期", "obj": "对象",
                 "outcome": "结果"}


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def filters_text(params: dict) -> str:
    parts = []
    for key, label in FILTER_LABELS.items():
        value = params.get(key)
        if value:
            if key == "event_type":
                value = AuditEvent.Type(value).label
            parts.append(f"{label}：{value}")
    return "；".join(parts) or "全部"


@register_job("audit.export", label="审计日志导出")
def audit_export(job, **params):
    from core import roles

    if not roles.can_read_audit(job.user):  # checked again in the worker: roles may have changed
        raise DomainError("只有审计管理员可以导出审计日志。")
    qs = audit_events_filtered(job.user, who=params.get("who", ""), event_type=params.get("event_type", ""),
                               since=_date(params.get("since")), until=_date(params.get("until")),
                               obj=params.get("obj", ""), outcome=params.get("outcome", ""))
    total = qs.count()
    job.progress(0, total, force=True)

    def rows():
        for e in qs.iterator(chunk_size=2000):
            yield [timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.user_display, e.role,
                   e.ip_address, e.get_event_type_display(), e.object_type, e.object_id, e.object_repr, e.outcome,
                   e.detail, e.count if e.count is not None else "", e.hash]

    path = job.result_path(f"审计日志_{timezone.localdate():%Y%m%d}.xlsx")
    written = xlsx_write(path, [("审计日志", HEADERS, rows())], watermark=export_watermark(job.user),
                         progress=lambda n: job.progress(n, total))
    audit_log(AuditEvent.Type.EXPORT, user=job.user, count=written,
              detail=f"导出审计日志（{filters_text(params)}）")
    return f"已导出 {written} 条审计日志。"
