"""What a page says about one resource, as plain data: a document's summary, relations, figures and
sources; a body's documents; a source's claims; one claim with its quote, context and citation.

Labels come back in every language the graph has (``{lang: [text, …]}``, ``""`` for untagged), so
the reader's language is chosen where the page is drawn, not here. Every statement carries the
evidence behind it (:class:`vankien.graph.queries.Evidence` as dicts).
"""

from __future__ import annotations

from typing import Any

import json
import re
from dataclasses import asdict
from pathlib import Path

from vankien.graph.classes import below_each, classes_above, pairs_of
from vankien.graph.namespaces import RDF_TYPE, VK, local_name
from vankien.graph.lexicon import LEXICON_GRAPH
from vankien.graph.namespaces import sparql_iri, sparql_literal
from vankien.graph.queries import NotFound, claims_of, describe, evidence_rows, rows

SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
# Fields that serve search and identity, not a reader (docs/data-model.md: document properties).
INTERNAL = {str(VK[name]) for name in ("searchKey", "documentNumber", "typeCode", "issuerCode")} | {
    "http://data.europa.eu/eli/ontology#id_local", "http://data.europa.eu/eli/ontology#type_document"}
# A document's relations to other resources, grouped by meaning: (group, predicate, direction).
RELATION_GROUPS = (
    ("implements", "implements", "out"), ("implemented_by", "implements", "in"),
    ("based_on", "basedOn", "out"), ("basis_for", "basedOn", "in"),
    ("amends", "amends", "out"), ("amended_by", "amends", "in"),
    ("replaces", "replaces", "out"), ("replaced_by", "replaces", "in"),
    ("advised_by", "advisedBy", "out"), ("sets_goal", "setsGoal", "out"))
# The summary box, in reading order: (row, predicate).
SUMMARY_ROWS = (("type", RDF_TYPE), ("number", SKOS_NOTATION), ("issuer", str(VK.issuedBy)),
                ("term", str(VK.issuedInTerm)), ("date", str(VK.dateIssued)),
                ("period", str(VK.applicablePeriod)), ("number_status", str(VK.numberStatus)),
                ("term_status", str(VK.termStatus)), ("issuer_status", str(VK.issuerStatus)),
                ("jurisdiction", str(VK.jurisdiction)))
GENERIC_CLASSES = {"PartyDocument", "PartyBody", "Concept"}
CONTEXT_CHARS = 160          # source text shown either side of a quote on a claim page


# --- names --------------------------------------------------------------------------------------------

def names(store, resources) -> dict[str, dict]:
    """For each IRI: ``notation``, ``labels`` (prefLabel/rdfs:label by language), ``titles``
    (title/subject matter by language), ``classes``, and for terms ``ordinal`` and ``of``; for
    periods ``period`` (label or years)."""
    found: dict[str, dict] = {r: {"notation": None, "labels": {}, "titles": {}, "classes": [],
                                  "ordinal": None, "of": None, "period": None, "from_lexicon": []}
                              for r in resources}
    wanted = [r for r in found if "://" in r]
    for start in range(0, len(wanted), 400):
        values = " ".join(sparql_iri(r) for r in wanted[start:start + 400])
        for row in rows(store, f"""SELECT ?r ?p ?v (lang(?v) AS ?lang) WHERE {{ VALUES ?r {{ {values} }}
              VALUES ?p {{ skos:notation skos:prefLabel rdfs:label vk:title vk:subjectMatter dcterms:title rdf:type
                           vk:termOrdinal vk:termOf vk:periodLabel vk:startYear vk:endYear vk:endDate }}
              ?r ?p ?v }}""", ordered=True):
            entry, name, value, lang = found[row["r"]], local_name(row["p"]), row["v"], row.get("lang", "")
            if name == "notation":
                entry["notation"] = entry["notation"] or str(value)
            elif name in ("prefLabel", "label"):
                _add(entry["labels"], lang, str(value))
            elif name in ("title", "subjectMatter"):
                _add(entry["titles"], lang, str(value))
            elif name == "type":
                entry["classes"].append(value)
            elif name == "termOrdinal":
                entry["ordinal"] = value
            elif name == "termOf":
                entry["of"] = value
            else:
                entry.setdefault("period_parts", {})[name] = str(value)
    classes = set()
    _lexicon_names(store, found, wanted)
    for entry in found.values():
        specific = [c for c in entry["classes"] if c.startswith(str(VK)) and local_name(c) not in GENERIC_CLASSES]
        entry["class"] = (specific or [c for c in entry["classes"] if c.startswith(str(VK))] or [None])[0]
        classes |= ({entry["class"], entry["of"]} - {None}) - set(found)
        parts = entry.pop("period_parts", None)
        if parts:
            years = "–".join(parts[k][:4] for k in ("startYear", "endYear") if k in parts)
            entry["period"] = parts.get("periodLabel") or years or parts.get("endDate")
    if classes:                     # the classes' own labels, for "Regulation: Kaderplanung"
        found.update(names(store, classes))
    return found


def _lexicon_names(store, found: dict[str, dict], wanted: list[str]) -> None:
    """Names the lexicon gives a body (its entry's prefLabel per language, via rdfs:seeAlso), for
    the languages the sources do not name it in: the reference vocabulary, not evidence."""
    for start in range(0, len(wanted), 400):
        values = " ".join(sparql_iri(r) for r in wanted[start:start + 400])
        for row in rows(store, f"""SELECT ?r ?l (lang(?l) AS ?lang) WHERE {{ VALUES ?r {{ {values} }}
              ?r rdfs:seeAlso ?entry . ?entry skos:prefLabel ?l
              FILTER(STRSTARTS(STR(?entry), {sparql_literal(LEXICON_GRAPH + "#")})) }}""", ordered=True):
            labels = found[row["r"]]["labels"]
            if not labels.get(row.get("lang", "")):
                labels[row.get("lang", "")] = [row["l"]]
                found[row["r"]]["from_lexicon"].append(row.get("lang", ""))


def _add(table: dict, key: str, value: str) -> None:
    if value not in table.setdefault(key, []):
        table[key].append(value)


def most_specific_class(store, classes: list[str]) -> str | None:
    """The class of ``classes`` no other of them is a subclass of (vk:Plan over vk:PartyDocument)."""
    vk = [c for c in classes if c.startswith(str(VK))]
    if len(vk) <= 1:
        return vk[0] if vk else (classes[0] if classes else None)
    broader = {b for a in vk for b in classes_above(store, a, proper=True) if b != a}
    # (classes on a cycle are all broader than each other: then the first of them)
    return sorted(c for c in vk if c not in broader)[0] if set(vk) - broader else sorted(vk)[0]


PAGE_KINDS = {"PartyDocument": "document", "PartyBody": "body", "Source": "source", "Claim": "claim"}


def kind_of(store, resource: str) -> str:
    """``document``, ``body``, ``source``, ``claim`` or ``other``: which page describes it (the
    first of these its classes are below)."""
    tops = [str(VK[name]) for name in PAGE_KINDS]
    found = {row["top"] for row in rows(store, f"""SELECT DISTINCT ?top WHERE {{
        {pairs_of(below_each(store, tops))} {sparql_iri(resource)} a ?class }}""")}
    return next((PAGE_KINDS[local_name(top)] for top in tops if top in found), "other")


# --- documents ----------------------------------------------------------------------------------------

def document_record(store, resource: str) -> dict:
    """A document's page: summary rows, titles, relations by group, figures, sources (each with
    the evidence behind it) and the names of everything it mentions."""
    detail = describe(store, resource)
    statements = [s for s in detail["statements"] if s["predicate"] not in INTERNAL]
    by_predicate: dict[str, list[dict]] = {}
    for s in statements:
        by_predicate.setdefault(s["predicate"], []).append(s)
    summary = [(row, by_predicate.get(predicate, [])) for row, predicate in SUMMARY_ROWS]
    types = [s["object"] for s in by_predicate.get(RDF_TYPE, [])]
    main_type = most_specific_class(store, types)
    summary[0] = ("type", [s for s in by_predicate.get(RDF_TYPE, []) if s["object"] == main_type])
    relations: list[dict[str, Any]] = []
    for group, name, direction in RELATION_GROUPS:
        predicate = str(VK[name])
        pool = detail["statements"] if direction == "out" else detail["incoming"]
        items = [{"other": s["object"] if direction == "out" else s["subject"], "evidence": s["evidence"]}
                 for s in pool if s["predicate"] == predicate]
        if items:
            relations.append({"group": group, "predicate": predicate, "members": items})
    figures = figures_about(store, resource)
    titles = titles_with_evidence(store, resource, statements)
    mentioned = {resource, main_type or "", *[o["other"] for g in relations for o in g["members"]]}
    mentioned |= {s["object"] for _, found in summary for s in found if isinstance(s["object"], str)}
    evidence = [e for s in detail["statements"] + detail["incoming"] for e in s["evidence"]]
    evidence += [e for f in figures for e in f["evidence"]]
    named = names(store, [m for m in mentioned if m] + [f["measure"] for f in figures]
                  + [f["unit"] for f in figures if f["unit"]] + [f["period"] for f in figures if f["period"]])
    for relation in relations:     # by number, as a reader scans them
        relation["members"].sort(key=lambda m: (named[m["other"]]["notation"] or "~", m["other"]))
    return {"iri": resource, "type": main_type, "summary": summary, "titles": titles,
            "relations": relations, "figures": figures, "sources": sources_of(store, evidence),
            "names": named}


def titles_with_evidence(store, resource: str, statements: list[dict]) -> list[dict]:
    """Titles and subject matter with their language (``describe`` gives plain strings)."""
    evidence = {s["object"]: s["evidence"] for s in statements
                if local_name(s["predicate"]) in ("title", "subjectMatter")}
    found = rows(store, f"""SELECT ?p ?t (lang(?t) AS ?lang) WHERE {{ VALUES ?p {{ vk:title vk:subjectMatter }}
        {sparql_iri(resource)} ?p ?t }} ORDER BY ?p ?lang ?t""")
    return [{"text": r["t"], "lang": r.get("lang", ""), "about": local_name(r["p"]) == "subjectMatter",
             "evidence": evidence.get(r["t"], [])} for r in found]


def figures_about(store, resource: str) -> list[dict]:
    """The observations that report on ``resource`` (vk:concerns) with value, unit, period and the
    quote of their value."""
    found = rows(store, f"""SELECT ?obs ?value ?measure ?unit ?approx ?period WHERE {{
        ?obs vk:concerns {sparql_iri(resource)} ; vk:value ?value ; vk:measure ?measure .
        OPTIONAL {{ ?obs vk:unit ?unit }} OPTIONAL {{ ?obs vk:approximation ?approx }}
        OPTIONAL {{ ?obs vk:refPeriod ?period }} }} ORDER BY ?obs""")
    return [{"iri": row["obs"], "value": row["value"], "measure": row["measure"],
             "unit": row.get("unit"), "approximation": local_name(row["approx"]) if "approx" in row else None,
             "period": row.get("period"), "evidence": value_evidence(store, row["obs"])}
            for row in found]


def value_evidence(store, observation: str) -> list[dict]:
    found = evidence_rows(store, "", sparql_iri(observation), "vk:value", "?o", order_by=("start",))
    return [asdict(item) for _, item in claims_of(found)]


def sources_of(store, evidence: list[dict]) -> list[dict]:
    """The sources ``evidence`` cites, with their titles by language, language and original."""
    sources = sorted({e["source"] for e in evidence})
    if not sources:
        return []
    values = " ".join(sparql_iri(s) for s in sources)
    table: dict[str, dict] = {s: {"iri": s, "titles": {}, "language": None, "original": None,
                                  "claims": sum(1 for e in evidence if e["source"] == s)} for s in sources}
    for row in rows(store, f"""SELECT ?s ?title (lang(?title) AS ?tl) ?language ?original WHERE {{
          VALUES ?s {{ {values} }} OPTIONAL {{ ?s dcterms:title ?title }}
          OPTIONAL {{ ?s dcterms:language ?language }} OPTIONAL {{ ?s vk:translationOf ?original }} }}""",
                    ordered=True):
        entry = table[row["s"]]
        if "title" in row:
            _add(entry["titles"], row.get("tl", ""), row["title"])
        entry["language"] = row.get("language", entry["language"])
        entry["original"] = row.get("original", entry["original"])
    return list(table.values())


# --- bodies -------------------------------------------------------------------------------------------

def body_record(store, resource: str) -> dict:
    """A body's page: its statements (level, part of, jurisdiction), the documents it issued and
    advised, its sub-bodies and terms, each with evidence."""
    detail = describe(store, resource)
    statements = [s for s in detail["statements"] if s["predicate"] not in INTERNAL]
    groups: list[dict[str, Any]] = []
    for group, predicate in (("issued", VK.issuedBy), ("advised", VK.advisedBy), ("parts", VK.partOf),
                             ("terms", VK.termOf)):
        items = [{"other": s["subject"], "evidence": s["evidence"]} for s in detail["incoming"]
                 if s["predicate"] == str(predicate)]
        if items:
            groups.append({"group": group, "predicate": str(predicate), "members": items})
    mentioned = {resource} | {s["object"] for s in statements if isinstance(s["object"], str)}
    mentioned |= {s["predicate"] for s in statements} | {item["other"] for g in groups for item in g["members"]}
    evidence = [e for s in detail["statements"] + detail["incoming"] for e in s["evidence"]]
    return {"iri": resource, "statements": statements, "groups": groups,
            "sources": sources_of(store, evidence), "names": names(store, mentioned)}


# --- sources and claims -------------------------------------------------------------------------------

# What a claim's subject is, for grouping a source's claims: the first of these its classes are below.
SUBJECT_KINDS = ("PartyDocument", "PartyBody", "Observation", "Term", "Goal", "Period", "Place", "Source", "Measure")


def source_record(store, resource: str, sources_dir: Path | None = None) -> dict:
    """A source's page: its description and every claim it backs, as (subject, predicate, object)
    statements with their quotes, grouped by what the subject is."""
    detail = describe(store, resource)
    claims = evidence_rows(store, f"VALUES ?source {{ {sparql_iri(resource)} }}", order_by=("start", "claim"))
    kinds: dict[str, Any] = {}
    subjects = sorted({c["s"] for c in claims})
    if subjects:
        values = " ".join(sparql_iri(s) for s in subjects)
        tops = [str(VK[name]) for name in SUBJECT_KINDS]
        for row in rows(store, f"""SELECT DISTINCT ?s ?top WHERE {{ VALUES ?s {{ {values} }}
              {pairs_of(below_each(store, tops))} ?s a ?class }}"""):
            kinds.setdefault(row["s"], []).append(row["top"])
        kinds = {s: local_name(min(found, key=tops.index)) for s, found in kinds.items()}
    grouped: dict[str, list[dict]] = {}
    claims = [{**row, "evidence": item} for row, item in claims_of(claims)]
    for row in claims:
        item = {"subject": row["s"], "predicate": row["p"], "object": row["o"], **asdict(row["evidence"])}
        grouped.setdefault(kinds.get(row["s"], "other"), []).append(item)
    order = ("PartyDocument", "PartyBody", "Term", "Period", "Goal", "Observation", "Measure",
             "Place", "Source", "other")
    mentioned = {resource} | {s["object"] for s in detail["statements"] if isinstance(s["object"], str)}
    mentioned |= {c["s"] for c in claims} | {c["p"] for c in claims}
    mentioned |= {c["o"] for c in claims if isinstance(c["o"], str) and "://" in c["o"]}
    text_file = next((s["object"] for s in detail["statements"] if s["predicate"] == str(VK.textFile)), None)
    return {"iri": resource, "statements": [s for s in detail["statements"] if s["predicate"] not in INTERNAL],
            "groups": [(kind, grouped[kind]) for kind in order if kind in grouped],
            "claim_count": len(claims), "names": names(store, mentioned),
            "text_available": bool(text_file and sources_dir and (Path(sources_dir) / text_file).is_file())}


def claim_record(store, resource: str, sources_dir: Path | None = None) -> dict:
    """One claim: the statement, its quote in context (when the source text is in ``sources_dir``),
    the source, the evidence kind and a citation."""
    found = evidence_rows(store, f"VALUES ?claim {{ {sparql_iri(resource)} }}", context=True)
    if not found:
        raise NotFound(f"no claim {resource} in the graph")
    row, item = claims_of(found)[0]
    evidence = asdict(item)
    source = sources_of(store, [evidence])[0]
    about = rows(store, f"""SELECT ?publisher ?date ?url WHERE {{ {sparql_iri(row['source'])} (vk:translationOf?) ?x .
        OPTIONAL {{ ?x dcterms:publisher ?publisher }} OPTIONAL {{ ?x dcterms:date ?date }}
        OPTIONAL {{ ?x vk:sourceUrl ?url }} }}""")
    publisher = next((r["publisher"] for r in about if "publisher" in r), None)
    date = next((str(r["date"]) for r in about if "date" in r), None)
    statements = [{"subject": r["s"], "predicate": r["p"], "object": r["o"]} for r in found]
    statements = list({json.dumps(s, sort_keys=True): s for s in statements}.values())
    mentioned = {resource, row["source"]} | {s["subject"] for s in statements} | {s["predicate"] for s in statements}
    mentioned |= {s["object"] for s in statements if isinstance(s["object"], str) and "://" in s["object"]}
    record = {"iri": resource, "statements": statements, "evidence": evidence, "source": source,
              "publisher": publisher, "date": date, "prefix": row.get("prefix"), "suffix": row.get("suffix"),
              "context": quote_context(sources_dir, evidence), "names": names(store, mentioned)}
    return record


def quote_context(sources_dir: Path | None, evidence: dict) -> dict | None:
    """The source text around a quote (``before``, ``quote``, ``after``), or ``None`` when the text
    is not in ``sources_dir`` or no longer matches the quote's offsets."""
    if not sources_dir or not evidence.get("source_file"):
        return None
    path = Path(sources_dir) / evidence["source_file"]
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    start, end = evidence["start"], evidence["end"]
    if text[start:end] != evidence["quote"]:
        return None
    return {"before": text[max(0, start - CONTEXT_CHARS):start], "quote": text[start:end],
            "after": text[end:end + CONTEXT_CHARS], "clipped_start": start > CONTEXT_CHARS,
            "clipped_end": end + CONTEXT_CHARS < len(text)}


# --- citations ----------------------------------------------------------------------------------------

def citation(record: dict, title: str | None, accessed: str) -> dict[str, str]:
    """A claim as a citation: plain text, CSL-JSON and BibTeX, each with the claim's URI."""
    ev, uri = record["evidence"], record["iri"]
    where = ", ".join(filter(None, [record.get("publisher"), record.get("date")]))
    plain = (f"“{ev['quote']}” — {title or ev['source']}" + (f" ({where})" if where else "")
             + f", characters {ev['start']}–{ev['end']}; evidence: {ev['evidence'].lower()}. "
             f"vankien claim {uri} (accessed {accessed}).")
    year = (record.get("date") or "")[:4]
    key = "vankien-" + re.sub(r"[^A-Za-z0-9]+", "-", uri.split("/claim/", 1)[-1]).strip("-")
    csl = {"id": key, "type": "dataset", "title": f"Claim: “{ev['quote']}”",
           "container-title": title or ev["source"], "publisher": record.get("publisher") or "vankien",
           "URL": uri, "accessed": {"date-parts": [[int(p) for p in accessed.split("-")]]},
           "note": f"characters {ev['start']}–{ev['end']} of {ev['source']}; evidence: {ev['evidence']}"
                   + (f" ({ev['how']})" if ev.get("how") else ""),
           **({"language": ev["language"]} if ev.get("language") else {}),
           **({"issued": {"date-parts": [[int(year)]]}} if year.isdigit() else {})}
    fields = {"title": f"Claim: “{ev['quote']}”", "howpublished": f"\\url{{{uri}}}",
              "note": f"In: {title or ev['source']}; characters {ev['start']}--{ev['end']}; "
                      f"evidence: {ev['evidence']}; accessed {accessed}",
              "publisher": record.get("publisher"), "year": year if year.isdigit() else None}
    bibtex = f"@misc{{{key},\n" + ",\n".join(
        f"  {name} = {{{_bibtex_escape(value) if name != 'howpublished' else value}}}"
        for name, value in fields.items() if value) + "\n}"
    # one field a line: readable, and still one valid CSL-JSON array
    csl_text = "[{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                                     for k, v in csl.items()) + "\n}]"
    return {"text": plain, "csl": csl_text, "bibtex": bibtex}


def _bibtex_escape(value: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", value.replace("\\", "\\textbackslash{}"))


# --- the timeline -------------------------------------------------------------------------------------

def timeline(store) -> dict:
    """Documents by the dates and periods the graph has (never guessed): ``dated`` in order of
    their first year, each with what it implements and what followed it (documents implementing
    or based on it); ``undated`` the rest."""
    docs = {r["doc"]: {"iri": r["doc"], "date": None, "start": None, "end": None, "period": None,
                       "implements": [], "followed_by": []}
            for r in rows(store, "SELECT DISTINCT ?doc WHERE { ?doc vk:numberStatus ?s }")}
    for row in rows(store, """SELECT ?doc ?date ?p ?sy ?ey ?ed ?label WHERE { ?doc vk:numberStatus ?s .
          { ?doc vk:dateIssued ?date } UNION { ?doc vk:applicablePeriod ?p OPTIONAL { ?p vk:startYear ?sy }
            OPTIONAL { ?p vk:endYear ?ey } OPTIONAL { ?p vk:endDate ?ed } OPTIONAL { ?p vk:periodLabel ?label } } }"""):
        entry = docs[row["doc"]]
        if "date" in row:
            entry["date"] = str(row["date"])
        for key, name in (("sy", "start"), ("ey", "end")):
            if key in row:
                entry[name] = int(str(row[key])[:4])
        if "ed" in row and entry["end"] is None:
            entry["end"] = int(str(row["ed"])[:4])
        if "p" in row:
            entry["period"] = row["p"]
    for row in rows(store, """SELECT ?a ?p ?b WHERE { VALUES ?p { vk:implements vk:basedOn } ?a ?p ?b .
          ?a vk:numberStatus ?s1 . ?b vk:numberStatus ?s2 }"""):
        docs[row["a"]]["implements"].append(row["b"])
        docs[row["b"]]["followed_by"].append(row["a"])

    def first_year(entry):
        return int(entry["date"][:4]) if entry["date"] else entry["start"] if entry["start"] is not None else entry["end"]
    dated = [e for e in docs.values() if first_year(e) is not None]
    dated.sort(key=lambda e: (first_year(e), e["date"] or "", e["end"] or 0, e["iri"]))
    years: dict[int, list[dict]] = {}
    for entry in dated:
        entry["year"] = first_year(entry)
        years.setdefault(entry["year"], []).append(entry)
    mentioned = set(docs) | {e["period"] for e in docs.values() if e["period"]}
    named = names(store, mentioned)

    def by_number(iri_: str):
        return (named[iri_]["notation"] or "~", iri_)
    for entry in docs.values():
        entry["implements"].sort(key=by_number)
        entry["followed_by"].sort(key=by_number)
    undated = sorted((e for e in docs.values() if first_year(e) is None), key=lambda e: by_number(e["iri"]))
    return {"years": sorted(years.items()), "undated": undated, "names": named}
