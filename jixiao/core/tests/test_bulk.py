"""The set-based writer (core.bulk), on whichever database the suite runs (SQLite, or PostgreSQL
with DATABASE_URL): reserved ids are fresh and never a deleted row's, constant columns are prepared
once through their fields (JSON, datetimes, defaults, auto_now), rows go in by chunks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from jixiao.core import bulk
from jixiao.core.models import InboxItem, Review
from tests.reviewapp.models import Sheet

pytestmark = pytest.mark.django_db


def _sheet(world, title="设备购置"):
    return Sheet.objects.create(region=world.regions["370724"], agency=world.agency("101001"), title=title)


def test_reserved_ids_are_fresh_ascending_and_never_a_deleted_rows(world):
    first = _sheet(world)
    last = _sheet(world)
    top = last.pk
    last.delete()  # the highest id is gone: it must not be given again
    ids = bulk.reserve_ids(Sheet, 3)
    assert len(ids) == 3 and ids == sorted(ids) and len(set(ids)) == 3
    assert min(ids) > top > first.pk
    # the reservation is honoured by an insert with those ids, and the next reservation is above them
    bulk.insert(Sheet, ["id", "title"], [(i, f"批量{i}") for i in ids],
                {"region": world.regions["370724"].pk, "agency_id": world.agency("101001").pk}, with_id=True)
    assert sorted(Sheet.objects.filter(title__startswith="批量").values_list("pk", flat=True)) == ids
    assert min(bulk.reserve_ids(Sheet, 2)) > max(ids)
    # an ordinary ORM insert afterwards does not collide either
    assert _sheet(world).pk > max(ids)
    assert bulk.reserve_ids(Sheet, 0) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reserving_on_sqlite_needs_the_write_lock_of_a_transaction(world):
    if connection.vendor == "sqlite":
        with pytest.raises(RuntimeError):
            bulk.reserve_ids(Sheet, 1)
    else:  # PostgreSQL: the sequence hands out values safely in autocommit too
        assert len(bulk.reserve_ids(Sheet, 2)) == 2
    with transaction.atomic():
        assert len(bulk.reserve_ids(Sheet, 2)) == 2


def test_constants_json_datetimes_defaults_and_auto_now_are_prepared_once(world):
    sheets = [_sheet(world, f"对象{n}") for n in range(3)]
    ct = ContentType.objects.get_for_model(Sheet)
    now = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    steps = [{"code": "agency_self", "name": "单位自审", "role": "agency_head", "optional": False}]
    written = bulk.insert(Review, ["agency", "object_id", "title"],
                          [(s.agency_id, s.pk, f"{s.title}绩效目标") for s in sheets],
                          {"region_id": world.regions["370724"].pk, "chain": "bulktest", "year": 2026,
                           "content_type": ct.pk, "steps": steps, "submit_roles": ["agency_preparer"]}, now=now)
    assert written == 3
    rows = list(Review.objects.filter(chain="bulktest").order_by("object_id"))
    assert [(r.object_id, r.title, r.agency_id) for r in rows] == [
        (s.pk, f"{s.title}绩效目标", s.agency_id) for s in sheets]
    for r in rows:
        assert r.steps == steps and r.submit_roles == ["agency_preparer"]  # JSON, as the ORM reads it back
        assert r.status == "draft" and r.position == -1 and r.step_approvals == [] and r.version == 1  # defaults
        assert r.created_at == now and r.updated_at == now  # auto_now(_add): the given "now"
        assert r.subject == sheets[rows.index(r)]


def test_rows_go_in_by_chunks_with_nulls_and_prepared_datetimes(world):
    user = world.user("preparer")
    table = bulk.Insert(InboxItem, ["title", "object_id", "due_at"],
                        {"region": user.region_id, "user": user.pk, "kind": "review"})
    due = dt.datetime(2026, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    rows = [(f"待办{n}", n if n % 2 else None, table.prep("due_at", due + dt.timedelta(days=n)) if n % 3 else None)
            for n in range(7)]
    assert table.run(rows, chunk=3) == 7  # three chunks: 3 + 3 + 1
    got = list(InboxItem.objects.filter(user=user, title__startswith="待办").order_by("title")
               .values_list("title", "object_id", "due_at", "url", "content_type_id", "done_at"))
    assert got == [(f"待办{n}", n if n % 2 else None, due + dt.timedelta(days=n) if n % 3 else None, "", None, None)
                   for n in range(7)]
    assert table.run([]) == 0


def test_a_varying_json_column_goes_through_prep(world):
    sheets = [_sheet(world, f"对象{n}") for n in range(2)]
    table = bulk.Insert(Review, ["object_id", "title", "steps"],
                        {"region": world.regions["370724"].pk, "chain": "jsontest", "year": 2026,
                         "content_type": ContentType.objects.get_for_model(Sheet).pk})
    table.run([(s.pk, s.title, table.prep("steps", [{"name": f"第{n}步"}])) for n, s in enumerate(sheets)])
    assert [r.steps for r in Review.objects.filter(chain="jsontest").order_by("object_id")] == [
        [{"name": "第0步"}], [{"name": "第1步"}]]


def test_rows_as_dicts_prepare_each_varying_value(world):
    user = world.user("preparer")
    due = dt.datetime(2026, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    rows = [{"region_id": user.region_id, "user_id": user.pk, "kind": "review", "title": f"字典{n}",
             "due_at": due + dt.timedelta(hours=n) if n else None} for n in range(3)]
    assert bulk.insert_dicts(InboxItem, rows, constant=("region_id", "user_id", "kind")) == 3
    assert list(InboxItem.objects.filter(title__startswith="字典").order_by("title").values_list("title", "due_at")) == [
        ("字典0", None), ("字典1", due + dt.timedelta(hours=1)), ("字典2", due + dt.timedelta(hours=2))]
    assert bulk.insert_dicts(InboxItem, []) == 0


def test_misnamed_columns_are_refused():
    with pytest.raises(ValueError, match="no column"):
        bulk.Insert(Sheet, ["title", "colour"])
    with pytest.raises(ValueError, match="both varying and constant"):
        bulk.Insert(Sheet, ["title"], {"title": "x"})
    with pytest.raises(ValueError, match="named twice"):
        bulk.Insert(Sheet, ["region", "region_id"])


def test_chunks():
    assert [list(c) for c in bulk.chunks(list(range(5)), 2)] == [[0, 1], [2, 3], [4]]
    assert list(bulk.chunks([], 2)) == []


def test_update_sets_the_fields_of_rows_by_id_prepared_and_by_chunks(world):
    user = world.user("preparer")
    items = [InboxItem.objects.create(region_id=user.region_id, user=user, kind="review", title=f"更新{n}")
             for n in range(5)]
    done = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    assert bulk.update(InboxItem, ["title", "done_at"], [(i.pk, f"已改{n}", done if n % 2 else None)
                                                         for n, i in enumerate(items[:4])], chunk=3) == 4
    got = list(InboxItem.objects.filter(pk__in=[i.pk for i in items]).order_by("pk").values_list("title", "done_at"))
    assert got == [("已改0", None), ("已改1", done), ("已改2", None), ("已改3", done), ("更新4", None)]
    assert bulk.update(InboxItem, ["title"], []) == 0
