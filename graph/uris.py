"""The identity module: every URI vankien mints, real and synthetic, follows the rules here (the
URI scheme in docs/data-model.md).

Identity of a numbered document is issuer + type + number + term: the spelling of the number in a
source (``09-DA/TU`` or ``09-ĐA/TU``, ``4`` or ``04``) never changes its URI. An unknown term is
explicit and scoped to the source that mentions the document, so two unresolved mentions are never
merged silently. The rule functions take ready slugs (the synthetic generator calls them millions
of times); :class:`Minter` folds free text into slugs first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import URIRef

from vankien.graph.errors import IdentifierError
from vankien.graph.text import fold

if TYPE_CHECKING:
    from vankien.graph.identifiers import DocumentReference

UNKNOWN_TERM = "unknown"   # a seed's `term: unknown`: the document gets an unresolved/{source} URI


def issuer_segment(issuer_slug: str, local: bool, jurisdiction: str | None, notation: str) -> str:
    """The ``{issuer}`` segment: the code's slug, plus the jurisdiction where the code is local
    (``tw``, ``tu-dien-bien``, ``hu-muong-cha``)."""
    if not local:
        return issuer_slug
    if not jurisdiction or not fold(jurisdiction):
        code = notation.rsplit("/", 1)[-1]
        raise IdentifierError(f"issuer code {code!r} of {notation!r} is local: a jurisdiction is "
                              "needed (e.g. jurisdiction: dien-bien)")
    return f"{issuer_slug}-{fold(jurisdiction)}"


def number_segment(number: str | int) -> str:
    """The ``{number}`` segment: the number without its spelling, at least two digits (``4`` → ``04``)."""
    return str(int(number)).zfill(2)


def term_segment(term: str | int | None) -> str | None:
    """The ordinal of a committee term (``14``, ``"k14"`` → ``"14"``); None when not given."""
    if term is None:
        return None
    segment = fold(str(term)).removeprefix("k")
    if not segment.isdigit():
        raise IdentifierError(f"term must be an ordinal number such as 14, got {term!r}")
    return str(int(segment))


def document_path(issuer: str, type_slug: str, number: str | int, term: str | int | None = None,
                  source_id: str | None = None) -> str:
    """The path of a numbered document under ``doc/``: ``tu-dien-bien/nq/04/k14``; with the term
    unknown ``…/unresolved/{source_id}`` when a source is given, else the path without a term."""
    path = f"{issuer}/{type_slug}/{number_segment(number)}"
    if term == UNKNOWN_TERM and source_id:
        return f"{path}/unresolved/{source_id}"
    ordinal = term_segment(term)
    return f"{path}/k{ordinal}" if ordinal else path


def identity_key(issuer_slug: str, local: bool, type_slug: str, number: int,
                 jurisdiction: str | None, term: str | int | None) -> tuple:
    """(issuer, jurisdiction, type, number, term) with slugs and the number as an int.

    The jurisdiction is dropped for central issuers (there is only one ``TW``); ``None`` stays
    ``None`` so that an unknown jurisdiction or term is visible, never guessed.
    """
    place = fold(jurisdiction) if (jurisdiction and local) else None
    return (issuer_slug, place, type_slug, number, term_segment(term))


def _slug(text: str | int) -> str:
    return fold(str(text)).replace(" ", "-")


@dataclass(frozen=True)
class Minter:
    """URIs under ``base_iri``. ``make`` builds the IRI (rdflib ``URIRef`` for the builder, ``str``
    for the synthetic generator) and ``slug`` turns each segment into a slug (``str`` when the
    segments already are slugs)."""

    base_iri: str
    make: Callable[[str], object] = URIRef
    slug: Callable[[str | int], str] = _slug

    def _iri(self, *segments: str | int):
        return self.make(self.base_iri + "/".join(self.slug(s) for s in segments))

    def document(self, ref: DocumentReference, jurisdiction: str | None, term: int | str,
                 source_id: str):
        return self.numbered(ref.issuer_path(jurisdiction), ref.type_slug, ref.number, term, source_id)

    def numbered(self, issuer: str, type_slug: str, number: str | int, term: int | str,
                 source_id: str):
        """A numbered document from its segments (``term`` "unknown": the source's unresolved one)."""
        path = document_path(issuer, type_slug, number, term, self.slug(source_id))
        return self.make(self.base_iri + "doc/" + path)

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

    def derived_claim(self, source_id: str, claim_id: str, number: int) -> URIRef:
        """A claim for a triple the builder derives from claim ``claim_id`` (``…/c002/derived/1``)."""
        return self._iri("claim", source_id, claim_id, "derived", number)

    def quote(self, source_id: str, claim_id: str, number: int = 1) -> URIRef:
        """The claim's first passage keeps the plain ``…/quote`` IRI; further ones are ``…/quote/2`` …"""
        if number == 1:
            return self._iri("claim", source_id, claim_id, "quote")
        return self._iri("claim", source_id, claim_id, "quote", number)
