from django.db import migrations


def load(apps, schema_editor):
    from jixiao.org.data.sectors import SECTORS

    Sector = apps.get_model("org", "Sector")
    for position, (code, name) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
