"""Linked data on the real graph: every minted URI dereferences; the ontology as page and RDF."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from html_page import Page

from vankien.api.i18n import render
from vankien.graph import queries
from vankien.graph.namespaces import sparql_literal
from vankien.ontology import VK, load_ontology

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DOC_35 = "doc/tw/ct/35/k13"


@pytest.fixture(scope="module")
def app_client(api_client):
    return api_client


def minted_subjects(client) -> list[str]:
    base = client.app.state.runtime.settings.base_iri
    found = queries.rows(client.app.state.runtime.store, f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), {sparql_literal(base)})) }}""")
    return sorted(row["s"] for row in found)


def test_every_minted_uri_dereferences_as_html_and_turtle(app_client):
    base = app_client.app.state.runtime.settings.base_iri
    subjects = minted_subjects(app_client)
    assert len(subjects) > 100
    by_document: dict[str, list[str]] = {}   # hash URIs (quote#text) live in their document
    for subject in subjects:
        by_document.setdefault(subject.split("#")[0], []).append(subject)
    for document, described in by_document.items():
        path = "/id/" + document[len(base):]
        page = app_client.get(path, headers={"Accept": BROWSER})
        assert page.status_code == 200, (path, page.text[:300])
        assert page.headers["content-type"].startswith("text/html")
        assert html.escape(document) in page.text
        turtle = app_client.get(path, headers={"Accept": "text/turtle"})
        assert turtle.headers["content-type"].startswith("text/turtle"), path
        graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
        assert {rdflib.URIRef(s) for s in described} <= set(graph.subjects()), path


def test_description_holds_claims_and_quotes(app_client):
    answer = app_client.get(f"/id/{DOC_35}", headers={"Accept": "application/n-triples"})
    graph = rdflib.Graph().parse(data=answer.text, format="nt")
    doc = rdflib.URIRef("https://w3id.org/vankien/id/" + DOC_35)
    assert (doc, RDF.type, rdflib.URIRef(VK + "Directive")) in graph
    claims = set(graph.subjects(RDF.subject, doc))
    assert claims and all(graph.value(c, rdflib.URIRef(VK + "quotation")) for c in claims)
    assert rdflib.Literal("Richtlinie Nr. 35-CT/TW des Politbüros zu den Parteitagen auf allen Ebenen "
                          "im Vorfeld des 14. Nationalen Parteitags") in set(graph.objects())


def test_page_shows_quotes_and_local_links(app_client):
    # (The old page was a triple table with single-quoted attributes; the test now reads the links.)
    page = app_client.get("/id/doc/tu-dien-bien/kh/158/k14", headers={"Accept": BROWSER}).text
    assert "In Umsetzung der Richtlinie Nr. 35-CT/TW" in page
    hrefs = Page(page).hrefs
    assert f"/id/{DOC_35}" in hrefs and "/id/source/bdbp-218887-de" in hrefs
    assert not [h for h in hrefs if h.startswith("https://w3id.org/")]


def test_generic_page_links_predicates_to_the_ontology(app_client):
    hrefs = Page(app_client.get("/id/term/dien-bien/14", headers={"Accept": BROWSER}).text).hrefs
    assert "/ontology#termOrdinal" in hrefs and "/id/body/dien-bien/tinh-uy" in hrefs


def test_literals_are_escaped():
    record = {"iri": "https://x/r", "type": None, "parts": {}, "incoming": [],
              "statements": [{"predicate": "https://x/p", "object": "<script>alert(1)</script>",
                              "is_iri": False, "lang": "de", "evidence": []}],
              "names": {"https://x/r": {"notation": "<b>n</b>", "labels": {}, "titles": {},
                                        "classes": [], "class": None, "ordinal": None, "of": None,
                                        "period": None}}}
    rendered = render("resource.html", "en", record=record, base_iri="https://x/")
    assert "<script>alert" not in rendered and "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "<b>n</b>" not in rendered and "&lt;b&gt;n&lt;/b&gt;" in rendered


@pytest.mark.parametrize("path", ["/id/nothing/here", "/id/", "/id/doc/tw/ct/35/k99"])
def test_unknown_uris_are_404_json_for_clients(app_client, path):
    answer = app_client.get(path, headers={"Accept": "application/json"})
    assert answer.status_code == 404 and "error" in answer.json()


@pytest.mark.parametrize("path", ["/id/nothing/here", "/id/doc/tw/ct/35/k99"])
def test_unknown_uris_are_a_404_page_for_browsers(app_client, path):
    # (Browsers got the JSON error before; now they get a page in their language.)
    answer = app_client.get(path, headers={"Accept": BROWSER, "Accept-Language": "de-DE,de;q=0.9"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "Nicht gefunden" in answer.text and html.escape(path[4:]) in answer.text


@pytest.mark.parametrize("headers, params, media", [
    ({"Accept": "*/*"}, {}, "text/turtle"), ({}, {}, "text/turtle"),
    ({"Accept": "application/ld+json;q=0.5, text/turtle;q=0.4"}, {}, "application/ld+json"),
    ({"Accept": BROWSER}, {"format": "nt"}, "application/n-triples"),
    ({"Accept": "text/turtle"}, {"format": "html"}, "text/html")])
def test_content_negotiation(app_client, headers, params, media):
    answer = app_client.get(f"/id/{DOC_35}", headers=headers, params=params)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)


def test_unacceptable_and_unknown_formats(app_client):
    assert app_client.get(f"/id/{DOC_35}", headers={"Accept": "image/png"}).status_code == 406
    answer = app_client.get(f"/id/{DOC_35}", params={"format": "docx"})
    assert answer.status_code == 400 and answer.json()["error"].startswith("format:")


# --- /ontology --------------------------------------------------------------------------------------

def section(page: str, name: str) -> str:
    found = re.search(rf'<section id="{re.escape(name)}">(.*?)</section>', page, re.S)
    assert found, f"no section for vk:{name}"
    return found.group(1)


def test_ontology_page_lists_every_class_with_three_labels(app_client):
    page = app_client.get("/ontology", headers={"Accept": BROWSER}).text
    ontology = load_ontology()
    classes = [c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(VK)]
    assert len(classes) > 20
    for cls in classes:
        text = section(page, cls[len(VK):])
        for lang in ("vi", "en", "de"):
            labels = [str(label) for label in ontology.objects(cls, RDFS.label) if label.language == lang]
            assert labels, f"{cls} has no rdfs:label@{lang}"
            assert all(html.escape(label) in text for label in labels), (cls, lang)
    assert 'href="/ontology#PartyDocument"' in section(page, "Directive")   # subClassOf alignment


def test_ontology_rdf_is_the_ontology(app_client):
    expected = load_ontology()
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/rdf+xml", "xml")):
        answer = app_client.get("/ontology", headers={"Accept": accept})
        assert answer.headers["content-type"].startswith(accept)
        assert isomorphic(rdflib.Graph().parse(data=answer.content, format=fmt), expected), accept
