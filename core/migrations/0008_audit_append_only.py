"""Audit rows are append-only on PostgreSQL: a trigger refuses UPDATE and DELETE."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_password_state_history'),
    ]

    operations = [
        pgtrigger.migrations.AddTrigger(
            model_name='auditevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='fcc8f958a25948449a8089dbc67b1faed1bb4d80', operation='UPDATE OR DELETE', pgid='pgtrigger_audit_append_only_b1f7b', table='core_auditevent', when='BEFORE')),
        ),
    ]
