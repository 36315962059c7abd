"""Turn what the extractors found into a candidate claims file (the seeds/ format plus the review
fields of /work/helpers/claims-format.md → docs/data-model.md): entities by identity, one claim per
finding with its quote(s) at their offsets, the rule that produced it, a confidence and
``review: pending``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vankien.graph.identifiers import fold
from vankien.graph.namespaces import sparql_literal
from vankien.graph.uris import Minter
from vankien.graph.ingest.cues import Relation
from vankien.graph.ingest.figures import Figure
from vankien.graph.ingest.mentions import BodyMention, DocumentMention, Mentions, PlaceMention
from vankien.graph.ingest.resolve import Resolution, known_documents, resolve
from vankien.graph.ingest.rules import body_entry, rules  # noqa: F401  (body_entry re-exported for tests)

MAX_QUOTE = 199          # claims keep quotes under 200 characters
NUMBER_CONFIDENCE = 0.95
PLACE_CONFIDENCE = 0.6


@dataclass
class Extraction:
    text: str
    lang: str
    mentions: Mentions
    relations: list[Relation]
    figures: list[Figure]
    place: PlaceMention | None


@dataclass
class ClaimsBuilder:
    text: str
    lang: str
    entities: dict[str, dict] = field(default_factory=dict)
    claims: list[dict] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def entity(self, key: str, spec: dict) -> str:
        self.entities.setdefault(key, spec)
        return key

    def claim(self, spans: list[tuple[int, int]], facts: list[str], *, rule: str, confidence: float,
              evidence: str = "stated", how: str | None = None, note: str | None = None) -> None:
        spans = _quote_spans(spans)
        signature = (tuple(spans), tuple(facts))
        if not facts or signature in self._seen:
            return
        self._seen.add(signature)
        claim: dict[str, Any] = {"id": f"i{len(self.claims) + 1:04d}"}
        if len(spans) == 1:
            claim["quote"], claim["start"] = self.text[spans[0][0]:spans[0][1]], spans[0][0]
        else:
            claim["quotes"] = [{"quote": self.text[s:e], "start": s} for s, e in spans]
        claim["evidence"] = evidence
        if how:
            claim["how"] = how
        claim["facts"] = facts
        claim["rule"] = rule
        claim["confidence"] = round(confidence, 2)
        claim["review"] = "pending"
        if note:
            claim["note"] = note
        self.claims.append(claim)


def _quote_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One quote when the spans fit in one short stretch, else each span (cut to the limit)."""
    spans = sorted(set(spans))
    if spans[-1][1] - spans[0][0] <= MAX_QUOTE:
        return [(spans[0][0], spans[-1][1])]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return [(s, min(e, s + MAX_QUOTE)) for s, e in merged]


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A Turtle literal for a fact, white space folded (``datatype`` a CURIE such as ``xsd:date``)."""
    return sparql_literal(" ".join(text.split()), lang=lang) + (f"^^{datatype}" if datatype else "")


@dataclass
class Candidates:
    document: dict              # the claims file as a mapping
    resolutions: list[Resolution]
    skipped_bodies: list[str]


def make_candidates(extraction: Extraction, *, source: dict, seeds: list, base_iri: str,
                    ingest_meta: dict) -> Candidates:
    text, lang = extraction.text, extraction.lang
    builder = ClaimsBuilder(text, lang)
    minter, known = Minter(base_iri), known_documents(seeds, base_iri)
    place = extraction.place
    place_key = _place(builder, place, lang)
    skipped: list[str] = []

    # documents: one entity per notation + jurisdiction + term
    doc_keys: dict[int, str] = {}
    resolutions: dict[str, Resolution] = {}
    # dated mentions first: an undated mention of a number the same text dates in one term only
    # names that document (the text names it twice); otherwise its term stays unknown
    dated_terms: dict[str, set] = {}
    for mention in sorted(extraction.mentions.documents, key=lambda m: m.date is None):
        ref = mention.reference
        jurisdiction = place.slug if (ref.is_local and place) else None
        if ref.is_local and place is None:
            skipped.append(f"{ref.notation}: local issuer code {ref.issuer_code} but the text names no place")
            continue
        resolution = resolve(ref, jurisdiction, mention.date, known, minter, source["id"])
        if mention.date:
            dated_terms.setdefault(ref.notation, set()).add(resolution.term)
        elif len(dated_terms.get(ref.notation, ())) == 1 and "unknown" not in dated_terms[ref.notation]:
            resolution = resolutions[f"doc-{fold(ref.notation)}-k{next(iter(dated_terms[ref.notation]))}"]
        key = f"doc-{fold(ref.notation)}" + (f"-k{resolution.term}" if resolution.term != "unknown" else "")
        resolutions.setdefault(key, resolution)
        spec = {"document": ref.notation, "term": resolution.term}
        if jurisdiction:
            spec["jurisdiction"] = jurisdiction
        doc_keys[id(mention)] = builder.entity(key, spec)
        _document_claims(builder, mention, key, resolutions[key], place, place_key, lang, skipped)

    # relations
    for relation in extraction.relations:
        subject = doc_keys.get(id(relation.subject))
        if subject is None:
            continue
        if isinstance(relation.object, DocumentMention):
            obj = doc_keys.get(id(relation.object))
            spans = [(relation.cue.start, relation.object.end), (relation.subject.start, relation.subject.end)]
        else:
            obj = _body(builder, relation.object, place, lang, skipped)
            spans = [(relation.object.start, relation.object.end), (relation.cue.start, relation.cue.end),
                     (relation.subject.start, relation.subject.end)]
        if obj is None:
            continue
        builder.claim(spans, [f"{subject} {relation.predicate} {obj}"], rule=relation.rule,
                      confidence=relation.confidence, evidence=relation.evidence, how=relation.how)

    # figures
    if extraction.figures and place_key is None:
        skipped.append(f"{len(extraction.figures)} figure(s): the text names no place for their area")
    elif extraction.figures and place_key is not None:
        period = builder.entity("p-report", {"period": "as-reported"})
        for n, figure in enumerate(extraction.figures, start=1):
            _figure_claims(builder, figure, n, period, place_key, place, lang, source["id"], ingest_meta)

    document = {"source": source, "ingest": ingest_meta, "entities": builder.entities,
                "claims": builder.claims}
    return Candidates(document, list(resolutions.values()), skipped)


def _place(builder: ClaimsBuilder, place: PlaceMention | None, lang: str) -> str | None:
    if place is None:
        return None
    key = builder.entity(f"place-{place.slug}", {"place": place.slug})
    builder.claim([(place.start, place.end)], [f"{key} a vk:Place", f"{key} skos:prefLabel {literal(place.text, lang)}"],
                  rule=f"place.{lang}.name", confidence=0.9)
    return key


def _body(builder: ClaimsBuilder, mention: BodyMention, place: PlaceMention | None, lang: str,
          skipped: list[str]) -> str | None:
    entry = mention.entry
    if entry.scope == "central":
        jurisdiction = "tw"
    elif place is not None:
        jurisdiction = place.slug
    else:
        skipped.append(f"body '{mention.text}': a local body but the text names no place")
        return None
    key = f"body-{jurisdiction}-{entry.slug}"
    if key in builder.entities:          # named and typed once, at its first mention
        return key
    builder.entity(key, {"body": entry.kind, "jurisdiction": jurisdiction, "slug": entry.slug})
    facts = [f"{key} a vk:{entry.vk_class}", f"{key} skos:prefLabel {literal(entry.label(lang), lang)}"]
    if entry.level:
        facts.append(f"{key} vk:level vk:{entry.level}")
    builder.claim([(mention.start, mention.end)], facts, rule=f"body.{lang}.lexicon", confidence=0.9)
    if entry.scope == "local" and place is not None:
        builder.claim([(place.start, place.end)], [f"{key} vk:jurisdiction place-{place.slug}"],
                      rule=f"place.{lang}.main-place", confidence=PLACE_CONFIDENCE, evidence="inferred",
                      how=f"the text is about '{place.text}' (the place it names most often); "
                          f"'{mention.text}' is read as that place's body")
    return key


def _document_claims(builder: ClaimsBuilder, mention: DocumentMention, key: str, resolution: Resolution,
                     place: PlaceMention | None, place_key: str | None, lang: str, skipped: list[str]) -> None:
    ref = mention.reference
    facts = [f"{key} a vk:{ref.document_class}", f"{key} skos:notation {literal(ref.notation)}"]
    if mention.date:
        facts.append(f"{key} vk:dateIssued {literal(mention.date.isoformat(), datatype='xsd:date')}")
    rule = f"document.{lang}.{'typed-number' if mention.type_word else 'number'}" + (".dated" if mention.date else "")
    builder.claim([(mention.start, mention.end)], facts, rule=rule, confidence=NUMBER_CONFIDENCE,
                  note=resolution.note())
    if mention.issuer is not None:
        body = _body(builder, mention.issuer, place, lang, skipped)
        if body:
            builder.claim([(mention.start, mention.issuer.end)], [f"{key} vk:issuedBy {body}"],
                          rule=f"issuer.{lang}.after-number", confidence=rules()["issuer_confidence"])
    if mention.subject is not None and mention.subject_text:
        prop = "vk:title" if mention.is_title else "vk:subjectMatter"
        builder.claim([(mention.subject.start, mention.subject.end)],
                      [f"{key} {prop} {literal(mention.subject_text, lang)}"],
                      rule=f"subject.{lang}.{'quoted-title' if mention.is_title else 'marker'}",
                      confidence=rules()["subject"]["confidence"])
    if ref.is_local and place_key and place is not None:
        builder.claim([(place.start, place.end)], [f"{key} vk:jurisdiction {place_key}"],
                      rule=f"place.{lang}.main-place", confidence=PLACE_CONFIDENCE, evidence="inferred",
                      how=f"the issuer code {ref.issuer_code} is local and the text is about '{place.text}' "
                          "(the place it names most often)")
    placement = resolution.placement
    if resolution.term != "unknown" and placement is not None and mention.date:
        juris = "tw" if not ref.is_local else (place.slug if place else "")
        term_key = builder.entity(f"term-{juris}-{resolution.term}", {"term": resolution.term, "jurisdiction": juris})
        builder.claim([(mention.number_start, mention.end)],
                      [f"{term_key} a vk:Term", f"{term_key} vk:termOrdinal {resolution.term}",
                       f"{key} vk:issuedInTerm {term_key}"],
                      rule="term.date-in-term-table", confidence=0.85, evidence="inferred",
                      how=placement.how + "; sources: " + " | ".join(placement.sources))


def _figure_claims(builder: ClaimsBuilder, figure: Figure, n: int, period: str, place_key: str,
                   place: PlaceMention | None, lang: str, source_id: str, meta: dict) -> None:
    obs = builder.entity(f"obs-{n:03d}", {"observation": f"figure-{n:03d}"})
    measure = builder.entity(f"m-{n:03d}", {"measure": f"{source_id}-{fold(figure.counted)[:60] or n}"})
    facts = [f"{obs} a vk:Observation", f"{obs} vk:measure {measure}",
             f"{obs} vk:value {figure.value}", f"{obs} vk:unit {figure.unit}"]
    if figure.approximation:
        facts.append(f"{obs} vk:approximation {figure.approximation}")
    builder.claim([(figure.start, figure.end)], facts, rule=figure.rule, confidence=figure.confidence)
    as_of = f" (the text is dated {meta['date']})" if meta.get("date") else ""
    builder.claim([(figure.start, figure.end)],
                  [f"{measure} a vk:Measure", f"{measure} skos:prefLabel {literal(figure.counted, lang)}",
                   f"{obs} vk:refArea {place_key}", f"{obs} vk:refPeriod {period}",
                   f"{period} a vk:Period", f"{period} vk:periodLabel {literal('as reported' + as_of, 'en')}"],
                  rule=f"figure.{lang}.context", confidence=0.4, evidence="inferred",
                  how=f"what is counted: the words after the figure; area: '{place.text if place else ''}', the "
                      "place the text names most often; period: the time of the report (the extractor reads "
                      "no period): check all three")
