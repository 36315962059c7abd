"""The review page (vankien review --web) in a real browser (Debian chromium via Playwright) against a
real uvicorn on 127.0.0.1: keyboard accept and reject, an edit with a bad quote → the clear error on
the page and nothing written, and the file holding the decisions with who/when afterwards.

The ``browser`` fixture (tests/conftest.py) skips when /usr/bin/chromium is missing, unless
VANKIEN_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from browsing import Offline  # noqa: E402
from serving import live_server  # noqa: E402

from vankien.api.review_app import make_review_app  # noqa: E402
from vankien.graph.claims import load_seed_file  # noqa: E402
from vankien.graph.review import ClaimsFile  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = HERE / "artifacts"
CANDIDATES = HERE / "fixtures" / "candidates"


@pytest.fixture
def folder(pending_candidates) -> Path:
    return pending_candidates


def test_review_page_accept_reject_and_a_bad_edit(browser, folder):
    path = folder / "candidates.yaml"
    app = make_review_app(ClaimsFile(path, folder), "Browser Reviewer")
    with live_server(app, probe_path="/api/state") as base_url:
        offline = Offline(browser, base_url, viewport={"width": 1500, "height": 800})
        page, errors, outside = offline.page, offline.errors, offline.aborted
        page.goto(base_url + "/")
        page.wait_for_function("window.vankienReviewReady === true", timeout=30_000)

        # the first pending candidate, its quote highlighted in the source text
        assert page.locator("#claim h2").inner_text().startswith("k2")
        assert page.locator("#source mark.current").all_inner_texts() == ["Plan 9-KH/TU was issued by the board"]
        assert page.locator("#source mark").count() == 4           # every passage of every claim

        # edit with a bad quote: the server's clear error on the page, the file untouched
        before = path.read_bytes()
        page.keyboard.press("e")
        page.locator("#edit textarea.quote-text").first.fill("Plan 9-KH/TU was issued by the Politburo")
        page.keyboard.press("Control+Enter")
        page.locator("#error").get_by_text("the quote is not in the text").wait_for()
        error = page.locator("#error").inner_text()
        assert "candidates.yaml:" in error and "claim k2, quote 1: text at 0:40 is" in error
        assert path.read_bytes() == before
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review-bad-edit.png"))
        page.keyboard.press("Escape")
        assert page.locator("#edit").is_hidden() and page.locator("#error").inner_text() == ""

        # a good edit: a second passage, then accept with the keyboard
        page.keyboard.press("e")
        page.locator("#add-quote").click()
        page.locator("#edit textarea.quote-text").nth(1).fill("the board issued Plan 9-KH/TU")
        page.locator("#edit input.start").nth(1).fill("77")
        page.locator("#save-edit").click()
        page.locator("#edit").wait_for(state="hidden")
        assert page.locator("#source mark.current").all_inner_texts() == [
            "Plan 9-KH/TU was issued by the board", "the board issued Plan 9-KH/TU"]
        page.keyboard.press("a")
        page.locator("#list li[data-id='k2'] .state-accepted").wait_for()
        assert page.locator("#claim h2").inner_text().startswith("k3")   # on to the next one
        page.keyboard.press("r")
        page.locator("#list li[data-id='k3'] .state-rejected").wait_for()
        assert page.locator("#counts").inner_text() == "2 accepted, 1 rejected"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review.png"))
        assert (ARTIFACTS / "review.png").stat().st_size > 10_000
        assert errors == [] and outside == []
        page.close()

        # the change routes refuse a request without the page's token; a foreign Host is refused
        refused = httpx.post(f"{base_url}/api/claims/k1/reject", json={}, timeout=10)
        assert refused.status_code == 403 and "X-Review-Token" in refused.json()["error"]
        assert httpx.get(f"{base_url}/", headers={"Host": "evil.example"}, timeout=10).status_code == 400

    claims = {c.id: c for c in load_seed_file(path).claims}
    assert {k: (c.review, c.reviewed_by) for k, c in claims.items()} == {
        "k1": ("accepted", "synthetic reviewer"), "k2": ("accepted", "Browser Reviewer"),
        "k3": ("rejected", "Browser Reviewer")}
    assert [(q.quote, q.start) for q in claims["k2"].quotes] == [
        ("Plan 9-KH/TU was issued by the board", 0), ("the board issued Plan 9-KH/TU", 77)]
