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
