"""The F1 API at /api/v1/: authentication (token, session + CSRF, anonymous), scoping per persona,
versioned updates (ETag / If-Match → 412 / 428), role refusals and Chinese validation errors."""

import json

import pytest
from django.test import Client

from jixiao.core import inbox
from jixiao.core.choices import ChangeAction, SecurityEventCode
from jixiao.core.models import ChangeLog, SecurityEvent
from jixiao.org import services
from jixiao.org.models import Agency, User
from jixiao.org.personas import HOME, OTHER, PERSONAS

API = "/api/v1"

pytestmark = pytest.mark.django_db


def token_client(world, username: str) -> Client:
    _, key = services.create_api_token(actor=world.user(username), name="接口测试")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def api(world):
    """``api("perf_section")`` → a client authenticated by a personal token, as a program would be."""
    return lambda username: token_client(world, username)


def send(client, method: str, path: str, body=None, *, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.generic(method, API + path, json.dumps(body if body is not None else {}),
                          content_type="application/json", headers=headers)


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["code"] for item in response.json()["items"]}


# --- authentication -------------------------------------------------------------------------------

def test_token_authenticates(world, api):
    r = api("preparer").get(f"{API}/org/me")
    assert r.status_code == 200
    me = r.json()
    assert me["username"] == "preparer" and me["role"] == "agency_preparer"
    assert me["agency"] == world.agency("101001").pk and me["agency_name"] == "临朐县第一中学"
    assert me["region_name"] == "临朐县"


def test_unknown_token_and_anonymous_get_401_in_chinese(world):
    for client in (Client(headers={"Authorization": "Bearer jx_not-a-token"}), Client()):
        r = client.get(f"{API}/org/me")
        assert r.status_code == 401
        assert r.json()["code"] == "unauthenticated" and "API 令牌" in r.json()["message"]
    # an anonymous write is also 401 (not a CSRF complaint)
    r = send(Client(), "POST", "/org/agencies", {"code": "x"})
    assert r.status_code == 401


def test_token_of_deactivated_user_is_refused(world, api):
    client = api("preparer")
    subject = world.user("preparer")
    services.update_user(actor=world.user("sysadmin"), user=subject, version=subject.version, is_active=False)
    assert client.get(f"{API}/org/me").status_code == 401


def test_session_reads_but_writes_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("perf_section"))
    assert client.get(f"{API}/org/agencies").status_code == 200

    body = {"code": "903", "name": "临朐县东城街道办事处", "kind": "township"}
    r = send(client, "POST", "/org/agencies", body)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden" and "CSRF" in r.json()["message"]
    assert not Agency.objects.filter(code="903").exists()

    client.get("/password/")  # a page of the application hands the browser its CSRF cookie
    token = client.cookies["csrftoken"].value
    r = client.post(f"{API}/org/agencies", json.dumps(body), content_type="application/json",
                    headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.content
    assert Agency.objects.filter(code="903", region__code=HOME).exists()


def test_session_callers_pass_the_same_role_gate(world, login):
    assert login("leader").get(f"{API}/org/users").status_code == 403
    assert login("sysadmin").get(f"{API}/org/users").status_code == 200


# --- scoping --------------------------------------------------------------------------------------

def test_agency_list_is_scoped_per_persona(world, api):
    assert codes(api("preparer").get(f"{API}/org/agencies")) == {"101001"}
    assert codes(api("dept_reviewer").get(f"{API}/org/agencies")) == {"101", "101001", "101002"}
    home_all = {"101", "101001", "101002", "102", "102001", "901"}
    assert codes(api("perf_section").get(f"{API}/org/agencies")) == home_all
    assert codes(api("section_reviewer").get(f"{API}/org/agencies")) == home_all


@pytest.mark.parametrize("username", [p.username for p in PERSONAS if p.username.startswith("far_")])
def test_other_region_never_sees_the_home_region(world, api, username):
    client = api(username)
    home, other = world.regions[HOME].pk, world.regions[OTHER].pk
    regions = [r["id"] for r in client.get(f"{API}/org/regions").json()["items"]]
    assert regions == [other]  # everyone sees their own region, and only it
    for path in ("/org/agencies", "/org/sections", "/org/users"):
        r = client.get(API + path)
        if r.status_code == 403:  # the role may not list these at all
            continue
        items = r.json()["items"]
        assert all(item["region"] == other for item in items), (path, items)
        assert home not in {item["region"] for item in items}
    assert client.get(f"{API}/org/agencies/{world.agency('101001').pk}").status_code == 404


def test_regions_show_only_the_users_own(world, api):
    client = api("perf_section")
    r = client.get(f"{API}/org/regions")
    assert [x["code"] for x in r.json()["items"]] == [HOME]
    r = client.get(f"{API}/org/regions/{world.regions[HOME].pk}")
    assert r.status_code == 200 and r.json()["name"] == "临朐县" and r["ETag"] == '"1"'
    # the province above and the other county are not the user's
    for code in (OTHER, "370700"):
        assert client.get(f"{API}/org/regions/{world.regions[code].pk}").status_code == 404
    # agency-level and assigned roles see their own region too
    for username in ("preparer", "expert"):
        assert [x["code"] for x in api(username).get(f"{API}/org/regions").json()["items"]] == [HOME]


def test_agency_filter_and_pagination(world, api):
    client = api("perf_section")
    assert codes(client.get(f"{API}/org/agencies", {"kind": "department"})) == {"101", "102"}
    assert codes(client.get(f"{API}/org/agencies", {"q": "第一中学"})) == {"101001"}
    assert codes(client.get(f"{API}/org/agencies", {"parent": "102"})) == {"102001"}
    assert codes(client.get(f"{API}/org/agencies", {"active": "false"})) == set()
    page = client.get(f"{API}/org/agencies", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 6 and len(page["items"]) == 2


def test_out_of_scope_detail_is_the_same_404_as_missing(world, api):
    client = api("preparer")
    foreign = client.get(f"{API}/org/agencies/{world.agency('101002').pk}")
    missing = client.get(f"{API}/org/agencies/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == {"code": "not_found", "message": "记录不存在或您无权访问。"}
    assert api("far_sysadmin").get(f"{API}/org/users/{world.user('preparer').pk}").status_code == 404
    assert api("far_perf_section").get(f"{API}/org/sections/{world.section('S01').pk}").status_code == 404


def test_detail_carries_version_and_etag(world, api):
    r = api("preparer").get(f"{API}/org/agencies/{world.agency('101001').pk}")
    assert r.status_code == 200
    assert r.json()["version"] == 1 and r["ETag"] == '"1"'
    assert r.json()["kind"] == "unit" and r.json()["kind_display"] == "预算单位"
    assert r.json()["parent"] == world.agency("101").pk and r.json()["sector"] == "education"


# --- writes: create, update with If-Match -----------------------------------------------------------

def test_agency_create_and_versioned_update(world, api):
    client = api("perf_section")
    r = send(client, "POST", "/org/agencies", {"code": "101003", "name": "临朐县实验中学", "kind": "unit",
                                               "parent": world.agency("101").pk, "sector": "education"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["version"] == 1 and r["ETag"] == '"1"' and created["region"] == world.regions[HOME].pk
    assert ChangeLog.objects.filter(object_id=str(created["id"]), action=ChangeAction.CREATE).exists()
    path = f"/org/agencies/{created['id']}"

    r = send(client, "PATCH", path, {"name": "临朐县实验学校"}, version=1)
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "临朐县实验学校" and r.json()["version"] == 2 and r["ETag"] == '"2"'
    assert r.json()["code"] == "101003"  # fields not sent are left alone

    stale = send(client, "PATCH", path, {"name": "别人的旧稿"}, version=1)
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_version" and stale.json()["current_version"] == 2
    assert "已被他人修改" in stale.json()["message"]

    missing = send(client, "PATCH", path, {"name": "没带版本"})
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required" and "If-Match" in missing.json()["message"]

    assert Agency.objects.get(pk=created["id"]).name == "临朐县实验学校"


def test_moving_a_unit_to_another_department_moves_it_between_subtrees(world, api):
    unit = world.agency("101002")
    r = send(api("perf_section"), "PATCH", f"/org/agencies/{unit.pk}", {"parent": world.agency("102").pk},
             version=unit.version)
    assert r.status_code == 200 and r.json()["parent"] == world.agency("102").pk
    assert "101002" in codes(api("dept_reviewer_agri").get(f"{API}/org/agencies"))
    assert "101002" not in codes(api("dept_reviewer").get(f"{API}/org/agencies"))


@pytest.mark.parametrize("username, method, path", [
    ("preparer", "POST", "/org/agencies"),
    ("leader", "POST", "/org/agencies"),
    ("expert", "GET", "/org/agencies"),
    ("firm", "GET", "/org/sections"),
    ("preparer", "GET", "/org/sections"),
    ("preparer", "GET", "/org/users"),
    ("secadmin", "POST", "/org/users"),
    ("perf_section", "POST", "/org/users"),
    ("auditor", "POST", "/org/sections"),
])
def test_roles_without_permission_get_403_json(world, api, username, method, path):
    # an empty body: the role is refused before the request is parsed, so the answer is 403, not 400
    r = send(api(username), method, path, {})
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden" and r.json()["message"]


def test_permitted_role_with_an_empty_body_gets_400(world, api):
    assert send(api("perf_section"), "POST", "/org/agencies", {}).status_code == 400
    assert send(api("sysadmin"), "POST", "/org/users", {}).status_code == 400


def test_update_by_a_role_without_permission_is_403_before_anything_else(world, api):
    agency = world.agency("101001")
    # no If-Match and a valid body: the role refusal comes first, not the 428
    assert send(api("leader"), "PATCH", f"/org/agencies/{agency.pk}", {"name": "x"}).status_code == 403
    assert send(api("secadmin"), "PATCH", f"/org/users/{world.user('preparer').pk}",
                {"display_name": "x"}).status_code == 403


# --- validation errors in Chinese -------------------------------------------------------------------

def test_schema_errors_are_400_with_chinese_field_messages(world, api):
    r = send(api("perf_section"), "POST", "/org/agencies", {"kind": "bogus", "name": "名" * 200})
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert r.json()["code"] == "invalid"
    assert errors["code"] == ["此项为必填项"]
    assert errors["name"] == ["长度不能超过 128 个字符"]
    assert errors["kind"][0].startswith("取值无效")

    r = api("perf_section").post(f"{API}/org/agencies", "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])


def test_service_errors_are_400_with_chinese_field_messages(world, api):
    client = api("perf_section")
    r = send(client, "POST", "/org/agencies", {"code": "101", "name": "重复", "kind": "department"})
    assert r.status_code == 400 and r.json()["errors"]["code"] == ["单位代码 101 已被使用"]
    r = send(client, "POST", "/org/agencies", {"code": "109001", "name": "无上级", "kind": "unit"})
    assert r.json()["errors"]["parent"] == ["预算单位必须选择上级部门"]
    far_parent = world.agency("101", OTHER).pk
    r = send(client, "POST", "/org/agencies", {"code": "109002", "name": "外县上级", "kind": "unit",
                                               "parent": far_parent})
    assert r.status_code == 400 and "不存在或不在您的权限范围内" in r.json()["errors"]["parent"][0]
    r = send(client, "POST", "/org/agencies", {"code": "109003", "name": "行业", "kind": "department",
                                               "sector": "no_such_sector"})
    assert r.status_code == 400 and "no_such_sector" in r.json()["errors"]["sector"][0]
    r = send(client, "PATCH", f"/org/agencies/{world.agency('101001').pk}", {"name": None}, version=1)
    assert r.status_code == 400 and r.json()["errors"]["name"] == ["不能为空"]
    assert Agency.objects.filter(code__startswith="1090").count() == 0


# --- finance sections -------------------------------------------------------------------------------

def test_section_create_update_with_agency_ids(world, api):
    client = api("perf_section")
    a, b = world.agency("101"), world.agency("901")
    r = send(client, "POST", "/org/sections", {"code": "S05", "name": "社保股", "kind": "business",
                                               "agencies": [a.pk]})
    assert r.status_code == 201, r.content
    section = r.json()
    assert section["agencies"] == [a.pk] and r["ETag"] == '"1"'

    r = send(client, "PATCH", f"/org/sections/{section['id']}", {"agencies": [a.pk, b.pk]}, version=1)
    assert r.status_code == 200, r.content
    assert sorted(r.json()["agencies"]) == sorted([a.pk, b.pk]) and r.json()["version"] == 2

    listed = api("section_reviewer").get(f"{API}/org/sections", {"q": "S05"}).json()["items"]
    assert [s["code"] for s in listed] == ["S05"] and len(listed[0]["agencies"]) == 2

    r = send(client, "PATCH", f"/org/sections/{section['id']}", {"name": "社保股"})
    assert r.status_code == 428


# --- users and roles --------------------------------------------------------------------------------

def test_user_create_and_profile_update(world, api):
    client = api("sysadmin")
    r = send(client, "POST", "/org/users", {
        "username": "teacher2", "display_name": "马老师", "role": "agency_preparer", "password": "Lq@2026-pass!",
        "agency": world.agency("101002").pk,
    })
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["role"] is None and created["pending_role"] == "agency_preparer"  # 三员: granted by secadmin
    assert "password" not in created and r["ETag"] == '"1"'
    assert User.objects.get(username="teacher2").check_password("Lq@2026-pass!")

    path = f"/org/users/{created['id']}"
    r = send(client, "PATCH", path, {"display_name": "马晓", "phone": "0536-1234567"}, version=1)
    assert r.status_code == 200 and r.json()["display_name"] == "马晓" and r.json()["version"] == 2
    # the role is not a profile field
    r = send(client, "PATCH", path, {"role": "agency_head"}, version=2)
    assert r.status_code == 400 and "role" in r.json()["errors"]
    assert User.objects.get(pk=created["id"]).pending_role == "agency_preparer"


def test_user_create_refuses_weak_password_and_admin_role_in_chinese(world, api):
    r = send(api("sysadmin"), "POST", "/org/users", {
        "username": "boss", "display_name": "老板", "role": "system_admin", "password": "123",
    })
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert errors["role"] == ["管理员角色只能在安装时由命令行创建"]
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类。" in errors["password"]
    assert not User.objects.filter(username="boss").exists()


def test_user_list_is_scoped(world, api):
    names = {u["username"] for u in api("sysadmin").get(f"{API}/org/users", {"page_size": 100}).json()["items"]}
    assert "preparer" in names and "far_preparer" not in names
    assert {u["username"] for u in api("secadmin").get(f"{API}/org/users", {"role": "expert"}).json()["items"]} \
        == {"expert"}


def test_role_change_by_security_admin(world, api):
    subject = world.user("preparer")
    path = f"/org/users/{subject.pk}/role"
    body = {"role": "agency_head", "agency": world.agency("101001").pk}

    assert send(api("sysadmin"), "POST", path, body, version=subject.version).status_code == 403
    assert send(api("sysadmin"), "POST", path, {}).status_code == 403
    assert send(api("leader"), "POST", path, body, version=subject.version).status_code == 403
    assert send(api("far_secadmin"), "POST", path, body, version=subject.version).status_code == 404
    assert send(api("secadmin"), "POST", path, body).status_code == 428

    r = send(api("secadmin"), "POST", path, body, version=subject.version)
    assert r.status_code == 200, r.content
    assert r.json()["role"] == "agency_head" and r.json()["version"] == subject.version + 1
    assert r["ETag"] == f'"{subject.version + 1}"'
    assert SecurityEvent.objects.filter(code=SecurityEventCode.ROLE_CHANGE, detail__user="preparer").exists()

    r = send(api("secadmin"), "POST", path, {"role": "system_admin"}, version=subject.version + 1)
    assert r.status_code == 400 and r.json()["errors"]["role"] == ["管理员角色不能在系统内授予或变更"]


def test_admin_accounts_are_not_edited_through_the_api(world, api):
    secadmin = world.user("secadmin")
    r = send(api("sysadmin"), "PATCH", f"/org/users/{secadmin.pk}", {"display_name": "x"}, version=secadmin.version)
    assert r.status_code == 403 and r.json()["message"] == "管理员账号只能由命令行维护。"


# --- inbox ------------------------------------------------------------------------------------------

def test_inbox_lists_only_my_open_items(world, api):
    preparer, head = world.user("preparer"), world.user("unit_head")
    region = world.regions[HOME].pk
    first, second = world.agency("101001"), world.agency("101002")
    inbox.open_items(users=[preparer], region_id=region, kind="test", title="请填报目标表", obj=first)
    inbox.open_items(users=[preparer, head], region_id=region, kind="test", title="请整改", obj=second)
    inbox.close_items(obj=second)

    items = api("preparer").get(f"{API}/inbox").json()
    assert items["count"] == 1 and [i["title"] for i in items["items"]] == ["请填报目标表"]
    assert api("unit_head").get(f"{API}/inbox").json()["count"] == 0
    assert Client().get(f"{API}/inbox").status_code == 401
