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


@pytest.mark.parametrize("debug", [True, False])
def test_agency_user_meets_the_chinese_403_page(login, debug):
    with override_settings(DEBUG=debug):
        response = login("preparer").get("/org/users/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "无权访问（403）" in body and "<html" in body and "Forbidden" not in body


@pytest.mark.parametrize("debug", [True, False])
def test_page_post_without_trailing_slash_is_a_chinese_400_and_changes_nothing(world, login, debug):
    from jixiao.projects.tests.factories import make_project

    project = make_project(world)
    c = login("preparer")
    c.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = c.post(f"/projects/{project.pk}/move/submit", {"version": project.version})
    body = response.content.decode()
    # before: an English 500 under DEBUG (APPEND_SLASH cannot redirect a POST), a 301 that dropped the POST without
    assert response.status_code == 400
    assert f"地址应以“/”结尾：/projects/{project.pk}/move/submit/" in body and "RuntimeError" not in body
    project.refresh_from_db()
    assert project.stage == "reserve"


@pytest.mark.parametrize("debug", [True, False])
def test_api_wrong_method_is_json_405(login, debug):
    c = login("preparer")
    with override_settings(DEBUG=debug):
        response = c.put("/api/v1/org/me", data="{}", content_type="application/json")
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "method_not_allowed"
    assert response.json()["message"] == "该接口不支持 PUT 方法（可用：GET）。" and response["Allow"] == "GET"


def test_api_slash_mistakes_name_the_right_address(login):
    c = login("preparer")
    # /api/v1/org/me has no trailing slash
    response = c.post("/api/v1/org/me/", data="{}", content_type="application/json")
    assert response.status_code == 404 and response.json()["message"] == "接口不存在；地址末尾不应有“/”：/api/v1/org/me"
    response = c.post("/api", data="{}", content_type="application/json")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
