"""Evidence files' url is the audited download (core.uploads.AuditedFileField). State only:
the column does not change."""
from django.db import migrations

import core.uploads


class Migration(migrations.Migration):

    dependencies = [
        ('tolerance', '0006_chinese_labels'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='evidence',
                name='file',
                field=core.uploads.AuditedFileField(upload_to='evidence/%Y/%m/', url_name='tolerance:evidence',
                                                    verbose_name='文件'),
            ),
        ]),
    ]
