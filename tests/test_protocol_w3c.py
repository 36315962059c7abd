"""The W3C SPARQL 1.1 Protocol query tests, run against a live vankien and the Oxigraph server.

Each case below encodes one query test of w3c/rdf-tests ``sparql/sparql11/protocol/manifest.ttl``
under its W3C name (request method, path, body, content type; expected status class and answer),
followed by vankien's extensions: the conventions real clients rely on (issue 11). The update
tests are left out: the endpoint is read-only. Both servers hold the suite's three one-triple
graphs (``data1.rdf`` … ``data3.rdf``); ``data0.rdf`` and the extensions' foreign graphs are graphs
neither holds — they must be empty, never fetched (a canary on 127.0.0.1 counts 0 requests).

Every case must pass on vankien, and vankien must pass every case the Oxigraph server passes
(:func:`test_vankien_passes_every_case_oxigraph_passes`, which prints both tallies).
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canary import running_canary
from serving import oxigraph_binary, oxigraph_read_only, vankien_serving

KASEI = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
RESULT_TYPES = ("application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "text/n3",
             "application/ld+json", "application/n-quads")
CANARY = "{canary}"  # replaced by the canary's URL: a graph IRI that must never be fetched


def graph(n: int) -> str:
    return f"{KASEI}data{n}.rdf"


def params(*pairs: tuple[str, str]) -> str:
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    query: str = ""                    # the URL's query string (after "?")
    body: bytes | None = None
    content_type: str | None = None
    accept: str | None = None
    status: int = 2                    # expected status class: 2 (2xx or 3xx) or 4
    boolean: bool | None = None        # expected ASK answer
    answer: str | None = None          # "boolean" | "tabular" | "RDF" (as mf:expectedFormat)
    media_types: tuple[str, ...] = ()  # the Content-Type must be one of these (when given)
    rows: int | None = None            # expected number of solutions / triples
    triple: tuple[str, str, str] | None = field(default=None)  # one expected triple (IRIs; "{base}")


ASK_ALL = "ASK {}"
ASK_DEFAULT_1_2 = f"ASK {{ <{graph(1)}> a ?type . <{graph(2)}> a ?type . }}"
ASK_NAMED_1_2 = (f"ASK {{ GRAPH ?g1 {{ <{graph(1)}> a ?type }} GRAPH ?g2 {{ <{graph(2)}> a ?type }} }}")
ASK_FULL = (f"ASK {{\n  <{graph(3)}> a ?type\n  GRAPH ?g1 {{ <{graph(1)}> a ?type }}\n"
            f"  GRAPH ?g2 {{ <{graph(2)}> a ?type }}\n}}")
ASK_MULTIPLE = (f"ASK FROM <{graph(3)}> {{ GRAPH ?g1 {{ <{graph(1)}> a ?type }} "
                f"GRAPH ?g2 {{ <{graph(2)}> a ?type }} }}")
DATA0 = params(("default-graph-uri", graph(0)))
SELECT_ALL = "SELECT * WHERE { ?s ?p ?o }"
CONSTRUCT_ALL = "CONSTRUCT WHERE { ?s ?p ?o }"

W3C_CASES = [
    Case("query_post_form", "POST", DATA0, b"query=ASK%20%7B%7D", FORM, boolean=True, answer="boolean"),
    Case("query_dataset_default_graphs_get", "GET",
         params(("query", ASK_DEFAULT_1_2), ("default-graph-uri", graph(1)), ("default-graph-uri", graph(2))),
         boolean=True, answer="boolean"),
    Case("query_dataset_default_graphs_post", "POST",
         params(("default-graph-uri", graph(1)), ("default-graph-uri", graph(2))),
         ASK_DEFAULT_1_2.encode(), DIRECT, boolean=True, answer="boolean"),
    Case("query_dataset_named_graphs_post", "POST",
         params(("named-graph-uri", graph(1)), ("named-graph-uri", graph(2))),
         ASK_NAMED_1_2.encode(), DIRECT, boolean=True, answer="boolean"),
    Case("query_dataset_named_graphs_get", "GET",
         params(("query", ASK_NAMED_1_2), ("named-graph-uri", graph(1)), ("named-graph-uri", graph(2))),
         boolean=True, answer="boolean"),
    Case("query_dataset_full", "POST",
         params(("default-graph-uri", graph(3)), ("named-graph-uri", graph(1)), ("named-graph-uri", graph(2))),
         ASK_FULL.encode(), DIRECT, boolean=True, answer="boolean"),
    Case("query_multiple_dataset", "POST",
         params(("named-graph-uri", graph(1)), ("named-graph-uri", graph(2))),
         ASK_MULTIPLE.encode(), DIRECT, boolean=True, answer="boolean"),
    Case("query_get", "GET", params(("query", ASK_ALL), ("default-graph-uri", graph(0))),
         boolean=True, answer="boolean"),
    Case("query_content_type_select", "POST", DATA0, b"SELECT (1 AS ?value) {}", DIRECT,
         answer="tabular", media_types=RESULT_TYPES, rows=1),
    Case("query_content_type_ask", "POST", DATA0, b"ASK {}", DIRECT, answer="boolean",
         media_types=RESULT_TYPES[:2]),
    Case("query_content_type_describe", "POST", DATA0, b"DESCRIBE <http://example.org/>", DIRECT,
         answer="RDF", media_types=RDF_TYPES),
    Case("query_content_type_construct", "POST", DATA0, b"CONSTRUCT { <s> <p> 1 } WHERE {}", DIRECT,
         answer="RDF", media_types=RDF_TYPES, rows=1),
    Case("query_post_direct", "POST", "", b"ASK {}", DIRECT, boolean=True, answer="boolean"),
    Case("bad_query_method", "PUT", params(("query", ASK_ALL), ("default-graph-uri", graph(0))),
         content_type=FORM, status=4),
    Case("bad_multiple_queries", "GET", params(("query", "ASK {}"), ("query", "SELECT * {}")), status=4),
    Case("bad_query_wrong_media_type", "POST", "", b"ASK {}", "text/plain", status=4),
    Case("bad_query_missing_form_type", "POST", "", b"query=ASK%20%7B%7D", status=4),
    Case("bad_query_missing_direct_type", "POST", "", b"ASK {}", status=4),
    Case("bad_query_non_utf8", "POST", "", "ASK {}".encode("utf-16"),
         "application/sparql-query; charset=UTF-16", status=4),
    Case("bad_query_syntax", "GET", params(("query", "ASK {")), status=4),
    Case("bad_update_get", "GET", params(("update", "CLEAR ALL")), status=4),
]

# vankien's extensions: what SPARQLWrapper, rdflib and browsers send.
EXTENSION_CASES = [
    Case("ext_unknown_default_graph_is_empty", "GET",
         params(("query", SELECT_ALL), ("default-graph-uri", CANARY + "/graph")), answer="tabular", rows=0),
    Case("ext_unknown_named_graph_is_empty", "POST", params(("named-graph-uri", CANARY + "/graph")),
         b"SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", DIRECT, answer="tabular", rows=0),
    Case("ext_rdflib_default_graph", "GET",
         params(("query", SELECT_ALL), ("default-graph-uri", "urn:x-rdflib:default")), answer="tabular", rows=0),
    Case("ext_multiple_queries_in_a_form", "POST", "", b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", FORM,
         status=4),
    Case("ext_relative_iris_resolve_against_the_endpoint", "GET",
         params(("query", "CONSTRUCT { <s> <p> 1 } WHERE {}")), accept="application/n-triples",
         answer="RDF", rows=1, triple=("{base}/s", "{base}/p", "")),
    Case("ext_text_plain_for_a_select", "GET", params(("query", SELECT_ALL)), accept="text/plain",
         answer="tabular", rows=3),
    Case("ext_text_plain_for_a_construct", "GET", params(("query", CONSTRUCT_ALL)), accept="text/plain",
         answer="RDF", media_types=("application/n-triples",), rows=3),
    Case("ext_text_n3_for_a_construct", "GET", params(("query", CONSTRUCT_ALL)), accept="text/n3",
         answer="RDF", media_types=("text/n3",), rows=3),
    Case("ext_application_json_for_a_construct", "GET", params(("query", CONSTRUCT_ALL)),
         accept="application/json", answer="RDF", media_types=("application/ld+json",), rows=3),
    Case("ext_application_json_for_a_select", "GET", params(("query", SELECT_ALL)),
         accept="application/json", answer="tabular", media_types=("application/sparql-results+json",),
         rows=3),
    Case("ext_format_that_does_not_fit_falls_back_to_accept", "GET",
         params(("query", SELECT_ALL), ("format", "turtle")), accept="application/sparql-results+xml",
         answer="tabular", media_types=("application/sparql-results+xml",), rows=3),
]
CASES = {case.name: case for case in W3C_CASES + EXTENSION_CASES}


@dataclass
class Servers:
    vankien: str          # the /sparql URL
    oxigraph: str | None  # the /query URL (None without the binary)
    canary: str
    seen: list[str]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("protocol")
    nquads = folder / "vankien.nq"
    nquads.write_text("".join(f"<{graph(n)}> <{RDF_TYPE}> <{FOAF_DOCUMENT}> <{graph(n)}> .\n"
                              for n in (1, 2, 3)))
    with running_canary() as (canary, seen), vankien_serving(nquads, folder) as vankien:
        if oxigraph_binary() is None:
            yield Servers(f"{vankien}/sparql", None, canary, seen)
            return
        with oxigraph_read_only(nquads, folder) as oxigraph:
            yield Servers(f"{vankien}/sparql", f"{oxigraph}/query", canary, seen)


def run_case(case: Case, endpoint: str, canary: str) -> str | None:
    """None when ``endpoint`` passes ``case``, else what went wrong."""
    headers = {}
    if case.content_type:
        headers["Content-Type"] = case.content_type
    if case.accept:
        headers["Accept"] = case.accept
    url = endpoint + ("?" + case.query.replace(quote(CANARY, safe=""), quote(canary, safe=""))
                      if case.query else "")
    response = httpx.request(case.method, url, content=case.body, headers=headers, timeout=20)
    status_class = response.status_code // 100
    if case.status == 2 and status_class not in (2, 3) or case.status == 4 and status_class != 4:
        return f"status {response.status_code}: {response.text[:200]}"
    if case.answer is None:
        return None
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if case.media_types and media_type not in case.media_types:
        return f"Content-Type {media_type}, expected one of {', '.join(case.media_types)}"
    try:
        if case.answer == "RDF":
            triples = list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media_type),
                                    base_iri=endpoint))
            found = len(triples)
            if case.triple:
                base = endpoint.rsplit("/", 1)[0]
                subject, predicate, _ = (part.replace("{base}", base) for part in case.triple)
                if (triples[0].subject.value, triples[0].predicate.value) != (subject, predicate):
                    return f"expected <{subject}> <{predicate}>, got {triples[0]}"
        elif media_type == "text/csv":  # lossy, so no parser reads it back: count its records
            table = list(csv.reader(io.StringIO(response.text)))
            if case.answer != "tabular" or not table or not all(table[0]):
                return f"not a CSV results table: {response.text[:200]!r}"
            found = len(table) - 1
        else:
            results = ox.parse_query_results(
                response.content, format=ox.QueryResultsFormat.from_media_type(media_type))
            if isinstance(results, ox.QueryBoolean):
                if case.answer != "boolean":
                    return "a boolean where solutions were expected"
                if case.boolean is not None and bool(results) != case.boolean:
                    return f"ASK answered {bool(results)}"
                return None
            if case.answer != "tabular":
                return "solutions where a boolean was expected"
            found = len(list(results))
    except (ValueError, SyntaxError, TypeError) as problem:
        return f"{media_type} answer does not parse: {problem}"
    if case.rows is not None and found != case.rows:
        return f"{found} rows, expected {case.rows}"
    return None


@pytest.mark.parametrize("name", list(CASES))
def test_w3c_protocol(servers, name):
    problem = run_case(CASES[name], servers.vankien, servers.canary)
    assert problem is None, f"{name}: {problem}"
    assert servers.seen == []


def test_vankien_passes_every_case_oxigraph_passes(servers):
    if servers.oxigraph is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    outcome = {server: {name: run_case(case, url, servers.canary) for name, case in CASES.items()}
               for server, url in (("vankien", servers.vankien), ("oxigraph", servers.oxigraph))}
    passed = {server: {n for n, problem in results.items() if problem is None}
              for server, results in outcome.items()}
    for server, results in outcome.items():
        print(f"{server}: {len(passed[server])} passed / {len(results) - len(passed[server])} failed",
              *(f"\n  {n}: {p}" for n, p in results.items() if p))
    assert passed["oxigraph"] <= passed["vankien"], passed["oxigraph"] - passed["vankien"]
    assert len(passed["vankien"]) >= len(passed["oxigraph"])
    assert servers.seen == [], "a graph IRI was fetched"


def test_rdflib_dataset_query_through_sparqlstore(servers):
    """rdflib's ``Dataset`` over a ``SPARQLStore`` sends ``default-graph-uri=urn:x-rdflib:default``
    (its default graph's name, a graph neither server holds): the query works and answers as the
    Oxigraph server does — an empty default graph and, as the protocol dataset names no named
    graph, no named graphs. With ``default_union=True`` it sends no dataset: the union is queried."""
    from rdflib import Dataset
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    query = f"SELECT ?d WHERE {{ ?d a <{FOAF_DOCUMENT}> }} ORDER BY ?d"
    in_graphs = f"SELECT ?d WHERE {{ GRAPH ?g {{ ?d a <{FOAF_DOCUMENT}> }} }} ORDER BY ?d"
    answers: dict[str, dict[str, list[str]]] = {}
    for name, endpoint in (("vankien", servers.vankien), ("oxigraph", servers.oxigraph)):
        if endpoint is None:
            continue
        plain = Dataset(store=SPARQLStore(endpoint, returnFormat="json"))
        union = Dataset(store=SPARQLStore(endpoint, returnFormat="json"), default_union=True)
        answers[name] = {label: [str(row.d) for row in dataset.query(text)]
                         for label, dataset, text in (("default", plain, query), ("graphs", plain, in_graphs),
                                                      ("union", union, query))}
    assert answers["vankien"] == {"default": [], "graphs": [], "union": [graph(n) for n in (1, 2, 3)]}
    if servers.oxigraph is not None:
        assert answers["vankien"] == answers["oxigraph"]
    assert servers.seen == []
