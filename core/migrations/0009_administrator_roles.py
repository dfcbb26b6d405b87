"""The 安全管理员 and 审计管理员 roles (三权分立), the daily archive of the audit trail, and on SQLite (the embedded default) a trigger
refusing UPDATE of audit rows; PostgreSQL, the production database, refuses UPDATE and DELETE
with pgtrigger's trigger of 0006. (SQLite has no DELETE trigger: the test database's flush
deletes rows, and SQLite has no session variable for the archiver to pass it.)"""
from django.db import migrations

NEW_ROLES = ["安全管理员", "审计管理员"]
SQLITE_TRIGGERS = {
    "audit_no_update": "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON core_auditevent "
                       "BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END",
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in NEW_ROLES:
        Group.objects.get_or_create(name=name)


def archive_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="审计日志归档", defaults={"task": "core.tasks.audit_archive",
                                                                "crontab": crontab})


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS.values():
            schema_editor.execute(sql)


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_append_only"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(archive_schedule, migrations.RunPython.noop),
        migrations.RunPython(sqlite_triggers, drop_sqlite_triggers),
    ]
