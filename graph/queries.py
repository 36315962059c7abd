"""Named competency queries: the questions researchers ask, used alike by the CLI, the API and the
visualisation. Each function takes a store (``vankien.graph.store``: every backend answers with
pyoxigraph terms) and returns plain Python data, ready for JSON.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from string import Template
from typing import Any

import pyoxigraph as ox

from vankien.graph import errors
from vankien.graph.classes import classes_below, values_of
from vankien.graph.errors import BadInput, NotFound
from vankien.graph.store import solution_rows
from vankien.graph.identifiers import IdentifierError, document_class_of, fold, loose_notation, parse_reference
from vankien.graph.namespaces import (RDF_TYPE, VK, expand_curie, local_name, prefixes_with_ids, sparql_iri,
                                     sparql_literal, sparql_prefixes)

PREFIXES = sparql_prefixes()
DOCUMENT_TYPES = ("Directive", "Resolution", "Project", "Plan", "Guidance", "Regulation", "Decision",
                  "Conclusion", "OfficialLetter", "Notice", "Report", "Programme")


AMBIGUOUS_LISTED = 10  # candidates named in the message (a national corpus may have thousands)


class Ambiguous(errors.Ambiguous):
    """A document number names several documents (numbers restart with each term)."""

    def __init__(self, text: str, candidates: list[dict]):
        listed = "; ".join(f"{c['notation']} <{c['iri']}>" for c in candidates[:AMBIGUOUS_LISTED])
        more = len(candidates) - AMBIGUOUS_LISTED
        super().__init__(f"'{text}' names {len(candidates)} documents (numbers restart with each "
                         f"term); give the URI of one, or the issuer's term and place: {listed}"
                         + (f" … and {more} more" if more > 0 else ""), candidates=candidates)
        self.text, self.candidates = text, candidates


# --- terms and rows -----------------------------------------------------------------------------------

def python_value(term):
    """A pyoxigraph term as a JSON-ready value: IRIs and strings as str, numbers as int/float."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = local_name(term.datatype.value)
        if datatype in ("integer", "int", "long", "nonNegativeInteger"):
            return int(term.value)
        if datatype in ("decimal", "double", "float"):
            number = float(term.value)
            return int(number) if number.is_integer() else number
        return term.value
    return term.value


def rows(store, sparql: str, ordered: bool = False) -> list[dict]:
    """Run a SELECT and return its solutions as dicts of python values (unbound variables absent);
    ``ordered``: sorted by their values, for answers built from the first of several rows, which
    would otherwise follow the store's row order (it differs between engines)."""
    # Our own queries never carry FROM: saying so spares the store parsing each one to find out.
    found = solution_rows(store.query(PREFIXES + sparql, union_default_graph=True), python_value)
    return sorted(found, key=_row_key) if ordered else found


def _row_key(row: dict) -> list[tuple[str, str, str]]:
    return sorted((name, type(value).__name__, str(value)) for name, value in row.items())


def comparable(answer):
    """A query answer with every list sorted, so answers from different engines or stores (which
    may return rows in another order) compare equal when they hold the same data."""
    if isinstance(answer, dict):
        return {key: comparable(item) for key, item in answer.items()}
    if isinstance(answer, list):
        return sorted((comparable(item) for item in answer), key=lambda x: json.dumps(x, sort_keys=True))
    return answer


# --- documents ----------------------------------------------------------------------------------------

# A document summary is read in one pass over the document's own statements (one row per value):
# with one OPTIONAL join per field, Oxigraph took twice as long for one document (0.78 ms at 100k
# documents, bench/RESULTS.md). Field name of each property, as the summary calls it:
SUMMARY_FIELDS = {"rdf:type": "class", "skos:notation": "notation", "vk:issuedInTerm": "term",
                  "vk:termStatus": "term_status", "vk:numberStatus": "number_status",
                  "vk:issuedBy": "issuers", "vk:title": "titles", "vk:subjectMatter": "subjects"}
_FIELD_OF = {expand_curie(curie): name for curie, name in SUMMARY_FIELDS.items()}
# The properties compared as strings: with FILTER(?property IN (rdf:type, …)), Virtuoso 7.2 drives
# the plan from the list (a scan of every rdf:type): a lookup by number took 6.1 s at 10k documents,
# 80 ms so (UNION of one pattern per property: 135 ms; VALUES ?property: 6.6 s). The memory store
# pays 0.258 ms instead of 0.243 for number + place + term (UNION 0.290; VALUES 190): p50s of
# find_documents_by_number on the 10k synthetic corpus, Virtuoso reading its 201 graphs listed, at
# machine load ≈ 3 on 2 cores (bench/run.py --targets-only --sizes 10000: 0.25 ms before, 0.26 after).
DOCUMENT_SUMMARY = f"""
  ?doc ?property ?value . FILTER(STR(?property) IN ({", ".join(sparql_literal(iri) for iri in _FIELD_OF)}))
  OPTIONAL {{ ?value vk:termOrdinal ?termOrdinal }}
"""
DOCUMENTS_ONLY = "?doc vk:numberStatus ?anyStatus ."  # every document has a number status


def _summaries(store, where: str, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Summaries of the documents ``where`` binds to ``?doc``, ordered by number then IRI; with
    ``limit``, one page of documents. A document is one with a number status and a class below
    vk:PartyDocument."""
    if limit:
        # The page first, then its summaries: joined in one query, Oxigraph would evaluate the
        # summary of every document before the page is cut.
        page = rows(store, f"""
SELECT ?doc (MIN(STR(?n)) AS ?key) WHERE {{ {where} {DOCUMENTS_ONLY} OPTIONAL {{ ?doc skos:notation ?n }} }}
GROUP BY ?doc ORDER BY ?key ?doc LIMIT {int(limit)} OFFSET {int(offset)}""")
        if not page:
            return []
        where = f"VALUES ?doc {{ {' '.join(sparql_iri(row['doc']) for row in page)} }}"
    where = where or DOCUMENTS_ONLY
    # The filter comes first: Oxigraph joins in the order written, so the summary's patterns are
    # only evaluated for the documents found.
    found = rows(store, f"SELECT ?doc ?property ?value ?termOrdinal WHERE {{ {where} {DOCUMENT_SUMMARY} }}")
    # The document classes, asked apart (vankien.graph.classes): in the summary, as OPTIONAL
    # { ?value rdfs:subClassOf+ … }, Virtuoso 7.2 bound the path for the first row of each class only.
    document_classes = set(classes_below(store, VK.PartyDocument, proper=True))
    fields: dict[str, dict[str, list]] = {}
    for row in found:
        name, value = _FIELD_OF[row["property"]], row["value"]
        if name == "class" and value not in document_classes:
            continue  # another type of the document (e.g. vk:PartyDocument itself)
        values = fields.setdefault(row["doc"], {}).setdefault(name, [])
        if value not in values:
            values.append(value)
        if name == "term" and "termOrdinal" in row:
            fields[row["doc"]].setdefault("term_ordinal", []).append(row["termOrdinal"])
    summaries = [_summary(doc, found_fields) for doc, found_fields in fields.items()
                 if "class" in found_fields and "number_status" in found_fields]
    # The order of the page query (by smallest number, then IRI; code point order in both).
    return sorted(summaries, key=lambda doc: (min(fields[doc["iri"]].get("notation", [""])), doc["iri"]))


def _summary(doc: str, fields: dict[str, list]) -> dict:
    def first(name: str):
        return fields[name][0] if name in fields else None
    return {"iri": doc, "type": local_name(first("class")), "notation": first("notation"),
            "term": first("term"), "term_ordinal": first("term_ordinal"),
            "term_status": local_name(first("term_status") or "") or None,
            "number_status": local_name(first("number_status")),
            "issuers": fields.get("issuers", []), "titles": fields.get("titles", []),
            "subjects": fields.get("subjects", [])}


def resolve_document(store, text: str, *, place: str | None = None, term: int | None = None,
                     prefixes: Mapping[str, str] | None = None) -> str:
    """The IRI of the one document that ``text`` names: an IRI or CURIE, or a number in any
    spelling, narrowed by the issuer's ``place`` (IRI) and ``term`` ordinal when numbers repeat."""
    prefixes = prefixes or prefixes_with_ids()    # documents also as vkid:doc/… (the default base IRI)
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):    # an IRI as SPARQL and `vankien show` write it
        text = text[1:-1].strip()
    text = expand_curie(text, prefixes) or text
    place = place and (expand_curie(place.strip(), prefixes) or place)
    if text.startswith(("http://", "https://")):
        if not rows(store, f"SELECT ?c WHERE {{ {sparql_iri(text)} a ?c }} LIMIT 1"):
            raise NotFound(f"no resource {text} in the graph")
        return text
    try:
        notation = parse_reference(text).notation
    except IdentifierError as problem:
        loose = loose_notation(text)      # "35 CT TW", "35/CT-TW": the marks people leave out
        if loose is None:
            raise IdentifierError(f"{problem}{did_you_mean(store, text)}") from None
        notation = loose
    candidates = find_documents_by_number(store, notation, place=place, term=term)
    if not candidates:
        narrowed = "".join(f" {name} {value}" for name, value in (("in", place), ("of term", term)) if value)
        raise NotFound(f"no document numbered {notation}{narrowed} in the graph"
                       + ("" if narrowed else did_you_mean(store, text)))
    if len(candidates) > 1:
        raise Ambiguous(text, candidates)
    return candidates[0]["iri"]


SUGGESTIONS = 3            # numbers offered for one that names nothing
SUGGESTION_SCORE = 75      # rapidfuzz ratio (0–100) of the typed and the offered number, folded


def did_you_mean(store, text: str) -> str:
    """"; did you mean 35-CT/TW?" — the graph's numbers closest to ``text`` (case, marks and
    diacritics ignored), or "" when none is close."""
    from rapidfuzz import fuzz, process

    def key(value: str) -> str:
        return fold(value).replace("-", "")
    numbers = {key(row["n"]): row["n"] for row in rows(store, "SELECT DISTINCT ?n WHERE { ?d eli:id_local ?n }")}
    close = [numbers[match] for match, _score, _index in process.extract(
        key(text), list(numbers), scorer=fuzz.ratio, limit=SUGGESTIONS, score_cutoff=SUGGESTION_SCORE)]
    typed = re.findall(r"\d+", text)
    if not close and len(typed) == 1:   # a number without its codes ("Chỉ thị 35", "158"): who carries it
        close = sorted(n for n in numbers.values() if n.split("-", 1)[0].lstrip("0") == typed[0].lstrip("0"))
    return f"; did you mean {', '.join(close[:SUGGESTIONS])}?" if close else ""


def document(store, resource: str) -> dict:
    """One document: its summary (as in ``documents``) with every statement and its evidence."""
    summary = _summaries(store, f"VALUES ?doc {{ {sparql_iri(resource)} }}")
    if not summary:
        raise NotFound(f"{resource} is not a document in the graph")
    detail = describe(store, resource)
    return {**summary[0], "statements": detail["statements"], "incoming": detail["incoming"]}


def find_documents_by_number(store, text: str, *, place: str | None = None,
                             term: int | None = None) -> list[dict]:
    """Every document whose number is ``text`` (any spelling: 09-DA/TU, Nr. 09-ĐA/TU …); with the
    issuer's ``place`` (IRI) and ``term`` ordinal, the identity of one document."""
    return _summaries(store, document_filter(number=text, place=place, term=term))


def documents(store, *, type: str | None = None, issuer: str | None = None, level: str | None = None,
              term: int | None = None, year: int | None = None, text: str | None = None,
              number: str | None = None, place: str | None = None,
              limit: int = 100, offset: int = 0) -> list[dict]:
    """Documents filtered by type (class name or code), issuer IRI, level, term ordinal, year, text,
    number (any spelling) and the place (IRI) whose committee issued them."""
    return _summaries(store, document_filter(type=type, issuer=issuer, level=level, term=term,
                                             year=year, text=text, number=number, place=place),
                      limit, offset)


def document_filter(*, number: str | None = None, place: str | None = None, term: int | None = None,
                    type: str | None = None, issuer: str | None = None, level: str | None = None,
                    year: int | None = None, text: str | None = None) -> str:
    """The graph pattern binding ``?doc`` to what passes every given filter (``_summaries`` keeps
    the documents among them; no filter: empty).

    Oxigraph joins the patterns in the order written, so the most selective come first: a place
    holds a few thousand documents while a number repeats in every term and place, and a term
    ordinal is shared by every committee (0.2 ms instead of 5–50 ms at 100k documents)."""
    where = []
    if place:
        where.append(f"?doc vk:jurisdiction {sparql_iri(place)} .")
    if issuer:
        where.append(f"?doc vk:issuedBy {sparql_iri(issuer)} .")
    if number:
        reference = parse_reference(number)  # raises IdentifierError with a clear message
        where.append(f"?doc eli:id_local {sparql_literal(reference.notation)} .")
    if text:
        where.append(f"?doc vk:searchKey ?key FILTER(CONTAINS(?key, {sparql_literal(search_key(text))}))")
    if type:
        where.append(f"?doc a vk:{document_class(type)} .")
    if level:
        where.append(f"?doc vk:issuedBy/vk:level vk:{level_concept(level)} .")
    if term is not None:  # two patterns, not a path: 15 % faster in Oxigraph
        where.append(f"?doc vk:issuedInTerm ?filterTerm . ?filterTerm vk:termOrdinal {int(term)} .")
    if year is not None:
        where.append(f"?doc vk:applicablePeriod ?p . ?p vk:startYear ?sy ; vk:endYear ?ey "
                     f"FILTER(xsd:integer(str(?sy)) <= {int(year)} && {int(year)} <= xsd:integer(str(?ey)))")
    return "\n".join(where)


def search_key(text: str) -> str:
    """What a text search looks for: ``text`` with case, diacritics and marks folded away. A text of
    marks only ("%", "*") folds to nothing, which every value contains: refused, not "match all"."""
    key = fold(text)
    if not key:
        raise BadInput(f"{text!r} has no letter or digit to search for (case, diacritics and marks "
                       "are ignored)")
    return key


def document_class(name: str) -> str:
    """The ``vk:`` class of a class name in any case (``directive``) or a type code (``CT``)."""
    by_name = {known.lower(): known for known in DOCUMENT_TYPES}
    if name.strip().lower() in by_name:
        return by_name[name.strip().lower()]
    try:
        return document_class_of(name)
    except IdentifierError:
        raise BadInput(f"unknown document type '{name}'; use one of {', '.join(DOCUMENT_TYPES)} "
                         "or a code such as NQ, CT, KH") from None


LEVELS = ("Central", "Provincial", "District", "Commune", "Grassroots")


def level_concept(name: str) -> str:
    """``provincial``, ``ProvincialLevel`` or the concept IRI → ``ProvincialLevel``."""
    word = name.rsplit("#", 1)[-1].strip().lower().removesuffix("level").strip(" -_")
    for level in LEVELS:
        if word == level.lower():
            return f"{level}Level"
    raise BadInput(f"unknown level '{name}'; use one of {', '.join(level.lower() for level in LEVELS)}")


LABEL_PREFERENCE = ("", "en", "de", "vi")   # a notation first, then English, German, Vietnamese


def _best_labels(found: list[dict], node_key: str) -> dict[tuple, str]:
    """One label per (predicate, node): the most preferred language among the candidates."""
    best: dict[tuple, tuple[int, str]] = {}
    for row in found:
        if "label" not in row:
            continue
        lang = row.get("lang", "")
        rank = LABEL_PREFERENCE.index(lang) if lang in LABEL_PREFERENCE else 9
        if row["p"] == RDF_TYPE and not lang:
            rank = 8          # a class is better named by its label than by its code (vk:Plan, not KH)
        key = (row["p"], row[node_key])
        if key not in best or rank < best[key][0]:
            best[key] = (rank, row["label"])
    return {key: label for key, (_, label) in best.items()}


def describe(store, resource: str) -> dict:
    """Every statement about a resource, outgoing and incoming, each with its label and evidence."""
    def label_of(node: str) -> str:
        return f"OPTIONAL {{ ?{node} skos:notation|skos:prefLabel|rdfs:label ?label BIND(lang(?label) AS ?lang) }}"
    out = rows(store, f"SELECT ?p ?o ?label ?lang WHERE {{ {sparql_iri(resource)} ?p ?o . {label_of('o')} }}", ordered=True)
    incoming = rows(store, f"""SELECT ?s ?p ?label ?lang WHERE {{ ?s ?p {sparql_iri(resource)} .
      FILTER(?p NOT IN (rdf:subject, rdf:object)) {label_of('s')} }}""", ordered=True)
    if not out and not incoming:
        raise NotFound(f"no resource {resource} in the graph")
    evidence = {(e["subject"], e["predicate"], e["object"]): e["items"] for e in _evidence_rows(store, resource)}
    out_labels, in_labels = _best_labels(out, "o"), _best_labels(incoming, "s")

    def statement(s, p, o, label):
        return {"subject": s, "predicate": p, "object": o, "label": label,
                "evidence": [asdict(x) for x in evidence.get((s, p, o), [])]}
    return {
        "iri": resource,
        "statements": [statement(resource, p, o, out_labels.get((p, o)))
                       for p, o in dict.fromkeys((r["p"], r["o"]) for r in out)],
        "incoming": [statement(s, p, resource, in_labels.get((p, s)))
                     for p, s in dict.fromkeys((r["p"], r["s"]) for r in incoming)],
    }


# --- evidence -----------------------------------------------------------------------------------------

@dataclass
class Passage:
    quote: str
    start: int
    end: int


@dataclass
class Evidence:
    """One claim behind a statement: ``quote``/``start``/``end`` is its first passage, ``quotes``
    every passage it rests on, in reading order (the cue of a relation and the naming of the
    documents, say)."""
    quote: str
    start: int
    end: int
    source: str
    source_file: str | None
    source_url: str | None
    language: str | None
    evidence: str                 # "Stated" | "Inferred"
    how: str | None
    claim: str
    quotes: list[Passage] = field(default_factory=list)


def evidence_rows(store, where: str = "", s: str = "?s", p: str = "?p", o: str = "?o",
                  order_by: tuple[str, ...] = (), context: bool = False) -> list[dict]:
    """The claims about (s, p, o) that match ``where``, with quote, offsets and source: a row per
    passage (a claim resting on several has several), with the variables of ``where`` and claim,
    source, kind, quote, exact, start, end, how, file, lang, url0, url1 (``context``: also the
    passage's prefix and suffix), sorted by the ``order_by`` variables.

    Two small queries joined here, not one pattern: Virtuoso compiles each new query text, and the
    whole pattern cost it 1.1-1.6 s per text (each document gives other VALUES) against 0.1 s for
    the two parts."""
    claims = rows(store, f"SELECT * WHERE {{ {where} {_CLAIM_TEMPLATE.substitute(subject=s, predicate=p, object=o)} }}")
    passages: dict[str, list[dict]] = {}
    quotes = sorted({row["quote"] for row in claims})
    for first in range(0, len(quotes), QUOTES_PER_QUERY):
        values = " ".join(sparql_iri(q) for q in quotes[first:first + QUOTES_PER_QUERY])
        for row in rows(store, f"""SELECT ?quote ?exact ?start ?end ?prefix ?suffix WHERE {{
              VALUES ?quote {{ {values} }} {_PASSAGE_PATTERN if context else _PASSAGE_PATTERN_BARE} }}"""):
            passages.setdefault(row.pop("quote"), []).append(row)
    # An inner join, as the single pattern was: a quote without both selectors gives no row.
    found = [{**claim, **passage} for claim in claims for passage in passages.get(claim["quote"], [])]
    if order_by:
        found.sort(key=lambda row: tuple(row[name] for name in order_by))
    return found


QUOTES_PER_QUERY = 500  # IRIs in one VALUES: a bounded query text whatever the number of claims

_CLAIM_TEMPLATE = Template("""
  ?claim a vk:Claim ; rdf:subject $subject ; rdf:predicate $predicate ; rdf:object $object ;
         prov:wasDerivedFrom ?source ; vk:evidenceKind ?kind ; vk:quotation ?quote .
  OPTIONAL { ?claim vk:inference ?how }
  OPTIONAL { ?source vk:textFile ?file }
  OPTIONAL { ?source dcterms:language ?lang }
  OPTIONAL { ?source vk:sourceUrl ?url0 }
  OPTIONAL { ?source vk:translationOf/vk:sourceUrl ?url1 }
""")
_PASSAGE_PATTERN_BARE = """?quote oa:hasSelector ?textSel, ?posSel .
  ?textSel a oa:TextQuoteSelector ; oa:exact ?exact .
  ?posSel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ."""
_PASSAGE_PATTERN = (_PASSAGE_PATTERN_BARE
                    + " OPTIONAL { ?textSel oa:prefix ?prefix } OPTIONAL { ?textSel oa:suffix ?suffix }")


def evidence_from(row: dict) -> Evidence:
    """The evidence of one row of ``evidence_rows`` (one passage of one claim)."""
    return Evidence(quote=row["exact"], start=row["start"], end=row["end"], source=row["source"],
                    source_file=row.get("file"), source_url=row.get("url0") or row.get("url1"),
                    language=row.get("lang"), evidence=local_name(row["kind"]),
                    how=row.get("how"), claim=row["claim"],
                    quotes=[Passage(row["exact"], row["start"], row["end"])])


def claims_of(found: list[dict]) -> list[tuple[dict, Evidence]]:
    """``evidence_rows`` grouped by claim (a claim with several quotes gives a row per passage):
    the first row of each claim with its evidence, all passages in reading order, first passage first."""
    grouped: dict[str, tuple[dict, Evidence]] = {}
    for row in found:
        if row["claim"] not in grouped:
            grouped[row["claim"]] = (row, evidence_from(row))
            continue
        item = grouped[row["claim"]][1]
        passage = Passage(row["exact"], row["start"], row["end"])
        if passage not in item.quotes:
            item.quotes.append(passage)
    for _, item in grouped.values():
        item.quotes.sort(key=lambda p: (p.start, p.end))
        item.quote, item.start, item.end = item.quotes[0].quote, item.quotes[0].start, item.quotes[0].end
    return list(grouped.values())


def _evidence_rows(store, resource: str) -> list[dict]:
    # VALUES, not {BIND(x AS ?s)} UNION {BIND(x AS ?o)}: the same rows, and Virtuoso 7.2 finds none
    # with the UNION.
    found = sorted(evidence_rows(store, f"VALUES (?s ?o) {{ ({sparql_iri(resource)} UNDEF) "
                                        f"(UNDEF {sparql_iri(resource)}) }}"), key=_row_key)
    grouped: dict[tuple, dict] = {}
    for row, item in claims_of(found):
        key = (row["s"], row["p"], row["o"])
        grouped.setdefault(key, {"subject": key[0], "predicate": key[1], "object": key[2], "items": []})
        grouped[key]["items"].append(item)
    return list(grouped.values())


def provenance(store, subject: str | None = None, predicate: str | None = None,
               obj: str | None = None) -> list[dict]:
    """The quotes, offsets and sources behind every statement matching the (s, p, o) pattern."""
    # Given terms go into the pattern itself: as FILTERs they were tested after matching every claim.
    given = {"s": subject, "p": predicate, "o": obj}
    s, p, o = (sparql_iri(value) if value else f"?{var}" for var, value in given.items())
    found = evidence_rows(store, "", s, p, o, order_by=("source", "start"))
    return [{"subject": r.get("s", subject), "predicate": r.get("p", predicate), "object": r.get("o", obj),
             **asdict(item)} for r, item in claims_of(found)]


# --- lineage ------------------------------------------------------------------------------------------

@dataclass
class Hop:
    source_doc: str          # the document that implements …
    target_doc: str          # … this one
    evidence: list[Evidence] = field(default_factory=list)


def _implements_edges(store, start: str, upstream: bool) -> dict[tuple[str, str], list[Evidence]]:
    """All vk:implements edges reachable from ``start`` (upstream: what it implements)."""
    reach = (f"{sparql_iri(start)} vk:implements* ?s . ?s vk:implements ?o ." if upstream
             else f"?o vk:implements* {sparql_iri(start)} . ?s vk:implements ?o .")
    found = rows(store, f"SELECT DISTINCT ?s ?o WHERE {{ {reach} }}")
    edges: dict[tuple[str, str], list[Evidence]] = {(row["s"], row["o"]): [] for row in found}
    if not edges:
        return edges
    # The evidence of exactly these edges, in a second query joined on VALUES: as an OPTIONAL of the
    # first, Oxigraph evaluated the evidence pattern over every claim of the graph (linear in size).
    values = " ".join(f"({sparql_iri(s)} {sparql_iri(o)})" for s, o in edges)
    found = evidence_rows(store, f"VALUES (?s ?o) {{ {values} }}", "?s", "vk:implements", "?o",
                          order_by=("s", "o", "source", "start", "claim"))
    for row, item in claims_of(found):
        edges[(row["s"], row["o"])].append(item)
    return edges


def lineage(store, document: str, max_depth: int = 20) -> dict:
    """What a document implements and what implements it, transitively, with the quote of each hop."""
    labels: dict[str, None] = {}
    result: dict[str, Any] = {"document": document}
    for direction, upstream in (("implements", True), ("implemented_by", False)):
        edges = _implements_edges(store, document, upstream)
        adjacency: dict[str, list[str]] = {}
        for (a, b) in edges:
            adjacency.setdefault(a if upstream else b, []).append(b if upstream else a)
        result[direction] = _walk(document, adjacency, edges, upstream, max_depth)
        labels.update({n: None for pair in edges for n in pair})
    notations = _notations(store, [document, *labels])
    result["notation"] = notations.get(document)
    for direction in ("implements", "implemented_by"):
        for entry in result[direction]:
            entry["notation"] = notations.get(entry["document"])
            for hop in entry["path"]:
                hop["from_notation"] = notations.get(hop["from"])
                hop["to_notation"] = notations.get(hop["to"])
    return result


def _walk(start: str, adjacency: dict, edges: dict, upstream: bool, max_depth: int) -> list[dict]:
    """Breadth-first: each reachable document once, with the shortest path of hops to it."""
    found: list[dict] = []
    queue: deque[tuple[str, list]] = deque([(start, [])])
    seen = {start}
    while queue:
        node, path = queue.popleft()
        if len(path) >= max_depth:
            continue
        for nxt in sorted(adjacency.get(node, [])):
            if nxt in seen:
                continue
            seen.add(nxt)
            pair = (node, nxt) if upstream else (nxt, node)
            hop = {"from": pair[0], "to": pair[1], "evidence": [asdict(e) for e in edges[pair]]}
            found.append({"document": nxt, "depth": len(path) + 1, "path": path + [hop]})
            queue.append((nxt, path + [hop]))
    return found


def _notations(store, iris: list[str]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(sparql_iri(x) for x in set(iris))
    found = rows(store, f"SELECT ?d ?n WHERE {{ VALUES ?d {{ {values} }} ?d skos:notation|skos:prefLabel ?n }}")
    notations: dict[str, str] = {}
    for row in found:
        notations.setdefault(row["d"], row["n"])
    return notations


def implementations(store) -> list[dict]:
    """Every (implementing document, implemented document) pair, as the source states it."""
    return rows(store, """SELECT ?doc ?docNotation ?implements ?implementsNotation WHERE {
      ?doc vk:implements ?implements .
      OPTIONAL { ?doc skos:notation ?docNotation } OPTIONAL { ?implements skos:notation ?implementsNotation }
    } ORDER BY ?docNotation""")


# --- bodies, goals, figures, sources ------------------------------------------------------------------

def bodies(store, text: str | None = None) -> list[dict]:
    """Party bodies; ``text`` keeps those one of whose names (the sources' or the lexicon's, in any
    language, with or without diacritics) contains it, ignoring case."""
    named = ""
    if text:
        named = (f"FILTER EXISTS {{ ?body skos:prefLabel|skos:altLabel|skos:hiddenLabel|rdfs:label ?name "
                 f"FILTER(CONTAINS(LCASE(STR(?name)), LCASE({sparql_literal(' '.join(text.split()))}))) }}")
    return rows(store, f"""SELECT ?body ?class ?label ?level ?partOf WHERE {{
      {values_of(classes_below(store, VK.PartyBody, proper=True))} ?body a ?class .
      {named}
      OPTIONAL {{ ?body skos:prefLabel ?label FILTER(lang(?label) = "en") }}
      OPTIONAL {{ ?body vk:level ?level }} OPTIONAL {{ ?body vk:partOf ?partOf }}
    }} ORDER BY ?label ?body""")


def body_activity(store, body: str) -> dict:
    """What a body issued and what it advised others to issue."""
    if not rows(store, f"SELECT ?class WHERE {{ {values_of(classes_below(store, VK.PartyBody))} "
                       f"{sparql_iri(body)} a ?class }} LIMIT 1"):
        raise NotFound(f"no party body {body} in the graph")
    issued = _summaries(store, f"?doc vk:issuedBy {sparql_iri(body)} .")
    advised = _summaries(store, f"?doc vk:advisedBy {sparql_iri(body)} .")
    return {"body": body, "issued": issued, "advised": advised}


def goals(store) -> list[dict]:
    return rows(store, """SELECT ?goal ?label ?document ?documentNotation ?dueYear ?status WHERE {
      ?goal a vk:Goal .
      OPTIONAL { ?goal skos:prefLabel|rdfs:label ?label }
      OPTIONAL { ?document vk:setsGoal ?goal OPTIONAL { ?document skos:notation ?documentNotation } }
      OPTIONAL { ?goal vk:dueYear ?dueYear } OPTIONAL { ?goal vk:goalStatus ?status }
    } ORDER BY ?goal""")


def observations(store, *, measure: str | None = None, area: str | None = None,
                 year: int | None = None, limit: int = 500, offset: int = 0) -> list[dict]:
    """Reported figures; ``year`` keeps those whose period touches that year."""
    filters = []
    if measure:
        filters.append(f"FILTER(?measure = {sparql_iri(measure)})" if "://" in measure else
                       f"FILTER(CONTAINS(lcase(str(?measureLabel)), {sparql_literal(measure.lower())}) || "
                       f"CONTAINS(str(?measure), {sparql_literal(search_key(measure))}))")
    if area:
        filters.append(f"FILTER(?area = {sparql_iri(area)})" if "://" in area
                       else f"FILTER(CONTAINS(str(?area), {sparql_literal(search_key(area))}))")
    if year is not None:
        filters.append(f"""FILTER(
          (BOUND(?endDate) && YEAR(?endDate) = {int(year)}) ||
          (BOUND(?startYear) && BOUND(?endYear) && xsd:integer(str(?startYear)) <= {int(year)}
             && {int(year)} <= xsd:integer(str(?endYear))) ||
          (!BOUND(?endDate) && !BOUND(?endYear) && BOUND(?reportYear) && ?reportYear = {int(year)}))""")
    return rows(store, f"""SELECT ?obs ?measure ?measureLabel ?value ?unit ?approximation ?area ?period
        ?periodLabel ?level ?source WHERE {{
      ?obs a vk:Observation ; vk:value ?value ; vk:measure ?measure .
      OPTIONAL {{ ?measure skos:prefLabel ?measureLabel FILTER(lang(?measureLabel) = "en") }}
      OPTIONAL {{ ?obs vk:unit ?unit }} OPTIONAL {{ ?obs vk:approximation ?approximation }}
      OPTIONAL {{ ?obs vk:refArea ?area }} OPTIONAL {{ ?obs vk:level ?level }}
      OPTIONAL {{ ?obs vk:refPeriod ?period .
        OPTIONAL {{ ?period vk:periodLabel ?periodLabel }} OPTIONAL {{ ?period vk:endDate ?endDate }}
        OPTIONAL {{ ?period vk:startYear ?startYear }} OPTIONAL {{ ?period vk:endYear ?endYear }} }}
      OPTIONAL {{ ?obs vk:reportedIn ?source .
        OPTIONAL {{ ?source (vk:translationOf?)/dcterms:date ?reportDate BIND(xsd:integer(substr(str(?reportDate), 1, 4)) AS ?reportYear) }} }}
      {" ".join(filters)}
    }} ORDER BY ?measureLabel ?obs LIMIT {int(limit)} OFFSET {int(offset)}""")


def sources(store) -> list[dict]:
    return rows(store, """SELECT ?source ?file ?language ?url ?original ?title ?claims WHERE {
      { SELECT ?source (COUNT(?claim) AS ?claims) WHERE { ?source a vk:Source .
          OPTIONAL { ?claim prov:wasDerivedFrom ?source } } GROUP BY ?source }
      OPTIONAL { ?source vk:textFile ?file } OPTIONAL { ?source dcterms:language ?language }
      OPTIONAL { ?source vk:sourceUrl ?url } OPTIONAL { ?source vk:translationOf ?original }
      OPTIONAL { ?source dcterms:title ?title FILTER(lang(?title) = "en") }
    } ORDER BY ?source""")


def unresolved(store) -> list[dict]:
    """Documents whose term the sources do not tell: the same number may name several documents."""
    return _summaries(store, "?doc vk:termStatus vk:TermUnknown ; vk:numberStatus vk:Numbered .")

