"""SPARQLWrapper against a live vankien and the Oxigraph server: 9 formats × 4 query forms × 3 methods.

SPARQLWrapper sends ``format=``/``output=``/``results=`` with its return format whatever the query
form, and an ``Accept`` header that is ``*/*`` when the format does not fit the form. A combination
is ok when the answer is 200, ``QueryResult.convert()`` works, and the body — read by its own
Content-Type — holds the right answer (rows, boolean or triples). vankien must be ok wherever the
Oxigraph server is (both tallies are printed). The data is SYNTHETIC (three triples).
"""

from __future__ import annotations

import csv
import io
import sys
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDF, RDFXML, TSV, TURTLE, URLENCODED, XML
from SPARQLWrapper import SPARQLWrapper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import oxigraph_binary, oxigraph_read_only, vankien_serving

SYN = "https://w3id.org/vankien/synthetic/id/"
FORMATS = [JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD]
METHODS = {"GET": (GET, URLENCODED), "POST form": (POST, URLENCODED), "POST direct": (POST, POSTDIRECTLY)}
QUERIES = {  # form → (query, expected answer: rows, boolean or triples)
    "SELECT": (f"SELECT ?s ?o WHERE {{ ?s <{SYN}p> ?o }}", 3),
    "ASK": (f"ASK {{ ?s <{SYN}p> ?o }}", True),
    "CONSTRUCT": (f"CONSTRUCT WHERE {{ ?s <{SYN}p> ?o }}", 3),
    "DESCRIBE": (f"DESCRIBE <{SYN}doc/0>", 1),
}
COMBINATIONS = [(fmt, form, method) for fmt in FORMATS for form in QUERIES for method in METHODS]


class _Replay(io.BytesIO):
    """The body read once, handed to ``convert()`` again with the response's headers."""

    def __init__(self, body: bytes, headers):
        super().__init__(body)
        self._headers = headers

    def info(self):
        return self._headers


def answer_of(body: bytes, media_type: str, form: str):
    """The rows / boolean / triple count a body holds, read by its Content-Type."""
    if media_type == "text/csv":  # lossy, so no parser reads it back: count its records
        table = list(csv.reader(io.StringIO(body.decode())))
        return table[-1][0] == "true" if form == "ASK" else len(table) - 1  # ASK: one cell
    if form in ("SELECT", "ASK"):
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media_type))
        return bool(results) if isinstance(results, ox.QueryBoolean) else len(list(results))
    return len(list(ox.parse(body, format=ox.RdfFormat.from_media_type(media_type))))


def run(endpoint: str, fmt: str, form: str, method: str) -> str | None:
    """None when the combination is ok, else what went wrong."""
    query, expected = QUERIES[form]
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(METHODS[method][0])
    client.setRequestMethod(METHODS[method][1])
    client.setTimeout(20)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Sending Accept header '*/*'" and format mismatches
            result = client.query()
            headers = result.response.info()
            body = result.response.read()
            result.response = _Replay(body, headers)
            result.convert()
    except Exception as error:  # SPARQLWrapper raises its own exceptions for 4xx/5xx
        return f"{type(error).__name__}: {str(error)[:160]}"
    media_type = headers.get("content-type", "").split(";")[0].strip()
    try:
        found = answer_of(body, media_type, form)
    except (ValueError, SyntaxError, IndexError) as problem:
        return f"{media_type} body does not hold a {form} answer: {problem}"
    return None if found == expected else f"{media_type}: got {found!r}, expected {expected!r}"


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sparqlwrapper")
    nquads = folder / "vankien.nq"
    nquads.write_text("".join(f'<{SYN}doc/{n}> <{SYN}p> "{n}" <{SYN}graph/matrix> .\n' for n in range(3)))
    with vankien_serving(nquads, folder) as vankien:
        if oxigraph_binary() is None:
            yield {"vankien": f"{vankien}/sparql"}
            return
        with oxigraph_read_only(nquads, folder) as oxigraph:
            yield {"vankien": f"{vankien}/sparql", "oxigraph": f"{oxigraph}/query"}


def test_sparqlwrapper_matrix(endpoints):
    outcome = {server: {combination: run(url, *combination) for combination in COMBINATIONS}
               for server, url in endpoints.items()}
    ok = {server: {c for c, problem in results.items() if problem is None} for server, results in outcome.items()}
    for server, results in outcome.items():
        print(f"{server}: {len(ok[server])} ok / {len(results) - len(ok[server])} not",
              *(f"\n  {' × '.join(c)}: {p}" for c, p in results.items() if p))
    if "oxigraph" not in endpoints:
        pytest.skip("the oxigraph server binary is not installed: vankien alone was run")
    assert ok["oxigraph"] <= ok["vankien"], sorted(ok["oxigraph"] - ok["vankien"])
    assert len(ok["vankien"]) == len(COMBINATIONS), {c: p for c, p in outcome["vankien"].items() if p}
