from django.core.management.base import BaseCommand

from core.models import OutboxMessage
from core.reminders import dispatch_outbox


class Command(BaseCommand):
    help = "把待发任务投递到 Celery（消息队列故障恢复后可手动运行）。"

    def handle(self, *args, **options):
        sent = dispatch_outbox()
        left = OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
        self.stdout.write(f"已投递 {sent} 个，仍待投递 {left} 个。")
