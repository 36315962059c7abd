"""The browser tests' helpers: where chromium is and how it is started (``CHROMIUM``,
``CHROMIUM_ARGS``, used by the ``browser`` fixture in conftest.py), and
``Offline(browser, allowed_prefix)``: browser pages whose every request outside ``allowed_prefix``
is aborted and recorded, with the script errors and dialogs they raise (for the browser tests).

Each page is ``browser.new_page`` (its own context, closed with the page), so a test that closes
its page leaves nothing open.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}


class Offline:
    def __init__(self, browser, allowed_prefix: str, **page_options):
        self._browser = browser
        self._allowed_prefix = allowed_prefix
        self._page_options = {"viewport": VIEWPORT, **page_options}
        self._pages: list = []
        self.aborted: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def new_page(self):
        page = self._browser.new_page(**self._page_options)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.route("**/*", self._only_allowed)
        self._pages.append(page)
        return page

    @cached_property
    def page(self):
        """The first page (opened on first use)."""
        return self.new_page()

    def close(self) -> None:
        for page in self._pages:
            if not page.is_closed():
                page.close()

    def _only_allowed(self, route) -> None:
        if route.request.url.startswith(self._allowed_prefix):
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort()
