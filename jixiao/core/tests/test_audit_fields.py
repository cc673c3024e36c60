"""Every field of every audited model is logged with its value before and after (issue #11, F14):
the walk covers every model of the project — audited on its own, inside its parent's snapshot
(``audit_parent``) or excused in ``audit.NOT_AUDITED`` with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from jixiao.core import audit
from jixiao.core.actors import SYSTEM
from jixiao.core.models import ChangeLog
from jixiao.monitoring.models import MonitoringRow
from jixiao.targets import services as target_services
from jixiao.targets.models import TargetIndicator, TargetTask
from jixiao.targets.tests.factories import GOOD_ROWS, make_sheet

PROJECT_APPS = {"core", "org", "library", "pools", "projects", "targets", "assessment", "monitoring"}


def project_models():
    return sorted((m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS),
                  key=lambda m: m._meta.label_lower)


def own_models():
    return [m for m in project_models()
            if m._meta.label_lower not in audit.NOT_AUDITED and not getattr(m, "audit_parent", None)]


def child_models():
    return [m for m in project_models() if getattr(m, "audit_parent", None)]


def test_every_model_is_audited_or_excused_with_a_reason():
    labels = {m._meta.label_lower for m in project_models()}
    stale = set(audit.NOT_AUDITED) - labels
    assert not stale, f"NOT_AUDITED names models that no longer exist: {sorted(stale)}"
    assert all(reason.strip() for reason in audit.NOT_AUDITED.values())
    for child in child_models():
        parent = child._meta.get_field(child.audit_parent).related_model
        assert parent._meta.label_lower not in audit.NOT_AUDITED, f"{child} is audited inside an unaudited {parent}"
        assert any(c is child for _n, c, _fk in audit.child_relations(parent))
    # the models this issue named are audited
    assert {"targets.targetindicator", "targets.targettask", "core.reviewevent"} <= {
        m._meta.label_lower for m in own_models() + child_models()}


def _other(field, value):
    """A value of ``field``'s type different from ``value``."""
    if isinstance(field, models.ForeignKey):
        return (value or 0) + 1000
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, (models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
                          models.PositiveIntegerField, models.PositiveSmallIntegerField,
                          models.PositiveBigIntegerField, models.AutoField)):
        return (value or 0) + 1
    if isinstance(field, models.DecimalField):
        return Decimal(value or 0) + 1
    if isinstance(field, models.DateTimeField):
        return timezone.now() - dt.timedelta(days=3) if value is None else value + dt.timedelta(days=1)
    if isinstance(field, models.DateField):
        return dt.date(2026, 1, 2) if value is None else value + dt.timedelta(days=1)
    if isinstance(field, models.JSONField):
        return {"changed": [1, 2]} if value != {"changed": [1, 2]} else {"other": 1}
    if isinstance(field, models.FileField):
        return "changed/file.xlsx"
    if isinstance(field, (models.CharField, models.TextField)):
        choices = [c for c, _ in field.flatchoices]
        others = [c for c in choices if c != value]
        return others[0] if others else f"{value or ''}变更"
    raise AssertionError(f"no test value for {field.__class__.__name__} {field}")


@pytest.mark.parametrize("model", own_models(), ids=lambda m: m._meta.label_lower)
def test_each_field_change_of_an_audited_model_is_logged_with_its_before_and_after(world, model):
    expected = {f.attname for f in model._meta.concrete_fields if f.name not in audit.SKIP_FIELDS}
    assert {f.attname for f in audit.audited_fields(model)} == expected
    home, other = world.regions["370724"].pk, world.regions["654022"].pk
    obj = model()
    if hasattr(obj, "region_id"):
        obj.region_id = home  # the log row's region must exist
    for f in audit.audited_fields(model):
        if f.primary_key:
            continue  # the row's identity (the log row's object_id), never edited
        before = audit.snapshot(obj)
        old = getattr(obj, f.attname)
        setattr(obj, f.attname, (other if old == home else home) if f.name == "region" else _other(f, old))
        # what record_change stores as the row's changes (the rows themselves: the tests below)
        assert audit.diff(before, audit.snapshot(obj)) == {
            f.attname: [audit.jsonable(old), audit.jsonable(getattr(obj, f.attname))]}, (
            f"changing {model._meta.label_lower}.{f.attname} is not logged with its before and after")


def _indicator(world):
    return make_sheet(world).indicators.get(position=2)


def _task(world):
    preparer = world.user("preparer")
    sheet = target_services.create_sheet(actor=preparer, year=2026, agency=world.agency("101001"),
                                         annual_goal="一、完成教学任务。")
    sheet = target_services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
        {"name": "教育教学", "content": "保障日常教学", "amount": "1000", "fiscal_amount": "1000"}])
    return sheet.tasks.get(position=1)


def _monitoring_row(world):
    from jixiao.monitoring.tests.factories import school_table

    return school_table(world).rows.get(position=2)


#: one saved row of each child model (a child model without one fails the walk)
CHILD_ROWS = {TargetIndicator: _indicator, TargetTask: _task, MonitoringRow: _monitoring_row}


@pytest.mark.parametrize("child", child_models(), ids=lambda m: m._meta.label_lower)
def test_each_field_change_of_a_child_row_writes_its_before_and_after_on_the_parent(world, child):
    assert child in CHILD_ROWS, f"add a saved {child._meta.label_lower} to CHILD_ROWS"
    row = CHILD_ROWS[child](world)
    fk = child.audit_parent
    parent = getattr(row, fk)
    rel = child._meta.get_field(fk).remote_field.related_name
    fields = audit.child_fields(child, fk)
    assert {f.name for f in fields} == {f.name for f in child._meta.concrete_fields} - {
        "id", fk, "region", "position"} - audit.SKIP_FIELDS
    for f in fields:
        if isinstance(f, models.ForeignKey):
            continue  # a foreign key (the adopted template) must point at a row: below
        before = audit.snapshot(parent)
        old = getattr(row, f.attname)
        new = _other(f, old)
        child.objects.filter(pk=row.pk).update(**{f.attname: new})
        log = audit.log_update(actor=SYSTEM, obj=parent, before=before)
        assert log is not None, f"changing {child._meta.label_lower}.{f.attname} wrote no row"
        key = f"{rel}.{row.position}.{f.attname}"
        row.refresh_from_db()
        assert ChangeLog.objects.get(pk=log.pk).changes == {
            key: [audit.jsonable(old), audit.jsonable(getattr(row, f.attname))]}


def test_editing_an_indicators_weight_standard_explanation_and_level_writes_before_and_after(world):
    preparer = world.user("preparer")
    sheet = make_sheet(world)
    rows = [dict(r) for r in GOOD_ROWS]
    rows[0].update(weight="25", scoring_standard="完成得满分", explanation="按验收报告计")
    rows[1].update(level2="timeliness")
    before = ChangeLog.objects.count()
    sheet = target_services.save_indicators(actor=preparer, sheet=sheet, version=sheet.version, rows=rows)
    assert ChangeLog.objects.count() == before + 1
    row = ChangeLog.objects.order_by("-seq").first()
    assert (row.object_type, row.object_id, row.actor_id) == ("targets.targetsheet", str(sheet.pk), preparer.pk)
    assert row.changes["indicators.1.weight"] == ["20.00", "25.00"]
    assert row.changes["indicators.1.scoring_standard"] == ["", "完成得满分"]
    assert row.changes["indicators.1.explanation"] == ["", "按验收报告计"]
    assert row.changes["indicators.2.level2"] == ["quality", "timeliness"]
    assert "indicators.3.weight" not in row.changes  # unchanged indicators stay out
    shown = {label: (b, a) for label, b, a in audit.labeled_changes(row)}
    assert shown["绩效指标第 1 项·分值"] == ("20.00", "25.00")
    assert shown["绩效指标第 2 项·二级指标"] == ("质量指标", "时效指标")


def test_editing_a_tasks_content_writes_before_and_after(world):
    task = _task(world)
    preparer = world.user("preparer")
    sheet = task.sheet
    target_services.save_tasks(actor=preparer, sheet=sheet, version=sheet.version, rows=[
        {"name": "教育教学", "content": "保障日常教学与课后服务", "amount": "1000", "fiscal_amount": "1000"}])
    row = ChangeLog.objects.order_by("-seq").first()
    assert row.changes == {"tasks.1.content": ["保障日常教学", "保障日常教学与课后服务"]}
