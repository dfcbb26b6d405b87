"""The photo's url is the permission-checked view (core.uploads.AuditedImageField). State only:
the column does not change (and SQLite would otherwise rebuild the table under its triggers)."""
from django.db import migrations

import core.uploads


class Migration(migrations.Migration):

    dependencies = [
        ('cadres', '0012_chinese_labels'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='cadre',
                name='photo',
                field=core.uploads.AuditedImageField(blank=True, upload_to='photos/%Y/', url_name='cadres:photo',
                                                     verbose_name='照片'),
            ),
        ]),
    ]
