"""Default schedules (editable in admin, django-celery-beat). Sweeps are due-based, so one
daily run at 00:05 Asia/Shanghai catches up whatever a missed run left."""
from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour)
    ("每日提醒扫描（案件、线索、影响期、季度研判、关心关爱）", "core.tasks.run_sweeps", ("5", "0")),
    ("每日提醒扫描（午间补扫）", "core.tasks.run_sweeps", ("5", "12")),
    ("待发任务投递", "core.tasks.dispatch_outbox", ("*", "*")),
    ("提醒邮件发送", "core.tasks.send_pending_emails", ("*/5", "*")),
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour) in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_notifications"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
