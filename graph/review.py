"""Review candidate claims: record accept / reject decisions and quote edits in the claims file.

The format is in docs/data-model.md ("Candidate claims and review"). The file stays readable: the
ruamel.yaml round trip keeps comments, key order, quoting and indentation, so only the changed lines
differ. Every write is checked by the seed loader (and every edited quote against the source text)
before it atomically replaces the file, and it is refused when the file changed on disk since it was
read: a decision already recorded is never lost.
"""

from __future__ import annotations

import getpass
import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from vankien.graph.claims import (DECIDED, Claim, Quote, SeedError, SeedFile, load_seed_file,
                                  quote_problem, source_text, verify_quotes)
from vankien.graph.errors import BadInput
from vankien.graph.pipeline import write_together

REVIEWER_VARIABLE = "VANKIEN_REVIEWER"


class ReviewError(BadInput):
    """A decision or edit cannot be recorded; the message names the file (and claim)."""


def default_reviewer() -> str:
    """Who decides: ``$VANKIEN_REVIEWER``, else the login name."""
    return os.environ.get(REVIEWER_VARIABLE) or getpass.getuser()


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Paragraph:
    """The paragraph around a claim's passages, with the passages as offsets into ``text``."""
    text: str
    start: int                                  # offset of the paragraph in the source text
    marks: tuple[tuple[int, int], ...]          # (start, end) of each passage, relative to ``text``


def paragraph_of(text: str, quotes: tuple[Quote, ...]) -> Paragraph:
    """The lines (paragraphs of the source) that hold every passage of a claim."""
    first, last = min(q.start for q in quotes), max(q.end for q in quotes)
    start = text.rfind("\n", 0, first) + 1
    end = text.find("\n", last)
    end = len(text) if end < 0 else end
    marks = tuple(sorted((q.start - start, q.end - start) for q in quotes))
    return Paragraph(text[start:end], start, marks)


class ClaimsFile:
    """One claims file opened for review, with its source text (required: review reads the source)."""

    def __init__(self, path: str | Path, sources_dir: str | Path):
        self.path = Path(path)
        self.sources_dir = Path(sources_dir)
        self._open()

    def _open(self) -> None:
        self.seed: SeedFile = load_seed_file(self.path)        # SeedError with file:line
        self.raw = self.path.read_bytes()
        text = source_text(self.seed, self.sources_dir)
        if text is None:
            raise ReviewError(f"{self.path}: the source text {self.seed.source.file} is not in "
                              f"{self.sources_dir} (set VANKIEN_SOURCES_DIR or --sources-dir)")
        self.text = text
        self._yaml = YAML()
        self._yaml.preserve_quotes = True
        self._yaml.width = 4096                                 # never re-wrap a quote
        self._yaml.indent(mapping=2, sequence=4, offset=2)      # the layout of seeds/*.yaml
        try:
            self._doc = self._yaml.load(self.raw.decode("utf-8"))
        except YAMLError as exc:                                # the loader accepted it: unlikely
            raise SeedError(f"{self.path}: not valid YAML: {exc}") from None

    # --- reading --------------------------------------------------------------------------------

    @property
    def claims(self) -> tuple[Claim, ...]:
        return self.seed.claims

    def claim(self, claim_id: str) -> Claim:
        for claim in self.seed.claims:
            if claim.id == str(claim_id):
                return claim
        raise ReviewError(f"{self.path}: no claim with id '{claim_id}' "
                          f"(ids: {', '.join(c.id for c in self.seed.claims[:8])}"
                          f"{' …' if len(self.seed.claims) > 8 else ''})")

    def pending(self) -> list[Claim]:
        return [claim for claim in self.seed.claims if claim.review == "pending"]

    def problems(self) -> list[str]:
        """Quotes that do not stand at their offsets (and a changed source text)."""
        return [str(problem) for problem in verify_quotes(self.seed, self.text)]

    def paragraph(self, claim: Claim) -> Paragraph:
        return paragraph_of(self.text, claim.quotes)

    def nearest_offset(self, quote: str, near: int) -> int | None:
        """Where ``quote`` stands in the source, the occurrence nearest ``near`` (None: nowhere)."""
        found, at = [], self.text.find(quote)
        while at >= 0 and quote:
            found.append(at)
            at = self.text.find(quote, at + 1)
        return min(found, key=lambda offset: abs(offset - near)) if found else None

    # --- changing -------------------------------------------------------------------------------

    def decide(self, claim_ids: list[str], decision: str, reviewer: str | None = None,
               when: str | None = None) -> list[Claim]:
        """Record ``decision`` (accepted | rejected) for each claim, then save."""
        if decision not in DECIDED:
            raise ReviewError(f"decision must be one of {', '.join(DECIDED)}, got {decision!r}")
        claims = [self.claim(claim_id) for claim_id in dict.fromkeys(claim_ids)]
        if decision == "accepted":
            for claim in claims:                 # nothing enters the graph off its quote
                for quote in claim.quotes:
                    if problem := quote_problem(self.text, quote):
                        raise ReviewError(f"{self.path}:{quote.line or claim.line}: claim {claim.id} cannot "
                                          f"be accepted: {problem}; edit the quote first")
        reviewer = (reviewer or default_reviewer()).strip()
        if not reviewer:
            raise ReviewError("reviewer name is empty (set VANKIEN_REVIEWER or --reviewer)")
        when = when or now_utc()
        for claim in claims:
            node = self._node(claim.id)
            node["review"] = decision
            node["reviewed_by"] = DoubleQuotedScalarString(reviewer)
            node["reviewed_at"] = DoubleQuotedScalarString(when)
        self.save()
        return [self.claim(claim.id) for claim in claims]

    def edit_quotes(self, claim_id: str, quotes: list[tuple[str, int]]) -> Claim:
        """Replace a claim's passages; each must stand in the source text at its offset."""
        claim = self.claim(claim_id)
        if claim.review != "pending":
            state = f"{claim.review} by {claim.reviewed_by}" if claim.review else "curated (no review key)"
            raise ReviewError(f"{self.path}:{claim.line}: claim {claim.id} is {state}; only a pending "
                              "candidate is edited here, so no recorded decision changes under it")
        if not quotes:
            raise ReviewError(f"{self.path}:{claim.line}: claim {claim.id}: give at least one quote")
        checked = []
        for number, (quote, start) in enumerate(quotes, 1):
            if not isinstance(start, int) or isinstance(start, bool) or start < 0:
                raise ReviewError(f"{self.path}:{claim.line}: claim {claim.id}, quote {number}: start must "
                                  f"be a character offset (integer ≥ 0), got {start!r}")
            if not quote:
                raise ReviewError(f"{self.path}:{claim.line}: claim {claim.id}, quote {number} is empty")
            if problem := quote_problem(self.text, Quote(quote, start)):
                raise ReviewError(f"{self.path}:{claim.line}: claim {claim.id}, quote {number}: {problem}")
            checked.append((quote, start))
        node = self._node(claim.id)
        if len(checked) == 1 and "quote" in node:
            node["quote"], node["start"] = DoubleQuotedScalarString(checked[0][0]), checked[0][1]
        else:
            position = list(node).index("quote" if "quote" in node else "quotes")
            for key in ("quote", "start", "quotes"):
                node.pop(key, None)
            items = []
            for quote, start in checked:
                item = CommentedMap(quote=DoubleQuotedScalarString(quote), start=start)
                item.fa.set_flow_style()
                items.append(item)
            node.insert(position, "quotes", items)
        self.save()
        return self.claim(claim.id)

    def _node(self, claim_id: str) -> CommentedMap:
        for node in self._doc["claims"]:
            if str(node.get("id")) == str(claim_id):
                return node
        raise ReviewError(f"{self.path}: no claim with id '{claim_id}'")

    def save(self) -> None:
        """Check the new text with the loader, refuse if the file changed meanwhile, then replace."""
        out = io.StringIO()
        self._yaml.dump(self._doc, out)
        data = out.getvalue().encode("utf-8")
        scratch = self.path.with_name(f".{self.path.name}.review-check")
        try:
            scratch.write_bytes(data)
            try:
                load_seed_file(scratch)
            except SeedError as exc:
                self._reload()               # drop the change that does not load
                raise ReviewError(str(exc).replace(str(scratch), str(self.path))) from None
        finally:
            scratch.unlink(missing_ok=True)
        if self.path.read_bytes() != self.raw:
            self._reload()
            raise ReviewError(f"{self.path}: the file changed on disk since it was opened; nothing was "
                              "written (open it again to see the other changes)")
        write_together([(self.path, data)])     # flushed temp file, then a rename
        self._open()

    def _reload(self) -> None:
        try:
            self._open()
        except (SeedError, ReviewError):
            pass                             # keep the last good state in memory


def claim_summary(claim: Claim) -> dict[str, Any]:
    """A claim as plain data (the web page and ``--list --json``)."""
    return {"id": claim.id, "line": claim.line, "review": claim.review, "rule": claim.rule,
            "confidence": claim.confidence, "reviewed_by": claim.reviewed_by,
            "reviewed_at": claim.reviewed_at, "evidence": claim.evidence, "how": claim.how,
            "note": claim.note,
            "quotes": [{"quote": q.quote, "start": q.start, "end": q.end} for q in claim.quotes],
            "facts": [fact.text for fact in claim.facts]}
