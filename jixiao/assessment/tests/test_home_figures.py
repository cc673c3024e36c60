"""The leader's home page (issue #10): the year's ex-ante assessments by state and conclusion."""

import re

import pytest
from django.urls import reverse

from jixiao.assessment.tests.helpers import concluded, draft


def _figures(html: str) -> dict[str, str]:
    out = {}
    for li in re.findall(r'<li[^>]*data-testid="figure".*?</li>', html, re.S):
        text = re.sub(r"<[^>]+>", " ", li)
        label, value = re.split(r"\s{2,}", text.strip().replace("\u3000", ""))[:2]
        out.setdefault(label.strip(), value.strip())
    return out


@pytest.mark.django_db
def test_leader_sees_assessments_by_state_and_conclusion(world, login):
    a = concluded(world)
    draft(world)
    c = login("leader")
    html = c.get(f"/?year={a.year}").content.decode()
    f = _figures(html)
    assert f["事前绩效评估"] == "2" and f["已出结论"] == "1" and f["待抽取专家"] == "1" and f["专家评分中"] == "0"
    assert f["结论：予以支持"] == "1"
    url = f"{reverse('assessment:assessment_statistics')}?year={a.year}"
    assert f'href="{url}"' in html and c.get(url).status_code == 200
