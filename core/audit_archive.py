"""Retention of the audit trail (网络安全法 art. 21: at least 6 months online): rows older than
AUDIT_RETENTION_DAYS are written to a signed archive file, and only then removed from the
table through `archive_delete_allowed` — the one delete the append-only triggers let through
(PostgreSQL: pgtrigger.ignore; SQLite: a permit row held for the transaction, see migration
core/0012). The archive itself is recorded in the trail (event 审计日志归档, with the file and its signature)."""
import contextlib
import datetime
import hmac
import json
import os
from pathlib import Path

import pgtrigger
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.audit import _hashed_fields, _key, audit_log
from core.models import AuditEvent

ARCHIVE_TRIGGER = "core.AuditEvent:audit_append_only"


@contextlib.contextmanager
def archive_delete_allowed():
    """Within the caller's transaction, let the archive's delete past the append-only trigger."""
    if connection.vendor == "postgresql":
        with pgtrigger.ignore(ARCHIVE_TRIGGER):
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_audit_delete_permit (id) VALUES (1)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_audit_delete_permit")


def archive_signature(data: bytes) -> str:
    """HMAC-SM3 of an archive file under the audit key (the key of the hash chain)."""
    mac = crypto_hmac.HMAC(_key(), hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def archive_verify(path: Path) -> bool:
    """True when the archive file is as it was written (its .sig matches)."""
    signature = Path(f"{path}.sig").read_text().strip()
    return hmac.compare_digest(archive_signature(Path(path).read_bytes()), signature)


def audit_archive(*, now: datetime.datetime | None = None, progress=None) -> Path | None:
    """Archive the rows past retention; returns the archive file, or None when none is due."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    due = AuditEvent.objects.filter(created_at__lt=cutoff).order_by("id")
    total = due.count()
    if not total:
        return None
    first_id = due.values_list("id", flat=True).first()
    last_id = due.values_list("id", flat=True).last()
    directory = Path(settings.AUDIT_ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-{first_id:012d}-{last_id:012d}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for done, event in enumerate(due.filter(id__lte=last_id).iterator(chunk_size=2000), 1):
            row = {"id": event.pk, **_hashed_fields(event), "prev_hash": event.prev_hash, "hash": event.hash}
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) + "\n")
            if progress and done % 2000 == 0:
                progress(done, total)
        out.flush()
        os.fsync(out.fileno())
    signature = archive_signature(path.read_bytes())
    Path(f"{path}.sig").write_text(signature + "\n")
    with transaction.atomic():
        with archive_delete_allowed():
            deleted, _ = AuditEvent.objects.filter(id__gte=first_id, id__lte=last_id, created_at__lt=cutoff).delete()
        audit_log(AuditEvent.Type.ARCHIVE, count=deleted,
                  detail=f"{settings.AUDIT_RETENTION_DAYS} 天前的第 {first_id}～{last_id} 条已归档至 {path.name}，"
                         f"签名（HMAC-SM3）{signature}")
    if progress:
        progress(total, total)
    return path
