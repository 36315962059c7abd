"""Relations from cue phrases, sentence by sentence: implements, based on, amends, replaces (between
documents), advised by and issued by (a document and a body). The cue words are in the rules table.

Document relations: the OBJECT is the document named right after the cue ("In Umsetzung der
Richtlinie Nr. 35-CT/TW"); the SUBJECT is the document named just before the cue ("Kế hoạch số
158-KH/TU triển khai thực hiện Chỉ thị …"), else every other document of the sentence ("Thực hiện Chỉ
thị …, Ban Thường vụ ban hành Kế hoạch số 158-KH/TU và Hướng dẫn số 03-HD/TU").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vankien.graph.ingest.mentions import BodyMention, DocumentMention, Mentions, is_abbreviation_dot
from vankien.graph.ingest.rules import Phrase, matcher, rule_id, rules

OBJECT_GAP = 30          # characters between a cue and its object ("der ", "các ", "the ")
SUBJECT_GAP = 100        # characters between a subject's naming and the cue after it
_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n+")


@dataclass(frozen=True)
class Relation:
    subject: DocumentMention
    predicate: str                   # CURIE: vk:implements …
    object: DocumentMention | BodyMention
    cue: Phrase
    rule: str
    confidence: float
    evidence: str = "stated"
    how: str | None = None


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a full stop after a digit or "Nr" ends none."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.group(0)[0] == "." and is_abbreviation_dot(text, m.start()):
            continue
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def find_relations(text: str, lang: str, mentions: Mentions) -> list[Relation]:
    found: list[Relation] = []
    for start, end in sentences(text):
        docs = [d for d in mentions.documents if start <= d.start < end]
        bodies = [b for b in mentions.bodies if start <= b.start < end]
        if not docs:
            continue
        objects: set[int] = set()
        relations = _document_relations(text, lang, start, end, docs, objects)
        found += relations
        found += _body_relations(text, lang, start, end, docs, bodies, objects)
    return found


def _document_relations(text, lang, start, end, docs, objects: set[int]) -> list[Relation]:
    cues = []
    for name, spec in rules()["relations"].items():
        for cue in matcher("relations", name, "cues", lang).finditer(text, start, end):
            target = next((d for d in docs if d.start >= cue.end), None)
            if target is None or target.start - cue.end > OBJECT_GAP or "," in text[cue.end:target.start]:
                continue
            cues.append((cue, name, spec, target))
            objects.add(id(target))
    relations = []
    for cue, name, spec, target in cues:
        before = [d for d in docs if d.extent_end <= cue.start and id(d) not in objects
                  and cue.start - d.extent_end <= SUBJECT_GAP]
        subjects = _coordinated(text, before) or [d for d in docs if id(d) not in objects and d is not target]
        for subject in subjects:
            relations.append(Relation(subject, spec["predicate"], target, cue, rule_id(name, lang, cue.key),
                                      spec["confidence"]))
    return relations


_AND = re.compile(r"\s*(?:,|und|và|and|sowie|cùng)\s*(?:(?:die|der|den|das|the)\s+)?", re.IGNORECASE)


def _coordinated(text: str, before: list[DocumentMention]) -> list[DocumentMention]:
    """The document named just before a cue, with those joined to it by "und", "và", "and" or a
    comma ("Der Plan Nr. 12-KH/TU und die Anleitung Nr. 13-HD/TU konkretisieren …")."""
    if not before:
        return []
    run = [before[-1]]
    for previous in reversed(before[:-1]):
        if not _AND.fullmatch(text, previous.extent_end, run[0].start):
            break
        run.insert(0, previous)
    return run


def _body_relations(text, lang, start, end, docs, bodies, objects: set[int]) -> list[Relation]:
    # a body naming a document's issuer or inside its subject is not an actor of the sentence
    free = [b for b in bodies if not any(d.start <= b.start < d.extent_end for d in docs)]
    relations: list[Relation] = []
    advised = rules()["advised_by"]
    advice_cue = next(iter(matcher("advised_by", "cues", lang).finditer(text, start, end)), None)
    if advice_cue is not None:
        advisors = [b for b in free if b.end <= advice_cue.start]
        advisor = advisors[0] if advisors else None
        subjects = [d for d in docs if d.start >= advice_cue.end and id(d) not in objects]
        if advisor is not None and subjects:
            rule = rule_id("advised_by", lang, advice_cue.key)
            recipients = [b for b in free if b.start > advisor.end and b.end <= subjects[0].start]
            for subject in subjects:
                relations.append(Relation(subject, advised["predicate"], advisor, advice_cue, rule,
                                          advised["confidence"]))
                if recipients:
                    relations.append(Relation(
                        subject, rules()["issued_by"]["predicate"], recipients[0], advice_cue,
                        rule_id("issued_by", lang, "recommended-to"), advised["issuer_confidence"],
                        evidence="inferred",
                        how=f"'{advisor.text}' recommended '{recipients[0].text}' to issue or adopt it "
                            f"('{advice_cue.text}'); the text does not say that it was issued"))
        return relations          # an issuing verb after the advice is what was recommended
    issued = rules()["issued_by"]
    for cue in matcher("issued_by", "cues", lang).finditer(text, start, end):
        issuers = [b for b in free if b.end <= cue.start]
        if not issuers and lang in issued.get("issuer_after_cue", []):   # "erließ der Ständige Ausschuss"
            issuers = [b for b in free if b.start >= cue.end][:1]
        if not issuers:
            continue
        issuer = issuers[-1]
        for subject in (d for d in docs if d.start >= issuer.end and id(d) not in objects):
            relations.append(Relation(subject, issued["predicate"], issuer, cue,
                                      rule_id("issued_by", lang, cue.key), issued["confidence"]))
    return relations
