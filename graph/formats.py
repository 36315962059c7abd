"""Every serialisation vankien reads or writes, in one table, and the one negotiator that picks one.

A :class:`Format` carries all its names: the canonical ``format=`` value, short aliases, media
types (canonical first), file extensions, the rdflib and pyoxigraph names and the SPARQL query
forms whose answer it can carry. The store, the executor, the export, the CLI and every HTTP route
look formats up here; :func:`negotiate` turns a ``format=`` value and an ``Accept`` header into
the format to answer in, among the formats one answer comes in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

import pyoxigraph as ox

from vankien.graph.errors import BadInput, NotAcceptable

SOLUTION_FORMS = frozenset({"SELECT", "ASK"})
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})


@dataclass(frozen=True)
class Format:
    name: str                         # the canonical `format=` value and the key everywhere else
    title: str                        # for people: messages and docs
    media_types: tuple[str, ...]      # the canonical one first; the others are understood too
    aliases: tuple[str, ...] = ()     # other `format=` values (short or customary names)
    extensions: tuple[str, ...] = ()  # file name endings, with the dot
    rdflib: str | None = None         # rdflib's parser/serialiser name
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    forms: frozenset[str] = frozenset()  # SPARQL query forms whose answer it carries
    w3c: str | None = None            # its name in http://www.w3.org/ns/formats/

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` to send: the engine's (it adds ``charset`` to CSV and TSV)."""
        engine = self.rdf or self.results
        return engine.media_type if engine is not None else self.media_type

    @property
    def holds_datasets(self) -> bool:
        """True for quad formats (TriG, N-Quads): they keep the named graphs."""
        return self.rdf is not None and self.rdf.supports_datasets

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _rdf(name, title, media_types, aliases, extensions, rdflib, rdf, w3c, forms=GRAPH_FORMS) -> Format:
    return Format(name, title, media_types, aliases, extensions, rdflib, rdf, None, forms, w3c)


def _results(name, title, media_types, aliases, extensions, results, w3c) -> Format:
    return Format(name, title, media_types, aliases, extensions, None, None, results, SOLUTION_FORMS, w3c)


# Registry order is the server's preference when a client accepts several formats equally.
JSON = _results("json", "SPARQL results JSON", ("application/sparql-results+json", "application/json"),
                ("srj",), (".srj",), ox.QueryResultsFormat.JSON, "SPARQL_Results_JSON")
XML = _results("xml", "SPARQL results XML",
               ("application/sparql-results+xml", "application/xml", "text/xml"),
               ("srx",), (".srx",), ox.QueryResultsFormat.XML, "SPARQL_Results_XML")
# text/plain: the Oxigraph server answers it with CSV (solutions) or N-Triples (graphs); so do we.
CSV = _results("csv", "SPARQL results CSV", ("text/csv", "text/plain"), (), (".csv",),
               ox.QueryResultsFormat.CSV, "SPARQL_Results_CSV")
TSV = _results("tsv", "SPARQL results TSV", ("text/tab-separated-values",), (), (".tsv",),
               ox.QueryResultsFormat.TSV, "SPARQL_Results_TSV")
TURTLE = _rdf("turtle", "Turtle", ("text/turtle", "application/x-turtle"), ("ttl",), (".ttl",),
              "turtle", ox.RdfFormat.TURTLE, "Turtle")
NTRIPLES = _rdf("ntriples", "N-Triples", ("application/n-triples", "text/plain"), ("nt",), (".nt",),
                "nt", ox.RdfFormat.N_TRIPLES, "N-Triples")
# "json" and "xml" name JSON-LD and RDF/XML where an answer is a graph (as SPARQLWrapper sends them).
JSONLD = _rdf("jsonld", "JSON-LD", ("application/ld+json", "application/json"), ("json-ld", "json"),
              (".jsonld",), "json-ld", ox.RdfFormat.JSON_LD, "JSON-LD")
RDFXML = _rdf("rdfxml", "RDF/XML", ("application/rdf+xml", "application/xml", "text/xml"),
              ("rdf", "rdf+xml", "xml"), (".rdf", ".owl"), "xml", ox.RdfFormat.RDF_XML, "RDF_XML")
TRIG = _rdf("trig", "TriG", ("application/trig",), (), (".trig",), "trig", ox.RdfFormat.TRIG, "TriG")
NQUADS = _rdf("nquads", "N-Quads", ("application/n-quads",), ("nq",), (".nq",), "nquads",
              ox.RdfFormat.N_QUADS, "N-Quads")
N3 = _rdf("n3", "Notation3", ("text/n3", "text/rdf+n3"), (), (".n3",), "n3", ox.RdfFormat.N3, "N3")
HTML = Format("html", "HTML page", ("text/html", "application/xhtml+xml"), (), (".html",))
# The JSON answers of the REST routes (not SPARQL results): plain application/json.
ANSWER = Format("answer", "JSON", ("application/json",), ("json",), (".json",))
GRAPHML = Format("graphml", "GraphML (property graph)", ("application/graphml+xml",), (), (".graphml",))
GEXF = Format("gexf", "GEXF (property graph)", ("application/gexf+xml",), (), (".gexf",))

FORMATS: tuple[Format, ...] = (JSON, XML, CSV, TSV, TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS, N3,
                               HTML, ANSWER, GRAPHML, GEXF)
RDF_FORMATS = tuple(f for f in FORMATS if f.rdf is not None)
# What one kind of answer comes in, the default first.
SOLUTIONS = (JSON, XML, CSV, TSV)
GRAPHS = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS, N3)
DESCRIPTIONS = (TURTLE, JSONLD, NTRIPLES, RDFXML)   # one resource's triples (linked data, REST)
EXPORTS = (TRIG, TURTLE, NTRIPLES, NQUADS, JSONLD, GRAPHML, GEXF, CSV)   # csv: a zip of tables
BY_NAME = {f.name: f for f in FORMATS}


def in_memory(body: bytes | None) -> bytes:
    """What a pyoxigraph serialiser returned without an output file: bytes (its type also says
    None, for the case of writing to a file)."""
    if body is None:
        raise TypeError("the serialiser wrote to a file, not into memory")
    return body


def get(name: str) -> Format:
    """The format with this canonical name (a programming error if there is none)."""
    return BY_NAME[name]


def for_form(form: str) -> tuple[Format, ...]:
    """The formats an answer to a ``form`` query (SELECT, ASK, CONSTRUCT, DESCRIBE) comes in."""
    return tuple(f for f in FORMATS if form in f.forms)


def rdf_format(value: str | ox.RdfFormat) -> ox.RdfFormat:
    """pyoxigraph's RDF format for a name, alias or media type (a format object passes through)."""
    if isinstance(value, ox.RdfFormat):
        return value
    found = named(value, RDF_FORMATS, parameter="RDF format").rdf
    assert found is not None  # every RDF_FORMATS entry has one
    return found


def results_format(name: str) -> ox.QueryResultsFormat:
    """pyoxigraph's query-results format for a name, alias or media type."""
    found = named(name, SOLUTIONS, parameter="results format").results
    assert found is not None  # every SOLUTIONS entry has one
    return found


def by_extension(path: str | PurePath, offers: Sequence[Format] = RDF_FORMATS) -> Format:
    """The format a file name's ending says (``.ttl`` → Turtle); BadInput naming the file if none."""
    suffix = PurePath(path).suffix.lower()
    for offer in offers:
        if suffix in offer.extensions:
            return offer
    endings = ", ".join(e for offer in offers for e in offer.extensions)
    raise BadInput(f"{path}: unknown file extension {suffix!r}; use one of {endings}")


def named(requested: str, offers: Sequence[Format], *, parameter: str = "format") -> Format:
    """The offer ``requested`` names: its canonical name first, then an alias, then a media type.

    BadInput (400) when it names no format at all; NotAcceptable (406) when it names a format this
    answer does not come in. Both messages name ``parameter`` and list what would work.
    """
    wanted = requested.split(";")[0].strip().lower()
    for matches in (lambda f: wanted == f.name, lambda f: wanted in f.aliases,
                    lambda f: wanted in f.media_types):
        for offer in offers:
            if matches(offer):
                return offer
    choices = "; ".join(", ".join(offer.names()) for offer in offers)
    for known in FORMATS:
        if wanted in (*known.names(), *known.media_types):
            raise NotAcceptable(f"{parameter}: {requested!r} is not available here; use one of {choices}")
    raise BadInput(f"{parameter}: unknown value {requested!r}; use one of {choices}")


def negotiate(offers: Sequence[Format], requested: str | None = None, accept: str | None = None, *,
              fallback: bool = False, parameter: str = "format",
              suggested: Sequence[str] = ()) -> Format:
    """The format to answer in, among ``offers`` (the first is the default).

    ``requested`` (a ``format=`` value: name, alias or media type) overrides ``accept`` (an HTTP
    ``Accept`` header, q-values honoured, ties going to the earlier offer). When ``accept`` admits
    no offer: NotAcceptable, or the default when ``fallback`` (answers that have one form and may
    ignore ``Accept``, as HTTP allows).

    ``suggested``: values that override ``accept`` only where they fit. SPARQL clients send them
    for any query form (SPARQLWrapper: ``format=turtle&output=turtle&results=turtle`` with a
    SELECT); the first that names an offer wins, one naming a format this answer does not come in
    is passed over and ``accept`` decides. A value naming no format at all is still BadInput.
    """
    if requested is not None and requested.strip():
        return named(requested, offers, parameter=parameter)
    for value in suggested:
        if value.strip():
            try:
                return named(value, offers, parameter=parameter)
            except NotAcceptable:
                continue
    if accept is None or not accept.strip():
        return offers[0]
    ranges = accept_ranges(accept)
    quality, _, index = max((_format_quality(offer, ranges), -i, i) for i, offer in enumerate(offers))
    if quality > 0:
        return offers[index]
    if fallback:
        return offers[0]
    available = [offer.media_type for offer in offers]
    raise NotAcceptable(f"none of the accepted media types ({accept}) fits; offered: "
                        f"{', '.join(available)}", available=available)


def accept_ranges(header: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; malformed q values count as 0 (not acceptable)."""
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


def _format_quality(offer: Format, ranges: list[tuple[str, float]]) -> float:
    """q of a format: that of its most specifically matched media type, so ``text/turtle;q=0,
    */*;q=0.1`` refuses Turtle although ``application/x-turtle`` matches ``*/*``."""
    return max(_quality(media, ranges) for media in offer.media_types)[1]


def _quality(offer: str, ranges: list[tuple[str, float]]) -> tuple[int, float]:
    """(specificity, q) of ``offer`` under the most specific matching range (exact 2 > type/* 1 >
    */* 0; -1 when none matches)."""
    kind = offer.split("/")[0]
    best, specificity = 0.0, -1
    for media, quality in ranges:
        rank = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if rank > specificity:
            best, specificity = quality, rank
    return specificity, best
