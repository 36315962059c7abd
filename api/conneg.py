"""Content negotiation for RDF responses: pick a serialisation from ``Accept`` (or ``?format=``).

``negotiate_rdf(request)`` → ``(media type, pyoxigraph.RdfFormat)``; ``wants_html(request)`` says
whether a browser asked for a page. A ``format`` query parameter (``ttl``, ``jsonld``, ``nt``,
``rdf``, ``html``) overrides the header, so plain links can point at one serialisation.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import HTTPException, Request

RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
FORMAT_NAMES = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
                "json-ld": "application/ld+json", "nt": "application/n-triples",
                "ntriples": "application/n-triples", "rdf": "application/rdf+xml",
                "xml": "application/rdf+xml", "rdfxml": "application/rdf+xml", "html": "text/html"}
HTML = "text/html"


def accept_ranges(header: str) -> list[tuple[str, float]]:
    """``Accept`` (or ``Accept-Language``) as (range, q) pairs; malformed q values count as 0 (not acceptable)."""
    ranges = []
    for part in header.split(","):
        media, *params = [piece.strip() for piece in part.split(";")]
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """q of ``offer`` under the most specific matching range (exact > type/* > */*)."""
    kind = offer.split("/")[0]
    best, specificity = 0.0, -1
    for media, quality in ranges:
        rank = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if rank > specificity:
            best, specificity = quality, rank
    return best if specificity >= 0 else 0.0


def choose(request: Request, offers: list[str]) -> str | None:
    """The offer the client prefers (ties go to the earlier offer), or None if it accepts none."""
    requested = request.query_params.get("format")
    if requested:
        chosen = FORMAT_NAMES.get(requested.strip().lower())
        if chosen not in offers:
            raise HTTPException(400, f"format: unknown value {requested!r}; use one of "
                                     f"{', '.join(n for n, m in FORMAT_NAMES.items() if m in offers)}")
        return chosen
    header = request.headers.get("accept", "").strip()
    if not header:
        return offers[0]
    ranges = accept_ranges(header)
    scored = [(_quality(offer, ranges), -index, offer) for index, offer in enumerate(offers)]
    quality, _, offer = max(scored)
    return offer if quality > 0 else None


def negotiate_rdf(request: Request, default: str = "text/turtle") -> tuple[str, ox.RdfFormat]:
    """The RDF serialisation to answer with; 406 (JSON error) when the client accepts none."""
    offers = [default, *(media for media in RDF_MEDIA_TYPES if media != default)]
    chosen = choose(request, offers)
    if chosen is None:
        raise HTTPException(406, {"error": "none of the requested media types is available",
                                  "available": offers})
    return chosen, RDF_MEDIA_TYPES[chosen]


def wants_html(request: Request) -> bool:
    """True when the client prefers an HTML page to every RDF serialisation (browsers)."""
    requested = request.query_params.get("format")
    if requested:
        return requested.strip().lower() == "html"
    header = request.headers.get("accept", "")
    return bool(header) and choose(request, ["text/turtle", *list(RDF_MEDIA_TYPES)[1:], HTML]) == HTML


def prefers_html(request: Request) -> bool:
    """True when ``Accept`` ranks an HTML page above JSON (a browser, not an API client)."""
    ranges = accept_ranges(request.headers.get("accept", ""))
    return _quality(HTML, ranges) > _quality("application/json", ranges)
