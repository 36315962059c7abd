"""The graph view: what is selected, that the page is offline, escaped, and carries its quotes."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "viz"))
from viz_support import build_graph, external_refs, make_app, page_data, synthetic_iri

from vankien.api import graph_page
from vankien.graph import viz

ID = "https://w3id.org/vankien/id/"
# What the seed states around 35-CT/TW: 158-KH/TU and 03-HD/TU implement it; the Politburo issued
# it; the provincial standing committee issued and the organisation board advised the two.
LINEAGE_35 = {ID + p for p in ("doc/tw/ct/35/k13", "doc/tu-dien-bien/kh/158/k14", "doc/tu-dien-bien/hd/03/k14",
                               "body/tw/bo-chinh-tri", "body/dien-bien/ban-thuong-vu-tinh-uy",
                               "body/dien-bien/ban-to-chuc-tinh-uy")}
D901, D902, D903, D904 = (synthetic_iri(f"doc/{p}/unresolved/synthetic-viz") for p in
                          ("tw/ct/901", "tu-dien-bien/kh/902", "tu-dien-bien/hd/903", "tu-dien-bien/nq/904"))
POLITBURO = synthetic_iri("body/tw/synthetic-politburo")
BTV = synthetic_iri("body/dien-bien/synthetic-standing-committee")
PAYLOAD = "<img src=x onerror=window.__xss=1;alert(1)>"


@pytest.fixture(scope="module")
def real(real_graph):
    return real_graph


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return build_graph(tmp_path_factory.mktemp("synthetic"))


def test_written_focus_view_is_offline_and_draws_the_lineage(real, tmp_path):
    settings, store = real
    path = graph_page.write_view(store, tmp_path / "view.html", focus="35-CT/TW", depth=2, settings=settings)
    text = path.read_text(encoding="utf-8")
    assert [ref for ref in external_refs(text) if ref.lower().startswith(("http://", "https://", "//"))] == []
    assert "vis.Network" in text                    # the library is inlined, not fetched
    data = page_data(text)
    assert {node["id"] for node in data["nodes"]} == LINEAGE_35
    edge = next(e for e in data["edgeDetails"] if e["from"].endswith("/kh/158/k14") and e["to"].endswith("/ct/35/k13"))
    assert any("35-CT/TW" in ev["quote"] for ev in edge["evidence"])
    # the claim's every passage reaches the panel data, with its offsets
    assert [(q["quote"], q["start"]) for ev in edge["evidence"] for q in ev["quotes"]] == [
        ("In Umsetzung der Richtlinie Nr. 35-CT/TW", 6138),
        ("den Plan Nr. 158-KH/TU und die Anweisung Nr. 03-HD/TU", 6389)]



@pytest.mark.parametrize("lang, politburo, issuer_of_158", [
    ("vi", "Bộ Chính trị", "Ban Thường vụ Tỉnh ủy"),     # the lexicon's names: the source is German
    ("en", "Politburo", "Standing Committee of the Provincial Party Committee"),
    ("de", "Politbüro", "Ständiger Ausschuss des Provinzparteikomitees")])
def test_the_canvas_names_bodies_in_the_readers_language(real, tmp_path, lang, politburo, issuer_of_158):
    settings, store = real
    text = graph_page.write_view(store, tmp_path / "view.html", focus="35-CT/TW", lang=lang).read_text(encoding="utf-8")
    data = page_data(text)
    labels = {node["id"]: node["label"] for node in data["nodes"]}
    assert labels[ID + "body/tw/bo-chinh-tri"] == politburo
    assert labels[ID + "doc/tu-dien-bien/kh/158/k14"] == "158-KH/TU"      # a document keeps its number
    assert data["details"][ID + "doc/tu-dien-bien/kh/158/k14"]["issuers"] == [issuer_of_158]

@pytest.mark.parametrize("depth, expected", [(0, {D903, BTV}), (1, {D903, D902, BTV}),
                                             (2, {D903, D902, D901, BTV, POLITBURO})])
def test_lineage_follows_implements_for_depth_hops(synthetic, depth, expected):
    view, message = viz.select_view(synthetic[1], focus="903-HD/TU", depth=depth)
    assert set(view) == expected and message is None


def test_body_view_and_type_filter(synthetic):
    store = synthetic[1]
    assert set(viz.select_view(store, body=BTV)[0]) == {BTV, D902, D903, D904}
    assert set(viz.select_view(store, types=["KH"])[0]) == {D902}
    assert set(viz.select_view(store, types=["Directive", "body"])[0]) == {D901, POLITBURO, BTV}
    with pytest.raises(ValueError, match="unknown node type 'Nonsense'"):
        viz.select_view(store, types=["Nonsense"])


def test_cap_keeps_the_nearest_nodes_and_says_what_was_left_out(synthetic):
    view, message = viz.select_view(synthetic[1], focus="902-KH/TU", max_nodes=2)
    assert D902 in view and view.number_of_nodes() == 2
    assert "3 left out" in message and "focus" in message
    page = graph_page.render_html(view, title="t", message=message)
    assert "3 left out" in page


def test_crafted_titles_and_quotes_never_reach_the_page_raw(synthetic):
    view, _ = viz.select_view(synthetic[1])
    text = graph_page.render_html(view, title="<b>title</b>", message="<i>note</i>")
    assert "<img" not in text and "<script>window" not in text and "<b>title" not in text
    data = page_data(text)                                      # … yet the text survives as data
    assert any(PAYLOAD in t["text"] for t in data["details"][D904]["titles"])
    quotes = [ev["quote"] for e in data["edgeDetails"] for ev in e["evidence"]]
    assert any(PAYLOAD in q for q in quotes)


def test_labels_that_close_the_script_stay_inside_the_data():
    graph = nx.DiGraph()
    graph.add_node("a", kind="document", type="Plan", label="</script><script>window.__xss=1</script>")
    graph.add_node("b", kind="body", type="Politburo", label="x & y")
    graph.add_edge("a", "b", label="issuedBy")
    text = graph_page.render_html(graph, title="t")
    assert "</script><script>window" not in text
    data = page_data(text)
    assert data["details"]["a"]["label"] == "</script><script>window.__xss=1</script>"
    assert {n["shape"] for n in data["nodes"]} == {"triangle", "box"}


@pytest.fixture(scope="module")
def client(synthetic):
    app = make_app(*synthetic)
    with TestClient(app) as test_client:
        yield test_client
    app.state.runtime.executor.close()


@pytest.mark.parametrize("focus", ["vkid:doc/tw/ct/35/k13", "<https://w3id.org/vankien/id/doc/tw/ct/35/k13>"])
def test_the_focus_takes_a_document_as_its_curie_or_bracketed_iri(real, tmp_path, focus):
    # vkid:doc/… (as the CLI and REST name documents) was "document number '35' has no type …"
    settings, store = real
    path = graph_page.write_view(store, tmp_path / "view.html", focus=focus, depth=2, settings=settings)
    assert {node["id"] for node in page_data(path.read_text(encoding="utf-8"))["nodes"]} == LINEAGE_35


def test_api_draws_a_focus_view(client):
    response = client.get("/graph", params={"focus": "902-KH/TU", "depth": 1})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert {n["id"] for n in page_data(response.text)["nodes"]} == {D901, D902, D903, BTV, POLITBURO}


@pytest.mark.parametrize("params, status, fragment", [
    ({"focus": "999-KH/TU"}, 404, "no document numbered"),
    ({"focus": "not a number"}, 400, ""),
    ({"body": "https://example.org/nobody"}, 404, "no party body"),
    ({"type": "Nonsense"}, 400, "unknown node type"),
    ({"construct": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p"}, 400, "syntax"),
    ({"construct": "SELECT * WHERE { ?s ?p ?o }"}, 400, "CONSTRUCT"),
    ({"construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, 400, "SERVICE"),
])
def test_api_errors_are_json(client, params, status, fragment):
    response = client.get("/graph", params=params)
    assert response.status_code == status
    assert fragment in response.json()["error"]


def test_api_draws_a_construct_result(client):
    query = ("PREFIX vk: <https://w3id.org/vankien/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
             "CONSTRUCT { ?a vk:implements ?b . ?a skos:notation ?n } WHERE { ?a vk:implements ?b ; skos:notation ?n }")
    response = client.get("/graph", params={"construct": query})
    assert response.status_code == 200
    data = page_data(response.text)
    assert {n["id"] for n in data["nodes"]} == {D901, D902, D903}
    assert {(e["from"], e["to"], e["label"]) for e in data["edgeDetails"]} == {
        (D902, D901, "implements"), (D903, D902, "implements")}
    assert all(e["evidence"] for e in data["edgeDetails"])     # quotes looked up in the store
