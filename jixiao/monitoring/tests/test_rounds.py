"""Monitoring rounds and tables (issue #13 F6): opening set-based, filling, the deviation reasons
before submit, the review chain, reminders, scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.core.choices import InboxKind
from jixiao.core.errors import StaleVersion, TransitionError, ValidationFailed
from jixiao.core.models import ChangeLog, InboxItem, Review
from jixiao.monitoring import services
from jixiao.monitoring.models import MonitoringRound, MonitoringRow, MonitoringTable
from jixiao.monitoring.readings import read_table
from jixiao.monitoring.tests.factories import budgeted_project, open_round, school_table
from jixiao.projects.tests.factories import project_at

pytestmark = pytest.mark.django_db


def _counts():
    return MonitoringRound.objects.count(), MonitoringTable.objects.count(), MonitoringRow.objects.count()


def test_open_round_of_all_budgeted_projects(world):
    school = budgeted_project(world)                                      # approved sheet, 6 indicators
    bare = budgeted_project(world, code="XM-MON-2", sheet=False)          # no sheet: money row only
    agri = budgeted_project(world, code="XM-MON-3", agency="102001", sheet=False)
    project_at(world, "reserve", code="XM-MON-4")                         # not budgeted: left out
    budgeted_project(world, code="XM-MON-5", region="654022", sheet=False)  # another county: left out
    rnd = open_round(world)
    tables = {t.project_id: t for t in rnd.tables.all()}
    assert set(tables) == {school.pk, bare.pk, agri.pk}
    assert tables[school.pk].sheet.status == "approved" and tables[school.pk].rows.count() == 6
    assert [r.position for r in tables[school.pk].rows.all()] == [1, 2, 3, 4, 5, 6]
    assert tables[bare.pk].sheet is None and not tables[bare.pk].rows.exists()
    assert {t.status for t in tables.values()} == {"draft"}
    reviews = Review.objects.filter(chain="monitoring", object_id__in=[t.pk for t in tables.values()])
    assert reviews.count() == 3 and {r.status for r in reviews} == {"draft"}
    assert [s["name"] for s in reviews.first().steps] == ["单位自审", "主管部门审核", "绩效股审核"]
    # the agencies' preparers have the tables in their task lists, with the deadline
    items = InboxItem.objects.filter(kind=InboxKind.ASSIGNMENT, done_at__isnull=True)
    assert sorted(items.values_list("user__username", "object_id")) == sorted(
        [("preparer", school.pk and tables[school.pk].pk), ("preparer", tables[bare.pk].pk),
         ("preparer_agri", tables[agri.pk].pk)])
    item = items.get(object_id=tables[school.pk].pk)
    assert item.url == f"/monitoring/tables/{tables[school.pk].pk}/" and "【监控填报】" in item.title
    assert item.due_at.isoformat() == "2026-06-10T16:00:00+00:00"  # the end of 06-10, Beijing time
    assert ChangeLog.objects.filter(object_id=str(rnd.pk), action="create").exists()
    # the round page's counts
    counts = {c["agency__code"]: c for c in services.round_counts(rnd, today=dt.date(2026, 6, 11))}
    assert (counts["101001"]["total"], counts["101001"]["open"], counts["101001"]["late"]) == (2, 2, 2)
    assert services.round_skipped(rnd, world.user("perf_section"))[0]["name"] == "XM-MON-2 教学楼抗震加固改造项目"


def test_open_by_tag_and_by_hand(world):
    tagged = budgeted_project(world, code="XM-TAG", sheet=False, tags=["poverty"])
    budgeted_project(world, code="XM-OTHER", sheet=False)
    rnd = open_round(world, scope_kind="tag", tag="poverty")
    assert [t.project_id for t in rnd.tables.all()] == [tagged.pk] and rnd.tag == "poverty"
    rnd = open_round(world, scope_kind="picked", projects=[tagged.pk])
    assert [t.project_id for t in rnd.tables.all()] == [tagged.pk]


def test_open_refusals_write_nothing(world):
    budgeted_project(world, sheet=False)
    reserve = project_at(world, "reserve", code="XM-RES")
    before = _counts()
    with pytest.raises(PermissionDenied):
        open_round(world, actor="preparer")
    with pytest.raises(ValidationFailed) as exc:
        services.open_round(actor=world.user("perf_section"), region=world.regions["370724"], year=2026, month=13,
                            deadline=None, title="", scope_kind="all_projects")
    assert exc.value.errors == {"title": ["请填写批次名称"], "month": ["监控截至月份应为 1 至 12 的整数"],
                                "deadline": ["请填写填报截止日期"]}
    with pytest.raises(ValidationFailed) as exc:
        open_round(world, scope_kind="picked", projects=[reserve.pk])
    assert "XM-RES" in exc.value.errors["projects"][0] and "不是 2026 年度已纳入预算" in exc.value.errors["projects"][0]
    with pytest.raises(ValidationFailed) as exc:  # another county's project is not found
        other = budgeted_project(world, code="XM-FAR", region="654022", sheet=False)
        open_round(world, scope_kind="picked", projects=[other.pk])
    assert "不存在或不在您的范围内" in exc.value.errors["projects"][0]
    with pytest.raises(ValidationFailed) as exc:
        open_round(world, scope_kind="tag", tag="ppp")
    assert "没有可监控的对象" in exc.value.errors["scope_kind"][0]
    assert _counts() == before


def test_opening_is_set_based(world):
    """The statements of opening do not grow with the number of objects."""
    from jixiao.core.actors import SYSTEM
    from jixiao.projects import services as project_services
    from jixiao.projects.tests.factories import _fields

    budgeted_project(world)  # one approved sheet with 6 indicators in each run
    agency = world.agency("101001")

    def add(n, prefix):
        rows = [{**_fields(world, agency, {"budget_amount": Decimal(1000), "requested_amount": Decimal(1000)}),
                 "agency": agency, "code": f"{prefix}{i:03d}", "stage": "budgeted"} for i in range(n)]
        project_services.bulk_create_projects(actor=SYSTEM, region=world.regions["370724"], rows=rows)

    def opened():
        with CaptureQueriesContext(connection) as ctx:
            rnd = open_round(world)
        return len(ctx.captured_queries), rnd.tables.count()

    add(2, "A")
    small, n_small = opened()
    add(40, "B")
    large, n_large = opened()
    assert (n_small, n_large) == (3, 43)
    assert large == small, (small, large)


@pytest.fixture
def table(world):
    return school_table(world)


def _fill_all(world, table, *, reasons=True, **extra):
    """Values for every row: on plan (no deviation) except row 1 (加固教学楼栋数 ≥2: 0 by May → red)."""
    rows = {1: {"value_to_date": "0", "year_end": "2"}, 2: {"value_to_date": "45", "year_end": "100"},
            3: {"value_to_date": "5", "year_end": "12"}, 4: {"value_to_date": "55", "year_end": "58"},
            5: {"value_to_date": "40", "year_end": "95"}, 6: {"value_to_date": "40", "year_end": "92"}}
    if reasons:
        rows[1].update(cause="funding", explanation="资金下达晚", likelihood="possible", measures="加快招标")
        extra = {"cause": "rules", "explanation": "招标程序未完成", "likelihood": "possible", "measures": "6 月底前完成招标",
                 **extra}
    return services.save_table(actor=world.user("preparer"), table=table, version=table.version,
                               estimate=Decimal("1000000"), rows=rows, **extra)


def test_reading_of_a_table(world, table):
    from jixiao.monitoring.services import enter_execution, enter_spending_plan

    preparer = world.user("preparer")
    for month, amount in ((1, 50000), (3, 100000), (6, 999999)):  # June is after the checkpoint
        enter_execution(actor=preparer, project=table.project, year=2026, month=month, fund_source="own",
                        amount=Decimal(amount))
    r = read_table(table)
    assert (r.budget_initial, r.budget_adjusted, r.executed) == (Decimal("1000000.00"), Decimal("1000000.00"),
                                                                   Decimal("150000.00"))
    assert r.rate == Decimal("0.1500") and r.expectation.basis == "time_progress"
    assert r.expectation.value == Decimal("0.4167") and r.budget_light == "red" and r.budget_required
    assert r.forecast is None  # May: before month 8
    assert [row.light for row in r.rows] == [None] * 6 and r.goal_light is None
    assert "预算执行：预计全年执行数未填报" in r.problems()
    assert "第 1 项指标“加固教学楼栋数”：截至目前完成值未填报" in r.problems()
    # a spending plan is the first basis
    for month in range(1, 13):
        enter_spending_plan(actor=preparer, project=table.project, year=2026, month=month,
                            amount=Decimal(10000 if month <= 5 else 100000))
    r = read_table(table)
    assert r.expectation.basis == "spending_plan" and r.expectation.value == Decimal("0.0667")
    assert r.budget_light == "green"


def test_region_profile_is_the_second_basis(world, table):
    from jixiao.core.models import RegionConfig
    from jixiao.core.services import update_region_config

    row = RegionConfig.objects.get(region=world.regions["370724"], year=2026, key="spending_profiles")
    with pytest.raises(ValidationFailed) as exc:
        update_region_config(actor=world.user("perf_section"), config=row, version=row.version,
                             raw={"project": "10,20,30", "policy": "", "agency": ""})
    assert exc.value.errors["value"] == ["项目：支出进度曲线应有 12 个月的累计比例，现有 3 个"]
    update_region_config(actor=world.user("perf_section"), config=row, version=row.version,
                         raw={"project": "2,5,10,15,25,35,45,55,65,75,85,100", "policy": "", "agency": ""})
    r = read_table(table)
    assert r.expectation.basis == "spending_profile" and r.expectation.value == Decimal("0.2500")
    assert r.expectation.label == "地区支出进度曲线"


def test_save_checks_every_row_and_changes_nothing_on_error(world, table):
    with pytest.raises(ValidationFailed) as exc:
        services.save_table(actor=world.user("preparer"), table=table, version=table.version, cause="无",
                            rows={1: {"value_to_date": "两栋"}, 2: {"achievement": "achieved"}, 9: {"year_end": "1"}})
    assert exc.value.errors["table"] == [
        "预算执行：偏差原因类别应为经费保障、制度保障、人员保障、硬件保障、其他之一",
        "第 1 项指标“加固教学楼栋数”：截至目前完成值“两栋”不是数字（单位为栋，只填数字）",
        "第 9 项指标不在本监控表中",
    ]
    assert not MonitoringRow.objects.exclude(value_to_date="").exists()
    table.refresh_from_db()
    assert table.version == 1
    saved = _fill_all(world, table)
    assert saved.version == 2 and saved.estimate == Decimal("1000000.00")
    row = saved.rows.get(position=1)
    assert (row.value_to_date, row.number_to_date, row.cause) == ("0", Decimal("0"), "funding")
    with pytest.raises(StaleVersion):
        services.save_table(actor=world.user("preparer"), table=table, version=1, estimate=Decimal(1))
    log = ChangeLog.objects.filter(object_id=str(table.pk), action="update").latest("pk")
    assert "rows.1.value_to_date" in log.changes or any(k.startswith("rows.") for k in log.changes)


def test_submit_needs_the_reasons_of_every_deviation(world, table):
    from jixiao.monitoring.services import enter_execution

    enter_execution(actor=world.user("preparer"), project=table.project, year=2026, month=5, fund_source="own",
                    amount=Decimal("400000"))  # 40% of the budget by May: on the time line (41.67%)
    table = _fill_all(world, table, reasons=False)
    with pytest.raises(ValidationFailed) as exc:
        services.submit_table(actor=world.user("preparer"), table=table, version=table.version)
    assert exc.value.errors["table"] == [
        "第 1 项指标“加固教学楼栋数”偏差超过阈值，须填写偏差原因类别、偏差原因说明、完成目标可能性、纠偏措施"]
    table.refresh_from_db()
    assert table.status == "draft"
    table = _fill_all(world, table)
    table = services.submit_table(actor=world.user("preparer"), table=table, version=table.version)
    assert table.status == "in_review" and table.submitted_at is not None
    assert not InboxItem.objects.filter(object_id=table.pk, kind=InboxKind.ASSIGNMENT, done_at__isnull=True).exists()
    # the first step's reviewer has it in the inbox
    assert InboxItem.objects.filter(user__username="unit_head", kind="review", done_at__isnull=True).exists()
    with pytest.raises(TransitionError):  # in review: locked
        services.save_table(actor=world.user("preparer"), table=table, version=table.version, estimate=Decimal(1))


def test_review_chain_return_and_approve(world, table):
    table = _fill_all(world, table)
    table = services.submit_table(actor=world.user("preparer"), table=table, version=table.version)
    with pytest.raises(TransitionError):  # not the current step's reviewer
        services.approve_table(actor=world.user("dept_reviewer"), table=table, version=table.version)
    table = services.approve_table(actor=world.user("unit_head"), table=table, version=table.version, opinion="同意")
    with pytest.raises(ValidationFailed):
        services.return_table(actor=world.user("dept_reviewer"), table=table, version=table.version, opinion="")
    table = services.return_table(actor=world.user("dept_reviewer"), table=table, version=table.version,
                                  opinion="纠偏措施不具体")
    assert (table.status, table.return_count) == ("returned", 1)
    assert InboxItem.objects.filter(user__username="preparer", title__startswith="【已退回】", done_at__isnull=True).exists()
    table = _fill_all(world, table)  # editable again
    table = services.submit_table(actor=world.user("preparer"), table=table, version=table.version)
    for username in ("unit_head", "dept_reviewer", "perf_section"):
        table = services.approve_table(actor=world.user(username), table=table, version=table.version)
    assert table.status == "approved" and table.approved_at is not None


def test_scoping_of_tables(world, table):
    for username in ("preparer_agri", "far_perf_section", "prov_perf_section", "leader"):
        with pytest.raises(PermissionDenied):
            services.save_table(actor=world.user(username), table=table, version=table.version, estimate=Decimal(1))
    assert MonitoringTable.objects.for_user(world.user("preparer"), "view").filter(pk=table.pk).exists()
    assert not MonitoringTable.objects.for_user(world.user("preparer_agri"), "view").filter(pk=table.pk).exists()
    assert not MonitoringTable.objects.for_user(world.user("far_perf_section"), "view").filter(pk=table.pk).exists()
    assert MonitoringTable.objects.for_user(world.user("prov_perf_section"), "view").filter(pk=table.pk).exists()
    assert not MonitoringTable.objects.for_user(world.user("prov_perf_section"), "fill").filter(pk=table.pk).exists()
    # the performance section may correct
    services.save_table(actor=world.user("perf_section"), table=table, version=table.version, goal_progress="按计划推进")


def test_close_round_stops_filling(world, table):
    rnd = table.round
    with pytest.raises(PermissionDenied):
        services.close_round(actor=world.user("prov_perf_section"), round=rnd, version=rnd.version)
    services.close_round(actor=world.user("perf_section"), round=rnd, version=rnd.version)
    table.refresh_from_db()
    with pytest.raises(TransitionError) as exc:
        services.save_table(actor=world.user("preparer"), table=table, version=table.version, estimate=Decimal(1))
    assert str(exc.value) == "监控批次已结束，不能再填报。"
    assert not InboxItem.objects.filter(object_id=table.pk, kind=InboxKind.ASSIGNMENT, done_at__isnull=True).exists()


def test_reminders_before_and_after_the_deadline(world):
    """Two stretches (core.reminders): from ``remind_days`` (3) before the deadline, then after it."""
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from jixiao.core.dates import local_date

    project = budgeted_project(world)
    deadline = local_date(None) + timedelta(days=1)  # the before-deadline stretch has begun
    rnd = open_round(world, scope_kind="picked", projects=[project], deadline=deadline)
    table = rnd.tables.get()

    def run():
        return services.remind_round_deadlines(actor=world.user("perf_section"))

    def open_reminders():
        return list(InboxItem.objects.filter(kind="deadline", done_at__isnull=True).values_list("user__username", "title"))

    assert run()["reminders_opened"] == 1
    assert open_reminders() == [("preparer", f"【即将截止】{rnd.title}：教学楼抗震加固改造项目（截止 {deadline:%Y-%m-%d}）")]
    assert run()["reminders_opened"] == 0  # once per stretch
    # three days go by: the deadline has passed
    MonitoringRound.objects.filter(pk=rnd.pk).update(deadline=deadline - timedelta(days=3))
    InboxItem.objects.update(created_at=F("created_at") - timedelta(days=3))
    assert timezone.now() > services.deadline_instant(deadline - timedelta(days=3))
    result = run()
    assert (result["reminders_opened"], result["reminders_closed"]) == (1, 1)
    assert open_reminders()[0][1].startswith("【已逾期】")
    assert run()["reminders_opened"] == 0
    table = _fill_all(world, table)
    services.submit_table(actor=world.user("preparer"), table=table, version=table.version)
    assert open_reminders() == []  # the submit closed it
    assert run() == {"tables_reminded": 0, "reminders_opened": 0, "reminders_closed": 0}


def test_reminder_command(world):
    import io
    import json
    from datetime import timedelta

    from django.core.management import call_command

    from jixiao.core.dates import local_date

    open_round(world, scope_kind="picked", projects=[budgeted_project(world)],
               deadline=local_date(None) - timedelta(days=1))
    out = io.StringIO()
    call_command("remind_monitoring_deadlines", stdout=out)
    assert json.loads(out.getvalue()) == {"tables_reminded": 1, "reminders_opened": 1, "reminders_closed": 0}


def _approved_agency_sheet(world, code="101001"):
    from jixiao.targets import services as target_services
    from jixiao.targets.tests.factories import GOOD_ROWS, approve_through

    preparer = world.user("preparer")
    sheet = target_services.create_sheet(actor=preparer, year=2026, agency=world.agency(code),
                                         annual_goal="完成全年教育教学任务，校舍安全达标。")
    sheet = target_services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
        {"name": "教育教学", "content": "保障日常教学", "amount": "2000000", "fiscal_amount": "2000000"}])
    sheet = target_services.save_indicators(actor=preparer, sheet=sheet, version=sheet.version, rows=GOOD_ROWS)
    sheet = target_services.submit_sheet(actor=preparer, sheet=sheet, version=sheet.version)
    return approve_through(world, sheet)


def test_agency_whole_budgets(world):
    from jixiao.monitoring.services import enter_execution
    from jixiao.targets import services as target_services

    sheet = _approved_agency_sheet(world)
    target_services.create_sheet(actor=world.user("preparer_agri"), year=2026, agency=world.agency("102001"),
                                 annual_goal="推广良种。")  # a draft: left out, with its reason
    enter_execution(actor=world.user("perf_section"), agency=world.agency("101001"), year=2026, month=3,
                    fund_source="own", amount=Decimal("500000"))
    rnd = open_round(world, scope_kind="agency_budgets")
    table = rnd.tables.get()
    assert (table.project, table.agency.code, table.sheet_id, table.rows.count()) == (None, "101001", sheet.pk, 6)
    assert table.subject_name == "临朐县第一中学（部门整体支出）"
    r = read_table(table)
    assert (r.budget_adjusted, r.executed, r.rate) == (Decimal("2000000.00"), Decimal("500000.00"), Decimal("0.2500"))
    (skipped,) = services.round_skipped(rnd, world.user("perf_section"))
    assert skipped["name"] == "临朐县农业技术推广中心（部门整体支出）" and "草稿" in skipped["reason"]
    assert services.round_skipped_count(rnd, world.user("perf_section")) == 1


def test_forecast_from_august_beside_the_estimate(world):
    from jixiao.monitoring.services import enter_execution

    project = budgeted_project(world, code="XM-AUG", amount=Decimal("5000000"), sheet=False)
    table = open_round(world, month=8, scope_kind="picked", projects=[project]).tables.get()
    for month in range(1, 9):  # 5, 10, … 40 万 a month: 180 万 paid, the trend adds 45 + 50 + 55 + 60
        enter_execution(actor=world.user("preparer"), project=project, year=2026, month=month,
                        fund_source="own", amount=Decimal(50000 * month))
    assert read_table(table).forecast == Decimal("3900000.00")
    assert read_table(table).forecast_disagrees is None  # no estimate yet: nothing to compare
    table = services.save_table(actor=world.user("preparer"), table=table, version=table.version,
                                estimate=Decimal("2500000"))
    assert read_table(table).forecast_disagrees is True  # |390 − 250| > 20% × 250
    table = services.save_table(actor=world.user("preparer"), table=table, version=table.version,
                                estimate=Decimal("3600000"))
    assert read_table(table).forecast_disagrees is False
    assert read_table(school_table(world, month=5)).forecast is None  # before August: none


def test_reading_many_tables_is_set_based(world):
    """The queries of read_tables do not grow with the number of tables."""
    from jixiao.core.actors import SYSTEM
    from jixiao.monitoring.readings import read_tables
    from jixiao.projects import services as project_services
    from jixiao.projects.tests.factories import _fields

    budgeted_project(world)
    agency = world.agency("101001")
    rows = [{**_fields(world, agency, {"budget_amount": Decimal(1000), "requested_amount": Decimal(1000)}),
             "agency": agency, "code": f"B{i:03d}", "stage": "budgeted"} for i in range(30)]
    project_services.bulk_create_projects(actor=SYSTEM, region=world.regions["370724"], rows=rows)
    rnd = open_round(world)
    tables = list(rnd.tables.all())
    read_tables(tables[:1])  # the region's configuration, read once per region and year, is cached per call

    def queries(part):
        with CaptureQueriesContext(connection) as ctx:
            out = read_tables(part)
        assert len(out) == len(part)
        return len(ctx.captured_queries)

    school = [t for t in tables if t.sheet_id]
    assert queries(school + tables[:2]) == queries(school + tables[:30])


def test_a_region_without_the_monitoring_chain_is_told_so(world):
    from jixiao.core.models import RegionConfig
    from jixiao.core.services import update_region_config

    budgeted_project(world, sheet=False)
    row = RegionConfig.objects.get(region=world.regions["370724"], year=2026, key="review_chains")
    chains = [r for r in row.value if r["chain"] != "monitoring"]
    update_region_config(actor=world.user("perf_section"), config=row, version=row.version, raw=chains)
    with pytest.raises(TransitionError) as exc:
        open_round(world)
    assert "未配置“绩效运行监控”审核链" in str(exc.value)
    assert not MonitoringRound.objects.exists()
