"""SPARQL protocol answers → pyoxigraph results, whichever engine sent them.

Engines stretch the result formats: Virtuoso names blank nodes ``nodeID://b10000`` (not a blank
node label) and answers ASK with a one-row SELECT of ``?__ASK_RETVAL``; Comunica adds a top-level
``"metadata"`` key. The answer is normalised to the W3C formats first, then parsed by pyoxigraph.
"""

from __future__ import annotations

import hashlib
import json
import re

import pyoxigraph as ox

from vankien.graph.store_interface import QueryResult, StoreError

FORM = re.compile(
    r"^(?:\s|#[^\n]*\n|(?:PREFIX\s+[^\s:]*:\s*<[^>]*>)|(?:BASE\s*<[^>]*>))*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE)
# What to ask for, by query form: graphs as RDF, solutions as results JSON (XML second).
ACCEPT = {
    "graph": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5",
    "solutions": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "unknown": "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8",
}
BNODE_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
XML_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")
ASK_VARIABLE = "__ASK_RETVAL"


def query_form(sparql: str) -> str | None:
    """``SELECT`` | ``ASK`` | ``CONSTRUCT`` | ``DESCRIBE`` from the query's first keyword (None if
    the prologue is unusual: the caller then asks for any format)."""
    match = FORM.match(sparql)
    return match.group(1).upper() if match else None


def accept_for(form: str | None) -> str:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return ACCEPT["graph"]
    return ACCEPT["solutions"] if form else ACCEPT["unknown"]


def bnode_label(engine_id: str) -> str:
    """A valid blank node label for an engine's identifier (stable: the same id, the same label)."""
    if BNODE_LABEL.match(engine_id):
        return engine_id
    return "e" + hashlib.blake2b(engine_id.encode(), digest_size=8).hexdigest()


def is_html(content_type: str, body: bytes) -> bool:
    """An HTML page (a form, a login page), not an empty body labelled text/html (Virtuoso's 201)."""
    head = body[:200].lstrip().lower()
    return bool(head) and ("html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html")))


def parse_http_results(body: bytes, content_type: str, *, ask: bool = False) -> QueryResult:
    """Turn a SPARQL protocol response into pyoxigraph results (``ask``: the query was an ASK)."""
    media_type = content_type.split(";")[0].strip().lower()
    if is_html(media_type, body):
        raise StoreError(f"endpoint answered with an HTML page, not query results: {_snippet(body)}")
    results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    if results_format == ox.QueryResultsFormat.JSON:
        body = _normalise_json(body, ask)
    elif results_format == ox.QueryResultsFormat.XML:
        body = XML_BNODE.sub(lambda m: b"<bnode>" + bnode_label(m.group(1).decode()).encode() + b"</bnode>",
                             body)
    if results_format is not None:
        try:
            results = ox.parse_query_results(body, results_format)
        except SyntaxError as error:
            raise StoreError(f"endpoint answered with malformed {media_type}: {error}") from None
        return _ask_from_select(results) if ask and isinstance(results, ox.QuerySolutions) else results
    rdf = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if rdf is None:
        raise StoreError(f"endpoint answered with unsupported media type {content_type!r}")
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, rdf)]
    except SyntaxError as error:
        raise StoreError(f"endpoint answered with malformed {media_type}: {error}") from None


def _normalise_json(body: bytes, ask: bool) -> bytes:
    """Keep only the W3C keys, make blank node ids valid labels, turn a SELECT-shaped ASK into one."""
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise StoreError(f"endpoint answered with malformed results JSON: {error}") from None
    if not isinstance(answer, dict):
        raise StoreError("endpoint answered with results JSON that is not an object")
    if "boolean" in answer:
        return json.dumps({"head": answer.get("head", {}), "boolean": answer["boolean"]}).encode()
    head = answer.get("head", {})
    bindings = answer.get("results", {}).get("bindings", [])
    if ask and head.get("vars") == [ASK_VARIABLE]:
        value = bindings[0].get(ASK_VARIABLE, {}).get("value") if bindings else "0"
        return json.dumps({"head": {}, "boolean": value in ("1", "true")}).encode()
    for binding in bindings:
        for term in binding.values():
            _normalise_term(term)
    return json.dumps({"head": {"vars": head.get("vars", [])}, "results": {"bindings": bindings}}).encode()


def _normalise_term(term: dict) -> None:
    kind = term.get("type")
    if kind == "bnode":
        term["value"] = bnode_label(term["value"])
    elif kind == "typed-literal":  # SPARQL 1.0 JSON, still sent by Virtuoso
        term["type"] = "literal"
    elif kind == "triple":
        for part in term.get("value", {}).values():
            _normalise_term(part)


def _ask_from_select(results: ox.QuerySolutions) -> QueryResult:
    """Virtuoso's XML answer to ASK: one row, ``?__ASK_RETVAL`` 1 or 0."""
    names = [variable.value for variable in results.variables]
    if names != [ASK_VARIABLE]:
        return results
    row = next(iter(results), None)
    value = row[0].value if row is not None and row[0] is not None else "0"
    answer = b'{"head":{},"boolean":' + (b"true" if value in ("1", "true") else b"false") + b"}"
    return ox.parse_query_results(answer, ox.QueryResultsFormat.JSON)


def _snippet(body: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", body[:2000].decode("utf-8", "replace"))
    return " ".join(text.split())[:200]
