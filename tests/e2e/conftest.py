"""Browser fixtures: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download is never used (the machines reach no browser CDN); the tests run
the distribution's /usr/bin/chromium with the flags that keep it off the network.

The sync Playwright API keeps an asyncio loop alive in the test thread while it runs, and Django
refuses ORM calls from a thread with a running loop. So the persona world is built (``world``)
before Playwright starts, and Playwright is stopped before pytest-django flushes the database:
fixture order below guarantees both without switching Django's async-safety check off.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("JIXIAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(live_server, world):
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (as .ci/run does), or set JIXIAO_CHROMIUM")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(viewport=DESKTOP)`` → a fresh page (own cookies) whose relative ``goto`` paths
    resolve against the live server. Any JavaScript error or console error fails the test: that is
    how a Content-Security-Policy violation (an inline script, a CDN asset) or a missing static
    file shows up in a browser."""
    contexts = []
    errors: list[tuple[str, str]] = []  # (the resource the message is about, the message)
    documents: set[str] = set()  # pages navigated to: their own 4xx status is the answer a test asks for

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(("", str(exc))))
        page.on("console", lambda msg: msg.type == "error" and errors.append(
            ((msg.location or {}).get("url", ""), f"{page.url}: {msg.text}")))
        page.on("response", lambda r: r.request.resource_type == "document" and r.request.frame == page.main_frame
                and documents.add(r.url))
        return page

    yield make
    for context in contexts:
        context.close()
    # a 404/403 page the test opened on purpose logs "Failed to load resource" for the document itself;
    # a missing script, style or image (a sub-resource) still fails the test
    real = [text for url, text in errors if not (url in documents and "Failed to load resource" in text)]
    assert not real, f"errors in the browser console: {real}"


@pytest.fixture
def sign_in(open_page, password):
    """``sign_in("preparer")`` → a page logged in through the real login form, on the home page."""

    def make(username: str, viewport=DESKTOP):
        page = open_page(viewport)
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return make


def shot(page, name: str, *, full_page: bool = True) -> Path:
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path
