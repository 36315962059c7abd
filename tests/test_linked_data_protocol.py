"""Linked-data conventions (issue 11) on the real graph, through a real uvicorn: HEAD answers with
GET's headers, ``Link`` / ``Content-Location`` name the representations, JSON-LD is compact with a
local ``@context`` (also for ``application/json``), and named-graph IRIs dereference."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import live_server

from vankien.api.app import create_app

BASE = "https://w3id.org/vankien/id/"
DOC_35 = "doc/tw/ct/35/k13"
GRAPH = "graph/bdbp-218887-de"
ACCEPTS = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
           "text/html")
SAME_HEADERS = ("content-type", "content-length", "link", "content-location", "vary")


@pytest.fixture(scope="module")
def base_url(built):
    with live_server(create_app(built[0])) as url:
        yield url


def links(response) -> dict[str, tuple[str, str | None]]:
    """``Link`` as {target: (rel, type)}."""
    found = {}
    for target, params in re.findall(r"<([^>]*)>((?:\s*;\s*[^,;]+)*)", response.headers["link"]):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', params))
        found[target] = (attributes.get("rel"), attributes.get("type"))
    return found


@pytest.mark.parametrize("path", [f"/id/{DOC_35}", f"/id/{GRAPH}", "/ontology"])
@pytest.mark.parametrize("accept", ACCEPTS)
def test_head_answers_with_the_headers_of_get(base_url, path, accept):
    got = httpx.get(base_url + path, headers={"Accept": accept})
    head = httpx.head(base_url + path, headers={"Accept": accept})
    assert got.status_code == head.status_code == 200
    assert head.content == b"" and got.content
    for name in SAME_HEADERS:
        assert head.headers.get(name) == got.headers.get(name), name
    assert int(head.headers["content-length"]) == len(got.content)


@pytest.mark.parametrize("path, iri", [(f"/id/{DOC_35}", BASE + DOC_35), (f"/id/{GRAPH}", BASE + GRAPH),
                                       ("/ontology", "https://w3id.org/vankien/ontology")])
def test_link_and_content_location_name_the_representations(base_url, path, iri):
    turtle = httpx.get(base_url + path, headers={"Accept": "text/turtle"})
    location = turtle.headers["content-location"]
    assert location.startswith(path + "?")
    again = httpx.get(base_url + location, headers={"Accept": "application/rdf+xml"})
    assert again.headers["content-type"] == turtle.headers["content-type"] and again.content == turtle.content
    found = links(turtle)
    assert found[iri] == ("canonical", None)
    alternates = {media: target for target, (rel, media) in found.items() if rel == "alternate"}
    assert set(alternates) == set(ACCEPTS) - {"text/turtle"}
    for media, target in alternates.items():
        answer = httpx.get(base_url + target)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), target


@pytest.mark.parametrize("path", [f"/id/{DOC_35}", "/ontology"])
@pytest.mark.parametrize("accept", ["application/ld+json", "application/json"])
def test_jsonld_is_compact_with_a_local_context(base_url, path, accept):
    answer = httpx.get(base_url + path, headers={"Accept": accept})
    assert answer.headers["content-type"] == "application/ld+json"
    document = json.loads(answer.content)
    context = document["@context"]
    assert isinstance(context, dict), "the @context must be written out, never a URL to fetch"
    assert context["vk"] == "https://w3id.org/vankien/ontology#"
    assert all(not isinstance(value, str) or value.startswith(("http", "https")) for value in context.values())
    assert '"vk:' in answer.text, "terms are compacted to prefixed names"
    turtle = httpx.get(base_url + path, headers={"Accept": "text/turtle"})
    # rdflib reads the inline context: nothing to fetch, and the same triples as the Turtle answer.
    assert isomorphic(rdflib.Graph().parse(data=answer.text, format="json-ld"),
                      rdflib.Graph().parse(data=turtle.text, format="turtle"))


def test_a_named_graph_iri_dereferences_to_the_graph(base_url, seed_store):
    expected = {(t.subject.value, t.predicate.value, str(t.object)) for t in seed_store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE + GRAPH}> {{ ?s ?p ?o }} }}")}
    assert len(expected) > 100
    answer = httpx.get(f"{base_url}/id/{GRAPH}", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    import pyoxigraph as ox
    served = {(t.subject.value, t.predicate.value, str(t.object))
              for t in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)}
    assert served == expected
    page = httpx.get(f"{base_url}/id/{GRAPH}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    typed = {s for s, p, _ in expected if p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
             and s.startswith("https://")}
    assert BASE + DOC_35 in typed and all(s in page.text for s in typed)  # what the graph describes
    assert httpx.get(f"{base_url}/id/graph/no-such-graph").status_code == 404
