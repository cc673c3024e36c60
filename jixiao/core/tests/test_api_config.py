"""区划年度配置 over the API: read by the page's readers (the year's records and the value in force),
changed by the performance section with If-Match (412 stale, 428 missing), Chinese validation errors,
audited; other roles 403, other regions 404."""

from __future__ import annotations

import pytest

from jixiao.core import config
from jixiao.core.models import ChangeLog, RegionConfig
from jixiao.org.tests.test_api import send

pytestmark = pytest.mark.django_db
HOME, YEAR = "370724", 2026


@pytest.fixture
def api(world):
    from jixiao.org.tests.test_api import token_client

    return lambda username: token_client(world, username)


def _row(world, key, region=HOME, year=YEAR):
    return RegionConfig.objects.get(region=world.regions[region], year=year, key=key)


def test_every_reader_of_the_page_reads_every_key_and_the_value_in_force(world, api):
    for username in ("perf_section", "section_reviewer", "leader", "sysadmin"):
        r = api(username).get(f"/api/v1/config?year={YEAR}")
        assert r.status_code == 200, (username, r.content)
        items = {i["key"]: i for i in r.json()}
        assert set(items) == set(config.SPECS)
        taxonomy = items["taxonomy"]
        assert taxonomy["stored"] and taxonomy["id"] == _row(world, "taxonomy").pk
        assert taxonomy["value"] == {"version": "2021"} and taxonomy["fields"][0]["name"] == "version"
        assert items["deviation"]["value"] == {"threshold": "0.20"}
    # a year not opened: nothing stored, the value in force (before 2021: the classic taxonomy)
    items = {i["key"]: i for i in api("perf_section").get("/api/v1/config?year=2019").json()}
    assert items["taxonomy"] == {**items["taxonomy"], "id": None, "stored": False, "version": None,
                                 "value": {"version": "classic"}}
    for username in ("preparer", "dept_reviewer", "expert", "auditor"):
        assert api(username).get("/api/v1/config").status_code == 403
    assert api("perf_section").get("/api/v1/config?year=99999").status_code == 400


def test_detail_sends_an_etag_and_another_region_reads_404(world, api):
    row = _row(world, "rating_bands")
    r = api("section_reviewer").get(f"/api/v1/config/{row.pk}")
    assert r.status_code == 200 and r["ETag"] == f'"{row.version}"'
    assert r.json()["value"][0]["min_score"] == "90" and r.json()["shape"] == "rows"
    assert api("far_perf_section").get(f"/api/v1/config/{row.pk}").status_code == 404


def test_the_performance_section_changes_the_taxonomy_with_if_match(world, api):
    row = _row(world, "taxonomy")
    client = api("perf_section")
    missing = send(client, "PUT", f"/config/{row.pk}", {"value": {"version": "classic"}})
    assert missing.status_code == 428
    r = send(client, "PUT", f"/config/{row.pk}", {"value": {"version": "classic"}}, version=row.version)
    assert r.status_code == 200, r.content
    assert r.json()["value"] == {"version": "classic"} and r["ETag"] == f'"{row.version + 1}"'
    assert config.get(world.regions[HOME], YEAR, "taxonomy") == {"version": "classic"}
    log = ChangeLog.objects.filter(object_type="core.regionconfig", object_id=str(row.pk)).order_by("-seq").first()
    assert log.changes == {"value": [{"version": "2021"}, {"version": "classic"}]}
    assert log.actor_id == world.user("perf_section").pk
    # the old version again: stale, nothing changed
    stale = send(client, "PUT", f"/config/{row.pk}", {"value": {"version": "2021"}}, version=row.version)
    assert stale.status_code == 412
    assert config.get(world.regions[HOME], YEAR, "taxonomy") == {"version": "classic"}


@pytest.mark.parametrize("value,message", [
    ({"version": "2030"}, "应为以下之一"),
    ("classic", "应为一组字段"),
    ([{"version": "2021"}], "应为一组字段"),
    (None, "不能为空"),
])
def test_a_bad_value_is_refused_in_chinese_and_changes_nothing(world, api, value, message):
    row = _row(world, "taxonomy")
    r = send(api("perf_section"), "PUT", f"/config/{row.pk}", {"value": value}, version=row.version)
    assert r.status_code == 400
    assert message in str(r.json()), r.json()
    assert _row(world, "taxonomy").version == row.version


def test_rows_must_be_objects_and_other_roles_may_not_write(world, api):
    row = _row(world, "rating_bands")
    r = send(api("perf_section"), "PUT", f"/config/{row.pk}", {"value": ["x"]}, version=row.version)
    assert r.status_code == 400 and "应为若干行" in str(r.json())
    for username in ("section_reviewer", "leader", "sysadmin", "preparer"):
        assert send(api(username), "PUT", f"/config/{row.pk}", {"value": []}, version=row.version).status_code == 403
    assert send(api("far_perf_section"), "PUT", f"/config/{row.pk}", {"value": []},
                version=row.version).status_code == 404
    assert _row(world, "rating_bands").version == row.version
