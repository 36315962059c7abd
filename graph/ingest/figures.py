"""Reported figures: a number, its qualifier ("gần", "fast", "nearly" → nearly, just below;
"khoảng", "etwa", "about" → approximately; "trên", "über", "over" → more than), its unit and the words saying what is counted. Numbers that belong to
a document number, a date, a year or an ordinal are not figures; a number whose counted words name
no unit from the rules table is left out (the report counts it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from vankien.graph.ingest.numbers import number_pattern, parse_number
from vankien.graph.ingest.rules import PhraseMatcher, matcher, rules

_YEAR = re.compile(r"(?:19|20)\d\d")
_DANGLING = {"und", "và", "and", "sowie", "oder", "hoặc", "or", "der", "die", "das", "the", "của", "of"}
_PART_OF = re.compile(r"\s+(?:von|of|trên|out of)\s+[\d.,]+(?=\s)")
_CLAUSE_END = re.compile(r"[,;:()\[\]]|\.(?:\s|$)|\n| (?:und|và|and|sowie) (?=\d)")


@dataclass(frozen=True)
class Figure:
    start: int               # the quote: qualifier, number, unit and counted words
    end: int
    text: str
    value: int | Decimal
    unit: str                # CURIE: vk:UnitPerson …
    approximation: str | None  # CURIE: vk:Nearly | vk:Approximately | vk:MoreThan
    counted: str             # what is counted, as written ("Parteimitglieder aufgenommen")
    rule: str
    confidence: float


def find_figures(text: str, lang: str, excluded: list[tuple[int, int]]) -> list[Figure]:
    spec = rules()["figures"]
    figures = []
    for m in number_pattern(lang).finditer(text):
        if any(s <= m.start() < e for s, e in excluded) or _is_ordinal(text, m.end(), lang):
            continue
        value = parse_number(m.group(0), lang)
        after = m.end()
        multiplier = _multiplier(text, after)
        if multiplier:
            value, after = value * multiplier[0], multiplier[1]
        unit, counted_start = _percent(text, after)
        part_of = _PART_OF.match(text, counted_start)      # "949 von 1.446 …": counted as the whole
        counted_end = _counted_end(text, part_of.end() if part_of else counted_start,
                                   spec["max_counted_words"])
        counted = text[counted_start:counted_end].strip()
        if unit is None:
            unit = _unit(counted, lang)
            per_year = next(matcher("figures", "per_year", lang).finditer(
                text, after, max(counted_end, min(len(text), after + 12))), None)
            if per_year is not None:
                unit, counted_end = "vk:UnitPerYear", max(counted_end, per_year.end)
                counted = text[counted_start:counted_end].strip()
        if unit is None or (_YEAR.fullmatch(m.group(0)) and not counted):
            continue
        qualifier = _qualifier(text, m.start(), lang)
        start = qualifier[0] if qualifier else m.start()
        figures.append(Figure(
            start=start, end=counted_end, text=text[start:counted_end], value=value, unit=unit,
            approximation=qualifier[1] if qualifier else None, counted=counted,
            rule=f"figure.{lang}.{unit.split(':')[1].removeprefix('Unit').lower()}"
                 + (f".{qualifier[2]}" if qualifier else ""),
            confidence=spec["confidence"]))
    return figures


def _is_ordinal(text: str, end: int, lang: str) -> bool:
    """"14. Provinzparteitag", "94. Jahrestag": a German ordinal (a number, a dot, a word)."""
    return lang == "de" and re.match(r"\.\s+\w", text[end:end + 3]) is not None


def _multiplier(text: str, pos: int) -> tuple[int, int] | None:
    for factor, words in rules()["figures"]["multipliers"].items():
        phrase = PhraseMatcher(words).match_at(text, pos)
        if phrase is not None and phrase.start - pos <= 1:
            return int(factor), phrase.end
    return None


def _percent(text: str, pos: int) -> tuple[str | None, int]:
    m = re.match(r"\s?%", text[pos:pos + 2])
    if m:
        return "vk:UnitPercent", pos + m.end()
    phrase = PhraseMatcher(rules()["figures"]["percent"]).match_at(text, pos)
    if phrase is not None and phrase.start - pos <= 1:
        return "vk:UnitPercent", phrase.end
    return None, pos


def _counted_end(text: str, start: int, max_words: int) -> int:
    """The counted words run to the clause end, the next number or ``max_words`` words."""
    stop = _CLAUSE_END.search(text, start)
    limit = stop.start() if stop else len(text)
    digit = re.search(r"\d", text[start:limit])
    if digit:
        limit = start + digit.start()
    words = list(re.finditer(r"\S+", text[start:limit]))[:max_words]
    while words and words[-1].group(0).casefold() in _DANGLING:   # "… gibt es Parteiorganisationen und"
        words.pop()
    return start + words[-1].end() if words else start


def _unit(counted: str, lang: str) -> str | None:
    """The unit of the unit word written first in the counted words."""
    found = []
    for unit in rules()["figures"]["units"]:
        first = next(matcher("figures", "units", unit, lang).finditer(counted), None)
        if first is not None:
            found.append((first.start, unit))
    return min(found)[1] if found else None


def _qualifier(text: str, number_start: int, lang: str) -> tuple[int, str, str] | None:
    """(start, approximation CURIE, rule word) of a qualifier written right before the number."""
    window = max(0, number_start - 20)
    for name, spec in rules()["qualifiers"].items():
        for phrase in matcher("qualifiers", name, "words", lang).finditer(text, window, number_start):
            if text[phrase.end:number_start].strip() == "":
                return phrase.start, spec["concept"], name.replace("_", "-")
    return None
