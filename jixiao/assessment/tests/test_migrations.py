"""The data migration that moves projects left in 评估中 without an assessment to 已申报 (issue #9)."""

import importlib

import pytest
from django.apps import apps

from jixiao.assessment.tests.helpers import draft, major_project
from jixiao.projects.models import Project

pytestmark = pytest.mark.django_db


def test_projects_waiting_in_assessing_without_an_assessment_move_to_submitted(world):
    stranded = major_project(world, "EA2026090")
    assessed = draft(world).project
    # the state the old 申报入库 left behind (no service writes it any more)
    Project.objects.filter(pk__in=[stranded.pk, assessed.pk]).update(stage="assessing")
    migration = importlib.import_module("jixiao.assessment.migrations.0005_waiting_projects_to_submitted")
    migration.forwards(apps, None)
    stages = dict(Project.objects.filter(pk__in=[stranded.pk, assessed.pk]).values_list("pk", "stage"))
    assert stages == {stranded.pk: "submitted", assessed.pk: "assessing"}
