"""Excel import/export of agencies and users: all-or-nothing, every bad cell reported with its sheet,
row and column letter in Chinese, idempotent re-imports, export → import round trip."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from jixiao.core.choices import SecurityEventCode
from jixiao.core.excel import ImportFailed
from jixiao.core.models import ChangeLog, SecurityEvent
from jixiao.core.roles import Role
from jixiao.org import services
from jixiao.org.choices import AgencyKind
from jixiao.org.imports import AGENCY_SHEET, USER_SHEET, import_agencies, import_users
from jixiao.org.models import Agency, User
from jixiao.org.personas import HOME, OTHER

AGENCY_HEADER = ["单位代码", "单位名称", "类型", "上级部门代码", "行业领域", "在用"]
USER_HEADER = ["账号", "姓名", "角色", "单位代码", "股室代码", "电话", "初始密码"]
GOOD_PASSWORD = "Kx7#mPq2vL"


def xlsx(rows, *, header=AGENCY_HEADER, sheet=AGENCY_SHEET, caption=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if caption:
        ws.append([caption])
    if header:
        ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts():
    return (Agency.objects.count(), User.objects.count(), ChangeLog.objects.count(),
            SecurityEvent.objects.filter(code=SecurityEventCode.IMPORT).count())


def where(report):
    """Each error as (row, column letter, message) for exact comparisons."""
    return [(e.row, e.column, e.message) for e in report.errors]


# --- agencies: happy path -----------------------------------------------------------------------

NEW_AGENCIES = [
    # a unit listed before its parent department
    ("201001", "临朐县人民医院", "预算单位", "201", "卫生健康", "是"),
    ("201", "临朐县卫生健康局", "预算部门", None, "health", None),
    ("201002", "临朐县中医院", "unit", 201, None, "否"),  # code given as a number, kind as the English code
    ("902", "临朐县东城街道办事处", "乡镇（街道）", None, "城乡社区", "是"),
    ("101003", "临朐县实验中学", "预算单位", "101", "教育", "是"),  # under an existing department
]


def test_import_agencies_creates_departments_and_units(world):
    sysadmin = world.user("sysadmin")
    result = import_agencies(actor=sysadmin, data=xlsx(NEW_AGENCIES), ip="10.0.0.1")
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    assert result.summary() == "新增 5 条，更新 0 条，未变 0 条。"
    home = world.regions[HOME]
    health = Agency.objects.get(region=home, code="201")
    hospital = Agency.objects.get(region=home, code="201001")
    tcm = Agency.objects.get(region=home, code="201002")
    assert health.kind == AgencyKind.DEPARTMENT and health.sector.code == "health" and health.path == f"/{health.pk}/"
    assert hospital.parent == health and hospital.path == f"/{health.pk}/{hospital.pk}/"
    assert hospital.sector.name == "卫生健康" and hospital.active
    assert tcm.parent == health and not tcm.active and tcm.sector is None
    assert Agency.objects.get(region=home, code="902").kind == AgencyKind.TOWNSHIP
    assert Agency.objects.get(region=home, code="101003").parent == world.agency("101")
    event = SecurityEvent.objects.get(code=SecurityEventCode.IMPORT)
    assert event.actor == sysadmin and event.ip == "10.0.0.1"
    assert event.detail == {"what": "agencies", "created": 5, "updated": 0}
    assert ChangeLog.objects.filter(object_type="org.agency", action="create", actor=sysadmin).count() == 5


def test_reimporting_the_same_file_changes_nothing(world):
    sysadmin = world.user("sysadmin")
    data = xlsx(NEW_AGENCIES)
    import_agencies(actor=sysadmin, data=data)
    before = Agency.objects.count(), ChangeLog.objects.count()
    versions = dict(Agency.objects.values_list("pk", "version"))
    result = import_agencies(actor=sysadmin, data=data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert (Agency.objects.count(), ChangeLog.objects.count()) == before
    assert dict(Agency.objects.values_list("pk", "version")) == versions


def test_import_updates_by_code(world):
    sysadmin = world.user("perf_section")
    rows = [
        ("101001", "临朐县第一中学（更名）", "预算单位", "101", "教育", "是"),  # renamed
        ("101002", "临朐县城关街道中心小学", "预算单位", "102", "教育", "是"),  # moved to 农业农村局
        ("102001", "临朐县农业技术推广中心", "预算单位", "102", "农林水", "否"),  # deactivated
        ("901", "临朐县城关街道办事处", "乡镇（街道）", None, "城乡社区", "是"),  # unchanged
    ]
    result = import_agencies(actor=sysadmin, data=xlsx(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 3, 1)
    school = Agency.objects.get(pk=world.agency("101001").pk)
    assert school.name == "临朐县第一中学（更名）" and school.version == 2
    primary = Agency.objects.get(pk=world.agency("101002").pk)
    assert primary.parent == world.agency("102") and primary.path == f"{world.agency('102').path}{primary.pk}/"
    assert not Agency.objects.get(pk=world.agency("102001").pk).active
    log = ChangeLog.objects.filter(object_type="org.agency", object_id=str(school.pk)).last()
    assert log.changes == {"name": ["临朐县第一中学", "临朐县第一中学（更名）"]}
    # the far county's 101001 (same code) is untouched
    assert Agency.objects.get(pk=world.agency("101001", OTHER).pk).name == "察布查尔锡伯自治县第一中学"


def test_import_above_a_caption_row_and_in_another_sheet_name(world):
    """A title row above the header (as our exports have) and a renamed sheet are both accepted."""
    data = xlsx([("203", "临朐县民政局", "预算部门", None, None, None)], sheet="Sheet1", caption="单位名录")
    assert import_agencies(actor=world.user("sysadmin"), data=data).created == 1


# --- agencies: bad files ------------------------------------------------------------------------


@pytest.fixture
def far_only_code(world):
    """An agency code that exists in the far county but not at home."""
    services.create_agency(actor=world.user("far_sysadmin"), region=world.regions[OTHER], code="555",
                           name="察布查尔锡伯自治县财政局", kind=AgencyKind.DEPARTMENT)
    return "555"


def test_bad_agency_file_reports_every_cell_and_writes_nothing(world, far_only_code):
    rows = [
        ("201", "临朐县卫生健康局", "预算部门", None, "卫生健康", "是"),  # row 2: fine
        ("201", "临朐县卫生健康局（重复）", "预算部门", None, None, None),  # row 3: duplicate code
        ("201001", "临朐县人民医院", "预算单位", None, None, None),  # row 4: unit without parent
        ("201002", "临朐县中医院", "预算单位", "999", None, None),  # row 5: parent unknown
        ("201003", "临朐县妇幼保健院", "预算单位", far_only_code, None, None),  # row 6: parent from far county
        ("202", "临朐县航天局", "预算部门", None, "航天", None),  # row 7: unknown sector
        ("203", "临朐县某局", "部门", None, None, None),  # row 8: bad kind label
        ("204", None, "预算部门", None, None, None),  # row 9: name missing
        ("101001001", "第一中学校办工厂", "预算单位", "101001", None, None),  # row 10: parent is a unit
        ("205", "临朐县某办", "预算部门", None, None, "也许"),  # row 11: bad yes/no
        ("206", "临朐县统计局", "预算部门", "101", None, None),  # row 12: department with a parent
        ("20 7", "临朐县审计局", "预算部门", None, None, None),  # row 13: space in code
    ]
    before = counts()
    with pytest.raises(ImportFailed) as e:
        import_agencies(actor=world.user("sysadmin"), data=xlsx(rows))
    report = e.value.report
    assert sorted(where(report), key=lambda w: (w[0], w[1])) == [
        (3, "A", "单位代码 201 在文件中重复（另见第 2 行）"),
        (4, "D", "预算单位必须填写上级部门代码"),
        (5, "D", "上级部门代码 999 在本区划不存在"),
        (6, "D", "上级部门代码 555 在本区划不存在"),
        (7, "E", "行业领域“航天”不存在"),
        (8, "C", "“部门”不是有效选项，应为：预算部门、预算单位、乡镇（街道）"),
        (9, "B", "必填，不能为空"),
        (10, "D", "101001 是预算单位，不能作为上级部门"),
        (11, "F", "应填“是”或“否”，收到“也许”"),
        (12, "D", "预算部门和乡镇不能有上级部门"),
        (13, "A", "代码“20 7”中不能有空格"),
    ]
    assert all(err.sheet == AGENCY_SHEET for err in report.errors)
    lines = report.lines()
    assert "工作表“预算单位”第 3 行 A 列（单位代码）：单位代码 201 在文件中重复（另见第 2 行）" in lines
    assert e.value.message == "导入未完成：发现 11 处错误，未写入任何数据。"
    assert counts() == before
    assert not Agency.objects.filter(code="201").exists()


def test_rules_only_the_service_knows_are_reported_per_cell(world):
    """教体局 has a department reviewer, so it cannot become a unit; an over-long name only fails in
    the service. Both are reported on their rows; the rows written before them are rolled back, and a
    unit under the refused row is not reported twice."""
    rows = [
        ("201", "临朐县卫生健康局", "预算部门", None, None, None),  # row 2: fine, written then rolled back
        ("101", "临朐县教育和体育局", "预算单位", "102", None, None),  # row 3: reviewer bound to it
        ("202", "局" * 129, "预算部门", None, None, None),  # row 4: name too long for the column
        ("202001", "某单位", "预算单位", "202", None, None),  # row 5: under the refused row 4
    ]
    before = counts()
    with pytest.raises(ImportFailed) as e:
        import_agencies(actor=world.user("sysadmin"), data=xlsx(rows))
    got = sorted(where(e.value.report))
    assert got == [
        (3, "C", "该单位有主管部门审核人账号，不能改为下级单位；请先变更其角色或所属单位"),
        (4, "B", "单位名称最多 128 个字（现有 129 个）"),
    ]
    assert any(str(err).startswith("工作表“预算单位”第 3 行 C 列（类型）：") for err in e.value.report.errors)
    assert counts() == before
    assert Agency.objects.get(pk=world.agency("101").pk).parent is None


def test_import_page_reports_service_refusals_instead_of_failing(world, login):
    data = xlsx([("101", "临朐县教育和体育局", "预算单位", "102", None, None)])
    response = login("sysadmin").post("/org/agencies/import/", {"file": _upload(data)})
    assert response.status_code == 200
    assert "该单位有主管部门审核人账号" in response.content.decode()


def test_non_xlsx_bytes(world):
    before = counts()
    with pytest.raises(ImportFailed) as e:
        import_agencies(actor=world.user("sysadmin"), data="单位代码,单位名称\n201,卫健局\n".encode())
    assert [m.message for m in e.value.report.errors] == ["不是有效的 Excel 文件（请上传 .xlsx 格式）"]
    assert counts() == before


def test_missing_required_column(world):
    data = xlsx([("201", "临朐县卫生健康局")], header=["单位代码", "单位名称"])
    with pytest.raises(ImportFailed) as e:
        import_agencies(actor=world.user("sysadmin"), data=data)
    assert where(e.value.report) == [(1, None, "缺少必需的列：类型")]
    assert not Agency.objects.filter(code="201").exists()


def test_empty_file(world):
    before = counts()
    with pytest.raises(ImportFailed) as e:
        import_agencies(actor=world.user("sysadmin"), data=xlsx([]))
    assert [m.message for m in e.value.report.errors] == ["文件中没有数据行"]
    with pytest.raises(ImportFailed) as e:
        import_agencies(actor=world.user("sysadmin"), data=xlsx([], header=None))
    assert "找不到表头行" in e.value.report.errors[0].message
    assert counts() == before


def test_import_needs_an_org_editor(world):
    data = xlsx([("101", "临朐县教育和体育局", "预算部门", None, "教育", "是")])
    for username in ("dept_reviewer", "section_reviewer", "secadmin", "auditor"):
        with pytest.raises(PermissionDenied):
            import_agencies(actor=world.user(username), data=data)
    assert not SecurityEvent.objects.filter(code=SecurityEventCode.IMPORT).exists()


# --- users --------------------------------------------------------------------------------------


def users_xlsx(rows) -> bytes:
    return xlsx(rows, header=USER_HEADER, sheet=USER_SHEET)


def test_import_users_creates_logins(world):
    rows = [
        ("zhangsan", "张三", "单位填报人", "101002", None, "13800000000", GOOD_PASSWORD),
        ("lisi", "李四", "业务股室审核人", None, "S02", None, GOOD_PASSWORD),
        ("wangwu", "王五", "viewer", None, None, None, GOOD_PASSWORD),
        ("preparer", "王芳", "单位填报人", "101001", None, None, None),  # existing: left alone
    ]
    result = import_users(actor=world.user("sysadmin"), data=users_xlsx(rows), ip="10.0.0.2")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 1)
    zs = User.objects.get(username="zhangsan")
    assert (zs.pending_role, zs.agency, zs.region, zs.phone) == (Role.AGENCY_PREPARER, world.agency("101002"),
                                                         world.regions[HOME], "13800000000")
    assert zs.check_password(GOOD_PASSWORD)
    assert User.objects.get(username="lisi").finance_section == world.section("S02")
    event = SecurityEvent.objects.get(code=SecurityEventCode.IMPORT)
    assert event.detail == {"what": "users", "created": 3} and event.ip == "10.0.0.2"
    again = import_users(actor=world.user("sysadmin"), data=users_xlsx(rows))
    assert (again.created, again.unchanged) == (0, 4)


def test_bad_user_file_reports_every_row_and_writes_nothing(world):
    rows = [
        ("zhangsan", "张三", "单位填报人", "101002", None, None, GOOD_PASSWORD),  # row 2: fine
        ("ZhangSan", "张三二", "单位填报人", "101002", None, None, GOOD_PASSWORD),  # row 3: duplicate (case)
        ("lisi", "李四", "单位填报人", "888", None, None, GOOD_PASSWORD),  # row 4: unknown agency
        ("wangwu", "王五", "系统管理员", None, None, None, GOOD_PASSWORD),  # row 5: admin role refused
        ("zhaoliu", "赵六", "业务股室审核人", None, "S99", None, GOOD_PASSWORD),  # row 6: unknown section
        ("sunqi", "孙七", "单位填报人", "101001", None, None, None),  # row 7: no password
        ("zhouba", "周八", "单位负责人", "101001", "S01", None, GOOD_PASSWORD),  # row 8: binding (service)
        ("far_user", "外县", "单位填报人", "101001", None, None, GOOD_PASSWORD),  # row 9: fine
    ]
    before = counts()
    with pytest.raises(ImportFailed) as e:
        import_users(actor=world.user("sysadmin"), data=users_xlsx(rows))
    got = where(e.value.report)
    assert (3, "A", "账号 ZhangSan 在文件中重复（另见第 2 行）") in got
    assert (4, "D", "单位代码 888 在本区划不存在") in got
    assert any(r == 5 and c == "C" and "“系统管理员”不是有效选项" in m for r, c, m in got)
    assert (6, "E", "股室代码 S99 在本区划不存在") in got
    assert (7, "G", "新账号必须填写初始密码") in got
    assert {r for r, _, _ in got} == {3, 4, 5, 6, 7}  # service checks (row 8) wait for a clean file
    assert counts() == before


def test_user_import_is_all_or_nothing_when_the_service_refuses(world):
    """Errors found only by ``create_user`` (password policy, binding rules) are reported per row,
    with the column letter, and the rows created before them are rolled back."""
    rows = [
        ("zhangsan", "张三", "单位填报人", "101002", None, None, GOOD_PASSWORD),  # row 2: fine
        ("lisi", "李四", "单位填报人", "101002", None, None, "password"),  # row 3: weak password
        ("wangwu", "王五", "主管部门审核人", "101001", None, None, GOOD_PASSWORD),  # row 4: not top-level
        ("zhaoliu", "赵六", "单位负责人", "101001", "S01", None, "abc"),  # row 5: two problems
    ]
    before = counts()
    with pytest.raises(ImportFailed) as e:
        import_users(actor=world.user("sysadmin"), data=users_xlsx(rows))
    got = where(e.value.report)
    rows_cols = {(r, c) for r, c, _ in got}
    assert {(3, "G"), (4, "D"), (5, "E"), (5, "G")} <= rows_cols
    assert not any(r == 2 for r, _, _ in got)
    assert any(r == 3 and "至少三类" in m for r, _, m in got)
    assert (4, "D", "主管部门审核人必须属于一级预算部门或乡镇") in got
    assert not User.objects.filter(username__in=["zhangsan", "lisi", "wangwu", "zhaoliu"]).exists()
    assert counts() == before


def test_user_import_refuses_agencies_of_another_region(world, far_only_code):
    rows = [("zhangsan", "张三", "单位填报人", far_only_code, None, None, GOOD_PASSWORD)]
    with pytest.raises(ImportFailed) as e:
        import_users(actor=world.user("sysadmin"), data=users_xlsx(rows))
    assert where(e.value.report) == [(2, "D", "单位代码 555 在本区划不存在")]


def test_user_import_reports_usernames_taken_in_another_region(world):
    """An account of another county is not "already there": it is somebody else's login."""
    rows = [("far_preparer", "哈斯", "单位填报人", "101001", None, None, GOOD_PASSWORD)]
    with pytest.raises(ImportFailed) as e:
        import_users(actor=world.user("sysadmin"), data=users_xlsx(rows))
    assert where(e.value.report) == [(2, "A", "账号 far_preparer 已被使用，请换一个")]
    # the same words as a taken name of this county: nothing says that, or where, another region has it
    assert all("区划" not in m and "察布查尔" not in m for *_, m in where(e.value.report))
    assert User.objects.get(username="far_preparer").region == world.regions[OTHER]


def test_user_import_only_by_sysadmin(world):
    rows = [("zhangsan", "张三", "单位填报人", "101002", None, None, GOOD_PASSWORD)]
    for username in ("secadmin", "auditor", "perf_section"):
        with pytest.raises(PermissionDenied):
            import_users(actor=world.user(username), data=users_xlsx(rows))
    assert not User.objects.filter(username="zhangsan").exists()


# --- export → import round trip (through the pages) ----------------------------------------------


def test_agency_export_reimports_unchanged(world, login):
    client = login("sysadmin")
    before_exports = SecurityEvent.objects.filter(code=SecurityEventCode.EXPORT).count()
    response = client.get("/org/agencies/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = response.content
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == AGENCY_SHEET and sheet["A1"].value == "临朐县预算单位名录"
    assert [c.value for c in sheet[2]] == AGENCY_HEADER
    assert sheet.max_row == 2 + 6  # the six home agencies, none of the far county's
    event = SecurityEvent.objects.filter(code=SecurityEventCode.EXPORT).last()
    assert SecurityEvent.objects.filter(code=SecurityEventCode.EXPORT).count() == before_exports + 1
    assert event.detail == {"what": "agencies", "rows": 6} and event.actor == world.user("sysadmin")

    n_logs = ChangeLog.objects.count()
    result = import_agencies(actor=world.user("sysadmin"), data=data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert ChangeLog.objects.count() == n_logs


def test_filtered_export_and_reimport_after_edit(world, login):
    client = login("perf_section")
    data = client.get("/org/agencies/", {"parent": "101", "format": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(data)).active
    assert sorted(str(r[0].value) for r in sheet.iter_rows(min_row=3)) == ["101001", "101002"]
    sheet["B3"] = sheet["B3"].value + "（新）"
    out = io.BytesIO()
    sheet.parent.save(out)
    result = import_agencies(actor=world.user("perf_section"), data=out.getvalue())
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)


def test_user_export_omits_admins_and_reimports_unchanged(world, login):
    response = login("sysadmin").get("/org/users/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    usernames = {r[0].value for r in sheet.iter_rows(min_row=3)}
    assert "preparer" in usernames and "sysadmin" not in usernames and "far_preparer" not in usernames
    event = SecurityEvent.objects.filter(code=SecurityEventCode.EXPORT).last()
    assert event.detail == {"what": "users", "rows": len(usernames)} and event.actor == world.user("sysadmin")
    result = import_users(actor=world.user("sysadmin"), data=response.content)
    assert (result.created, result.unchanged) == (0, len(usernames))


# --- the import pages ---------------------------------------------------------------------------


def test_import_page_lists_errors_and_writes_nothing(world, login):
    client = login("sysadmin")
    before = counts()
    data = xlsx([("201001", "临朐县人民医院", "预算单位", None, None, None)])
    response = client.post("/org/agencies/import/", {"file": _upload(data)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "发现 1 处错误，未写入任何数据" in body and "预算单位必须填写上级部门代码" in body
    assert "<td>2</td><td>D（上级部门代码）</td>" in body
    assert counts() == before


def test_import_page_success_redirects(world, login):
    client = login("sysadmin")
    response = client.post("/org/agencies/import/", {"file": _upload(xlsx(NEW_AGENCIES))}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/org/agencies/")
    assert "导入完成：新增 5 条" in response.content.decode()
    assert Agency.objects.filter(code="201").exists()


def test_user_import_page(world, login):
    client = login("sysadmin")
    data = users_xlsx([("zhangsan", "张三", "单位填报人", "101002", None, None, "weak")])
    response = client.post("/org/users/import/", {"file": _upload(data, "users.xlsx")})
    assert response.status_code == 200 and "未写入任何数据" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()
    assert login("secadmin").get("/org/users/import/").status_code == 403


def test_import_templates_download(world, login):
    client = login("sysadmin")
    sheet = load_workbook(io.BytesIO(client.get("/org/agencies/import/template.xlsx").content)).active
    assert [c.value for c in sheet[2]] == AGENCY_HEADER
    sheet = load_workbook(io.BytesIO(client.get("/org/users/import/template.xlsx").content)).active
    assert [c.value for c in sheet[2]] == USER_HEADER


def _upload(data: bytes, name: str = "agencies.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
