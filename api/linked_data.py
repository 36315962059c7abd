"""Linked data: every URI minted under ``base_iri`` dereferences at ``/id/{path}``; ``/ontology``.

Browsers get a readable page; RDF clients get the resource's concise bounded description (its
triples, its hash and blank-node parts, and the claims, quotes and selectors behind it) as Turtle,
JSON-LD, N-Triples or RDF/XML by ``Accept``.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import OWL, RDF, RDFS, SKOS, URIRef

from vankien.api.conneg import LINKED_DATA, choose
from vankien.api.i18n import choose_language, page, pick_label
from vankien.api.runtime import Runtime, runtime_of
from vankien.graph import formats, queries, records
from vankien.graph.formats import Format
from vankien.graph.namespaces import PREFIXES, RDF_TYPE, sparql_iri
from vankien.ontology import ONTOLOGY_IRI, ONTOLOGY_PATH, VK, load_ontology

router = APIRouter(tags=["Linked data"])

LABELS = tuple(str(term) for term in (SKOS.notation, SKOS.prefLabel, VK["title"], RDFS.label))

FORMAT_PARAM = Query(None, description="Override `Accept`: `html`, `ttl`, `jsonld`, `nt` or `rdf`.",
                     openapi_examples={"turtle": {"summary": "Turtle", "value": "ttl"},
                                       "page": {"summary": "HTML page", "value": "html"}})

# The resource, its hash/blank-node parts (quote#text, period#start), its claims with their quotes
# and selectors. Each branch starts from the resource, so no branch scans the whole store.
CBD = """CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND({r} AS ?s) ?s ?p ?o }}
  UNION {{ {r} ?link ?s . FILTER(isBlank(?s) || STRSTARTS(STR(?s), CONCAT(STR({r}), "#"))) ?s ?p ?o }}
  UNION {{ ?s a vk:Claim ; rdf:subject {r} . ?s ?p ?o }}
  UNION {{ ?claim a vk:Claim ; rdf:subject {r} ; vk:quotation ?s . ?s ?p ?o }}
  UNION {{ ?claim a vk:Claim ; rdf:subject {r} ; vk:quotation/oa:hasSelector ?s . ?s ?p ?o }}
}}"""


def resource_triples(store, resource: str) -> list[ox.Triple]:
    """The concise bounded description of ``resource`` (empty when the graph does not know it)."""
    found = store.query(queries.PREFIXES + CBD.format(r=sparql_iri(resource)),
                        union_default_graph=True)
    return sorted(set(found), key=lambda t: (t.subject.value != resource, str(t)))  # its own first


def rdf_response(chosen: Format, triples, request: Request | None = None,
                 canonical: str | None = None) -> Response:
    """``triples`` in the negotiated serialisation. Minted IRIs stay whole in Turtle: as prefixed
    names their slashes would need escaping (``vkid:doc\\/tw…``), which nobody can read. JSON-LD
    is compacted against a local ``@context`` (never a remote one). With ``request``, the answer
    names its representations (:func:`representation_headers`)."""
    if chosen is formats.JSONLD:
        body = compact_jsonld(triples)
    else:
        body = formats.in_memory(ox.serialize(triples, format=formats.rdf_format(chosen.name), prefixes=PREFIXES))
    headers = representation_headers(request, chosen, canonical) if request else {"Vary": "Accept"}
    return Response(body, media_type=chosen.media_type, headers=headers)


# Written out in every JSON-LD answer, so no client fetches a context: the prefixes of the data.
JSONLD_CONTEXT = {**PREFIXES, "vkid": "https://w3id.org/vankien/id/"}


def compact_jsonld(triples) -> bytes:
    """JSON-LD compacted against :data:`JSONLD_CONTEXT` (``"vk:title"``, ``"@type": "vk:Plan"``)."""
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True,
                           indent=1, encoding="utf-8")


def representation_headers(request: Request, chosen: Format, canonical: str | None) -> dict[str, str]:
    """``Content-Location`` (this representation's own URL), ``Link`` to the resource's IRI
    (``rel=canonical``) and to every other representation (``rel=alternate``), ``Vary``."""
    path = request.url.path
    links = [f'<{canonical}>; rel="canonical"'] if canonical else []
    links += [f'<{path}?format={offer.name}>; rel="alternate"; type="{offer.media_type}"'
              for offer in LINKED_DATA if offer is not chosen]
    return {"Content-Location": f"{path}?format={chosen.name}", "Link": ", ".join(links),
            "Vary": "Accept"}


def with_headers(response: Response, headers: dict[str, str]) -> Response:
    """``response`` with ``headers`` added (``Vary`` joined with what it already varies on)."""
    vary = [v for v in (response.headers.get("vary"), headers.get("Vary")) if v]
    response.headers.update({**headers, "Vary": ", ".join(dict.fromkeys(
        part.strip() for value in vary for part in value.split(",")))})
    return response


# --- /id/{path} -----------------------------------------------------------------------------------

@router.api_route(
    "/id/{path:path}", methods=["GET", "HEAD"], summary="Dereference a vankien URI",
    description="Every URI minted under the base IRI (`https://w3id.org/vankien/id/…` by default) "
                "answers here: an HTML page for browsers, otherwise the resource's triples and the "
                "evidence behind them as Turtle, JSON-LD (compact, local `@context`; also for "
                "`application/json`), N-Triples or RDF/XML (`Accept`). A named graph's IRI "
                "(`/id/graph/…`) answers with the graph's triples. `Content-Location` names the "
                "representation sent, `Link` the IRI and the other representations. "
                "Unknown URIs give 404.",
    responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}, "text/html": {}}},
               404: {"description": "No such resource"}})
def dereference(request: Request,
                path: str = Path(description="The URI path after the base IRI.", openapi_examples={
                    "directive": {"summary": "Directive 35-CT/TW", "value": "doc/tw/ct/35/k13"},
                    "body": {"summary": "A party body", "value": "body/dien-bien/ban-to-chuc-tinh-uy"}}),
                format: str | None = FORMAT_PARAM, runtime: Runtime = Depends(runtime_of)):
    base_iri = runtime.settings.base_iri
    resource = base_iri + path
    try:
        triples = resource_triples(runtime.store, resource)
        graph = graph_triples(runtime.store, resource)
    except ValueError:
        raise HTTPException(404, f"path: {path!r} does not form a valid URI") from None
    if not triples and not graph:
        raise HTTPException(404, f"no resource {resource} in the graph")
    chosen = choose(request, LINKED_DATA)
    if chosen is formats.HTML:
        shown = (resource_page(request, runtime, resource, triples) if triples else
                 page(request, "resource.html", record=graph_record(runtime.store, resource, graph),
                      base_iri=base_iri))
        return with_headers(shown, representation_headers(request, chosen, resource))
    return rdf_response(chosen, triples + graph, request, resource)


def graph_triples(store, iri: str) -> list[ox.Triple]:
    """The triples of the named graph ``iri`` (empty when it is no named graph of the store)."""
    if iri not in store.named_graphs():
        return []
    return list(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"))


def graph_record(store, iri: str, triples: list[ox.Triple]) -> dict:
    """A named graph's page: what it describes (each typed resource in it, with its types); its
    triples are in the machine formats."""
    parts: dict[str, list[dict]] = {}
    for t in sorted(triples, key=lambda t: (str(t.subject), str(t.object))):
        if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode) \
                and isinstance(t.object, ox.NamedNode):
            parts.setdefault(t.subject.value, []).append(
                {"predicate": RDF_TYPE, "object": t.object.value, "is_iri": True, "lang": None, "evidence": []})
    mentioned = {iri, RDF_TYPE, *parts} | {row["object"] for rows in parts.values() for row in rows}
    return {"iri": iri, "statements": [], "parts": parts, "incoming": [], "type": None,
            "names": records.names(store, mentioned)}


PAGES = {"document": ("document.html", records.document_record), "body": ("body.html", records.body_record)}


def resource_page(request: Request, runtime: Runtime, resource: str, triples: list[ox.Triple]) -> HTMLResponse:
    """The page for ``resource``: a document, body, source or claim page, else its statements."""
    store, settings = runtime.store, runtime.settings
    kind = records.kind_of(store, resource)
    context = {"base_iri": settings.base_iri}
    if kind in PAGES:
        template, make = PAGES[kind]
        return page(request, template, record=make(store, resource), **context)
    if kind == "source":
        return page(request, "source.html", record=records.source_record(store, resource, settings.sources_dir),
                    **context)
    if kind == "claim":
        lang = choose_language(request)
        record = records.claim_record(store, resource, settings.sources_dir)
        title = pick_label(record["source"]["titles"], lang)
        cite = records.citation(record, title.text if title else None, date.today().isoformat())
        return page(request, "claim.html", lang=lang, record=record, cite=cite, **context)
    return page(request, "resource.html", record=generic_record(store, resource, triples), **context)


def generic_record(store, resource: str, triples: list[ox.Triple]) -> dict:
    """Any other resource: its statements (with the quotes behind them), parts and referrers."""
    detail = queries.describe(store, resource)
    evidence = {(s["predicate"], str(s["object"])): s["evidence"] for s in detail["statements"]}
    own = [t for t in triples if t.subject == ox.NamedNode(resource) and t.predicate.value not in records.INTERNAL]
    parts: dict[str, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(resource + "#"):
            parts.setdefault(t.subject.value, []).append(t)

    def rows_of(found):
        return [{"predicate": t.predicate.value, "object": t.object.value,
                 "is_iri": isinstance(t.object, ox.NamedNode),
                 "lang": t.object.language if isinstance(t.object, ox.Literal) else None,
                 "evidence": evidence.get((t.predicate.value, str(queries.python_value(t.object))), [])}
                for t in sorted(found, key=lambda t: (t.predicate.value, str(t.object)))]
    statements = rows_of(own)
    incoming = sorted(detail["incoming"], key=lambda s: (s["predicate"], s["subject"]))
    mentioned = {resource} | {r["predicate"] for r in statements} | {r["object"] for r in statements if r["is_iri"]}
    mentioned |= {s["subject"] for s in incoming} | {s["predicate"] for s in incoming}
    part_rows = {subject: rows_of(found) for subject, found in sorted(parts.items())}
    mentioned |= {r["predicate"] for found in part_rows.values() for r in found}
    types = [r["object"] for r in statements if r["predicate"] == records.RDF_TYPE]
    return {"iri": resource, "statements": statements, "parts": part_rows, "incoming": incoming,
            "type": records.most_specific_class(store, types), "names": records.names(store, mentioned)}


# --- /ontology ------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _ontology_bytes(format_name: str) -> bytes:
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(ONTOLOGY_PATH.read_bytes(), format=ox.RdfFormat.TURTLE)]
    if format_name == formats.JSONLD.name:
        return compact_jsonld(triples)
    return formats.in_memory(ox.serialize(triples, format=formats.rdf_format(format_name), prefixes=PREFIXES))


@router.api_route(
    "/ontology", methods=["GET", "HEAD"], summary="The vankien ontology",
    description="The OWL ontology (`vk:`) as Turtle, JSON-LD, N-Triples or RDF/XML by `Accept`, "
                "or a readable page listing every class, property and concept with its labels in "
                "Vietnamese, English and German, definitions and alignments (`/ontology#Directive`).",
    responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}, "text/html": {}}}})
def ontology(request: Request, format: str | None = FORMAT_PARAM):
    chosen = choose(request, LINKED_DATA)
    headers = representation_headers(request, chosen, ONTOLOGY_IRI)
    if chosen is formats.HTML:
        return with_headers(page(request, "ontology.html", namespace=VK, sections=ontology_sections()),
                            headers)
    return Response(_ontology_bytes(chosen.name), media_type=chosen.media_type, headers=headers)


ONTOLOGY_SECTIONS = (("classes", OWL.Class), ("object_properties", OWL.ObjectProperty),
                     ("datatype_properties", OWL.DatatypeProperty),
                     ("annotation_properties", OWL.AnnotationProperty),
                     ("schemes", SKOS.ConceptScheme), ("concepts", SKOS.Concept))
ONTOLOGY_LINKS = (("subclass_of", RDFS.subClassOf), ("subproperty_of", RDFS.subPropertyOf),
                  ("equivalent_to", OWL.equivalentClass), ("domain", RDFS.domain),
                  ("range", RDFS.range), ("in_scheme", SKOS.inScheme), ("broader", SKOS.broader))
LANGUAGES = ("vi", "en", "de")


@lru_cache(maxsize=1)
def ontology_sections() -> list[tuple[str, list[dict]]]:
    """Every vk: term once, under the first section its types put it in."""
    graph, done, sections = load_ontology(), set(), []
    for key, kind in ONTOLOGY_SECTIONS:
        terms = sorted(t for t in graph.subjects(RDF.type, kind)
                       if isinstance(t, URIRef) and t.startswith(VK) and t not in done)
        done.update(terms)
        if terms:
            sections.append((key, [_ontology_term(graph, t) for t in terms]))
    return sections


def _ontology_term(graph, term: URIRef) -> dict:
    labels = {lang: " / ".join(sorted({str(label) for p in (RDFS.label, SKOS.prefLabel)
                                       for label in graph.objects(term, p)
                                       if getattr(label, "language", None) == lang}))
              for lang in LANGUAGES}
    links = [(key, sorted(str(o) for o in graph.objects(term, predicate) if isinstance(o, URIRef)))
             for key, predicate in ONTOLOGY_LINKS]
    notes = [(getattr(n, "language", None) or "", str(n)) for p in (SKOS.definition, RDFS.comment)
             for n in sorted(graph.objects(term, p))]
    return {"name": term[len(VK):], "iri": str(term), "labels": labels,
            "links": [(key, targets) for key, targets in links if targets], "notes": notes,
            "notations": [str(n) for n in graph.objects(term, SKOS.notation)]}
