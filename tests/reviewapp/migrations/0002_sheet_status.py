from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviewapp', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='sheet',
            name='status',
            field=models.CharField(choices=[('draft', '草稿'), ('approved', '已批复')], default='draft', max_length=16),
        ),
    ]
