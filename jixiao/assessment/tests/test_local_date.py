"""The ex-ante opinion is dated on the region's local day (issue #9): concluded at 05:55 Beijing
time on 12-02 (21:55 UTC on 12-01) it is dated 2026年12月2日."""

import datetime as dt
import io

import pytest
from docx import Document

from jixiao.assessment import documents, services
from jixiao.assessment.models import ExAnteAssessment as Assessment
from jixiao.assessment.tests import helpers

pytestmark = pytest.mark.django_db


def test_opinion_is_dated_on_the_local_day(world):
    a = helpers.scored(world)
    a = services.conclude(actor=world.user("perf_section"), assessment=a, version=a.version, conclusion="support",
                          supported_amount="12000000", opinion="项目必要。")
    Assessment.objects.filter(pk=a.pk).update(concluded_at=dt.datetime(2026, 12, 1, 21, 55, tzinfo=dt.UTC))
    a.refresh_from_db()
    texts = [p.text for p in Document(io.BytesIO(documents.opinion_document(a))).paragraphs]
    assert "2026年12月2日" in texts
    assert "2026年12月1日" not in texts
