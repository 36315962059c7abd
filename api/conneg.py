"""The HTTP side of content negotiation: read ``format=`` and ``Accept`` from the request and let
the one negotiator (:func:`vankien.graph.formats.negotiate`) pick among the formats a route offers.

A ``format`` query parameter (a name, alias or media type: ``ttl``, ``json``, ``text/csv``)
overrides the header, so plain links can point at one serialisation. A value naming no format is
400; one naming a format the route does not offer is 406 — never silently ignored. The app's error
handler turns both into JSON ``{"error": …}``.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request

from vankien.graph import formats
from vankien.graph.formats import Format

# What the routes answer in, the default first.
RESOURCE_ANSWERS = (formats.ANSWER, *formats.DESCRIPTIONS)   # REST: JSON, or the resource as RDF
LINKED_DATA = (*formats.DESCRIPTIONS, formats.HTML)          # /id/…, /ontology: RDF, or a page
JSON_ONLY = (formats.ANSWER,)
HTML_ONLY = (formats.HTML,)


def choose(request: Request, offers: Sequence[Format], *, fallback: bool = False,
           format: str | None = None) -> Format:
    """The offer to answer ``request`` in. ``format`` (when the route read it elsewhere, e.g. from a
    form body) stands for the ``format`` query parameter. ``fallback``: when ``Accept`` admits no
    offer, answer in the default instead of 406 (for answers with one form)."""
    requested = format if format is not None else request.query_params.get("format")
    return formats.negotiate(offers, requested, request.headers.get("accept"), fallback=fallback)


def json_only(request: Request) -> None:
    """Route dependency for JSON-only answers: a ``format=`` other than JSON is refused."""
    choose(request, JSON_ONLY, fallback=True)


def html_only(request: Request) -> None:
    """Route dependency for pages: a ``format=`` other than HTML is refused."""
    choose(request, HTML_ONLY, fallback=True)


def prefers_html(request: Request) -> bool:
    """True when ``Accept`` ranks a page above JSON (a browser, not an API client); ties go to JSON."""
    chosen = formats.negotiate((formats.ANSWER, formats.HTML), None, request.headers.get("accept"),
                               fallback=True)
    return chosen is formats.HTML
