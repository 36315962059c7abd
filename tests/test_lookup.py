"""Identity lookup at corpus scale: numbers restart with each term and place, so a number names many
documents and the issuer's place and term name one. Driven by a SYNTHETIC corpus (600 documents)."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from vankien.graph import queries
from vankien.graph.store import MemoryStore
from vankien.graph.synth import generate


@pytest.fixture(scope="module")
def corpus():
    buffer = io.BytesIO()
    generate(600, seed=5, out=buffer, ontology=True)  # the queries use its subclass axioms
    store = MemoryStore()
    store.load(buffer.getvalue(), "nquads")
    identities = queries.rows(store, """
        SELECT ?doc ?number ?place ?term WHERE {
          ?doc eli:id_local ?number ; vk:jurisdiction ?place
          OPTIONAL { ?doc vk:issuedInTerm/vk:termOrdinal ?term } }""")  # no term: an unresolved reference
    return store, identities


def test_a_number_names_many_documents_and_its_identity_one(corpus):
    store, identities = corpus
    number, count = Counter(row["number"] for row in identities).most_common(1)[0]
    assert count > 3  # the corpus really repeats numbers across places and terms
    namesakes = [row for row in identities if row["number"] == number]
    assert {d["iri"] for d in queries.find_documents_by_number(store, number)} == {
        row["doc"] for row in namesakes}
    with pytest.raises(queries.Ambiguous, match="term and place"):
        queries.resolve_document(store, number)
    resolved = [row for row in namesakes if "term" in row]
    assert 3 < len(resolved) < len(namesakes)  # and some references do not state the term
    for row in resolved:
        found = queries.find_documents_by_number(store, number, place=row["place"], term=row["term"])
        assert [d["iri"] for d in found] == [row["doc"]]
        assert queries.resolve_document(store, number, place=row["place"], term=row["term"]) == row["doc"]


def test_every_filter_order_gives_the_same_documents_as_python(corpus):
    store, identities = corpus
    place = Counter(row["place"] for row in identities).most_common(1)[0][0]
    for term in (10, 12, 14):
        expected = {row["doc"] for row in identities if row["place"] == place and row.get("term") == term}
        assert expected
        found = queries.documents(store, place=place, term=term, limit=1000)
        assert {d["iri"] for d in found} == expected


def test_ambiguity_message_stays_short(corpus):
    store, identities = corpus
    number, count = Counter(row["number"] for row in identities).most_common(1)[0]
    with pytest.raises(queries.Ambiguous) as raised:
        queries.resolve_document(store, number)
    assert len(raised.value.candidates) == count
    assert str(raised.value).count("<https://") == min(count, queries.AMBIGUOUS_LISTED)


def test_text_search_finds_synthetic_documents_in_any_language(corpus):
    """The generator writes vk:searchKey as the builder derives it (number, titles, type labels)."""
    store, identities = corpus
    place = Counter(row["place"] for row in identities).most_common(1)[0][0]
    plans = {d["iri"] for d in queries.documents(store, place=place, type="KH", limit=1000)}
    assert plans
    for text in ("Kế hoạch", "ke hoach", "Plan"):
        found = {d["iri"] for d in queries.documents(store, place=place, text=text, limit=1000)}
        assert plans <= found, text
    titled = {iri for iri in plans if "/unresolved/" not in iri}  # a mere reference has no title
    assert {d["iri"] for d in queries.documents(store, place=place, text="kế hoạch giả lập",
                                                limit=1000)} == titled
