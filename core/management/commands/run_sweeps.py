import datetime

from django.core.management.base import BaseCommand, CommandError

from core.reminders import SWEEPS, dispatch_outbox, run_sweeps, send_pending_emails


class Command(BaseCommand):
    help = "手动运行提醒扫描（可重复运行，不会重复提醒）；不带参数运行全部。"

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help=f"可选：{', '.join(sorted(SWEEPS))}")
        parser.add_argument("--date", help="按指定日期扫描（YYYY-MM-DD），默认今天（北京时间）")

    def handle(self, *args, names, date, **options):
        unknown = set(names) - set(SWEEPS)
        if unknown:
            raise CommandError(f"没有这些扫描：{', '.join(sorted(unknown))}。可选：{', '.join(sorted(SWEEPS))}")
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        for name, count in run_sweeps(names or None, today=today).items():
            self.stdout.write(f"{name}: 新增提醒 {count} 条")
        self.stdout.write(f"投递待发任务 {dispatch_outbox()} 个；发送邮件 {send_pending_emails()} 封。")
