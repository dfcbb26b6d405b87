"""manage.py import_lrmx PATH… --unit UNIT_ID [--dry-run]: the browser's LRMX import from the
command line (files, zips or directories of .lrmx files)."""
from contextlib import ExitStack
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from appointment.importer import ImportCounts, count_files, iter_import, iter_preview, summary_text
from cadres.models import Rank, Unit


class Command(BaseCommand):
    help = "导入干部任免审批表（.lrmx 文件、zip 压缩包或包含 .lrmx 的目录）"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help=".lrmx 文件、zip 压缩包或目录")
        parser.add_argument("--unit", type=int, required=True, help="新建干部所在单位的 ID")
        parser.add_argument("--rank", default=Rank.KEYUAN, choices=Rank.values, help="新建干部的职级（默认 科员）")
        parser.add_argument("--user", help="记入变更记录的操作用户名；给出时仅能更新该用户管辖范围内的干部")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")

    def handle(self, *args, paths, unit, rank, user, dry_run, **options):
        unit_obj = Unit.objects.filter(pk=unit).first()
        if unit_obj is None:
            raise CommandError(f"单位 ID {unit} 不存在。")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"用户 {user} 不存在。")
        files = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files += sorted(p for p in path.rglob("*") if p.suffix.lower() in (".lrmx", ".zip"))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"找不到 {raw}。")

        def progress(done, total):
            self.stderr.write(f"已处理 {done} / {total} 个文件……")

        counts = ImportCounts()
        with ExitStack() as stack:
            uploads = [(str(p), stack.enter_context(p.open("rb"))) for p in files]
            total = count_files(uploads)
            results = (iter_preview(uploads, user=by, progress=progress, total=total) if dry_run else
                       iter_import(uploads, user=by, unit=unit_obj, rank=rank, progress=progress, total=total))
            for file in results:  # printed as they go: a large zip is never all in memory
                counts.add(file)
                self.stdout.write(f"{file.outcome or file.action}\t{file.name}\t{file.display_name}")
                for change in file.changes if dry_run else []:
                    self.stdout.write(f"\t变更：{change}")
                for error in file.errors:
                    self.stdout.write(f"\t错误：{error}")
                for warning in file.warnings:
                    self.stdout.write(f"\t提示：{warning}")
        if dry_run:
            self.stdout.write(f"检查完成（未写入）：新增 {counts.action('新增')} 人，更新 {counts.action('更新')} 人，"
                              f"无变化 {counts.action('无变化')} 人，有错误 {counts.action('不导入')} 个文件。")
        else:
            self.stdout.write(summary_text(counts))
