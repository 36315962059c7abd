"""Compare a claims file with gold answers: documents by notation, relations as (subject, predicate,
object) with documents by notation and bodies by their slug, figures as (value, unit,
approximation). Used by bench/ingest_eval.py and the ingest tests (on accepted claims only, when
asked)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from vankien.graph.identifiers import parse_reference

SUBJECTS = ("vk:subjectMatter", "vk:title")
RELATIONS = ("vk:implements", "vk:basedOn", "vk:amends", "vk:replaces", "vk:advisedBy", "vk:issuedBy")


@dataclass
class Found:
    documents: set
    relations: set
    figures: set
    subjects: set = field(default_factory=set)     # (notation, "vk:subjectMatter" | "vk:title", text)


def summarise(claims_file: dict, *, accepted_only: bool = False) -> Found:
    entities = claims_file["entities"]
    documents: set = set()
    relations: set = set()
    subjects: set = set()
    figures: dict = {}

    def name(key: str) -> str:
        spec = entities.get(key, {})
        if "document" in spec:
            return parse_reference(spec["document"]).notation
        return spec.get("slug", key)

    for claim in claims_file["claims"]:
        if accepted_only and claim.get("review", "accepted") != "accepted":
            continue
        for fact in claim["facts"]:
            subject, predicate, obj = fact.split(None, 2)
            if predicate == "skos:notation" and "document" in entities.get(subject, {}):
                documents.add(name(subject))
            elif predicate in RELATIONS:
                relations.add((name(subject), predicate, name(obj)))
            elif predicate in SUBJECTS and "document" in entities.get(subject, {}):
                subjects.add((name(subject), predicate, json.loads(obj.rsplit("@", 1)[0])))
            elif predicate == "vk:value":
                figures.setdefault(subject, {})["value"] = Decimal(obj)
            elif predicate in ("vk:unit", "vk:approximation"):
                figures.setdefault(subject, {})[predicate] = obj
    return Found(documents, relations, {
        (f["value"], f.get("vk:unit"), f.get("vk:approximation")) for f in figures.values() if "value" in f},
        subjects)


def gold_sets(gold: dict) -> Found:
    return Found({parse_reference(n).notation for n in gold.get("documents", [])},
                 {(_name(s), p, _name(o)) for s, p, o in gold.get("relations", [])},
                 {(Decimal(str(v)), u, a) for v, u, a in gold.get("figures", [])},
                 {(_name(n), p, t) for n, p, t in gold.get("subjects", [])})


def _name(text: str) -> str:
    try:
        return parse_reference(text).notation
    except ValueError:
        return text


def scores(found: set, gold: set) -> tuple[int, int, int]:
    """(true positives, found, gold)."""
    return len(found & gold), len(found), len(gold)


def precision_recall(tp: int, found: int, gold: int) -> tuple[float, float]:
    return (tp / found if found else 1.0), (tp / gold if gold else 1.0)
