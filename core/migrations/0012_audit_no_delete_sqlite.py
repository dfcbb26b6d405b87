"""Audit rows are append-only on SQLite too: besides UPDATE (0009), a trigger refuses DELETE.

The one sanctioned delete is the retention archive (core.audit_archive), which on PostgreSQL
passes the pgtrigger through `pgtrigger.ignore`. SQLite has no session variables, so the
archive holds a row in `core_audit_delete_permit` for the length of its own transaction; the
trigger lets a delete through only while such a row exists. Like `pgtrigger.ignore`, this
stops mistakes and the admin/ORM, not someone who can run DDL on the database file: the hash
chain (`audit_verify`) is what detects that.

A later migration that rebuilds core_auditevent on SQLite drops its triggers and must create
them again (tests/core/test_audit_trail.py fails if it does not)."""
from django.db import migrations

SQLITE_STATEMENTS = [
    "CREATE TABLE IF NOT EXISTS core_audit_delete_permit (id INTEGER PRIMARY KEY)",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON core_auditevent "
    "WHEN NOT EXISTS (SELECT 1 FROM core_audit_delete_permit) "
    "BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_STATEMENTS:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        schema_editor.execute("DROP TABLE IF EXISTS core_audit_delete_permit")


class Migration(migrations.Migration):
    dependencies = [("core", "0011_user_session")]
    operations = [migrations.RunPython(create, drop)]
