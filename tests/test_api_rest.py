"""REST routes on the real graph (seeds/dien-bien-2024.yaml, built once per session).

Expected values come from the seeds: c030 "In Umsetzung der Richtlinie Nr. 35-CT/TW" (offset 6138)
states that 158-KH/TU and 03-HD/TU implement 35-CT/TW.
"""

from __future__ import annotations

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from vankien.api.app import Runtime, create_app
from vankien.graph.namespaces import OA, VK
from vankien.graph.pipeline import artifact_path
from vankien.graph.store import MemoryStore

ID = "https://w3id.org/vankien/id/"
DOC_35 = ID + "doc/tw/ct/35/k13"
DOC_158 = ID + "doc/tu-dien-bien/kh/158/k14"
DOC_03 = ID + "doc/tu-dien-bien/hd/03/k14"
DOC_04 = ID + "doc/tu-dien-bien/nq/04/k14"
DOC_09 = ID + "doc/tu-dien-bien/da/09/unresolved/bdbp-218887-de"
DOC_66 = ID + "doc/tu-dien-bien/kh/66/unresolved/bdbp-218887-de"
DIEN_BIEN = ID + "place/dien-bien"
CONGRESS_RESOLUTION = ID + "doc/tu-dien-bien/nq/unnumbered/congress-14-resolution"
BOARD = ID + "body/dien-bien/ban-to-chuc-tinh-uy"
POLITBURO = ID + "body/tw/bo-chinh-tri"
IMPLEMENTS_QUOTE = "In Umsetzung der Richtlinie Nr. 35-CT/TW"
IMPLEMENTS_START = 6138
NAMING_QUOTE, NAMING_START = "den Plan Nr. 158-KH/TU und die Anweisung Nr. 03-HD/TU", 6389


@pytest.fixture(scope="module")
def client(api_client):
    return api_client


def iris(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {doc["iri"] for doc in response.json()["documents"]}


# --- one document, any spelling ---------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/documents/09-DA%2FTU", "/documents/09-ĐA/TU", "/documents/09-DA/TU",
                                  "/documents/09-%C4%90A%2FTU"])
def test_document_by_any_spelling(client, path):
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.json()["iri"] == DOC_09
    assert answer.json()["notation"] == "09-ĐA/TU"


def test_document_by_query_parameter_and_uri(client):
    by_path = client.get("/documents/09-DA%2FTU").json()
    assert client.get("/documents", params={"id": "Nr. 09-DA/TU"}).json() == by_path
    assert client.get(f"/documents/{DOC_09}").json() == by_path


def test_document_statements_carry_evidence(client):
    detail = client.get("/documents/158-KH/TU").json()
    implements = [s for s in detail["statements"] if s["predicate"] == str(VK.implements)]
    assert [s["object"] for s in implements] == [DOC_35]
    assert [e["quote"] for e in implements[0]["evidence"]] == [IMPLEMENTS_QUOTE]


def test_unknown_malformed_and_ambiguous_numbers(client, built):
    unknown = client.get("/documents/99-NQ/TU")
    assert unknown.status_code == 404 and "99-NQ/TU" in unknown.json()["error"]
    malformed = client.get("/documents/99-XX/TU")
    assert malformed.status_code == 400
    assert malformed.json()["error"].startswith("id: unknown document type code 'XX'")
    assert client.get("/documents", params={"id": "no number"}).status_code == 400

    # SYNTHETIC: a second 158-KH/TU in another term, so the number names two documents.
    store = MemoryStore()
    store.load(artifact_path(built[0]), "nquads")
    store.load(b'<https://w3id.org/vankien/synthetic/id/doc/tu-dien-bien/kh/158/k13> '
               b'a <https://w3id.org/vankien/ontology#Plan> ; '
               b'<https://w3id.org/vankien/ontology#numberStatus> <https://w3id.org/vankien/ontology#Numbered> ; '
               b'<http://data.europa.eu/eli/ontology#id_local> "158-KH/TU" .', "turtle")
    runtime = Runtime(settings=built[0], store=store, executor=None)
    with TestClient(create_app(runtime=runtime)) as ambiguous_client:
        answer = ambiguous_client.get("/documents/158-KH/TU")
    assert answer.status_code == 300
    assert {c["iri"] for c in answer.json()["candidates"]} == {
        DOC_158, "https://w3id.org/vankien/synthetic/id/doc/tu-dien-bien/kh/158/k13"}
    assert "numbers restart" in answer.json()["error"]
    # The issuer's term and place pick one of the namesakes, on every route that takes a number.
    with TestClient(create_app(runtime=runtime)) as ambiguous_client:
        picked = ambiguous_client.get("/documents/158-KH/TU", params={"term": 14, "place": DIEN_BIEN})
        listed = ambiguous_client.get("/documents", params={"number": "158-KH/TU", "term": 14})
        lineage = ambiguous_client.get("/documents/158-KH/TU/implements", params={"term": 14})
        missing = ambiguous_client.get("/documents/158-KH/TU", params={"term": 13})
    assert picked.status_code == 200 and picked.json()["iri"] == DOC_158
    assert iris(listed) == {DOC_158}
    assert lineage.status_code == 200 and [e["document"] for e in lineage.json()["implements"]] == [DOC_35]
    assert missing.status_code == 404 and "of term 13" in missing.json()["error"]


# --- lineage ----------------------------------------------------------------------------------------

def test_implemented_by_lists_both_with_quotes(client):
    answer = client.get("/documents/35-CT/TW/implemented-by")
    assert answer.status_code == 200, answer.text
    found = {entry["notation"]: entry for entry in answer.json()["implemented_by"]}
    assert set(found) == {"158-KH/TU", "03-HD/TU"}
    for notation, iri in (("158-KH/TU", DOC_158), ("03-HD/TU", DOC_03)):
        (hop,) = found[notation]["path"]
        assert (hop["from"], hop["to"]) == (iri, DOC_35)
        assert [(e["quote"], e["start"], e["evidence"]) for e in hop["evidence"]] == [
            (IMPLEMENTS_QUOTE, IMPLEMENTS_START, "Stated")]


def test_implements_and_lineage(client):
    upstream = client.get("/documents/158-KH%2FTU/implements").json()
    assert [entry["document"] for entry in upstream["implements"]] == [DOC_35]
    chain = client.get("/lineage", params={"from": "158-KH/TU", "to": DOC_35})
    assert chain.status_code == 200, chain.text
    (path,) = chain.json()["paths"]
    assert [(hop["from"], hop["to"], hop["evidence"][0]["quote"]) for hop in path] == [
        (DOC_158, DOC_35, IMPLEMENTS_QUOTE)]
    backwards = client.get("/lineage", params={"from": "35-CT/TW", "to": "158-KH/TU"})
    assert backwards.status_code == 404 and "error" in backwards.json()
    assert client.get("/lineage", params={"from": "158-KH/TU"}).status_code == 422


# --- search and filters -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("nghi quyet", {DOC_04, CONGRESS_RESOLUTION}), ("Nghị Quyết", {DOC_04, CONGRESS_RESOLUTION}),
    ("Richtlinie", {DOC_35}), ("directive", {DOC_35}), ("158-KH", {DOC_158})])
def test_text_search_ignores_diacritics_and_language(client, text, expected):
    assert iris(client.get("/documents", params={"q": text})) == expected


def test_issuer_and_place_take_the_vkid_curie_as_document_ids_do(client):
    assert client.get("/documents/vkid:doc%2Ftw%2Fct%2F35%2Fk13").json()["iri"] == DOC_35
    assert iris(client.get("/documents", params={"issuer": "vkid:body/tw/bo-chinh-tri"})) == {DOC_35}
    assert iris(client.get("/documents", params={"issuer": POLITBURO})) == {DOC_35}
    narrowed = client.get("/documents/158-KH%2FTU", params={"place": "vkid:place/dien-bien", "term": 14})
    assert narrowed.status_code == 200 and narrowed.json()["iri"] == DOC_158
    assert client.get("/documents/158-KH%2FTU/implements",
                      params={"place": "vkid:place/dien-bien"}).json()["document"] == DOC_158


@pytest.mark.parametrize("route, parameter", [("/documents", "q"), ("/observations", "measure"),
                                              ("/observations", "area")])
@pytest.mark.parametrize("text", ["%", "*", "\"", "\ufffd"])
def test_a_search_text_of_marks_only_is_refused_naming_the_parameter(client, route, parameter, text):
    # the search ignores case, diacritics and marks: such a text matched every document or figure
    answer = client.get(route, params={parameter: text})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith(f"{parameter}: ") and "no letter or digit" in answer.json()["error"]


@pytest.mark.parametrize("params, expected", [
    ({"type": "KH"}, {DOC_158, DOC_66}), ({"type": "Plan"}, {DOC_158, DOC_66}),
    # a class name in any case, as the graph view takes it (type=directive was "unknown document type")
    ({"type": "directive"}, {DOC_35}), ({"type": "PLAN"}, {DOC_158, DOC_66}),
    ({"type": "ĐA"}, {DOC_09}), ({"issuer": POLITBURO}, {DOC_35}),
    # the congress resolution is placed in term 14 by inference since the curation (claim c072)
    ({"level": "central"}, {DOC_35}), ({"term": 14}, {DOC_03, DOC_04, DOC_158, CONGRESS_RESOLUTION}),
    ({"year": 2023}, {DOC_04}), ({"term": 14, "type": "NQ"}, {DOC_04, CONGRESS_RESOLUTION}),
    ({"number": "09-DA/TU"}, {DOC_09}), ({"number": "Nr. 158-KH/TU", "term": 14}, {DOC_158}),
    ({"place": DIEN_BIEN, "type": "KH"}, {DOC_158, DOC_66}), ({"place": ID + "place/viet-nam"}, set())])
def test_filters(client, params, expected):
    assert iris(client.get("/documents", params=params)) == expected


def test_paging_covers_every_document_once(client):
    everything = client.get("/documents").json()["documents"]
    pages = [client.get("/documents", params={"limit": 4, "offset": start}).json()["documents"]
             for start in range(0, len(everything), 4)]
    assert [doc["iri"] for page in pages for doc in page] == [doc["iri"] for doc in everything]
    assert len(everything) > 4


@pytest.mark.parametrize("params, status, named", [
    ({"type": "Poem"}, 400, "type"), ({"level": "galactic"}, 400, "level"),
    ({"issuer": "foo:bar"}, 400, "issuer"), ({"issuer": "not an iri"}, 400, "issuer"),
    ({"limit": 0}, 422, "limit"), ({"limit": 1001}, 422, "limit"), ({"offset": -1}, 422, "offset"),
    ({"term": "fourteen"}, 422, "term"), ({"number": "99-XX/TU"}, 400, "number"),
    ({"place": "foo:bar"}, 400, "place")])
def test_bad_parameters_are_named(client, params, status, named):
    answer = client.get("/documents", params=params)
    assert answer.status_code == status
    assert named in answer.json()["error"]


# --- provenance, bodies, goals, figures, sources ----------------------------------------------------

def test_provenance_of_implements(client, built):
    answer = client.get("/provenance", params={"subject": DOC_158, "predicate": "vk:implements",
                                                "object": "35-CT/TW"})
    assert answer.status_code == 200, answer.text
    (evidence,) = answer.json()["evidence"]
    assert (evidence["quote"], evidence["start"], evidence["end"]) == (
        IMPLEMENTS_QUOTE, IMPLEMENTS_START, IMPLEMENTS_START + len(IMPLEMENTS_QUOTE))
    assert evidence["source"] == ID + "source/bdbp-218887-de"
    # the claim rests on two passages: the cue and the naming of 158-KH/TU and 03-HD/TU
    assert [(q["quote"], q["start"], q["end"]) for q in evidence["quotes"]] == [
        (IMPLEMENTS_QUOTE, IMPLEMENTS_START, IMPLEMENTS_START + len(IMPLEMENTS_QUOTE)),
        (NAMING_QUOTE, NAMING_START, NAMING_START + len(NAMING_QUOTE))]
    text_file = built[0].sources_dir / evidence["source_file"]
    if text_file.exists():  # the offsets point at the quotes in the source text
        text = text_file.read_text(encoding="utf-8")
        assert all(text[q["start"]:q["end"]] == q["quote"] for q in evidence["quotes"])


@pytest.mark.parametrize("params, named", [
    ({}, "subject"), ({"predicate": "nope:x"}, "predicate"), ({"subject": "http://a b"}, "subject"),
    ({"object": "99-XX/TU"}, "object")])
def test_provenance_rejects_bad_patterns(client, params, named):
    answer = client.get("/provenance", params=params)
    assert answer.status_code == 400 and named in answer.json()["error"]


def test_bodies(client):
    listed = {row["body"] for row in client.get("/bodies").json()["bodies"]}
    assert {BOARD, POLITBURO} <= listed
    by_path = client.get("/bodies/dien-bien/ban-to-chuc-tinh-uy").json()
    assert client.get(f"/bodies/{BOARD}").json() == by_path
    assert {DOC_158, DOC_03, DOC_04} <= {doc["iri"] for doc in by_path["advised"]}
    assert {doc["iri"] for doc in client.get("/bodies/tw/bo-chinh-tri").json()["issued"]} == {DOC_35}
    assert client.get("/bodies/dien-bien/nobody").status_code == 404
    assert client.get(f"/bodies/{DOC_35}").status_code == 404   # a document is not a body


def test_goals_observations_sources(client):
    goals = client.get("/goals").json()["goals"]
    assert any(goal["document"] == CONGRESS_RESOLUTION for goal in goals)
    admitted = client.get("/observations", params={"measure": "admitted"}).json()["observations"]
    assert admitted and all("admitted" in row["measure"] for row in admitted)
    everything = client.get("/observations").json()["observations"]
    assert len(client.get("/observations", params={"year": 1950}).json()["observations"]) == 0
    assert len(everything) > len(admitted)
    sources = {row["source"]: row for row in client.get("/sources").json()["sources"]}
    assert sources[ID + "source/bdbp-218887-de"]["file"] == "000_9108560e6253c378.txt"


# --- the same data as RDF ---------------------------------------------------------------------------

def parsed(response, rdflib_format: str) -> rdflib.Graph:
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format=rdflib_format)


def test_document_as_rdf_by_content_negotiation(client):
    graph = parsed(client.get("/documents/158-KH/TU", headers={"Accept": "text/turtle"}), "turtle")
    doc, directive = rdflib.URIRef(DOC_158), rdflib.URIRef(DOC_35)
    assert {(doc, VK.implements, directive), (doc, RDF.type, VK.Plan),
            (doc, SKOS.notation, rdflib.Literal("158-KH/TU"))} <= set(graph)
    (claim,) = [c for c in graph.subjects(RDF.subject, doc)
                if (c, RDF.predicate, VK.implements) in graph and (c, RDF.object, directive) in graph]
    exact = {graph.value(s, OA.exact) for quote in graph.objects(claim, VK.quotation)
             for s in graph.objects(quote, OA.hasSelector)} - {None}
    assert exact == {rdflib.Literal(IMPLEMENTS_QUOTE), rdflib.Literal(NAMING_QUOTE)}   # both passages
    for accept, fmt in (("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
                        ("application/rdf+xml", "xml")):
        assert isomorphic(parsed(client.get("/documents/158-KH/TU", headers={"Accept": accept}), fmt), graph)


def test_json_stays_the_default(client):
    for accept in (None, "*/*", "application/json", "application/json, text/turtle;q=0.5"):
        headers = {"Accept": accept} if accept else {}
        answer = client.get("/documents/158-KH/TU", headers=headers)
        assert answer.headers["content-type"].startswith("application/json")
