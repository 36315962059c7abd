"""Linked data: every URI minted under ``base_iri`` dereferences at ``/id/{path}``; ``/ontology``.

Browsers get a readable page; RDF clients get the resource's concise bounded description (its
triples, its hash and blank-node parts, and the claims, quotes and selectors behind it) as Turtle,
JSON-LD, N-Triples or RDF/XML by ``Accept``.
"""

from __future__ import annotations

import html
from functools import lru_cache

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import OWL, RDF, RDFS, SKOS, URIRef

from vankien.graph import queries
from vankien.graph.namespaces import PREFIXES, RDF_TYPE, shorten
from vankien.ontology import ONTOLOGY_PATH, VK, load_ontology

from vankien.api.runtime import Runtime, runtime_of
from vankien.api.conneg import LINKED_DATA, choose
from vankien.graph import formats
from vankien.graph.formats import Format

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
    found = store.query(queries.PREFIXES + CBD.format(r=queries.iri(resource)),
                        union_default_graph=True)
    return sorted(set(found), key=lambda t: (t.subject.value != resource, str(t)))  # its own first


def rdf_response(chosen: Format, triples) -> Response:
    """``triples`` in the negotiated serialisation. Minted IRIs stay whole: as prefixed
    names their slashes would need escaping (``vkid:doc\\/tw…``), which nobody can read."""
    return Response(ox.serialize(triples, format=formats.rdf_format(chosen.name), prefixes=PREFIXES),
                    media_type=chosen.media_type, headers={"Vary": "Accept"})


def local_href(value: str, base_iri: str) -> str:
    """Where a link to ``value`` should go: vankien IRIs stay on this server."""
    if base_iri and value.startswith(base_iri):
        return "/id/" + value[len(base_iri):]
    if value.startswith(VK):
        return "/ontology#" + value[len(VK):]
    return value


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
        "</title><meta name='viewport' content='width=device-width, initial-scale=1'><style>"
        "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
        "td,th{vertical-align:top;text-align:left;padding:.2rem .6rem;border-bottom:1px solid #ddd}"
        "blockquote{margin:.3rem 0;padding-left:.6rem;border-left:3px solid #999}"
        "code{font-size:.9em}</style></head><body>"
        f"<nav><a href='/'>vankien</a> · <a href='/ontology'>ontology</a> · <a href='/docs'>API</a>"
        f"</nav>{body}</body></html>", headers={"Vary": "Accept"})


# --- /id/{path} -----------------------------------------------------------------------------------

@router.get(
    "/id/{path:path}", summary="Dereference a vankien URI",
    description="Every URI minted under the base IRI (`https://w3id.org/vankien/id/…` by default) "
                "answers here: an HTML page for browsers, otherwise the resource's triples and the "
                "evidence behind them as Turtle, JSON-LD, N-Triples or RDF/XML (`Accept`). "
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
    except ValueError:
        raise HTTPException(404, f"path: {path!r} does not form a valid URI") from None
    if not triples:
        raise HTTPException(404, f"no resource {resource} in the graph")
    chosen = choose(request, LINKED_DATA)
    if chosen is formats.HTML:
        return resource_page(runtime.store, resource, triples, base_iri)
    return rdf_response(chosen, triples)


def _link(value: str, base_iri: str, label: str | None = None) -> str:
    text = html.escape(label or shorten(value))
    return f"<a href='{html.escape(local_href(value, base_iri), quote=True)}'>{text}</a>"


def _term(term, base_iri: str, label: str | None = None) -> str:
    if isinstance(term, ox.NamedNode):
        return _link(term.value, base_iri, label)
    if isinstance(term, ox.Literal) and term.language:
        return f"<span lang='{html.escape(term.language, quote=True)}'>{html.escape(term.value)}</span>" \
               f" <small>@{html.escape(term.language)}</small>"
    return html.escape(term.value if isinstance(term, (ox.Literal, ox.BlankNode)) else str(term))


def _evidence(items: list[dict], base_iri: str) -> str:
    parts = []
    for item in items:
        original = (f" · <a href='{html.escape(item['source_url'], quote=True)}'>original</a>"
                    if item.get("source_url") else "")
        how = f"<br><small>inferred: {html.escape(item['how'])}</small>" if item.get("how") else ""
        # every passage the claim rests on, each with its offsets
        passages = " … ".join(f"“{html.escape(q['quote'])}” <small>({q['start']}–{q['end']})</small>"
                              for q in item.get("quotes") or [item])
        parts.append(f"<blockquote lang='{html.escape(item.get('language') or '', quote=True)}'>"
                     f"{passages}<br><small>{html.escape(item['evidence'])} · characters of "
                     f"{_link(item['source'], base_iri)}{original} · "
                     f"{_link(item['claim'], base_iri, 'claim')}</small>{how}</blockquote>")
    return "".join(parts)


def _table(triples, base_iri: str, described: dict) -> str:
    cells = []
    for t in sorted(triples, key=lambda t: (t.predicate.value, str(t.object))):
        found = described.get((t.predicate.value, str(queries.python_value(t.object))), {})
        cells.append(f"<tr><td>{_link(t.predicate.value, base_iri)}</td>"
                     f"<td>{_term(t.object, base_iri, found.get('label'))}"
                     f"{_evidence(found.get('evidence', []), base_iri)}</td></tr>")
    return f"<table>{''.join(cells)}</table>"


def resource_page(store, resource: str, triples: list[ox.Triple], base_iri: str) -> HTMLResponse:
    """Label, types, every statement (with the quotes behind it), its parts and who refers to it."""
    detail = queries.describe(store, resource)
    described = {(s["predicate"], str(s["object"])): s for s in detail["statements"]}
    own = [t for t in triples if t.subject == ox.NamedNode(resource)]
    parts = [t for t in triples if t.subject.value.startswith(resource + "#")]
    label = next((t.object.value for name in LABELS for t in own if t.predicate.value == name),
                 resource.rstrip("/").rsplit("/", 1)[-1])
    types = [t.object for t in own if t.predicate.value == RDF_TYPE]
    body = [f"<h1>{html.escape(label)}</h1><p><code>{html.escape(resource)}</code></p>",
            "<p>Type: " + (", ".join(_term(t, base_iri) for t in types) or "—") + "</p>",
            "<p>As <a href='?format=ttl'>Turtle</a> · <a href='?format=jsonld'>JSON-LD</a> · "
            "<a href='?format=nt'>N-Triples</a> · <a href='?format=rdf'>RDF/XML</a></p>",
            "<h2>Statements</h2>", _table(own, base_iri, described)]
    for subject in sorted({t.subject.value for t in parts}):
        body += [f"<h2 id='{html.escape(subject.rsplit('#', 1)[-1], quote=True)}'>"
                 f"{html.escape(subject)}</h2>",
                 _table([t for t in parts if t.subject.value == subject], base_iri, {})]
    if detail["incoming"]:
        incoming = sorted(detail["incoming"], key=lambda s: (s["predicate"], s["subject"]))
        body.append("<h2>Referred to by</h2><table>"
                    + "".join(f"<tr><td>{_link(s['subject'], base_iri, s.get('label'))}</td>"
                              f"<td>{_link(s['predicate'], base_iri)}"
                              f"{_evidence(s['evidence'], base_iri)}</td></tr>" for s in incoming)
                    + "</table>")
    return page(label, "".join(body))


# --- /ontology ------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _ontology_bytes(rdf_format: ox.RdfFormat) -> bytes:
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(ONTOLOGY_PATH.read_bytes(), format=ox.RdfFormat.TURTLE)]
    return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)


@router.get(
    "/ontology", summary="The vankien ontology",
    description="The OWL ontology (`vk:`) as Turtle, JSON-LD, N-Triples or RDF/XML by `Accept`, "
                "or a readable page listing every class, property and concept with its labels in "
                "Vietnamese, English and German, definitions and alignments (`/ontology#Directive`).",
    responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}, "text/html": {}}}})
def ontology(request: Request, format: str | None = FORMAT_PARAM):
    chosen = choose(request, LINKED_DATA)
    if chosen is formats.HTML:
        return page("vankien ontology", ontology_html())
    return Response(_ontology_bytes(formats.rdf_format(chosen.name)), media_type=chosen.media_type,
                    headers={"Vary": "Accept"})


ONTOLOGY_SECTIONS = (("Classes", OWL.Class), ("Object properties", OWL.ObjectProperty),
                     ("Datatype properties", OWL.DatatypeProperty),
                     ("Annotation properties", OWL.AnnotationProperty),
                     ("Concept schemes", SKOS.ConceptScheme), ("Concepts", SKOS.Concept))
ONTOLOGY_LINKS = (("subclass of", RDFS.subClassOf), ("subproperty of", RDFS.subPropertyOf),
                  ("equivalent to", OWL.equivalentClass), ("domain", RDFS.domain),
                  ("range", RDFS.range), ("in scheme", SKOS.inScheme), ("broader", SKOS.broader))
LANGUAGES = ("vi", "en", "de")


@lru_cache(maxsize=1)
def ontology_html() -> str:
    """Every vk: term once, under the first section its types put it in, with an anchor."""
    graph, done, body = load_ontology(), set(), ["<h1>vankien ontology</h1>",
        f"<p><code>{html.escape(VK)}</code> · as <a href='?format=ttl'>Turtle</a> · "
        "<a href='?format=jsonld'>JSON-LD</a> · <a href='?format=rdf'>RDF/XML</a></p>"]
    for title, kind in ONTOLOGY_SECTIONS:
        terms = sorted(t for t in graph.subjects(RDF.type, kind)
                       if isinstance(t, URIRef) and t.startswith(VK) and t not in done)
        done.update(terms)
        if terms:
            body.append(f"<h2>{title}</h2>" + "".join(_term_section(graph, t) for t in terms))
    return "".join(body)


def _term_section(graph, term: URIRef) -> str:
    name = html.escape(term[len(VK):], quote=True)
    labels = ""
    for lang in LANGUAGES:
        found = {str(l) for p in (RDFS.label, SKOS.prefLabel) for l in graph.objects(term, p)
                 if getattr(l, "language", None) == lang}
        labels += f"<tr><th>{lang}</th><td lang='{lang}'>{html.escape(' / '.join(sorted(found)) or '—')}</td></tr>"
    links = ""
    for label, predicate in ONTOLOGY_LINKS:
        targets = sorted(o for o in graph.objects(term, predicate) if isinstance(o, URIRef))
        if targets:
            links += f"<tr><th>{label}</th><td>{', '.join(_link(str(o), '') for o in targets)}</td></tr>"
    notes = "".join(f"<p lang='{html.escape(n.language or '', quote=True)}'>{html.escape(str(n))}</p>"
                    for p in (SKOS.definition, RDFS.comment) for n in sorted(graph.objects(term, p)))
    notation = "".join(f" <code>{html.escape(str(n))}</code>" for n in graph.objects(term, SKOS.notation))
    return (f"<section id='{name}'><h3><a href='#{name}'>vk:{name}</a>{notation}</h3>"
            f"<table>{labels}{links}</table>{notes}</section>")
