from django.db import migrations


def load(apps, schema_editor):
    from assessment.catalogs import load_default_rules

    load_default_rules(apps.get_model("assessment", "GradeCapPolicy"), apps.get_model("assessment", "GradeCapRule"),
                       apps.get_model("assessment", "QuotaRule"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
