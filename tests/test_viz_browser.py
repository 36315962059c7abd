"""The graph view in a real browser (Debian chromium via Playwright), with the network cut off.

Skipped when /usr/bin/chromium is missing, unless VANKIEN_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "fixtures" / "viz"))
from browsing import Offline  # noqa: E402
from viz_support import build_graph, serving, synthetic_iri  # noqa: E402

from vankien.api import graph_page  # noqa: E402
from vankien.graph import queries, viz  # noqa: E402
from vankien.graph.netx import to_networkx  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = HERE / "artifacts"
READY_TIMEOUT_MS = 60_000
DOC_35 = "https://w3id.org/vankien/id/doc/tw/ct/35/k13"
DOC_904 = synthetic_iri("doc/tu-dien-bien/nq/904/unresolved/synthetic-viz")


@pytest.fixture(scope="module")
def real(real_graph):
    return real_graph


@pytest.fixture(scope="module")
def served(real):
    """(base URL, store): the real graph served by uvicorn on 127.0.0.1 for the module."""
    settings, store = real
    with serving(settings, store) as base_url:
        yield base_url, store


class GraphPage(Offline):
    """An offline page on the graph view, with its nodes to find and click."""

    def open(self, url: str):
        self.page.goto(url)
        self.page.wait_for_function("window.vankienReady === true", timeout=READY_TIMEOUT_MS)
        return self.page

    def node_point(self, node: str) -> dict:
        """Where ``node`` is drawn, in page coordinates."""
        point = self.page.evaluate("""id => {
            const network = window.vankienNetwork;
            return network.canvasToDOM(network.getPositions([id])[id]); }""", node)
        box = self.page.locator("#network canvas").bounding_box()
        return {"x": box["x"] + point["x"], "y": box["y"] + point["y"]}

    def click_node(self, node: str) -> None:
        point = self.node_point(node)
        self.page.mouse.click(point["x"], point["y"])


def test_served_graph_works_offline_and_shows_quotes_on_click(browser, served):
    base_url, store = served
    offline = GraphPage(browser, base_url + "/")
    page = offline.open(f"{base_url}/graph")
    assert page.evaluate("window.vankienNodeCount") == to_networkx(store).number_of_nodes()
    assert page.locator("#legend li").count() == len(viz.NODE_STYLES)
    assert page.locator("#legend").is_visible()
    offline.click_node(DOC_35)
    details = page.locator("#details")
    details.get_by_text("35-CT/TW", exact=True).first.wait_for()
    text = details.inner_text()
    quotes = {passage["quote"] for item in queries.provenance(store, predicate=
              "https://w3id.org/vankien/ontology#implements", obj=DOC_35) for passage in item["quotes"]}
    assert len(quotes) >= 2 and all(quote in text for quote in quotes)   # every passage shown
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "graph.png"))
    assert (ARTIFACTS / "graph.png").stat().st_size > 10_000
    assert offline.aborted == [] and offline.errors == []
    page.close()


def test_standalone_file_works_with_every_request_blocked(browser, real, tmp_path):
    settings, store = real
    path = graph_page.write_view(store, tmp_path / "lineage.html", focus="35-CT/TW", settings=settings)
    offline = GraphPage(browser, path.as_uri())          # only the file itself
    page = offline.open(path.as_uri())
    assert page.evaluate("window.vankienNodeCount") == len(viz.select_view(store, focus="35-CT/TW")[0])
    offline.click_node(DOC_35)
    page.locator("#details blockquote").first.wait_for()
    assert "In Umsetzung der Richtlinie Nr. 35-CT/TW" in page.locator("#details").inner_text()
    assert offline.aborted == [] and offline.errors == []
    page.close()


def test_crafted_titles_run_no_script(browser, tmp_path):
    _, store = build_graph(tmp_path / "data")
    path = graph_page.write_view(store, tmp_path / "xss.html")
    offline = GraphPage(browser, path.as_uri())
    page = offline.open(path.as_uri())
    point = offline.node_point(DOC_904)
    page.mouse.move(point["x"], point["y"])              # the tooltip …
    page.locator("div.vis-tooltip").wait_for(state="visible")
    assert "<img src=x onerror" in page.locator("div.vis-tooltip").inner_text()
    offline.click_node(DOC_904)                          # … and the details panel show it as text
    page.locator("#details blockquote").first.wait_for()
    assert "<img src=x onerror" in page.locator("#details").inner_text()
    assert page.locator("#details img, #details script, div.vis-tooltip img").count() == 0
    page.wait_for_timeout(300)                           # give a broken image's onerror time to fire
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert offline.dialogs == [] and offline.errors == [] and offline.aborted == []
    page.close()


DOC_04 = "https://w3id.org/vankien/id/doc/tu-dien-bien/nq/04/k14"


def test_search_finds_a_document_and_a_figure_shows_value_and_quote(browser, served):
    base_url, store = served
    offline = GraphPage(browser, base_url + "/")
    page = offline.open(f"{base_url}/graph")
    hidden = page.evaluate("""() => window.vankienNetwork.body.data.nodes.get()
        .filter(n => n.hidden).map(n => n.id)""")
    figures = {r["o"] for r in queries.rows(store, "SELECT ?o WHERE { ?o a vk:Observation }")}
    assert set(hidden) == figures                       # figures start hidden
    page.fill("#search", "04-NQ/TU")
    page.press("#search", "Enter")
    details = page.locator("#details")
    details.get_by_text("04-NQ/TU", exact=True).first.wait_for()
    assert page.evaluate("window.vankienNetwork.getSelectedNodes()") == [DOC_04]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "graph-search-04-NQ-TU.png"))
    (figure,) = queries.rows(store, """SELECT ?o ?v WHERE { ?o a vk:Observation ; vk:value ?v ;
        vk:measure/skos:prefLabel "party members admitted"@en }""") or [None]
    assert figure, "the seed reports the members admitted"
    (evidence,) = queries.provenance(store, subject=figure["o"], predicate=
                                     "https://w3id.org/vankien/ontology#value")
    label = page.evaluate("id => window.vankienNetwork.body.data.nodes.get(id).label", figure["o"])
    page.fill("#search", label)
    page.press("#search", "Enter")
    details.locator(".vk-figure-value").wait_for()
    shown = page.evaluate("v => Number(v).toLocaleString()", figure["v"])
    assert shown in details.locator(".vk-figure-value").inner_text()
    assert evidence["quote"] in details.inner_text()
    page.screenshot(path=str(ARTIFACTS / "graph-figure.png"))
    assert offline.aborted == [] and offline.errors == []
    page.close()


def test_a_figure_the_source_calls_nearly_shows_as_not_above_its_value(browser, served):
    # "fast 2.500" (vk:Nearly): close to the value and not above it, so ≲, never as an exact figure
    base_url, store = served
    offline = GraphPage(browser, base_url + "/")
    page = offline.open(f"{base_url}/graph")
    (figure,) = queries.rows(store, """SELECT ?o ?v WHERE { ?o a vk:Observation ; vk:value ?v ;
        vk:approximation vk:Nearly }""") or [None]
    assert figure, "the seed reports a figure as nearly reached"
    label = page.evaluate("id => window.vankienNetwork.body.data.nodes.get(id).label", figure["o"])
    page.fill("#search", label)
    page.press("#search", "Enter")
    value = page.locator("#details .vk-figure-value")
    value.wait_for()
    shown = page.evaluate("v => Number(v).toLocaleString()", figure["v"])
    assert value.inner_text().startswith(f"\u2272 {shown}"), value.inner_text()
    assert offline.aborted == [] and offline.errors == []
    page.close()

def test_layout_is_the_same_on_reload_and_unknown_focus_is_a_page(browser, served):
    base_url, store = served
    positions = []
    for _ in range(2):
        offline = GraphPage(browser, base_url + "/")
        page = offline.open(f"{base_url}/graph?focus=35-CT/TW")
        positions.append(page.evaluate("window.vankienNetwork.getPositions()"))
        page.close()
    assert positions[0] == positions[1]
    offline = GraphPage(browser, base_url + "/")
    answer = offline.page.goto(f"{base_url}/graph?focus=999-KH/TU")
    assert answer.status == 404 and "no document numbered" in offline.page.locator("main").inner_text()
    assert offline.aborted == []
    offline.page.close()


OVERLAPS = """() => { const n = window.vankienNetwork;
  const boxes = n.body.data.nodes.get().filter(x => !x.hidden).map(x => [x.id, n.getBoundingBox(x.id)]);
  const found = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) found.push([boxes[i][0], boxes[j][0]]); }
  return found; }"""


@pytest.mark.parametrize("query", ["", "?focus=35-CT/TW", "?focus=04-NQ/TU&depth=3"])
def test_full_labels_do_not_overlap_at_1400_by_900(browser, served, query):
    base_url, store = served
    offline = GraphPage(browser, base_url + "/")
    page = offline.open(f"{base_url}/graph{query}")
    labels = page.evaluate("window.vankienNetwork.body.data.nodes.get().map(n => n.label)")
    details = page.evaluate("Object.values(JSON.parse(document.getElementById('vankien-data')"
                            ".textContent).details).map(d => d.label)")
    assert sorted(labels) == sorted(details)          # drawn whole, not cut
    assert page.evaluate(OVERLAPS) == []
    assert offline.aborted == [] and offline.errors == []
    page.close()
