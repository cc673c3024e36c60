"""Overdue reminders (remind_overdue_targets): a step waiting longer than the region's review_days
reminds its assignees once; a second run adds nothing; the next step is reminded on its own and the
previous reminder closes; the configured number of days is what counts."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F

from jixiao.core.models import InboxItem, RegionConfig, ReviewEvent
from jixiao.core.services import update_region_config
from jixiao.targets import services
from jixiao.targets.tests.factories import make_project, make_sheet

pytestmark = pytest.mark.django_db


def run() -> dict:
    out = io.StringIO()
    call_command("remind_overdue_targets", stdout=out)
    return json.loads(out.getvalue())


def _pass(days: int) -> None:
    """``days`` go by: every review event and inbox item so far moves that far into the past."""
    ReviewEvent.objects.update(created_at=F("created_at") - timedelta(days=days))
    InboxItem.objects.update(created_at=F("created_at") - timedelta(days=days))


def _reminders(username=None, open_only=True):
    qs = InboxItem.objects.filter(kind="deadline")
    if username:
        qs = qs.filter(user__username=username)
    return qs.filter(done_at__isnull=True) if open_only else qs


@pytest.fixture
def submitted(world):
    sheet = make_sheet(world)
    return services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)


def test_overdue_step_reminds_its_reviewer_once(world, submitted):
    assert run() == {"overdue_reviews": 0, "reminders_opened": 0, "reminders_closed": 0}  # not yet overdue
    _pass(6)  # default review_days: 5
    assert run()["reminders_opened"] == 1
    (item,) = _reminders()
    assert item.user.username == "unit_head" and "【审核超期】单位自审" in item.title and "已等待 6 天" in item.title
    assert item.url == f"/targets/{submitted.pk}/" and item.due_at is not None
    assert run() == {"overdue_reviews": 0, "reminders_opened": 0, "reminders_closed": 0}  # idempotent
    assert _reminders(open_only=False).count() == 1


def test_next_step_is_reminded_on_its_own_and_the_old_reminder_closes(world, submitted):
    _pass(6)
    run()
    services.approve_sheet(actor=world.user("unit_head"), sheet=submitted, version=submitted.version)
    result = run()  # the new step has just begun: the old reminder closes, nothing opens
    assert result == {"overdue_reviews": 0, "reminders_opened": 0, "reminders_closed": 1}
    assert not _reminders().exists()
    _pass(8)
    assert run()["reminders_opened"] == 1
    (item,) = _reminders()
    assert item.user.username == "dept_reviewer" and "主管部门审核" in item.title


def test_a_returned_sheet_is_not_reminded(world, submitted):
    sheet = services.approve_sheet(actor=world.user("unit_head"), sheet=submitted, version=submitted.version)
    services.return_sheet(actor=world.user("dept_reviewer"), sheet=sheet, version=sheet.version, opinion="请补充")
    _pass(30)
    assert run()["reminders_opened"] == 0


def test_the_region_configures_the_days(world, submitted):
    row = RegionConfig.objects.get(region=world.regions["370724"], year=2026, key="target_quality_params")
    update_region_config(actor=world.user("perf_section"), config=row, version=row.version,
                         raw={"qualitative_share_max": "30", "weight_total": "100", "review_days": 10})
    _pass(7)
    assert run()["reminders_opened"] == 0
    _pass(4)
    assert run()["reminders_opened"] == 1
    # another project's sheet, fresh, is left alone
    other = make_sheet(world, project=make_project(world, code="XM2026101001009", name="另一个项目"))
    services.submit_sheet(actor=world.user("preparer"), sheet=other, version=other.version)
    assert run()["reminders_opened"] == 0
