"""The leader's home page (issue #10): the year's key figures of the region — projects and their
amounts in 万元, target sheets by state — each read within the user's scope, with links to the pages
behind them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from jixiao.projects.tests.factories import make_project
from jixiao.targets.tests.factories import approved_sheet


def _figures(html: str) -> dict[str, str]:
    out = {}
    for li in re.findall(r'<li[^>]*data-testid="figure".*?</li>', html, re.S):
        text = re.sub(r"<[^>]+>", " ", li)
        label, value = re.split(r"\s{2,}", text.strip().replace("\u3000", ""))[:2]
        out.setdefault(label.strip(), value.strip())
    return out


@pytest.mark.django_db
def test_leader_sees_the_region_figures(world, login):
    make_project(world)  # 120.00 万元 asked, 第一中学
    make_project(world, code="XM2026102001001", agency="102001", name="高标准农田建设项目",
                 requested_amount=Decimal("3500000.00"))
    approved_sheet(world)
    html = login("leader").get("/?year=2026").content.decode()
    assert "2026 年关键数据" in html
    f = _figures(html)
    assert f["项目（政策）"] == "2" and f["申报金额"] == "470.00" and f["预算金额"] == "0.00"
    assert f["储备"] == "2"
    assert f["绩效目标表"] == "1" and f["已批复"] == "1" and f["草稿"] == "0" and f["审核中"] == "0"
    for url in (f"{reverse('projects:project_list')}?year=2026", f"{reverse('targets:coverage')}?year=2026",
                f"{reverse('targets:statistics')}?year=2026", f"{reverse('targets:sheet_list')}?year=2026&amp;status=approved"):
        assert f'href="{url}"' in html
    # each linked statistics page opens for the leader
    c = login("leader")
    assert c.get(f"{reverse('targets:coverage')}?year=2026").status_code == 200
    assert c.get(f"{reverse('targets:statistics')}?year=2026").status_code == 200
    # another year: the same cards, counting nothing
    assert _figures(login("leader").get("/?year=2025").content.decode())["项目（政策）"] == "0"


@pytest.mark.django_db
def test_figures_follow_scope_and_role(world, login):
    make_project(world)
    make_project(world, code="XM2026102001001", agency="102001", name="高标准农田建设项目",
                 requested_amount=Decimal("3500000.00"))
    # the education department's reviewer counts its own department only
    assert _figures(login("dept_reviewer").get("/?year=2026").content.decode())["项目（政策）"] == "1"
    # another county's leader sees none of these
    assert _figures(login("far_leader").get("/?year=2026").content.decode())["项目（政策）"] == "0"
    # an agency's preparer and the administrators keep the plain home page
    for persona in ("preparer", "sysadmin"):
        assert 'data-testid="home-figures"' not in login(persona).get("/?year=2026").content.decode()
