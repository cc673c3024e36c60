"""The ex-ante opinion and the assessment page give the region's local day (issue #9): concluded at
05:55 Beijing time on 12-02 (21:55 UTC on 12-01) it is dated 2026年12月2日, and so is one concluded
five minutes after local midnight (00:05 on 12-02 is 16:05 UTC on 12-01)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from jixiao.assessment import documents, services
from jixiao.assessment.models import ExAnteAssessment as Assessment
from jixiao.assessment.tests import helpers

pytestmark = pytest.mark.django_db


def _concluded_at(world, instant):
    a = helpers.scored(world)
    a = services.conclude(actor=world.user("perf_section"), assessment=a, version=a.version, conclusion="support",
                          supported_amount="12000000", opinion="项目必要。")
    Assessment.objects.filter(pk=a.pk).update(concluded_at=instant)
    a.refresh_from_db()
    return a


def test_opinion_is_dated_on_the_local_day(world):
    a = _concluded_at(world, dt.datetime(2026, 12, 1, 21, 55, tzinfo=dt.UTC))
    texts = [p.text for p in Document(io.BytesIO(documents.opinion_document(a))).paragraphs]
    assert "2026年12月2日" in texts
    assert "2026年12月1日" not in texts


@pytest.mark.parametrize("utc", [dt.datetime(2026, 12, 1, 16, 5, tzinfo=dt.UTC),  # 00:05 local
                                 dt.datetime(2026, 12, 1, 16, 0, 1, tzinfo=dt.UTC)])  # 00:00:01 local
def test_just_after_local_midnight_the_page_and_the_download_say_the_local_day(world, login, utc):
    a = _concluded_at(world, utc)
    perf = login("perf_section")
    page = perf.get(f"/assessment/{a.pk}/").content.decode()
    local = (utc + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f"<th>结论时间</th><td>{local}" in page and "2026-12-01" not in page
    r = perf.get(reverse("assessment:assessment_opinion", args=[a.pk]))
    assert r.status_code == 200
    texts = [p.text for p in Document(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
             .paragraphs]
    assert texts[-1] == "2026年12月2日"
    assert "2026年12月1日" not in "\n".join(texts)
