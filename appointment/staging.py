"""An LRMX upload between its upload and its import: the files, then the preview's rows.

Upload → preview job → confirm → import job. The uploaded files wait in MEDIA_ROOT (never
served) in a folder named by a random token, remembered in the uploader's session, as the
Excel import's file does, and expire like it (IMPORT_TTL_SECONDS after the upload, whether
confirmed or not). The preview job writes one JSON line per file and a summary of counts
there, so that the preview page reads its counts and one page of rows, never every row, and
neither the job nor the page holds all files in memory."""
import json
import shutil
import time
from contextlib import ExitStack
from itertools import islice
from pathlib import Path

from django.conf import settings

from appointment.importer import FileResult, ImportCounts
from cadres.views import IMPORT_TTL_SECONDS

PREFIX = "lrmx-"
NAMES, ROWS, SUMMARY = "names.json", "preview.jsonl", "summary.json"


def import_dir(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{PREFIX}{token}"


def store_uploads(token: str, uploads) -> Path:
    """Write the uploaded files (Django UploadedFile objects) chunk by chunk."""
    directory = import_dir(token)
    directory.mkdir(parents=True)
    names = []
    for i, upload in enumerate(uploads):
        with (directory / f"{i}.bin").open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names.append(Path(upload.name).name)
    (directory / NAMES).write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    return directory


def stored_uploads(directory: Path, stack: ExitStack):
    names = json.loads((directory / NAMES).read_text(encoding="utf-8"))
    return [(name, stack.enter_context((directory / f"{i}.bin").open("rb"))) for i, name in enumerate(names)]


def is_pending(token: str) -> bool:
    return (import_dir(token) / NAMES).is_file()


def purge_expired(now: float | None = None) -> int:
    """Delete uploads older than IMPORT_TTL_SECONDS (they hold ID numbers and photos). Runs on
    every upload and confirmation, as the Excel import's purge does."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    now = now or time.time()
    removed = 0
    for directory in folder.glob(f"{PREFIX}*") if folder.is_dir() else []:
        try:
            if now - directory.stat().st_mtime > IMPORT_TTL_SECONDS:
                shutil.rmtree(directory, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def discard_files(directory: Path) -> None:
    """After the import: the uploaded files go at once; the preview rows stay until expiry."""
    for path in directory.glob("*.bin"):
        path.unlink(missing_ok=True)
    (directory / NAMES).unlink(missing_ok=True)


def row_of(result: FileResult) -> dict:
    return {"name": result.name, "person": result.display_name, "action": result.action,
            "changes": result.changes, "errors": result.errors, "warnings": result.warnings}


def write_preview(directory: Path, results) -> ImportCounts:
    """Write the preview's rows as they come; return the counts (also written)."""
    counts = ImportCounts()
    with (directory / ROWS).open("w", encoding="utf-8") as out:
        for result in results:
            counts.add(result)
            out.write(json.dumps(row_of(result), ensure_ascii=False) + "\n")
    (directory / SUMMARY).write_text(json.dumps(summary_dict(counts), ensure_ascii=False), encoding="utf-8")
    return counts


def summary_dict(counts: ImportCounts) -> dict:
    return {"total": counts.total, "new": counts.action("新增"), "update": counts.action("更新"),
            "unchanged": counts.action("无变化"), "refused": counts.action("不导入")}


def read_summary(directory: Path) -> dict | None:
    try:
        return json.loads((directory / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class PreviewRows:
    """The preview's rows as a sequence for Paginator: its length from the summary, a slice
    read from the file (one page, not all rows)."""

    def __init__(self, directory: Path, total: int):
        self.path, self.total = directory / ROWS, total

    def count(self) -> int:
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        try:
            with self.path.open(encoding="utf-8") as f:
                return [json.loads(line) for line in islice(f, index.start or 0, index.stop)]
        except OSError:
            return []
