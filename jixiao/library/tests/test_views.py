"""Pages of the indicator library: list filters and query budget, national rows read-only with a copy
button, create/edit/copy, import page, export, suggestion page, frameworks page."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jixiao.core.choices import SecurityEventCode
from jixiao.core.models import SecurityEvent
from jixiao.library.imports import SHEET
from jixiao.library.models import IndicatorTemplate

pytestmark = pytest.mark.django_db


def national(name="义务教育巩固率"):
    return IndicatorTemplate.objects.get(region__isnull=True, name=name)


def test_list_shows_national_templates_to_every_business_role(login):
    for persona in ("preparer", "dept_reviewer", "section_reviewer", "perf_section", "expert", "firm", "leader"):
        r = login(persona).get(reverse("library:template_list"))
        assert r.status_code == 200, persona
    r = login("preparer").get(reverse("library:template_list"), {"sector": "education", "level1": "satisfaction"})
    body = r.content.decode()
    assert "学生及家长满意度" in body and "义务教育巩固率" not in body and "患者满意度" not in body
    r = login("preparer").get(reverse("library:template_list"), {"q": "巩固"})
    assert "义务教育巩固率" in r.content.decode()
    assert login("sysadmin").get(reverse("library:template_list")).status_code == 403


def test_list_query_budget(login, django_assert_max_num_queries):
    client = login("perf_section")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("library:template_list"))
    assert r.status_code == 200 and r.content.decode().count("<tr>") >= 50
    with django_assert_max_num_queries(12):
        client.get(reverse("library:template_list"), {"page": 3, "serves": "project"})


def test_national_detail_offers_copy_not_edit(login):
    n = national()
    body = login("perf_section").get(n.get_absolute_url()).content.decode()
    assert "复制到本区划" in body and reverse("library:template_edit", args=[n.pk]) not in body
    copy_url = reverse("library:template_copy", args=[n.pk])
    assert copy_url in body and copy_url not in login("preparer").get(n.get_absolute_url()).content.decode()
    assert login("perf_section").get(reverse("library:template_edit", args=[n.pk])).status_code == 404


def test_copy_then_edit(world, login):
    n = national()
    client = login("perf_section")
    r = client.post(reverse("library:template_copy", args=[n.pk]))
    copy = IndicatorTemplate.objects.get(region=world.regions["370724"], name=n.name)
    assert r.status_code == 302 and r["Location"] == reverse("library:template_edit", args=[copy.pk])
    # copying twice is refused with a message, nothing written
    r = client.post(reverse("library:template_copy", args=[n.pk]), follow=True)
    assert "副本或同名指标" in r.content.decode()
    assert IndicatorTemplate.objects.filter(name=n.name).count() == 2
    assert login("preparer").post(reverse("library:template_copy", args=[n.pk])).status_code == 403


def test_create_form_reports_service_errors(login):
    r = login("perf_section").post(reverse("library:template_create"), {
        "name": "满意度", "level1": "satisfaction", "level2": "quantity", "operator": "ge", "typical_value": "高",
        "value_basis": "plan", "kind": "specific", "serves": "project"})
    body = r.content.decode()
    assert r.status_code == 200 and "二级指标与一级指标不匹配" in body
    assert not IndicatorTemplate.objects.filter(name="满意度").exists()


def test_import_page_and_export(login):
    client = login("perf_section")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["指标名称", "一级指标", "二级指标", "运算符", "参考指标值", "计量单位"])
    ws.append(["临朐县课后服务覆盖率", "产出指标", "质量指标", "≥", "90", "%"])
    ws.append(["坏行", "产出指标", "满意度", "≥", "90", "%"])
    out = io.BytesIO()
    wb.save(out)
    r = client.post(reverse("library:template_import"), {"file": io.BytesIO(out.getvalue())})
    assert r.status_code == 200 and "<td>3</td>" in r.content.decode() and "不是有效的二级指标" in r.content.decode()
    assert not IndicatorTemplate.objects.filter(name="临朐县课后服务覆盖率").exists()
    r = client.get(reverse("library:template_list"), {"format": "xlsx", "sector": "transport"})
    ws = load_workbook(io.BytesIO(r.content))[SHEET]
    assert ws.max_row - 1 == IndicatorTemplate.objects.filter(sector__code="transport").count()
    assert SecurityEvent.objects.filter(code=SecurityEventCode.EXPORT).exists()
    r = client.get(reverse("library:template_import_template"))
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.content))[SHEET].max_row == 1


def test_suggest_page(login):
    r = login("preparer").get(reverse("library:suggest"), {"sector": "transport", "name": "农村公路提档升级工程",
                                                           "description": "新改建农村公路"})
    body = r.content.decode()
    assert r.status_code == 200 and "新改建农村公路里程" in body
    assert body.index("新改建农村公路里程") < body.index("工程验收合格率")


def test_framework_page_shows_taxonomies_and_frameworks(login):
    body = login("leader").get(reverse("library:framework_list"), {"year": 2026}).content.decode()
    assert "2021版（财预〔2021〕101号）" in body and "本区划 2026 年使用" in body
    assert "部门和财政评价共性指标框架" in body and "立项依据充分性" in body and "部门决策" in body
