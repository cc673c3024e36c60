"""One year parameter (core.years): bounded, a clear Chinese error, never a 500 — on the API a 400
on ``year``, on a page the message and the default year."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory

from jixiao.core.errors import ValidationFailed
from jixiao.core.years import MAX_YEAR, MIN_YEAR, YEAR_ERROR, year_param
from jixiao.org import services as org_services

HUGE = "99999999999999999999"


@pytest.mark.parametrize("raw, expected", [("2026", 2026), (" 2031 ", 2031), (str(MIN_YEAR), MIN_YEAR),
                                           (str(MAX_YEAR), MAX_YEAR), ("", 2020), (None, 2020)])
def test_a_good_or_absent_year(raw, expected):
    request = RequestFactory().get("/", {"year": raw} if raw is not None else {})
    assert year_param(request, default=2020) == expected
    assert year_param(request, value=raw, default=lambda: 2020) == expected


@pytest.mark.parametrize("raw", [HUGE, "-5", "1999", str(MAX_YEAR + 1), "二〇二六", "2026.5", 0])
def test_a_bad_year_is_refused_by_the_api_and_defaulted_on_a_page(raw):
    with pytest.raises(ValidationFailed) as exc:
        year_param(RequestFactory().get("/"), value=raw, default=2020)
    assert exc.value.errors == {"year": [YEAR_ERROR]}
    assert year_param(RequestFactory().get("/", {"year": raw}), default=lambda: 2020) == 2020


def test_the_default_is_only_computed_when_needed():
    def boom():
        raise AssertionError("default computed")

    assert year_param(RequestFactory().get("/", {"year": "2026"}), default=boom) == 2026


def test_a_form_year_wins_over_the_query():
    request = RequestFactory().post("/?year=2024", {"year": "2025"})
    assert year_param(request, default=2020) == 2025


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/library/taxonomy", "/api/v1/assessment/statistics",
                                 "/api/v1/targets/statistics/coverage", "/api/v1/targets/statistics/review"])
def test_api_answers_400_on_a_huge_year(world, url):
    _, key = org_services.create_api_token(actor=world.user("perf_section"), name="接口测试")
    r = Client(headers={"Authorization": f"Bearer {key}"}).get(url, {"year": HUGE})
    assert r.status_code == 400 and r.json()["errors"] == {"year": [YEAR_ERROR]}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/core/config/", "/library/frameworks/", "/assessment/statistics/",
                                 "/targets/statistics/", "/targets/coverage/", "/targets/new/"])
def test_pages_show_the_error_and_the_default_year(login, url):
    r = login("perf_section").get(url, {"year": HUGE})
    assert r.status_code == 200
    assert any(YEAR_ERROR in str(m) for m in get_messages(r.wsgi_request))
