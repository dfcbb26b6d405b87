"""core_audit_chain_tail(lock): the audit chain's lock and its tail in one round trip
(core.audit._chain_tail). VOLATILE, so its SELECT runs with a snapshot taken after the lock
is granted and sees the row of the transaction it waited for. PostgreSQL only: SQLite
serialises writers and reads the tail directly."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_audit_chain_tail(lock_key bigint) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN COALESCE((SELECT hash FROM core_auditevent ORDER BY id DESC LIMIT 1), '');
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS core_audit_chain_tail(bigint);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0012_audit_no_delete_sqlite")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
