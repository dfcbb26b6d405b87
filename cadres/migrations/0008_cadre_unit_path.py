"""Each cadre row carries its unit's path, kept by database triggers.

A county's list is its cadres sorted by name. Through a join on the unit tree, PostgreSQL
must read all 10,000 of a county's names and sort them for a deep page; with the path on the
cadre row, an index on its prefix at the county's depth walks them in list order instead.

Triggers, not Django, keep the copy: it must follow every write of `unit_id` (forms, admin,
imports, bulk writes, `queryset.update`) and every move of a unit in the tree, which
treebeard does in raw SQL. Visibility reads the copy (cadres.selectors.cadres_in_subtree),
so it may never be stale; tests/cadres/test_unit_path.py proves each path on each database.

On SQLite, a later migration that alters Cadre rebuilds the table and drops its triggers:
such a migration must create them again (the tests above fail if it does not).
"""
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Left

POSTGRESQL = [
    """CREATE FUNCTION cadre_copy_unit_path() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.unit_path := (SELECT path FROM cadres_unit WHERE id = NEW.unit_id);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER cadre_copy_unit_path BEFORE INSERT OR UPDATE OF unit_id, unit_path ON cadres_cadre
    FOR EACH ROW EXECUTE FUNCTION cadre_copy_unit_path()""",
    """CREATE FUNCTION unit_path_to_cadres() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE cadres_cadre SET unit_path = NEW.path WHERE unit_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER unit_path_to_cadres AFTER UPDATE OF path ON cadres_unit
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION unit_path_to_cadres()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER cadre_copy_unit_path ON cadres_cadre",
    "DROP FUNCTION cadre_copy_unit_path()",
    "DROP TRIGGER unit_path_to_cadres ON cadres_unit",
    "DROP FUNCTION unit_path_to_cadres()",
]
# SQLite triggers cannot change the row being written, so they correct it just after.
SQLITE = [
    """CREATE TRIGGER cadre_copy_unit_path_insert AFTER INSERT ON cadres_cadre BEGIN
        UPDATE cadres_cadre SET unit_path = (SELECT path FROM cadres_unit WHERE id = NEW.unit_id)
        WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER cadre_copy_unit_path_update AFTER UPDATE OF unit_id, unit_path ON cadres_cadre
    WHEN NEW.unit_path IS NOT (SELECT path FROM cadres_unit WHERE id = NEW.unit_id) BEGIN
        UPDATE cadres_cadre SET unit_path = (SELECT path FROM cadres_unit WHERE id = NEW.unit_id)
        WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER unit_path_to_cadres AFTER UPDATE OF path ON cadres_unit
    WHEN OLD.path IS NOT NEW.path BEGIN
        UPDATE cadres_cadre SET unit_path = NEW.path WHERE unit_id = NEW.id;
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER cadre_copy_unit_path_insert",
    "DROP TRIGGER cadre_copy_unit_path_update",
    "DROP TRIGGER unit_path_to_cadres",
]
BACKFILL = "UPDATE cadres_cadre SET unit_path = (SELECT path FROM cadres_unit WHERE cadres_unit.id = cadres_cadre.unit_id)"


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"unit_path triggers exist for PostgreSQL and SQLite only, not {vendor}")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement)

    return apply


def subtree_index(depth):
    # As in Cadre.Meta, spelled out: a migration must not change when the model does.
    return models.Index(Left("unit_path", depth * 4), F("name"), F("id"), F("unit_path"), F("rank"), F("status"),
                        F("township_anchor"), F("township_days_closed"), name=f"cadre_subtree{depth}_name")


class Migration(migrations.Migration):

    dependencies = [
        ("cadres", "0007_cadre_name_index_with_unit"),
    ]

    operations = [
        migrations.AddField(
            model_name="cadre",
            name="unit_path",
            field=models.CharField(default="", editable=False, max_length=255, verbose_name="单位路径"),
        ),
        migrations.RunPython(
            run({"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.AddIndex(model_name="cadre", index=subtree_index(2)),
        migrations.AddIndex(model_name="cadre", index=subtree_index(3)),
    ]
