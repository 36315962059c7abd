"""``vankien coverage``: which document numbers and figures of a source the graph does not represent.

A number in the text counts as represented when a claim's quote covers it and one of the claim's
facts carries that value (an integer, a year, a date, or a label that spells it). Document numbers
count when a claim states the ``skos:notation`` of that number. What the graph should not model
(an anniversary, a URL) goes into ``seeds/coverage-ignore.yaml`` with a reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import SKOS

from vankien.graph.claims import Claim, SeedFile, read_yaml_file
from vankien.graph.errors import BadInput
from vankien.graph.identifiers import find_references, parse_reference

# German thousands separator: 8.279 is 8279; a lone "1." before a month name is a day.
NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{3})+(?![\d])|(?<![\w])\d+(?![\d])")
IGNORE_FILE = "coverage-ignore.yaml"


@dataclass(frozen=True)
class Gap:
    kind: str          # "document number" | "figure"
    text: str
    start: int
    end: int
    context: str

    def __str__(self) -> str:
        return f"{self.kind} {self.text!r} at {self.start}:{self.end} — …{self.context}…"


@dataclass(frozen=True)
class IgnoreRule:
    """Numbers inside ``quote`` (at ``start``) are deliberately not modelled, for ``reason``."""
    quote: str
    start: int
    reason: str

    @property
    def end(self) -> int:
        return self.start + len(self.quote)


def load_ignore_rules(seeds_dir: str | Path, source_file: str) -> list[IgnoreRule]:
    path = Path(seeds_dir) / IGNORE_FILE
    if not path.exists():
        return []
    data = read_yaml_file(path) or {}
    rules = []
    for entry in data.get(source_file, []):
        if not entry.get("reason") or "quote" not in entry or "start" not in entry:
            raise BadInput(f"{path}: every ignore entry needs quote, start and reason ({entry})")
        rules.append(IgnoreRule(str(entry["quote"]), int(entry["start"]), entry["reason"]))
    return rules


def check_ignore_rules(rules: list[IgnoreRule], text: str) -> None:
    """An ignore entry must still point at its text, or it would silently hide a real gap."""
    for rule in rules:
        if text[rule.start:rule.end] != rule.quote:
            raise BadInput(f"{IGNORE_FILE}: {rule.quote!r} is not at offset {rule.start} of the source")


def _numeric_forms(value) -> set[int]:
    """The whole numbers a literal spells: 8279, a year, the day/month/year of a date."""
    if not isinstance(value, Literal):
        return set()           # an entity or a CURIE spells no figure
    python = value.toPython()
    if isinstance(python, bool):
        return set()
    if isinstance(python, (int, float)) and float(python).is_integer():
        return {int(python)}
    if isinstance(python, dt.date):
        return {python.year, python.month, python.day}
    text = str(value)
    return {int(n.replace(".", "")) for n in NUMBER.findall(text)} | {int(y) for y in re.findall(r"\d{4}", text)}


def _covering_claims(claims: list[Claim], start: int, end: int) -> list[Claim]:
    """Claims one of whose passages spans [start, end); only claims that reach the graph count."""
    return [c for c in claims if c.reaches_graph and any(q.start <= start and end <= q.end for q in c.quotes)]


def find_gaps(seed: SeedFile, text: str, ignore: Sequence[IgnoreRule] = ()) -> list[Gap]:
    check_ignore_rules(list(ignore), text)
    claims = list(seed.claims)
    is_ignored = lambda start, end: any(r.start <= start and end <= r.end for r in ignore)  # noqa: E731
    gaps: list[Gap] = []
    reference_spans = []
    for start, end, reference in find_references(text):
        reference_spans.append((start, end))
        stated = any(fact.predicate == SKOS.notation and
                     parse_reference(str(fact.object)).notation == reference.notation
                     for claim in _covering_claims(claims, start, end) for fact in claim.facts)
        if not stated and not is_ignored(start, end):
            gaps.append(Gap("document number", text[start:end], start, end, _context(text, start, end)))
    for match in NUMBER.finditer(text):
        start, end = match.span()
        if any(s <= start < e for s, e in reference_spans) or is_ignored(start, end):
            continue
        value = int(match.group().replace(".", ""))
        if not any(value in _numeric_forms(fact.object)
                   for claim in _covering_claims(claims, start, end) for fact in claim.facts):
            gaps.append(Gap("figure", match.group(), start, end, _context(text, start, end)))
    return gaps


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    return text[max(0, start - width):end + width].replace("\n", " ")
