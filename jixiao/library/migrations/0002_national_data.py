from django.db import migrations


def load(apps, schema_editor):
    from jixiao.library.loader import load_national

    load_national(apps)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial"), ("org", "0002_sectors")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
