"""REST routes over the named competency queries (``vankien.graph.queries``): thin by design.

Answers are JSON; a document or body also comes as RDF when ``Accept`` prefers an RDF type. A
document is named by its URI or its number in any spelling (``09-DA/TU``, ``Nr. 09-ĐA/TU``,
URL-encoded or not). Every problem is a JSON ``{"error": …}`` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from vankien.graph import queries
from vankien.graph.errors import BadInput
from vankien.graph.identifiers import parse_reference
from vankien.graph.namespaces import PREFIXES, looks_like_iri, prefixes_with_ids, sparql_iri
from vankien.graph.namespaces import to_iri as vocabulary_iri

from vankien.api.runtime import Runtime, runtime_of
from vankien.api.conneg import RESOURCE_ANSWERS, JSON_ONLY, choose, json_only
from vankien.graph import formats
from vankien.api.linked_data import rdf_response, resource_triples

router = APIRouter(tags=["Documents and evidence"])
JSON_ANSWER = Depends(json_only)   # routes that answer JSON only refuse any other `format=`


def _examples(**values) -> dict:
    return {name: {"summary": summary, "value": value} for name, (summary, value) in values.items()}


DOCUMENT_EXAMPLES = _examples(
    number=("A number as written", "35-CT/TW"), ascii=("Without diacritics", "09-DA/TU"),
    prose=("With a marker", "Nr. 158-KH/TU"),
    uri=("A URI", "https://w3id.org/vankien/id/doc/tu-dien-bien/nq/04/k14"))
LIMIT = Query(100, ge=1, le=1000, description="At most this many results (1–1000).",
              openapi_examples=_examples(few=("A page of 10", 10)))
OFFSET = Query(0, ge=0, le=1_000_000, description="Skip this many results (for paging).",
               openapi_examples=_examples(start=("First page", 0)))
YEAR = Query(None, ge=1900, le=2100, description="Keep what applies to this calendar year.",
             openapi_examples=_examples(y2024=("2024", 2024)))
TEXT_LIMIT = 300
TERM = Query(None, ge=1, le=100, description="Ordinal of the issuing committee's term.",
             openapi_examples=_examples(k14=("14th term", 14)))
PLACE = Query(None, max_length=TEXT_LIMIT, description="IRI or CURIE of the place whose committee "
              "issued the document (with `term`, picks one among documents sharing a number).",
              openapi_examples=_examples(dien_bien=("Điện Biên", "https://w3id.org/vankien/id/place/dien-bien")))


@contextmanager
def answering(parameter: str | None = None):
    """Name the parameter a bad value came in (the app's handlers answer 400, 300, 404)."""
    try:
        yield
    except BadInput as exc:
        if parameter is None:
            raise
        raise BadInput(f"{parameter}: {exc}", **exc.details) from None


def to_iri(value: str, parameter: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """An absolute IRI from an IRI or a CURIE with a known prefix (``vk:implements``)."""
    value = vocabulary_iri(value, parameter, prefixes)
    with answering(parameter):
        sparql_iri(value)
    return value


def to_minted_iri(runtime: Runtime, value: str, parameter: str) -> str:
    """An IRI of a resource vankien mints (a document, body, place): also as ``vkid:doc/…``."""
    return to_iri(value, parameter, prefixes_with_ids(runtime.settings.base_iri))


def to_resource(runtime: Runtime, value: str, parameter: str, *, place: str | None = None,
                term: int | None = None) -> str:
    """An IRI from an IRI, a CURIE or a document number (resolved in the graph, narrowed by the
    issuer's place and term when given)."""
    if looks_like_iri(value, prefixes_with_ids(runtime.settings.base_iri)):
        return to_minted_iri(runtime, value, parameter)
    place = to_minted_iri(runtime, place, "place") if place else None
    with answering(parameter):
        return queries.resolve_document(runtime.store, value, place=place, term=term)


# --- documents ------------------------------------------------------------------------------------

@router.get("/documents", summary="List or find documents",
            description="Documents filtered by type, issuer, level, term, year and a text search "
                        "that ignores diacritics and case (Vietnamese, English, German). With `id`, "
                        "the one document that number names (as `/documents/{id}`).")
def list_documents(
        request: Request, runtime: Runtime = Depends(runtime_of),
        id: str | None = Query(None, max_length=TEXT_LIMIT, description="A document number in any "
                               "spelling, or a URI: answers with that one document.",
                               openapi_examples=DOCUMENT_EXAMPLES),
        type: str | None = Query(None, max_length=40, description="Class name or type code.",
                                 openapi_examples=_examples(code=("Code", "KH"), cls=("Class", "Directive"))),
        issuer: str | None = Query(None, max_length=TEXT_LIMIT, description="IRI or CURIE of the issuing body.",
                                   openapi_examples=_examples(politburo=(
                                       "Politburo", "https://w3id.org/vankien/id/body/tw/bo-chinh-tri"))),
        level: str | None = Query(None, max_length=40, description="Level of the issuer: central, "
                                  "provincial, district, commune or grassroots.",
                                  openapi_examples=_examples(province=("Provincial", "provincial"))),
        term: int | None = TERM, place: str | None = PLACE,
        number: str | None = Query(None, max_length=TEXT_LIMIT, description="A document number in "
                                   "any spelling: every document carrying it.",
                                   openapi_examples=_examples(ascii=("Without diacritics", "09-DA/TU"))),
        year: int | None = YEAR,
        q: str | None = Query(None, max_length=TEXT_LIMIT, description="Text to find in numbers, "
                              "titles, subjects and type names; diacritics and case are ignored.",
                              openapi_examples=_examples(vi=("Vietnamese", "nghi quyet"),
                                                         de=("German", "Richtlinie"))),
        limit: int = LIMIT, offset: int = OFFSET):
    if id is not None:
        return get_document(request, to_resource(runtime, id, "id", place=place, term=term), runtime)
    choose(request, JSON_ONLY, fallback=True)
    issuer = to_minted_iri(runtime, issuer, "issuer") if issuer else None
    place = to_minted_iri(runtime, place, "place") if place else None
    for parameter, value, check in (("type", type, queries.document_class),
                                    ("level", level, queries.level_concept),
                                    ("number", number, parse_reference), ("q", q, queries.search_key)):
        if value:
            with answering(parameter):
                check(value)
    with answering():
        found = queries.documents(runtime.store, type=type, issuer=issuer, level=level, term=term,
                                  year=year, text=q, number=number, place=place, limit=limit,
                                  offset=offset)
    return {"count": len(found), "limit": limit, "offset": offset, "documents": found}


def _lineage(runtime: Runtime, document: str, direction: str) -> dict:
    with answering("id"):
        found = queries.lineage(runtime.store, document)
    return {"document": document, "notation": found["notation"], direction: found[direction]}


ID_PATH = Path(description="A document number in any spelling (`09-DA/TU`, `09-ĐA/TU`, URL-encoded "
                           "`09-DA%2FTU`) or a document URI.", openapi_examples=DOCUMENT_EXAMPLES)


def named_document(id: str = ID_PATH, term: int | None = TERM, place: str | None = PLACE,
                   runtime: Runtime = Depends(runtime_of)) -> str:
    """The IRI of the document a route's `{id}` names, narrowed by `term` and `place`."""
    return to_resource(runtime, id, "id", place=place, term=term)


@router.get("/documents/{id:path}/implements", summary="What a document implements (transitively)",
            description="Every document this one implements, directly or through others, each with "
                        "its shortest path and the quote behind every hop.",
            dependencies=[JSON_ANSWER])
def implements(document: str = Depends(named_document), runtime: Runtime = Depends(runtime_of)):
    return _lineage(runtime, document, "implements")


@router.get("/documents/{id:path}/implemented-by", summary="What implements a document (transitively)",
            description="Every document that implements this one, directly or through others, each "
                        "with its shortest path and the quote behind every hop.",
            dependencies=[JSON_ANSWER])
def implemented_by(document: str = Depends(named_document), runtime: Runtime = Depends(runtime_of)):
    return _lineage(runtime, document, "implemented_by")


@router.get("/documents/{id:path}", summary="One document",
            description="The document a number (any spelling) or URI names: summary, every statement "
                        "and the evidence behind it. RDF by `Accept`. An ambiguous number (numbers "
                        "restart each term) answers 300 with the candidates; `term` and `place` pick one.",
            responses={300: {"description": "Several documents carry this number"},
                       400: {"description": "Malformed number"}, 404: {"description": "Unknown"}})
def get_document(request: Request, document: str = Depends(named_document),
                 runtime: Runtime = Depends(runtime_of)):
    chosen = choose(request, RESOURCE_ANSWERS, fallback=True)
    if chosen is not formats.ANSWER:
        return rdf_response(chosen, resource_triples(runtime.store, document))
    with answering("id"):
        return queries.document(runtime.store, document)


@router.get("/lineage", summary="How one document leads to another",
            description="The shortest chain of `vk:implements` from `from` to `to`, with the quote "
                        "behind every hop; 404 when there is none.",
            dependencies=[JSON_ANSWER])
def lineage(runtime: Runtime = Depends(runtime_of),
            from_: str = Query(..., alias="from", max_length=TEXT_LIMIT, description="The implementing "
                               "document (number or URI).", openapi_examples=_examples(
                                   plan=("Plan 158-KH/TU", "158-KH/TU"))),
            to: str = Query(..., max_length=TEXT_LIMIT, description="The implemented document.",
                            openapi_examples=_examples(directive=("Directive 35-CT/TW", "35-CT/TW")))):
    start, goal = to_resource(runtime, from_, "from"), to_resource(runtime, to, "to")
    with answering("from"):
        found = queries.lineage(runtime.store, start)
    paths = [entry["path"] for entry in found["implements"] if entry["document"] == goal]
    if not paths:
        raise HTTPException(404, f"no chain of vk:implements leads from {from_} to {to}")
    return {"from": start, "to": goal, "paths": paths}


# --- bodies, goals, figures, evidence, sources ----------------------------------------------------

@router.get("/bodies", summary="Party bodies", description="Every party body with class, level and "
            "the body it belongs to; `q` finds bodies by any of their names (the sources' and the "
            "lexicon's, in Vietnamese, English or German, with or without diacritics).",
            dependencies=[JSON_ANSWER])
def bodies(runtime: Runtime = Depends(runtime_of),
           q: str | None = Query(None, max_length=TEXT_LIMIT, description="Part of a body's name.",
                                 openapi_examples=_examples(vi=("Vietnamese", "Bộ Chính trị"),
                                                            en=("English", "Politburo")))):
    with answering("q"):
        return {"bodies": queries.bodies(runtime.store, text=q)}


@router.get("/bodies/{id:path}", summary="What a body issued and advised",
            description="A body by URI or by the path after `/id/body/` (`dien-bien/ban-to-chuc-tinh-uy`)"
                        ": the documents it issued and those it advised. RDF by `Accept`.")
def body(request: Request, runtime: Runtime = Depends(runtime_of),
         id: str = Path(description="Body URI, or the path after /id/body/.", openapi_examples=_examples(
             board=("Organisation board", "dien-bien/ban-to-chuc-tinh-uy"),
             politburo=("Politburo", "https://w3id.org/vankien/id/body/tw/bo-chinh-tri")))):
    base_iri = runtime.settings.base_iri
    iri = id if "://" in id else base_iri + "body/" + id.strip("/").removeprefix("id/").removeprefix("body/")
    iri = to_iri(iri, "id")
    with answering("id"):
        found = queries.body_activity(runtime.store, iri)
    chosen = choose(request, RESOURCE_ANSWERS, fallback=True)
    if chosen is not formats.ANSWER:
        return rdf_response(chosen, resource_triples(runtime.store, iri))
    return found


@router.get("/goals", summary="Goals set by documents",
            dependencies=[JSON_ANSWER])
def goals(runtime: Runtime = Depends(runtime_of)):
    return {"goals": queries.goals(runtime.store)}


@router.get("/observations", summary="Reported figures",
            description="Figures the sources report, with unit, period, area and approximation.",
            dependencies=[JSON_ANSWER])
def observations(runtime: Runtime = Depends(runtime_of),
                 measure: str | None = Query(None, max_length=TEXT_LIMIT, description="Measure IRI or a "
                                             "word of its label.", openapi_examples=_examples(
                                                 admitted=("Members admitted", "admitted"))),
                 area: str | None = Query(None, max_length=TEXT_LIMIT, description="Place IRI or slug.",
                                          openapi_examples=_examples(dien_bien=("Điện Biên", "dien-bien"))),
                 year: int | None = YEAR, limit: int = LIMIT, offset: int = OFFSET):
    measure = to_iri(measure, "measure") if measure and "://" in measure else measure
    area = to_iri(area, "area") if area and "://" in area else area
    for parameter, value in (("measure", measure), ("area", area)):
        if value and "://" not in value:
            with answering(parameter):
                queries.search_key(value)
    with answering():
        found = queries.observations(runtime.store, measure=measure, area=area, year=year,
                                     limit=limit, offset=offset)
    return {"count": len(found), "observations": found}


TRIPLE_PART = "IRI or CURIE (`vk:implements`); subject and object also take a document number."


@router.get("/provenance", summary="The evidence behind statements",
            description="Quotes, character offsets and sources of every claim matching the pattern; "
                        "give at least one of subject, predicate, object.",
            dependencies=[JSON_ANSWER])
def provenance(runtime: Runtime = Depends(runtime_of),
               subject: str | None = Query(None, max_length=TEXT_LIMIT, description=TRIPLE_PART,
                                           openapi_examples=_examples(plan=("Plan 158-KH/TU", "158-KH/TU"))),
               predicate: str | None = Query(None, max_length=TEXT_LIMIT, description=TRIPLE_PART,
                                             openapi_examples=_examples(implements=("implements", "vk:implements"))),
               object: str | None = Query(None, max_length=TEXT_LIMIT, description=TRIPLE_PART,
                                          openapi_examples=_examples(directive=("35-CT/TW", "35-CT/TW"))),
               limit: int = LIMIT, offset: int = OFFSET):
    if not (subject or predicate or object):
        raise HTTPException(400, "subject, predicate, object: give at least one")
    pattern = {"subject": subject and to_resource(runtime, subject, "subject"),
               "predicate": predicate and to_iri(predicate, "predicate"),
               "obj": object and to_resource(runtime, object, "object")}
    with answering():
        found = queries.provenance(runtime.store, **pattern)
    return {"count": len(found), "evidence": found[offset:offset + limit]}


@router.get("/sources", summary="The sources behind the graph",
            description="Every source text, its language, original and number of claims.",
            dependencies=[JSON_ANSWER])
def sources(runtime: Runtime = Depends(runtime_of)):
    return {"sources": queries.sources(runtime.store)}
