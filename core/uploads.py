"""Upload content checked against its claimed type (magic bytes), not only its extension:
an .exe renamed .pdf, or a GIF/HTML polyglot sent as a photo, is refused."""
import zipfile
from pathlib import Path

from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile

# extension → the kind its content must be
KIND_OF_EXTENSION = {
    ".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif",
    ".doc": "ole", ".xls": "ole", ".docx": "zip", ".xlsx": "zip", ".ofd": "zip", ".txt": "text",
    "xlsx": "zip",
}
SIGNATURES = {
    "pdf": [b"%PDF-"],
    "jpeg": [b"\xff\xd8\xff"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "gif": [b"GIF87a", b"GIF89a"],
    "ole": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],  # legacy Office (.doc, .xls)
    "zip": [b"PK\x03\x04"],  # OOXML and OFD are zip packages
}
# Markup a browser would sniff as a page, in an image or a text file (polyglots).
MARKUP = (b"<html", b"<script", b"<body", b"<iframe", b"<svg", b"<!doctype html", b"<?php")
EXECUTABLE = (b"MZ", b"\x7fELF")


def _head(upload, size=4096) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(size)
    upload.seek(position)
    return head if isinstance(head, bytes) else head.encode()


def content_matches(upload, claimed: str | None = None) -> bool:
    """Whether the upload's bytes are what its extension (or `claimed`) says."""
    suffix = claimed or Path(upload.name or "").suffix.lower()
    kind = KIND_OF_EXTENSION.get(suffix) or KIND_OF_EXTENSION.get(f".{suffix}")
    if kind is None:
        return False
    head = _head(upload)
    if head.startswith(EXECUTABLE):
        return False
    if kind == "text":
        return b"\x00" not in head and not any(m in head.lower() for m in MARKUP)
    if not any(head.startswith(sig) for sig in SIGNATURES[kind]):
        return False
    if kind in ("jpeg", "png", "gif") and any(m in _head(upload, 64 * 1024).lower() for m in MARKUP):
        return False
    if kind == "zip":
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return False
        finally:
            upload.seek(0)
    return True


class _AuditedUrl:
    """A stored file's `url` is the app's own view of it (permission check, and an audit row where
    the file is sensitive), never the storage path: media is not served at its path, so a plain
    /media/... link, such as the one the admin's file widget and read-only display print, would be
    dead, or, were media served, a way around the check and the audit trail."""

    @property
    def url(self):
        from django.urls import reverse

        self._require_file()
        return reverse(self.field.url_name, args=[self.instance.pk])


class AuditedFieldFile(_AuditedUrl, FieldFile):
    pass


class AuditedImageFieldFile(_AuditedUrl, ImageFieldFile):
    pass


class _AuditedFileMixin:
    def __init__(self, *args, url_name: str = "", **kwargs):
        if not url_name:
            raise ValueError("An audited file field needs the URL name of the view that serves it.")
        self.url_name = url_name
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["url_name"] = self.url_name
        return name, path, args, kwargs


class AuditedFileField(_AuditedFileMixin, models.FileField):
    """A FileField whose files are reached only through `url_name` (a view taking the row's pk)."""

    attr_class = AuditedFieldFile


class AuditedImageField(_AuditedFileMixin, models.ImageField):
    attr_class = AuditedImageFieldFile
