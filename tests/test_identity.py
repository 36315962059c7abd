"""One identity rule for every minted URI: the parser's paths, the builder's Minter, the seed graph
and the synthetic generator agree (the graph's URIs as they are: numbers with two digits at least)."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from vankien.graph import queries, synth
from vankien.graph.identifiers import IdentifierError, document_class_of, fold, parse_reference, type_code
from vankien.graph.uris import Minter, document_path, number_segment

BASE = "https://w3id.org/vankien/id/"


@pytest.mark.parametrize("written", ["4-NQ/TU", "04-NQ/TU", "Nghị quyết số 004-NQ/TU"])
def test_the_number_spelling_never_changes_the_uri(written):
    ref = parse_reference(written)
    assert ref.slug("Điện Biên", 14) == "tu-dien-bien/nq/04/k14"
    assert str(Minter(BASE).document(ref, "Điện Biên", 14, "any-source")) == BASE + "doc/tu-dien-bien/nq/04/k14"


def test_minter_and_slug_are_one_rule():
    for text, jurisdiction, term in (("35-CT/TW", None, 13), ("158-KH/TU", "dien-bien", 14),
                                     ("7-QĐi/HU", "Mường Chà", 20), ("09-ĐA/TU", "dien-bien", 14)):
        ref = parse_reference(text)
        assert str(Minter(BASE).document(ref, jurisdiction, term, "s")) == BASE + "doc/" + ref.slug(jurisdiction, term)
    unresolved = Minter(BASE).document(parse_reference("09-DA/TU"), "dien-bien", "unknown", "bdbp-218887-de")
    assert str(unresolved) == BASE + "doc/tu-dien-bien/da/09/unresolved/bdbp-218887-de"
    assert number_segment("123") == "123" and document_path("tw", "ct", 5) == "tw/ct/05"


def test_every_numbered_document_of_the_seed_graph_has_the_rules_uri(seed_store):
    found = queries.rows(seed_store, """SELECT ?doc ?notation ?ordinal ?place WHERE {
        ?doc skos:notation ?notation ; vk:issuedInTerm/vk:termOrdinal ?ordinal .
        OPTIONAL { ?doc vk:jurisdiction ?place } }""")
    assert len(found) >= 4
    for row in found:
        place = row.get("place", "").rsplit("/", 1)[-1] or None
        expected = BASE + "doc/" + parse_reference(row["notation"]).slug(place, row["ordinal"])
        assert row["doc"] == expected, row
    assert BASE + "doc/tu-dien-bien/nq/04/k14" in {row["doc"] for row in found}


def test_synthetic_documents_follow_the_same_rule(tmp_path):
    out = tmp_path / "synth.nq"
    synth.generate(120, 3, out, ontology=False)
    notation = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
    documents = {q.subject.value: q.object.value for q in ox.parse(path=out, format=ox.RdfFormat.N_QUADS)
                 if q.predicate == notation and "/doc/" in q.subject.value}
    assert len(documents) >= 100
    shape = re.compile(r"doc/(?P<issuer>[a-z0-9-]+)/(?P<type>[a-z]+)/(?P<number>\d+)/(?:k\d+|unresolved/.+)$")
    for iri, written in documents.items():
        path = iri.removeprefix(synth.SYNTH_BASE)
        match = shape.fullmatch(path)
        assert match, iri
        number, code = written.split("/")[0].split("-")
        assert match["number"] == number_segment(number) and match["type"] == fold(type_code(code))


def test_type_codes_are_looked_up_not_parsed():
    assert type_code("kh") == "KH" and type_code("QDi") == "QĐi" and document_class_of("ĐA") == "Project"
    with pytest.raises(IdentifierError, match="unknown document type code 'XY'"):
        type_code("XY")
