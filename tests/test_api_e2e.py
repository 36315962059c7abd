"""The SPARQL endpoint behind a REAL uvicorn on 127.0.0.1, used by real SPARQL clients.

SPARQLWrapper, rdflib's SPARQLStore and plain httpx talk to it over HTTP; a runaway query is cut at
the time limit while other requests keep being answered; a canary HTTP server on 127.0.0.1 proves
that no query makes the endpoint fetch anything (SERVICE, FROM, graph parameters, LOAD).
The data is SYNTHETIC: generated documents in two named graphs.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper


sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import vankien_serving

VK = Namespace("https://w3id.org/vankien/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SYN = Namespace("https://w3id.org/vankien/synthetic/id/")
DOCUMENTS = 40
TIMEOUT_S = 1.5
PLANS = "PREFIX vk: <https://w3id.org/vankien/ontology#>\nSELECT ?doc WHERE { ?doc a vk:Plan }"
EXPECTED_PLANS = {str(SYN[f"doc/{n}"]) for n in range(DOCUMENTS) if n % 2 == 0}
EDGES = "PREFIX vk: <https://w3id.org/vankien/ontology#>\nCONSTRUCT { ?a vk:implements ?b } WHERE { ?a vk:implements ?b }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def synthetic_dataset() -> Dataset:
    """SYNTHETIC: even-numbered plans implement the next odd-numbered directive, in two graphs."""
    data = Dataset(default_union=True)
    for n in range(DOCUMENTS):
        graph = data.graph(SYN[f"graph/{n % 2}"])
        doc = SYN[f"doc/{n}"]
        graph.add((doc, SKOS.notation, Literal(f"{n}-{'KH' if n % 2 == 0 else 'CT'}/SYN")))
        graph.add((doc, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                   VK.Plan if n % 2 == 0 else VK.Directive))
        if n % 2 == 0:
            graph.add((doc, VK.implements, SYN[f"doc/{n + 1}"]))
    return data


@pytest.fixture(scope="module")
def data() -> Dataset:
    return synthetic_dataset()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("sparql-e2e")
    nquads = folder / "vankien.nq"
    data.serialize(destination=str(nquads), format="nquads")
    with vankien_serving(nquads, folder, query_timeout_s=TIMEOUT_S) as url:
        yield url


def wrapper(base_url: str, query: str, return_format: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{base_url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json_and_xml(base_url, method):
    as_json = wrapper(base_url, PLANS, JSON, method).query().convert()
    assert {b["doc"]["value"] for b in as_json["results"]["bindings"]} == EXPECTED_PLANS
    as_xml = wrapper(base_url, PLANS, XML, method).query().convert()
    uris = {node.firstChild.data for node in as_xml.getElementsByTagName("uri")}
    assert uris == EXPECTED_PLANS


def test_sparqlwrapper_ask(base_url):
    plan_exists = "PREFIX vk: <https://w3id.org/vankien/ontology#>\nASK { ?d a vk:Plan }"
    notice_exists = "PREFIX vk: <https://w3id.org/vankien/ontology#>\nASK { ?d a vk:Notice }"
    assert wrapper(base_url, plan_exists, JSON).query().convert()["boolean"] is True
    assert wrapper(base_url, notice_exists, JSON).query().convert()["boolean"] is False
    answer = wrapper(base_url, plan_exists, XML).query().convert()
    assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_construct(base_url, data, return_format):
    graph = wrapper(base_url, EDGES, return_format).query().convert()  # JSON-LD / RDF/XML → rdflib
    expected = set(data.query(EDGES).graph)
    assert len(expected) == DOCUMENTS // 2
    assert set(graph.triples((None, None, None))) == expected


def test_rdflib_sparqlstore(base_url, data):
    remote = Graph(store=SPARQLStore(f"{base_url}/sparql"))
    assert {str(row.doc) for row in remote.query(PLANS)} == EXPECTED_PLANS
    assert set(remote.query(EDGES).graph) == set(data.query(EDGES).graph)


def test_plain_httpx_get_and_post(base_url):
    got = httpx.get(f"{base_url}/sparql", params={"query": PLANS})
    posted = httpx.post(f"{base_url}/sparql", data={"query": PLANS},
                        headers={"Accept": "application/sparql-results+json"})
    for response in (got, posted):
        assert response.status_code == 200
        assert {b["doc"]["value"] for b in response.json()["results"]["bindings"]} == EXPECTED_PLANS


def test_runaway_query_is_cut_while_others_are_served(base_url):
    outcome: dict = {}

    def run_away() -> None:
        started = time.monotonic()
        outcome["response"] = httpx.post(f"{base_url}/sparql", data={"query": RUNAWAY}, timeout=60)
        outcome["seconds"] = time.monotonic() - started

    runaway = threading.Thread(target=run_away)
    runaway.start()
    time.sleep(0.2)  # let the runaway query reach its worker

    def normal_request(_: int) -> float:
        started = time.monotonic()
        response = httpx.get(f"{base_url}/sparql", params={"query": PLANS}, timeout=10)
        assert response.status_code == 200, response.text
        assert {b["doc"]["value"] for b in response.json()["results"]["bindings"]} == EXPECTED_PLANS
        return time.monotonic() - started

    with ThreadPoolExecutor(max_workers=4) as pool:
        durations = list(pool.map(normal_request, range(8)))
    assert runaway.is_alive(), "the normal requests should run during the runaway query"
    runaway.join(30)
    assert max(durations) < 1.0, durations
    response = outcome["response"]
    assert response.status_code in (503, 504)
    assert f"{TIMEOUT_S:g} s" in response.json()["error"]
    assert TIMEOUT_S <= outcome["seconds"] < TIMEOUT_S + 5
    assert httpx.get(f"{base_url}/sparql", params={"query": PLANS}).status_code == 200


class _Canary(BaseHTTPRequestHandler):
    seen: list[str] = []

    def _record(self) -> None:
        type(self).seen.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_HEAD = do_PUT = _record

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def canary():
    _Canary.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Canary.seen
    server.shutdown()
    server.server_close()


def test_no_query_makes_the_endpoint_fetch_anything(base_url, canary):
    url, seen = canary
    httpx.get(f"{url}/self-check")  # the canary itself works …
    assert seen == ["GET /self-check"]
    seen.clear()
    attempts = [
        ({"query": f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"}, None),
        ({"query": f"SELECT * WHERE {{ OPTIONAL {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }} }}"}, None),
        ({"query": f"SELECT * FROM <{url}/g> WHERE {{ ?s ?p ?o }}"}, None),
        ({"query": f"SELECT * FROM NAMED <{url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, None),
        ({"query": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/data.jsonld> WHERE {{ ?s ?p ?o }}"},
         "application/ld+json"),
        ({"query": f"LOAD <{url}/data.jsonld>"}, None),
    ]
    for params, accept in attempts:
        headers = {"Accept": accept} if accept else {}
        for response in (httpx.get(f"{base_url}/sparql", params=params, headers=headers),
                         httpx.post(f"{base_url}/sparql", data=params, headers=headers)):
            assert response.status_code == 400, (params, response.text)
            assert response.json()["error"]
    # Protocol graph parameters naming a graph the store does not hold: an empty graph, no fetch.
    for params, empty in (
        ({"query": "CONSTRUCT WHERE { ?s ?p ?o }", "default-graph-uri": f"{url}/data.jsonld"}, "[]"),
        ({"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": f"{url}/g"}, None),
    ):
        headers = {"Accept": "application/ld+json"} if empty else {}
        for response in (httpx.get(f"{base_url}/sparql", params=params, headers=headers),
                         httpx.post(f"{base_url}/sparql", data=params, headers=headers)):
            assert response.status_code == 200, (params, response.text)
            answer = response.json()
            assert answer == [] if empty else answer["results"]["bindings"] == []
    time.sleep(0.3)  # any stray fetch would have arrived by now
    assert seen == []
