"""``GET /graph``: the interactive graph view as one HTML page (see :mod:`vankien.graph.viz`).

Query parameters choose what is drawn: ``focus`` (a document's lineage, ``depth`` hops), ``body``
(a body's documents), ``type`` (repeatable node types), ``max_nodes``, or ``construct`` (a SPARQL
CONSTRUCT query, checked by the guard and run by the sandboxed executor; its triples are drawn).
Errors a user can cause answer JSON ``{"error": …}`` with 400 or 404.
"""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from vankien.graph import viz
from vankien.graph.namespaces import RDF_TYPE, local_name
from vankien.graph.netx import to_networkx
from vankien.graph.sparql_guard import QueryRefused

from vankien.api.conneg import html_only
from vankien.api import graph_page as graph_html
from vankien.api.i18n import LANG_PARAM, choose_language, language_switch, translate
from vankien.api.runtime import Runtime, runtime_of
from vankien.api.security import csp_nonce

router = APIRouter(tags=["graph view"])
LABEL_PROPERTIES = ("notation", "prefLabel", "label", "id_local")


@router.get("/graph", response_class=HTMLResponse, summary="Interactive graph view (HTML)",
            dependencies=[Depends(html_only)])
async def graph_page(
    focus: str | None = Query(None, description="a document number (any spelling) or URI"),
    depth: int = Query(2, ge=0, le=20, description="lineage hops from the focus document"),
    type: list[str] | None = Query(None, description="node types to keep (Plan, body, KH …); repeatable"),
    body: str | None = Query(None, description="URI of a party body: its documents"),
    max_nodes: int = Query(500, ge=1, le=5000, description="most nodes drawn"),
    construct: str | None = Query(None, description="a SPARQL CONSTRUCT query whose triples are drawn"),
    lang: str | None = LANG_PARAM,
    *, request: Request, runtime: Runtime = Depends(runtime_of),
):
    # Errors (a refused query, an unknown or ambiguous focus, a time-out) go to the app's handlers:
    # a browser gets the error page in its language.
    chosen = choose_language(request)
    if construct:
        view, message = await run_in_threadpool(_construct_view, runtime, construct, max_nodes, chosen)
        title = translate(graph_html.CONSTRUCT_TITLE, chosen)
    else:
        view, message = await run_in_threadpool(
            viz.select_view, runtime.store, focus=focus, depth=depth, types=type, body=body,
            max_nodes=max_nodes, lang=chosen)
        title = (translate(graph_html.LINEAGE_TITLE, chosen, focus=focus) if focus else
                 translate(graph_html.BODY_TITLE, chosen, body=body) if body else
                 translate(graph_html.GRAPH_TITLE, chosen))
    return HTMLResponse(graph_html.render_html(view, title=title, message=message, lang=chosen,
                                               base_iri=runtime.settings.base_iri,
                                               switch=language_switch(request),
                                               nonce=csp_nonce(request)),
                        headers={"Content-Language": chosen, "Vary": "Accept-Language"})


def _construct_view(runtime: Runtime, sparql: str, max_nodes: int, lang: str) -> tuple[nx.DiGraph, str | None]:
    info = runtime.executor.check(sparql)
    if info.form != "CONSTRUCT":
        raise QueryRefused(f"construct: expected a CONSTRUCT query, got {info.form}")
    result = runtime.executor.execute(sparql, format="ntriples")
    triples = ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES)
    view, message = viz.cap(graph_from_triples(runtime.store, triples), max_nodes)
    if result.truncated:
        message = " ".join(filter(None, [f"The query returned more than {result.row_count} triples; "
                                         "only the first were drawn.", message]))
    viz.attach_details(runtime.store, view, lang)
    return view, message


def graph_from_triples(store, triples) -> nx.DiGraph:
    """Resources as nodes (typed and labelled from the store where it knows them), IRI-to-IRI
    triples as labelled edges; a label literal in the result names its subject."""
    view = nx.DiGraph()
    labels: dict[str, str] = {}
    for triple in triples:
        subject, predicate, obj = triple.subject.value, triple.predicate.value, triple.object
        view.add_node(subject)
        name = local_name(predicate)
        if isinstance(obj, ox.Literal):
            if name in LABEL_PROPERTIES:
                labels.setdefault(subject, obj.value)
        elif predicate != RDF_TYPE:
            view.add_node(obj.value)
            old = view.edges[subject, obj.value]["label"].split(", ") if view.has_edge(subject, obj.value) else []
            view.add_edge(subject, obj.value, label=", ".join(sorted(set(old) | {name})))
    known = to_networkx(store, nodes={n for n in view if n.startswith(("http://", "https://"))})
    for node, data in view.nodes(data=True):
        data.update(known.nodes[node] if node in known else
                    {"iri": node, "kind": "other", "type": "Resource", "titles": "",
                     "label": labels.get(node) or local_name(node)})
    return view
