"""Untrusted RDF documents (``POST /validate``): parse them safely, then check them against vankien's
SHACL shapes.

The parsers are pyoxigraph's (Rust, linear in the input: a whole document on one line costs no
more than the same bytes on many). Two things they would otherwise do are refused first:

- RDF/XML with a ``<!DOCTYPE`` or ``<!ENTITY`` declaration: pyoxigraph expands internal entities,
  so nested ones (billion laughs) would grow without bound; external ones (XXE) name files or URLs.
  RDF needs neither.
- JSON-LD with a remote or ``file:`` ``@context``: pyoxigraph has no document loader, so every
  context that is not written inline is refused — nothing is ever fetched or read.

The document is validated together with the ontology (the shapes use its class hierarchy), as the
build validates the graph it writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from vankien.graph import formats
from vankien.graph.errors import BadInput
from vankien.graph.shacl_report import ValidationReport
from vankien.graph.shacl_sparql import validate_store
from vankien.ontology import ONTOLOGY_IRI, ontology_nquads

# What an upload may be, by its Content-Type.
UPLOAD_FORMATS = (formats.TURTLE, formats.TRIG, formats.NTRIPLES, formats.NQUADS, formats.JSONLD,
                  formats.RDFXML)
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsupportedUpload(BadInput):
    """The Content-Type names no RDF format an upload may be in (HTTP 415)."""

    status = 415


@dataclass(frozen=True)
class UploadReport:
    format: formats.Format
    triples: int                 # statements read from the document
    report: ValidationReport


def upload_format(content_type: str | None) -> formats.Format:
    """The upload format a Content-Type names; :class:`UnsupportedUpload` listing them otherwise."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    for offer in UPLOAD_FORMATS:
        if media_type in offer.media_types and media_type not in ("text/plain", "application/json",
                                                                  "application/xml", "text/xml"):
            return offer
    accepted = ", ".join(offer.media_type for offer in UPLOAD_FORMATS)
    raise UnsupportedUpload(f"Content-Type: {media_type or 'none'} is not an RDF format this endpoint "
                            f"reads; send one of {accepted}")


def parse_untrusted(data: bytes, upload: formats.Format) -> list[ox.Quad]:
    """The quads of an untrusted document; :class:`BadInput` naming the line for any problem."""
    if upload is formats.RDFXML and _DECLARATION.search(data):
        raise BadInput("RDF/XML with a DOCTYPE or ENTITY declaration is refused: entities could "
                       "expand without bound or name files and URLs, and RDF needs none")
    try:
        return list(ox.parse(data, format=upload.rdf, base_iri="urn:x-vankien:upload:"))
    except SyntaxError as problem:
        message = str(problem)
        if "LoadDocumentCallback" in message:
            message = ("a remote or file: @context is refused (nothing is fetched or read): "
                       "write the context inline")
        raise BadInput(f"the {upload.title} document does not parse: {message}") from None
    except ValueError as problem:  # e.g. invalid UTF-8
        raise BadInput(f"the {upload.title} document does not parse: {problem}") from None


def validate_upload(data: bytes, content_type: str | None) -> UploadReport:
    """Parse ``data`` by its Content-Type and validate it against vankien's shapes."""
    upload = upload_format(content_type)
    quads = parse_untrusted(data, upload)
    store = ox.Store()
    store.load(ontology_nquads(), format=ox.RdfFormat.N_QUADS)
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    # Triples of the document's default graph go to a graph of their own, beside the ontology.
    document = ox.NamedNode("urn:x-vankien:upload")
    store.extend([q if not isinstance(q.graph_name, ox.DefaultGraph) else
                  ox.Quad(q.subject, q.predicate, q.object, document) for q in quads
                  if q.graph_name != ontology])
    return UploadReport(upload, len(quads), validate_store(store))
