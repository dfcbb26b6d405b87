from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.tasks import ping


class Command(BaseCommand):
    help = "通过消息队列向 Celery worker 发送测试任务并等待回复（部署检查用）。"

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30)

    def handle(self, *args, timeout, **options):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("未配置 REDIS_URL：任务以 eager 方式在本进程执行，无法检查 worker。")
        try:
            answer = ping.delay().get(timeout=timeout)
        except Exception as e:  # any broker or timeout error fails the check with its reason
            raise CommandError(f"Celery worker 未在 {timeout} 秒内回复：{e!r}") from e
        self.stdout.write(self.style.SUCCESS(f"Celery worker 回复：{answer}"))
