"""core_audit_append(lock, expected_prev, event): the audit row's chain check and its insert in
one round trip (core.audit._append_postgresql).

Takes the chain's advisory lock (held to the end of the transaction), reads the chain's tail in
a statement of its own (VOLATILE: a snapshot taken after the lock is granted, so it sees the
row of the writer it waited for), and inserts the row only when the tail is the hash the row
was chained to in Python (its HMAC needs the key, which never enters the database). Otherwise
inserts nothing and returns the tail, for the caller to chain to it and call again. The row
comes as JSON and is read into the table's row type, so a column added later needs no new
function. PostgreSQL only."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_audit_append(lock_key bigint, expected_prev text, event jsonb,
                                             OUT new_id bigint, OUT tail text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ev core_auditevent;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    tail := COALESCE((SELECT hash FROM core_auditevent ORDER BY id DESC LIMIT 1), '');
    IF tail IS DISTINCT FROM expected_prev THEN
        new_id := NULL;
        RETURN;
    END IF;
    ev := jsonb_populate_record(NULL::core_auditevent, event);
    ev.id := nextval(pg_get_serial_sequence('core_auditevent', 'id'));
    INSERT INTO core_auditevent SELECT (ev).*;
    new_id := ev.id;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS core_audit_append(bigint, text, jsonb);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0015_chinese_labels")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
