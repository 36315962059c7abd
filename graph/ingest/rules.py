"""The data the extractors run on: the rules table (``rules.yaml``) and the lexicon
(``ontology/lexicon.ttl``, via graph/lexicon.py), read once, with their phrases compiled into matchers.

Nothing here knows a language's grammar: a rule is a list of phrases per language, and a phrase
matches case-insensitively on word boundaries, longest first (so "triển khai thực hiện" wins over
"thực hiện").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, cache
from importlib import resources
from collections.abc import Iterable, Iterator

import yaml

from vankien.graph.identifiers import fold
from vankien.graph.lexicon import LexiconEntry, lexicon

# package data, found through the package (a checkout and an installed wheel alike)
RULES_PATH = resources.files("vankien.graph.ingest") / "rules.yaml"


@dataclass(frozen=True)
class Phrase:
    """One matched phrase: where, what was written, and the rule phrase it matched."""
    start: int
    end: int
    text: str
    key: str          # the phrase of the rules table (or the lexicon label) that matched


class PhraseMatcher:
    """Finds any of a set of phrases (case-insensitive, on word boundaries, longest first)."""

    def __init__(self, phrases: Iterable[str], *, case_sensitive: Iterable[str] = ()):
        phrases = sorted({p for p in phrases if p}, key=len, reverse=True)
        exact = sorted(set(case_sensitive), key=len, reverse=True)
        self._keys = {_squash(p).casefold(): p for p in phrases} | {_squash(p): p for p in exact}
        self._any = _alternation(phrases, re.IGNORECASE)
        self._exact = _alternation(exact, 0)

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[Phrase]:
        end = len(text) if end is None else end
        found = []
        for pattern, fold_case in ((self._any, True), (self._exact, False)):
            if pattern is None:
                continue
            for m in pattern.finditer(text, start, end):
                written = m.group(0)
                key = _squash(written).casefold() if fold_case else _squash(written)
                found.append(Phrase(m.start(), m.end(), written, self._keys.get(key, written)))
        found.sort(key=lambda p: (p.start, -(p.end - p.start)))
        last_end = -1
        for phrase in found:                      # longest first, no overlaps
            if phrase.start >= last_end:
                last_end = phrase.end
                yield phrase

    def match_at(self, text: str, pos: int) -> Phrase | None:
        """The phrase starting exactly at ``pos`` (after optional spaces), or None."""
        while pos < len(text) and text[pos] == " ":
            pos += 1
        for phrase in self.finditer(text, pos, min(len(text), pos + 200)):
            return phrase if phrase.start == pos else None
        return None


def _squash(text: str) -> str:
    return " ".join(text.split())


def _alternation(phrases: list[str], flags: int) -> re.Pattern | None:
    if not phrases:
        return None
    parts = [r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", flags)


# --- the rules table ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def rules() -> dict:
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def rule_id(rule: str, lang: str, phrase: str) -> str:
    return f"{rule}.{lang}.{fold(phrase)}"


@cache
def matcher(*path: str) -> PhraseMatcher:
    """A matcher for the phrase list at ``path`` in the rules table, e.g. ("issuer_links", "de")."""
    node = rules()
    for key in path:
        node = node.get(key, []) if isinstance(node, dict) else []
    return PhraseMatcher(with_ascii_variants(node or []) if "vi" in path else node or [])


def with_ascii_variants(phrases: Iterable[str]) -> list[str]:
    """Vietnamese phrases and the same without diacritics ("thuc hien"), as careless typing, URLs
    and some websites write them."""
    phrases = list(phrases)
    return phrases + [without_diacritics(p) for p in phrases]


def without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- the lexicon (graph/lexicon.py reads it) --------------------------------------------------------

def _label_index(entries: Iterable[LexiconEntry]) -> dict[str, LexiconEntry]:
    index: dict[str, LexiconEntry] = {}
    for entry in entries:
        for label in entry.labels:
            index.setdefault(_label_key(label), entry)
    return index


def _label_key(label: str) -> str:
    return _squash(label) if _is_abbreviation(label) else _squash(label).casefold()


def _is_abbreviation(label: str) -> bool:
    return len(label) <= 6 and label.replace("Đ", "D").isupper()


@lru_cache(maxsize=1)
def _bodies_by_label() -> dict[str, LexiconEntry]:
    return _label_index(lexicon().bodies)


@lru_cache(maxsize=1)
def body_matcher() -> PhraseMatcher:
    labels = [label for entry in lexicon().bodies for label in entry.labels]
    return PhraseMatcher([label for label in labels if not _is_abbreviation(label)],
                         case_sensitive=[label for label in labels if _is_abbreviation(label)])


def body_entry(phrase: Phrase) -> LexiconEntry:
    return _bodies_by_label()[_label_key(phrase.key)]


@lru_cache(maxsize=1)
def type_word_matcher() -> PhraseMatcher:
    return PhraseMatcher([label for entry in lexicon().types for label in entry.labels])
