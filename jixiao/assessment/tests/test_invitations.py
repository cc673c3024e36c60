"""Invitations of an ex-ante assessment (issue #9): an expert accepts (or declines) before scoring;
an expert who gets a login later finds their open invitations and scoring tasks in the inbox; the
invitations close when the assessment concludes (no more answers, no inbox item left)."""

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.assessment import services
from jixiao.assessment.tests import helpers
from jixiao.core.actors import SYSTEM
from jixiao.core.models import InboxItem
from jixiao.org import services as org_services
from jixiao.pools import services as pool_services
from jixiao.pools.models import DrawnExpert, Expert

pytestmark = pytest.mark.django_db
SCORES = {k: {"score": v, "opinion": "较好"} for k, v in helpers.SCORES.items()}


def _new_expert_login(world, username="lgq"):
    from jixiao.core.roles import Role

    return org_services.create_user(actor=SYSTEM, region=world.regions["370724"], username=username,
                                    display_name="李国强", role=Role.EXPERT, password="Jixiao#2026pass")


def test_expert_accepts_before_scoring(world):
    a = helpers.scoring(world, "EA2026071", accept=False)
    expert = world.user("expert")
    with pytest.raises(PermissionDenied, match="接受邀请"):
        services.submit_scores(actor=expert, assessment=a, scores=SCORES, opinion="同意")
    row = DrawnExpert.objects.get(draw=a.draw, expert__user=expert)
    pool_services.accept_drawn(actor=expert, drawn=row)
    assert services.submit_scores(actor=expert, assessment=a, scores=SCORES, opinion="同意").is_submitted


def test_a_login_linked_later_gets_the_open_invitations_and_tasks(world, login):
    done = helpers.concluded(world)  # 李国强 scored it (SYSTEM) before he had a login
    a = helpers.scoring(world, "EA2026072", accept=False)
    lgq = Expert.objects.get(name="李国强")
    assert not InboxItem.objects.filter(title__contains=a.project.name).exclude(user=world.user("expert")).exists()
    user = _new_expert_login(world)
    pool_services.update_expert(actor=world.user("perf_section"), expert=lgq, version=lgq.version, user=user)
    items = {i.title: i for i in InboxItem.objects.filter(user=user, done_at__isnull=True)}
    assert f"事前评估评分：{a.project.name}" in items
    assert any(t.startswith("专家邀请：") and a.project.name in t for t in items)
    # the inbox item leads to the assessment, whose page offers the answer buttons (actions_for)
    from django.test import Client

    client = Client()
    client.force_login(user)
    row = DrawnExpert.objects.get(draw=a.draw, expert=lgq)
    page = client.get(items[f"事前评估评分：{a.project.name}"].url).content.decode()
    assert f"/pools/drawn/{row.pk}/accept/" in page and f"/pools/drawn/{row.pk}/decline/" in page
    tasks = client.get("/pools/tasks/").content.decode()
    assert f"/pools/drawn/{row.pk}/accept/" in tasks
    assert client.post(f"/pools/drawn/{row.pk}/accept/").status_code == 302
    assert services.submit_scores(actor=user, assessment=a, scores=SCORES, opinion="同意").is_submitted
    # a concluded assessment's invitation does not come back with the login
    assert not InboxItem.objects.filter(user=user, title__contains=done.project.name).exists()


def test_invitations_close_when_the_assessment_concludes(world, login):
    a = helpers.concluded(world)
    expert = world.user("expert")
    rows = DrawnExpert.objects.filter(draw=a.draw)
    row = rows.get(expert__user=expert)
    assert row.status == "accepted"  # an accepted invitation could still be declined while scoring went on
    with pytest.raises(PermissionDenied, match="尚未结束"):
        pool_services.decline_and_replace(actor=expert, drawn=row, reason="时间冲突")
    tasks = login("expert").get("/pools/tasks/").content.decode()
    assert f"/pools/drawn/{row.pk}/decline/" not in tasks and "邀请已关闭" in tasks
    assert not InboxItem.objects.filter(object_id__in=[r.pk for r in rows], title__startswith="专家邀请",
                                        done_at__isnull=True).exists()
    assert not InboxItem.objects.filter(title__contains=a.project.name, done_at__isnull=True).exclude(
        title__startswith="专家评分已完成").exists()


def test_the_panel_is_not_changed_after_the_conclusion(world, login):
    """Once the assessment has concluded, the performance section can neither replace a drawn expert
    nor confirm an invitation on an expert's behalf; the result page offers neither (issue #9)."""
    from jixiao.core.errors import TransitionError
    from jixiao.core.scoping import actions_for

    a = helpers.concluded(world)
    section = world.user("perf_section")
    rows = list(DrawnExpert.objects.filter(draw=a.draw).select_related("draw", "expert__user"))
    for row in rows:
        assert not actions_for(section, row)["replace"] and not actions_for(section, row)["accept_on_behalf"]
    with pytest.raises((PermissionDenied, TransitionError), match="已结束"):
        pool_services.decline_and_replace(actor=section, drawn=rows[0], reason="联系不上")
    assert DrawnExpert.objects.filter(draw=a.draw).count() == len(rows)
