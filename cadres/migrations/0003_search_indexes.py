"""Indexes for the cadre list and its search.

Substring search (LIKE '%…%' on name and ID number) needs trigram GIN indexes, which exist
only on PostgreSQL: they are created by RunPython when the database is PostgreSQL and
skipped elsewhere, so SQLite migrates unchanged. pg_trgm is a trusted extension
(PostgreSQL 13+), so the database owner may create it without being a superuser.
"""
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "cadre_name_trgm": "name",
    "cadre_id_number_trgm": "id_number",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("cadres", "Cadre")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("cadres", "0002_sanction_types"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="cadre",
            name="cadre_unit_name",
        ),
        migrations.AddIndex(
            model_name="cadre",
            index=models.Index(fields=["name"], name="cadre_name_like", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="cadre",
            index=models.Index(
                fields=["unit", "name", "id", "rank", "status", "township_anchor", "township_days_closed"],
                name="cadre_unit_name_id",
            ),
        ),
        migrations.RemoveIndex(
            model_name="cadre",
            name="cadre_township_anchor",
        ),
        migrations.AddIndex(
            model_name="cadre",
            index=models.Index(fields=["township_anchor", "township_days_closed"], name="cadre_township_years"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
