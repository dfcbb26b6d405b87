"""The shipped Zhangjiakou policy carried the wrong title and dates: its document is
《张家口市激励干部担当干事的规定》, in force from its issue in March 2019 (art. 20). Existing
rows are corrected in place (the clause texts stay); sources no longer name a file."""

from django.db import migrations

OLD_TITLE = "张家口市予以容错及不予容错的具体情形（《关于激励干部担当作为的二十条措施》附件2）"

def forwards(apps, schema_editor):
    from tolerance.catalogs import DAYE, ZHANGJIAKOU

    PolicyDocument = apps.get_model("tolerance", "PolicyDocument")
    PolicyDocument.objects.filter(title=OLD_TITLE).update(
        title=ZHANGJIAKOU["title"], effective_from=ZHANGJIAKOU["effective_from"], source=ZHANGJIAKOU["source"])
    PolicyDocument.objects.filter(title=DAYE["title"], source__startswith="seed").update(source=DAYE["source"])

class Migration(migrations.Migration):
    dependencies = [("tolerance", "0004_issuing_body_codes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
