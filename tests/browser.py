"""A real browser for the tests: Debian's chromium driven by Python's playwright.

``open_browser()`` starts ``/usr/bin/chromium`` headless with a new, empty
profile and yields a ``Browser`` whose pages record console errors, uncaught
page errors and every request that was refused. By default nothing but
``file:``, ``data:``, ``about:`` and ``blob:`` URLs may load; pass
``allow_hosts=("127.0.0.1", "localhost")`` to let a page reach a server the
test started on this machine. Nothing else ever goes out.

Where chromium is absent (a user's laptop) the tests using it are skipped
with the command that installs it (``requires_chromium``, or the
``browser`` fixture). Screenshots go under ``out/screenshots/`` (git-ignored;
CI keeps ``out/`` as its artifacts).
"""
import contextlib
import os
import shutil
import tempfile
import urllib.parse
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
INSTALL = "apt-get update && apt-get install -y chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
LOCAL_SCHEMES = ("file", "data", "about", "blob")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"


def chromium_missing():
    """Why the browser tests cannot run here, or '' when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"Debian's chromium is not installed at {CHROMIUM}; install it with: {INSTALL}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: run bash scripts/bootstrap.sh"
    return ""


requires_chromium = pytest.mark.skipif(bool(chromium_missing()), reason=chromium_missing() or "-")


class Browser:
    """A running chromium with one fresh profile; ``page()`` opens watched pages."""

    def __init__(self, context, allow_hosts):
        self.context = context
        self.allow_hosts = set(allow_hosts)
        self.console_errors = []   # "type: text" of console messages of type error
        self.page_errors = []      # uncaught exceptions in pages
        self.blocked = []          # URLs refused because they would leave this machine
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or (parts.scheme in ("http", "https", "ws", "wss")
                                            and parts.hostname in self.allow_hosts):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def page(self):
        """A new page whose console errors, page errors and refused requests are recorded."""
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        return page

    def reset(self):
        """Forget what went wrong so far (a browser shared by several tests)."""
        self.console_errors.clear()
        self.page_errors.clear()
        self.blocked.clear()

    def problems(self):
        """Everything that went wrong in any page so far (empty when all is well)."""
        return ([f"console: {e}" for e in self.console_errors] + [f"page error: {e}" for e in self.page_errors]
                + [f"blocked request: {u}" for u in self.blocked])


@contextlib.contextmanager
def open_browser(allow_hosts=(), viewport=(1280, 900)):
    """Yield a ``Browser``; skips the calling test when chromium is missing."""
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        with sync_playwright() as driver:
            # launch_persistent_context is how playwright takes --user-data-dir: a new empty one.
            context = driver.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=list(FLAGS[1:]),
                viewport={"width": viewport[0], "height": viewport[1]}, offline=not allow_hosts,
                service_workers="block")
            try:
                yield Browser(context, allow_hosts)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser():
    """A fresh chromium that may load local files only (see ``open_browser``)."""
    with open_browser() as opened:
        yield opened


def screenshot(page, name):
    """Save a full-page screenshot as out/screenshots/<name>.png; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
