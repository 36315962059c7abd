"""Mint readable, stable URIs from identity (see the URI scheme in docs/data-model.md).

Identity of a numbered document is issuer + type + number + term: the spelling of the number in a
source (``09-DA/TU`` or ``09-ĐA/TU``) never changes its URI. An unknown term is explicit and scoped
to the source that mentions the document, so two unresolved mentions are never merged silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from vankien.graph.identifiers import DocumentReference, fold

# Issuer codes whose committee exists once per jurisdiction (a province's Tỉnh ủy, a district's
# Huyện ủy …); the URI names the jurisdiction beside the code. Central codes (TW, BTCTW …) need none.
CENTRAL_LEVEL = "central"


def _slug(text: str | int) -> str:
    return fold(str(text)).replace(" ", "-")


@dataclass(frozen=True)
class Minter:
    base_iri: str

    def _iri(self, *segments: str | int) -> URIRef:
        return URIRef(self.base_iri + "/".join(_slug(s) for s in segments))

    def issuer_segment(self, ref: DocumentReference, jurisdiction: str | None) -> str:
        if ref.level == CENTRAL_LEVEL:
            return ref.issuer_slug
        if not jurisdiction:
            raise ValueError(f"{ref.notation}: the issuer code {ref.issuer_code} is local; "
                             "say which jurisdiction (e.g. jurisdiction: dien-bien)")
        return f"{ref.issuer_slug}-{_slug(jurisdiction)}"

    def document(self, ref: DocumentReference, jurisdiction: str | None, term: int | str,
                 source_id: str) -> URIRef:
        issuer = self.issuer_segment(ref, jurisdiction)
        number = str(int(ref.number_int)).zfill(2) if ref.number.isdigit() else ref.number
        if term == "unknown":
            return self._iri("doc", issuer, ref.type_slug, number, "unresolved", source_id)
        return self._iri("doc", issuer, ref.type_slug, number, f"k{int(term)}")

    def unnumbered(self, type_slug: str, issuer: str, slug: str) -> URIRef:
        return self._iri("doc", issuer, type_slug, "unnumbered", slug)

    def body(self, jurisdiction: str, slug: str) -> URIRef:
        return self._iri("body", jurisdiction, slug)

    def term(self, jurisdiction: str, ordinal: int) -> URIRef:
        return self._iri("term", jurisdiction, ordinal)

    def place(self, slug: str) -> URIRef:
        return self._iri("place", slug)

    def measure(self, slug: str) -> URIRef:
        return self._iri("measure", slug)

    def in_source(self, kind: str, source_id: str, slug: str) -> URIRef:
        """Resources that only make sense within one source: goal, obs, period."""
        return self._iri(kind, source_id, slug)

    def source(self, source_id: str) -> URIRef:
        return self._iri("source", source_id)

    def dataset(self, source_id: str) -> URIRef:
        return self._iri("dataset", source_id)

    def graph(self, source_id: str) -> URIRef:
        return self._iri("graph", source_id)

    def claim(self, source_id: str, claim_id: str, index: int) -> URIRef:
        return self._iri("claim", source_id, claim_id, index)

    def quote(self, source_id: str, claim_id: str, number: int = 1) -> URIRef:
        """The claim's first passage keeps the plain ``…/quote`` IRI; further ones are ``…/quote/2`` …"""
        if number == 1:
            return self._iri("claim", source_id, claim_id, "quote")
        return self._iri("claim", source_id, claim_id, "quote", number)
