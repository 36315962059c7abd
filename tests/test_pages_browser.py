"""The reader's pages in a real browser (Debian chromium via Playwright), every request outside the
test's own server aborted. Screenshots go to tests/artifacts/.

Skipped when /usr/bin/chromium is missing, unless VANKIEN_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from browsing import Offline  # noqa: E402
from serving import live_server  # noqa: E402

from vankien.graph import queries  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = HERE / "artifacts"
ID = "https://w3id.org/vankien/id/"
VK = "https://w3id.org/vankien/ontology#"
DOC_35 = ID + "doc/tw/ct/35/k13"
IMPLEMENTERS_35 = {"/id/doc/tu-dien-bien/kh/158/k14": "158-KH/TU", "/id/doc/tu-dien-bien/hd/03/k14": "03-HD/TU"}
SUMMARY = {"vi": "Tóm tắt", "en": "Summary", "de": "Überblick"}
IMPLEMENTED_BY = {"vi": "Được thực hiện bởi", "en": "Implemented by", "de": "Umgesetzt durch"}
PAGES = ("/id/doc/tw/ct/35/k13", "/id/doc/tu-dien-bien/nq/04/k14", "/id/body/dien-bien/ban-to-chuc-tinh-uy",
         "/id/source/bdbp-218887-de", "/id/claim/bdbp-218887-de/c018/1", "/id/term/dien-bien/14",
         "/ontology", "/timeline", "/id/nothing/here")


@pytest.fixture(scope="module")
def server(api_client):
    """The session's app (real graph) served by uvicorn on 127.0.0.1."""
    with live_server(api_client.app) as base_url:
        yield base_url, api_client.app.state.runtime.store


@pytest.mark.parametrize("lang", ["vi", "en", "de"])
def test_document_page_of_35_ct_tw_in_each_language(browser, server, lang):
    base_url, store = server
    offline = Offline(browser, base_url + "/")
    page = offline.page
    page.goto(f"{base_url}/id/doc/tw/ct/35/k13?lang={lang}")
    summary = page.locator(".vk-summary")
    assert summary.is_visible() and SUMMARY[lang] in summary.inner_text()
    assert "35-CT/TW" in summary.inner_text()
    relations = page.locator("#rel-implemented_by")
    assert IMPLEMENTED_BY[lang] in relations.inner_text()
    for path, notation in IMPLEMENTERS_35.items():
        item = relations.locator("li", has=page.locator(f'a[href="{path}"]'))
        assert item.is_visible() and notation in item.inner_text()
        quotes = queries.provenance(store, subject=ID + path[4:], predicate=VK + "implements", obj=DOC_35)
        assert quotes and all(q["quote"] in item.inner_text() for q in quotes)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"document-35-CT-TW-{lang}.png"), full_page=True)
    assert offline.aborted == [] and offline.errors == []
    page.close()


def test_every_page_works_offline_and_its_iri_links_stay_on_the_server(browser, server):
    base_url, _ = server
    offline = Offline(browser, base_url + "/")
    page = offline.page
    for path in PAGES:
        answer = page.goto(base_url + path)
        assert answer.status == (404 if "nothing" in path else 200), path
        assert page.evaluate("getComputedStyle(document.body).fontFamily")   # the stylesheet loaded
        assert page.locator("header.vk-top").is_visible(), path
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        leaving = [h for h in hrefs if not h.startswith(base_url)]
        assert not [h for h in leaving if h.startswith(("https://w3id.org/vankien/", VK))], (path, leaving)
        name = path.strip("/").replace("/", "_") or "home"
        page.screenshot(path=str(ARTIFACTS / f"page-{name}.png"))
    assert offline.aborted == [] and offline.errors == []
    page.close()


def test_language_switch_changes_the_interface(browser, server):
    base_url, _ = server
    offline = Offline(browser, base_url + "/")
    page = offline.page
    page.goto(f"{base_url}/id/doc/tw/ct/35/k13?lang=en")
    page.locator(".vk-lang a[hreflang=vi]").click()
    page.wait_for_url("**lang=vi")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert SUMMARY["vi"] in page.locator(".vk-summary").inner_text()
    assert offline.aborted == []
    page.close()
