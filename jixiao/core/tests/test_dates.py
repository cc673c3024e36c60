"""Local dates and times (issue #10 "the first hour", #9): every date a user reads is the region's
local date, and the log pages read in Chinese."""

import datetime as dt

import pytest
from django.template import Context, Template

from jixiao.core import audit, dates
from jixiao.core.choices import ChangeAction, SecurityEventCode

UTC = dt.UTC
# 21:55 UTC on 12-01 is 05:55 on 12-02 in Beijing
LATE_UTC = dt.datetime(2026, 12, 1, 21, 55, tzinfo=UTC)


def test_local_date_is_the_regions_day_not_utcs():
    assert LATE_UTC.date() == dt.date(2026, 12, 1)
    assert dates.local_date(LATE_UTC) == dt.date(2026, 12, 2)
    assert dates.local_datetime(LATE_UTC).hour == 5


def test_a_region_with_its_own_zone_reads_its_own_day():
    class Region:
        time_zone = "Asia/Urumqi"   # UTC+6

    assert dates.local_datetime(LATE_UTC, Region()).hour == 3
    assert dates.local_date(dt.datetime(2026, 12, 1, 17, 30, tzinfo=UTC), Region()) == dt.date(2026, 12, 1)
    assert dates.local_date(dt.datetime(2026, 12, 1, 17, 30, tzinfo=UTC)) == dt.date(2026, 12, 2)


def test_a_plain_date_stays_and_now_is_local():
    assert dates.local_date(dt.date(2026, 3, 5)) == dt.date(2026, 3, 5)
    assert dates.local_date() == dates.local_datetime().date()


@pytest.mark.parametrize("text, shown", [
    ("2026-12-01T22:18:00+00:00", "2026-12-02 06:18"),
    ("2026-12-01T22:18:00.123456Z", "2026-12-02 06:18"),
    ("2026-12-02T06:18:00+08:00", "2026-12-02 06:18"),
    ("第一中学", "第一中学"),
    ("2026", "2026"),
    ("", ""),
])
def test_format_local_reads_stored_iso_instants(text, shown):
    assert dates.format_local(text) == shown


def test_template_filters():
    out = Template("{% load jixiao %}{{ t|localday }}|{{ t|localtime_text }}|{{ s|localtime_text }}|{{ n|localday }}").render(
        Context({"t": LATE_UTC, "s": "2026-12-01T22:18:00+00:00", "n": None}))
    assert out == "2026-12-02|2026-12-02 05:55|2026-12-02 06:18|"


@pytest.mark.django_db
def test_change_log_page_shows_chinese_model_names_and_local_times(world, login):
    agency = world.agency("101001")
    audit.record_change(actor=world.user("sysadmin"), obj=agency, action=ChangeAction.UPDATE,
                        before={"name": "旧名", "updated_at": "2026-12-01T22:18:00+00:00"},
                        after={"name": "新名", "updated_at": "2026-12-01T23:00:00+00:00"})
    body = login("auditor").get("/core/audit/changes/").content.decode()
    assert "预算单位 #" in body
    assert "org.agency" not in body
    assert "2026-12-02 06:18:00 → 2026-12-02 07:00:00" in body
    assert "T22:18" not in body


@pytest.mark.django_db
def test_security_event_details_read_in_chinese(world, login):
    audit.security_event(SecurityEventCode.IMPORT, actor=world.user("perf_section"), ip="10.0.0.1",
                         detail={"what": "targets", "created": 0, "updated": 3, "year": 2026})
    audit.security_event(SecurityEventCode.ROLE_CHANGE, actor=world.user("sysadmin"), ip="10.0.0.1",
                         detail={"user": "preparer", "from": "agency_preparer", "to": "agency_head"})
    body = login("auditor").get("/core/audit/security/").content.decode()
    assert "对象：绩效目标表" in body and "新增：0" in body and "更新：3" in body
    assert "原角色：单位填报人" in body and "新角色：单位负责人" in body
    assert "what=" not in body and "agency_preparer" not in body


@pytest.mark.django_db
def test_config_page_shows_chinese_labels_not_internal_codes(world, login):
    body = login("perf_section").get("/core/config/").content.decode()
    assert "立项必要性" in body and "单位自审" in body and "拒不开展绩效管理" in body and "暂缓支持" in body
    for code in ("necessity", "agency_self", "refused_performance_management", ">defer<", "incomplete_row",
                 "target_reasonableness", ">fair<"):
        assert code not in body, code
