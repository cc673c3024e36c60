"""Hostile API requests: oversized numbers, unknown routes, huge bodies, control characters. Routes come
from the OpenAPI document of the running code, so a new list or a new path parameter is covered."""

from __future__ import annotations

import json
import re

import pytest

from jixiao.api import api
from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project

PERSONAS = ("perf_section", "sysadmin", "preparer", "auditor", "secadmin", "expert", "firm")
HUGE = 9223372036854775807


def _operations(method: str):
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [(path, op) for path, ops in schema["paths"].items() for m, op in ops.items() if m == method]


LISTS = [path for path, op in _operations("get") if any(p["name"] == "page" for p in op.get("parameters", []))]
WITH_INT_PATH = [path for path, op in _operations("get")
                 if any(p["in"] == "path" and p.get("schema", {}).get("type") == "integer"
                        for p in op.get("parameters", []))]


def _nested_round(world):
    from jixiao.monitoring.tests.factories import budgeted_project, open_round

    budgeted_project(world)
    return open_round(world).pk


#: A list under another object's address (…/{id}/…): how to make that object, by address prefix.
#: A new nested list without its maker here fails loudly below instead of being skipped.
NESTED = {"/api/v1/monitoring/rounds/": _nested_round}


def _concrete(world, path: str) -> str:
    if "{" not in path:
        return path
    maker = next((make for prefix, make in NESTED.items() if path.startswith(prefix)), None)
    assert maker is not None, f"{path}: add how to make its parent object to NESTED"
    return re.sub(r"\{[^}]+\}", str(maker(world)), path)


def _reader(login, path):
    for persona in PERSONAS:
        client = login(persona)
        if client.get(path).status_code == 200:
            return client
    return None


def test_the_route_table_is_found():
    assert len(LISTS) >= 10 and len(WITH_INT_PATH) >= 10


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", [f"page={HUGE}", f"page={10**30}", f"page_size={10**30}", "page=-1", "page=1e400"])
def test_every_list_answers_400_to_an_oversized_page(world, login, path, query):
    path = _concrete(world, path)
    client = _reader(login, path)
    assert client is not None, f"no persona reads {path}"
    response = client.get(f"{path}?{query}")
    if query.startswith("page_size"):
        assert response.status_code == 400 or response.status_code == 200
    else:
        assert response.status_code == 400, (path, query, response.status_code)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", WITH_INT_PATH)
@pytest.mark.parametrize("number", [10**30, HUGE, -HUGE * 10])
def test_every_integer_path_parameter_is_bounded(world, login, path, number):
    url = re.sub(r"\{[^}]+\}", str(number), path)
    for persona in ("perf_section", "sysadmin", "preparer"):
        response = login(persona).get(url)
        assert response.status_code in (400, 403, 404), (url, response.status_code)
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(("method", "url"), [
    ("get", "/api/v1/no-such-thing"), ("get", "/api/v1/projects/1/nothing/here"), ("post", "/api/nope"),
    ("post", "/api/v1/projects"),  # a real route written without its trailing slash
])
def test_unknown_api_routes_answer_json(world, login, method, url):
    client = login("preparer")
    response = client.get(url) if method == "get" else client.post(url, data="{}", content_type="application/json")
    assert response.status_code in (404, 405)
    assert response.json()["code"] in ("not_found", "http_405")


def test_a_post_without_the_trailing_slash_names_the_right_address(world, login):
    paths = [p for p, _ in _operations("post") if p.endswith("/")]
    assert paths
    response = login("preparer").post(paths[0].rstrip("/"), data="{}", content_type="application/json")
    assert response.status_code == 404 and "应以“/”结尾" in response.json()["message"]


def test_a_60_mb_json_body_answers_413(world, login):
    client = login("preparer")
    body = json.dumps({"name": "x" * (60 * 1024 * 1024)})
    response = client.post("/api/v1/projects/", data=body, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert client.get("/api/v1/projects/").status_code == 200  # still answering


@pytest.mark.parametrize("body", ["{" * 100_000, '{"requested_amount": ' + "9" * 5000 + "}", "not json", "[1,2",
                                  '{"requested_amount": 1e400}', '{"requested_amount": NaN}'])
def test_malformed_json_answers_400(world, login, body):
    response = login("preparer").post("/api/v1/projects/", data=body, content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert Project.objects.count() == 0


def _sheet_patch(world, login, **body):
    from jixiao.targets.tests.factories import make_sheet

    sheet = make_sheet(world)
    client = login("preparer")
    return sheet, client.patch(f"/api/v1/targets/sheets/{sheet.pk}", data=json.dumps(body),
                               content_type="application/json", HTTP_IF_MATCH=f'"{sheet.version}"')


@pytest.mark.parametrize("amount", ["10000000000000000", "1000000000000", "1e400", "-1", "NaN", "Infinity"])
def test_an_out_of_range_amount_is_a_400_and_nothing_is_stored(world, login, amount):
    """Issue #11: PATCH amount=1e16 was stored and then every read of the sheet answered 500."""
    sheet, response = _sheet_patch(world, login, amount=amount)
    assert response.status_code == 400, response.content
    assert "amount" in response.json()["errors"]
    before = sheet.amount
    sheet.refresh_from_db()
    assert sheet.amount == before
    assert login("preparer").get(f"/api/v1/targets/sheets/{sheet.pk}").status_code == 200


def test_control_characters_in_a_json_body_are_not_stored(world, login):
    make_project(world)
    project = Project.objects.get()
    client = login("preparer")
    response = client.patch(f"/api/v1/projects/{project.pk}", data=json.dumps({"name": "教学楼\u000b加固\u200b改造\x85"}),
                            content_type="application/json", HTTP_IF_MATCH=f'"{project.version}"')
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.name == "教学楼加固改造"
