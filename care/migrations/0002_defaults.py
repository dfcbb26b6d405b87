from django.db import migrations


def load(apps, schema_editor):
    from care.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
