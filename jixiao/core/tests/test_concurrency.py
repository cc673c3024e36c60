"""Optimistic concurrency: the version travels with each edit and a stale write is refused."""

import re

import pytest
from django.db import transaction

from jixiao.core.concurrency import bump, lock_checked, parse_if_match
from jixiao.core.errors import StaleVersion
from jixiao.core.models import ChangeLog
from jixiao.org import services
from jixiao.org.models import Agency


def test_lock_checked_returns_the_row_at_the_current_version(world):
    agency = world.agency("101001")
    with transaction.atomic():
        locked = lock_checked(Agency, agency.pk, agency.version)
        assert locked.pk == agency.pk and locked.version == agency.version
        assert lock_checked(Agency, agency.pk, str(agency.version)).pk == agency.pk  # as posted by a form


@pytest.mark.parametrize("given", [None, 0, 2, "2", "", "abc", "1.0"])
def test_lock_checked_refuses_stale_missing_or_garbled_versions(world, given):
    agency = world.agency("101001")
    assert agency.version == 1
    with transaction.atomic(), pytest.raises(StaleVersion) as exc:
        lock_checked(Agency, agency.pk, given)
    assert exc.value.status == 412 and exc.value.code == "stale_version"
    assert exc.value.current == 1
    assert "该记录已被他人修改（当前版本 1，" in exc.value.message


def test_lock_checked_after_someone_else_saved(world):
    perf = world.user("perf_section")
    agency = world.agency("101001")
    services.update_agency(actor=perf, agency=agency, version=agency.version, name="一中")
    with pytest.raises(StaleVersion) as exc:
        services.update_agency(actor=perf, agency=agency, version=agency.version, name="二中")
    assert (exc.value.current, exc.value.given) == (2, 1)
    assert Agency.objects.get(pk=agency.pk).name == "一中"


def test_bump():
    class Obj:
        version = 3

    o = Obj()
    bump(o)
    assert o.version == 4
    o.version = None
    bump(o)
    assert o.version == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [('"3"', 3), ("3", 3), ('W/"7"', 7), (" 12 ", 12), (None, None), ("", None), ("*", None), ('"abc"', None),
     ("-1", None)],
)
def test_parse_if_match(header, expected):
    assert parse_if_match(header) == expected


def _form(client, pk):
    html = client.get(f"/org/agencies/{pk}/edit/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return {"version": version, "code": "101001", "name": "临朐县第一中学", "kind": "unit",
            "parent": str(Agency.objects.get(code="101", region__code="370724").pk), "sector": "", "active": "on"}


def test_two_edits_of_the_same_agency_the_second_is_told_and_changes_nothing(world, login):
    agency = world.agency("101001")
    alice, bob = login("perf_section"), login("sysadmin")
    alice_form, bob_form = _form(alice, agency.pk), _form(bob, agency.pk)
    assert alice_form["version"] == bob_form["version"] == "1"

    r = alice.post(f"/org/agencies/{agency.pk}/edit/", {**alice_form, "name": "临朐县第一中学（甲）"})
    assert r.status_code == 302
    logged = ChangeLog.objects.count()

    r = bob.post(f"/org/agencies/{agency.pk}/edit/", {**bob_form, "name": "临朐县第一中学（乙）"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "已被他人修改" in body and "请刷新页面" in body
    assert 'data-testid="form-errors"' in body
    fresh = Agency.objects.get(pk=agency.pk)
    assert (fresh.name, fresh.version) == ("临朐县第一中学（甲）", 2)
    assert ChangeLog.objects.count() == logged

    # after reloading, Bob's edit goes through on top of Alice's
    r = bob.post(f"/org/agencies/{agency.pk}/edit/", {**_form(bob, agency.pk), "name": "临朐县第一中学（乙）"})
    assert r.status_code == 302
    assert Agency.objects.get(pk=agency.pk).name == "临朐县第一中学（乙）"


def test_an_edit_form_without_a_version_is_refused(world, login):
    agency = world.agency("101001")
    client = login("perf_section")
    form = _form(client, agency.pk)
    form.pop("version")
    r = client.post(f"/org/agencies/{agency.pk}/edit/", {**form, "name": "无版本号"})
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    assert Agency.objects.get(pk=agency.pk).name == "临朐县第一中学"
