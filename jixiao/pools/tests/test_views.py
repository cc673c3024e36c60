"""Pool pages: lists within a query budget, contact details only for the performance section, the
draw form and result page, the expert's own tasks."""

import pytest
from django.urls import reverse

from jixiao.core.actors import SYSTEM
from jixiao.core.models import InboxItem
from jixiao.org.models import Sector
from jixiao.pools import services
from jixiao.pools.choices import DrawnStatus
from jixiao.pools.models import Draw, DrawnExpert
from jixiao.pools.tests.helpers import ensure_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    return ensure_pool(world)


def _more_experts(world, n):
    region, sectors = world.regions["370724"], list(Sector.objects.all()[:3])
    for i in range(n):
        services.create_expert(actor=SYSTEM, region=region, name=f"专家{i}", organisation=f"单位{i}", fields=sectors,
                               agency=world.agency("101001"), phone="13000000000")


def test_expert_list_query_budget(world, pool, login, django_assert_max_num_queries):
    _more_experts(world, 30)
    client = login("perf_section")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("pools:expert_list"))
    assert r.status_code == 200 and "专家29" in r.content.decode()


def test_firm_and_draw_lists_query_budget(world, pool, login, django_assert_max_num_queries):
    for persona, name in (("leader", "pools:firm_list"), ("leader", "pools:draw_list"), ("expert", "pools:my_tasks")):
        client = login(persona)
        # my_tasks: the answer buttons ask the row's scope and its subject's state (actions_for)
        with django_assert_max_num_queries(10 if name != "pools:my_tasks" else 12):
            assert client.get(reverse(name)).status_code == 200


def test_contact_only_for_the_performance_section(world, pool, login):
    url = reverse("pools:expert_detail", args=[pool["experts"]["赵明远"].pk])
    assert "13800000000" in login("perf_section").get(url).content.decode()
    for persona in ("section_reviewer", "leader"):
        page = login(persona).get(url).content.decode()
        assert "13800000000" not in page and "仅绩效股可见" in page
        assert "13800000000" not in login(persona).get(reverse("pools:expert_list")).content.decode()


def test_expert_list_filters(world, pool, login):
    page = login("perf_section").get(reverse("pools:expert_list") + "?field=health").content.decode()
    assert "周海燕" in page and "吴志刚" not in page


def test_create_expert_with_login_by_username(world, pool, login):
    from jixiao.org.services import create_user

    create_user(actor=SYSTEM, region=world.regions["370724"], username="expert2", display_name="钱专家",
                role="expert", password="Jixiao@2026x")
    data = {"name": "钱伟", "organisation": "潍坊医学院", "title": "教授",
            "fields": [Sector.objects.get(code="health").pk], "status": "active", "user": "expert2"}
    r = login("perf_section").post(reverse("pools:expert_create"), data)
    assert r.status_code == 302
    r = login("perf_section").post(reverse("pools:expert_create"), dict(data, name="孙伟", user="nobody"))
    assert r.status_code == 200 and "本区划没有账号 nobody" in r.content.decode()


def test_draw_form_and_result_page(world, pool, login):
    client = login("perf_section")
    data = {"purpose": "县一中改扩建事前评估", "count": 2, "fields": [Sector.objects.get(code="education").pk],
            "exclude_agencies": [world.agency("101001").pk]}
    assert 'name="seed"' not in client.get(reverse("pools:draw_create")).content.decode()
    r = client.post(reverse("pools:draw_create"), dict(data, seed=2026))  # a posted seed is not read
    assert r.status_code == 302
    draw = Draw.objects.get(purpose="县一中改扩建事前评估")
    page = client.get(r["Location"]).content.decode()
    assert str(draw.seed) in page and "复核一致" in page and "钱学军（临朐县第一中学）" in page
    # the verify page re-runs the recorded draw, for anyone who sees it
    page = login("leader").get(reverse("pools:draw_verify", args=[draw.pk])).content.decode()
    assert "复核一致" in page and str(draw.seed) in page
    r = client.post(reverse("pools:draw_create"), dict(data, count=9))
    assert r.status_code == 200 and "少于需要抽取的 9 名" in r.content.decode()
    assert draw.drawn.count() == 2


def test_my_tasks_accept_and_decline(world, pool, login):
    client = login("expert")
    page = client.get(reverse("pools:my_tasks")).content.decode()
    assert "县人民医院门诊楼改造" in page and "周海燕" not in page
    mine = pool["mine"]
    assert client.post(reverse("pools:drawn_accept", args=[mine.pk])).status_code == 302
    assert DrawnExpert.objects.get(pk=mine.pk).status == DrawnStatus.ACCEPTED
    assert not InboxItem.objects.filter(object_id=mine.pk, done_at__isnull=True).exists()
    other = DrawnExpert.objects.exclude(pk=mine.pk).get(draw=mine.draw)
    assert client.post(reverse("pools:drawn_decline", args=[other.pk]), {"reason": "x"}).status_code == 404


def test_performance_section_replaces_from_the_result_page(world, pool, login):
    services.create_expert(actor=SYSTEM, region=world.regions["370724"], name="郑卫东", organisation="临朐县中医院",
                           fields=[Sector.objects.get(code="health")])
    client = login("perf_section")
    other = DrawnExpert.objects.get(draw=pool["draw"], expert__name="周海燕")
    r = client.post(reverse("pools:drawn_decline", args=[other.pk]), {"reason": "出差无法参加"}, follow=True)
    assert "替补专家：郑卫东" in r.content.decode()
    other.refresh_from_db()
    assert other.status == DrawnStatus.REPLACED


def test_firm_login_has_a_task_page(world, pool, login):
    page = login("firm").get(reverse("pools:my_tasks")).content.decode()
    assert "分配给贵机构的评价任务将在此列出" in page
    assert login("firm").get(reverse("pools:index")).status_code == 302


def test_firm_record_page(world, pool, login):
    url = reverse("pools:firm_record_create", args=[pool["firm"].pk])
    r = login("perf_section").post(url, {"year": 2025, "object": "农村公路养护资金绩效评价", "quality_score": "91"})
    assert r.status_code == 302
    assert "农村公路养护资金绩效评价" in login("leader").get(r["Location"]).content.decode()


def test_exports(world, pool, login):
    import io

    from openpyxl import load_workbook

    r = login("leader").get(reverse("pools:expert_list") + "?format=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "赵明远" in values and "联系电话" not in values
    r = login("perf_section").get(reverse("pools:expert_list") + "?format=xlsx")
    assert "联系电话" in [c.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row]
