"""F3 services: create/edit rules, the stage machine, the two gates, the timeline, bulk creation.
Every refusal is checked to have changed nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.core.actors import SYSTEM
from jixiao.core.errors import StaleVersion, TransitionError, ValidationFailed
from jixiao.core.models import ChangeLog
from jixiao.org.models import Sector
from jixiao.projects import gates, services
from jixiao.projects.choices import ProjectStage
from jixiao.projects.models import Project, ProjectEvent
from jixiao.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def exante_ok():
    def check(project):
        return True

    gates.register_exante_check(check)
    yield check
    gates.unregister_exante_check(check)


@pytest.fixture
def targets_ok():
    def check(project, amount):
        return True

    with gates.overridden(target=[check]):
        yield check


def _fields(world, **over):
    d = dict(name="城乡居民基本医疗保险补助", agency=world.agency("101001"), sector=Sector.objects.get(code="education"),
             function_code="2050204", fund_sources=["own", "higher_transfer"], requested_amount=Decimal("500000"),
             year=2026, is_new=True)
    d.update(over)
    return d


def test_create_project_by_preparer(world):
    preparer = world.user("preparer")
    p = services.create_project(actor=preparer, region=preparer.region, **_fields(world, tags=["government_debt", "poverty"]))
    assert p.stage == ProjectStage.RESERVE and p.version == 1
    assert p.code == "XM2026101001001"  # generated
    assert p.tags == ["poverty", "government_debt"]  # choice order
    assert p.fund_sources == ["higher_transfer", "own"]
    assert (p.start_year, p.end_year) == (2026, 2026)
    events = list(p.events.all())
    assert [(e.kind, e.to_stage, e.actor_name) for e in events] == [("created", "reserve", "王芳")]
    assert ChangeLog.objects.filter(object_type="projects.project", object_id=str(p.pk), action="create").exists()
    second = services.create_project(actor=preparer, region=preparer.region, **_fields(world))
    assert second.code == "XM2026101001002"


def test_create_refuses_bad_fields_and_writes_nothing(world):
    preparer = world.user("preparer")
    make_project(world, code="DUP1")
    with pytest.raises(ValidationFailed) as exc:
        services.create_project(actor=preparer, region=preparer.region, **_fields(
            world, code="DUP1", name=" ", function_code="999", fund_sources=["gold"], tags=["x"],
            requested_amount=Decimal("-1"), year=2026, start_year=2027, end_year=2026))
    errors = exc.value.errors
    assert set(errors) >= {"code", "name", "function_code", "fund_sources", "tags", "requested_amount", "end_year",
                           "year"}
    assert "类级科目 999 不存在" in errors["function_code"][0]
    assert "gold" in errors["fund_sources"][0]
    assert Project.objects.count() == 1


def test_preparer_cannot_create_for_another_agency(world):
    preparer = world.user("preparer")
    with pytest.raises(PermissionDenied):
        services.create_project(actor=preparer, region=preparer.region, **_fields(world, agency=world.agency("102001")))
    assert not Project.objects.exists()


def test_other_roles_cannot_create(world):
    leader = world.user("leader")
    with pytest.raises(PermissionDenied):
        services.create_project(actor=leader, region=leader.region, **_fields(world))


def test_update_versions_and_stage_lock(world):
    p = make_project(world)
    preparer, perf = world.user("preparer"), world.user("perf_section")
    p = services.update_project(actor=preparer, project=p, version=p.version, name="教学楼加固改造项目")
    assert p.version == 2 and p.events.filter(kind="updated").exists()
    with pytest.raises(StaleVersion):
        services.update_project(actor=preparer, project=p, version=1, name="X")
    p = services.submit_for_assessment(actor=preparer, project=p, version=p.version)
    with pytest.raises(TransitionError) as exc:
        services.update_project(actor=preparer, project=p, version=p.version, name="Y")
    assert exc.value.code == "project.locked"
    p = services.update_project(actor=perf, project=p, version=p.version, requested_amount=Decimal("1000000"))
    assert p.requested_amount == Decimal("1000000.00")
    p.refresh_from_db()
    assert p.name == "教学楼加固改造项目"


def test_out_of_scope_preparer_cannot_edit(world):
    p = make_project(world)
    with pytest.raises(PermissionDenied):
        services.update_project(actor=world.user("preparer_agri"), project=p, version=p.version, name="X")
    p.refresh_from_db()
    assert p.name == "教学楼抗震加固改造项目"


def test_preparer_cannot_move_project_to_another_agency(world):
    p = make_project(world)
    with pytest.raises(PermissionDenied):
        services.update_project(actor=world.user("preparer"), project=p, version=p.version,
                                agency=world.agency("102001"))
    p.refresh_from_db()
    assert p.agency == world.agency("101001")


# --- the stage machine ---------------------------------------------------------------------------

def test_whole_life_of_a_continuing_project(world, targets_ok):
    """Not-major continuing projects enter the library without an ex-ante assessment."""
    p = make_project(world)
    preparer, perf = world.user("preparer"), world.user("perf_section")
    p = services.submit_for_assessment(actor=preparer, project=p, version=p.version, note="申请入库")
    p = services.admit(actor=perf, project=p, version=p.version)
    p = services.include_in_budget(actor=perf, project=p, version=p.version, budget_amount=Decimal("1000000"))
    assert p.budget_amount == Decimal("1000000.00")
    p = services.start_execution(actor=preparer, project=p, version=p.version)
    p = services.complete(actor=perf, project=p, version=p.version, note="按期完工")
    assert p.stage == ProjectStage.COMPLETED
    moves = [(e.from_stage, e.to_stage, e.actor_name) for e in p.events.filter(kind="stage")]
    assert moves == [("reserve", "submitted", "王芳"), ("submitted", "admitted", "陈静"),
                     ("admitted", "budgeted", "陈静"), ("budgeted", "executing", "王芳"),
                     ("executing", "completed", "陈静")]
    assert p.events.get(to_stage="completed").note == "按期完工"
    with pytest.raises(TransitionError) as exc:
        services.terminate(actor=perf, project=p, version=p.version, note="x")
    assert exc.value.code == "project.illegal_stage" and "已完结" in exc.value.message


def test_illegal_move_changes_nothing(world):
    p = make_project(world)
    with pytest.raises(TransitionError) as exc:
        services.start_execution(actor=world.user("perf_section"), project=p, version=p.version)
    assert exc.value.code == "project.illegal_stage"
    assert "储备" in exc.value.message
    p.refresh_from_db()
    assert p.stage == "reserve" and p.version == 1 and not p.events.filter(kind="stage").exists()


def test_roles_of_moves(world):
    p = make_project(world)
    with pytest.raises(PermissionDenied):
        services.admit(actor=world.user("preparer"), project=p, version=p.version)
    with pytest.raises(PermissionDenied):
        services.submit_for_assessment(actor=world.user("preparer_agri"), project=p, version=p.version)
    p.refresh_from_db()
    assert p.stage == "reserve"


def test_terminate_and_return_need_a_reason(world):
    p = make_project(world)
    perf = world.user("perf_section")
    with pytest.raises(ValidationFailed) as exc:
        services.terminate(actor=perf, project=p, version=p.version, note=" ")
    assert "理由" in exc.value.errors["note"][0]
    p = services.submit_for_assessment(actor=perf, project=p, version=p.version)
    p = services.return_to_reserve(actor=perf, project=p, version=p.version, note="材料不全，补充后重新申报")
    assert p.stage == "reserve"
    p = services.terminate(actor=perf, project=p, version=p.version, note="单位撤回")
    assert p.stage == "terminated"


def test_assessing_is_entered_only_with_an_assessment(world):
    """评估中 is the assessment's: no register is carried over into it, and the page has no such move."""
    row = {"code": "XM2026101001099", "name": "x", "agency": world.agency("101001"),
           "sector": world.agency("101001").sector, "function_code": "2050204", "fund_sources": ["own"],
           "year": 2026, "stage": "assessing"}
    with pytest.raises(ValidationFailed) as exc:
        services.bulk_create_projects(actor=world.user("perf_section"), region=world.regions["370724"], rows=[row])
    assert "评估中的项目须由发起事前绩效评估进入" in exc.value.errors["1.stage"][0]
    assert "assess" not in services.MOVES


def test_stale_move_refused(world):
    p = make_project(world)
    with pytest.raises(StaleVersion):
        services.submit_for_assessment(actor=world.user("preparer"), project=p, version=p.version + 1)


# --- gate 1: 先评估后入库 ----------------------------------------------------------------------------

def test_new_major_project_refused_without_an_exante_check(world):
    p = make_project(world, is_new=True, is_major=True, start_year=2026)
    perf = world.user("perf_section")
    p = services.submit_for_assessment(actor=world.user("preparer"), project=p, version=p.version)
    with pytest.raises(TransitionError) as exc:
        services.admit(actor=perf, project=p, version=p.version)
    assert exc.value.code == "project.exante_required"
    assert "须先完成事前绩效评估并获得支持" in exc.value.message
    p.refresh_from_db()
    assert p.stage == "submitted" and not p.events.filter(to_stage="admitted").exists()


def test_continuing_project_past_its_end_year_needs_assessment(world):
    p = make_project(world, is_new=False, is_major=False, year=2026, start_year=2023, end_year=2025)
    with pytest.raises(TransitionError) as exc:
        services.admit(actor=world.user("perf_section"), project=p, version=p.version)
    assert exc.value.code == "project.exante_required"


@pytest.fixture
def own_exante_checks_only():
    """The test's own check alone (not the assessment app's)."""
    with gates.overridden(exante=[]):
        yield


def test_registered_exante_check_decides(world, own_exante_checks_only):
    perf = world.user("perf_section")
    supported = make_project(world, code="A1", is_new=True, is_major=True, start_year=2026)
    refused = make_project(world, code="A2", is_new=True, is_major=True, start_year=2026)

    def check(project):
        return True if project.code == "A1" else "事前绩效评估结论为“不予支持”，不能入库"

    gates.register_exante_check(check)
    try:
        assert services.admit(actor=perf, project=supported, version=supported.version).stage == "admitted"
        with pytest.raises(TransitionError) as exc:
            services.admit(actor=perf, project=refused, version=refused.version)
        assert "不予支持" in exc.value.message
    finally:
        gates.unregister_exante_check(check)


def test_not_major_new_project_needs_no_assessment(world):
    p = make_project(world, is_new=True, is_major=False, start_year=2026)
    assert services.admit(actor=world.user("perf_section"), project=p, version=p.version).stage == "admitted"


# --- gate 2: 未设置绩效目标不得安排资金 -------------------------------------------------------------------

def test_budget_refused_without_a_target_check(world):
    perf = world.user("perf_section")
    p = make_project(world)
    p = services.admit(actor=perf, project=p, version=p.version)
    with pytest.raises(TransitionError) as exc:
        services.include_in_budget(actor=perf, project=p, version=p.version)
    assert exc.value.code == "project.target_required" and "绩效目标" in exc.value.message
    p.refresh_from_db()
    assert p.stage == "admitted" and p.budget_amount == 0


def test_budget_with_an_approved_target(world, targets_ok):
    perf = world.user("perf_section")
    p = make_project(world)
    p = services.admit(actor=perf, project=p, version=p.version)
    p = services.include_in_budget(actor=perf, project=p, version=p.version)  # default: the amount requested
    assert p.stage == "budgeted" and p.budget_amount == Decimal("1200000.00")


def test_a_refusing_target_check_wins(world, targets_ok):
    perf = world.user("perf_section")
    p = make_project(world)
    p = services.admit(actor=perf, project=p, version=p.version)

    def no(project, amount):
        return False

    gates.register_target_check(no)
    try:
        with pytest.raises(TransitionError) as exc:
            services.include_in_budget(actor=perf, project=p, version=p.version)
        assert exc.value.message == gates.TARGET_REFUSED
    finally:
        gates.unregister_target_check(no)


def test_budget_amount_must_be_positive(world, targets_ok):
    perf = world.user("perf_section")
    p = make_project(world)
    p = services.admit(actor=perf, project=p, version=p.version)
    with pytest.raises(ValidationFailed):
        services.include_in_budget(actor=perf, project=p, version=p.version, budget_amount=Decimal("0"))


# --- the timeline and bulk creation ------------------------------------------------------------------

def test_record_event_for_later_apps(world):
    p = make_project(world)
    e = services.record_event(actor=world.user("expert"), project=p, kind="assessment", title="事前评估：予以支持",
                              note="综合得分 86 分")
    assert e.actor_name == "赵教授" and e.region_id == p.region_id
    assert list(p.events.values_list("title", flat=True)) == ["建立项目", "事前评估：予以支持"]


def test_bulk_create_projects(world):
    region = world.regions["370724"]
    base = _fields(world)
    rows = [dict(base, code=f"B{i}", stage=stage) for i, stage in enumerate(["reserve", "admitted", "executing"])]
    rows[1]["is_new"] = False
    rows[2]["is_new"] = False
    made = services.bulk_create_projects(actor=SYSTEM, region=region, rows=rows)
    assert [p.stage for p in made] == ["reserve", "admitted", "executing"]
    assert ProjectEvent.objects.filter(kind="migrated").count() == 3
    assert ChangeLog.objects.filter(object_type="projects.project", action="create").count() == 3


def test_bulk_create_keeps_the_exante_gate(world):
    region = world.regions["370724"]
    rows = [dict(_fields(world, is_major=True), code="M1", stage="admitted"), dict(_fields(world), code="M1")]
    with pytest.raises(ValidationFailed) as exc:
        services.bulk_create_projects(actor=SYSTEM, region=region, rows=rows)
    assert "须先完成事前绩效评估并获得支持" in exc.value.errors["1.stage"][0]
    assert "已被使用" in exc.value.errors["2.code"][0]
    assert not Project.objects.exists()
