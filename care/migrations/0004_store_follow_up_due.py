"""Fill the stored 回访教育 schedule (cadres 0011) of the sanctions already recorded."""
from django.db import migrations


def store_existing(apps, schema_editor):
    from care.follow_ups import store_follow_up_due  # a missing category falls back to the defaults

    schedules = {category: (first, every) for category, first, every in apps.get_model("care", "FollowUpSchedule")
                 .objects.values_list("category", "first_within_months", "every_months")}
    store_follow_up_due(apps.get_model("cadres", "Sanction").objects.all(), apps.get_model("cadres", "FollowUpVisit"),
                        schedules)


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0003_encrypt_confidential_note"),
        ("cadres", "0011_sanction_follow_up_due"),
    ]

    operations = [migrations.RunPython(store_existing, migrations.RunPython.noop)]
