"""F1 pages: agencies, sections, users, API tokens. The persona in scope succeeds, a role without the
permission gets 403, an object out of scope gets 404; service refusals appear on the form in
Chinese; choice lists are scoped; list pages use a bounded number of queries."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.core.choices import SecurityEventCode
from jixiao.core.models import ChangeLog, SecurityEvent
from jixiao.core.roles import ADMIN_ROLES, Role
from jixiao.org import services
from jixiao.org.choices import AgencyKind, SectionKind
from jixiao.org.models import Agency, ApiToken, FinanceSection, Sector, User
from jixiao.org.personas import DEMO_PASSWORD, HOME, OTHER

STRONG = "Kx7#mPq2vL"


def table(response, testid: str) -> str:
    """The HTML of one data table, so assertions do not match navigation or filter options."""
    body = response.content.decode()
    match = re.search(rf'data-testid="{testid}".*?</table>', body, re.S)
    assert match, f"no table {testid}"
    return match.group(0)


def codes_in(response) -> set[str]:
    return set(re.findall(r"<tr>\s*<td>([^<]+)</td>", table(response, "agency-table")))


# --- agencies -----------------------------------------------------------------------------------


def test_agency_list_filters(world, login):
    client = login("perf_section")
    all_codes = {"101", "101001", "101002", "102", "102001", "901"}
    assert codes_in(client.get("/org/agencies/")) == all_codes
    assert codes_in(client.get("/org/agencies/", {"q": "第一中学"})) == {"101001"}
    assert codes_in(client.get("/org/agencies/", {"q": "1020"})) == {"102001"}
    assert codes_in(client.get("/org/agencies/", {"kind": "township"})) == {"901"}
    assert codes_in(client.get("/org/agencies/", {"sector": "agriculture_water"})) == {"102", "102001"}
    assert codes_in(client.get("/org/agencies/", {"parent": "101"})) == {"101001", "101002"}
    school = world.agency("101001")
    services.update_agency(actor=world.user("sysadmin"), agency=school, version=school.version, active=False)
    assert codes_in(client.get("/org/agencies/", {"active": "false"})) == {"101001"}
    assert codes_in(client.get("/org/agencies/", {"active": "true", "parent": "101"})) == {"101002"}
    # an invalid choice is ignored rather than failing the page
    assert codes_in(client.get("/org/agencies/", {"kind": "bogus"})) == all_codes


def test_agency_list_is_scoped(world, login):
    assert codes_in(login("dept_reviewer").get("/org/agencies/")) == {"101", "101001", "101002"}
    assert codes_in(login("preparer").get("/org/agencies/")) == {"101001"}
    assert codes_in(login("far_sysadmin").get("/org/agencies/")) == {"101", "101001"}
    assert "察布查尔" in table(login("far_sysadmin").get("/org/agencies/"), "agency-table")


@pytest.mark.parametrize("username", ["expert", "firm"])
def test_assigned_roles_have_no_agency_pages(world, login, username):
    client = login(username)
    assert client.get("/org/agencies/").status_code == 403
    assert client.get(f"/org/agencies/{world.agency('101001').pk}/").status_code == 403


def test_agency_detail(world, login):
    edu = world.agency("101")
    response = login("perf_section").get(f"/org/agencies/{edu.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "临朐县第一中学" in body and "临朐县城关街道中心小学" in body  # children
    assert "教科文股" in body  # the section that looks after it
    assert f'/org/agencies/{edu.pk}/edit/' in body  # an editor sees the edit button
    body = login("dept_reviewer").get(f"/org/agencies/{edu.pk}/").content.decode()
    assert "临朐县第一中学" in body and "/edit/" not in body


def test_agency_detail_out_of_scope_is_404(world, login):
    school = world.agency("101001")
    assert login("dept_reviewer").get(f"/org/agencies/{school.pk}/").status_code == 200
    for username in ("dept_reviewer_agri", "preparer_agri", "far_sysadmin", "far_leader"):
        response = login(username).get(f"/org/agencies/{school.pk}/")
        assert response.status_code == 404, username
        assert "第一中学" not in response.content.decode()
    assert login("sysadmin").get("/org/agencies/999999/").status_code == 404


def test_agency_create(world, login):
    client = login("sysadmin")
    assert client.get("/org/agencies/new/").status_code == 200
    edu = world.agency("101")
    education = Sector.objects.get(code="education")
    response = client.post("/org/agencies/new/", {
        "code": "101003", "name": "临朐县实验中学", "kind": AgencyKind.UNIT, "parent": edu.pk,
        "sector": education.pk, "active": "on",
    })
    agency = Agency.objects.get(region=world.regions[HOME], code="101003")
    assert response.status_code == 302 and response["Location"] == f"/org/agencies/{agency.pk}/"
    assert agency.parent == edu and agency.sector == education and agency.active
    assert agency.path == f"{edu.path}{agency.pk}/"
    assert ChangeLog.objects.filter(object_type="org.agency", object_id=str(agency.pk), actor=world.user("sysadmin")).exists()


def test_agency_create_shows_service_errors_in_chinese(world, login):
    client = login("perf_section")
    before = Agency.objects.count()
    response = client.post("/org/agencies/new/", {"code": "201001", "name": "临朐县人民医院", "kind": AgencyKind.UNIT})
    assert response.status_code == 200
    assert "预算单位必须选择上级部门" in response.content.decode()
    response = client.post("/org/agencies/new/", {"code": "102", "name": "重复局", "kind": AgencyKind.DEPARTMENT})
    assert "单位代码 102 已被使用" in response.content.decode()
    response = client.post("/org/agencies/new/", {"code": "", "name": "", "kind": AgencyKind.DEPARTMENT})
    assert "这个字段是必填项" in response.content.decode()  # Django's own messages are Chinese too
    assert Agency.objects.count() == before


def test_agency_form_choices_are_scoped(world, login):
    response = login("sysadmin").get("/org/agencies/new/")
    parents = response.context["form"].fields["parent"].queryset
    assert {a.region_id for a in parents} == {world.regions[HOME].pk}
    assert set(parents.values_list("code", flat=True)) == {"101", "102", "901"}  # top level only
    body = response.content.decode()
    assert "临朐县教育和体育局" in body and "察布查尔" not in body
    # posting another region's department is refused by the form, nothing is created
    response = login("sysadmin").post("/org/agencies/new/", {
        "code": "101009", "name": "跨区", "kind": AgencyKind.UNIT, "parent": world.agency("101", OTHER).pk,
    })
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Agency.objects.filter(code="101009").exists()


def test_agency_create_needs_an_editor(world, login):
    for username in ("dept_reviewer", "preparer", "leader", "secadmin", "auditor", "section_reviewer"):
        client = login(username)
        assert client.get("/org/agencies/new/").status_code == 403, username
        assert client.post("/org/agencies/new/", {"code": "299", "name": "x", "kind": "department"}).status_code == 403
    assert not Agency.objects.filter(code="299").exists()


def test_agency_edit(world, login):
    school = world.agency("101001")
    client = login("perf_section")
    response = client.get(f"/org/agencies/{school.pk}/edit/")
    assert response.status_code == 200
    assert response.context["form"].initial["version"] == school.version
    # The parent list of an edit form leaves out the agency itself.
    edu = world.agency("101")
    parents = login("sysadmin").get(f"/org/agencies/{edu.pk}/edit/").context["form"].fields["parent"].queryset
    assert edu not in parents
    response = client.post(f"/org/agencies/{school.pk}/edit/", {
        "version": school.version, "code": "101001", "name": "临朐县第一中学（新校区）", "kind": AgencyKind.UNIT,
        "parent": world.agency("102").pk, "sector": "", "active": "on",
    })
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.name == "临朐县第一中学（新校区）" and school.parent == world.agency("102") and school.sector is None


def test_third_level_unit_can_be_edited(world, login):
    """A unit under a unit (built by the service) keeps its parent on offer in the edit form, so it
    can be saved unchanged; other units are still not offered as parents."""
    school = world.agency("101001")
    workshop = services.create_agency(actor=world.user("sysadmin"), region=world.regions[HOME], code="101001001",
                                      name="第一中学校办工厂", kind=AgencyKind.UNIT, parent=school)
    client = login("sysadmin")
    parents = client.get(f"/org/agencies/{workshop.pk}/edit/").context["form"].fields["parent"].queryset
    assert set(parents.values_list("code", flat=True)) == {"101", "102", "901", "101001"}
    response = client.post(f"/org/agencies/{workshop.pk}/edit/", {
        "version": workshop.version, "code": "101001001", "name": "第一中学校办印刷厂", "kind": AgencyKind.UNIT,
        "parent": school.pk, "active": "on"})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.name == "第一中学校办印刷厂" and workshop.parent == school


def test_agency_edit_stale_and_invalid(world, login):
    school = world.agency("101001")
    client = login("sysadmin")
    stale = {"version": school.version, "code": "101001", "name": "改名一", "kind": AgencyKind.UNIT,
             "parent": world.agency("101").pk, "active": "on"}
    assert client.post(f"/org/agencies/{school.pk}/edit/", stale).status_code == 302
    response = client.post(f"/org/agencies/{school.pk}/edit/", {**stale, "name": "改名二"})
    assert response.status_code == 200 and "该记录已被他人修改" in response.content.decode()
    school.refresh_from_db()
    assert school.name == "改名一"
    response = client.post(f"/org/agencies/{school.pk}/edit/", {**stale, "version": school.version, "kind": "department"})
    assert "预算部门和乡镇为一级单位，不能有上级" in response.content.decode()


def test_agency_edit_permissions(world, login):
    school = world.agency("101001")
    url = f"/org/agencies/{school.pk}/edit/"
    for username in ("dept_reviewer", "preparer", "leader", "secadmin"):
        assert login(username).get(url).status_code == 403, username
    assert login("far_sysadmin").get(url).status_code == 404
    response = login("far_perf_section").post(url, {"version": school.version, "code": "x", "name": "越权",
                                                   "kind": AgencyKind.UNIT})
    assert response.status_code == 404
    school.refresh_from_db()
    assert school.name == "临朐县第一中学"


def _many_agencies(world, n_departments=30):
    sysadmin, region = world.user("sysadmin"), world.regions[HOME]
    sector = Sector.objects.get(code="health")
    for i in range(n_departments):
        dept = services.create_agency(actor=sysadmin, region=region, code=f"5{i:02d}", name=f"部门{i}",
                                      kind=AgencyKind.DEPARTMENT, sector=sector)
        services.create_agency(actor=sysadmin, region=region, code=f"5{i:02d}001", name=f"单位{i}",
                               kind=AgencyKind.UNIT, parent=dept, sector=sector)


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


def test_agency_list_query_count_is_bounded(world, login, django_assert_max_num_queries):
    client = login("perf_section")
    small = _queries(client, "/org/agencies/")
    _many_agencies(world)
    assert Agency.objects.for_user(world.user("perf_section")).count() >= 60
    with django_assert_max_num_queries(12):
        response = client.get("/org/agencies/")
    assert len(codes_in(response)) == 50  # one full page, each row with its parent and sector
    assert "部门0" in table(response, "agency-table") and "卫生健康" in table(response, "agency-table")
    assert _queries(client, "/org/agencies/") == small
    assert _queries(client, "/org/agencies/", {"page": 2}) == small


def test_agency_export_query_count_is_bounded(world, login, django_assert_max_num_queries):
    client = login("sysadmin")
    small = _queries(client, "/org/agencies/", {"format": "xlsx"})
    _many_agencies(world)
    with django_assert_max_num_queries(16):
        response = client.get("/org/agencies/", {"format": "xlsx"})
    assert response.status_code == 200
    assert _queries(client, "/org/agencies/", {"format": "xlsx"}) == small


# --- finance sections ---------------------------------------------------------------------------


def test_section_list(world, login):
    response = login("perf_section").get("/org/sections/")
    assert response.status_code == 200
    html = table(response, "section-table")
    assert "教科文股" in html and "农业股" in html and "临朐县城关街道办事处" in html
    assert "（复审覆盖全区划）" in html and "绩效管理室" not in html
    html = table(login("far_perf_section").get("/org/sections/"), "section-table")
    assert "绩效管理室" in html and "农业股" not in html
    assert "农业股" not in table(login("sysadmin").get("/org/sections/", {"kind": "performance"}), "section-table")


@pytest.mark.parametrize("username", ["preparer", "unit_head", "dept_reviewer", "auditor", "expert"])
def test_section_pages_refused_to_roles_without_them(world, login, username):
    client = login(username)
    assert client.get("/org/sections/").status_code == 403
    assert client.get(f"/org/sections/{world.section('S01').pk}/").status_code == 403


def test_section_detail(world, login):
    s01 = world.section("S01")
    response = login("section_reviewer_agri").get(f"/org/sections/{s01.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "临朐县教育和体育局" in body and "刘洋" in body  # looked-after agency and member
    for username in ("far_section_reviewer", "far_sysadmin", "far_leader"):
        assert login(username).get(f"/org/sections/{s01.pk}/").status_code == 404, username


def test_section_create(world, login):
    client = login("sysadmin")
    response = client.get("/org/sections/new/")
    agencies = response.context["form"].fields["agencies"].queryset
    assert agencies.count() == 6 and {a.region_id for a in agencies} == {world.regions[HOME].pk}
    response = client.post("/org/sections/new/", {"code": "S03", "name": "社保股", "kind": SectionKind.BUSINESS,
                                                  "agencies": [world.agency("901").pk, world.agency("102").pk]})
    section = FinanceSection.objects.get(region=world.regions[HOME], code="S03")
    assert response.status_code == 302 and response["Location"] == f"/org/sections/{section.pk}/"
    assert set(section.agencies.values_list("code", flat=True)) == {"901", "102"}


def test_section_create_errors(world, login):
    client = login("perf_section")
    response = client.post("/org/sections/new/", {"code": "S10", "name": "绩效二股", "kind": SectionKind.PERFORMANCE,
                                                  "agencies": [world.agency("102").pk]})
    assert response.status_code == 200 and "绩效股不分管具体单位" in response.content.decode()
    response = client.post("/org/sections/new/", {"code": "S11", "name": "跨区股", "kind": SectionKind.BUSINESS,
                                                  "agencies": [world.agency("101", OTHER).pk]})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    response = client.post("/org/sections/new/", {"code": "S01", "name": "重复", "kind": SectionKind.BUSINESS})
    assert "股室代码 S01 已被使用" in response.content.decode()
    assert not FinanceSection.objects.filter(code__in=["S10", "S11"]).exists()


def test_section_edit(world, login):
    s02 = world.section("S02")
    url = f"/org/sections/{s02.pk}/edit/"
    response = login("perf_section").get(url)
    assert response.status_code == 200
    assert set(response.context["form"].initial["agencies"]) == {world.agency("102").pk, world.agency("901").pk}
    response = login("perf_section").post(url, {"version": s02.version, "code": "S02", "name": "农业农村股",
                                                "kind": SectionKind.BUSINESS, "agencies": [world.agency("102").pk]})
    assert response.status_code == 302
    s02.refresh_from_db()
    assert s02.name == "农业农村股" and list(s02.agencies.values_list("code", flat=True)) == ["102"]
    for username in ("section_reviewer", "leader", "secadmin"):
        assert login(username).get(url).status_code == 403, username
    assert login("far_sysadmin").get(url).status_code == 404


def test_section_with_a_deactivated_agency_can_still_be_saved(world, login):
    agri = world.agency("102")
    services.update_agency(actor=world.user("sysadmin"), agency=agri, version=agri.version, active=False)
    s02 = world.section("S02")
    client = login("sysadmin")
    offered = client.get(f"/org/sections/{s02.pk}/edit/").context["form"].fields["agencies"].queryset
    assert agri in offered and offered.count() == 6
    assert agri not in client.get("/org/sections/new/").context["form"].fields["agencies"].queryset
    response = client.post(f"/org/sections/{s02.pk}/edit/", {
        "version": s02.version, "code": "S02", "name": "农业股（新）", "kind": SectionKind.BUSINESS,
        "agencies": [agri.pk, world.agency("901").pk]})
    assert response.status_code == 302
    s02.refresh_from_db()
    assert s02.name == "农业股（新）" and s02.agencies.count() == 2


def test_section_list_query_count_is_bounded(world, login, django_assert_max_num_queries):
    _many_agencies(world)
    sysadmin = world.user("sysadmin")
    units = list(Agency.objects.filter(code__startswith="5", kind=AgencyKind.UNIT))
    client = login("sysadmin")
    small = _queries(client, "/org/sections/")
    for i in range(20):
        services.create_section(actor=sysadmin, region=world.regions[HOME], code=f"T{i:02d}", name=f"股室{i}",
                                kind=SectionKind.BUSINESS, agencies=units[i:i + 3])
    with django_assert_max_num_queries(12):
        response = client.get("/org/sections/")
    assert "单位0" in table(response, "section-table")
    assert _queries(client, "/org/sections/") == small


# --- users --------------------------------------------------------------------------------------


def test_user_list(world, login):
    for username in ("sysadmin", "secadmin"):
        html = table(login(username).get("/org/users/"), "user-table")
        assert ">preparer<" in html and "far_preparer" not in html
    html = table(login("sysadmin").get("/org/users/", {"role": Role.DEPARTMENT_REVIEWER}), "user-table")
    assert ">dept_reviewer<" in html and ">preparer<" not in html
    html = table(login("sysadmin").get("/org/users/", {"agency": "102001"}), "user-table")
    assert ">preparer_agri<" in html and ">unit_head_agri<" in html and ">preparer<" not in html
    for username in ("auditor", "preparer", "perf_section", "leader"):
        assert login(username).get("/org/users/").status_code == 403, username


def test_user_detail(world, login):
    preparer = world.user("preparer")
    url = f"/org/users/{preparer.pk}/"
    body = login("sysadmin").get(url).content.decode()
    assert "王芳" in body and "编辑资料" in body and "重置密码" in body and "变更角色" not in body
    body = login("secadmin").get(url).content.decode()
    assert "变更角色" in body and "编辑资料" not in body
    assert login("far_sysadmin").get(url).status_code == 404
    assert login("preparer").get(url).status_code == 403  # not even oneself: this is the admin page
    assert login("auditor").get(url).status_code == 403


def test_user_create(world, login):
    client = login("sysadmin")
    response = client.get("/org/users/new/")
    form = response.context["form"]
    assert not {value for value, _ in form.fields["role"].choices} & set(ADMIN_ROLES)
    assert {a.region_id for a in form.fields["agency"].queryset} == {world.regions[HOME].pk}
    assert {s.region_id for s in form.fields["finance_section"].queryset} == {world.regions[HOME].pk}
    response = client.post("/org/users/new/", {
        "username": "zhangsan", "display_name": "张三", "role": Role.AGENCY_HEAD,
        "agency": world.agency("102001").pk, "phone": "13800000000", "password": STRONG,
    })
    user = User.objects.get(username="zhangsan")
    assert response.status_code == 302 and response["Location"] == f"/org/users/{user.pk}/"
    assert (user.region, user.pending_role, user.agency) == (world.regions[HOME], Role.AGENCY_HEAD,
                                                             world.agency("102001"))
    assert user.role == "" and user.must_change_password
    assert user.check_password(STRONG)


def test_user_create_errors_in_chinese(world, login):
    client = login("sysadmin")
    base = {"username": "zhangsan", "display_name": "张三", "role": Role.AGENCY_PREPARER,
            "agency": world.agency("101001").pk, "password": STRONG}
    body = client.post("/org/users/new/", {**base, "password": "abcdefghij"}).content.decode()
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类" in body
    body = client.post("/org/users/new/", {**base, "agency": ""}).content.decode()
    assert "该角色必须指定所属单位" in body
    body = client.post("/org/users/new/", {**base, "username": "Preparer"}).content.decode()
    assert "账号 Preparer 已被使用，请换一个" in body
    body = client.post("/org/users/new/", {**base, "role": Role.SYSTEM_ADMIN, "agency": ""}).content.decode()
    assert "选择一个有效的选项" in body
    body = client.post("/org/users/new/", {**base, "agency": world.agency("101001", OTHER).pk}).content.decode()
    assert "选择一个有效的选项" in body
    assert not User.objects.filter(username="zhangsan").exists()


@pytest.mark.parametrize("username", ["secadmin", "auditor", "perf_section"])
def test_user_create_only_by_sysadmin(world, login, username):
    client = login(username)
    assert client.get("/org/users/new/").status_code == 403
    response = client.post("/org/users/new/", {"username": "zhangsan", "display_name": "张三", "role": Role.VIEWER,
                                               "password": STRONG})
    assert response.status_code == 403
    assert not User.objects.filter(username="zhangsan").exists()


def test_user_edit(world, login):
    preparer = world.user("preparer")
    url = f"/org/users/{preparer.pk}/edit/"
    response = login("sysadmin").post(url, {"version": preparer.version, "display_name": "王芳芳",
                                            "agency": world.agency("101002").pk, "phone": "123", "is_active": "on"})
    assert response.status_code == 302
    preparer.refresh_from_db()
    # moved to another unit by the system administrator: the role waits for the security administrator (三员)
    assert (preparer.display_name, preparer.agency.code, preparer.role, preparer.pending_role) == (
        "王芳芳", "101002", "", Role.AGENCY_PREPARER)
    response = login("sysadmin").post(url, {"version": preparer.version, "display_name": "王芳芳", "agency": "",
                                            "is_active": "on"})
    assert "该角色必须指定所属单位" in response.content.decode()
    assert login("far_sysadmin").get(url).status_code == 404
    assert login("secadmin").get(url).status_code == 403
    secadmin = world.user("secadmin")
    response = login("sysadmin").post(f"/org/users/{secadmin.pk}/edit/", {
        "version": secadmin.version, "display_name": "改名", "is_active": ""})
    assert response.status_code == 403
    secadmin.refresh_from_db()
    assert secadmin.is_active


def test_user_role_change(world, login):
    preparer = world.user("preparer")
    url = f"/org/users/{preparer.pk}/role/"
    client = login("secadmin")
    form = client.get(url).context["form"]
    assert not {value for value, _ in form.fields["role"].choices} & set(ADMIN_ROLES)
    body = client.post(url, {"version": preparer.version, "role": Role.DEPARTMENT_REVIEWER,
                             "agency": world.agency("101001").pk}).content.decode()
    assert "主管部门审核人必须属于一级预算部门或乡镇" in body
    body = client.post(url, {"version": preparer.version, "role": Role.SECURITY_ADMIN}).content.decode()
    assert "选择一个有效的选项" in body
    preparer.refresh_from_db()
    assert preparer.role == Role.AGENCY_PREPARER
    response = client.post(url, {"version": preparer.version, "role": Role.DEPARTMENT_REVIEWER,
                                 "agency": world.agency("101").pk})
    assert response.status_code == 302
    preparer.refresh_from_db()
    assert preparer.role == Role.DEPARTMENT_REVIEWER
    event = SecurityEvent.objects.get(code=SecurityEventCode.ROLE_CHANGE)
    assert event.actor == world.user("secadmin") and event.ip == "127.0.0.1"
    assert login("sysadmin").get(url).status_code == 403
    assert login("auditor").get(url).status_code == 403
    assert login("far_secadmin").get(url).status_code == 404


def test_user_unlock(world, login):
    preparer = world.user("preparer")
    for _ in range(settings.JIXIAO_LOCKOUT_ATTEMPTS):
        services.record_login_failure(username="preparer", ip="1.2.3.4")
    url = f"/org/users/{preparer.pk}/unlock/"
    assert "解除锁定" in login("secadmin").get(f"/org/users/{preparer.pk}/").content.decode()
    assert login("sysadmin").post(url).status_code == 403
    assert login("preparer_agri").post(url).status_code == 403
    assert login("far_secadmin").post(url).status_code == 404
    preparer.refresh_from_db()
    assert preparer.locked_until is not None
    assert login("secadmin").get(url).status_code == 405
    response = login("secadmin").post(url)
    assert response.status_code == 302
    preparer.refresh_from_db()
    assert preparer.locked_until is None
    assert SecurityEvent.objects.filter(code=SecurityEventCode.UNLOCKED).count() == 1


def test_user_password_reset(world, login):
    preparer = world.user("preparer")
    url = f"/org/users/{preparer.pk}/password/"
    client = login("sysadmin")
    assert client.get(url).status_code == 200
    response = client.post(url, {"password": "short"})
    body = response.content.decode()
    assert response.status_code == 200 and "密码太短，至少需要 10 个字符" in body
    preparer.refresh_from_db()
    assert preparer.check_password(DEMO_PASSWORD)
    assert client.post(url, {"password": STRONG}).status_code == 302
    preparer.refresh_from_db()
    assert preparer.check_password(STRONG)
    assert SecurityEvent.objects.filter(code=SecurityEventCode.PASSWORD_RESET).count() == 1
    assert login("secadmin").post(url, {"password": "Other#Pass99"}).status_code == 403
    assert login("far_sysadmin").post(url, {"password": "Other#Pass99"}).status_code == 404
    secadmin = world.user("secadmin")
    assert client.post(f"/org/users/{secadmin.pk}/password/", {"password": "Other#Pass99"}).status_code == 403
    preparer.refresh_from_db()
    assert preparer.check_password(STRONG)


def test_user_list_query_count_is_bounded(world, login, django_assert_max_num_queries):
    _many_agencies(world)
    sysadmin = world.user("sysadmin")
    client = login("sysadmin")
    small = _queries(client, "/org/users/")
    for i, agency in enumerate(Agency.objects.filter(code__startswith="5", kind=AgencyKind.UNIT)):
        for role in (Role.AGENCY_PREPARER, Role.AGENCY_HEAD):
            services.create_user(actor=sysadmin, region=world.regions[HOME], username=f"{role}{i}",
                                 display_name=f"用户{i}", role=role, agency=agency, password=STRONG)
    s01 = world.section("S01")
    services.create_user(actor=sysadmin, region=world.regions[HOME], username="reviewer_x", display_name="审核人X",
                         role=Role.SECTION_REVIEWER, finance_section=s01, password=STRONG)
    with django_assert_max_num_queries(12):
        response = client.get("/org/users/")
    html = table(response, "user-table")
    assert html.count("<tr>") == 51  # header + a full page of 50
    assert _queries(client, "/org/users/") == small
    assert _queries(client, "/org/users/", {"page": 2}) == small


# --- API tokens ---------------------------------------------------------------------------------


def test_token_page(world, login):
    client = login("section_reviewer")
    assert "暂无令牌" in client.get("/org/tokens/").content.decode()
    response = client.post("/org/tokens/", {"name": "对接脚本甲"})
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    assert services.authenticate_token(key) == world.user("section_reviewer")
    body = client.get("/org/tokens/").content.decode()
    assert key not in body and key[:8] in body and "对接脚本甲" in body  # shown once, then only the prefix
    body = client.post("/org/tokens/", {"name": " "}).content.decode()
    assert "请填写令牌用途" in body
    assert ApiToken.objects.filter(user=world.user("section_reviewer")).count() == 1
    # each user sees only their own tokens
    assert "对接脚本甲" not in login("preparer").get("/org/tokens/").content.decode()



# --- the 三员 buttons come from the declared actions of User (issue #8) ---------------------------

@pytest.mark.parametrize("persona, shown, hidden", [
    ("sysadmin", ["编辑资料", "重置密码"], ["变更角色"]),
    ("secadmin", ["变更角色"], ["编辑资料", "重置密码"]),
])
def test_user_page_buttons_follow_the_declared_actions(world, client, persona, shown, hidden):
    client.force_login(world.user(persona))
    page = client.get(f"/org/users/{world.user('preparer').pk}/").content.decode()
    for label in shown:
        assert label in page, label
    for label in hidden:
        assert label not in page, label
    # an administrator's account: kept from the command line, no button for anyone else
    page = client.get(f"/org/users/{world.user('auditor').pk}/").content.decode()
    for label in ("编辑资料", "重置密码", "变更角色"):
        assert label not in page, label


def test_a_declared_refusal_says_who_may(world, client):
    client.force_login(world.user("sysadmin"))
    r = client.post(f"/org/users/{world.user('preparer').pk}/unlock/")
    assert r.status_code == 403 and "只有安全保密管理员可以解除锁定" in r.content.decode()


def test_token_page_revokes_a_token(world, client):
    me = world.user("preparer")
    token, key = services.create_api_token(actor=me, name="对接脚本")
    client.force_login(me)
    assert "对接脚本" in client.get("/org/tokens/").content.decode()
    r = client.post("/org/tokens/", {"revoke": str(token.pk)})
    assert r.status_code == 302
    assert services.authenticate_token(key) is None
    assert "对接脚本" not in client.get("/org/tokens/").content.decode()
    # someone else's token: 404, nothing revoked
    theirs, their_key = services.create_api_token(actor=world.user("unit_head"), name="别人的")
    assert client.post("/org/tokens/", {"revoke": str(theirs.pk)}).status_code == 404
    assert services.authenticate_token(their_key) is not None
