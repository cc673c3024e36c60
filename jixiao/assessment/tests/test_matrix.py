"""The access matrix for the ex-ante assessment (see tests/matrix.py). Its "edit" is the
conclusion form (the only change of an assessment made through a form with a version)."""

import pytest
from django.urls import reverse

from jixiao.assessment.models import ExAnteAssessment
from jixiao.assessment.tests import helpers
from tests.matrix import ModelMatrix

pytestmark = pytest.mark.django_db


class TestAssessmentMatrix(ModelMatrix):
    model = ExAnteAssessment
    app, name = "assessment", "assessment"
    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "firm", "far_perf_section", "leader"
    # declared actions × every persona: a draft (draw), one being scored by the drawn experts —
    # 赵明远 is the ``expert`` persona (score) — and one fully scored (conclude)
    action_personas = {
        "draw": {"perf_section"},
        "score": {"expert"},
        "conclude": {"perf_section"},
        "score_on_behalf": {"perf_section"},  # 代录: 孙丽华 and 李国强 have no login
    }

    def action_object(self, world, action):
        return {"draw": helpers.draft, "score": helpers.scoring, "conclude": helpers.scored,
                "score_on_behalf": helpers.scoring}[action](world)

    def url(self, action, obj=None):
        kwargs = {"pk": obj.pk} if obj is not None else {}
        return reverse(f"assessment:assessment_{ {'edit': 'conclude'}.get(action, action)}", kwargs=kwargs)

    def get_object(self, world):
        return helpers.scored(world)

    def label(self, obj):
        return obj.project.name

    def changed_field(self):
        return "opinion"

    def create_data(self, world):
        helpers.scored(world)
        return {"project": helpers.major_project(world, "EA51").pk, "note": "矩阵"}

    def edit_data(self, world, obj):
        return {"version": obj.version, "conclusion": "support", "opinion": "予以支持", "admit_project": "on"}
