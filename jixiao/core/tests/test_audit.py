"""The two audit layers: change-log rows with before/after diffs, append-only rows, and the hash
chain that catches edits made behind the application's back (raw SQL)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jixiao.core import audit
from jixiao.core.choices import ChangeAction, SecurityEventCode
from jixiao.core.models import AppendOnlyError, AuditChainHead, ChangeLog, SecurityEvent
from jixiao.org import services
from jixiao.org.models import Agency


def _sql(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _verify():
    """Run ``manage.py verify_audit``; return (stdout, CommandError or None)."""
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.fixture
def edited(world):
    """Three audited edits of one agency, so the change chain has rows before, between and after."""
    perf = world.user("perf_section")
    agency = world.agency("101001")
    for name in ("临朐县第一中学（东校区）", "临朐县第一中学（西校区）", "临朐县第一中学"):
        agency = services.update_agency(actor=perf, agency=agency, version=agency.version, name=name)
    return agency


# --- change-log rows written by services ----------------------------------------------------------

def test_update_writes_only_changed_fields_as_before_after(world):
    perf = world.user("perf_section")
    agency = world.agency("101001")
    before_count = ChangeLog.objects.count()
    services.update_agency(actor=perf, agency=agency, version=agency.version, name="临朐县第一中学（新）")
    assert ChangeLog.objects.count() == before_count + 1
    row = ChangeLog.objects.order_by("-seq").first()
    assert row.action == ChangeAction.UPDATE
    assert row.object_type == "org.agency"
    assert row.object_id == str(agency.pk)
    assert row.object_repr == "临朐县第一中学（新）"
    assert row.actor_id == perf.pk and row.actor_name == "陈静"
    assert row.region_id == agency.region_id
    # only the name differs; the version bump is not an audited change
    assert row.changes == {"name": ["临朐县第一中学", "临朐县第一中学（新）"]}


def test_update_without_change_writes_no_row(world):
    perf = world.user("perf_section")
    agency = world.agency("101001")
    before_count = ChangeLog.objects.count()
    services.update_agency(actor=perf, agency=agency, version=agency.version, name=agency.name)
    assert ChangeLog.objects.count() == before_count


def test_create_row_holds_every_field_as_after(world):
    sysadmin = world.user("sysadmin")
    agency = services.create_agency(actor=sysadmin, region=world.regions["370724"], code="103",
                                    name="临朐县卫生健康局", kind="department")
    row = ChangeLog.objects.get(object_type="org.agency", object_id=str(agency.pk))
    assert row.action == ChangeAction.CREATE
    assert row.changes["name"] == [None, "临朐县卫生健康局"]
    assert row.changes["code"] == [None, "103"]
    assert row.changes["path"] == [None, f"/{agency.pk}/"]
    assert "version" not in row.changes


def test_world_building_without_actor_is_logged_as_system(world):
    row = ChangeLog.objects.filter(object_type="org.region").order_by("seq").first()
    assert row.actor_id is None and row.actor_name == "系统"


def test_snapshot_keeps_decimals_exact_and_skips_secrets(world):
    user = world.user("preparer")
    snap = audit.snapshot(user)
    assert "password" not in snap and "version" not in snap and "last_login" not in snap
    assert snap["username"] == "preparer"
    assert audit.jsonable({"a": __import__("decimal").Decimal("550.56")}) == {"a": "550.56"}


# --- append-only ----------------------------------------------------------------------------------

def test_changelog_row_cannot_be_saved_again_or_deleted(world):
    row = ChangeLog.objects.order_by("seq").first()
    row.object_repr = "改过的"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    row.refresh_from_db()
    assert row.object_repr != "改过的"


def test_security_event_row_cannot_be_saved_again_or_deleted(world):
    event = audit.security_event(SecurityEventCode.LOGIN, actor=world.user("preparer"), ip="10.0.0.1")
    event.ip = "10.9.9.9"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert SecurityEvent.objects.get(pk=event.pk).ip == "10.0.0.1"


def test_bulk_update_and_delete_are_refused_too(world):
    """A queryset update/delete skips Model.save/delete; the audit tables refuse those as well."""
    count = ChangeLog.objects.count()
    with pytest.raises(AppendOnlyError):
        ChangeLog.objects.filter(seq=1).update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        ChangeLog.objects.filter(seq=1).delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()
    assert ChangeLog.objects.count() == count
    assert ChangeLog.objects.get(seq=1).object_repr != "x"


# --- the hash chain -------------------------------------------------------------------------------

def test_chain_of_a_busy_world_verifies_clean(edited):
    audit.security_event(SecurityEventCode.LOGIN_FAILED, actor=audit.UNAUTHENTICATED, username="preparer",
                         ip="10.0.0.1")
    results = audit.verify_all()
    change_count, change_problems = results["change"]
    security_count, security_problems = results["security"]
    assert change_count == ChangeLog.objects.count() > 3
    assert security_count == SecurityEvent.objects.count() >= 1
    assert change_problems == [] and security_problems == []
    head = AuditChainHead.objects.get(name="change")
    last = ChangeLog.objects.order_by("-seq").first()
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)
    # each row links to the one before it
    rows = list(ChangeLog.objects.order_by("seq"))
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))


def test_verify_audit_command_ok_on_clean_chain(edited):
    out, error = _verify()
    assert error is None
    assert "变更日志" in out and "哈希链完整" in out
    assert "安全事件日志" in out


def _middle_and_last_seq():
    seqs = list(ChangeLog.objects.order_by("seq").values_list("seq", flat=True))
    return seqs[len(seqs) // 2], seqs[-1]


def test_verify_audit_catches_altered_content(edited):
    middle, _ = _middle_and_last_seq()
    _sql(f"UPDATE {ChangeLog._meta.db_table} SET object_repr = %s WHERE seq = %s", ["篡改后的名称", middle])
    out, error = _verify()
    assert isinstance(error, CommandError)
    assert f"第 {middle} 条" in str(error) and "篡改" in str(error)
    assert f"第 {middle} 条：内容与哈希不符" in out


def test_verify_audit_catches_altered_changes_json(edited):
    last = ChangeLog.objects.filter(object_type="org.agency", action="update").order_by("-seq").first()
    _sql(f"UPDATE {ChangeLog._meta.db_table} SET changes = %s WHERE seq = %s",
         ['{"name": ["甲", "乙"]}', last.seq])
    out, error = _verify()
    assert error is not None and f"第 {last.seq} 条" in str(error)


def test_rehashing_a_tampered_row_is_still_caught_by_the_next_link(edited):
    middle, _ = _middle_and_last_seq()
    row = ChangeLog.objects.get(seq=middle)
    fields = row.hash_fields()
    fields["object_repr"] = "篡改并重算哈希"
    forged = audit.row_hash(row.prev_hash, fields)
    _sql(f"UPDATE {ChangeLog._meta.db_table} SET object_repr = %s, hash = %s WHERE seq = %s",
         ["篡改并重算哈希", forged, middle])
    out, error = _verify()
    assert error is not None
    assert f"第 {middle + 1} 条：与上一条记录的链接不符" in out


def test_verify_audit_catches_a_deleted_middle_row(edited):
    middle, _ = _middle_and_last_seq()
    _sql(f"DELETE FROM {ChangeLog._meta.db_table} WHERE seq = %s", [middle])
    out, error = _verify()
    assert error is not None
    assert f"缺少第 {middle}–{middle} 条" in out
    assert f"第 {middle + 1} 条" in str(error)


def test_verify_audit_catches_a_deleted_last_row(edited):
    _, last = _middle_and_last_seq()
    _sql(f"DELETE FROM {ChangeLog._meta.db_table} WHERE seq = %s", [last])
    out, error = _verify()
    assert error is not None
    assert f"第 {last} 条" in str(error)
    assert f"应有 {last} 条，实有 {last - 1} 条" in out


def test_verify_audit_catches_an_altered_security_event(world):
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        audit.security_event(SecurityEventCode.LOGIN, actor=world.user("preparer"), ip=ip)
    target = SecurityEvent.objects.get(ip="10.0.0.2")
    _, error = _verify()
    assert error is None
    _sql(f"UPDATE {SecurityEvent._meta.db_table} SET code = %s WHERE seq = %s", ["logout", target.seq])
    out, error = _verify()
    assert error is not None
    assert "安全事件日志" in str(error) and f"第 {target.seq} 条" in str(error)
    assert "变更日志：共" in out and "哈希链完整" in out  # the other chain is untouched and says so


def test_audit_verify_page_shows_the_problem(edited, login):
    # (Changed with issue #11: the page names only problems on rows of the auditor's own region.)
    target = ChangeLog.objects.filter(object_type="org.agency", action="update").order_by("-seq").first()
    auditor = login("auditor")
    ok = auditor.post("/core/audit/verify/")
    assert ok.status_code == 200
    assert "哈希链完整，未发现篡改或删除" in ok.content.decode()
    _sql(f"UPDATE {ChangeLog._meta.db_table} SET actor_name = %s WHERE seq = %s", ["冒名", target.seq])
    bad = auditor.post("/core/audit/verify/").content.decode()
    assert "发现 1 处问题" in bad
    assert f"第 {target.seq} 条：内容与哈希不符（记录被篡改）" in bad
    # another county's auditor learns that the chain is broken, not which of our rows
    far = login("far_auditor").post("/core/audit/verify/").content.decode()
    assert "另有 1 处问题在其他区划的记录上" in far and f"第 {target.seq} 条" not in far
    # every verification is itself a security event
    assert SecurityEvent.objects.filter(code=SecurityEventCode.AUDIT_VERIFIED).count() == 3


def test_audit_verify_page_is_post_only_and_auditor_only(edited, login):
    assert login("auditor").get("/core/audit/verify/").status_code == 405
    assert login("secadmin").post("/core/audit/verify/").status_code == 403
    assert login("perf_section").post("/core/audit/verify/").status_code == 403


def test_change_log_page_lists_rows_for_auditor_only(edited, login):
    body = login("auditor").get("/core/audit/changes/?q=东校区").content.decode()
    assert "临朐县第一中学（东校区）" in body
    assert login("perf_section").get("/core/audit/changes/").status_code == 403


def test_agency_counts_unchanged_by_verification(edited):
    """Verification reads only: running it twice gives the same answer and writes no change rows."""
    count = ChangeLog.objects.count()
    assert audit.verify_all()["change"] == audit.verify_all()["change"]
    assert ChangeLog.objects.count() == count
    assert Agency.objects.filter(name="临朐县第一中学").exists()


def test_rows_read_well_in_the_shell(edited):
    row = ChangeLog.objects.filter(object_type="org.agency", action="update").order_by("-seq").first()
    assert str(row) == f"#{row.seq} 修改 临朐县第一中学"
    event = audit.security_event(SecurityEventCode.LOCKED, actor=audit.UNAUTHENTICATED, username="preparer")
    assert str(event) == f"#{event.seq} 账号锁定 preparer"
    assert str(AuditChainHead.objects.get(name="security")) == f"security#{event.seq}"


def test_change_log_page_shows_field_names_and_choice_labels_in_chinese(world, login):
    from jixiao.org import services as org_services

    agency = world.agency("101001")
    org_services.update_agency(actor=world.user("perf_section"), agency=agency, version=agency.version,
                               name="临朐县第一中学（新）", active=False)
    body = login("auditor").get("/core/audit/changes/").content.decode()
    assert "单位名称：临朐县第一中学 → 临朐县第一中学（新）" in body
    assert "在用：是 → 否" in body
    assert "角色：（空） → 安全审计员" in body  # choice codes read as their labels


def test_audit_verify_page_counts_each_regions_own_rows_only(edited, login, world):
    """Two counties' audit administrators: each sees its own region's row counts, never the
    installation's (issue #11: 2,274 install-wide shown where the county had 53)."""
    home, far = world.user("auditor"), world.user("far_auditor")
    assert home.region_id != far.region_id
    # a little of each log in the other county too: an edit and two sign-ins there
    far_agency = Agency.objects.filter(region_id=far.region_id).first()
    services.update_agency(actor=world.user("far_perf_section"), agency=far_agency, version=far_agency.version,
                           name=far_agency.name + "（改）")
    for username in ("far_perf_section", "far_preparer", "perf_section"):
        services.record_login_success(user=world.user(username), ip="10.0.0.9")
    seen = {}
    for user in (home, far):
        client = login(user.username)
        counts = {(label, scope): model.objects.filter(region_id=user.region_id).count()
                  if scope == "own" else model.objects.count()
                  for label, model in (("变更日志", ChangeLog), ("安全事件日志", SecurityEvent))
                  for scope in ("own", "all")}
        page = client.post("/core/audit/verify/").content.decode()
        for label in ("变更日志", "安全事件日志"):
            own, total = counts[(label, "own")], counts[(label, "all")]
            assert 0 < own < total, (user.username, label)
            assert f"<td>{label}</td><td>{own}</td>" in page, (user.username, label, own)
            assert f"<td>{label}</td><td>{total}</td>" not in page
        seen[user.username] = counts[("变更日志", "own")]
    assert seen["auditor"] != seen["far_auditor"]


def test_change_log_search_reads_the_chinese_object_names(edited, login):
    """The 变更日志 search matches what the page shows — 预算单位 (the agency's Chinese name) finds the
    agency rows — and not the internal type names the page never shows (org.agency)."""
    auditor = login("auditor")
    by_name = auditor.get("/core/audit/changes/?q=预算单位").content.decode()
    assert "临朐县第一中学（东校区）" in by_name
    assert "临朐县第一中学（东校区）" not in auditor.get("/core/audit/changes/?q=org.agency").content.decode()
