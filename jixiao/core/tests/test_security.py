"""F14 security through the real login page: lockout, password policy, idle timeout, security
headers, CSRF and logout."""

import time

import pytest
from django.test import Client

from jixiao.core.choices import SecurityEventCode
from jixiao.core.errors import ValidationFailed
from jixiao.core.models import SecurityEvent
from jixiao.core.roles import Role
from jixiao.org import services
from jixiao.org.models import User


@pytest.fixture(autouse=True)
def policy(settings):
    # the F14 defaults, whatever the environment of the test run says
    settings.JIXIAO_LOCKOUT_ATTEMPTS = 5
    settings.JIXIAO_LOCKOUT_MINUTES = 15
    settings.JIXIAO_SOURCE_LOCKOUT_ATTEMPTS = 20
    settings.JIXIAO_IDLE_TIMEOUT_MINUTES = 30


REFUSED = "账号或密码不正确，或账号已被临时锁定。连续输错 5 次将锁定 15 分钟；如需提前解除，请联系安全保密管理员。"


def _visible_text(response) -> str:
    import re

    body = response.content.decode()
    body = re.sub(r"[A-Za-z0-9]{64}", "", body)  # CSRF tokens (form field and htmx header)
    return re.sub(r'value="[^"]*"', "", body)  # the typed name is echoed back in the field


def test_known_and_unknown_names_get_the_same_answer(world):
    """No account enumeration: six failures on a real account (it locks at the fifth) and on a name
    nobody has give the same page every time."""
    known, unknown = Client(), Client()
    for _ in range(6):
        a = _visible_text(_login(known, "preparer", "Wrong#Pass123"))
        b = _visible_text(_login(unknown, "nobody", "Wrong#Pass123"))
        assert REFUSED in a and a == b
    assert User.objects.get(username="preparer").locked_until is not None


def test_unlock_user_command(world):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    client = Client()
    for _ in range(5):
        _login(client, "secadmin", "Wrong#Pass123")
    assert User.objects.get(username="secadmin").locked_until is not None
    out = StringIO()
    call_command("unlock_user", "SecAdmin", stdout=out)
    assert User.objects.get(username="secadmin").locked_until is None and "secadmin" in out.getvalue()
    event = SecurityEvent.objects.get(code=SecurityEventCode.UNLOCKED)
    assert event.actor_id is None and event.detail == {"user": "secadmin"}
    with pytest.raises(CommandError, match="不存在"):
        call_command("unlock_user", "nobody")


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def _events(username, code):
    return SecurityEvent.objects.filter(username=username, code=code)


def _is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_login_works_and_records_an_event(world, password):
    client = Client()
    r = _login(client, "preparer", password)
    assert r.status_code == 302 and r["Location"] == "/"
    assert _is_logged_in(client)
    event = _events("preparer", SecurityEventCode.LOGIN).get()
    assert event.actor_id == world.user("preparer").pk and event.ip == "127.0.0.1"


def test_lockout_after_five_failures_even_with_the_right_password(world, password):
    client = Client()
    for attempt in range(1, 5):
        r = _login(client, "preparer", "Wrong#Pass123")
        assert r.status_code == 200
        assert REFUSED in r.content.decode()
        assert User.objects.get(username="preparer").failed_logins == attempt
    r = _login(client, "preparer", "Wrong#Pass123")
    assert REFUSED in r.content.decode()  # the same answer: the page does not say the account exists
    assert _events("preparer", SecurityEventCode.LOGIN_FAILED).count() == 5
    assert all(e.detail == {"reason": "bad_password"} for e in _events("preparer", SecurityEventCode.LOGIN_FAILED))
    # who acted is nobody logged in (no actor row), not the account whose name was tried
    assert {e.actor_id for e in _events("preparer", SecurityEventCode.LOGIN_FAILED)} == {None}
    locked = _events("preparer", SecurityEventCode.LOCKED).get()
    assert locked.detail == {"minutes": 15} and locked.region_id == world.user("preparer").region_id

    r = _login(client, "preparer", password)
    assert r.status_code == 200 and REFUSED in r.content.decode()
    assert not _is_logged_in(client)
    assert not _events("preparer", SecurityEventCode.LOGIN).exists()
    assert _events("preparer", SecurityEventCode.LOGIN_FAILED).filter(detail__reason="locked").count() == 1


def test_failures_are_counted_per_account_and_reset_by_a_good_login(world, password):
    client = Client()
    for _ in range(4):
        _login(client, "preparer", "Wrong#Pass123")
    assert _login(client, "preparer", password).status_code == 302
    assert User.objects.get(username="preparer").failed_logins == 0
    client = Client()
    for _ in range(4):
        _login(client, "preparer", "Wrong#Pass123")
    assert _login(client, "preparer", password).status_code == 302  # not locked: the count started again
    assert not _events("preparer", SecurityEventCode.LOCKED).exists()


def test_a_source_address_is_throttled_after_many_failures(world, password):
    """Twenty failures from one address within the lockout window — spread over names so that no
    account locks — and every further login from it is refused, even with the right password, with
    the same answer; the account's own count is untouched and other addresses log in (issue #11)."""
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    names = ["preparer", "unit_head", "leader", "nobody", "nobody2"]
    for name in names * 4:
        assert REFUSED in _login(attacker, name, "Wrong#Pass123").content.decode()
    assert not User.objects.filter(locked_until__isnull=False).exists()
    counts = dict(User.objects.filter(username__in=names).values_list("username", "failed_logins"))

    r = _login(attacker, "preparer", password)
    assert r.status_code == 200 and REFUSED in r.content.decode() and not _is_logged_in(attacker)
    throttled = _events("preparer", SecurityEventCode.LOGIN_THROTTLED).get()
    assert throttled.ip == "10.9.9.9" and throttled.region_id == world.user("preparer").region_id
    assert dict(User.objects.filter(username__in=names).values_list("username", "failed_logins")) == counts

    colleague = Client(REMOTE_ADDR="10.9.9.10")  # another desk of the same bureau
    assert _login(colleague, "preparer", password).status_code == 302 and _is_logged_in(colleague)


def test_failed_logins_of_unknown_names_reach_the_installations_auditor(world, login):
    """A name nobody has is recorded under the installation's top region (here the province), so its
    audit administrator sees the attempt on the security-event page (issue #11); a county's does not."""
    from jixiao.core.actors import SYSTEM

    province = world.regions["370000"]
    services.create_user(actor=SYSTEM, region=province, username="prov_auditor", display_name="省审计员",
                         role=Role.AUDIT_ADMIN, password="Qx7#mLp2vR9t-prov", allow_admin_role=True)
    _login(Client(), "no_such_person", "Wrong#Pass123")
    event = _events("no_such_person", SecurityEventCode.LOGIN_FAILED).get()
    assert event.region_id == province.pk
    client = Client()
    client.force_login(User.objects.get(username="prov_auditor"))
    assert "no_such_person" in client.get("/core/audit/security/").content.decode()
    assert "no_such_person" not in login("far_auditor").get("/core/audit/security/").content.decode()


def test_unknown_usernames_are_logged_without_locking_anyone(world):
    client = Client()
    for _ in range(6):
        r = _login(client, "nobody", "Wrong#Pass123")
        assert REFUSED in r.content.decode()
    assert _events("nobody", SecurityEventCode.LOGIN_FAILED).count() == 6
    assert _events("nobody", SecurityEventCode.LOGIN_FAILED).first().detail == {"reason": "unknown_user"}
    assert not SecurityEvent.objects.filter(code=SecurityEventCode.LOCKED).exists()


def test_secadmin_unlocks(world, login, password):
    client = Client()
    for _ in range(5):
        _login(client, "preparer", "Wrong#Pass123")
    target = world.user("preparer")
    # the system administrator may not unlock (三员分立)
    assert login("sysadmin").post(f"/org/users/{target.pk}/unlock/").status_code == 403
    # another region's security administrator cannot even see the account
    assert login("far_secadmin").post(f"/org/users/{target.pk}/unlock/").status_code == 404
    assert REFUSED in _login(client, "preparer", password).content.decode()

    r = login("secadmin").post(f"/org/users/{target.pk}/unlock/")
    assert r.status_code == 302
    unlocked = SecurityEvent.objects.get(code=SecurityEventCode.UNLOCKED)
    assert unlocked.actor_id == world.user("secadmin").pk and unlocked.detail == {"user": "preparer"}
    assert User.objects.get(pk=target.pk).locked_until is None
    assert _login(client, "preparer", password).status_code == 302
    assert _is_logged_in(client)


def test_unlock_is_post_only(world, login):
    assert login("secadmin").get(f"/org/users/{world.user('preparer').pk}/unlock/").status_code == 405


@pytest.mark.parametrize(
    ("candidate", "message"),
    [
        ("Ab1#short", "密码太短，至少需要 10 个字符。"),
        ("abcdefghijk12", "密码须包含大写字母、小写字母、数字、符号中的至少三类。"),  # two classes
        ("ABCDEFGHIJK#", "密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
    ],
)
def test_password_policy_refuses(world, candidate, message):
    with pytest.raises(ValidationFailed) as exc:
        services.create_user(actor=world.user("sysadmin"), region=world.regions["370724"], username="newbie",
                             display_name="新人", role=Role.AGENCY_PREPARER, password=candidate,
                             agency=world.agency("101002"))
    assert message in exc.value.errors["password"]
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("candidate", ["Good#Passw0rd", "lower-and-UPPER", "Zhong2026guo"])
def test_password_policy_accepts(world, candidate):
    user = services.create_user(actor=world.user("sysadmin"), region=world.regions["370724"], username="newbie",
                                display_name="新人", role=Role.AGENCY_PREPARER, password=candidate,
                                agency=world.agency("101002"))
    assert user.check_password(candidate)


def test_own_password_change_page_applies_the_policy(world, login, password):
    client = login("preparer")
    r = client.post("/password/", {"old_password": password, "new_password": "abcdefghijk12",
                                   "new_password2": "abcdefghijk12"})
    assert r.status_code == 200 and "至少三类" in r.content.decode()
    r = client.post("/password/", {"old_password": password, "new_password": "Short#1", "new_password2": "Short#1"})
    assert "密码太短，至少需要 10 个字符。" in r.content.decode()
    r = client.post("/password/", {"old_password": password, "new_password": "New#Passw0rd2", "new_password2": "New#Passw0rd2"})
    assert r.status_code == 302
    assert User.objects.get(username="preparer").check_password("New#Passw0rd2")
    assert _is_logged_in(client)  # the session survives its own password change
    assert SecurityEvent.objects.filter(code=SecurityEventCode.PASSWORD_CHANGE, actor=world.user("preparer")).exists()


def _age_session(client, seconds):
    session = client.session
    session["last_seen"] = int(time.time()) - seconds
    session.save()


def test_idle_timeout_logs_out(world, login):
    client = login("perf_section")
    assert _is_logged_in(client)
    _age_session(client, 31 * 60)
    r = client.get("/org/agencies/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert not _is_logged_in(client)
    page = client.get("/login/").content.decode()
    assert "您已长时间未操作，为安全起见已自动退出，请重新登录。" in page


def test_activity_within_the_timeout_keeps_the_session(world, login):
    client = login("perf_section")
    assert _is_logged_in(client)
    _age_session(client, 29 * 60)
    assert client.get("/org/agencies/").status_code == 200
    assert abs(client.session["last_seen"] - int(time.time())) <= 5  # the clock restarted


@pytest.mark.parametrize("path", ["/login/", "/"])
def test_security_headers(world, login, path):
    r = (login("preparer") if path == "/" else Client()).get(path)
    assert r.status_code == 200
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r["Permissions-Policy"]


def test_pages_with_user_data_are_not_cached(world, login):
    assert "no-store" in login("preparer").get("/").get("Cache-Control", "")


def test_csrf_is_enforced_on_login(world, password):
    client = Client(enforce_csrf_checks=True)
    r = client.post("/login/", {"username": "preparer", "password": password})
    assert r.status_code == 403
    assert not SecurityEvent.objects.filter(code=SecurityEventCode.LOGIN).exists()
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    r = client.post("/login/", {"username": "preparer", "password": password, "csrfmiddlewaretoken": token})
    assert r.status_code == 302


def test_logout_is_post_only_and_recorded(world, login):
    client = login("preparer")
    assert client.get("/logout/").status_code == 405
    assert _is_logged_in(client)
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert not _is_logged_in(client)
    event = SecurityEvent.objects.get(code=SecurityEventCode.LOGOUT)
    assert event.actor_id == world.user("preparer").pk and event.username == "preparer"


def test_logout_needs_csrf(world, password):
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    client.post("/login/", {"username": "preparer", "password": password, "csrfmiddlewaretoken": token})
    assert client.post("/logout/").status_code == 403  # a cross-site form cannot log people out
    assert _is_logged_in(client)


def test_security_event_chain_stays_intact_through_all_of_this(world, password):
    from jixiao.core.audit import verify_chain

    client = Client()
    for _ in range(6):
        _login(client, "preparer", "Wrong#Pass123")
    count, problems = verify_chain(SecurityEvent)
    assert problems == [] and count == SecurityEvent.objects.count() == 7


# --- passwords: reuse and known passwords (issue #11) ------------------------------------------------

def _change(client, old, new):
    return client.post("/password/", {"old_password": old, "new_password": new, "new_password2": new})


def test_the_current_and_recent_passwords_cannot_be_reused(world, login, password, settings):
    settings.JIXIAO_PASSWORD_HISTORY = 5
    client = login("preparer")
    r = _change(client, password, password)
    assert r.status_code == 200 and "新密码不能与当前密码相同。" in r.content.decode()
    used = [f"Round#{n}Passw0rd" for n in range(1, 7)]
    current = password
    for new in used:
        assert _change(client, current, new).status_code == 302, new
        current = new
    # the five before the current one are refused
    for old in used[:-1]:
        r = _change(client, current, old)
        assert "新密码不能与最近 5 次用过的密码相同。" in r.content.decode(), old
    assert User.objects.get(username="preparer").check_password(current)
    # one change later the oldest of them is six back, and free again
    assert _change(client, current, "Round#7Passw0rd").status_code == 302
    assert _change(client, "Round#7Passw0rd", used[0]).status_code == 302
    assert world.user("preparer").password_history.count() == 6  # current + 5 kept, no more


def test_an_administrator_reset_cannot_reuse_a_recent_password(world, password):
    with pytest.raises(ValidationFailed) as exc:
        services.reset_password(actor=world.user("sysadmin"), user=world.user("leader"), password=password)
    assert "新密码不能与当前密码相同。" in exc.value.errors["password"]


@pytest.mark.parametrize("candidate", ["Jixiao@2026", "jixiao@2026", "Admin@123456", "P@ssw0rd123", "1qaz@WSX3edc"])
def test_known_passwords_are_refused(world, candidate):
    """The public demo password and the usual three-class patterns, whatever the case."""
    with pytest.raises(ValidationFailed) as exc:
        services.create_user(actor=world.user("sysadmin"), region=world.regions["370724"], username="newbie",
                             display_name="新人", role=Role.AGENCY_PREPARER, password=candidate,
                             agency=world.agency("101002"))
    assert "该密码是公开或常见的密码（如演示密码），请换一个。" in exc.value.errors["password"]
    assert not User.objects.filter(username="newbie").exists()


def test_django_common_passwords_are_refused_too(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create_user(actor=world.user("sysadmin"), region=world.regions["370724"], username="newbie",
                             display_name="新人", role=Role.AGENCY_PREPARER, password="Password123",
                             agency=world.agency("101002"))
    assert exc.value.errors["password"]


def test_only_the_demo_builder_sets_the_demo_password(world, password):
    """The demo logins keep their published password through create_user(demo=True), which only
    SYSTEM may use; a person passing it is refused."""
    from django.core.exceptions import PermissionDenied

    from jixiao.core.actors import SYSTEM

    with pytest.raises(PermissionDenied):
        services.create_user(actor=world.user("sysadmin"), region=world.regions["370724"], username="newbie",
                             display_name="新人", role=Role.AGENCY_PREPARER, password=password,
                             agency=world.agency("101002"), demo=True)
    user = services.create_user(actor=SYSTEM, region=world.regions["370724"], username="newbie", display_name="新人",
                                role=Role.AGENCY_PREPARER, password=password, agency=world.agency("101002"), demo=True)
    assert user.check_password(password)
    assert _login(Client(), "preparer", password).status_code == 302  # the personas log in with it


# --- forced change after a reset, and 三员: a reset or a new account gets no business role by itself ----

def test_after_a_reset_the_holder_can_only_change_the_password(world, login, password):
    """Issue #11: the system administrator reset the leader's password and logged in as the leader.
    Now the account can do nothing but change the password (pages and API), and its business role
    waits for the security administrator."""
    sysadmin, leader = world.user("sysadmin"), world.user("leader")
    services.reset_password(actor=sysadmin, user=leader, password="Reset#Temp2026")
    client = Client()
    assert _login(client, "leader", "Reset#Temp2026").status_code == 302
    for path in ("/", "/org/agencies/", "/org/tokens/", "/projects/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"] == "/password/", path
    r = client.get("/api/v1/org/me")
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"
    page = client.get("/password/")
    assert page.status_code == 200 and "请先修改密码" in page.content.decode()
    assert _change(client, "Reset#Temp2026", "Reset#Temp2026").status_code == 200  # not the same one again
    assert _change(client, "Reset#Temp2026", "Mine#Own2026pw").status_code == 302
    leader.refresh_from_db()
    assert not leader.must_change_password
    # changed, but still without a business role until the security administrator grants it back
    assert leader.role == "" and leader.pending_role == Role.VIEWER
    me = client.get("/api/v1/org/me")
    assert me.status_code == 200 and me.json()["role"] is None, me.content
    r = login("sysadmin").post(f"/org/users/{leader.pk}/role/", {"version": leader.version, "role": "viewer"})
    assert r.status_code == 403
    r = login("secadmin").post(f"/org/users/{leader.pk}/role/", {"version": leader.version, "role": "viewer"})
    assert r.status_code == 302
    leader.refresh_from_db()
    assert (leader.role, leader.pending_role) == (Role.VIEWER, "")


def test_an_account_the_system_administrator_creates_has_no_business_role_until_granted(world, login):
    sysadmin = world.user("sysadmin")
    user = services.create_user(actor=sysadmin, region=world.regions["370724"], username="newbie", display_name="新人",
                                role=Role.PERFORMANCE_SECTION, password="Xinzhang#2026",
                                finance_section=world.section("S09"))
    assert (user.role, user.pending_role, user.must_change_password) == ("", Role.PERFORMANCE_SECTION, True)
    from jixiao.org.models import Agency

    assert not Agency.objects.for_user(user, "view").exists()  # sees no business data
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.change_role(actor=sysadmin, user=user, version=user.version, role=Role.PERFORMANCE_SECTION,
                             finance_section=world.section("S09"))
    granted = services.change_role(actor=world.user("secadmin"), user=user, version=user.version,
                                   role=Role.PERFORMANCE_SECTION, finance_section=world.section("S09"))
    assert (granted.role, granted.pending_role) == (Role.PERFORMANCE_SECTION, "")
    assert Agency.objects.for_user(granted, "view").exists()


def test_only_the_security_administrator_gives_a_business_role(world):
    """Every persona against the declaration: who may create an account (sysadmin, without the role),
    who may grant the role (secadmin), and that no reset by a person leaves the role in place."""
    from jixiao.core.scoping import can, permits
    from jixiao.org.personas import PERSONAS

    subject = world.user("unit_head")
    granters = {p.username for p in PERSONAS if permits(world.user(p.username), subject, "grant_role")}
    creators = {p.username for p in PERSONAS if can(world.user(p.username), User, "create")}
    resetters = {p.username for p in PERSONAS if permits(world.user(p.username), subject, "reset_password")}
    assert granters == {"secadmin"} and creators == {"sysadmin", "far_sysadmin"} and resetters == {"sysadmin"}
    for name in resetters:
        services.reset_password(actor=world.user(name), user=subject, password="Reset#Temp2026")
        subject.refresh_from_db()
        assert subject.role == "" and subject.pending_role == Role.AGENCY_HEAD


def test_moving_an_account_to_another_unit_is_a_grant_for_the_security_administrator(world, login):
    """三员: the system administrator moves the preparer to another school through the user page; the
    preparer's role is suspended (no business data) until the security administrator grants it for the
    new unit. A change of name or telephone leaves the role alone (issue #11)."""
    from jixiao.targets.models import TargetSheet

    preparer = world.user("preparer")
    other = next(a for (region, _), a in world.agencies.items()
                 if region == "370724" and a.pk != preparer.agency_id and a.kind == "unit")
    sysadmin = login("sysadmin")
    page = f"/org/users/{preparer.pk}/edit/"
    r = sysadmin.post(page, {"version": preparer.version, "display_name": "张会计", "agency": preparer.agency_id,
                             "phone": "0536-1234567", "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:500]
    preparer.refresh_from_db()
    assert (preparer.role, preparer.display_name) == (Role.AGENCY_PREPARER, "张会计")  # a profile edit

    r = sysadmin.post(page, {"version": preparer.version, "display_name": "张会计", "agency": other.pk,
                             "phone": "0536-1234567", "is_active": "on"}, follow=True)
    assert "须由安全保密管理员重新授权" in r.content.decode()
    preparer.refresh_from_db()
    assert (preparer.role, preparer.pending_role, preparer.agency_id) == ("", Role.AGENCY_PREPARER, other.pk)
    assert not TargetSheet.objects.for_user(preparer, "view").exists() and login("preparer").get(
        "/targets/").status_code in (302, 403)

    services.change_role(actor=world.user("secadmin"), user=preparer, version=preparer.version,
                         role=Role.AGENCY_PREPARER, agency=other)
    preparer.refresh_from_db()
    assert (preparer.role, preparer.pending_role) == (Role.AGENCY_PREPARER, "")


def test_reset_password_command(world, monkeypatch):
    """The command line resets a forgotten administrator's password through the service: the policy
    refuses a weak one, a good one works once and must then be changed; a security event of 系统."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="密码"):
        call_command("reset_password", "SecAdmin", "--stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO("Anquan#Reset2026\n"))
    out = io.StringIO()
    call_command("reset_password", "secadmin", "--stdin", stdout=out)
    user = User.objects.get(username="secadmin")
    assert user.check_password("Anquan#Reset2026") and user.must_change_password and user.role == Role.SECURITY_ADMIN
    event = SecurityEvent.objects.filter(code=SecurityEventCode.PASSWORD_RESET).get()
    assert event.actor_id is None and event.detail == {"user": "secadmin"}
    r = _login(Client(), "secadmin", "Anquan#Reset2026")
    assert r.status_code == 302
