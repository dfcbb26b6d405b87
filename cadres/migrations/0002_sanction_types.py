from django.db import migrations


def load_sanction_types(apps, schema_editor):
    from cadres.defaults import SANCTION_TYPES

    SanctionType = apps.get_model("cadres", "SanctionType")
    for category, name, months, citation in SANCTION_TYPES:
        SanctionType.objects.get_or_create(
            category=category, name=name, defaults={"influence_months": months, "citation": citation}
        )


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial")]
    operations = [migrations.RunPython(load_sanction_types, migrations.RunPython.noop)]
