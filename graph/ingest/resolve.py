"""Entity resolution for ingest: which document a reference names.

Identity is issuer + type + number + term (numbers restart with each term). A reference resolves
to a known document only when all four agree; the term comes from the date written with the
reference, placed in a committee term through the reference table ``terms.yaml`` (that placement is
*inferred*, and says how). Same number, other term → a new document (and a noted collision). No
date, or a date the table cannot place → the term is unknown: the reference becomes its own
document, flagged for review with the known documents it might be, and is never merged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from collections.abc import Iterable

import yaml

from vankien.graph.claims import SeedFile
from vankien.graph.identifiers import DocumentReference, fold
from vankien.graph.uris import Minter

TERMS_PATH = resources.files("vankien.graph.ingest") / "terms.yaml"
TERM_YEARS = 5   # a committee term lasts five years (Party Statute); bounds placement after the last congress


@dataclass(frozen=True)
class Congress:
    ordinal: int
    start: datetime.date
    end: datetime.date
    source: str


@dataclass(frozen=True)
class Placement:
    """Where a date puts a document: a term ordinal with how, or None with why not."""
    term: int | None
    how: str
    sources: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def term_table() -> dict[str, tuple[Congress, ...]]:
    rows = yaml.safe_load(TERMS_PATH.read_text(encoding="utf-8"))
    return {row["jurisdiction"]: tuple(sorted(
        (Congress(int(k), v["start"], v["end"], v["source"]) for k, v in row["congresses"].items()),
        key=lambda c: c.ordinal)) for row in rows}


def place_in_term(date: datetime.date, jurisdiction: str) -> Placement:
    """The term of ``jurisdiction``'s committee (``tw`` for the Central Committee) on ``date``."""
    congresses = term_table().get(jurisdiction)
    if not congresses:
        return Placement(None, f"the term table has no congresses of '{jurisdiction}'")
    for congress in congresses:
        if congress.start <= date <= congress.end:
            return Placement(None, f"dated {date.isoformat()}, during congress {congress.ordinal} "
                                   f"({congress.start}–{congress.end}): term {congress.ordinal - 1} or "
                                   f"{congress.ordinal}", (congress.source,))
    for before, after in zip(congresses, congresses[1:]):
        if before.end < date < after.start:
            return Placement(before.ordinal, _how(date, jurisdiction, before, after),
                             (before.source, after.source))
    last = congresses[-1]
    if last.end < date <= last.end.replace(year=last.end.year + TERM_YEARS):
        return Placement(last.ordinal, _how(date, jurisdiction, last, None), (last.source,))
    return Placement(None, f"dated {date.isoformat()}, outside the congresses the term table lists for "
                           f"'{jurisdiction}' ({congresses[0].start.year}–{last.end.year})")


def _how(date: datetime.date, jurisdiction: str, opening: Congress, next_one: Congress | None) -> str:
    committee = "Central Committee" if jurisdiction == "tw" else f"party committee of {jurisdiction}"
    until = (f"before congress {next_one.ordinal} began on {next_one.start}" if next_one else
             f"within {TERM_YEARS} years of it (a term lasts {TERM_YEARS} years)")
    return (f"dated {date.isoformat()}: after congress {opening.ordinal} ended on {opening.end} and "
            f"{until}, so in term {opening.ordinal} of the {committee} (term table: graph/ingest/terms.yaml)")


# --- known documents ------------------------------------------------------------------------------

@dataclass(frozen=True)
class KnownDocument:
    iri: str
    term: int | str               # ordinal or "unknown"
    seed: str                     # file that declares it
    key: str                      # entity key there


@dataclass
class Resolution:
    """What ingest decided for one document (one notation + jurisdiction + term in the text)."""
    notation: str
    jurisdiction: str | None
    term: int | str               # ordinal or "unknown"
    status: str                   # "resolved" | "new" | "needs-review"
    iri: str = ""
    placement: Placement | None = None
    candidates: list[str] = field(default_factory=list)    # known documents it might be
    conflicts: list[str] = field(default_factory=list)     # same number, other term

    def note(self) -> str | None:
        if self.status == "needs-review":
            reason = self.placement.how if self.placement else "no date is written with it"
            return (f"term undecidable ({reason}); kept apart as its own document, never merged; "
                    f"candidates: {', '.join(self.candidates) or 'none known'}")
        if self.conflicts:
            return f"same number as {', '.join(self.conflicts)} of another term: a different document"
        return None


def identity(reference: DocumentReference, jurisdiction: str | None) -> tuple:
    """issuer, place (local codes only), type and number: the identity without the term."""
    return reference.identity_key(jurisdiction, None)[:4]


def known_documents(seeds: Iterable[SeedFile], base_iri: str) -> dict[tuple, list[KnownDocument]]:
    minter = Minter(base_iri)
    index: dict[tuple, list[KnownDocument]] = {}
    for seed in seeds:
        for entity in seed.entities.values():
            if entity.kind != "document" or entity.reference is None:
                continue
            jurisdiction = entity.spec.get("jurisdiction")
            iri = minter.document(entity.reference, jurisdiction, entity.spec["term"], seed.source.id)
            index.setdefault(identity(entity.reference, jurisdiction), []).append(
                KnownDocument(str(iri), entity.spec["term"], str(seed.path), entity.key))
    return index


def resolve(reference: DocumentReference, jurisdiction: str | None, date: datetime.date | None,
            known: dict[tuple, list[KnownDocument]], minter: Minter, source_id: str) -> Resolution:
    namesakes = known.get(identity(reference, jurisdiction), [])
    placement = place_in_term(date, "tw" if not reference.is_local else fold(jurisdiction or "")) \
        if date else None
    term = placement.term if placement and placement.term is not None else "unknown"
    iri = str(minter.document(reference, jurisdiction, term, source_id))
    resolution = Resolution(reference.notation, jurisdiction, term, "new", iri, placement)
    if term == "unknown":
        resolution.candidates = sorted({k.iri for k in namesakes})
        if resolution.candidates or placement is not None:    # namesakes, or a date the table cannot place
            resolution.status = "needs-review"
        return resolution
    same = [k for k in namesakes if k.term == term]
    resolution.conflicts = sorted({k.iri for k in namesakes if k.term not in (term, "unknown")})
    resolution.candidates = sorted({k.iri for k in namesakes if k.term == "unknown"})
    if same:
        resolution.status = "resolved"
    return resolution
