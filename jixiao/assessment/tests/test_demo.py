"""The assessment part of the demo county: a dozen concluded assessments with every conclusion, one
不予支持 near 4000 万元, projects moved on by their conclusions, a task for the expert persona,
idempotent."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from jixiao.assessment.models import ExAnteAssessment, ExpertReview
from jixiao.projects.models import Project

pytestmark = pytest.mark.django_db


def build():
    out = io.StringIO()
    call_command("build_demo", "--scale", "county", "--seed", "1", "--year", "2026", stdout=out)
    return json.loads(out.getvalue())


def test_demo_assessments():
    summary = build()
    total = ExAnteAssessment.objects.count()
    assert summary["assessments_created"] == total >= 12
    concluded = ExAnteAssessment.objects.filter(status="concluded")
    by = {c: list(concluded.filter(conclusion=c)) for c in ("support", "partial", "defer", "reject")}
    assert len(by["support"]) >= 3 and len(by["partial"]) >= 2 and len(by["defer"]) >= 2 and len(by["reject"]) == 1
    (reject,) = by["reject"]
    assert reject.budget_effect == reject.requested_amount
    assert abs(reject.requested_amount - Decimal(40_000_000)) < Decimal(20_000_000)
    assert Project.objects.get(pk=reject.project_id).stage == "terminated"
    assert {Project.objects.get(pk=a.project_id).stage for a in by["support"] + by["partial"]} == {"admitted"}
    assert {Project.objects.get(pk=a.project_id).stage for a in by["defer"]} == {"reserve"}
    assert all(a.budget_effect == a.requested_amount - a.supported_amount for a in by["partial"])
    pending = ExAnteAssessment.objects.get(status="scoring")
    mine = ExpertReview.objects.get(assessment=pending, drawn__expert__user__username="expert")
    assert mine.submitted_at is None
    again = build()
    assert again["assessments_created"] == 0 and ExAnteAssessment.objects.count() == total
