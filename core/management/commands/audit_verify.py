from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_chain_verify
from core.models import AuditEvent


class Command(BaseCommand):
    help = "核验审计日志的摘要链：发现被修改、删除或插入的记录时报错退出。"

    def handle(self, *args, **options):
        problems = audit_chain_verify()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"审计日志核验未通过：发现 {len(problems)} 处问题。")
        self.stdout.write(f"审计日志核验通过：共 {AuditEvent.objects.count()} 条，摘要链完整。")
