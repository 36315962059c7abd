"""The vocabulary, in one place: namespaces, the prefix table and the term helpers every layer uses
(shorten an IRI, its local name, expand a CURIE, PREFIX lines, and how an IRI or a literal is written
into query text). See docs/data-model.md."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from vankien.graph.errors import BadInput

VK = Namespace("https://w3id.org/vankien/ontology#")
ONTOLOGY_GRAPH = "https://w3id.org/vankien/ontology"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
QB = Namespace("http://purl.org/linked-data/cube#")
# Where minted URIs live by default (the base_iri setting); "vkid:" names it in exports.
ID_BASE = "https://w3id.org/vankien/id/"
ID_PREFIX = "vkid"
RDF_TYPE = str(RDF.type)

PREFIXES: dict[str, str] = {
    "vk": str(VK), "eli": str(ELI), "org": str(ORG), "prov": str(PROV), "skos": str(SKOS),
    "dcterms": str(DCTERMS), "time": str(TIME), "oa": str(OA), "qb": str(QB), "rdf": str(RDF),
    "rdfs": str(RDFS), "xsd": str(XSD), "owl": str(OWL),
}
# Schemes whose IRIs have no "//" and so look like CURIEs: never read as prefixes.
OPAQUE_SCHEMES = ("urn", "mailto", "tag")

# Relations that state something about the world: each asserted triple needs a vk:Claim.
CLAIMED_RELATIONS = tuple(VK[name] for name in (
    "issuedBy", "implements", "basedOn", "advisedBy", "amends", "replaces", "setsGoal", "concerns",
    "issuedInTerm", "applicablePeriod", "partOf"))


def prefixes_with_ids(base_iri: str = ID_BASE) -> dict[str, str]:
    """The prefix table plus ``vkid:`` for the minted URIs under ``base_iri``."""
    return {**PREFIXES, ID_PREFIX: base_iri}


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for a SPARQL query (all known prefixes when no name is given)."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in chosen)


def shorten(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``prefix:local`` for an IRI under a known namespace (the longest wins, so a namespace never
    shadows a longer one); a prefix ``""`` shows the bare local part; other IRIs stay whole."""
    text = str(iri)
    for prefix, namespace in sorted(prefixes.items(), key=lambda item: -len(item[1])):
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}" if prefix else text[len(namespace):]
    return text


def local_name(iri: str) -> str:
    """The last segment of an IRI: after ``#``, else after the last ``/`` (``vk:Plan`` → ``Plan``)."""
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def expand_curie(value: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """The IRI a CURIE with a known prefix stands for (``vk:implements``); None for anything else."""
    prefix, colon, local = value.partition(":")
    if colon and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return None


def looks_like_iri(value: str, prefixes: Mapping[str, str] = PREFIXES) -> bool:
    """True for an absolute IRI or a CURIE with a known prefix (not, e.g., a document number)."""
    return "://" in value or value.split(":", 1)[0] in (*prefixes, *OPAQUE_SCHEMES)


def to_iri(value: str, parameter: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """An IRI from an IRI or a CURIE; a CURIE with an unknown prefix is BadInput naming ``parameter``."""
    value = value.strip()
    expanded = expand_curie(value, prefixes)
    if expanded is not None:
        return expanded
    prefix, colon, local = value.partition(":")
    if colon and not local.startswith("//") and prefix not in OPAQUE_SCHEMES:
        raise BadInput(f"{parameter}: unknown prefix '{prefix}' in {value!r}; use a full IRI or one "
                       f"of the prefixes {', '.join(prefixes)}")
    return value


# --- values in query text --------------------------------------------------------------------------
# Remote stores take query text, so bound values are spliced in; every IRI and literal goes through
# these, which write it in the engine's own term syntax (pyoxigraph's N-Triples form, valid SPARQL).

def sparql_iri(value: str) -> str:
    """``<value>`` for an absolute IRI; anything else (relative, spaces, ``>``, quotes) is BadInput."""
    try:
        return str(ox.NamedNode(str(value)))
    except ValueError as exc:
        raise BadInput(f"not an absolute IRI: {value!r} ({exc})") from None


def sparql_literal(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal, quotes, backslashes and line breaks escaped (a bad ``lang`` or ``datatype`` is
    BadInput)."""
    try:
        return str(ox.Literal(str(value), language=lang or None,
                              datatype=ox.NamedNode(datatype) if datatype else None))
    except ValueError as exc:
        raise BadInput(f"not a literal: {value!r} (lang {lang!r}, datatype {datatype!r}: {exc})") from None


def sparql_term(term: URIRef | Literal | ox.NamedNode | ox.Literal) -> str:
    """An rdflib or pyoxigraph IRI or literal for query text (blank nodes have no text form there)."""
    if isinstance(term, (URIRef, ox.NamedNode)):
        return sparql_iri(str(term) if isinstance(term, URIRef) else term.value)
    if isinstance(term, Literal):
        datatype = None if term.language else (str(term.datatype) if term.datatype else None)
        return sparql_literal(str(term), lang=term.language, datatype=datatype)
    if isinstance(term, ox.Literal):
        return str(term)
    raise BadInput(f"{term!r}: only IRIs and literals can be written into a query")
