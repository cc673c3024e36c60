"""Projects left in 评估中 (assessing) without an ex-ante assessment — what 申报入库 did before the stage
已申报 (submitted) existed (issue #9) — are moved to 已申报, where 发起评估 finds them. It lives here,
not in projects, because only the assessment app may read assessments. Written as one set-based
UPDATE; the reverse does nothing (the old state was the defect)."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def forwards(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Assessment = apps.get_model("assessment", "ExAnteAssessment")
    has_one = Assessment.objects.filter(project_id=OuterRef("pk"))
    Project.objects.filter(stage="assessing").filter(~Exists(has_one)).update(stage="submitted")


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0004_proxy_scores"),
        ("projects", "0003_submitted_stage"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
