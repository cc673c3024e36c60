"""The UI shell in a real browser: login, scope shown to each role, navigation by role, logout,
and the layout at a laptop and a phone size. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, shot

# The live server answers from another thread, so each test commits for real and the database is
# flushed afterwards; serialized_rollback brings back the rows the migrations load (sectors, chain
# heads) that the flush would otherwise take from every later browser test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_preparer_sees_only_own_agency_and_no_admin_menu(sign_in):
    page = sign_in("preparer")

    expect(page.get_by_test_id("scope")).to_have_text("仅本单位")
    expect(page.get_by_test_id("agency")).to_contain_text("临朐县第一中学")
    expect(page.get_by_test_id("role")).not_to_have_text("未分配")
    nav = page.get_by_test_id("nav-areas")
    expect(nav.locator("[data-area=org]")).to_be_visible()
    expect(nav.locator("[data-area=targets]")).to_be_visible()
    expect(nav.get_by_text("管理", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("nav-admin")).to_have_count(0)
    shot(page, "home-preparer")

    expect(nav.locator(".active")).to_have_count(0)
    nav.locator("[data-area=org]").click()
    expect(nav.locator(".active")).to_have_attribute("data-area", "org")
    rows = page.get_by_test_id("agency-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("临朐县第一中学")
    expect(page.get_by_test_id("agency-table")).not_to_contain_text("农业技术推广中心")


def test_performance_section_sees_whole_region_and_opens_config(sign_in, world):
    page = sign_in("perf_section")

    expect(page.get_by_test_id("scope")).to_contain_text("本区划全部")
    page.get_by_test_id("nav-areas").get_by_text("管理", exact=True).click()
    admin = page.get_by_test_id("nav-admin")
    expect(admin).to_be_visible()
    expect(admin.get_by_role("link", name="区划年度配置")).to_be_visible()

    page.get_by_test_id("nav-areas").locator("[data-area=org]").click()
    table = page.get_by_test_id("agency-table")
    home_region = [a for (region, _), a in world.agencies.items() if region == world.user("perf_section").region.code]
    expect(table.locator("tbody tr")).to_have_count(len(home_region))
    expect(table).to_contain_text("临朐县农业技术推广中心")
    expect(table).not_to_contain_text("察布查尔")
    expect(table.locator("tbody tr", has_text="临朐县第一中学")).to_contain_text("教育")
    shot(page, "agencies-perf-section")

    page.get_by_test_id("nav-areas").get_by_text("管理", exact=True).click()
    page.get_by_test_id("nav-admin").get_by_role("link", name="区划年度配置").click()
    expect(page).to_have_url(re.compile(r"/core/config/$"))
    expect(page.locator("h1")).to_contain_text("年度配置")
    shot(page, "config-perf-section")


def test_wrong_password_shows_chinese_error_and_stays_logged_out(open_page):
    page = open_page()
    page.goto("/login/")
    expect(page).to_have_title("登录 - 绩效 · 预算绩效管理一体化系统")
    shot(page, "login")
    page.fill("#id_username", "preparer")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")

    expect(page.get_by_test_id("login-error")).to_contain_text("账号或密码不正确")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_test_id("nav-areas")).to_have_count(0)
    shot(page, "login-error")


def test_logout_returns_to_login_and_protects_pages(sign_in):
    page = sign_in("preparer")
    page.get_by_role("button", name=re.compile("王芳")).click()
    page.get_by_role("button", name="退出登录").click()

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("alert")).to_contain_text("您已安全退出")
    page.goto("/org/agencies/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def _no_horizontal_overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("path", ["/", "/org/agencies/", "/core/config/", "/core/inbox/"])
def test_desktop_layout_fits_and_shows_full_navbar(sign_in, path):
    page = sign_in("perf_section", viewport=DESKTOP)
    page.goto(path)
    scroll_width, inner_width = _no_horizontal_overflow(page)
    assert scroll_width <= inner_width, f"{path}: page is {scroll_width}px wide in a {inner_width}px window"
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    expect(page.get_by_test_id("nav-areas")).to_be_visible()
    # The performance section has every area plus 管理: the most a navbar carries. On a 1366 laptop
    # it should stay one line rather than push the page down.
    navbar_height = page.locator("nav.navbar").bounding_box()["height"]
    assert navbar_height < 70, f"{path}: navbar wraps to {navbar_height}px high at 1366×768"


@pytest.mark.parametrize("path", ["/", "/org/agencies/", "/core/config/", "/core/inbox/"])
def test_phone_layout_collapses_navbar_and_fits(sign_in, path):
    page = sign_in("perf_section", viewport=PHONE)
    page.goto(path)
    scroll_width, inner_width = _no_horizontal_overflow(page)
    assert scroll_width <= inner_width, f"{path}: page is {scroll_width}px wide in a {inner_width}px window"

    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.get_by_test_id("nav-areas")).to_be_hidden()
    if path == "/":
        shot(page, "phone-home-perf-section")
    toggler.click()
    # Bootstrap animates the collapse; "show" without "collapsing" means it has finished opening.
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(page.locator("#mainnav.collapsing")).to_have_count(0)
    expect(page.get_by_test_id("nav-areas")).to_be_visible()
    expect(page.get_by_test_id("nav-areas").locator("[data-area=org]")).to_be_visible()
    if path == "/":
        shot(page, "phone-nav-open-perf-section")


def test_phone_login_page_fits(open_page):
    page = open_page(PHONE)
    page.goto("/login/")
    scroll_width, inner_width = _no_horizontal_overflow(page)
    assert scroll_width <= inner_width
    expect(page.locator("button[type=submit]")).to_be_in_viewport()
    shot(page, "phone-login")


@pytest.mark.parametrize("width", [1200, 1280, 1440, 1600, 1920])
def test_navbar_is_one_line_on_every_laptop_width(sign_in, width):
    page = sign_in("perf_section", viewport={"width": width, "height": 800})
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    navbar_height = page.locator("nav.navbar").bounding_box()["height"]
    assert navbar_height < 70, f"navbar wraps to {navbar_height}px high at {width}px"
    assert _no_horizontal_overflow(page)[0] <= width


def test_navbar_collapses_on_a_tablet(sign_in):
    page = sign_in("perf_section", viewport={"width": 1024, "height": 768})
    expect(page.locator(".navbar-toggler")).to_be_visible()
    expect(page.get_by_test_id("nav-areas")).to_be_hidden()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("username", ["perf_section", "sysadmin", "secadmin", "auditor", "dept_reviewer", "expert"])
def test_every_page_in_the_menu_fits_the_screen(sign_in, username, viewport):
    """Each page a role reaches from its menus: no sideways scrolling (wide tables scroll inside
    their own box) and nothing in the console (a CSP violation, a missing asset). Set
    JIXIAO_SCREENSHOTS=1 to keep a screenshot of every page in test-artifacts/menu/."""
    page = sign_in(username, viewport=viewport)
    hrefs = page.eval_on_selector_all(
        "nav a.nav-link[href^='/'], nav a.dropdown-item[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) >= 3
    for href in dict.fromkeys(hrefs):
        response = page.goto(href)
        assert response.status == 200, f"{username} {href}: HTTP {response.status}"
        scroll_width, inner_width = _no_horizontal_overflow(page)
        assert scroll_width <= inner_width, f"{username} {href}: page is {scroll_width}px wide in {inner_width}px"
        if os.environ.get("JIXIAO_SCREENSHOTS"):
            slug = href.strip("/").replace("/", "-") or "home"
            shot(page, f"menu/{username}-{viewport['width']}-{slug}", full_page=False)
