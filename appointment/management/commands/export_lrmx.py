"""manage.py export_lrmx --cadre ID… OUT: one cadre to OUT (.lrmx), several to a zip."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from appointment.form import form_data, form_queryset
from appointment.lrmx import build_lrmx, write_zip
from cadres.models import Cadre


class Command(BaseCommand):
    help = "导出干部任免审批表（.lrmx）；多名干部时 OUT 为 zip 压缩包"

    def add_arguments(self, parser):
        parser.add_argument("--cadre", nargs="+", required=True, help="干部 ID（可多个）")
        parser.add_argument("out", nargs="?", help="输出文件（一名干部：.lrmx；多名：.zip）")

    def handle(self, *args, cadre, out, **options):
        # `--cadre 1 2 OUT`: argparse gives OUT to --cadre, whose list is greedy.
        if out is None and cadre and not cadre[-1].isdigit():
            *cadre, out = cadre
        if out is None:
            raise CommandError("请给出输出文件。")
        if not cadre or not all(c.isdigit() for c in cadre):
            raise CommandError("--cadre 后应为干部 ID（数字）。")
        cadre = [int(c) for c in cadre]
        qs = form_queryset(Cadre.objects.filter(pk__in=cadre)).order_by("name", "id")
        found = {c.pk for c in qs}
        missing = [str(pk) for pk in cadre if pk not in found]
        if missing:
            raise CommandError(f"干部 ID {'、'.join(missing)} 不存在。")
        path = Path(out)
        if len(found) == 1:
            path.write_bytes(build_lrmx(form_data(qs.get())))
        else:
            with path.open("wb") as f:
                write_zip((form_data(c) for c in qs.iterator(chunk_size=200)), f)
        self.stdout.write(f"已导出 {len(found)} 名干部到 {path}。")
