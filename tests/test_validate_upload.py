"""``POST /validate`` (issue 11) through a real uvicorn: an uploaded document gets the SHACL report
against vankien's shapes as JSON and Turtle, in every upload format; hostile documents (billion
laughs, XXE, remote and file: JSON-LD contexts, one huge line) are refused or read in linear time,
and a canary on 127.0.0.1 sees no request. The documents are SYNTHETIC (example.org IRIs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canary import running_canary
from serving import vankien_serving

from vankien.graph.validate import validate_dataset
from vankien.ontology import ontology_nquads

VK = "https://w3id.org/vankien/ontology#"
EX = "https://example.org/synthetic/"
PLAN = (f"<{EX}plan/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{VK}Plan> .\n"
        f"<{EX}plan/1> <{VK}implements> <{EX}directive/2> .\n")
CONFORMING = f'<{EX}x> <{EX}p> "a synthetic statement" .\n'
UPLOAD_LIMIT = 200_000


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validate")
    nquads = folder / "vankien.nq"
    nquads.write_text(CONFORMING.replace(" .", f" <{EX}graph> ."))
    with vankien_serving(nquads, folder, max_upload_bytes=UPLOAD_LIMIT) as base:
        yield base + "/validate"


def as_format(ntriples: str, fmt: ox.RdfFormat) -> bytes:
    triples = list(ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))
    items = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"{EX}graph"))
             for t in triples] if fmt.supports_datasets else triples
    return ox.serialize(items, format=fmt)


def reference_keys(ntriples: str) -> set[tuple[str, str, str | None]]:
    """(focus, shape, path) of every violation pySHACL (the reference) reports for the document
    together with the ontology."""
    data = rdflib.Dataset()
    data.parse(data=ontology_nquads(), format="nquads")
    data.graph(rdflib.URIRef(f"{EX}graph")).parse(data=ntriples, format="nt")
    return {(str(f), str(s), None if p is None else str(p))
            for f, s, p in validate_dataset(data, engine="pyshacl").keys()}


def answer_keys(answer: dict) -> set[tuple[str, str, str | None]]:
    return {(v["focus"], v["shape"], v["path"]) for v in answer["violations"]}


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES,
                                 ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML],
                         ids=lambda fmt: fmt.name)
def test_report_matches_the_reference_validator_in_every_format(url, fmt):
    response = httpx.post(url, content=as_format(PLAN, fmt), headers={"Content-Type": fmt.media_type},
                          timeout=60)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["conforms"] is False and answer["triples"] == 2
    assert answer_keys(answer) == reference_keys(PLAN)
    assert any(v["path"] == f"{VK}implements" and v["value"] == f"{EX}directive/2"
               for v in answer["violations"])
    assert "does not conform" in answer["text"]


def test_a_conforming_document(url):
    answer = httpx.post(url, content=CONFORMING, headers={"Content-Type": "text/turtle"}).json()
    assert (answer["conforms"], answer["violations"], answer["triples"]) == (True, [], 1)


def test_report_in_the_shacl_vocabulary(url):
    as_json = httpx.post(url, content=PLAN, headers={"Content-Type": "application/n-triples"}).json()
    response = httpx.post(url, content=PLAN, headers={"Content-Type": "application/n-triples",
                                                      "Accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    (report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    found = {(str(graph.value(r, SH.focusNode)), str(graph.value(r, SH.sourceShape)),
              None if graph.value(r, SH.resultPath) is None else str(graph.value(r, SH.resultPath)))
             for r in graph.objects(report, SH.result)}
    assert found == answer_keys(as_json)


def test_bad_uploads_get_clear_errors(url):
    syntax = httpx.post(url, content=f"<{EX}a> <{EX}b> .\n", headers={"Content-Type": "text/turtle"})
    assert syntax.status_code == 400 and "line 1" in syntax.json()["error"]
    for content_type in ("text/plain", "application/pdf", None):
        unsupported = httpx.post(url, content=PLAN, headers={"Content-Type": content_type} if content_type else {})
        assert unsupported.status_code == 415, content_type
        assert "text/turtle" in unsupported.json()["error"]
    large = httpx.post(url, content=b"#" * (UPLOAD_LIMIT + 1), headers={"Content-Type": "text/turtle"})
    assert large.status_code == 413 and "VANKIEN_MAX_UPLOAD_BYTES" in large.json()["error"]
    refused = httpx.post(url, content=PLAN, headers={"Content-Type": "text/turtle", "Accept": "image/png"})
    assert refused.status_code == 406


def test_rdfxml_entities_are_refused(url):
    """Billion laughs (nested internal entities) and XXE (an external entity naming a URL or file)."""
    with running_canary() as (canary, seen):
        laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
        documents = {
            "billion laughs": f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{laughs}]>'
                              f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                              f'xmlns:e="{EX}"><rdf:Description rdf:about="{EX}s"><e:p>&l9;</e:p>'
                              f'</rdf:Description></rdf:RDF>',
            "XXE url": f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{canary}/xxe">]>'
                       f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="{EX}">'
                       f'<rdf:Description rdf:about="{EX}s"><e:p>&x;</e:p></rdf:Description></rdf:RDF>',
            "XXE file": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
                        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        }
        for name, document in documents.items():
            response = httpx.post(url, content=document, headers={"Content-Type": "application/rdf+xml"})
            assert response.status_code == 400, name
            assert "DOCTYPE or ENTITY" in response.json()["error"], name
        assert seen == []


def test_jsonld_contexts_are_never_fetched_or_read(url):
    with running_canary() as (canary, seen):
        for context in (f"{canary}/context.jsonld", "file:///etc/hostname", [f"{canary}/a"],
                        {"@import": f"{canary}/b"}):
            document = json.dumps({"@context": context, "@id": f"{EX}s", "name": "x"})
            response = httpx.post(url, content=document, headers={"Content-Type": "application/ld+json"})
            assert response.status_code == 400, context
            assert "@context is refused" in response.json()["error"], context
        inline = json.dumps({"@context": {"vk": VK}, "@id": f"{EX}plan/1", "@type": "vk:Plan"})
        answer = httpx.post(url, content=inline, headers={"Content-Type": "application/ld+json"}).json()
        assert answer["triples"] == 1 and answer["conforms"] is False
        assert seen == []


def test_one_huge_line_is_read_in_one_pass(url):
    """A literal filling the whole upload on a single line: answered, not stuck (linear parser);
    several triples on one line are an N-Triples syntax error naming the line."""
    huge = f'<{EX}s> <{EX}p> "{"x" * (UPLOAD_LIMIT - 200)}" .'
    answer = httpx.post(url, content=huge, headers={"Content-Type": "application/n-triples"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["triples"] == 1
    crowded = " ".join(f'<{EX}s{n}> <{EX}p> "x" .' for n in range(2000))
    refused = httpx.post(url, content=crowded, headers={"Content-Type": "application/n-triples"}, timeout=30)
    assert refused.status_code == 400 and "line 1" in refused.json()["error"]
