"""Two audit layers (F14, architecture.md house style 5).

* the change log: who changed which object when, with the fields before and after;
* the security-event log: logins, failed logins, lockouts, role changes, exports …

Both are append-only hash chains: each row stores the hash of the row before it and a keyed hash
(HMAC-SHA256) over its own content, and a head row stores the last sequence number and hash. The key
lives outside the database (``JIXIAO_AUDIT_KEY`` or the file ``$JIXIAO_VAR_DIR/audit_key``, mode 600),
so someone who can edit the tables cannot recompute the hashes. The head is also anchored outside the
database: every committed append adds a line (chain, sequence number, hash, time, HMAC) to the
append-only anchor file (``JIXIAO_AUDIT_ANCHOR_FILE``), which the audit administrator can download.
``verify_chain`` recomputes everything and reports any row that was altered, removed or inserted
behind the application's back, a missing or forged head, and a head behind the anchor (rows cut from
the end together with the head).

Chains written before the key existed (plain SHA-256) are verified with that old scheme up to the
switch point recorded in the head (``keyed_from``; the head itself carries an HMAC, so the switch
point cannot be moved) — see migration ``core.0006_audit_key`` and docs/security.md.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from jixiao.core import dates
from jixiao.core.actors import SYSTEM, is_system, require_actor
from jixiao.core.choices import ChangeAction, SecurityEventCode
from jixiao.core.models import AuditChainHead, ChangeLog, SecurityEvent

GENESIS = "0" * 64
#: Concrete fields no change-log row carries, and why (every other concrete field of an audited model
#: is logged with its value before and after — by construction, ``snapshot``):
#: ``version`` is the optimistic-concurrency counter (it moves on every save, the change is the fields);
#: ``updated_at``/``last_login`` are touched by every save / every login (the log's own time and the
#: security-event log say when); ``password`` is a hash that must never be copied anywhere.
SKIP_FIELDS = {"version", "password", "updated_at", "last_login"}

#: Models whose rows have no change-log rows of their own, and why. Every other model of the project is
#: audited: on its own (``log_create / log_update / log_delete``), or — a child model declaring
#: ``audit_parent = "<foreign key>"`` — inside its parent's snapshot (rows replaced wholesale, such as a
#: sheet's indicators). ``tests`` walk every model against this list.
NOT_AUDITED = {
    "core.changelog": "the change log itself (append-only hash chain)",
    "core.securityevent": "the security-event log itself (append-only hash chain)",
    "core.auditchainhead": "the chains' head rows (keyed with an HMAC, checked by verify_audit)",
    "core.inboxitem": "to-do items, derived from review steps and assignments that are logged themselves",
    "core.job": "background-job bookkeeping (progress, result file); the work a job does is logged",
    "targets.targetfinding": "the automatic quality check's findings, recomputed from the sheet on every save",
    "projects.projectevent": "the project timeline, a read model of events logged on their own objects",
    "org.apitoken": "API tokens: created and revoked are security events (token_created, token_revoked)",
    "library.taxonomyentry": "the national indicator taxonomy, loaded from the published files (data migration)",
    "library.framework": "the national evaluation frameworks, loaded from the published files",
    "library.frameworkitem": "items of the national frameworks, loaded from the published files",
}


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


log = logging.getLogger("jixiao.audit")
_KEYS: dict[str, bytes] = {}


def audit_key() -> bytes:
    """The chain key: ``JIXIAO_AUDIT_KEY`` if set, else the key file, generated once (mode 600)."""
    configured = getattr(settings, "JIXIAO_AUDIT_KEY", "")
    if configured:
        return configured.encode("utf-8")
    path = Path(settings.JIXIAO_AUDIT_KEY_FILE)
    cached = _KEYS.get(str(path))
    if cached:
        return cached
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_urlsafe(48).encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic: a concurrent first start keeps whichever key came first
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text().strip().encode("utf-8")
    if len(key) < 16:
        raise ImproperlyConfigured(f"审计密钥文件 {path} 内容无效（至少 16 个字符）。")
    _KEYS[str(path)] = key
    return key


def mac(text: str) -> str:
    return hmac.new(audit_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def row_hash(prev_hash: str, fields: dict, *, keyed: bool = True) -> str:
    """The hash of one row: HMAC-SHA256 with the audit key; ``keyed=False`` is the plain SHA-256 of
    rows written before the key was introduced."""
    payload = prev_hash + canonical(fields)
    if not keyed:
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
    return mac(payload)


def head_mac(head) -> str:
    return mac(f"head|{head.name}|{head.keyed_from}|{head.last_seq}|{head.last_hash}")


# --- the anchor outside the database ------------------------------------------------------------

def anchor_path() -> Path:
    return Path(settings.JIXIAO_AUDIT_ANCHOR_FILE)


def _anchor_mac(chain: str, seq: int, hash_: str, at: str) -> str:
    return mac(f"anchor|{chain}|{seq}|{hash_}|{at}")


def write_anchor(chain: str, seq: int, hash_: str) -> None:
    """Append one line to the anchor file (one ``write`` on an O_APPEND file: lines of concurrent
    processes never interleave)."""
    at = timezone.now().isoformat()
    line = json.dumps({"chain": chain, "seq": seq, "hash": hash_, "at": at,
                       "mac": _anchor_mac(chain, seq, hash_, at)}, separators=(",", ":")) + "\n"
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def _anchor_after_commit(chain: str, seq: int, hash_: str) -> None:
    def write():
        try:
            write_anchor(chain, seq, hash_)
        except OSError:  # the append is committed; verification will show the head as not anchored
            log.exception("审计锚点文件写入失败")

    transaction.on_commit(write)


CHAINS = ("change", "security")


def start_anchor() -> None:
    """A new anchor file: every chain anchored at its empty start (sequence 0), so a chain with no
    line at all means lines were removed."""
    for chain in CHAINS:
        write_anchor(chain, 0, GENESIS)


def anchor_heads() -> None:
    """Anchor every chain's current head (``manage.py verify_audit --anchor``: after restoring a
    verified backup, or when moving the anchor file; the migration that keys the chains)."""
    heads = {h.name: h for h in AuditChainHead.objects.all()}
    for chain in CHAINS:
        head = heads.get(chain)
        write_anchor(chain, head.last_seq if head else 0, head.last_hash if head else GENESIS)


@dataclass
class Anchors:
    latest: dict[str, tuple[int, str]]
    bad_lines: list[int]
    present: bool


def read_anchors() -> Anchors:
    """The newest anchored head of each chain; lines whose HMAC does not match are reported."""
    path = anchor_path()
    latest: dict[str, tuple[int, str]] = {}
    bad: list[int] = []
    if not path.exists():
        return Anchors(latest, bad, False)
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                chain, seq, hash_, at = item["chain"], int(item["seq"]), str(item["hash"]), str(item["at"])
                ok = hmac.compare_digest(str(item["mac"]), _anchor_mac(chain, seq, hash_, at))
            except (ValueError, KeyError, TypeError):
                ok = False
            if not ok:
                bad.append(number)
                continue
            if chain not in latest or seq >= latest[chain][0]:
                latest[chain] = (seq, hash_)
    return Anchors(latest, bad, True)


def jsonable(value):
    """Field values as JSON-stable primitives (Decimal and dates as strings)."""
    return json.loads(canonical({"v": value}))["v"]


def audited_fields(model) -> list:
    """The concrete fields of ``model`` a change-log row carries: all but ``SKIP_FIELDS``."""
    return [f for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS]


@functools.cache
def child_relations(model) -> list[tuple[str, type, str]]:
    """The child models audited inside ``model``'s snapshot: (related name, child model, foreign key
    name) for every model declaring ``audit_parent`` on a foreign key to ``model``."""
    from django.apps import apps

    out = []
    for child in apps.get_models():
        fk = getattr(child, "audit_parent", None)
        if fk and child._meta.get_field(fk).related_model is model:
            out.append((child._meta.get_field(fk).remote_field.related_name or child._meta.model_name, child, fk))
    return sorted(out, key=lambda r: r[0])


def child_fields(child, fk: str) -> list:
    """A child row's audited fields: all but its id, its parent and the region (the parent's), and the
    position it is keyed by."""
    drop = {child._meta.pk.name, fk, "region", "position"}
    return [f for f in audited_fields(child) if f.name not in drop]


def snapshot(obj: models.Model) -> dict:
    """The audited fields of a model instance: every concrete field but ``SKIP_FIELDS`` by attname,
    many-to-many as sorted ids, and every field of each child row (``audit_parent``) under
    ``<related name>.<position>.<field>`` — so editing an indicator's weight shows as
    ``indicators.3.weight: [10, 20]``."""
    data = {}
    for f in audited_fields(type(obj)):
        data[f.attname] = jsonable(getattr(obj, f.attname))
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
        for name, child, fk in child_relations(type(obj)):
            fields = child_fields(child, fk)
            keyed = any(f.name == "position" for f in child._meta.concrete_fields)
            rows = child.objects.filter(**{fk: obj.pk}).order_by("position" if keyed else "pk")
            for n, row in enumerate(rows, start=1):
                key = row.position if keyed else n
                for f in fields:
                    data[f"{name}.{key}.{f.attname}"] = jsonable(getattr(row, f.attname))
    return data


def _recorded_switch(chain: str) -> int:
    """The switch point to plain SHA-256 → HMAC recorded by the key migration (1 when none)."""
    event = SecurityEvent.objects.filter(code=SecurityEventCode.AUDIT_KEYED).order_by("-seq").first()
    try:
        return int((event.detail or {}).get(chain, 1)) if event else 1
    except (TypeError, ValueError):
        return 1


def _head_for_append(model) -> tuple[AuditChainHead, bool]:
    """The locked head of ``model``'s chain. A missing head while the chain has rows (deleted behind
    the application's back) is rebuilt from the last row so writing can go on, and reported."""
    head = AuditChainHead.objects.select_for_update().filter(name=model.CHAIN).first()
    if head is not None:
        return head, False
    last = model.objects.order_by("-seq").first()
    head = AuditChainHead(name=model.CHAIN, keyed_from=_recorded_switch(model.CHAIN) if last else 1)
    if last is not None:
        head.last_seq, head.last_hash = last.seq, last.hash
    head.mac = head_mac(head)
    head.save(force_insert=True)
    head = AuditChainHead.objects.select_for_update().get(pk=head.pk)
    return head, last is not None


def _append(model, **fields):
    """Append one row to a chain. The head row is locked, so concurrent writers queue up and the
    chain stays linear on PostgreSQL as on SQLite."""
    with transaction.atomic():
        head, rebuilt = _head_for_append(model)
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
        head.mac = head_mac(head)
        head.save(update_fields=["last_seq", "last_hash", "mac"])
        _anchor_after_commit(model.CHAIN, row.seq, row.hash)
        if rebuilt:
            security_event(SecurityEventCode.AUDIT_ALARM, actor=SYSTEM,
                           detail={"chain": model.CHAIN, "problem": "head_missing", "rebuilt_at_seq": row.seq - 1})
        return row


class _Unauthenticated:
    """Who acts in a security event before anyone has logged in (a failed login): not the system and
    not the account named — the event's ``username`` says which name was tried."""

    display_name = "未登录访问者"

    def __repr__(self) -> str:
        return "UNAUTHENTICATED"


UNAUTHENTICATED = _Unauthenticated()


def _actor_fields(actor) -> dict:
    """The actor columns of a log row. A log row always names who acted: a user, SYSTEM (系统) or, for
    a security event only, UNAUTHENTICATED; ``None`` — a forgotten actor — is refused (issue #8)."""
    require_actor(actor, "audit log")
    if is_system(actor) or actor is UNAUTHENTICATED:
        return {"actor": None, "actor_name": actor.display_name}
    if not getattr(actor, "pk", None):
        raise TypeError(f"audit log: {actor!r} is not a saved user, SYSTEM or UNAUTHENTICATED")
    return {"actor": actor, "actor_name": getattr(actor, "display_name", "") or actor.get_username()}


def _region_id_of(obj, actor) -> int | None:
    value = getattr(obj, "region_id", None)
    if value:
        return value
    via = getattr(type(obj), "audit_region_via", None)  # a row without a region of its own: its owner's
    if via and (owner := getattr(obj, via, None)) is not None and getattr(owner, "region_id", None):
        return owner.region_id
    if obj.__class__.__name__ == "Region":
        return obj.pk
    return getattr(actor, "region_id", None)


def diff(before: dict, after: dict) -> dict:
    """The change-log ``changes`` of two snapshots: ``{field: [before, after]}`` of the fields that differ."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record_change(*, actor, obj: models.Model, action: str, before: dict | None = None, after: dict | None = None):
    """Write one change-log row. ``changes`` keeps only the fields that differ, as [before, after]."""
    after = after if after is not None else (snapshot(obj) if action != ChangeAction.DELETE else {})
    changes = diff(before or {}, after)
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


def security_event(code: str, *, actor, username: str = "", region_id=None, ip: str = "", detail=None):
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


def record_export(request, what: str, count: int | None, **detail):
    """A security event ``export``: a download or a bulk read of ``count`` rows of ``what``. The request
    is marked, so ``ExportAuditMiddleware`` (which records every downloaded file no view recorded
    itself) does not record it twice."""
    request.jixiao_export_recorded = True
    return security_event(SecurityEventCode.EXPORT, actor=request.user, ip=client_ip(request),
                          detail={"what": what, "rows": count, **detail})


@dataclass
class ChainProblem:
    chain: str
    seq: int | None
    message: str
    #: the region of the row the problem is on (None: the chain's structure — head, anchor, gaps)
    region_id: int | None = None


def verify_chain(model, anchors: Anchors | None = None) -> tuple[int, list[ChainProblem]]:
    """Walk a chain in order (streaming) and report every inconsistency: altered content (the keyed
    hash does not match), a broken link, a missing sequence number (deleted row), a missing or
    forged head, a head that does not match the last row, and a database behind the anchor file
    (the newest rows deleted together with the head)."""
    chain = model.CHAIN
    anchors = anchors if anchors is not None else read_anchors()
    problems: list[ChainProblem] = []
    head = AuditChainHead.objects.filter(name=chain).first()
    keyed_from = 1
    if head is not None:
        keyed_from = head.keyed_from
        if not hmac.compare_digest(head.mac or "", head_mac(head)):
            problems.append(ChainProblem(chain, head.last_seq, "链头记录与其校验码不符（链头被篡改）"))
    anchored = anchors.latest.get(chain)
    anchored_hash = None
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    last_seq, last_hash = 0, GENESIS
    for row in model.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        region = getattr(row, "region_id", None)
        if row.seq != expected_seq:
            problems.append(
                ChainProblem(chain, row.seq, f"序号不连续：缺少第 {expected_seq}–{row.seq - 1} 条（记录被删除）")
            )
        if row.prev_hash != prev_hash:
            problems.append(ChainProblem(chain, row.seq, "与上一条记录的链接不符（前一条被删除或篡改）", region))
        if not hmac.compare_digest(row_hash(row.prev_hash, row.hash_fields(), keyed=row.seq >= keyed_from),
                                   row.hash):
            problems.append(ChainProblem(chain, row.seq, "内容与哈希不符（记录被篡改）", region))
        if anchored is not None and row.seq == anchored[0]:
            anchored_hash = row.hash
        prev_hash = row.hash
        expected_seq = row.seq + 1
        last_seq, last_hash = row.seq, row.hash
    if head is None and count:
        problems.append(ChainProblem(chain, last_seq, "链头记录缺失（链头被删除，可能连同末尾记录）"))
    if head is not None and (head.last_seq != last_seq or head.last_hash != last_hash):
        problems.append(
            ChainProblem(chain, head.last_seq, f"链尾不符：应有 {head.last_seq} 条，实有 {last_seq} 条（末尾记录被删除）")
        )
    if anchored is None:
        if count:
            where = "锚点文件缺失" if not anchors.present else "锚点文件中没有本日志的链头"
            problems.append(ChainProblem(chain, last_seq, f"{where}：无法确认末尾记录未被删除（告警）"))
    elif anchored[0] > last_seq:
        problems.append(ChainProblem(
            chain, anchored[0], f"锚点文件记录已有第 {anchored[0]} 条，数据库只到第 {last_seq} 条（末尾记录连同链头被删除）"))
    elif anchored_hash is not None and anchored_hash != anchored[1]:
        problems.append(ChainProblem(chain, anchored[0], "与锚点文件记录的哈希不符（记录被替换）"))
    return count, problems


def verify_all() -> dict[str, tuple[int, list[ChainProblem]]]:
    anchors = read_anchors()
    results = {model.CHAIN: verify_chain(model, anchors) for model in (ChangeLog, SecurityEvent)}
    if anchors.bad_lines:
        shown = "、".join(str(n) for n in anchors.bad_lines[:10])
        count, problems = results["security"]
        problems.append(ChainProblem("security", None, f"锚点文件第 {shown} 行校验码不符（锚点文件被篡改）"))
    return results


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
        if isinstance(value, str) and dates.parse_instant(value) is not None:
            return dates.format_local(value, seconds=True)   # stored as UTC ISO: shown in local time
        if isinstance(value, dict):
            return "；".join(f"{_detail_label(k)}：{show(None, v)}" for k, v in value.items())
        return value

    children = {name: (child, fk) for name, child, fk in child_relations(model)} if model is not None else {}

    def child_field(name):
        """``indicators.3.weight`` → (绩效指标第 3 项·分值, the child's field)."""
        rel, _, rest = name.partition(".")
        n, _, attname = rest.partition(".")
        if rel not in children or not attname:
            return None, None
        child, _fk = children[rel]
        cf = next((c for c in child._meta.concrete_fields if c.attname == attname), None)
        label = f"{child._meta.verbose_name}第 {n} 项·{getattr(cf, 'verbose_name', attname)}"
        return label, cf

    out = []
    for name, pair in (row.changes or {}).items():
        f = fields.get(name)
        label = str(getattr(f, "verbose_name", name)) if f is not None else _detail_label(name)
        if f is None and name.count(".") == 2:
            child_label, f = child_field(name)
            label = child_label or label
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        out.append((label, show(f, before), show(f, after)))
    return out


def model_label(object_type: str) -> str:
    """A change-log row's object type for people: the model's Chinese name (``targets.targetsheet`` →
    绩效目标表); an unknown type (a model since removed) falls back to the stored name."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_types_named(text: str) -> list[str]:
    """The change-log object types whose Chinese name contains ``text`` (the 变更日志 search: a user
    types 目标表, not ``targets.targetsheet``)."""
    from django.apps import apps

    return [f"{m._meta.app_label}.{m._meta.model_name}" for m in apps.get_models()
            if text and text in str(m._meta.verbose_name)]


#: Chinese names of the keys of security-event details and of non-field change entries.
DETAIL_LABELS = {
    "what": "对象", "created": "新增", "updated": "更新", "unchanged": "未变", "rows": "行数",
    "file": "文件", "sha256": "文件校验值", "year": "年度", "indicators": "指标数",
    "user": "账号", "from": "原角色", "to": "新角色", "name": "名称", "reason": "原因",
    "minutes": "锁定分钟", "problems": "问题", "chain": "日志链", "problem": "问题",
    "rebuilt_at_seq": "重建于序号", "target_import": "绩效目标导入", "path": "地址", "page": "页码",
    "total": "总数", "attachment": "附件编号", "owner": "所属记录", "created_sheet_ids": "新建目标表编号",
    "skipped_worksheets": "跳过的工作表", "ip": "IP", "count": "数量",
}
#: Chinese names of the values a detail carries as codes (what was imported/exported, why a login failed).
DETAIL_VALUES = {
    "projects": "项目", "agencies": "单位", "users": "用户", "experts": "专家", "firms": "第三方机构",
    "indicator_templates": "指标模板", "targets": "绩效目标表", "target_sheets": "绩效目标表清单",
    "target_sheets_official": "绩效目标表（正式格式）", "target_sheet": "绩效目标表",
    "audit_anchor": "审计日志锚点", "download": "文件下载", "api_list": "接口列表读取", "bad_password": "密码错误", "locked": "账号已锁定",
    "unknown_user": "账号不存在", "head_missing": "链头缺失", "change": "变更日志", "security": "安全事件日志",
}


def _detail_label(key) -> str:
    return DETAIL_LABELS.get(key, key)


def _detail_value(key, value):
    from jixiao.core.roles import Role

    if key in ("from", "to") and value in Role.values:
        return Role(value).label
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if value in DETAIL_VALUES:
            return DETAIL_VALUES[value]
        if dates.parse_instant(value) is not None:
            return dates.format_local(value, seconds=True)
    if isinstance(value, list):
        return "、".join(str(_detail_value(key, v)) for v in value)
    return value


def labeled_detail(event) -> list[tuple[str, object]]:
    """A security event's detail for people: (Chinese key, Chinese value) — ``what=targets`` reads
    对象：绩效目标表, role codes as role names, timestamps in local time."""
    return [(_detail_label(k), _detail_value(k, v)) for k, v in (event.detail or {}).items()]
