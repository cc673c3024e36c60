from django.db import migrations


def heads(apps, schema_editor):
    Head = apps.get_model("core", "AuditChainHead")
    for name in ("change", "security"):
        Head.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(heads, migrations.RunPython.noop)]
