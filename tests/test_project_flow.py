"""The project's path across the apps that move it (issue #9), through the pages a user takes:
a new major project applied for by its agency waits for its ex-ante assessment in a stage the
assessment starts from (已申报), and the page says what it waits for."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from jixiao.assessment.models import ExAnteAssessment
from jixiao.assessment.tests import helpers
from jixiao.pools.tests.helpers import ensure_pool
from jixiao.projects.models import Project

pytestmark = pytest.mark.django_db


def _stage(body: str) -> str:
    return re.search(r'data-testid="project-stage">([^<]*)<', body).group(1)


def _waiting(body: str) -> str:
    m = re.search(r'data-testid="project-waiting">(.*?)</div>', body, re.S)
    return m.group(1) if m else ""


def test_applied_major_project_waits_for_its_assessment_and_the_assessment_starts_from_there(world, login):
    ensure_pool(world)
    p = helpers.major_project(world, "EA2026091", name="第一中学新校区建设项目")
    preparer, perf = login("preparer"), login("perf_section")

    r = preparer.post(f"/projects/{p.pk}/move/submit/", {"version": p.version, "note": "申请入库"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.stage == "submitted" and not ExAnteAssessment.objects.filter(project=p).exists()
    body = preparer.get(f"/projects/{p.pk}/").content.decode()
    assert _stage(body) == "已申报"
    assert "等待绩效股发起事前绩效评估" in _waiting(body)

    # 发起评估 lists it, and starts from where 申报入库 left it
    form = perf.get("/assessment/new/").content.decode()
    options = re.search(r'name="project".*?</select>', form, re.S).group(0)
    assert "第一中学新校区建设项目" in options
    r = perf.post("/assessment/new/", {"project": p.pk, "note": "新增重大项目"})
    assert r.status_code == 302
    a = ExAnteAssessment.objects.get(project=p)
    p.refresh_from_db()
    assert p.stage == "assessing"
    body = perf.get(f"/projects/{p.pk}/").content.decode()
    assert _stage(body) == "评估中" and "事前绩效评估进行中" in _waiting(body)
    timeline = re.search(r'data-testid="project-timeline".*?</ol>', body, re.S).group(0)
    assert "储备 → 已申报" in timeline and "已申报 → 评估中" in timeline
    assert f'href="/assessment/{a.pk}/"' in timeline
    # under way, it is no longer offered a second time
    assert "第一中学新校区建设项目" not in re.search(r'name="project".*?</select>',
                                                   perf.get("/assessment/new/").content.decode(), re.S).group(0)


def test_a_project_that_needs_no_assessment_waits_for_admission(world, login):
    p = helpers.major_project(world, "EA2026092", is_major=False)
    login("preparer").post(f"/projects/{p.pk}/move/submit/", {"version": p.version})
    p = Project.objects.get(pk=p.pk)
    body = login("perf_section").get(f"/projects/{p.pk}/").content.decode()
    assert _stage(body) == "已申报" and "等待绩效股审核入库" in _waiting(body)
    assert "第一中学新校区建设项目" not in login("perf_section").get("/assessment/new/").content.decode()


# --- the supported amount carries forward; the first budget agrees with the approved sheet ------------

def _partially_supported(world, code: str, *, requested: str, supported: str) -> Project:
    """A new major project assessed (experts drawn and scored) and concluded 部分支持, so admitted."""
    from jixiao.assessment import services as assessment_services
    from jixiao.core.actors import SYSTEM

    helpers.major_project(world, code, requested_amount=Decimal(requested))
    a = helpers.score_all(helpers.scoring(world, code))
    assessment_services.conclude(actor=SYSTEM, assessment=a, version=a.version, conclusion="partial",
                                 opinion="建设规模偏大，部分支持。", supported_amount=Decimal(supported))
    p = Project.objects.get(pk=a.project_id)
    assert p.stage == "admitted"
    return p


def _sheet_through_the_page(world, login, project):
    from jixiao.targets import services as target_services
    from jixiao.targets.models import TargetSheet
    from jixiao.targets.tests.factories import GOAL, GOOD_ROWS, approve_through

    preparer = login("preparer")
    r = preparer.post("/targets/new/", {"year": project.year, "subject": project.pk})
    assert r.status_code == 302, r.content.decode()[:500]
    sheet = TargetSheet.objects.get(project=project)
    actor = world.user("preparer")
    sheet = target_services.update_sheet(actor=actor, sheet=sheet, version=sheet.version, annual_goal=GOAL)
    sheet = target_services.save_indicators(actor=actor, sheet=sheet, version=sheet.version, rows=GOOD_ROWS)
    sheet = target_services.submit_sheet(actor=actor, sheet=sheet, version=sheet.version)
    return approve_through(world, sheet)


def _budget(login, project, amount_wan: str = "") -> str:
    data = {"version": Project.objects.get(pk=project.pk).version}
    if amount_wan:
        data["budget_amount"] = amount_wan
    return login("perf_section").post(f"/projects/{project.pk}/move/budget/", data, follow=True).content.decode()


def test_the_supported_amount_prefills_the_sheet_and_caps_the_budget(world, login):
    ensure_pool(world)
    p = _partially_supported(world, "EA2026093", requested="5000000", supported="3000000")
    sheet = _sheet_through_the_page(world, login, p)
    assert sheet.amount == Decimal("3000000.00") and sheet.fiscal_amount == Decimal("3000000.00")

    body = _budget(login, p, "500")
    assert "纳入预算未完成：预算金额 500.00 万元超过事前绩效评估“部分支持”的支持金额 300.00 万元" in body
    p.refresh_from_db()
    assert p.stage == "admitted" and p.budget_amount == 0
    # nor can the amount be raised past it by editing the project
    from jixiao.core.errors import ValidationFailed
    from jixiao.projects import services as project_services

    with pytest.raises(ValidationFailed) as exc:
        project_services.update_project(actor=world.user("perf_section"), project=p, version=p.version,
                                        budget_amount=Decimal("5000000"))
    assert "超过事前绩效评估“部分支持”的支持金额 300.00 万元" in exc.value.errors["budget_amount"][0]

    _budget(login, p)  # the default: the supported amount, which the approved sheet carries
    p.refresh_from_db()
    assert p.stage == "budgeted" and p.budget_amount == Decimal("3000000.00")


def test_the_first_budget_amount_is_the_approved_sheets(world, login):
    """Budgeted at three times its approved amount: refused, like a later change would be."""
    p = helpers.major_project(world, "EA2026094", is_major=False, requested_amount=Decimal("1000000"))
    login("perf_section").post(f"/projects/{p.pk}/move/admit/", {"version": p.version})
    p.refresh_from_db()
    assert p.stage == "admitted"
    sheet = _sheet_through_the_page(world, login, p)
    assert sheet.amount == Decimal("1000000.00") and sheet.status == "approved"

    body = _budget(login, p, "300")
    assert ("纳入预算未完成：已批复的绩效目标表年度资金为 100.00 万元，与纳入预算的金额 300.00 万元不一致" in body)
    p.refresh_from_db()
    assert p.stage == "admitted" and p.budget_amount == 0
    _budget(login, p, "100")
    p.refresh_from_db()
    assert p.stage == "budgeted" and p.budget_amount == Decimal("1000000.00")
