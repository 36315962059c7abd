"""``POST /validate``: check an RDF document against the server's own SHACL shapes.

A thin layer over :func:`vankien.graph.upload.validate_upload`: read the body (size-capped by
``VANKIEN_MAX_UPLOAD_BYTES``), validate off the event loop, answer with the report as JSON or, by
``Accept``, in the SHACL vocabulary (Turtle, JSON-LD, N-Triples, RDF/XML).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from vankien.api.conneg import RESOURCE_ANSWERS, choose
from vankien.api.errors import error
from vankien.api.runtime import Runtime, runtime_of
from vankien.api.sparql import read_body
from vankien.graph import formats
from vankien.graph.shacl_report import report_graph, report_json
from vankien.graph.upload import UPLOAD_FORMATS, validate_upload

router = APIRouter(tags=["Validation"])

EXAMPLE = ("@prefix vk: <https://w3id.org/vankien/ontology#> .\n"
           "<https://example.org/plan/1> a vk:Plan .\n")
BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    offer.media_type: {"schema": {"type": "string"}} for offer in UPLOAD_FORMATS}}}
BODY["requestBody"]["content"]["text/turtle"]["example"] = EXAMPLE


@router.post(
    "/validate", summary="Validate RDF against vankien's SHACL shapes", openapi_extra=BODY,
    description="Send a Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML document (the "
                "`Content-Type` names the format; at most `VANKIEN_MAX_UPLOAD_BYTES`, 5 MB by "
                "default). The answer is the SHACL report against the shapes the server's own graph "
                "is built to: JSON by default (`conforms`, one entry per violation, readable text), "
                "or the `sh:ValidationReport` as Turtle, JSON-LD, N-Triples or RDF/XML by `Accept`. "
                "Parsing is safe: RDF/XML with DOCTYPE/ENTITY declarations and JSON-LD with a "
                "remote or `file:` `@context` are refused (400); nothing is ever fetched.",
    responses={200: {"content": {"application/json": {}, "text/turtle": {}}},
               400: {"description": "the document does not parse (the message names the line)"},
               413: {"description": "the document is too large"},
               415: {"description": "the Content-Type is no RDF format"}})
async def validate(request: Request, runtime: Runtime = Depends(runtime_of)) -> Response:
    chosen = choose(request, RESOURCE_ANSWERS)
    limit = runtime.settings.max_upload_bytes
    body = await read_body(request, limit=limit)
    if body is None:
        return error(413, f"the document is larger than {limit} bytes (VANKIEN_MAX_UPLOAD_BYTES)")
    checked = await run_in_threadpool(validate_upload, body, request.headers.get("content-type"))
    if chosen is formats.ANSWER:
        return JSONResponse({"format": checked.format.name, "triples": checked.triples,
                             **report_json(checked.report)})
    return Response(report_graph(checked.report).serialize(format=chosen.rdflib, encoding="utf-8"),
                    media_type=chosen.media_type, headers={"Vary": "Accept"})
