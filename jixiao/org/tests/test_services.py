"""F1 services: regions, agencies (the materialised tree), sections, users and the 三员 separation,
passwords and API tokens. Every test goes through the services, as the application does."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.core import config as region_config
from jixiao.core.actors import SYSTEM
from jixiao.core.audit import verify_all
from jixiao.core.choices import ChangeAction, SecurityEventCode
from jixiao.core.errors import StaleVersion, ValidationFailed
from jixiao.core.models import ChangeLog, RegionConfig, SecurityEvent
from jixiao.core.roles import Role
from jixiao.org import services
from jixiao.org.choices import AgencyKind, RegionLevel, SectionKind
from jixiao.org.models import Agency, ApiToken, FinanceSection, Region, Sector, User
from jixiao.org.personas import DEMO_PASSWORD, HOME, OTHER

NEW_PASSWORD = "Kx7#mPq2vL"


def changelog_for(obj):
    return ChangeLog.objects.filter(object_type=f"org.{obj._meta.model_name}", object_id=str(obj.pk)).order_by("seq")


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.errors


# --- regions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["37072", "3707245", "37072a", "", "  ", "三七〇七二四"])
def test_region_code_must_be_six_ascii_digits(db, code):
    with pytest.raises(ValidationFailed) as e:
        services.create_region(actor=SYSTEM, code=code, name="某县", level=RegionLevel.COUNTY, year=2026)
    assert "6 位数字" in errors_of(e)["code"][0]
    assert not Region.objects.exists()


def test_region_duplicate_code_refused(db):
    services.create_region(actor=SYSTEM, code="370724", name="临朐县", level=RegionLevel.COUNTY, year=2026)
    with pytest.raises(ValidationFailed) as e:
        services.create_region(actor=SYSTEM, code=" 370724 ", name="又一个", level=RegionLevel.COUNTY, year=2026)
    assert errors_of(e)["code"] == ["区划代码 370724 已存在"]
    assert Region.objects.count() == 1


def test_region_level_must_be_known(db):
    with pytest.raises(ValidationFailed) as e:
        services.create_region(actor=SYSTEM, code="370724", name="临朐县", level="town", year=2026)
    assert "level" in errors_of(e)
    assert not Region.objects.exists()


def test_region_seeds_every_config_key_for_the_year_and_is_audited(db):
    region = services.create_region(actor=SYSTEM, code="370724", name=" 临朐县 ", level=RegionLevel.COUNTY,
                                    year=2026)
    assert region.name == "临朐县"
    keys = set(RegionConfig.objects.filter(region=region, year=2026).values_list("key", flat=True))
    assert keys == set(region_config.SPECS) and keys
    assert not RegionConfig.objects.filter(region=region).exclude(year=2026).exists()
    (log,) = changelog_for(region)
    assert log.action == ChangeAction.CREATE and log.actor is None and log.actor_name == "系统"
    assert log.changes["code"] == [None, "370724"]
    assert ChangeLog.objects.filter(object_type="core.regionconfig", region=region).count() == len(keys)


# --- agencies -----------------------------------------------------------------------------------


def test_unit_needs_a_parent(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_agency(actor=world.user("sysadmin"), region=world.regions[HOME], code="103001",
                               name="孤儿单位", kind=AgencyKind.UNIT)
    assert errors_of(e)["parent"] == ["预算单位必须选择上级部门"]


@pytest.mark.parametrize("kind", [AgencyKind.DEPARTMENT, AgencyKind.TOWNSHIP])
def test_department_and_township_cannot_have_a_parent(world, kind):
    with pytest.raises(ValidationFailed) as e:
        services.create_agency(actor=world.user("sysadmin"), region=world.regions[HOME], code="199",
                               name="某局", kind=kind, parent=world.agency("101"))
    assert "不能有上级" in errors_of(e)["parent"][0]


def test_unknown_kind_refused(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_agency(actor=world.user("sysadmin"), region=world.regions[HOME], code="199",
                               name="某局", kind="bureau")
    assert "kind" in errors_of(e)


def test_empty_code_and_name_reported_together(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_agency(actor=world.user("sysadmin"), region=world.regions[HOME], code="  ", name="",
                               kind=AgencyKind.DEPARTMENT)
    assert errors_of(e)["code"] == ["单位代码不能为空"] and errors_of(e)["name"] == ["单位名称不能为空"]


def test_agency_code_unique_per_region_but_reusable_across_regions(world):
    sysadmin = world.user("sysadmin")
    with pytest.raises(ValidationFailed) as e:
        services.create_agency(actor=sysadmin, region=world.regions[HOME], code="102", name="重复",
                               kind=AgencyKind.DEPARTMENT)
    assert errors_of(e)["code"] == ["单位代码 102 已被使用"]
    # 102 exists at home but not in the far county: the far administrator may use it there.
    far = services.create_agency(actor=world.user("far_sysadmin"), region=world.regions[OTHER], code="102",
                                 name="察布查尔锡伯自治县农业农村局", kind=AgencyKind.DEPARTMENT)
    assert far.region == world.regions[OTHER] and far.path == f"/{far.pk}/"


def test_parent_from_another_region_refused(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_agency(actor=world.user("sysadmin"), region=world.regions[HOME], code="101009",
                               name="跨区单位", kind=AgencyKind.UNIT, parent=world.agency("101", OTHER))
    assert errors_of(e)["parent"] == ["上级部门不在本区划"]


def test_text_longer_than_its_column_refused(world):
    """SQLite would store it; PostgreSQL would fail the request. The service answers in Chinese."""
    with pytest.raises(ValidationFailed) as e:
        services.create_agency(actor=world.user("sysadmin"), region=world.regions[HOME], code="9" * 33,
                               name="局" * 129, kind=AgencyKind.DEPARTMENT)
    assert errors_of(e) == {"code": ["单位代码最多 32 个字（现有 33 个）"], "name": ["单位名称最多 128 个字（现有 129 个）"]}
    with pytest.raises(ValidationFailed) as e:
        services.create_section(actor=world.user("sysadmin"), region=world.regions[HOME], code="S03",
                                name="股" * 65, kind=SectionKind.BUSINESS)
    assert "股室名称最多 64 个字" in errors_of(e)["name"][0]
    with pytest.raises(ValidationFailed) as e:
        make_user(world, role=Role.VIEWER, display_name="名" * 65, phone="1" * 33)
    assert set(errors_of(e)) == {"display_name", "phone"}
    preparer = world.user("preparer")
    with pytest.raises(ValidationFailed):
        services.update_user(actor=world.user("sysadmin"), user=preparer, version=preparer.version,
                             display_name="名" * 65)


def test_actor_cannot_create_in_another_region(world):
    before = Agency.objects.count()
    with pytest.raises(PermissionDenied):
        services.create_agency(actor=world.user("far_sysadmin"), region=world.regions[HOME], code="199",
                               name="越权创建", kind=AgencyKind.DEPARTMENT)
    assert Agency.objects.count() == before


@pytest.mark.parametrize("username", ["dept_reviewer", "section_reviewer", "preparer", "secadmin", "auditor"])
def test_roles_without_org_editing_cannot_create_agencies(world, username):
    with pytest.raises(PermissionDenied):
        services.create_agency(actor=world.user(username), region=world.regions[HOME], code="199",
                               name="某局", kind=AgencyKind.DEPARTMENT)
    assert not Agency.objects.filter(code="199").exists()


def test_create_agency_sets_path_and_changelog(world):
    sysadmin = world.user("sysadmin")
    dept = world.agency("101")
    unit = services.create_agency(actor=sysadmin, region=world.regions[HOME], code="101003", name=" 临朐县实验中学 ",
                                  kind=AgencyKind.UNIT, parent=dept, sector=Sector.objects.get(code="education"))
    assert unit.name == "临朐县实验中学"
    assert unit.path == f"{dept.path}{unit.pk}/" and unit.ancestor_ids == [dept.pk, unit.pk]
    (log,) = changelog_for(unit)
    assert log.action == ChangeAction.CREATE and log.actor == sysadmin and log.region == world.regions[HOME]
    assert log.changes["parent_id"] == [None, dept.pk] and log.changes["path"] == [None, unit.path]


@pytest.fixture
def tree(world):
    """A three-level branch under 教体局: 101 → 101001 (第一中学) → 101001001 (校办工厂)."""
    sysadmin = world.user("sysadmin")
    school = world.agency("101001")
    workshop = services.create_agency(actor=sysadmin, region=world.regions[HOME], code="101001001",
                                      name="第一中学校办工厂", kind=AgencyKind.UNIT, parent=school)
    return school, workshop


def test_moving_a_unit_rewrites_the_whole_subtree(world, tree):
    school, workshop = tree
    edu, agri = world.agency("101"), world.agency("102")
    sibling = world.agency("101002")
    assert workshop.path == f"/{edu.pk}/{school.pk}/{workshop.pk}/"
    moved = services.update_agency(actor=world.user("sysadmin"), agency=school, version=school.version, parent=agri)
    assert moved.path == f"/{agri.pk}/{school.pk}/" and moved.version == school.version + 1
    workshop.refresh_from_db()
    assert workshop.path == f"/{agri.pk}/{school.pk}/{workshop.pk}/"
    sibling.refresh_from_db()
    assert sibling.path == f"/{edu.pk}/{sibling.pk}/"  # a sibling under the old parent is untouched
    # The subtree now belongs to 农业农村局's reviewer, no longer to 教体局's.
    assert set(Agency.objects.for_user(world.user("dept_reviewer_agri")).values_list("code", flat=True)) == {
        "102", "102001", "101001", "101001001"}
    assert set(Agency.objects.for_user(world.user("dept_reviewer")).values_list("code", flat=True)) == {
        "101", "101002"}


def test_move_changelog_has_the_diff(world, tree):
    school, _ = tree
    agri = world.agency("102")
    old_path = school.path
    services.update_agency(actor=world.user("perf_section"), agency=school, version=school.version, parent=agri,
                           name="临朐县第一中学（划转）")
    log = changelog_for(school).last()
    assert log.action == ChangeAction.UPDATE and log.actor == world.user("perf_section")
    assert log.changes == {
        "parent_id": [world.agency("101").pk, agri.pk],
        "path": [old_path, f"/{agri.pk}/{school.pk}/"],
        "name": ["临朐县第一中学", "临朐县第一中学（划转）"],
    }


def test_update_without_changes_writes_no_log(world):
    school = world.agency("101001")
    n = ChangeLog.objects.count()
    services.update_agency(actor=world.user("sysadmin"), agency=school, version=school.version, name=school.name)
    assert ChangeLog.objects.count() == n


@pytest.mark.parametrize("target", ["self", "child"])
def test_agency_cannot_become_its_own_ancestor(world, tree, target):
    school, workshop = tree
    parent = school if target == "self" else workshop
    with pytest.raises(ValidationFailed) as e:
        services.update_agency(actor=world.user("sysadmin"), agency=school, version=school.version, parent=parent)
    assert "上级部门不能是本单位或其下属单位" in errors_of(e)["parent"]
    school.refresh_from_db()
    assert school.parent == world.agency("101")


def test_update_agency_stale_version_refused(world):
    school = world.agency("101001")
    services.update_agency(actor=world.user("sysadmin"), agency=school, version=school.version, name="新名")
    with pytest.raises(StaleVersion):
        services.update_agency(actor=world.user("sysadmin"), agency=school, version=school.version, name="再改")
    school.refresh_from_db()
    assert school.name == "新名"


def test_update_agency_out_of_scope_refused(world):
    with pytest.raises(PermissionDenied):
        services.update_agency(actor=world.user("far_sysadmin"), agency=world.agency("101001"),
                               version=world.agency("101001").version, name="越权")
    with pytest.raises(PermissionDenied):
        services.update_agency(actor=world.user("dept_reviewer"), agency=world.agency("101001"),
                               version=world.agency("101001").version, name="越权")
    assert Agency.objects.get(pk=world.agency("101001").pk).name == "临朐县第一中学"


def test_department_with_a_department_reviewer_cannot_become_a_unit(world):
    """The department reviewer must sit on a top-level agency; demoting that agency would break it."""
    edu = world.agency("101")
    with pytest.raises(ValidationFailed) as e:
        services.update_agency(actor=world.user("sysadmin"), agency=edu, version=edu.version, kind=AgencyKind.UNIT,
                               parent=world.agency("102"))
    assert "主管部门审核人" in "".join(errors_of(e)["kind"])
    edu.refresh_from_db()
    assert edu.parent is None


# --- finance sections ---------------------------------------------------------------------------


def test_section_refuses_agencies_of_another_region(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_section(actor=world.user("sysadmin"), region=world.regions[HOME], code="S03", name="社保股",
                                kind=SectionKind.BUSINESS, agencies=[world.agency("102"), world.agency("101", OTHER)])
    assert errors_of(e)["agencies"] == ["以下单位不在本区划：察布查尔锡伯自治县教育局"]
    assert not FinanceSection.objects.filter(code="S03").exists()


def test_performance_section_cannot_look_after_agencies(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_section(actor=world.user("sysadmin"), region=world.regions[HOME], code="S10", name="绩效二股",
                                kind=SectionKind.PERFORMANCE, agencies=[world.agency("102")])
    assert "绩效股不分管具体单位" in errors_of(e)["agencies"][0]
    assert not FinanceSection.objects.filter(code="S10").exists()


def test_business_section_cannot_be_turned_into_performance_while_it_has_agencies(world):
    s02 = world.section("S02")
    with pytest.raises(ValidationFailed):
        services.update_section(actor=world.user("sysadmin"), section=s02, version=s02.version,
                                kind=SectionKind.PERFORMANCE)
    s02.refresh_from_db()
    assert s02.kind == SectionKind.BUSINESS


def test_section_create_and_update_are_audited(world):
    sysadmin = world.user("sysadmin")
    s = services.create_section(actor=sysadmin, region=world.regions[HOME], code="S03", name="社保股",
                                kind=SectionKind.BUSINESS, agencies=[world.agency("901")])
    assert changelog_for(s).get().changes["agencies"] == [None, [world.agency("901").pk]]
    services.update_section(actor=sysadmin, section=s, version=s.version, name="社会保障股",
                            agencies=[world.agency("102"), world.agency("901")])
    log = changelog_for(s).last()
    assert log.action == ChangeAction.UPDATE
    assert log.changes["name"] == ["社保股", "社会保障股"]
    assert log.changes["agencies"] == [[world.agency("901").pk], sorted([world.agency("102").pk, world.agency("901").pk])]


def test_section_kind_must_be_known(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_section(actor=world.user("sysadmin"), region=world.regions[HOME], code="S03", name="某股",
                                kind="office")
    assert "kind" in errors_of(e)
    assert not FinanceSection.objects.filter(code="S03").exists()


def test_section_code_duplicate_in_region(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_section(actor=world.user("sysadmin"), region=world.regions[HOME], code="S01", name="另一个",
                                kind=SectionKind.BUSINESS)
    assert errors_of(e)["code"] == ["股室代码 S01 已被使用"]


# --- users: binding rules -----------------------------------------------------------------------


def make_user(world, actor="sysadmin", **kw):
    params = dict(region=world.regions[HOME], username="newbie", display_name="新人", password=NEW_PASSWORD)
    params.update(kw)
    return services.create_user(actor=world.user(actor) if isinstance(actor, str) else actor, **params)


@pytest.mark.parametrize("role", [Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER])
def test_agency_roles_need_an_agency(world, role):
    with pytest.raises(ValidationFailed) as e:
        make_user(world, role=role)
    assert errors_of(e)["agency"] == ["该角色必须指定所属单位"]


def test_department_reviewer_must_be_top_level(world):
    with pytest.raises(ValidationFailed) as e:
        make_user(world, role=Role.DEPARTMENT_REVIEWER, agency=world.agency("101001"))
    assert errors_of(e)["agency"] == ["主管部门审核人必须属于一级预算部门或乡镇"]
    assert make_user(world, role=Role.DEPARTMENT_REVIEWER, agency=world.agency("901")).agency.kind == AgencyKind.TOWNSHIP


def test_section_reviewer_needs_a_business_section(world):
    with pytest.raises(ValidationFailed) as e:
        make_user(world, role=Role.SECTION_REVIEWER)
    assert errors_of(e)["finance_section"] == ["业务股室审核人必须指定所在业务股室"]
    with pytest.raises(ValidationFailed):
        make_user(world, role=Role.SECTION_REVIEWER, finance_section=world.section("S09"))
    assert make_user(world, role=Role.SECTION_REVIEWER, finance_section=world.section("S02")).finance_section.code == "S02"


def test_non_agency_roles_cannot_have_an_agency(world):
    with pytest.raises(ValidationFailed) as e:
        make_user(world, role=Role.VIEWER, agency=world.agency("101"))
    assert errors_of(e)["agency"] == ["财政、专家、机构及管理员账号不属于预算单位"]


def test_binding_to_another_regions_agency_refused(world):
    with pytest.raises(ValidationFailed) as e:
        make_user(world, role=Role.AGENCY_PREPARER, agency=world.agency("101001", OTHER))
    assert "不在本区划" in errors_of(e)["agency"]


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_admin_roles_refused_in_app(world, role):
    with pytest.raises(ValidationFailed) as e:
        make_user(world, role=role)
    assert errors_of(e)["role"] == ["管理员角色只能在安装时由命令行创建"]
    # … but the command line (actor None, allow_admin_role) may.
    user = make_user(world, actor=SYSTEM, role=role, allow_admin_role=True)
    assert user.role == role and user.is_admin_role


def test_all_user_errors_reported_at_once(world):
    with pytest.raises(ValidationFailed) as e:
        make_user(world, username="PREPARER", role=Role.AGENCY_HEAD, password="short")
    errors = errors_of(e)
    assert errors["username"] == ["账号 PREPARER 已被使用，请换一个"]  # usernames are unique regardless of case
    assert errors["agency"] and errors["password"]


def test_create_user_audited_without_password(world):
    user = make_user(world, role=Role.AGENCY_PREPARER, agency=world.agency("102001"), phone="0536-1234567")
    assert user.check_password(NEW_PASSWORD) and user.password_changed_at is not None
    (log,) = changelog_for(user)
    # 三员: the system administrator asks for the role, the security administrator grants it
    assert log.actor == world.user("sysadmin") and log.changes["pending_role"] == [None, Role.AGENCY_PREPARER]
    assert log.changes["role"] == [None, ""] and log.changes["must_change_password"] == [None, True]
    assert "password" not in log.changes


# --- 三员 separation ------------------------------------------------------------------------------


def test_sysadmin_creates_and_edits_users(world):
    sysadmin = world.user("sysadmin")
    user = make_user(world, role=Role.AGENCY_PREPARER, agency=world.agency("101001"))
    user = services.update_user(actor=sysadmin, user=user, version=user.version, display_name="新人甲",
                                agency=world.agency("101002"))
    assert (user.display_name, user.agency.code) == ("新人甲", "101002")
    assert changelog_for(user).last().changes["display_name"] == ["新人", "新人甲"]


def test_sysadmin_cannot_change_roles(world):
    target = world.user("preparer")
    with pytest.raises(PermissionDenied):
        services.change_role(actor=world.user("sysadmin"), user=target, version=target.version,
                             role=Role.AGENCY_HEAD, agency=world.agency("101001"))
    target.refresh_from_db()
    assert target.role == Role.AGENCY_PREPARER


def test_update_user_cannot_touch_the_role(world):
    target = world.user("preparer")
    with pytest.raises(ValueError):
        services.update_user(actor=world.user("sysadmin"), user=target, version=target.version, role=Role.VIEWER)


def test_sysadmin_cannot_edit_other_administrators(world):
    secadmin = world.user("secadmin")
    with pytest.raises(PermissionDenied):
        services.update_user(actor=world.user("sysadmin"), user=secadmin, version=secadmin.version,
                             is_active=False)
    with pytest.raises(PermissionDenied):
        services.reset_password(actor=world.user("sysadmin"), user=secadmin, password=NEW_PASSWORD)
    secadmin.refresh_from_db()
    assert secadmin.is_active and secadmin.check_password(DEMO_PASSWORD)


def test_secadmin_changes_role_with_security_event(world):
    secadmin = world.user("secadmin")
    target = world.user("preparer")
    user = services.change_role(actor=secadmin, user=target, version=target.version, role=Role.DEPARTMENT_REVIEWER,
                                agency=world.agency("101"), ip="10.0.0.8")
    assert user.role == Role.DEPARTMENT_REVIEWER and user.agency.code == "101"
    event = SecurityEvent.objects.filter(code=SecurityEventCode.ROLE_CHANGE).get()
    assert event.actor == secadmin and event.ip == "10.0.0.8" and event.region == world.regions[HOME]
    assert event.detail == {"user": "preparer", "from": Role.AGENCY_PREPARER, "to": Role.DEPARTMENT_REVIEWER}
    log = changelog_for(user).last()
    assert log.changes["role"] == [Role.AGENCY_PREPARER, Role.DEPARTMENT_REVIEWER]
    assert log.changes["agency_id"] == [world.agency("101001").pk, world.agency("101").pk]


def test_role_change_binding_rules_apply(world):
    target = world.user("preparer")
    with pytest.raises(ValidationFailed) as e:
        services.change_role(actor=world.user("secadmin"), user=target, version=target.version,
                             role=Role.DEPARTMENT_REVIEWER, agency=world.agency("101001"))
    assert "agency" in errors_of(e)
    assert not SecurityEvent.objects.filter(code=SecurityEventCode.ROLE_CHANGE).exists()


def test_secadmin_cannot_create_users_or_reset_passwords(world):
    secadmin = world.user("secadmin")
    with pytest.raises(PermissionDenied):
        make_user(world, actor="secadmin", role=Role.VIEWER)
    assert not User.objects.filter(username="newbie").exists()
    target = world.user("preparer")
    with pytest.raises(PermissionDenied):
        services.reset_password(actor=secadmin, user=target, password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.update_user(actor=secadmin, user=target, version=target.version, display_name="改名")
    target.refresh_from_db()
    assert target.check_password(DEMO_PASSWORD) and target.display_name == "王芳"


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_nobody_grants_an_admin_role_in_app(world, role):
    target = world.user("leader")
    with pytest.raises(ValidationFailed) as e:
        services.change_role(actor=world.user("secadmin"), user=target, version=target.version, role=role)
    assert errors_of(e)["role"] == ["管理员角色不能在系统内授予或变更"]
    target.refresh_from_db()
    assert target.role == Role.VIEWER


def test_secadmin_cannot_demote_an_administrator(world):
    sysadmin = world.user("sysadmin")
    with pytest.raises(ValidationFailed):
        services.change_role(actor=world.user("secadmin"), user=sysadmin, version=sysadmin.version, role=Role.VIEWER)
    sysadmin.refresh_from_db()
    assert sysadmin.role == Role.SYSTEM_ADMIN


def test_auditor_can_do_none_of_it(world):
    auditor = world.user("auditor")
    target = world.user("preparer")
    with pytest.raises(PermissionDenied):
        make_user(world, actor="auditor", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.update_user(actor=auditor, user=target, version=target.version, display_name="改名")
    with pytest.raises(PermissionDenied):
        services.change_role(actor=auditor, user=target, version=target.version, role=Role.AGENCY_HEAD,
                             agency=world.agency("101001"))
    with pytest.raises(PermissionDenied):
        services.reset_password(actor=auditor, user=target, password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.unlock_user(actor=auditor, user=target)
    target.refresh_from_db()
    assert (target.role, target.display_name) == (Role.AGENCY_PREPARER, "王芳")
    assert not User.objects.filter(username="newbie").exists()


def test_far_administrators_cannot_touch_home_users(world):
    target = world.user("preparer")
    with pytest.raises(PermissionDenied):
        services.update_user(actor=world.user("far_sysadmin"), user=target, version=target.version, display_name="x")
    with pytest.raises(PermissionDenied):
        services.change_role(actor=world.user("far_secadmin"), user=target, version=target.version,
                             role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        make_user(world, actor="far_sysadmin", role=Role.VIEWER)  # into the home region


def test_only_secadmin_unlocks(world):
    target = world.user("preparer")
    for _ in range(5):
        services.record_login_failure(username="preparer", ip="1.2.3.4")
    target.refresh_from_db()
    assert target.locked_until is not None
    with pytest.raises(PermissionDenied):
        services.unlock_user(actor=world.user("sysadmin"), user=target)
    services.unlock_user(actor=world.user("secadmin"), user=target, ip="1.1.1.1")
    target.refresh_from_db()
    assert target.locked_until is None and target.failed_logins == 0
    assert SecurityEvent.objects.filter(code=SecurityEventCode.UNLOCKED, detail__user="preparer").count() == 1


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["Ab1!", "abcdefghijk", "abcdefgh12", "Password123"])
def test_reset_password_applies_the_policy(world, weak):
    target = world.user("preparer")
    with pytest.raises(ValidationFailed) as e:
        services.reset_password(actor=world.user("sysadmin"), user=target, password=weak)
    assert e.value.errors["password"]
    target.refresh_from_db()
    assert target.check_password(DEMO_PASSWORD)
    assert not SecurityEvent.objects.filter(code=SecurityEventCode.PASSWORD_RESET).exists()


def test_reset_password_by_sysadmin(world):
    target = world.user("preparer")
    services.reset_password(actor=world.user("sysadmin"), user=target, password=NEW_PASSWORD, ip="10.1.1.1")
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    event = SecurityEvent.objects.get(code=SecurityEventCode.PASSWORD_RESET)
    assert event.detail == {"user": "preparer", "suspended_role": Role.AGENCY_PREPARER}
    assert event.actor == world.user("sysadmin")
    assert (target.role, target.pending_role, target.must_change_password) == ("", Role.AGENCY_PREPARER, True)


def test_change_own_password(world):
    me = world.user("preparer")
    with pytest.raises(ValidationFailed) as e:
        services.change_own_password(actor=me, old_password="wrong", new_password=NEW_PASSWORD)
    assert e.value.errors == {"old_password": ["原密码不正确"]}
    with pytest.raises(ValidationFailed) as e:
        services.change_own_password(actor=me, old_password=DEMO_PASSWORD, new_password="alllowercase")
    assert any("至少三类" in m for m in e.value.errors["new_password"])
    services.change_own_password(actor=me, old_password=DEMO_PASSWORD, new_password=NEW_PASSWORD)
    assert User.objects.get(pk=me.pk).check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(code=SecurityEventCode.PASSWORD_CHANGE, actor=me).count() == 1


# --- API tokens ---------------------------------------------------------------------------------


def test_api_token_is_stored_hashed_and_authenticates(world):
    me = world.user("section_reviewer")
    token, key = services.create_api_token(actor=me, name="预算系统对接")
    assert key.startswith("jx_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == services.token_hash(key) and key not in stored.key_hash
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert stored.prefix == key[:8]
    assert services.authenticate_token(key) == me
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert services.authenticate_token(key + "x") is None and services.authenticate_token("") is None
    assert SecurityEvent.objects.filter(code=SecurityEventCode.TOKEN_CREATED, actor=me).count() == 1


def test_token_of_inactive_user_does_not_authenticate(world):
    me = world.user("preparer")
    _, key = services.create_api_token(actor=me, name="脚本")
    services.update_user(actor=world.user("sysadmin"), user=me, version=me.version, is_active=False)
    assert services.authenticate_token(key) is None


def test_token_needs_a_name(world):
    with pytest.raises(ValidationFailed):
        services.create_api_token(actor=world.user("preparer"), name="  ")
    assert not ApiToken.objects.exists()


def test_token_name_length_is_checked(world):
    with pytest.raises(ValidationFailed) as e:
        services.create_api_token(actor=world.user("preparer"), name="长" * 65)
    assert "最多 64 个字" in errors_of(e)["name"][0]
    assert not ApiToken.objects.exists()


def test_a_token_is_revoked_by_its_owner_only(world):
    me, other = world.user("preparer"), world.user("unit_head")
    token, key = services.create_api_token(actor=me, name="脚本")
    from django.http import Http404

    with pytest.raises(Http404):
        services.revoke_api_token(actor=other, token_id=token.pk)
    assert services.authenticate_token(key) == me
    services.revoke_api_token(actor=me, token_id=token.pk)
    assert services.authenticate_token(key) is None
    assert SecurityEvent.objects.filter(code=SecurityEventCode.TOKEN_REVOKED, actor=me).count() == 1
    with pytest.raises(Http404):  # already revoked
        services.revoke_api_token(actor=me, token_id=token.pk)


def test_a_token_stops_with_a_password_change_a_reset_and_a_lock(world):
    from datetime import timedelta

    from django.utils import timezone

    me = world.user("preparer")
    _, key = services.create_api_token(actor=me, name="脚本")
    services.change_own_password(actor=me, old_password=DEMO_PASSWORD, new_password=NEW_PASSWORD)
    assert services.authenticate_token(key) is None
    _, key = services.create_api_token(actor=me, name="脚本二")
    assert services.authenticate_token(key) == me
    services.reset_password(actor=world.user("sysadmin"), user=me, password="Another#Pass2026")
    assert services.authenticate_token(key) is None
    me.refresh_from_db()
    _, key = services.create_api_token(actor=me, name="脚本三")
    assert services.authenticate_token(key) is None  # until its holder changes the reset password
    services.change_own_password(actor=me, old_password="Another#Pass2026", new_password="Third#Pass2026")
    me.refresh_from_db()
    _, key = services.create_api_token(actor=me, name="脚本四")
    User.objects.filter(pk=me.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    assert services.authenticate_token(key) is None
    User.objects.filter(pk=me.pk).update(locked_until=None)
    assert services.authenticate_token(key) == me


def test_a_token_expires(world, settings):
    from datetime import timedelta

    me = world.user("preparer")
    token, key = services.create_api_token(actor=me, name="脚本")
    ApiToken.objects.filter(pk=token.pk).update(created_at=token.created_at - timedelta(days=settings.JIXIAO_TOKEN_DAYS,
                                                                                        minutes=1))
    assert services.authenticate_token(key) is None


def test_audit_chains_stay_intact(world, tree):
    school, _ = tree
    services.update_agency(actor=world.user("sysadmin"), agency=school, version=school.version,
                           parent=world.agency("102"))
    services.create_api_token(actor=world.user("preparer"), name="脚本")
    for chain, (count, problems) in verify_all().items():
        assert count > 0 and problems == [], chain


# --- the explicit actor (issue #8) ------------------------------------------------------------------

def test_a_missing_actor_fails_loudly_and_writes_nothing(world):
    """actor=None is refused (TypeError) by every F1 and configuration write instead of skipping the scope
    check; the command line passes SYSTEM."""
    from jixiao.core.services import seed_region_config

    region = world.regions[HOME]
    before = (Agency.objects.count(), User.objects.count(), RegionConfig.objects.count())
    calls = [
        lambda: services.create_agency(actor=None, region=region, code="9001", name="无主单位", kind="department"),
        lambda: services.create_section(actor=None, region=region, code="S77", name="无主股", kind="business"),
        lambda: services.create_user(actor=None, region=region, username="nobody", display_name="无", role="viewer",
                                     password="Qx7#mLp2vR9t"),
        lambda: services.create_region(actor=None, code="370799", name="某县", level=RegionLevel.COUNTY, year=2026),
        lambda: seed_region_config(actor=None, region=region, year=2031),
    ]
    for call in calls:
        with pytest.raises(TypeError, match="actor is None"):
            call()
    assert (Agency.objects.count(), User.objects.count(), RegionConfig.objects.count()) == before


def test_the_command_line_acts_as_system(world):
    agency = services.create_agency(actor=SYSTEM, region=world.regions[HOME], code="9002", name="系统建的单位",
                                    kind="department")
    row = ChangeLog.objects.filter(object_type="org.agency", object_id=str(agency.pk)).get()
    assert row.actor_id is None and row.actor_name == "系统"
