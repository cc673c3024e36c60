"""Two audit layers (F14, architecture.md house style 5).

* the change log: who changed which object when, with the fields before and after;
* the security-event log: logins, failed logins, lockouts, role changes, exports …

Both are append-only hash chains: each row stores the hash of the row before it and a hash over its
own content, and a head row stores the last sequence number and hash. ``verify_chain`` recomputes
everything and reports any row that was altered, removed or inserted behind the application's back.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from jixiao.core.choices import ChangeAction
from jixiao.core.models import AuditChainHead, ChangeLog, SecurityEvent

GENESIS = "0" * 64
SKIP_FIELDS = {"version", "password", "updated_at", "last_login"}


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def row_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def jsonable(value):
    """Field values as JSON-stable primitives (Decimal and dates as strings)."""
    return json.loads(canonical({"v": value}))["v"]


def snapshot(obj: models.Model) -> dict:
    """The audited fields of a model instance: concrete fields by attname, many-to-many as sorted ids."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in SKIP_FIELDS:
            continue
        data[f.attname] = jsonable(getattr(obj, f.attname))
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return data


def _append(model, **fields):
    """Append one row to a chain. The head row is locked, so concurrent writers queue up and the
    chain stays linear on PostgreSQL as on SQLite."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.get_or_create(name=model.CHAIN)
        head = AuditChainHead.objects.select_for_update().get(pk=head.pk)
        now = timezone.now()
        row = model(seq=head.last_seq + 1, created_at=now, prev_hash=head.last_hash, **fields)
        # Round-trip the JSON payload so the hash covers exactly what the database will give back.
        for name in ("changes", "detail"):
            if hasattr(row, name):
                setattr(row, name, jsonable(getattr(row, name)))
        row.hash = row_hash(row.prev_hash, row.hash_fields())
        row.save()
        head.last_seq = row.seq
        head.last_hash = row.hash
        head.save(update_fields=["last_seq", "last_hash"])
        return row


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "pk", None):
        return {"actor": None, "actor_name": "系统"}
    return {"actor": actor, "actor_name": getattr(actor, "display_name", "") or actor.get_username()}


def _region_id_of(obj, actor) -> int | None:
    for attr in ("region_id",):
        value = getattr(obj, attr, None)
        if value:
            return value
    if obj.__class__.__name__ == "Region":
        return obj.pk
    return getattr(actor, "region_id", None)


def record_change(*, actor, obj: models.Model, action: str, before: dict | None = None, after: dict | None = None):
    """Write one change-log row. ``changes`` keeps only the fields that differ, as [before, after]."""
    before = before or {}
    after = after if after is not None else (snapshot(obj) if action != ChangeAction.DELETE else {})
    keys = sorted(set(before) | set(after))
    changes = {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}
    if action == ChangeAction.UPDATE and not changes:
        return None
    meta = obj._meta
    return _append(
        ChangeLog,
        region_id=_region_id_of(obj, actor),
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        action=action,
        changes=changes,
        **_actor_fields(actor),
    )


def log_create(*, actor, obj):
    return record_change(actor=actor, obj=obj, action=ChangeAction.CREATE)


def log_update(*, actor, obj, before: dict):
    return record_change(actor=actor, obj=obj, action=ChangeAction.UPDATE, before=before)


def log_delete(*, actor, obj, before: dict):
    return record_change(actor=actor, obj=obj, action=ChangeAction.DELETE, before=before, after={})


def security_event(code: str, *, actor=None, username: str = "", region_id=None, ip: str = "", detail=None):
    fields = _actor_fields(actor)
    return _append(
        SecurityEvent,
        actor=fields["actor"],
        username=username or (actor.get_username() if fields["actor"] else ""),
        region_id=region_id if region_id is not None else getattr(actor, "region_id", None),
        code=code,
        ip=ip[:64],
        detail=detail or {},
    )


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@dataclass
class ChainProblem:
    chain: str
    seq: int | None
    message: str


def verify_chain(model) -> tuple[int, list[ChainProblem]]:
    """Walk a chain in order (streaming) and report every inconsistency: altered content, a broken
    link, a missing sequence number (deleted row) or a head that does not match the last row
    (rows removed from the end)."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    last_seq, last_hash = 0, GENESIS
    for row in model.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if row.seq != expected_seq:
            problems.append(
                ChainProblem(model.CHAIN, row.seq, f"序号不连续：缺少第 {expected_seq}–{row.seq - 1} 条（记录被删除）")
            )
        if row.prev_hash != prev_hash:
            problems.append(ChainProblem(model.CHAIN, row.seq, "与上一条记录的链接不符（前一条被删除或篡改）"))
        if row_hash(row.prev_hash, row.hash_fields()) != row.hash:
            problems.append(ChainProblem(model.CHAIN, row.seq, "内容与哈希不符（记录被篡改）"))
        prev_hash = row.hash
        expected_seq = row.seq + 1
        last_seq, last_hash = row.seq, row.hash
    head = AuditChainHead.objects.filter(name=model.CHAIN).first()
    if head is not None and (head.last_seq != last_seq or head.last_hash != last_hash):
        problems.append(
            ChainProblem(model.CHAIN, head.last_seq, f"链尾不符：应有 {head.last_seq} 条，实有 {last_seq} 条（末尾记录被删除）")
        )
    return count, problems


def verify_all() -> dict[str, tuple[int, list[ChainProblem]]]:
    return {model.CHAIN: verify_chain(model) for model in (ChangeLog, SecurityEvent)}


def labeled_changes(row) -> list[tuple[str, object, object]]:
    """A change-log row for people: (field's Chinese name, before, after), choice codes shown as their
    labels. Unknown models or fields (renamed since) fall back to the stored name."""
    from django.apps import apps

    try:
        model = apps.get_model(row.object_type)
    except (LookupError, ValueError):
        model = None
    fields = {}
    if model is not None:
        for f in model._meta.get_fields():
            if getattr(f, "concrete", False) or f.many_to_many:
                fields[getattr(f, "attname", f.name)] = f
                fields[f.name] = f

    def show(f, value):
        if isinstance(value, bool):
            return "是" if value else "否"
        if f is not None and getattr(f, "choices", None) and value is not None:
            return dict(f.flatchoices).get(value, value)
        return value

    out = []
    for name, pair in (row.changes or {}).items():
        f = fields.get(name)
        label = str(getattr(f, "verbose_name", name)) if f is not None else name
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        out.append((label, show(f, before), show(f, after)))
    return out
