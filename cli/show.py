"""``vankien show``: a document as its page shows it — a summary, its relations grouped by meaning
(what it implements, what implements it …) each with the quotes it rests on and the source by its
title, then the rest — in one naming style: relations in words, resources by number or label."""

from __future__ import annotations

import re

from vankien.graph import queries
from vankien.graph.labels import pick_label
from vankien.graph.namespaces import PREFIXES, VK, sparql_iri

RDF_TYPE = PREFIXES["rdf"] + "type"
# Fields that serve search and identity, not a reader (docs/data-model.md: document properties).
INTERNAL = {str(VK[name]) for name in ("searchKey", "documentNumber", "typeCode", "issuerCode")} | {
    PREFIXES["eli"] + "id_local", PREFIXES["eli"] + "type_document"}
SUMMARY = (RDF_TYPE, PREFIXES["skos"] + "notation", str(VK.title), str(VK.subjectMatter), str(VK.issuedBy),
           str(VK.issuedInTerm), str(VK.dateIssued), str(VK.applicablePeriod), str(VK.jurisdiction),
           str(VK.numberStatus), str(VK.termStatus))
# Relations to other documents and bodies, by meaning: (heading, predicate, direction).
RELATIONS = (("implements", "implements", "out"), ("implemented by", "implements", "in"),
             ("based on", "basedOn", "out"), ("basis for", "basedOn", "in"),
             ("amends", "amends", "out"), ("amended by", "amends", "in"),
             ("replaces", "replaces", "out"), ("replaced by", "replaces", "in"),
             ("advised by", "advisedBy", "out"), ("sets goal", "setsGoal", "out"),
             ("concerns", "concerns", "out"))
SOURCE_TITLES = """SELECT ?source ?title (lang(?title) AS ?lang) ?language WHERE {
  VALUES ?source { %s } OPTIONAL { ?source dcterms:title ?title } OPTIONAL { ?source dcterms:language ?language } }"""


def words(predicate: str) -> str:
    """``…#issuedInTerm`` → ``issued in term`` (one naming style for every field)."""
    local = predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).replace("_", " ").lower()


def source_titles(store, sources: set[str]) -> dict[str, str]:
    """Each source as a reader names it: its title (English first) and language."""
    if not sources:
        return {}
    found: dict[str, dict] = {}
    for row in queries.rows(store, SOURCE_TITLES % " ".join(sparql_iri(s) for s in sources)):
        entry = found.setdefault(row["source"], {"titles": {}, "language": row.get("language")})
        if row.get("title"):
            entry["titles"].setdefault(row.get("lang", ""), row["title"])
    named = {}
    for source, entry in found.items():
        picked = pick_label(entry["titles"], "en")       # the command line speaks English
        title = picked.text if picked else source.rsplit("/", 1)[-1]
        named[source] = f"{title} ({entry['language']})" if entry["language"] else title
    return named


def render(store, document: str) -> list[str]:
    """The lines of ``vankien show`` for ``document``."""
    detail = queries.describe(store, document)
    statements = [s for s in detail["statements"] if s["predicate"] not in INTERNAL]
    incoming = detail["incoming"]
    cited = sorted({e["source"] for s in statements + incoming for e in s["evidence"]})
    marks = {source: f"[{number}]" for number, source in enumerate(cited, start=1)}   # cited by number
    by_predicate: dict[str, list[dict]] = {}
    for statement in statements:
        by_predicate.setdefault(statement["predicate"], []).append(statement)
    name = lambda s, other: s["label"] or s[other]  # noqa: E731

    notation = next((s["object"] for s in by_predicate.get(PREFIXES["skos"] + "notation", [])), None)
    lines = [f"{notation or document}  <{document}>", "", "summary"]
    for predicate in SUMMARY:
        for statement in by_predicate.pop(predicate, []):
            lines.append(f"  {words(predicate)}: {_short(name(statement, 'object'))}")
            lines += _evidence(statement, marks, indent=6)
    for heading, local, direction in RELATIONS:
        predicate = str(VK[local])
        group = by_predicate.pop(predicate, []) if direction == "out" else \
            [s for s in incoming if s["predicate"] == predicate]
        if not group:
            continue
        lines += ["", heading]
        for statement in group:
            other = "object" if direction == "out" else "subject"
            lines.append(f"  {name(statement, other)}  <{statement[other]}>")
            lines += _evidence(statement, marks, indent=6)
    rest = [s for group in by_predicate.values() for s in group]
    if rest:
        lines += ["", "other statements"]
        for statement in rest:
            lines.append(f"  {words(statement['predicate'])}: {_short(name(statement, 'object'))}")
            lines += _evidence(statement, marks, indent=6)
    others_in = [s for s in incoming if s["predicate"] not in {str(VK[r[1]]) for r in RELATIONS if r[2] == "in"}]
    if others_in:
        lines += ["", "referred to by"]
        for statement in others_in:
            lines.append(f"  {name(statement, 'subject')} ({words(statement['predicate'])})  <{statement['subject']}>")
            lines += _evidence(statement, marks, indent=6)
    return lines + _sources(store, cited, marks)


def render_lineage(store, document: str, found: dict) -> list[str]:
    """The lines of ``vankien lineage``: each hop with every passage of its claims (offsets each),
    the source by number, stated or inferred; then the sources by title."""
    hops = [entry for direction in ("implements", "implemented_by") for entry in found[direction]]
    cited = sorted({ev["source"] for entry in hops for ev in entry["path"][-1]["evidence"]})
    marks = {source: f"[{number}]" for number, source in enumerate(cited, start=1)}
    lines = [f"{found['notation'] or document}  <{document}>"]
    for direction, title in (("implements", "implements"), ("implemented_by", "implemented by")):
        lines.append(f"  {title}:" + ("" if found[direction] else " (nothing the sources state)"))
        for entry in found[direction]:
            lines.append(f"    {'  ' * (entry['depth'] - 1)}{entry['notation'] or entry['document']}  "
                         f"(depth {entry['depth']})  <{entry['document']}>")
            for ev in entry["path"][-1]["evidence"]:
                passages = " + ".join(f"“{q['quote']}” [{q['start']}:{q['end']}]" for q in ev["quotes"])
                how = f" ({ev['how']})" if ev["how"] else ""
                lines.append(f"    {'  ' * entry['depth']}{passages} {marks[ev['source']]}, {ev['evidence'].lower()}{how}")
    return lines + _sources(store, cited, marks)


def _sources(store, cited: list[str], marks: dict[str, str]) -> list[str]:
    """The closing list of the sources cited, by number and title."""
    if not cited:
        return []
    titles = source_titles(store, set(cited))
    return ["", "sources"] + [f"  {marks[source]} {titles.get(source, source)}  <{source}>" for source in cited]


def _evidence(statement: dict, marks: dict[str, str], indent: int) -> list[str]:
    """One line per claim: its quotes, the source's mark, the offsets, stated or inferred (and how)."""
    lines = []
    for item in statement["evidence"]:
        passages = " … ".join(f"“{q['quote']}”" for q in item["quotes"]) or f"“{item['quote']}”"
        how = f" ({item['how']})" if item["how"] else ""
        lines.append(f"{' ' * indent}{passages} {marks[item['source']]} {item['start']}–{item['end']}, "
                     f"{item['evidence'].lower()}{how}")
    return lines


def _short(value: str) -> str:
    """Vocabulary terms by their name in words (``vk:Directive`` → ``directive``), other values as given."""
    if value.startswith(str(VK)):
        return words(value)
    return value
