"""Hostile input through the HTML pages, and stored values no input may produce: a bad value in the
database must not 500 a list, a page or an export."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from jixiao.org.models import Agency
from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project
from jixiao.targets.models import TargetSheet, TargetTask
from jixiao.targets.tests.factories import make_sheet

BAD_TEXT = "教学楼\x0b加固\x01改造\x1f\ud800"


def _raw_update(model, pk, **values):
    """Write values straight into the table, past the ORM and the CHECK constraints."""
    table = model._meta.db_table
    sets = ", ".join(f"{connection.ops.quote_name(model._meta.get_field(k).column)} = %s" for k in values)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:
            # fire the deferred foreign-key checks of the rows the factories just wrote, else
            # PostgreSQL refuses ALTER TABLE while trigger events are pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SELECT conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                           "WHERE t.relname = %s AND c.contype = 'c'", [table])
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*values.values(), pk])
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def test_bad_stored_text_and_amounts_never_500_a_list_a_page_or_an_export(world, login):
    sheet = make_sheet(world)
    # out of range (≥ 1e16 on SQLite, the value; PostgreSQL's numeric(18,2) cannot even hold that)
    huge = Decimal("1e16") if connection.vendor == "sqlite" else Decimal("1e15")
    _raw_update(Project, sheet.project_id, name=BAD_TEXT.replace("\ud800", ""), requested_amount=huge)
    _raw_update(TargetSheet, sheet.pk, annual_goal=BAD_TEXT.replace("\ud800", ""), amount=huge)
    _raw_update(Agency, world.agency("101001").pk, name="第一中学\x0b")
    urls = ["/projects/", "/projects/?format=xlsx", f"/projects/{sheet.project_id}/", "/targets/",
            "/targets/export/", "/targets/export/?layout=official", f"/targets/{sheet.pk}/",
            f"/targets/{sheet.pk}/sheet.xlsx", f"/api/v1/targets/sheets/{sheet.pk}", "/api/v1/targets/sheets",
            "/api/v1/projects/"]
    for persona in ("preparer", "perf_section"):
        client = login(persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (persona, url, response.status_code)
    sysadmin = login("sysadmin")
    for url in ("/org/agencies/", "/org/agencies/?format=xlsx"):
        assert sysadmin.get(url).status_code == 200, url


@pytest.mark.parametrize("amount", ["99999999999999999999", "100000000", "1e400", "NaN", "-1"])
def test_the_task_editor_refuses_amounts_out_of_range(world, login, amount):
    """Issue #11: 99999999999999999999 万元 in the task editor was stored, then the sheet answered 500."""
    preparer = login("preparer")
    preparer.post("/targets/new/", {"year": 2026, "subject": f"agency:{world.agency('101001').pk}"})
    sheet = TargetSheet.objects.get(kind="agency", agency=world.agency("101001"))
    r = preparer.post(f"/targets/{sheet.pk}/tasks/", {"version": sheet.version, "name": ["日常教学"], "content": [""],
                                                      "amount": [amount], "fiscal_amount": ["0"], "other_amount": ["0"]})
    assert r.status_code == 200 and "第 1 项任务" in r.content.decode()
    assert TargetTask.objects.count() == 0
    assert preparer.get(f"/targets/{sheet.pk}/").status_code == 200


@pytest.mark.parametrize("amount", ["99999999999999999999", "100000000", "1e400", "NaN", "Infinity"])
def test_the_project_form_refuses_amounts_out_of_range(world, login, amount):
    project = make_project(world)
    response = login("preparer").post(f"/projects/{project.pk}/edit/", {"name": "x", "requested_amount": amount})
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.requested_amount == Decimal("1200000.00")


@pytest.mark.parametrize(("persona", "url", "field"), [
    ("perf_section", "/library/templates/new/", "sector"),
    ("sysadmin", "/org/agencies/new/", "parent"),
    ("sysadmin", "/org/agencies/new/", "sector"),
])
@pytest.mark.parametrize("number", [10**30, 9223372036854775808, -(10**30)])
def test_ids_beyond_64_bits_in_a_form_are_a_clear_refusal(world, login, persona, url, field, number):
    client = login(persona)
    response = client.post(url, {field: str(number), "name": "x", "code": "X1"})
    assert response.status_code in (200, 400), response.status_code
    assert client.get(url).status_code == 200


def test_control_characters_in_a_form_are_not_stored(world, login):
    project = make_project(world)
    client = login("preparer")
    page = client.get(f"/projects/{project.pk}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="教学楼\x0b加固\u200b改造", version=project.version)
    data = {k: ([str(x) for x in v] if isinstance(v, (list, tuple)) else str(v) if not isinstance(v, bool) else
                ("on" if v else "")) for k, v in data.items()}
    client.post(f"/projects/{project.pk}/edit/", data)
    project.refresh_from_db()
    assert "\x0b" not in project.name and "\u200b" not in project.name


def test_a_file_with_thousands_of_errors_shows_the_first_200_and_downloads_all(world, login):
    from openpyxl import load_workbook

    from jixiao.projects.imports import COLUMNS
    from tests.corpus.xlsx import plain

    header = tuple(c.written_header for c in COLUMNS)
    rng = __import__("random").Random(5)
    rows = [header] + [tuple("".join(rng.choice("甲乙丙丁戊己庚辛壬癸abcdefghij") for _ in range(500)) for _ in header)
                       for _ in range(300)]
    client = login("preparer")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/projects/import/", {"file": SimpleUploadedFile("many.xlsx", plain(rows))})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="more-errors"' in page
    assert page.count("<tr><td>") <= 200
    assert len(page) < 1_000_000  # each message quotes an excerpt, not 5,000 characters
    download = client.get("/core/imports/errors.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(__import__("io").BytesIO(download.content)).active
    assert sheet.max_row > 300
    assert Project.objects.count() == 0
