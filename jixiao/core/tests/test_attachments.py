"""core.attachments: the type and size rule, worked by hand (the owners' tests upload real files)."""

import pytest

from jixiao.core.attachments import extension, file_problem

MB = 1024 * 1024
PDF = b"%PDF-1.7\n%\xe2\xe3"
DOCX = b"PK\x03\x04\x14\x00\x06\x00"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00"


@pytest.mark.parametrize("name, head", [
    ("申报书.pdf", PDF), ("可研报告.DOCX", DOCX), ("评分表.doc", DOC), ("现场照片.png", PNG),
    ("评分表.wps", DOC), ("评分表.wps", DOCX), ("测算表.xlsx", DOCX), ("凭证.jpeg", b"\xff\xd8\xff\xe0"),
])
def test_whitelisted_types_with_their_content_pass(name, head):
    assert file_problem(name, head, 1234, 20 * MB) is None


@pytest.mark.parametrize("name, head, size, message", [
    ("空.pdf", b"", 0, "文件是空的，请重新选择。"),
    # 21 MB against a 20 MB limit: both shown in MB (≥ 10: whole numbers)
    ("大.pdf", PDF, 21 * MB, "文件过大（21 MB），附件最大 20 MB。"),
    # 1.5 MB against 1 MB: one decimal below 10 MB
    ("大.pdf", PDF, 3 * MB // 2, "文件过大（1.5 MB），附件最大 1.0 MB。"),
    ("病毒.exe", EXE, 100, "不支持的文件类型“.exe”，可上传：PDF、OFD、Word（.doc/.docx）、WPS、Excel（.xls/.xlsx）、JPG、PNG。"),
    ("说明", b"abc", 3, "不支持的文件类型“无扩展名”，可上传：PDF、OFD、Word（.doc/.docx）、WPS、Excel（.xls/.xlsx）、JPG、PNG。"),
    # an executable renamed .pdf: the extension is allowed, the content is not a PDF
    ("申报书.pdf", EXE, 100, "文件内容与扩展名 .pdf 不符（可能已损坏或被改名），未上传。"),
    ("可研.docx", DOC, 100, "文件内容与扩展名 .docx 不符（可能已损坏或被改名），未上传。"),
])
def test_refusals_say_why(name, head, size, message):
    limit = 20 * MB if size != 3 * MB // 2 else MB
    assert file_problem(name, head, size, limit) == message


def test_the_limit_itself_is_allowed():
    assert file_problem("a.pdf", PDF, 20 * MB, 20 * MB) is None
    assert file_problem("a.pdf", PDF, 20 * MB + 1, 20 * MB) is not None


def test_extension_is_the_last_suffix_lowercased():
    assert extension("报告.备份.PDF") == "pdf"
    assert extension("无后缀") == ""
