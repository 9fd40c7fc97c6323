"""Playwright (Python) on Debian's chromium, against Django's live server.

`page` opens a desktop viewport, `phone` a 390x844 one. Screenshots go to tests/screenshots/
(look at them). Skipped with a reason when /usr/bin/chromium is missing.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
# Django's live server runs in a thread; Playwright's sync API runs an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason="chromium not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--lang=zh-CN", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


def _page(browser, **kwargs):
    ctx = browser.new_context(locale="zh-CN", **kwargs)
    page = ctx.new_page()
    page.set_default_timeout(10000)
    return ctx, page


@pytest.fixture
def page(browser):
    ctx, page = _page(browser, viewport={"width": 1280, "height": 860})
    yield page
    ctx.close()


@pytest.fixture
def phone(browser):
    ctx, page = _page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                      device_scale_factor=2)
    yield page
    ctx.close()


@pytest.fixture
def shot():
    """shot(page, "name") saves tests/screenshots/name.png (full page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def login(live_server):
    def do(page, username):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw-" + username)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return do
