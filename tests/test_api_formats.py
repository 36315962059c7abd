"""``format=`` on every route of the app: the answer comes in the format asked for, or a clear 400
(no such format) / 406 (not a form this answer comes in) naming the parameter — never a format
silently ignored (except where SPARQL clients rely on it: a ``format=`` that does not fit the
query form of ``/sparql`` falls back to ``Accept``). The routes are read from the app's OpenAPI document, so a new route must be
added to SAMPLES (and so be checked) or this test fails."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
import rdflib

from vankien.graph import formats

SELECT = "PREFIX vk: <https://w3id.org/vankien/ontology#> SELECT ?p WHERE { ?p vk:implements ?d }"
# OpenAPI path → concrete requests (path and query) that answer 200 on the real graph.
SAMPLES: dict[str, list[str]] = {
    "/sparql": ["/sparql", "/sparql?" + urlencode({"query": SELECT})],
    "/documents": ["/documents", "/documents?id=35-CT/TW"],
    "/documents/{id}/implements": ["/documents/158-KH/TU/implements"],
    "/documents/{id}/implemented-by": ["/documents/35-CT/TW/implemented-by"],
    "/documents/{id}": ["/documents/35-CT/TW"],
    "/lineage": ["/lineage?from=158-KH/TU&to=35-CT/TW"],
    "/bodies": ["/bodies"],
    "/bodies/{id}": ["/bodies/dien-bien/ban-to-chuc-tinh-uy"],
    "/goals": ["/goals"],
    "/observations": ["/observations"],
    "/provenance": ["/provenance?subject=158-KH/TU"],
    "/sources": ["/sources"],
    "/id/{path}": ["/id/doc/tw/ct/35/k13"],
    "/ontology": ["/ontology"],
    "/graph": ["/graph"],
    "/timeline": ["/timeline"],
    "/": ["/"],
    "/query": ["/query"],
}
REQUESTS = [url for urls in SAMPLES.values() for url in urls]
ASKED = ["json", "ttl", "jsonld", "nt", "csv", "html", "text/turtle"]


@pytest.fixture(scope="module")
def client(api_client):
    return api_client


def test_every_get_route_has_a_sample(client):
    paths = {path for path, item in client.app.openapi()["paths"].items() if "get" in item}
    assert paths == set(SAMPLES), "add the new route(s) to SAMPLES"


def with_format(url: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}format={quote(value, safe='')}"


def parses_as(response, fmt: formats.Format) -> bool:
    """The body really is in ``fmt``."""
    if fmt.rdflib:
        rdflib.Dataset().parse(data=response.content, format=fmt.rdflib)
        return True
    if fmt in (formats.ANSWER, formats.JSON):
        return isinstance(json.loads(response.content), dict)
    if fmt is formats.HTML:
        return response.text.lstrip().lower().startswith("<!doctype html")
    if fmt is formats.CSV:
        return response.text.splitlines()[0] == "p"
    raise AssertionError(f"no check for {fmt.name}")


@pytest.mark.parametrize("url", REQUESTS)
@pytest.mark.parametrize("asked", ASKED)
def test_a_format_is_honoured_or_refused_by_name(client, url, asked):
    response = client.get(with_format(url, asked), headers={"Accept": "*/*"})
    if url.startswith("/sparql?") and response.status_code == 200:
        # The SPARQL endpoint's exception (issue 11, as clients send format= for any query form):
        # a format that does not fit the query form is passed over and Accept (*/*) decides.
        media_type = response.headers["content-type"].split(";")[0]
        fits = [f for f in formats.SOLUTIONS if asked in f.names() or asked in f.media_types]
        answered = fits[0] if fits else formats.SOLUTIONS[0]
        assert media_type == answered.media_type and parses_as(response, answered)
    elif response.status_code == 200:
        media_type = response.headers["content-type"].split(";")[0]
        # the format that was asked for, among those sent as this media type
        fits = [f for f in formats.FORMATS if media_type == f.media_type
                and (asked in f.names() or asked in f.media_types)]
        assert fits, f"{url}: asked {asked!r}, got {media_type}"
        assert parses_as(response, fits[0])
    else:
        assert response.status_code == 406, (url, asked, response.status_code, response.text)
        assert response.json()["error"].startswith("format: "), response.text


@pytest.mark.parametrize("url", REQUESTS)
def test_an_unknown_format_is_400_naming_the_parameter(client, url):
    response = client.get(with_format(url, "docx"))
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith("format: unknown value 'docx'; use one of ")


def test_json_on_the_document_route_is_its_default_answer(client):
    default = client.get("/documents/35-CT/TW")
    asked = client.get("/documents/35-CT/TW?format=json")
    assert asked.status_code == 200 and asked.headers["content-type"] == "application/json"
    assert asked.json() == default.json()
    assert asked.json()["notation"] == "35-CT/TW"


def test_turtle_of_a_json_only_route_is_refused_naming_the_parameter(client):
    response = client.get("/documents/158-KH/TU/implements?format=ttl")
    assert response.status_code == 406
    assert response.json()["error"] == ("format: 'ttl' is not available here; use one of answer, json")
    # Accept alone may be ignored by a one-form answer (HTTP allows it): JSON as before
    by_header = client.get("/documents/158-KH/TU/implements", headers={"Accept": "text/turtle"})
    assert by_header.status_code == 200 and by_header.json()["implements"]
