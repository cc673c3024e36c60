"""Pages of target management: create, the indicator editor, submit / return / resubmit / approve
through the forms, the review queue and bulk review, adjustment and versions, publishing, tasks,
and refusals that change and show nothing."""

from decimal import Decimal

import pytest

from jixiao.core import review as review_machinery
from jixiao.core.models import InboxItem
from jixiao.targets import services
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import (
    GOOD_ROWS,
    approve_through,
    approved_sheet,
    make_project,
    make_sheet,
)

pytestmark = pytest.mark.django_db


def _editor_post(rows, version) -> dict:
    """The editor's form: one list per column, as the table's inputs send it."""
    fields = ("level1", "level2", "name", "operator", "value", "unit", "weight", "scoring_standard", "value_basis",
              "explanation", "template")
    data = {f: [r.get(f, "") or "" for r in rows] for f in fields}
    data["value_basis"] = [r.get("value_basis") or "plan" for r in rows]
    return {**data, "version": str(version)}


def _submitted(world):
    sheet = make_sheet(world)
    return services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)


def test_create_then_write_indicators_through_the_editor(world, login):
    project = make_project(world)
    preparer = login("preparer")
    r = preparer.get("/targets/new/?year=2026")
    page = r.content.decode()
    assert r.status_code == 200 and project.code in page and "部门整体：101001 临朐县第一中学" in page
    assert "纳入专家会审" not in page  # the panel is the performance section's choice
    r = preparer.post("/targets/new/", {"year": 2026, "subject": project.pk})
    sheet = TargetSheet.objects.get(project=project)
    assert r.status_code == 302 and r["Location"] == f"/targets/{sheet.pk}/indicators/"
    assert sheet.amount == Decimal("1200000.00") and sheet.status == "draft"
    # the project now has a sheet: it is no longer offered
    assert project.code not in preparer.get("/targets/new/?year=2026").content.decode()

    r = preparer.get(f"/targets/{sheet.pk}/indicators/")
    page = r.content.decode()
    assert r.status_code == 200 and 'id="taxonomy-tree"' in page and "指标库推荐" in page
    rows = [dict(r) for r in GOOD_ROWS]
    rows[2] = {**rows[2], "weight": "十"}  # a bad row: nothing saved, the error shown on the row
    r = preparer.post(f"/targets/{sheet.pk}/indicators/", _editor_post(rows, sheet.version))
    assert r.status_code == 200 and "第 3 项指标" in r.content.decode() and "row-error" in r.content.decode()
    assert sheet.indicators.count() == 0
    # a blank row left at the end is dropped, the rest saved
    rows = [dict(r) for r in GOOD_ROWS] + [{"operator": "ge", "value_basis": "plan"}]
    r = preparer.post(f"/targets/{sheet.pk}/indicators/", _editor_post(rows, sheet.version))
    assert r.status_code == 302 and r["Location"] == f"/targets/{sheet.pk}/"
    sheet.refresh_from_db()
    assert [i.name for i in sheet.indicators.all()] == [r["name"] for r in GOOD_ROWS]
    assert sheet.indicators.get(position=4).weight == Decimal("10.00")
    # the same form again carries a stale version: refused, nothing changed
    r = preparer.post(f"/targets/{sheet.pk}/indicators/", _editor_post(GOOD_ROWS[:2], sheet.version - 1))
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    assert sheet.indicators.count() == len(GOOD_ROWS)


def test_detail_shows_findings_with_anchors_and_actions_per_user(world, login):
    rows = [dict(r) for r in GOOD_ROWS if r["level1"] != "satisfaction"]
    rows[0] = {**rows[0], "value": "两栋"}
    sheet = make_sheet(world, rows=rows)
    page = login("preparer").get(f"/targets/{sheet.pk}/").content.decode()
    assert "list-group-item-danger" in page and 'href="#row-1"' in page and 'id="row-1"' in page
    assert "满意度指标" in page and 'data-testid="submit-sheet"' in page and 'data-testid="edit-indicators"' in page
    # a reviewer reads the sheet but has nothing to do on a draft
    page = login("dept_reviewer").get(f"/targets/{sheet.pk}/").content.decode()
    assert "两栋" in page and 'data-testid="sheet-actions"' not in page and 'data-testid="edit-indicators"' not in page
    # submitting with blocking findings is refused with the findings listed, and nothing moves
    r = login("preparer").post(f"/targets/{sheet.pk}/submit/", {"version": sheet.version}, follow=True)
    assert "未能提交" in r.content.decode() and "两栋" in r.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == "draft"


def test_return_with_opinion_then_fix_resubmit_and_approve(world, login):
    sheet = make_sheet(world)
    preparer = login("preparer")
    r = preparer.post(f"/targets/{sheet.pk}/submit/", {"version": sheet.version, "opinion": "请审核"})
    assert r.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == "in_review"
    head = login("unit_head")
    assert 'data-testid="approve-sheet"' in head.get(f"/targets/{sheet.pk}/").content.decode()
    head.post(f"/targets/{sheet.pk}/approve/", {"version": sheet.version, "opinion": "同意"})
    sheet.refresh_from_db()
    dept = login("dept_reviewer")
    # a return without an opinion is refused and changes nothing
    r = dept.post(f"/targets/{sheet.pk}/return/", {"version": sheet.version, "opinion": ""}, follow=True)
    assert "未能退回" in r.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == "in_review"
    # the performance section is not at this step: refused
    login("perf_section").post(f"/targets/{sheet.pk}/approve/", {"version": sheet.version})
    sheet.refresh_from_db()
    assert sheet.status == "in_review"
    dept.post(f"/targets/{sheet.pk}/return/", {"version": sheet.version, "opinion": "满意度指标值偏低，请调高"})
    sheet.refresh_from_db()
    assert sheet.status == "returned" and sheet.return_count == 1
    page = preparer.get(f"/targets/{sheet.pk}/").content.decode()
    assert "满意度指标值偏低，请调高" in page and "主管部门审核人" in page and 'data-testid="submit-sheet"' in page

    rows = [dict(r) for r in GOOD_ROWS]
    rows[-1]["value"] = "95"
    preparer.post(f"/targets/{sheet.pk}/indicators/", _editor_post(rows, sheet.version))
    sheet.refresh_from_db()
    preparer.post(f"/targets/{sheet.pk}/submit/", {"version": sheet.version})
    sheet.refresh_from_db()
    for who in ("unit_head", "dept_reviewer", "section_reviewer", "perf_section"):
        r = login(who).post(f"/targets/{sheet.pk}/approve/", {"version": sheet.version, "opinion": f"{who}同意"})
        assert r.status_code == 302
        sheet.refresh_from_db()
    assert sheet.status == "approved"
    page = preparer.get(f"/targets/{sheet.pk}/").content.decode()
    assert page.count('data-testid="opinion"') == 7 and "年中调整" in page


def test_review_queue_lists_the_users_step_and_bulk_reviews(world, login):
    first = _submitted(world)
    second = make_sheet(world, project=make_project(world, code="XM2026101001002", name="校园食堂改造项目"))
    second = services.submit_sheet(actor=world.user("preparer"), sheet=second, version=second.version)
    head = login("unit_head")
    page = head.get("/targets/review/").content.decode()
    assert first.title in page and second.title in page and "单位自审" in page
    # the next step's reviewer has nothing yet; a preparer has no queue
    assert first.title not in login("dept_reviewer").get("/targets/review/").content.decode()
    assert login("preparer").get("/targets/review/").status_code == 403
    # a bulk return needs an opinion: nothing moves
    head.post("/targets/review/", {"sheet": [first.pk, second.pk], "action": "return", "opinion": ""})
    assert set(TargetSheet.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        "in_review"}
    # a sheet id outside the queue is ignored
    other = make_sheet(world, project=make_project(world, code="XM2026102001001", agency="102001", name="农技推广"),
                       actor=world.user("preparer_agri"))
    r = head.post("/targets/review/", {"sheet": [first.pk, second.pk, other.pk], "action": "approve", "opinion": "同意"})
    assert r.status_code == 302
    assert set(TargetSheet.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        "in_review"}
    assert TargetSheet.objects.get(pk=other.pk).status == "draft"
    page = login("dept_reviewer").get("/targets/review/").content.decode()
    assert first.title in page and second.title in page
    assert first.title not in head.get("/targets/review/").content.decode()


def test_review_queue_marks_overdue(world, login):
    sheet = _submitted(world)
    from django.utils import timezone

    InboxItem.objects.filter(user=world.user("unit_head"), done_at__isnull=True).update(
        created_at=timezone.now() - timezone.timedelta(days=9))
    page = login("unit_head").get("/targets/review/").content.decode()
    assert sheet.title in page and "已超期" in page and "9 天" in page


def test_adjust_creates_a_version_and_versions_compare(world, login):
    first = approved_sheet(world)
    preparer = login("preparer")
    r = preparer.post(f"/targets/{first.pk}/adjust/", {"reason": ""})
    assert r.status_code == 200 and TargetSheet.objects.filter(project=first.project).count() == 1
    r = preparer.post(f"/targets/{first.pk}/adjust/", {"reason": "上级资金调减"})
    second = TargetSheet.objects.get(project=first.project, number=2)
    assert r.status_code == 302 and r["Location"] == f"/targets/{second.pk}/"
    r = preparer.post(f"/targets/{second.pk}/edit/", {"version": second.version, "annual_goal": "完成1号楼加固",
                                                      "amount": "100", "fiscal_amount": "100", "other_amount": "0",
                                                      "medium_goal": "", "medium_amount": "0", "medium_fiscal": "0",
                                                      "medium_other": "0", "adjustment_reason": "上级资金调减"})
    assert r.status_code == 302
    second.refresh_from_db()
    assert second.amount == Decimal("1000000.00")
    page = preparer.get(f"/targets/{second.pk}/versions/").content.decode()
    assert "申报版" in page and "第 1 次调整" in page and "完成1号楼加固" in page and "table-warning" in page
    assert "120.00 万元" in page and "100.00 万元" in page


def test_publish_and_admit_to_library_are_the_performance_sections(world, login):
    from jixiao.library.models import IndicatorTemplate

    sheet = approved_sheet(world)
    r = login("preparer").post(f"/targets/{sheet.pk}/publish/", {"version": sheet.version, "published": "on"})
    assert r.status_code == 403
    perf = login("perf_section")
    assert "随预算公开" in perf.get(f"/targets/{sheet.pk}/").content.decode()
    perf.post(f"/targets/{sheet.pk}/publish/", {"version": sheet.version, "published": "on"})
    sheet.refresh_from_db()
    assert sheet.published and sheet.published_at
    indicator = sheet.indicators.get(name="加固教学楼栋数")
    assert login("preparer").post(f"/targets/{sheet.pk}/admit/", {"indicator": indicator.pk}).status_code == 403
    assert not IndicatorTemplate.objects.filter(region=sheet.region, name="加固教学楼栋数").exists()
    perf.post(f"/targets/{sheet.pk}/admit/", {"indicator": indicator.pk})
    assert IndicatorTemplate.objects.filter(region=sheet.region, name="加固教学楼栋数").exists()


def test_agency_sheet_tasks_set_the_amount(world, login):
    preparer = login("preparer")
    r = preparer.post("/targets/new/", {"year": 2026, "subject": f"agency:{world.agency('101001').pk}"})
    sheet = TargetSheet.objects.get(kind="agency", agency=world.agency("101001"))
    assert r.status_code == 302
    r = preparer.post(f"/targets/{sheet.pk}/tasks/", {"version": sheet.version, "name": ["日常教学", "校舍维修"],
                                                      "content": ["", ""], "amount": ["300", "12.5"],
                                                      "fiscal_amount": ["300", "12.5"], "other_amount": ["0", "0"]})
    assert r.status_code == 302
    sheet.refresh_from_db()
    assert sheet.amount == Decimal("3125000.00") and sheet.tasks.count() == 2
    page = preparer.get(f"/targets/{sheet.pk}/").content.decode()
    assert "校舍维修" in page and "312.50" in page
    # a project sheet has no tasks page
    assert preparer.get(f"/targets/{make_sheet(world).pk}/tasks/").status_code == 404


def test_reviewers_and_other_scopes_cannot_edit(world, login):
    sheet = make_sheet(world)
    goal = sheet.annual_goal
    data = {"version": sheet.version, "annual_goal": "改掉"}
    assert login("unit_head").post(f"/targets/{sheet.pk}/edit/", data).status_code == 403
    assert login("preparer_agri").post(f"/targets/{sheet.pk}/edit/", data).status_code == 404
    assert login("far_preparer").get(f"/targets/{sheet.pk}/").status_code == 404
    r = login("preparer_agri").post(f"/targets/{sheet.pk}/indicators/", _editor_post(GOOD_ROWS[:1], sheet.version))
    assert r.status_code == 404 and sheet.title not in r.content.decode()
    sheet.refresh_from_db()
    assert sheet.annual_goal == goal and sheet.indicators.count() == len(GOOD_ROWS)
    assert login("leader").get(f"/targets/{sheet.pk}/").status_code == 200
    assert login("leader").post(f"/targets/{sheet.pk}/submit/", {"version": sheet.version}).status_code == 403


def test_list_filters_and_shows_amounts(world, login):
    sheet = make_sheet(world)
    approve_through  # noqa: B018 (imported for the flow tests)
    page = login("perf_section").get("/targets/?status=draft").content.decode()
    assert sheet.title in page and "120.00" in page
    assert sheet.title not in login("perf_section").get("/targets/?status=approved").content.decode()
    assert sheet.title not in login("far_perf_section").get("/targets/").content.decode()


def test_export_then_import_the_same_file_changes_nothing(world, login):
    from io import BytesIO

    from jixiao.core.models import SecurityEvent

    sheet = make_sheet(world)
    preparer = login("preparer")
    r = preparer.get("/targets/export/?status=draft")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    flat = r.content
    r = preparer.get("/targets/export/?status=draft&layout=official")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = preparer.get(f"/targets/{sheet.pk}/sheet.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert SecurityEvent.objects.filter(code="export", actor=world.user("preparer")).count() == 3
    assert preparer.get("/targets/import/template.xlsx").content[:2] == b"PK"
    version = TargetSheet.objects.get(pk=sheet.pk).version
    upload = BytesIO(flat)
    upload.name = "目标.xlsx"
    r = preparer.post("/targets/import/?year=2026", {"file": upload}, follow=True)
    assert r.status_code == 200 and "导入完成" in r.content.decode() and "未变化 1 份" in r.content.decode()
    assert TargetSheet.objects.get(pk=sheet.pk).version == version
    # a file that is not a workbook is reported, nothing written
    bad = BytesIO(b"not a workbook")
    bad.name = "坏.xlsx"
    r = preparer.post("/targets/import/?year=2026", {"file": bad})
    assert r.status_code == 200 and 'data-testid="import-errors"' in r.content.decode()
    assert TargetSheet.objects.count() == 1


def test_expert_panel_drawn_on_the_page_reviews_from_the_queue(world, login):
    from jixiao.org.models import Sector
    from jixiao.pools.tests.helpers import ensure_pool

    ensure_pool(world)
    sheet = make_sheet(world, include_expert_panel=True)
    assert login("preparer").get(f"/targets/{sheet.pk}/draw/").status_code == 403
    perf = login("perf_section")
    assert "抽取会审专家" in perf.get(f"/targets/{sheet.pk}/").content.decode()
    education = [Sector.objects.get(code="education").pk]
    r = perf.post(f"/targets/{sheet.pk}/draw/", {"count": 4, "fields": education, "seed": 1})
    # four asked, three eligible (the sheet's own agency's teacher is recused): refused on the form
    assert r.status_code == 200
    sheet.refresh_from_db()
    assert sheet.expert_draw_id is None
    r = perf.post(f"/targets/{sheet.pk}/draw/", {"count": 3, "fields": education, "seed": 1})
    sheet.refresh_from_db()
    assert r.status_code == 302 and sheet.expert_draw_id is not None
    names = {d.expert.name for d in sheet.expert_draw.drawn.select_related("expert")}
    assert names == {"赵明远", "孙丽华", "李国强"}
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    sheet = approve_through(world, sheet)
    assert sheet.status == "in_review"  # the panel is the last step
    page = login("expert").get("/targets/review/").content.decode()
    assert sheet.title in page and "专家会审" in page
    r = login("expert").post("/targets/review/", {"sheet": [sheet.pk], "action": "approve", "opinion": "同意"})
    assert r.status_code == 302
    sheet.refresh_from_db()
    # 孙丽华 and 李国强 have no login: the panel waits for them; the performance section enters their
    # signed opinions on the sheet's page (代录)
    assert sheet.status == "in_review"
    page = perf.get(f"/targets/{sheet.pk}/").content.decode()
    assert 'data-testid="proxy-form"' in page and "孙丽华" in page and "李国强" in page and "赵明远</option>" not in page
    assert 'data-testid="proxy-form"' not in login("section_reviewer").get(f"/targets/{sheet.pk}/").content.decode()
    review = services.review_of(sheet)
    offline = [m for m in review_machinery.pending_members(review) if m.user_id is None]
    r = perf.post(f"/targets/{sheet.pk}/proxy/", {"version": sheet.version, "member": offline[0].key, "opinion": ""})
    sheet.refresh_from_db()
    assert r.status_code == 302 and sheet.status == "in_review"
    assert "代录时须填写该成员签署的审核意见" in perf.get(f"/targets/{sheet.pk}/").content.decode()
    for m in offline:
        sheet.refresh_from_db()
        r = perf.post(f"/targets/{sheet.pk}/proxy/", {"version": sheet.version, "member": m.key, "opinion": "同意"})
        assert r.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == "approved"
    history = perf.get(f"/targets/{sheet.pk}/").content.decode()
    assert "代录通过" in history


def test_list_and_queue_queries_do_not_grow_with_the_rows(world, login, django_assert_max_num_queries):
    for n in range(1, 6):
        sheet = make_sheet(world, project=make_project(world, code=f"XM20261010019{n:02d}", name=f"项目{n}"))
        services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    perf, head = login("perf_section"), login("unit_head")
    # 10: region-tree scoping reads the user's region tree per request (constant; one query per row would be 15+)
    with django_assert_max_num_queries(10):
        r = perf.get("/targets/")
    assert r.content.decode().count('data-testid="sheet-status"') == 5
    with django_assert_max_num_queries(12):  # one query per row would make it 15 or more
        r = head.get("/targets/review/")
    assert r.content.decode().count('name="sheet" value=') == 5


def test_adopt_a_suggested_template_in_one_click(world, login):
    from jixiao.library.services import suggest

    sheet = make_sheet(world, rows=GOOD_ROWS[:2])
    project = sheet.project
    template = suggest(region=sheet.region, sector_code=project.sector.code, name=project.name,
                       description=project.description, limit=12)[0]
    used = template.usage_count
    preparer = login("preparer")
    page = preparer.get(f"/targets/{sheet.pk}/indicators/").content.decode()
    assert f'value="{template.pk}"' in page and template.name in page
    # a stale version is refused: nothing added
    preparer.post(f"/targets/{sheet.pk}/adopt/", {"template": [template.pk], "version": sheet.version - 1})
    assert sheet.indicators.count() == 2
    r = preparer.post(f"/targets/{sheet.pk}/adopt/", {"template": [template.pk], "version": sheet.version})
    assert r.status_code == 302 and r["Location"] == f"/targets/{sheet.pk}/indicators/"
    adopted = sheet.indicators.get(position=3)
    assert adopted.template_id == template.pk and adopted.name == template.name
    template.refresh_from_db()
    assert template.usage_count == used + 1
    # another agency's preparer cannot adopt into this sheet
    assert login("preparer_agri").post(f"/targets/{sheet.pk}/adopt/",
                                       {"template": [template.pk], "version": sheet.version}).status_code == 404


def test_editors_of_a_sheet_under_review_lead_back_to_it(world, login):
    sheet = _submitted(world)
    preparer = login("preparer")
    for page in ("edit", "indicators"):
        r = preparer.get(f"/targets/{sheet.pk}/{page}/", follow=True)
        assert r.redirect_chain == [(f"/targets/{sheet.pk}/", 302)]
        assert "审核中，不能修改" in r.content.decode()
    approved = approved_sheet(world, project=make_project(world, code="XM2026101001009", name="图书购置项目"))
    r = preparer.get(f"/targets/{approved.pk}/indicators/", follow=True)
    assert "年中调整" in r.content.decode()


def test_whole_budget_sheets_offered_by_role(world, login):
    own, other = world.agency("101001"), world.agency("102001")
    page = login("preparer").get("/targets/new/?year=2026").content.decode()
    assert f"agency:{own.pk}" in page and f"agency:{other.pk}" not in page
    r = login("preparer").post("/targets/new/", {"year": 2026, "subject": f"agency:{other.pk}"})
    assert r.status_code == 200 and not TargetSheet.objects.filter(agency=other).exists()
    perf = login("perf_section")
    assert f"agency:{other.pk}" in perf.get("/targets/new/?year=2026").content.decode()
    r = perf.post("/targets/new/", {"year": 2026, "subject": f"agency:{other.pk}"})
    assert r.status_code == 302
    assert TargetSheet.objects.get(agency=other, kind="agency").created_by == world.user("perf_section")
    # once it exists it is no longer offered
    assert f"agency:{other.pk}" not in perf.get("/targets/new/?year=2026").content.decode()


def test_project_page_shows_its_target_sheet(world, login):
    project = make_project(world)
    page = login("preparer").get(f"/projects/{project.pk}/").content.decode()
    assert "2026 年度未编报，去编报" in page and f"/targets/new/?year=2026&amp;project={project.pk}" in page
    assert "去编报" not in login("perf_section").get(f"/projects/{project.pk}/").content.decode()
    sheet = make_sheet(world, project=project)
    page = login("dept_reviewer").get(f"/projects/{project.pk}/").content.decode()
    assert "草稿（申报版）" in page and f'href="/targets/{sheet.pk}/"' in page
    approved_sheet(world, project=project)
    assert "已批复（申报版）" in login("leader").get(f"/projects/{project.pk}/").content.decode()


def _rows(n: int) -> list[dict]:
    """``n`` distinct rows in the shape of GOOD_ROWS (weights left out: they would not total 100)."""
    return [{**{k: v for k, v in GOOD_ROWS[i % len(GOOD_ROWS)].items() if k != "weight"},
             "name": f"{GOOD_ROWS[i % len(GOOD_ROWS)]['name']}{i + 1}"} for i in range(n)]


def test_the_editor_saves_a_sheet_of_the_most_indicators_as_the_browser_posts_it(world, login):
    """Import allows MAX_INDICATORS (200) indicators; so does the editor page: the form the browser
    submits from the page holding them (11 inputs a row, about 2,200 fields — Django's default 1,000
    refused it with an English 400 at about 90 rows) saves, and the limit is exactly what it needs."""
    from urllib.parse import urlencode

    from django.conf import settings

    from jixiao.targets.rules import EDITOR_ROW_FIELDS, MAX_INDICATORS, editor_field_count
    from tests.htmlform import form_fields

    sheet = make_sheet(world, rows=_rows(MAX_INDICATORS))
    preparer = login("preparer")
    url = f"/targets/{sheet.pk}/indicators/"
    page = preparer.get(url).content.decode()
    fields = form_fields(page, "data-testid", "indicator-editor")
    assert len(fields) == editor_field_count(MAX_INDICATORS) == settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert [n for n, _ in fields].count("value") == MAX_INDICATORS
    assert {n for n, _ in fields} == {*EDITOR_ROW_FIELDS, "csrfmiddlewaretoken", "version"}
    # the preparer changes the last row's value and saves
    last_value = max(i for i, (n, _) in enumerate(fields) if n == "value")
    fields[last_value][1] = "7"
    r = preparer.post(url, urlencode([tuple(f) for f in fields]), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 302 and r["Location"] == f"/targets/{sheet.pk}/", r.content.decode()[:500]
    assert sheet.indicators.count() == MAX_INDICATORS
    assert sheet.indicators.get(position=MAX_INDICATORS).value == "7"


def test_a_form_with_too_many_fields_gets_a_chinese_page_and_changes_nothing(world, login):
    from django.conf import settings

    sheet = make_sheet(world, rows=[])
    many = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS // 11 + 1
    r = login("preparer").post(f"/targets/{sheet.pk}/indicators/", _editor_post(_rows(many), sheet.version))
    page = r.content.decode()
    assert r.status_code == 400 and "表单字段过多" in page and "Bad Request" not in page
    assert f"每次最多提交 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个字段" in page
    assert sheet.indicators.count() == 0


def test_a_malformed_request_gets_the_chinese_400_page(client):
    """handler400 (here: a Host header not allowed, a SuspiciousOperation) — not Django's English page."""
    r = client.get("/", HTTP_HOST="evil.example")
    page = r.content.decode()
    assert r.status_code == 400 and "请求无效（400）" in page and "Bad Request" not in page


def test_the_import_page_asks_for_the_year_prefilled_and_checks_the_files_year(world, login):
    """The 预算年度 field is prefilled with the lists' budget year; a 2026 file imported into 2025 is
    refused where the file states its year; into 2026 it imports."""
    from io import BytesIO

    from jixiao.targets.tests.test_imports import good_rows, workbook

    make_project(world)
    perf = login("perf_section")
    page = perf.get("/targets/import/").content.decode()
    assert 'name="year_field"' in page and 'value="2026"' in page and "预算年度" in page
    assert 'value="2024"' in perf.get("/targets/import/?year=2024").content.decode()
    data = workbook(*good_rows())

    def post(year):
        upload = BytesIO(data)
        upload.name = "目标.xlsx"
        return perf.post("/targets/import/", {"year_field": year, "file": upload}, follow=True)

    r = post(2025)
    text = r.content.decode()
    assert 'data-testid="import-errors"' in text and "年度应为 2025（本次导入的年度），收到“2026”" in text
    assert not TargetSheet.objects.exists()
    r = post(1999)
    assert "预算年度应为 2000—2100 之间的年份" in r.content.decode() and not TargetSheet.objects.exists()
    r = post(2026)
    assert "导入完成" in r.content.decode()
    assert TargetSheet.objects.get().year == 2026
