"""``queries.evidence_rows`` (the claims in one query, their passages in a second, joined in
Python) gives exactly the rows of the single evidence pattern it replaced, on the real graph and on
a SYNTHETIC corpus, including a claim resting on two passages and a quote missing a selector."""

from __future__ import annotations

import io

import pytest

from vankien.graph import queries
from vankien.graph.namespaces import sparql_iri
from vankien.graph.store import MemoryStore
from vankien.graph.synth import generate

# The single pattern as it stood before the split (the reference the rows are compared with).
SINGLE_PATTERN = """
  ?claim a vk:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
         prov:wasDerivedFrom ?source ; vk:evidenceKind ?kind ; vk:quotation ?quote .
  ?quote oa:hasSelector ?textSel, ?posSel .
  ?textSel a oa:TextQuoteSelector ; oa:exact ?exact .
  ?posSel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  OPTIONAL { ?claim vk:inference ?how }
  OPTIONAL { ?source vk:textFile ?file }
  OPTIONAL { ?source dcterms:language ?lang }
  OPTIONAL { ?source vk:sourceUrl ?url0 }
  OPTIONAL { ?source vk:translationOf/vk:sourceUrl ?url1 }
"""
EXTRA = "https://w3id.org/vankien/synthetic/test/"
# A SYNTHETIC claim on two passages, and one whose only quote has no position selector (no row).
EXTRA_TRIPLES = f"""
@prefix vk: <https://w3id.org/vankien/ontology#> . @prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<{EXTRA}claim2> a vk:Claim ; rdf:subject <{EXTRA}a> ; rdf:predicate vk:implements ; rdf:object <{EXTRA}b> ;
  prov:wasDerivedFrom <{EXTRA}source> ; vk:evidenceKind vk:Stated ; vk:quotation <{EXTRA}q1>, <{EXTRA}q2> .
<{EXTRA}q1> oa:hasSelector <{EXTRA}q1#text>, <{EXTRA}q1#pos> .
<{EXTRA}q1#text> a oa:TextQuoteSelector ; oa:exact "first passage (synthetic)" .
<{EXTRA}q1#pos> a oa:TextPositionSelector ; oa:start 10 ; oa:end 35 .
<{EXTRA}q2> oa:hasSelector <{EXTRA}q2#text>, <{EXTRA}q2#pos> .
<{EXTRA}q2#text> a oa:TextQuoteSelector ; oa:exact "second passage (synthetic)" .
<{EXTRA}q2#pos> a oa:TextPositionSelector ; oa:start 50 ; oa:end 76 .
<{EXTRA}claim3> a vk:Claim ; rdf:subject <{EXTRA}a> ; rdf:predicate vk:implements ; rdf:object <{EXTRA}c> ;
  prov:wasDerivedFrom <{EXTRA}source> ; vk:evidenceKind vk:Stated ; vk:quotation <{EXTRA}q3> .
<{EXTRA}q3> oa:hasSelector <{EXTRA}q3#text> .
<{EXTRA}q3#text> a oa:TextQuoteSelector ; oa:exact "no offsets (synthetic)" .
"""


def single_rows(store, where: str = "") -> set[frozenset]:
    found = queries.rows(store, f"SELECT * WHERE {{ {where} {SINGLE_PATTERN} }}")
    return {frozenset((k, v) for k, v in row.items() if k not in ("textSel", "posSel")) for row in found}


def split_rows(store, where: str = "") -> set[frozenset]:
    found = queries.evidence_rows(store, where)
    assert len(found) == len({frozenset(row.items()) for row in found}), "no row twice"
    return {frozenset(row.items()) for row in found}


@pytest.fixture(scope="module")
def synthetic_store():
    store = MemoryStore()
    buffer = io.BytesIO()
    generate(300, seed=3, out=buffer, ontology=False)
    store.load(buffer.getvalue())
    store.load(EXTRA_TRIPLES.encode(), format="turtle")
    return store


def test_split_gives_the_rows_of_the_single_pattern_on_the_real_graph(seed_store):
    expected = single_rows(seed_store)
    assert len(expected) > 60
    assert split_rows(seed_store) == expected


def test_split_gives_the_rows_of_the_single_pattern_on_a_synthetic_corpus(synthetic_store, monkeypatch):
    expected = single_rows(synthetic_store)
    assert len(expected) > 1000
    monkeypatch.setattr(queries, "QUOTES_PER_QUERY", 7)  # many batches, one answer
    assert split_rows(synthetic_store) == expected
    two = {row for row in expected if dict(row)["claim"] == f"{EXTRA}claim2"}
    assert {(dict(row)["exact"], dict(row)["start"]) for row in two} == {
        ("first passage (synthetic)", 10), ("second passage (synthetic)", 50)}
    assert not any(dict(row)["claim"] == f"{EXTRA}claim3" for row in expected)


def test_split_keeps_the_callers_pattern_and_order(synthetic_store):
    document = next(dict(row)["s"] for row in single_rows(synthetic_store) if "/doc/" in str(dict(row)["s"]))
    where = f"VALUES (?s ?o) {{ ({sparql_iri(document)} UNDEF) (UNDEF {sparql_iri(document)}) }}"
    assert split_rows(synthetic_store, where) == single_rows(synthetic_store, where)
    ordered = queries.evidence_rows(synthetic_store, where, order_by=("source", "start"))
    assert [(r["source"], r["start"]) for r in ordered] == sorted((r["source"], r["start"]) for r in ordered)
    with_context = queries.evidence_rows(synthetic_store, where, context=True)
    assert {frozenset((k, v) for k, v in r.items() if k not in ("prefix", "suffix")) for r in with_context} \
        == split_rows(synthetic_store, where)
