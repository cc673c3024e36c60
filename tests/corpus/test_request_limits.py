"""Django's request limits — too many form fields (DATA_UPLOAD_MAX_NUMBER_FIELDS), too many files
(DATA_UPLOAD_MAX_NUMBER_FILES), a body too large (DATA_UPLOAD_MAX_MEMORY_SIZE), a multipart body that
cannot be parsed — answer in Chinese
and change nothing: the standalone error page on a page address, JSON ``{code, message}`` under
/api/, with DEBUG off (production) and on (``make run``), never Django's English 400 (issue #9)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jixiao.targets.tests.factories import make_sheet

pytestmark = pytest.mark.django_db
ENGLISH = ("Bad Request", "TooManyFieldsSent", "TooManyFilesSent", "RequestDataTooBig", "Request Entity Too Large",
           "DEBUG = True")


def _fields(n):
    return urlencode([("name", "x")] * n)


#: (case, method, extra path, kwargs builder, status, API code, text on the page)
CASES = [
    ("form fields", "post", "", lambda: {"data": _fields(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1),
                                         "content_type": "application/x-www-form-urlencoded"},
     400, "too_many_fields", "表单字段过多"),
    ("multipart fields", "post", "", lambda: {"data": {"name": ["x"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}},
     400, "too_many_fields", "表单字段过多"),
    ("query parameters", "get", "?" + "&".join(["q=1"] * 2300), dict, 400, "too_many_fields", "表单字段过多"),
    ("files", "post", "", lambda: {"data": {"f": [SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4")
                                                 for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]}},
     400, "too_many_files", "一次上传的文件过多"),
    ("body", "post", "", lambda: {"data": _fields(1) + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
                                  "content_type": "application/x-www-form-urlencoded"},
     413, "too_large", "请求过大"),
    ("multipart without a boundary", "post", "", lambda: {"data": b"garbage", "content_type": "multipart/form-data"},
     400, "bad_request", "表单内容无法解析"),
    ("multipart with a broken boundary", "post", "", lambda: {
        "data": b'--\xff\r\nContent-Disposition: form-data; name="a"\r\n\r\nx', "content_type": "multipart/form-data; boundary=\xff"},
     400, "bad_request", "表单内容无法解析"),
]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize(("case", "method", "tail", "kwargs", "status", "code", "text"), CASES,
                         ids=[c[0] for c in CASES])
@pytest.mark.parametrize("where", ["page", "api"])
def test_a_request_over_the_limits_answers_in_chinese_and_changes_nothing(world, login, where, debug, case, method,
                                                                          tail, kwargs, status, code, text):
    sheet = make_sheet(world)
    before = list(sheet.indicators.values_list("name", flat=True))
    path = f"/targets/{sheet.pk}/indicators/" if where == "page" else f"/api/v1/targets/sheets/{sheet.pk}/indicators"
    client = login("preparer")
    with override_settings(DEBUG=debug, DATA_UPLOAD_MAX_MEMORY_SIZE=64 * 1024):
        response = getattr(client, method)(path + tail, **kwargs())
    body = response.content.decode()
    assert response.status_code == status, body[:300]
    assert not any(word in body for word in ENGLISH), body[:300]
    if where == "api":
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == code and text in response.json()["message"]
    else:
        assert response["Content-Type"].startswith("text/html") and text in body and "未保存任何内容" in body
    assert list(sheet.indicators.values_list("name", flat=True)) == before
