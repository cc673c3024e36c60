"""Actions as data (issue #8): one declaration per model, read by can / permits / check / for_user,
and the SYSTEM actor that passes role and scope tests but not state tests."""

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.core.actors import SYSTEM, person
from jixiao.core.errors import TransitionError
from jixiao.core.scoping import action, actions_for, can, check, in_scope, permits, refusal, scope_rule
from tests.reviewapp.models import Sheet


@pytest.fixture
def sheet(world):
    return Sheet.objects.create(region=world.regions["370724"], agency=world.agency("101001"), title="教学设备")


def test_can_reads_the_declared_roles(world):
    assert can(world.user("preparer"), Sheet, "submit")
    assert not can(world.user("perf_section"), Sheet, "submit")
    assert can(world.user("perf_section"), Sheet, "publish")
    assert not can(world.user("leader"), Sheet, "publish")
    with pytest.raises(ValueError, match="unknown action"):
        can(world.user("preparer"), Sheet, "explode")


def test_permits_combines_role_scope_and_state(world, sheet):
    assert permits(world.user("preparer"), sheet, "submit")
    # same role, another agency: out of scope
    assert not permits(world.user("preparer_agri"), sheet, "submit")
    assert not permits(world.user("far_preparer"), sheet, "submit")
    sheet.status = "approved"
    sheet.save()
    assert not permits(world.user("preparer"), sheet, "submit")
    assert permits(world.user("perf_section"), sheet, "publish")
    assert not permits(world.user("far_perf_section"), sheet, "publish")


def test_the_test_condition_is_part_of_the_declaration(world, sheet):
    sheet.status = "approved"
    sheet.title = "secret"
    sheet.save()
    assert not permits(world.user("perf_section"), sheet, "publish")
    with pytest.raises(TransitionError):
        check(world.user("perf_section"), sheet, "publish")


def test_check_raises_the_refusal_a_service_needs(world, sheet):
    with pytest.raises(PermissionDenied, match="只有绩效股可以公开"):
        check(world.user("preparer"), sheet, "publish")
    with pytest.raises(PermissionDenied, match="数据权限范围"):
        check(world.user("preparer_agri"), sheet, "submit")
    with pytest.raises(TransitionError, match="当前状态为“草稿”，不能公开"):
        check(world.user("perf_section"), sheet, "publish")
    check(world.user("preparer"), sheet, "submit")  # allowed: no exception
    assert refusal(world.user("preparer"), sheet, "submit") is None


def test_view_scoped_action_uses_the_view_scope(world, sheet):
    # the leader cannot change anything but may "comment" (scope=view) on a sheet of the region
    assert permits(world.user("leader"), sheet, "comment")
    assert not permits(world.user("far_leader"), sheet, "comment")


def test_for_user_with_a_declared_action_filters_role_state_and_scope(world, sheet):
    other = Sheet.objects.create(region=sheet.region, agency=sheet.agency, title="已批", status="approved")
    assert list(Sheet.objects.for_user(world.user("preparer"), "submit")) == [sheet]
    assert list(Sheet.objects.for_user(world.user("perf_section"), "publish")) == [other]
    assert not Sheet.objects.for_user(world.user("preparer_agri"), "submit").exists()
    assert not Sheet.objects.for_user(world.user("leader"), "submit").exists()


def test_actions_for_lists_every_declared_action(world, sheet):
    acts = actions_for(world.user("preparer"), sheet)
    assert acts == {"submit": True, "publish": False, "comment": False}
    assert actions_for(world.user("perf_section"), sheet) == {"submit": False, "publish": False, "comment": True}


def test_anonymous_may_do_nothing(world, sheet):
    from django.contrib.auth.models import AnonymousUser

    assert not permits(AnonymousUser(), sheet, "submit")
    assert not can(AnonymousUser(), Sheet, "submit")
    assert not Sheet.objects.for_user(AnonymousUser(), "view").exists()


def test_system_passes_role_and_scope_but_not_state(world, sheet):
    assert can(SYSTEM, Sheet, "publish")
    assert in_scope(sheet, SYSTEM, "change")
    assert set(Sheet.objects.for_user(SYSTEM, "view")) == {sheet}
    check(SYSTEM, sheet, "submit")
    with pytest.raises(TransitionError):
        check(SYSTEM, sheet, "publish")  # draft: the state rule holds for the command line too
    assert person(SYSTEM) is None
    assert person(world.user("preparer")) == world.user("preparer")


def test_a_forgotten_actor_fails_loudly(world, sheet):
    with pytest.raises(TypeError, match="SYSTEM"):
        Sheet.objects.for_user(None, "view")
    with pytest.raises(TypeError, match="SYSTEM"):
        check(None, sheet, "submit")


def test_declarations_refuse_mistakes():
    with pytest.raises(ValueError, match="CRUD"):
        action("view", "查看", roles=["viewer"])
    with pytest.raises(ValueError, match="unknown CRUD"):
        scope_rule(approve=["viewer"])


# --- no write without an actor --------------------------------------------------------------------

def _every_service():
    """Every function decorated with ``@service`` in every app module (found, not listed: a new
    service is covered the day it is written)."""
    import importlib
    import pkgutil

    import jixiao

    seen = {}
    for info in pkgutil.walk_packages(jixiao.__path__, "jixiao."):
        if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(".management.commands"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if callable(value) and getattr(value, "is_service", False):
                seen[f"{value.__module__}.{value.__qualname__}"] = value
    return seen


def test_every_service_refuses_a_missing_actor_before_it_writes(world):
    """``actor=None`` fails loudly in the service decorator itself — before a scope check could be
    skipped or a row written — for every service of every app (issue #8 item 3)."""
    from jixiao.core.models import ChangeLog, SecurityEvent

    services = _every_service()
    assert len(services) > 60, sorted(services)  # the apps' services were found
    before = (ChangeLog.objects.count(), SecurityEvent.objects.count())
    for name, fn in services.items():
        with pytest.raises(TypeError, match=f"{name.removeprefix('jixiao.')}: actor is None"):
            fn(actor=None)
        with pytest.raises(TypeError, match="actor is None"):
            fn()  # an actor left out altogether
    assert (ChangeLog.objects.count(), SecurityEvent.objects.count()) == before


def test_the_audit_log_names_who_acted_or_refuses(world):
    """A log row names a user, 系统 (SYSTEM) or, before login, the name tried; never a silent blank."""
    from jixiao.core import audit
    from jixiao.core.choices import ChangeAction, SecurityEventCode
    from jixiao.core.models import SecurityEvent

    agency = world.agency("101001")
    for actor in (None, world.user("preparer").__class__()):  # forgotten, or a user never saved
        with pytest.raises(TypeError):
            audit.record_change(actor=actor, obj=agency, action=ChangeAction.UPDATE, before={"name": "x"})
        with pytest.raises(TypeError):
            audit.security_event(SecurityEventCode.EXPORT, actor=actor)
    assert audit.record_change(actor=SYSTEM, obj=agency, action=ChangeAction.UPDATE,
                               before={"name": "x"}).actor_name == "系统"
    event = audit.security_event(SecurityEventCode.LOGIN_FAILED, actor=audit.UNAUTHENTICATED, username="某人")
    assert (event.actor_id, event.username) == (None, "某人")
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
