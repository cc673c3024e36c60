"""Issue #11 (F14): the chain is keyed and its head anchored outside the database, so each way of
cutting or rewriting it behind the application's back is caught — by ``manage.py verify_audit`` and
by the 安全事件 verification page. Every tamper is done the way an intruder with only database access
would: raw SQL, recomputing hashes without the key."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jixiao.core import audit
from jixiao.core.choices import SecurityEventCode
from jixiao.core.models import AuditChainHead, ChangeLog, SecurityEvent
from jixiao.org import services

TABLE = ChangeLog._meta.db_table
HEADS = AuditChainHead._meta.db_table


def _sql(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _verify():
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def _page(login) -> str:
    return login("auditor").post("/core/audit/verify/").content.decode()


@pytest.fixture
def committed_edits(world, django_capture_on_commit_callbacks):
    """Five audited edits in the home county, committed (their anchor lines written)."""
    perf = world.user("perf_section")
    agency = world.agency("101001")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            agency = services.update_agency(actor=perf, agency=agency, version=agency.version, name=f"第一中学{i}")
    return agency


def test_clean_chain_passes_command_and_page(committed_edits, login):
    out, error = _verify()
    assert error is None and "哈希链完整" in out
    assert "哈希链完整，未发现篡改或删除" in _page(login)


def test_newest_rows_deleted_together_with_the_head_row(committed_edits, login):
    last = ChangeLog.objects.order_by("-seq").first().seq
    _sql(f"DELETE FROM {TABLE} WHERE seq > %s", [last - 2])
    _sql(f"DELETE FROM {HEADS} WHERE name = 'change'")
    out, error = _verify()
    assert error is not None
    assert f"锚点文件记录已有第 {last} 条，数据库只到第 {last - 2} 条" in out
    assert "链头记录缺失" in out
    assert f"锚点文件记录已有第 {last} 条" in _page(login)


def test_newest_rows_deleted_and_an_old_genuine_head_restored(world, login, django_capture_on_commit_callbacks):
    """The intruder kept a copy of an earlier head row (valid HMAC) and puts it back after cutting the
    rows written since: only the anchor outside the database can tell."""
    perf = world.user("perf_section")
    agency = world.agency("101001")
    with django_capture_on_commit_callbacks(execute=True):
        agency = services.update_agency(actor=perf, agency=agency, version=agency.version, name="甲")
        saved = AuditChainHead.objects.values().get(name="change")
        for name in ("乙", "丙"):
            agency = services.update_agency(actor=perf, agency=agency, version=agency.version, name=name)
    _sql(f"DELETE FROM {TABLE} WHERE seq > %s", [saved["last_seq"]])
    _sql(f"UPDATE {HEADS} SET last_seq = %s, last_hash = %s, mac = %s WHERE name = 'change'",
         [saved["last_seq"], saved["last_hash"], saved["mac"]])
    out, error = _verify()
    assert error is not None
    assert f"数据库只到第 {saved['last_seq']} 条（末尾记录连同链头被删除）" in out
    assert "末尾记录连同链头被删除" in _page(login)


def test_head_rows_alone_deleted(committed_edits, login):
    _sql(f"DELETE FROM {HEADS}")
    out, error = _verify()
    assert error is not None
    assert "变更日志" in error and "链头记录缺失" in error
    assert "安全事件日志：共 0 条，哈希链完整" in out  # an empty chain without a head is just empty
    assert "链头记录缺失" in _page(login)


def test_a_missing_head_is_rebuilt_on_the_next_write_and_raises_an_alarm(committed_edits, world):
    _sql(f"DELETE FROM {HEADS} WHERE name = 'change'")
    last = ChangeLog.objects.order_by("-seq").first()
    agency = committed_edits
    services.update_agency(actor=world.user("perf_section"), agency=agency, version=agency.version, name="重建后")
    new = ChangeLog.objects.order_by("-seq").first()
    assert new.seq == last.seq + 1 and new.prev_hash == last.hash  # the chain goes on, linear
    alarm = SecurityEvent.objects.get(code=SecurityEventCode.AUDIT_ALARM)
    assert alarm.detail == {"chain": "change", "problem": "head_missing", "rebuilt_at_seq": last.seq}


def _plain(prev, fields):
    return hashlib.sha256((prev + audit.canonical(fields)).encode("utf-8")).hexdigest()


def test_a_row_changed_and_every_later_hash_recomputed_without_the_key(committed_edits, login):
    rows = list(ChangeLog.objects.filter(region=committed_edits.region).order_by("seq"))
    target = rows[-3]
    later = list(ChangeLog.objects.filter(seq__gte=target.seq).order_by("seq"))
    prev = target.prev_hash
    for row in later:
        if row.seq == target.seq:
            row.object_repr = "改过的名称"
        fields = row.hash_fields()
        forged = _plain(prev, fields)
        _sql(f"UPDATE {TABLE} SET object_repr = %s, prev_hash = %s, hash = %s WHERE seq = %s",
             [row.object_repr, prev, forged, row.seq])
        prev = forged
    _sql(f"UPDATE {HEADS} SET last_hash = %s WHERE name = 'change'", [prev])
    out, error = _verify()
    assert error is not None
    assert f"第 {target.seq} 条：内容与哈希不符（记录被篡改）" in out
    assert "链头记录与其校验码不符" in out
    assert f"第 {target.seq} 条：内容与哈希不符（记录被篡改）" in _page(login)


def test_a_missing_anchor_file_is_an_alarm_not_a_pass(committed_edits):
    audit.anchor_path().unlink()
    out, error = _verify()
    assert error is not None and "锚点文件缺失" in out


def test_a_forged_anchor_line_is_reported(committed_edits):
    with audit.anchor_path().open("a") as fh:
        fh.write(json.dumps({"chain": "change", "seq": 1, "hash": "0" * 64, "at": "x", "mac": "0" * 64}) + "\n")
    out, error = _verify()
    assert error is not None and "校验码不符（锚点文件被篡改）" in out


def test_moving_the_switch_point_to_plain_hashes_is_caught(committed_edits):
    """Rows before ``keyed_from`` are checked with the old plain SHA-256; moving the switch point so
    that every row reads as old (and could be recomputed without the key) breaks the head's HMAC."""
    _sql(f"UPDATE {HEADS} SET keyed_from = 1000000 WHERE name = 'change'")
    out, error = _verify()
    assert error is not None and "链头记录与其校验码不符（链头被篡改）" in out


def test_rows_before_the_recorded_switch_point_verify_with_the_old_scheme(world):
    """What migration 0006 does for an existing installation: old rows keep their plain hashes, the
    head records where keyed hashing starts, and the whole chain still verifies."""
    rows = list(ChangeLog.objects.order_by("seq"))
    prev = audit.GENESIS
    for row in rows:  # rewrite the chain as the old code wrote it
        h = _plain(prev, row.hash_fields())
        _sql(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, h, row.seq])
        prev = h
    head = AuditChainHead.objects.get(name="change")
    head.keyed_from, head.last_hash = rows[-1].seq + 1, prev
    head.mac = audit.head_mac(head)
    head.save()
    audit.write_anchor("change", head.last_seq, prev)
    services.update_agency(actor=world.user("perf_section"), agency=world.agency("101001"),
                           version=world.agency("101001").version, name="切换后的第一条")
    count, problems = audit.verify_chain(ChangeLog)
    assert problems == [] and count == len(rows) + 1
    # an old row altered is still caught: the first keyed row's HMAC covers the last plain hash
    _sql(f"UPDATE {TABLE} SET object_repr = %s WHERE seq = %s", ["改", rows[-1].seq])
    _count, problems = audit.verify_chain(ChangeLog)
    assert any(p.seq == rows[-1].seq and "内容与哈希不符" in p.message for p in problems)


def test_the_key_file_is_generated_once_with_mode_600(tmp_path, settings):
    settings.JIXIAO_AUDIT_KEY = ""
    settings.JIXIAO_AUDIT_KEY_FILE = tmp_path / "audit_key"
    first = audit.audit_key()
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    assert audit.audit_key() == first and len(first) >= 32
    settings.JIXIAO_AUDIT_KEY = "从环境变量给出的审计密钥-0123456789"
    assert audit.audit_key() != first  # the environment variable wins


def test_anchor_download_is_the_auditors_and_recorded(committed_edits, login):
    r = login("auditor").get("/core/audit/anchor/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    lines = [json.loads(x) for x in r.content.decode().splitlines()]
    assert lines[-1]["chain"] == "change" and lines[-1]["seq"] == ChangeLog.objects.order_by("-seq").first().seq
    assert SecurityEvent.objects.filter(code=SecurityEventCode.EXPORT, detail__what="audit_anchor").count() == 1
    assert login("secadmin").get("/core/audit/anchor/").status_code == 403
    assert login("sysadmin").get("/core/audit/anchor/").status_code == 403


def test_a_county_auditor_sees_its_own_figures(committed_edits, login):
    from jixiao.org.models import Region

    home = Region.objects.get(code="370724")
    body = _page(login)
    own = ChangeLog.objects.filter(region=home).count()
    assert ChangeLog.objects.count() > own
    assert f"<td>变更日志</td><td>{own}</td>" in body
    assert f"<td>{ChangeLog.objects.count()}</td>" not in body
