"""The first hour (issue #10): the system administrator finds 组织机构 in the menu; a new project's
预算年度 is prefilled."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_system_administrator_menu_has_the_organisation(login):
    body = login("sysadmin").get("/").content.decode()
    assert "组织机构" in body and reverse("org:agency_list") in body


def test_new_project_has_the_budget_year_prefilled(login):
    body = login("preparer").get(reverse("projects:project_create")).content.decode()
    field = re.search(r'<input[^>]*name="year"[^>]*>', body).group(0)
    assert re.search(r'value="20\d\d"', field), field
    asked = login("preparer").get(reverse("projects:project_create") + "?year=2031").content.decode()
    assert 'value="2031"' in re.search(r'<input[^>]*name="year"[^>]*>', asked).group(0)
