"""Background jobs start within seconds: the outbox is dispatched every 5 seconds instead of
every minute (one indexed query when nothing waits), and result files are purged daily."""
from django.db import migrations


def update(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_5s, _ = IntervalSchedule.objects.get_or_create(every=5, period="seconds")
    PeriodicTask.objects.filter(task="core.tasks.dispatch_outbox").update(crontab=None, interval=every_5s)
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="后台任务结果文件清理", defaults={
        "task": "core.tasks.purge_job_results", "crontab": crontab})


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_event_background_job"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
