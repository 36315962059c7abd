"""The re-curated seed (docs/curation.md): each audit finding, checked in the built graph of the real
seeds — every new or changed claim with its evidence kind and its quotes at their offsets."""

from __future__ import annotations

import pytest

from vankien.graph import queries
from vankien.graph.settings import Settings

PREFIXES = """PREFIX vk: <https://w3id.org/vankien/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
ID = "https://w3id.org/vankien/id/"
VK = "https://w3id.org/vankien/ontology#"
SECTOR = ID + "body/dien-bien/nganh-to-chuc-xay-dung-dang"
RES_CONGRESS = ID + "doc/tu-dien-bien/nq/unnumbered/congress-14-resolution"
DOC_09 = ID + "doc/tu-dien-bien/da/09/unresolved/bdbp-218887-de"


def rows(store, body: str) -> list[dict]:
    return queries.rows(store, PREFIXES + body)


def evidence(store, s: str, p: str, o: str) -> set[tuple]:
    """(evidence kind, quote, start) of every claim of one triple."""
    return {(r["kind"].rsplit("#", 1)[-1], r["exact"], r["start"]) for r in rows(store, f"""
        SELECT ?kind ?exact ?start WHERE {{ ?c rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ;
          vk:evidenceKind ?kind ; vk:quotation ?q . ?q oa:hasSelector ?t , ?pos .
          ?t oa:exact ?exact . ?pos oa:start ?start }}""")}


@pytest.fixture(scope="module")
def source_text():
    path = Settings.from_env().sources_dir / "000_9108560e6253c378.txt"
    if not path.exists():
        pytest.skip(f"{path} not found (set VANKIEN_SOURCES_DIR)")
    return path.read_text(encoding="utf-8")


def test_non_local_officials_rest_on_the_units_the_posts_and_the_finding(seed_store):
    found = evidence(seed_store, f"<{ID}obs/bdbp-218887-de/district-level-units-non-local-key-officials>",
                     "vk:value", "10")
    assert {(q, start) for _, q, start in found} == {
        ("derzeit in allen zehn Bezirken, Städten und Gemeinden des Provinzparteikomitees", 4883),
        ("Sekretäre, Vorsitzende der Volkskomitees, Vorsitzende der Volksgerichte, leitende Staatsanwälte der "
         "Volksstaatsanwaltschaften und Leiter des Finanzsektors", 4963),
        ("nicht aus der Region stammen", 5118)}
    assert {kind for kind, _, _ in found} == {"Stated"}


def test_the_sector_is_a_body_with_what_it_advised_on(seed_store):
    names = {r["n"] for r in rows(seed_store, f"SELECT ?n WHERE {{ <{SECTOR}> skos:prefLabel|skos:altLabel ?n }}")}
    assert names == {"Bereich Parteiorganisation und -aufbau", "Sektor Parteiorganisation und -aufbau",
                     "Parteiorganisations- und Aufbausektor der Provinz Dien Bien"}
    advised = {(r["about"], r["kind"].rsplit("#", 1)[-1]) for r in rows(seed_store, f"""
        SELECT ?about ?kind WHERE {{ ?doc vk:advisedBy <{SECTOR}> ; vk:subjectMatter ?about .
          ?c rdf:subject ?doc ; rdf:predicate vk:advisedBy ; rdf:object <{SECTOR}> ; vk:evidenceKind ?kind }}""")}
    assert ("Kaderrotation", "Stated") in advised
    assert {about for about, kind in advised if kind == "Inferred"} == {
        "Kaderplanung", "Dezentralisierung der Organisations- und Kaderverwaltung sowie Ernennung und Vorstellung "
        "von Kandidaten", "Dezentralisierung der Kaderorganisation, Ernennung und Vorstellung von Kandidaten"}


def test_the_congress_resolution_has_subject_label_and_an_inferred_term(seed_store):
    (row,) = rows(seed_store, f"""SELECT ?label ?about ?status WHERE {{ <{RES_CONGRESS}> skos:prefLabel ?label ;
        vk:subjectMatter ?about ; vk:termStatus ?status }}""")
    assert (row["label"], row["about"], row["status"]) == (
        "Resolution des 14. Provinzparteitags", "Parteiorganisation und Parteiaufbau", VK + "TermInferred")
    assert {k for k, _, _ in evidence(seed_store, f"<{RES_CONGRESS}>", "vk:issuedInTerm",
                                      f"<{ID}term/dien-bien/14>")} == {"Inferred"}


def test_the_14th_national_congress_is_what_35_ct_tw_is_about(seed_store):
    assert rows(seed_store, f"""SELECT ?c WHERE {{ <{ID}doc/tw/ct/35/k13> dcterms:subject
        <{ID}body/tw/dai-hoi-dang-toan-quoc-14> }}""")


def test_regulation_types_are_inferred_and_five_of_them(seed_store):
    found = rows(seed_store, """SELECT ?doc ?kind WHERE { ?c rdf:subject ?doc ; rdf:predicate rdf:type ;
        rdf:object vk:Regulation ; vk:evidenceKind ?kind }""")
    assert len({r["doc"] for r in found}) == 5 and {r["kind"] for r in found} == {VK + "Inferred"}


def test_09_da_tu_as_written_and_as_read(seed_store):
    assert {k for k, _, _ in evidence(seed_store, f"<{DOC_09}>", "skos:notation", '"09-ĐA/TU"')} == {"Inferred"}
    assert {k for k, _, _ in evidence(seed_store, f"<{DOC_09}>", "skos:altLabel", '"09-DA/TU"')} == {"Stated"}


def test_nearly_2500_keeps_its_direction(seed_store):
    (row,) = rows(seed_store, f"""SELECT ?a ?broader WHERE {{
        <{ID}obs/bdbp-218887-de/members-admitted-yearly-average> vk:approximation ?a .
        ?a skos:broader ?broader }}""")
    assert (row["a"], row["broader"]) == (VK + "Nearly", VK + "Approximately")


@pytest.mark.parametrize("pattern", [
    "?s time:hasEnd ?o", "?s time:hasBeginning ?o", "?s time:inXSDgYear ?o", "?s time:inXSDDate ?o",
    "?s a vk:Term ; rdfs:label ?o . BIND(rdfs:label AS ?p0)", "?s vk:translationOf ?o"])
def test_derived_triples_carry_claims_with_quotes_at_their_offsets(seed_store, source_text, pattern):
    predicate = pattern.split()[1] if "BIND" not in pattern else "rdfs:label"
    triples = rows(seed_store, f"SELECT ?s ?o WHERE {{ {pattern} }}")
    assert triples, pattern
    for triple in triples:
        o = f"<{triple['o']}>" if str(triple["o"]).startswith("http") else None
        found = rows(seed_store, f"""SELECT ?kind ?exact ?start ?end WHERE {{ ?c rdf:subject <{triple['s']}> ;
            rdf:predicate {predicate} ; rdf:object ?o ; vk:evidenceKind ?kind ; vk:quotation ?q .
            ?q oa:hasSelector ?t , ?p .
            ?t oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . {f'FILTER(?o = {o})' if o else ''} }}""")
        assert found, (pattern, triple)
        assert all(source_text[r["start"]:r["end"]] == r["exact"] for r in found)
