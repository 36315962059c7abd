"""What a text names: document numbers (with the type word before and the date, issuer and
subject after), party bodies and places, each with its exact span in the text.

Document numbers are found first, on the raw text (a tokeniser would split ``158-KH/TU``), by the
identifier parser; everything else hangs off them or comes from the lexicon and the rules table.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cache

from vankien.graph.identifiers import DocumentReference, find_references, fold, match_date
from vankien.graph.ingest.rules import (LexiconEntry, Phrase, PhraseMatcher, body_entry, body_matcher, matcher,
                                        rules, type_word_matcher, with_ascii_variants)

_MARKER_BEFORE = re.compile(r"(?:\s+(?:số|so|Nr\.?|No\.?|Nummer|number|n°))?\s*[.:]?\s*$", re.IGNORECASE)
_QUOTE_MARKS = {"„": "“", "“": "”", '"': '"', "«": "»", "‘": "’", "'": "'"}
_TYPE_WORD_WINDOW = 40


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class BodyMention:
    start: int
    end: int
    text: str
    entry: LexiconEntry


@dataclass
class DocumentMention:
    reference: DocumentReference
    start: int                       # the type word when there is one, else the number
    number_start: int
    end: int                         # after the number and the date written right after it
    text: str
    date: datetime.date | None
    type_word: str | None = None
    issuer: BodyMention | None = None
    subject: Span | None = None      # "zu den Parteitagen …" (the marker included)
    subject_text: str | None = None  # the subject without its marker
    is_title: bool = False           # the subject is a quoted title
    extent_end: int = 0              # end of number, date, issuer and subject: the whole naming

    def __post_init__(self) -> None:
        self.extent_end = max(self.extent_end, self.end)


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    text: str          # the place name as written ("Điện Biên", "Dien Bien")
    slug: str          # fold(name): "dien-bien"


@dataclass
class Mentions:
    documents: list[DocumentMention] = field(default_factory=list)
    bodies: list[BodyMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)


def find_mentions(text: str, lang: str) -> Mentions:
    documents = [_document(text, lang, start, end, ref) for start, end, ref in find_references(text)]
    bodies = [_body(phrase) for phrase in body_matcher().finditer(text)]
    bodies = [b for b in bodies if not any(d.number_start <= b.start < d.end for d in documents)]
    for doc in documents:
        _attach(text, lang, doc, bodies, documents)
    return Mentions(documents=documents, bodies=bodies, places=find_places(text, lang))


def _body(phrase: Phrase) -> BodyMention:
    return BodyMention(phrase.start, phrase.end, phrase.text, body_entry(phrase))


def _document(text: str, lang: str, start: int, end: int, ref: DocumentReference) -> DocumentMention:
    window_start = max(0, start - _TYPE_WORD_WINDOW)
    type_word, mention_start = None, start
    for phrase in type_word_matcher().finditer(text, window_start, start):
        if _MARKER_BEFORE.fullmatch(text, phrase.end, start):
            type_word, mention_start = phrase.text, phrase.start
    if type_word is None:          # "số 35-CT/TW", "Nr. 35-CT/TW" without a type word
        marker = re.search(r"(?:số|Nr\.|No\.)\s*$", text[window_start:start], re.IGNORECASE)
        if marker:
            mention_start = window_start + marker.start()
    return DocumentMention(reference=ref, start=mention_start, number_start=start, end=end,
                           text=text[mention_start:end], date=ref.date, type_word=type_word)


def _attach(text: str, lang: str, doc: DocumentMention, bodies: list[BodyMention],
            documents: list[DocumentMention]) -> None:
    """The issuer ("của Bộ Chính trị"), a date after it, and the subject ("về …") of a mention."""
    pos = doc.end
    link = matcher("issuer_links", lang).match_at(text, _skip(text, pos, " ,"))
    if link is not None:
        body = next((b for b in bodies if b.start == _skip(text, link.end, " ")), None)
        if body is not None:
            doc.issuer, pos = body, body.end
            dated = match_date(text, pos) if doc.date is None else None
            if dated is not None:
                pos, doc.date = dated
    next_doc = min((d.start for d in documents if d.start >= pos), default=len(text))
    marker = matcher("subject", "markers", lang).match_at(text, _skip(text, pos, " "))
    if marker is None or marker.start - pos > 2:
        doc.extent_end = pos
        return
    body_start = _skip(text, marker.end, " ")
    closing = _QUOTE_MARKS.get(text[body_start:body_start + 1])
    if closing:
        close_at = text.find(closing, body_start + 1, body_start + 1 + rules()["subject"]["max_chars"] + 200)
        if close_at > 0:
            doc.subject = Span(marker.start, close_at + 1, text[marker.start:close_at + 1])
            doc.subject_text, doc.is_title = text[body_start + 1:close_at].strip(), True
            doc.extent_end = close_at + 1
            return
    limit = min(next_doc, body_start + rules()["subject"]["max_chars"], len(text))
    cut = _first_stop(text, body_start, limit, rules()["subject"]["stops"].get(lang, []))
    cue = next(iter(cue_matcher(lang).finditer(text, body_start, cut)), None)   # a verb ends it too
    if cue is not None:
        cut = cue.start
    cut = _trim_end(text, body_start, cut)
    if len(text[body_start:cut].split()) < rules()["subject"]["min_words"]:
        doc.extent_end = pos
        return
    doc.subject = Span(marker.start, cut, text[marker.start:cut])
    doc.subject_text = text[body_start:cut]
    doc.extent_end = cut


@cache
def cue_matcher(lang: str) -> PhraseMatcher:
    """Every cue phrase of the rules table in ``lang`` (relations, advised by, issued by)."""
    table = rules()
    cues = [c for spec in table["relations"].values() for c in spec["cues"].get(lang, [])]
    cues += table["advised_by"]["cues"].get(lang, []) + table["issued_by"]["cues"].get(lang, [])
    return PhraseMatcher(with_ascii_variants(cues) if lang == "vi" else cues)


def _first_stop(text: str, start: int, limit: int, stops: list[str]) -> int:
    found = [limit]
    for stop in stops:
        at = text.find(stop, start, limit)
        while at >= 0 and stop == ". " and is_abbreviation_dot(text, at):
            at = text.find(stop, at + 1, limit)
        if at >= 0:
            found.append(at)
    return min(found)


_ABBREVIATIONS = {"nr", "no", "số", "so", "ca", "vgl", "bzw", "z.b", "mr", "dr", "st", "tp"}


def is_abbreviation_dot(text: str, dot: int) -> bool:
    """A full stop that ends no sentence: after a digit ("14. Juni") or an abbreviation ("Nr.")."""
    if dot > 0 and text[dot - 1].isdigit():
        return True
    word = re.search(r"(\w+)$", text[max(0, dot - 6):dot])
    return word is not None and word.group(1).casefold() in _ABBREVIATIONS


def _skip(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1] in " ,;:(–-" or text[end - 1].isspace()
                           or text[end - 1] == "." and not is_abbreviation_dot(text, end - 1)):
        end -= 1
    # a trailing article or conjunction belongs to what follows ("… và", "… und")
    words = text[start:end].rsplit(" ", 1)
    if len(words) == 2 and words[1].casefold() in {"và", "und", "and", "sowie", "cùng"}:
        end = start + len(words[0])
    return end


# --- places ----------------------------------------------------------------------------------------

_NAME = r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,2})"


def find_places(text: str, lang: str) -> list[PlaceMention]:
    """Place names after "tỉnh", "Provinz", "province of" or before "Province" (rules table)."""
    places = []
    for phrase in matcher("places", "before", lang).finditer(text):
        m = re.compile(r"\s+" + _NAME).match(text, phrase.end)
        if m and not _is_body_word(m.group(1)):
            places.append(PlaceMention(m.start(1), m.end(1), m.group(1), fold(m.group(1))))
    for phrase in matcher("places", "after", lang).finditer(text):
        m = re.search(_NAME + r"\s+$", text[max(0, phrase.start - 40):phrase.start])
        if m:
            name, start = m.group(1), max(0, phrase.start - 40) + m.start(1)
            while name.split(" ", 1)[0] in rules()["places"]["not_names"] and " " in name:
                first = name.split(" ", 1)[0]          # "In Dien Bien Province": "In" starts the sentence
                name, start = name[len(first) + 1:], start + len(first) + 1
            places.append(PlaceMention(start, start + len(name), name, fold(name)))
    return sorted(places, key=lambda p: p.start)


def _is_body_word(name: str) -> bool:
    first = name.split()[0].casefold()
    return first in {"ủy", "uỷ", "ban", "đảng", "tỉnh", "ủy ban"}


def main_place(places: list[PlaceMention]) -> PlaceMention | None:
    """The place the text names most often (first mention as the one to quote)."""
    if not places:
        return None
    counts: dict[str, int] = {}
    for place in places:
        counts[place.slug] = counts.get(place.slug, 0) + 1
    best = max(counts, key=lambda slug: (counts[slug], -min(p.start for p in places if p.slug == slug)))
    return next(p for p in places if p.slug == best)
