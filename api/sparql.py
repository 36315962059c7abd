"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint, a thin layer over the guard and executor.

Every query passes :func:`vankien.graph.sparql_guard.check_query` before any store sees it (no
SERVICE, no foreign FROM, no update, size limits), then runs in the executor's worker processes
with a hard time limit and a row cap. This module only reads requests, negotiates the format and
turns the executor's outcome into HTTP. Without a query, ``GET /sparql`` describes the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from fastapi.openapi.models import Example
from fastapi.responses import RedirectResponse, Response
from rdflib import BNode, Dataset, Graph, Literal, Namespace, RDF, URIRef
from rdflib.namespace import DCTERMS
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL

from vankien.graph.sparql_guard import UPDATE_REFUSED, QueryRefused

from vankien.api.errors import error
from vankien.api.security import TRIED_FIRST, secured_headers
from vankien.api.runtime import Runtime, runtime_of
from vankien.api.conneg import choose
from vankien.graph import formats
from vankien.graph.errors import UserError

router = APIRouter(tags=["SPARQL"])
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

# The service description's own formats: any graph format, or the query page for browsers.
DESCRIPTION_FORMATS = (*formats.GRAPHS, formats.HTML)

QUERY_EXAMPLES: dict[str, Example] = {
    "select": {"summary": "Plans and the directives they implement", "value":
               "PREFIX vk: <https://w3id.org/vankien/ontology#>\n"
               "SELECT ?plan ?directive WHERE { ?plan a vk:Plan ; vk:implements ?directive }"},
    "ask": {"summary": "Is there any claim?",
            "value": "ASK { ?c a <https://w3id.org/vankien/ontology#Claim> }"},
    "construct": {"summary": "The implements edges as a graph", "value":
                  "PREFIX vk: <https://w3id.org/vankien/ontology#>\n"
                  "CONSTRUCT { ?a vk:implements ?b } WHERE { ?a vk:implements ?b }"},
}
GRAPH_EXAMPLES: dict[str, Example] = {"source graph": {"summary": "The graph of the Điện Biên 2024 article",
                                   "value": "https://w3id.org/vankien/id/graph/bdbp-218887-de"}}
FORMAT_EXAMPLES: dict[str, Example] = {name: {"summary": summary, "value": name} for name, summary in (
    ("json", "SPARQL results JSON (SELECT/ASK) or JSON-LD (CONSTRUCT/DESCRIBE)"),
    ("csv", "CSV (SELECT/ASK)"), ("turtle", "Turtle (CONSTRUCT/DESCRIBE)"))}

QUERY_PARAM = Query(None, description="The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE). "
                    "Without it the endpoint answers with its service description.",
                    openapi_examples=QUERY_EXAMPLES)
DEFAULT_GRAPHS = Query([], alias="default-graph-uri", openapi_examples=GRAPH_EXAMPLES,
                       description="A named graph to use as (part of) the default graph; repeatable. "
                                   "Without it the default graph is the union of all graphs; a graph "
                                   "the store does not hold is empty (never fetched).")
NAMED_GRAPHS = Query([], alias="named-graph-uri", openapi_examples=GRAPH_EXAMPLES,
                     description="A named graph visible to GRAPH patterns; repeatable (one the "
                                 "store does not hold is empty, never fetched).")
FORMAT_PARAM = Query(None, openapi_examples=FORMAT_EXAMPLES,
                     description="Response format, overriding the Accept header where it fits the "
                                 "query form: json, xml, csv, tsv (results); turtle, ntriples, jsonld, "
                                 "rdfxml, trig, nquads, n3 (graphs; json and xml mean JSON-LD and "
                                 "RDF/XML here); or a media type. `output` and `results` are read "
                                 "the same way (as SPARQLWrapper sends them); a value that does not "
                                 "fit the query form is passed over and the Accept header decides.")
UPDATE_PARAM = Query(None, include_in_schema=False)

ENDPOINT_DESCRIPTION = """Read-only SPARQL 1.1 Protocol endpoint over the union of all graphs.
Results: SPARQL JSON (default), XML, CSV, TSV; graphs: Turtle (default), N-Triples, JSON-LD, RDF/XML,
TriG, N-Quads, N3 — chosen by the `format`/`output`/`results` parameters where they fit the query
form, else by the `Accept` header (`text/plain`: CSV or N-Triples; 406 only when nothing fits).

Refused with 400: syntax errors (with line and column), SPARQL Update (403 for update requests),
SERVICE, FROM/FROM NAMED naming a non-local graph, over-deep nesting; over-long queries get 413.
Nothing is ever fetched: a `default-graph-uri` / `named-graph-uri` naming a graph the store does not
hold is an empty graph. Relative IRIs in the query resolve against the endpoint's URL. Queries stop at the time limit (503, JSON error naming it). Results longer than
the row cap are cut and marked with the headers `Vankien-Truncated: true` and `Vankien-Max-Rows`."""


@router.get("/sparql", summary="SPARQL query (GET) or service description",
            description=ENDPOINT_DESCRIPTION + "\n\nWithout `query`: the SPARQL 1.1 Service "
            "Description in Turtle (or the negotiated RDF format); browsers go to the query page.",
            responses={200: {"content": {"application/sparql-results+json": {}, "text/turtle": {}}},
                       400: {"description": "refused or malformed query"},
                       406: {"description": "no acceptable format"},
                       503: {"description": "time limit reached"}})
async def sparql_get(request: Request, query: str | None = QUERY_PARAM,
                     default_graph_uri: list[str] = DEFAULT_GRAPHS,
                     named_graph_uri: list[str] = NAMED_GRAPHS,
                     format: str | None = FORMAT_PARAM, update: str | None = UPDATE_PARAM,
                     runtime: Runtime = Depends(runtime_of)) -> Response:
    if update is not None:
        return error(403, UPDATE_REFUSED)
    if query is None:
        return service_description(request, runtime, format)
    if len(request.query_params.getlist("query")) > 1:
        return error(400, "the request has more than one 'query' parameter; send exactly one")
    return await answer(runtime, request, query, default_graph_uri, named_graph_uri,
                        format_values(request.query_params.multi_items()))


POST_BODY = {"requestBody": {"required": True, "content": {
    FORM_TYPE: {"schema": {"type": "object", "required": ["query"], "properties": {
        "query": {"type": "string"},
        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}}}},
        "examples": {k: {"summary": v["summary"], "value": {"query": v["value"]}}
                     for k, v in QUERY_EXAMPLES.items()}},
    QUERY_TYPE: {"schema": {"type": "string"}, "examples": QUERY_EXAMPLES}}}}


@router.post("/sparql", summary="SPARQL query (POST)", openapi_extra=POST_BODY,
             description=ENDPOINT_DESCRIPTION + "\n\nBody: `application/x-www-form-urlencoded` "
             "(`query=…`) or `application/sparql-query` (the query itself; graph parameters then go "
             "in the URL). `application/sparql-update` is refused (403).",
             responses={413: {"description": "request body too long"},
                        415: {"description": "unsupported body media type"}})
async def sparql_post(request: Request, default_graph_uri: list[str] = DEFAULT_GRAPHS,
                      named_graph_uri: list[str] = NAMED_GRAPHS,
                      format: str | None = FORMAT_PARAM,
                      runtime: Runtime = Depends(runtime_of)) -> Response:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == UPDATE_TYPE or "update" in request.query_params:
        return error(403, UPDATE_REFUSED)
    if media_type not in (FORM_TYPE, QUERY_TYPE):
        return error(415, f"POST /sparql needs a {FORM_TYPE} or {QUERY_TYPE} body, "
                          f"not {media_type or 'no Content-Type'}")
    settings = runtime.settings
    body = await read_body(request, limit=settings.max_encoded_query_bytes)
    if body is None:
        return error(413, f"request body too long; queries are limited to "
                          f"{settings.max_query_length} characters")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as problem:
        return error(400, f"request body is not UTF-8: {problem}")
    in_url = format_values(request.query_params.multi_items())
    if media_type == QUERY_TYPE:
        return await answer(runtime, request, text, default_graph_uri, named_graph_uri, in_url)
    fields = parse_qsl(text, keep_blank_values=True)
    names = [name for name, _ in fields]
    if "update" in names:
        return error(403, UPDATE_REFUSED)
    if names.count("query") != 1:
        return error(400, "the form needs exactly one 'query' field")
    query = dict(fields)["query"]
    default_graphs = default_graph_uri + [v for n, v in fields if n == "default-graph-uri"]
    named_graphs = named_graph_uri + [v for n, v in fields if n == "named-graph-uri"]
    return await answer(runtime, request, query, default_graphs, named_graphs,
                        in_url + format_values(fields))


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is longer than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


# Parameters SPARQL clients name the answer's format with (SPARQLWrapper sends all three).
FORMAT_FIELDS = ("format", "output", "results")


def format_values(fields) -> list[str]:
    """The ``format`` / ``output`` / ``results`` values of (name, value) pairs, in order."""
    return [value for name, value in fields if name in FORMAT_FIELDS]


async def answer(runtime: Runtime, request: Request, query: str, default_graphs: list[str],
                 named_graphs: list[str], format_hints: list[str]) -> Response:
    """Check the query, pick the format, run it off the event loop and wrap the outcome.

    ``format_hints`` win over ``Accept`` where they fit the query form, else ``Accept`` decides
    (:func:`vankien.graph.formats.negotiate`): a 406 only when nothing acceptable exists."""
    executor = runtime.executor
    # The guard's verdict first (remembered, so execute does not parse again): the form decides
    # which formats fit. What is remembered is answered on the loop, the rest in a thread (a
    # worker may take up to the time limit). Refusals, time-outs and failures go to the app's
    # error handlers.
    info = executor.check_if_known(query) or await run_in_threadpool(executor.check, query)
    chosen = formats.negotiate(formats.for_form(info.form), None, request.headers.get("accept"),
                               suggested=format_hints)
    run = {"format": chosen.name, "max_rows": runtime.settings.max_rows,
           "default_graph": default_graphs or None, "named_graphs": named_graphs or None,
           "base_iri": str(request.url.replace(query=""))}
    result = (executor.answer_if_known(query, **run)
              or await run_in_threadpool(partial(executor.execute, query, **run)))
    return result_response(result, runtime.settings.max_rows)


def result_response(result, max_rows: int) -> Response:
    """The HTTP answer for an executed query (truncation marked in headers)."""
    headers = {"Vary": "Accept"}
    if result.truncated:
        headers["Vankien-Truncated"] = "true"
        headers["Vankien-Max-Rows"] = str(max_rows)
    return Response(result.body, media_type=result.media_type, headers=headers)


# ---- remembered answers, before the framework ---------------------------------------------------

GET_FIELDS = frozenset({"query", "default-graph-uri", "named-graph-uri", *FORMAT_FIELDS})


# Requests whose ready answer is kept (per data generation; the oldest dropped first), and the
# longest query string + Accept header one is kept for (bounds the memory they take).
READY_ANSWERS = 2048
READY_REQUEST_BYTES = 4096


@dataclass(frozen=True)
class ReadyAnswer:
    status: int
    headers: list[tuple[bytes, bytes]]  # as the route sends them
    served_headers: list[tuple[bytes, bytes]]  # with what SecurityMiddleware adds (never HTML)
    body: bytes


class ReadyAnswers:
    """The answers :func:`remembered_answer` gave, ready to send, kept by the request's raw query
    string, first ``Accept`` and ``Host`` headers, scheme, server and root path (all it reads), so
    the same request again is one dictionary lookup — until the data is reloaded (the executor's
    generation changes) or the runtime is replaced. Used on the event loop only."""

    def __init__(self) -> None:
        self._ready: dict[tuple, ReadyAnswer] = {}
        self._ready_for: tuple | None = None  # (executor, generation) the kept answers come from

    def answer(self, scope) -> ReadyAnswer | None:
        runtime = getattr(scope["app"].state, "runtime", None)
        if runtime is None:
            return None
        executor = runtime.executor
        if self._ready_for is None or self._ready_for[0] is not executor or self._ready_for[1] != executor.generation:
            self._ready, self._ready_for = {}, (executor, executor.generation)
        key = _request_key(scope)
        ready = self._ready.get(key)
        if ready is None:
            response = remembered_answer(scope)
            if response is None:
                return None
            headers = response.raw_headers
            ready = ReadyAnswer(response.status_code, headers, secured_headers(headers), bytes(response.body))
            if len(key[0]) + len(key[1] or b"") <= READY_REQUEST_BYTES:
                if len(self._ready) >= READY_ANSWERS:
                    del self._ready[next(iter(self._ready))]
                self._ready[key] = ready
        return ready


def _request_key(scope) -> tuple:
    accept = host = None
    for name, value in scope["headers"]:
        if name == b"accept" and accept is None:
            accept = value
        elif name == b"host" and host is None:
            host = value
    server = scope.get("server")  # a list in some clients' scopes
    return (scope["query_string"], accept, host, scope["scheme"], server and tuple(server),
            scope.get("root_path", ""))


def _is_remembered_get(scope) -> bool:
    return scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/sparql"


async def _send_ready(send, status: int, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RememberedAnswers:
    """ASGI middleware: a ``GET /sparql`` whose answer the executor remembers (same text, dataset,
    format and base; data not reloaded since) is answered here, with the route's negotiation and
    headers, without the framework's routing and parameter handling — for cheap repeated queries
    that is most of the time spent. Anything else, including every error, goes to the app."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if _is_remembered_get(scope) and TRIED_FIRST not in scope:
            ready = scope["app"].state.ready_answers.answer(scope)
            if ready is not None:
                await _send_ready(send, ready.status, ready.headers, ready.body)
                return
        await self.app(scope, receive, send)


class AnswerFirst:
    """What uvicorn serves: ``app``, with a ``GET /sparql`` whose answer is ready sent before any
    of the framework's middleware (:class:`ReadyAnswers`, with the headers SecurityMiddleware
    adds). A request CORS answers differently (an ``Origin`` while CORS is on) goes through it."""

    def __init__(self, app) -> None:
        self.app, self.state = app, app.state
        self._cors = bool(app.state.settings.cors_origins)

    async def __call__(self, scope, receive, send) -> None:
        if (_is_remembered_get(scope) and TRIED_FIRST not in scope
                and not (self._cors and any(n == b"origin" for n, _ in scope["headers"]))):
            scope["app"], scope[TRIED_FIRST] = self.app, True
            ready = self.state.ready_answers.answer(scope)
            if ready is not None:
                await _send_ready(send, ready.status, ready.served_headers, ready.body)
                return
        await self.app(scope, receive, send)

    def answer_early(self, path: bytes, query_string: bytes, headers: list, scheme: str, server,
                     root_path: str) -> ReadyAnswer | None:
        """The ready answer of a ``GET`` with this raw path, query string and headers (the HTTP
        protocol writes it without an ASGI request: ``api.security.HeaderTimeoutProtocol``)."""
        if path != b"/sparql":
            return None
        scope = {"type": "http", "method": "GET", "path": "/sparql", "query_string": query_string,
                 "headers": headers, "scheme": scheme, "server": server, "root_path": root_path,
                 "app": self.app}
        return self.state.ready_answers.answer(scope)


def remembered_answer(scope) -> Response | None:
    """The answer :func:`answer` would give, when it is remembered; None otherwise (never blocks)."""
    runtime = getattr(scope["app"].state, "runtime", None)
    fields = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    names = [name for name, _ in fields]
    if runtime is None or names.count("query") != 1 or not GET_FIELDS.issuperset(names):
        return None
    query = next(value for name, value in fields if name == "query")
    accept = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"accept"), None)
    try:
        info = runtime.executor.check_if_known(query)
        if info is None:
            return None
        chosen = formats.negotiate(formats.for_form(info.form), None, accept, suggested=format_values(fields))
        result = runtime.executor.answer_if_known(
            query, format=chosen.name, max_rows=runtime.settings.max_rows,
            default_graph=[v for n, v in fields if n == "default-graph-uri"] or None,
            named_graphs=[v for n, v in fields if n == "named-graph-uri"] or None,
            base_iri=str(URL(scope=scope).replace(query="")))
    except (QueryRefused, UserError):
        return None  # the app answers with the error
    return None if result is None else result_response(result, runtime.settings.max_rows)


def service_description(request: Request, runtime: Runtime, format: str | None) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint (HTML clients go to the query page)."""
    chosen = choose(request, DESCRIPTION_FORMATS, format=format)
    if chosen is formats.HTML:
        return RedirectResponse("/query", status_code=303)
    graph = describe_service(str(request.url.replace(query="")), named_graphs_of(runtime),
                             runtime.settings)
    if chosen.holds_datasets:     # dataset formats: the description is the default graph
        dataset = Dataset()
        for triple in graph:
            dataset.add(triple)
        graph = dataset
    return Response(graph.serialize(format=chosen.rdflib, encoding="utf-8"),
                    media_type=chosen.media_type, headers={"Vary": "Accept"})


def named_graphs_of(runtime: Runtime) -> list[str]:
    graphs = runtime.executor.local_graphs()
    return sorted(graphs) if graphs is not None else runtime.store.named_graphs()


def describe_service(endpoint: str, named_graphs: list[str], settings) -> Graph:
    """sd:Service for ``endpoint``: language, result formats, limits and the default dataset."""
    graph = Graph(bind_namespaces="core")
    graph.bind("sd", SD)
    graph.bind("formats", W3C_FORMATS)
    graph.bind("dcterms", DCTERMS)
    service, dataset, default_graph = BNode(), BNode(), BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for answer_format in formats.FORMATS:
        if answer_format.forms and answer_format.w3c:
            graph.add((service, SD.resultFormat, W3C_FORMATS[answer_format.w3c]))
    graph.add((service, DCTERMS.description, Literal(
        f"Read-only vankien endpoint: queries stop after {settings.query_timeout_s:g} s, results "
        f"are cut at {settings.max_rows} rows (header Vankien-Truncated), SERVICE and non-local "
        "FROM are refused.", lang="en")))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, DCTERMS.description, Literal(
        "The union of all named graphs", lang="en")))
    for iri in named_graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
    return graph
