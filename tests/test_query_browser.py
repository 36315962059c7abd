"""The query page and the API docs in a real browser (Debian chromium via Playwright), with every
request that does not go to the test's own server on 127.0.0.1 aborted and counted.

The ``browser`` fixture (tests/conftest.py) skips when /usr/bin/chromium is missing, unless
VANKIEN_REQUIRE_BROWSER=1 (then it fails).
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from browsing import Offline  # noqa: E402
from serving import live_server  # noqa: E402

from vankien.api.app import create_app  # noqa: E402
from vankien.graph.examples import EXAMPLES  # noqa: E402
from vankien.ontology import VK  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = HERE / "artifacts"
WAIT_MS = 30_000
PLAN_EXAMPLE = next(e for e in EXAMPLES if e.name == "plan-implements-directive")


@pytest.fixture(scope="module")
def server(built):
    with live_server(create_app(built[0])) as base_url:
        yield base_url, built[0]


@pytest.fixture
def offline(browser, server):
    """A fresh offline browser context; on leaving, nothing may have gone elsewhere or thrown."""
    context = Offline(browser, server[0] + "/", accept_downloads=True)
    yield context
    context.close()
    assert context.aborted == [] and context.errors == []


def open_page(offline, url: str):
    """A new tab at ``url`` once the editor is up."""
    page = offline.new_page()
    page.goto(url)
    page.wait_for_selector(".cm-editor .cm-content", timeout=WAIT_MS)
    return page


def editor_text(page) -> str:
    return page.evaluate("() => window.vankienEditor.value")


def set_editor(page, text: str) -> None:
    page.evaluate("text => { window.vankienEditor.value = text; }", text)


def result_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all("#result-table tbody tr",
                                     "rows => rows.map(r => [...r.cells].map(c => c.textContent))")


def run_and_wait(page) -> None:
    page.click("#run")
    # the status says "Running…" (in the page's language) until the answer is in
    page.wait_for_function("() => { const text = document.getElementById('status').textContent;"
                           " return text !== '' && !text.endsWith('…'); }", timeout=WAIT_MS)


def api_rows(base_url: str, query: str) -> list[list[str]]:
    answer = httpx.post(f"{base_url}/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert answer.status_code == 200, answer.text
    return list(csv.reader(io.StringIO(answer.text)))


def test_query_page_runs_an_example_downloads_csv_and_shares_a_link(offline, server):
    base_url, _settings = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(offline, base_url + "/")
    assert page.locator("#query").is_hidden()               # the editor replaced the textarea
    # highlighted: keywords are drawn in another colour than the text around them
    colours = page.evaluate("""() => { const plain = getComputedStyle(document.querySelector('.cm-line')).color;
        const keyword = [...document.querySelectorAll('.cm-line span')].find(s => s.textContent === 'PREFIX');
        return [plain, keyword && getComputedStyle(keyword).color]; }""")
    assert colours[1] is not None and colours[0] != colours[1], colours
    page.click(f"button.example[data-name='{PLAN_EXAMPLE.name}']")
    assert editor_text(page) == PLAN_EXAMPLE.sparql.strip()
    run_and_wait(page)
    expected = api_rows(base_url, PLAN_EXAMPLE.sparql)
    assert result_rows(page) == expected[1:] and len(expected) > 1
    page.screenshot(path=str(ARTIFACTS / "query-page-example.png"), full_page=True)

    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.click("button.download[data-format='csv']")
    download = download_info.value
    assert download.suggested_filename == "vankien-results.csv"
    downloaded = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert downloaded == expected

    page.click("#share")
    link = page.input_value("#share-link")
    assert urlsplit(link).path == "/" and "query=" in link
    shared = open_page(offline, link)
    shared.wait_for_function("() => /rows? in/.test(document.getElementById('status').textContent)",
                             timeout=WAIT_MS)
    assert editor_text(shared) == PLAN_EXAMPLE.sparql.strip()
    assert result_rows(shared) == expected[1:]
    shared.screenshot(path=str(ARTIFACTS / "query-page-shared-link.png"), full_page=True)


def test_prefix_completion_and_a_missing_prefix_named_in_the_editor(offline, server):
    base_url, _settings = server
    page = open_page(offline, base_url + "/")
    set_editor(page, "")
    page.click(".cm-content")
    page.keyboard.type("SELECT ?n WHERE { ?d sko")
    page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected='true']", timeout=WAIT_MS)
    options = page.eval_on_selector_all(".cm-tooltip-autocomplete li", "items => items.map(i => i.textContent)")
    assert any(option.startswith("skos:") for option in options), options
    # CodeMirror takes Enter as the choice only once the list has been shown for its interactionDelay
    # (75 ms): sooner, Enter is typed as a newline, as it is for a user still typing. Pause as a user does.
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    text = editor_text(page)
    assert text.startswith("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
    assert text.endswith("SELECT ?n WHERE { ?d skos:}")   # the editor closed the brace

    # a prefix used but not declared: the server names it, the editor marks its line
    set_editor(page, "SELECT ?n WHERE {\n  ?d a vk:Plan ;\n     skos:notation ?n }")
    run_and_wait(page)
    notice = page.text_content("#notice")
    assert notice.startswith("line 2, column 8: the prefix vk: is not declared"), notice
    page.wait_for_selector(".cm-lintRange-error", timeout=WAIT_MS)
    marked_line = page.evaluate("""() => { const view = window.vankienEditor.view;
        const range = document.querySelector('.cm-lintRange-error');
        return view.state.doc.lineAt(view.posAtDOM(range)).number; }""")
    assert marked_line == 2
    page.screenshot(path=str(ARTIFACTS / "query-page-missing-prefix.png"), full_page=True)
    page.click("#add-prefix")          # declares vk: and runs again: now skos: is missing
    page.wait_for_function("() => /skos:/.test(document.getElementById('notice').textContent)",
                           timeout=WAIT_MS)
    page.click("#add-prefix")
    page.wait_for_function("() => /rows? in/.test(document.getElementById('status').textContent)",
                           timeout=WAIT_MS)
    assert {row[0] for row in result_rows(page)} >= {"158-KH/TU"}


def test_every_vankien_iri_in_results_links_to_this_server(offline, server):
    base_url, settings = server
    query = f"""PREFIX vk: <{VK}>
SELECT ?plan ?type ?directive WHERE {{ ?plan vk:implements ?directive ; a ?type
  FILTER(STRSTARTS(STR(?type), STR(vk:))) }}"""
    page = open_page(offline, base_url + "/")
    set_editor(page, query)
    run_and_wait(page)
    links = page.eval_on_selector_all("#result-table a", "links => links.map(a => [a.textContent, a.href])")
    assert len(links) >= 6
    for iri, href in links:
        assert iri.startswith((settings.base_iri, VK))
        assert href.startswith(base_url + "/"), (iri, href)
    document_link = next(href for iri, href in links if iri.startswith(settings.base_iri))
    with page.expect_navigation(timeout=WAIT_MS) as navigation:
        page.click(f"#result-table a[href='{urlsplit(document_link).path}']")
    assert navigation.value.status == 200 and page.url == document_link


def test_service_description_link_and_api_docs_work_offline(offline, server):
    base_url, _settings = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = offline.new_page()
    page.goto(base_url + "/")
    with page.expect_navigation(timeout=WAIT_MS) as navigation:
        page.click("#service-description")
    assert navigation.value.status == 200 and "sd:Service" in page.text_content("body")
    docs = offline.new_page()
    docs.goto(base_url + "/docs")
    docs.wait_for_selector(".swagger-ui .info .title", timeout=WAIT_MS)
    assert "vankien API" in docs.text_content(".swagger-ui .info .title")
    docs.wait_for_selector(".opblock-summary-path", timeout=WAIT_MS)
    assert "/sparql" in docs.eval_on_selector_all(".opblock-summary-path", "ps => ps.map(p => p.textContent)")
    docs.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    redoc = offline.new_page()
    redoc.goto(base_url + "/redoc")
    redoc.wait_for_selector("h1", timeout=WAIT_MS)
    redoc.wait_for_function("() => /vankien API/.test(document.querySelector('h1').textContent)",
                            timeout=WAIT_MS)
    redoc.screenshot(path=str(ARTIFACTS / "api-redoc.png"))


@pytest.mark.parametrize("lang, run_label, share_label, first_example", [
    ("vi", "Chạy", "Chia sẻ liên kết", "Kế hoạch nào thực hiện chỉ thị nào?"),
    ("de", "Ausführen", "Link teilen", "Welcher Plan setzt welche Richtlinie um?")])
def test_the_query_page_speaks_the_readers_language(offline, server, lang, run_label, share_label, first_example):
    base_url, _settings = server
    page = open_page(offline, f"{base_url}/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert page.text_content("#run").strip() == run_label and page.text_content("#share").strip() == share_label
    assert page.text_content("button.example").strip() == first_example
    run_and_wait(page)
    assert len(result_rows(page)) >= 1
    page.screenshot(path=str(ARTIFACTS / f"query-page-{lang}.png"), full_page=True)
