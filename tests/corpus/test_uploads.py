"""Hostile uploads against every import page: each answers a clear Chinese error, writes nothing, and the
server (this very process) goes on answering. Adding a case is one line in ``UPLOADS``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.core import excel
from tests.corpus import xlsx

NOT_XLSX = "不是有效的 Excel 文件"


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], bytes]
    expect: str | tuple[str, ...]  # a fragment (or fragments, any of) of the Chinese error shown

    def shown_in(self, text: str) -> bool:
        return any(f in text for f in ((self.expect,) if isinstance(self.expect, str) else self.expect))


UPLOADS = [
    Case("sparse A1 + XFD1048576", xlsx.sparse_corners, "单元格范围过大"),
    Case("sparse corners, single quotes", xlsx.sparse_corner_single_quotes, "单元格范围过大"),
    Case("sparse corners, tab/newline before r=", xlsx.sparse_corner_odd_spacing, "单元格范围过大"),
    Case("declared dimension A1:XFD1048576", xlsx.declared_dimension, "声明的范围"),
    Case("zip bomb (ratio ~1000)", xlsx.zip_bomb, "疑为压缩炸弹"),
    Case("one 30 MB shared string", xlsx.huge_shared_string, "疑为压缩炸弹"),
    Case("a 40,000-character cell", xlsx.long_cell, "单元格内容过长"),
    Case("truncated zip", xlsx.truncated, NOT_XLSX),
    Case("not a zip", xlsx.not_a_zip, NOT_XLSX),
    Case("zip without a workbook", xlsx.zip_without_workbook, NOT_XLSX),
    Case("2,100 zip entries", xlsx.many_entries, "个部件"),
    Case("broken sheet XML", xlsx.broken_sheet_xml, (NOT_XLSX, "没有可识别的绩效目标表")),
    Case("empty file", xlsx.empty, "空文件"),
]

#: (persona, import page, page that must still answer afterwards)
IMPORT_PAGES = [
    ("sysadmin", "/org/agencies/import/", "/org/agencies/"),
    ("sysadmin", "/org/users/import/", "/org/users/"),
    ("perf_section", "/library/templates/import/", "/library/templates/"),
    ("preparer", "/projects/import/", "/projects/"),
    ("perf_section", "/pools/experts/import/", "/pools/experts/"),
    ("perf_section", "/pools/firms/import/", "/pools/firms/"),
    ("preparer", "/targets/import/", "/targets/"),
    ("perf_section", "/monitoring/execution/import/", "/projects/"),
    ("preparer", "/monitoring/plans/import/", "/projects/"),
]

_IGNORED = {"sessions.session"}


def snapshot() -> dict[str, int]:
    """Row counts of every model of the project: an import that fails must leave them all alone."""
    return {m._meta.label_lower: m._base_manager.count() for m in apps.get_models()
            if m._meta.label_lower not in _IGNORED and not m._meta.proxy}


@pytest.mark.parametrize("case", UPLOADS, ids=lambda c: c.name)
def test_reader_refuses_with_a_clear_error(case):
    report = excel.ImportReport()
    wb = excel.open_workbook(case.build(), report)
    if wb is not None:  # what the import pages do next
        list(excel.read_table(wb, [excel.Column("code", "代码"), excel.Column("name", "名称")], report))
    if case.expect == "空文件":  # the page's form refuses it before the reader; the reader too
        assert wb is None and report.errors
        return
    assert report.errors, case.name
    assert any(case.shown_in(str(e)) for e in report.errors), [str(e) for e in report.errors]


@pytest.mark.parametrize("case", UPLOADS, ids=lambda c: c.name)
@pytest.mark.parametrize(("persona", "url", "after"), IMPORT_PAGES, ids=[p[1] for p in IMPORT_PAGES])
def test_every_import_page_survives(world, login, persona, url, after, case):
    client = login(persona)
    before = snapshot()
    upload = SimpleUploadedFile("hostile.xlsx", case.build(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200, response.status_code
    assert case.shown_in(response.content.decode()), case.name
    assert snapshot() == before
    assert client.get(after).status_code == 200  # and the server still answers


def test_a_reader_that_runs_out_of_memory_ends_only_its_child():
    """Whatever passes the checks still reads in a child under a memory limit: a budget too small for a
    legitimate sparse sheet (Z100000) ends the child, and this process gets a Chinese reason."""
    data = xlsx.with_part(xlsx.SHEET, xlsx.sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'
                                                     '<row r="100000"><c r="Z100000"><v>1</v></c></row>'))
    excel.check_upload(data)  # within bounds
    with pytest.raises(excel._Refused, match="内存超出限制"):
        excel.read_contained(data, memory_bytes=1024 * 1024, seconds=30)
    loaded = excel.read_contained(data, memory_bytes=512 * 1024 * 1024, seconds=30)
    # each sheet comes back as the child's pickle of its rows, unpickled when the workbook is asked for it
    name = loaded["sheets"][0][0]
    assert list(excel.Workbook(loaded["sheets"]).get_sheet_by_name(name).iter_rows())[99999][25] == 1.0


def test_uploads_over_the_size_limit_are_refused(settings):
    settings.JIXIAO_IMPORT_MAX_MB = 1
    report = excel.ImportReport()
    assert excel.open_workbook(xlsx.long_cell() + b"\0" * (1024 * 1024), report) is None
    assert "文件过大" in str(report.errors[0])


@pytest.mark.parametrize("case", [c for c in UPLOADS if c.expect != "空文件"], ids=lambda c: c.name)
def test_the_child_reading_beside_the_scan_is_ended_and_reaped(case):
    """The contained child starts reading while this process scans the upload; whichever refuses the file,
    no child outlives the call (none left running, none left a zombie)."""
    import os

    excel.open_workbook(case.build(), excel.ImportReport())
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left, running or exited


def test_equal_texts_come_back_as_one_object_and_control_characters_are_still_cleaned():
    """The child hands equal texts back as one object (cheaper to move and to look up); it decides by
    itself whether the cells need cleaning, as the parent's scan would."""
    rows = '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{text}</t></is></c></row>'
    body = "".join(rows.format(n=n, text="产出指标") for n in range(1, 4))
    body += rows.format(n=4, text="含_x000B_控制符")
    sheet = excel.open_workbook(xlsx.with_part(xlsx.SHEET, xlsx.sheet_xml(body)), excel.ImportReport())
    got = [row[0] for row in sheet.get_sheet_by_name(sheet.sheet_names[0]).iter_rows()]
    assert got[:3] == ["产出指标"] * 3 and got[0] is got[1] is got[2]
    assert got[3] == "含控制符"
