"""Re-encrypt every encrypted column under the current FIELD_ENCRYPTION_KEY.

Rotation: set the new key as FIELD_ENCRYPTION_KEY and the old one in FIELD_ENCRYPTION_OLD_KEYS,
restart, run this command (rows are rewritten in batches by primary key, one transaction each,
so it can run while the site is up and resumes safely if interrupted), then remove the old key.
Blind indexes are recomputed with the new key in the same pass."""
from django.apps import apps
from django.core.management.base import BaseCommand

from core.fieldcrypt import encrypted_field_names, reencrypt_rows


class Command(BaseCommand):
    help = "用当前字段密钥重新加密所有加密字段（分批进行），并重算盲索引。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, verbosity, **options):
        for model in apps.get_models():
            if not encrypted_field_names(model):
                continue
            label = model._meta.label

            def progress(done, total, label=label):
                if verbosity > 1:
                    self.stdout.write(f"  {label}: {done}/{total}")

            count = reencrypt_rows(model, batch_size=batch_size, progress=progress)
            if verbosity:
                self.stdout.write(f"{label}：已重新加密 {count} 行")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(
                "字段密钥轮换完成：确认无误后可从 FIELD_ENCRYPTION_OLD_KEYS 中移除旧密钥。"))
