"""Hostile values in an API create (项目 POST /api/v1/projects/): wrong types, huge and malformed numbers,
over-long text, every C0 control and zero-width character, script, SQL and formula text. Each answers
a clear Chinese error and writes nothing, or (text that is only text) is stored harmlessly; the server
answers afterwards. ``test_the_corpus_counts`` counts every hostile input of tests/corpus (≥ 100)."""

from __future__ import annotations

import json

import pytest

from jixiao.projects.models import Project
from jixiao.projects.tests.test_api import body

API = "/api/v1/projects/"

#: (field, value) a create must refuse with 400 naming the field, nothing written
REFUSED = [
    ("name", 12345), ("name", ["教学楼"]), ("name", {"a": 1}), ("name", None), ("name", True),
    ("name", "长" * 256), ("name", "x" * 100_000), ("name", ""),
    ("requested_amount", "abc"), ("requested_amount", []), ("requested_amount", {}), ("requested_amount", True),
    ("requested_amount", "1e400"), ("requested_amount", "NaN"), ("requested_amount", "-Infinity"),
    ("requested_amount", "10000000000000000"), ("requested_amount", "-0.01"),
    ("requested_amount", 10**40), ("year", "二〇二六"), ("year", 10**30), ("year", -1), ("year", 2026.5),
    ("year", None), ("agency", 10**30), ("agency", -5), ("agency", "第一中学"), ("agency", 999_999),
    ("sector", "x" * 33), ("sector", 7), ("function_code", "x" * 8), ("function_code", 2050204),
    ("fund_sources", []), ("fund_sources", "own"), ("fund_sources", ["nope"]), ("tags", ["nope"]),
    ("kind", "virus"), ("budget_book", "nope"), ("is_new", "maybe"), ("start_year", 10**30),
    ("code", "x" * 33),
]
#: every C0 control character but tab/newline/CR, DEL, and the zero-width ones: stripped from the name
INVISIBLE = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + ["\x7f", "\u200b", "\u200c", "\u200d",
                                                                            "\ufeff"]
#: text that is only text: stored as written, shown escaped, no formula evaluated
TEXT = ["<script>alert(1)</script>实验室", "'; DROP TABLE projects_project; --", "\" OR 1=1 --",
        "=cmd|' /C calc'!A0", "+1+1实验室", "-2+3实验室", "@SUM(A1:A9)", "<img src=x onerror=alert(1)>",
        "{{ request.user }}", "{% debug %}", "../../etc/passwd", "${jndi:ldap://x/a}"]


def _post(client, data):
    return client.post(API, data=json.dumps(data), content_type="application/json")


def _still_answers(client):
    assert client.get(API).status_code == 200


@pytest.mark.parametrize(("field", "value"), REFUSED, ids=lambda v: repr(v)[:40])
def test_a_hostile_value_is_refused_with_a_clear_error_and_nothing_written(world, login, field, value):
    client = login("preparer")
    response = _post(client, body(world, **{field: value}))
    assert response.status_code == 400, (field, value, response.status_code)
    answer = response.json()
    assert answer["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in answer["message"])
    assert Project.objects.count() == 0
    _still_answers(client)


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_control_and_zero_width_characters_never_reach_the_database(world, login, char):
    client = login("preparer")
    response = _post(client, body(world, name=f"实验室{char}改造项目"))
    assert response.status_code in (201, 200, 400), response.status_code
    assert all(char not in p.name for p in Project.objects.all())  # (LIKE cannot look for NUL)
    if response.status_code != 400:
        assert Project.objects.get().name == "实验室改造项目"
    _still_answers(client)
    assert client.get("/projects/?export=xlsx").status_code == 200  # exports never fail on stored text


@pytest.mark.parametrize("text", TEXT, ids=lambda t: t[:24])
def test_script_sql_and_formula_text_is_stored_as_text_and_shown_escaped(world, login, text):
    client = login("preparer")
    response = _post(client, body(world, name=text))
    assert response.status_code in (200, 201), response.content
    project = Project.objects.get()
    assert project.name == text.strip()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    _still_answers(client)


def test_the_corpus_counts():
    """Issue #11: at least 100 hostile inputs in tests/corpus."""
    from tests.corpus import test_money, test_uploads

    distinct = (len(REFUSED) + len(INVISIBLE) + len(TEXT) + len(test_uploads.UPLOADS) + len(test_money.WAN)
                + 5 + 3 + 4 + 6 + 6)  # test_api: page queries, path numbers, unknown routes, JSON bodies, amounts
    assert distinct >= 100, distinct
