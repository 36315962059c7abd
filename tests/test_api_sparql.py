"""The SPARQL 1.1 Protocol endpoint, in process (TestClient), over a small SYNTHETIC dataset.

Every answer is parsed back in its own format and compared with the expected set of rows or
triples; graph answers are compared with rdflib's own evaluation of the same CONSTRUCT.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Namespace, URIRef

from vankien.api.app import Runtime, create_app
from vankien.graph.examples import EXAMPLES
from vankien.graph.executor import QueryExecutor
from vankien.graph.settings import Settings
from vankien.graph.store import MemoryStore

SYN = "https://w3id.org/vankien/synthetic/id/"
GRAPH_ONE, GRAPH_TWO = SYN + "graph/one", SYN + "graph/two"
# SYNTHETIC data: two source graphs, each with a document implementing doc/b.
TRIG = f"""
@prefix vk: <https://w3id.org/vankien/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix syn: <{SYN}> .
<{GRAPH_ONE}> {{
  syn:doc-a a vk:Plan ; skos:notation "1-KH/SYN" ; vk:title "Synthetischer Plan"@de ;
            vk:implements syn:doc-b .
  syn:doc-b a vk:Directive ; skos:notation "2-CT/SYN" .
}}
<{GRAPH_TWO}> {{
  syn:doc-c a vk:Resolution ; skos:notation "3-NQ/SYN" ; vk:implements syn:doc-b .
  syn:obs-x vk:value 42 ; vk:concerns syn:doc-c .
}}
"""
PREFIX = "PREFIX vk: <https://w3id.org/vankien/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
IMPLEMENTS = PREFIX + "SELECT ?doc ?notation WHERE { ?doc vk:implements ?target ; skos:notation ?notation }"
IMPLEMENTS_ROWS = {(SYN + "doc-a", "1-KH/SYN"), (SYN + "doc-c", "3-NQ/SYN")}
CONSTRUCT = PREFIX + "CONSTRUCT { ?doc vk:implements ?t ; skos:notation ?n ; vk:title ?title } " \
                     "WHERE { ?doc vk:implements ?t ; skos:notation ?n OPTIONAL { ?doc vk:title ?title } }"
RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"turtle": "text/turtle", "nt": "application/n-triples", "json-ld": "application/ld+json",
               "xml": "application/rdf+xml", "trig": "application/trig", "nquads": "application/n-quads"}
SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    data = Dataset(default_union=True)
    data.parse(data=TRIG, format="trig")
    return data


@pytest.fixture(scope="module")
def runtime(tmp_path_factory, dataset):
    folder = tmp_path_factory.mktemp("sparql-api")
    nquads = folder / "vankien.nq"
    dataset.serialize(destination=str(nquads), format="nquads")
    settings = Settings.from_env(data_dir=folder, seeds_dir=folder, sources_dir=folder)
    store = MemoryStore()
    store.load(nquads)
    executor = QueryExecutor(settings, nquads)
    yield Runtime(settings, store, executor)
    executor.close()


@pytest.fixture(scope="module")
def client(runtime) -> TestClient:
    return TestClient(create_app(runtime=runtime))


def rows_of(response, kind: str) -> set[tuple[str, ...]]:
    """SELECT results in any format as a set of tuples of plain strings (IRI or lexical form)."""
    text = response.text
    if kind == "json":
        document = json.loads(text)
        names = document["head"]["vars"]
        return {tuple(b[n]["value"] for n in names) for b in document["results"]["bindings"]}
    if kind == "xml":
        root = ET.fromstring(text)
        names = [v.get("name") for v in root.iter(SRX + "variable")]
        return {tuple(next(iter(b.find(f"{SRX}binding[@name='{n}']"))).text for n in names)
                for b in root.iter(SRX + "result")}
    table = list(csv.reader(io.StringIO(text), delimiter="\t" if kind == "tsv" else ","))
    body = table[1:]
    if kind == "tsv":  # TSV cells are Turtle terms: <iri>, "literal"
        body = [[cell[1:-1] if cell[:1] in '<"' else cell for cell in row] for row in body]
    return {tuple(row) for row in body}


@pytest.mark.parametrize("kind", RESULT_TYPES)
def test_select_in_every_results_format(client, kind):
    response = client.get("/sparql", params={"query": IMPLEMENTS}, headers={"Accept": RESULT_TYPES[kind]})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(RESULT_TYPES[kind])
    assert rows_of(response, kind) == IMPLEMENTS_ROWS


@pytest.mark.parametrize("kind", RESULT_TYPES)
def test_ask_in_every_results_format(client, kind):
    for query, expected in ((PREFIX + "ASK { ?d a vk:Plan }", "true"), (PREFIX + "ASK { ?d a vk:Notice }", "false")):
        response = client.get("/sparql", params={"query": query, "format": kind})
        assert response.status_code == 200, response.text
        if kind == "json":
            assert response.json()["boolean"] is (expected == "true")
        elif kind == "xml":
            assert ET.fromstring(response.text).find(SRX + "boolean").text == expected
        else:
            assert response.text.strip() == expected


def test_post_form_and_post_query_body_answer_like_get(client):
    by_form = client.post("/sparql", data={"query": IMPLEMENTS})
    by_body = client.post("/sparql", content=IMPLEMENTS.encode(),
                          headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    for response in (by_form, by_body):
        assert response.status_code == 200, response.text
        assert rows_of(response, "json") == IMPLEMENTS_ROWS


@pytest.mark.parametrize("rdflib_format", GRAPH_TYPES)
def test_construct_in_every_graph_format(client, dataset, rdflib_format):
    media_type = GRAPH_TYPES[rdflib_format]
    response = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    parsed = Dataset() if rdflib_format in ("trig", "nquads") else Graph()
    parsed.parse(data=response.text, format=rdflib_format)
    got = {(s, p, o) for s, p, o, *_ in (parsed.quads() if isinstance(parsed, Dataset) else parsed)}
    expected = set(dataset.query(CONSTRUCT).graph)
    assert got == expected
    assert len(expected) == 5  # two edges, two notations, one title


def test_format_parameter_overrides_accept(client):
    csv_answer = client.get("/sparql", params={"query": IMPLEMENTS, "format": "csv"},
                            headers={"Accept": "application/sparql-results+json"})
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert rows_of(csv_answer, "csv") == IMPLEMENTS_ROWS
    jsonld = client.get("/sparql", params={"query": CONSTRUCT, "format": "json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=jsonld.text, format="json-ld")) == 5


def test_nothing_acceptable_is_406(client):
    assert client.get("/sparql", params={"query": IMPLEMENTS}, headers={"Accept": "text/turtle"}).status_code == 406
    assert client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}).status_code == 406
    # A format= that does not fit the query form is passed over: Accept decides (here: nothing fits).
    assert client.get("/sparql", params={"query": IMPLEMENTS, "format": "turtle"},
                      headers={"Accept": "text/turtle"}).status_code == 406
    unknown = client.get("/sparql", params={"query": IMPLEMENTS, "format": "no-such-format"})
    assert unknown.status_code == 400 and "format" in unknown.json()["error"]


FORMAT_OF = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
             "text/csv": "csv", "text/tab-separated-values": "tsv"}
RDFLIB_OF = {"application/ld+json": "json-ld", "text/n3": "n3", "application/rdf+xml": "xml"}


def test_format_values_that_do_not_fit_fall_back_to_accept(client):
    """As SPARQLWrapper sends them: format=, output= and results=, repeated, for any query form."""
    for params, accept, expected in (
        ({"format": "turtle", "output": "turtle", "results": "turtle"}, "*/*", "application/sparql-results+json"),
        ({"format": ["n3", "csv"]}, None, "text/csv"),
        ({"output": "json-ld"}, "application/sparql-results+xml", "application/sparql-results+xml"),
        ({"results": "tsv"}, "application/sparql-results+xml", "text/tab-separated-values"),
    ):
        response = client.get("/sparql", params={"query": IMPLEMENTS, **params},
                              headers={"Accept": accept} if accept else {})
        assert response.status_code == 200, (params, response.text)
        assert response.headers["content-type"].startswith(expected), params
        assert rows_of(response, FORMAT_OF[expected]) == IMPLEMENTS_ROWS
    for params, expected in (({"format": "json-ld"}, "application/ld+json"),
                             ({"output": ["csv", "n3"]}, "text/n3"),
                             ({"results": "xml"}, "application/rdf+xml")):
        response = client.get("/sparql", params={"query": CONSTRUCT, **params})
        assert response.headers["content-type"].startswith(expected), params
        assert len(Graph().parse(data=response.text, format=RDFLIB_OF[expected])) == 5
    form = client.post("/sparql", data={"query": CONSTRUCT, "format": "csv", "output": "turtle"})
    assert form.headers["content-type"].startswith("text/turtle")


def test_syntax_error_is_400_with_position(client):
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p \n"})
    assert response.status_code == 400
    message = response.json()["error"]
    assert "syntax error" in message and "line" in message and "column" in message


def test_updates_are_refused(client):
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    assert "read-only" in client.get("/sparql", params={"query": insert}).json()["error"]
    assert client.get("/sparql", params={"update": insert}).status_code == 403
    assert client.post("/sparql", data={"update": insert}).status_code == 403
    refused = client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update"})
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]
    assert client.get("/sparql", params={"query": PREFIX + "ASK { ?d a vk:Plan }"}).json()["boolean"]


def test_service_and_foreign_from_are_refused(client):
    service = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert service.status_code == 400 and "SERVICE" in service.json()["error"]
    from_file = client.get("/sparql", params={"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"})
    assert from_file.status_code == 400 and "file:///etc/passwd" in from_file.json()["error"]


def test_graph_parameters_select_local_graphs(client):
    def documents(**params):
        response = client.get("/sparql", params={"query": IMPLEMENTS, **params})
        assert response.status_code == 200, response.text
        return {row[0] for row in rows_of(response, "json")}

    assert documents(**{"default-graph-uri": GRAPH_ONE}) == {SYN + "doc-a"}
    assert documents(**{"default-graph-uri": GRAPH_TWO}) == {SYN + "doc-c"}
    assert documents(**{"default-graph-uri": [GRAPH_ONE, GRAPH_TWO]}) == {SYN + "doc-a", SYN + "doc-c"}
    named = client.post("/sparql", data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                         "named-graph-uri": GRAPH_TWO})
    assert rows_of(named, "json") == {(GRAPH_TWO,)}
    # A graph the store does not hold is empty, never fetched (nothing listens on port 9).
    assert documents(**{"default-graph-uri": "http://127.0.0.1:9/g"}) == set()
    assert documents(**{"default-graph-uri": ["http://127.0.0.1:9/g", GRAPH_ONE]}) == {SYN + "doc-a"}
    bad = client.get("/sparql", params={"query": IMPLEMENTS, "named-graph-uri": "no iri"})
    assert bad.status_code == 400 and "named-graph-uri" in bad.json()["error"]


def test_truncated_results_are_marked(runtime):
    small = Runtime(runtime.settings.replace(max_rows=2), runtime.store, runtime.executor)
    client = TestClient(create_app(runtime=small))
    cut = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert cut.headers["Vankien-Truncated"] == "true" and cut.headers["Vankien-Max-Rows"] == "2"
    assert len(cut.json()["results"]["bindings"]) == 2
    whole = client.get("/sparql", params={"query": IMPLEMENTS})
    assert "Vankien-Truncated" not in whole.headers and rows_of(whole, "json") == IMPLEMENTS_ROWS


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    description = Graph().parse(data=response.text, format="turtle")
    service = description.value(predicate=SD.endpoint, object=URIRef("http://testserver/sparql"))
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description
    names = set(description.objects(predicate=SD.name))
    assert names == {URIRef(GRAPH_ONE), URIRef(GRAPH_TWO)}
    browser = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/query"


@pytest.mark.parametrize("fmt, parse_as", [("nquads", "nquads"), ("trig", "trig"), ("jsonld", "json-ld"),
                                           ("ntriples", "nt"), ("rdfxml", "xml")])
def test_service_description_in_every_graph_format(client, fmt, parse_as):
    # regression: the description in N-Quads was a 500 (a plain graph cannot be written as quads)
    response = client.get("/sparql", params={"format": fmt})
    assert response.status_code == 200, response.text
    parsed = Dataset() if parse_as in ("nquads", "trig", "json-ld") else Graph()
    parsed.parse(data=response.text, format=parse_as)
    endpoints = {q[2] for q in parsed.quads((None, SD.endpoint, None, None))} if isinstance(parsed, Dataset) \
        else set(parsed.objects(None, SD.endpoint))
    assert endpoints == {URIRef("http://testserver/sparql")}


def test_over_long_queries_are_413(client):
    huge_body = client.post("/sparql", content=b"query=" + b"x" * 300_000,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert huge_body.status_code == 413
    too_long = "ASK {}" + " " * 20_000
    assert client.post("/sparql", content=too_long, headers={"Content-Type": "application/sparql-query"}).status_code == 413


def test_example_queries_run(client):
    for example in EXAMPLES:
        response = client.post("/sparql", data={"query": example.sparql})
        assert response.status_code == 200, f"{example.title}: {response.text}"


def test_query_page_and_its_assets(client):
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for example in EXAMPLES:
        assert html.escape(example.title, quote=False) in page.text
    for link in ('href="/docs"', 'href="/graph"', 'href="/ontology"', 'src="/static/query.js"',
                 'src="/static/vendor/query-editor.js"', 'href="/sparql?format=turtle"'):
        assert link in page.text
    assert client.get("/query").text == page.text
    script = client.get("/static/query.js")
    assert script.status_code == 200 and "textContent" in script.text and "innerHTML" not in script.text
    assert client.get("/static/query.css").status_code == 200
    bundle = client.get("/static/vendor/query-editor.js")
    assert bundle.status_code == 200 and "VankienEditor" in bundle.text
    data = json.loads(re.search(r'<script id="page-data" type="application/json">(.*?)</script>',
                                page.text, re.S)[1])
    assert [e["name"] for e in data["examples"]] == [e.name for e in EXAMPLES]
    assert data["prefixes"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert data["linkRule"]["https://w3id.org/vankien/id/"] == "/id/" and data["run"] is False


def test_a_shared_link_opens_its_query(client):
    query = 'SELECT ?n WHERE { ?d skos:notation ?n } # <b>"&'
    page = client.get("/", params={"query": query}).text
    textarea = re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', page, re.S)[1]
    assert html.unescape(textarea) == query and "<b>" not in textarea
    data = json.loads(re.search(r'<script id="page-data" type="application/json">(.*?)</script>',
                                page, re.S)[1])
    assert data["run"] is True


def test_a_missing_prefix_is_named_at_the_users_line(client):
    query = "PREFIX vk: <https://w3id.org/vankien/ontology#>\nSELECT ?n WHERE {\n  ?d a vk:Plan ; skos:notation ?n }"
    answer = client.post("/sparql", data={"query": query})
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["prefix"] == "skos" and (problem["line"], problem["column"]) == (3, 18)
    assert problem["prefix_iri"] == "http://www.w3.org/2004/02/skos/core#"
    assert problem["error"].startswith("line 3, column 18: the prefix skos: is not declared")
    broken = client.post("/sparql", data={"query": "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER( }"}).json()
    assert broken["error"].startswith("SPARQL syntax error: line ") and broken["line"] >= 1



def test_a_query_the_engine_refuses_is_named_at_the_users_line(client):
    """The guard (rdflib) lets SPARQL 1.1's grouping and scope rules through to Oxigraph, whose
    own sentence comes out of its list of expected characters."""
    grouped = client.post("/sparql", data={"query": "SELECT ?s ?o\nWHERE { ?s ?p ?o }\nGROUP BY ?s"})
    assert grouped.status_code == 400
    problem = grouped.json()
    assert problem["line"] == 3 and problem["error"].startswith(f"SPARQL error: line 3, column {problem['column']}: ")
    assert "The SELECT contains a variable that is unbound" in problem["error"] and "..=" not in problem["error"]
    rebound = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o BIND(1 AS ?o) }"}).json()
    assert rebound["line"] == 1 and "BIND to a variable already in use" in rebound["error"]


@pytest.mark.parametrize("query", ["", "   ", "PREFIX vk: <https://w3id.org/vankien/ontology#>"])
def test_a_text_without_a_query_is_not_called_an_update(client, query):
    answer = client.get("/sparql", params={"query": query})
    assert answer.status_code == 400, answer.text
    assert "holds no query" in answer.json()["error"] and "Update" not in answer.json()["error"]


@pytest.mark.parametrize("query", ["SELECT (<urn:example:f>(1) AS ?x) {}",
                                   "ASK { ?s ?p ?o FILTER(<urn:example:f>(?o)) }",
                                   "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(<urn:example:f>(?o)) }"])
def test_a_function_the_engine_does_not_know_is_refused_by_name(client, query):
    """A call of an extension function is valid SPARQL that Oxigraph cannot evaluate: the user's
    to change (400 naming the function), not a failure of the server (500)."""
    answer = client.get("/sparql", params={"query": query})
    assert answer.status_code == 400, answer.text
    assert "<urn:example:f>" in answer.json()["error"] and "not supported" in answer.json()["error"]

def test_openapi_documents_the_endpoint(client):
    spec = client.get("/openapi.json").json()
    for method in ("get", "post"):
        operation = spec["paths"]["/sparql"][method]
        assert operation["summary"] and operation["description"]
        for parameter in operation["parameters"]:
            assert parameter.get("examples"), f"{method} {parameter['name']} has no examples"
    assert set(spec["paths"]["/sparql"]["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded", "application/sparql-query"}
