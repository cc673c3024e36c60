"""Under JIXIAO_DEBUG=1 (``make run``) a user still meets the Chinese 404/400 pages, not Django's
English debug pages (issue #10, the first hour)."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_unknown_page_is_the_chinese_404_under_debug(login):
    response = login("preparer").get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in body
    assert "Page not found" not in body and "URLconf" not in body


@override_settings(DEBUG=True)
def test_missing_record_is_the_chinese_404_under_debug(login):
    response = login("preparer").get("/projects/999999999/")
    assert response.status_code == 404
    assert "页面不存在（404）" in response.content.decode()


@override_settings(DEBUG=True)
def test_anonymous_unknown_page_is_chinese_too(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "页面不存在（404）" in response.content.decode()


@override_settings(DEBUG=True)
def test_api_keeps_its_own_answer_under_debug(login):
    response = login("preparer").get("/api/v1/no-such-route/")
    assert response.status_code == 404
    assert "页面不存在（404）" not in response.content.decode()
