"""``vankien review CLAIMS.yaml``: list, accept, reject, or review candidates one by one in a terminal
(single keys) or on a local web page (``--web``, 127.0.0.1 only). The decisions go into the file
(graph/review.py); this module only talks to the person."""

from __future__ import annotations

import os
import sys
import termios
import tty
from collections.abc import Callable

from vankien.graph.claims import Claim
from vankien.graph.review import ClaimsFile, ReviewError, default_reviewer

KEYS = "[a]ccept  [r]eject  [e]dit  [s]kip  [q]uit"
REVIEW_PORT = 8765


def add_arguments(command) -> None:
    command.add_argument("claims_file", metavar="CLAIMS.yaml")
    command.add_argument("--list", action="store_true", help="list every claim with its review state")
    command.add_argument("--accept", nargs="+", metavar="ID", help="accept these claims")
    command.add_argument("--reject", nargs="+", metavar="ID", help="reject these claims")
    command.add_argument("--accept-all", dest="accept_all", action="store_true",
                         help="accept every pending claim (decided ones stay as they are)")
    command.add_argument("--web", action="store_true", help="review on a local web page (127.0.0.1)")
    command.add_argument("--port", type=int, default=REVIEW_PORT, help=f"port of --web (default {REVIEW_PORT})")
    command.add_argument("--reviewer", help="who decides (default $VANKIEN_REVIEWER, else the login name)")


def run(args, sources_dir) -> int:
    claims = ClaimsFile(args.claims_file, sources_dir)
    reviewer = args.reviewer or default_reviewer()
    if args.web:
        from vankien.api.review_app import serve_review
        serve_review(claims, reviewer, port=args.port)
        return 0
    acted = False
    for ids, decision in ((args.accept, "accepted"), (args.reject, "rejected")):
        if ids:
            _report(claims.decide(ids, decision, reviewer))
            acted = True
    if args.accept_all:
        pending = [claim.id for claim in claims.pending()]
        _report(claims.decide(pending, "accepted", reviewer) if pending else [])
        print(f"accepted {len(pending)} pending claim(s)")
        acted = True
    if args.list:
        _list(claims)
        acted = True
    if acted:
        return 0
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ReviewError("interactive review needs a terminal; use --list, --accept, --reject, "
                          "--accept-all or --web")
    return interactive(claims, reviewer, read_key=_read_key, ask=input, out=print,
                       colour="NO_COLOR" not in os.environ)


def _report(claims: list[Claim]) -> None:
    for claim in claims:
        print(f"{claim.id}: {claim.review} by {claim.reviewed_by} at {claim.reviewed_at}")


def _list(claims: ClaimsFile) -> None:
    counts: dict[str, int] = {}
    for claim in claims.claims:
        state = claim.review or "curated"
        counts[state] = counts.get(state, 0) + 1
        extra = f" (+{len(claim.quotes) - 1} more)" if len(claim.quotes) > 1 else ""
        confidence = f"{claim.confidence:.2f}" if claim.confidence is not None else "-"
        print(f"{claim.id}\t{state}\t{confidence}\t{claim.rule or '-'}\t"
              f"“{claim.quote}” [{claim.start}:{claim.end}]{extra}")
    for problem in claims.problems():
        print(f"quote problem: {problem}")
    print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no claims")


# --- interactive review in a terminal -------------------------------------------------------------

def highlighted(claims: ClaimsFile, claim: Claim, colour: bool) -> str:
    """The claim's paragraph with each passage marked (reverse video, or »…« without colour)."""
    paragraph = claims.paragraph(claim)
    on, off = ("\x1b[7m", "\x1b[0m") if colour else ("»", "«")
    out, at = [], 0
    for start, end in paragraph.marks:
        if start < at:                        # overlapping passages: mark the union once
            start = at
        out += [paragraph.text[at:start], on, paragraph.text[start:end], off]
        at = max(at, end)
    out.append(paragraph.text[at:])
    return "".join(out)


def show(claims: ClaimsFile, claim: Claim, number: int, total: int, colour: bool) -> str:
    confidence = f"  confidence {claim.confidence:.2f}" if claim.confidence is not None else ""
    lines = [f"[{number}/{total}] {claim.id}  {claim.review}  rule {claim.rule or '-'}{confidence}  "
             f"({claims.path}:{claim.line})",
             f"  evidence: {claim.evidence}" + (f" — {claim.how}" if claim.how else "")]
    lines += [f"  fact: {fact.text}" for fact in claim.facts]
    if claim.note:
        lines.append(f"  note: {claim.note}")
    lines += [f"  quote {i}: “{q.quote}” [{q.start}:{q.end}]" for i, q in enumerate(claim.quotes, 1)]
    lines += ["", highlighted(claims, claim, colour), "", KEYS]
    return "\n".join(lines)


def interactive(claims: ClaimsFile, reviewer: str, *, read_key: Callable[[], str],
                ask: Callable[[str], str], out: Callable[[str], None], colour: bool) -> int:
    """Each pending candidate in turn; every decision is saved at once (quitting loses nothing)."""
    queue = [claim.id for claim in claims.pending()]
    if not queue:
        out("no pending claims")
        return 0
    decided = 0
    index = 0
    while index < len(queue):
        claim = claims.claim(queue[index])
        out(show(claims, claim, index + 1, len(queue), colour))
        key = read_key().lower()
        try:
            if key == "a" or key == "r":
                (done,) = claims.decide([claim.id], "accepted" if key == "a" else "rejected", reviewer)
                out(f"{done.id}: {done.review}")
                decided += 1
                index += 1
            elif key == "e":
                _edit(claims, claim, ask, out)
            elif key == "s":
                out(f"{claim.id}: skipped")
                index += 1
            elif key in ("q", "\x03", "\x04"):
                break
            else:
                out(f"unknown key {key!r}: {KEYS}")
        except ReviewError as exc:
            out(f"error: {exc}")
    out(f"{decided} decision(s) written to {claims.path}; {len(claims.pending())} pending")
    return 0


def _edit(claims: ClaimsFile, claim: Claim, ask: Callable[[str], str], out: Callable[[str], None]) -> None:
    """Ask for each passage (Enter keeps it) and its offset (Enter: where it stands), then save."""
    quotes = []
    for number, old in enumerate(claim.quotes, 1):
        text = ask(f"quote {number} (Enter keeps “{old.quote}”, '-' drops it): ")
        if text.strip() == "-":
            continue
        text = text or old.quote
        quotes.append((text, _ask_start(claims, text, old.start, ask)))
    while extra := ask("another quote (Enter: no more): "):
        quotes.append((extra, _ask_start(claims, extra, claim.start, ask)))
    edited = claims.edit_quotes(claim.id, quotes)
    out(f"{edited.id}: quotes saved ({len(edited.quotes)})")


def _ask_start(claims: ClaimsFile, quote: str, near: int, ask: Callable[[str], str]) -> int:
    found = claims.nearest_offset(quote, near)
    default = found if found is not None else near
    answer = ask(f"start (Enter: {default}{'' if found is not None else ', the quote is not in the text'}): ")
    try:
        return int(answer) if answer.strip() else default
    except ValueError:
        raise ReviewError(f"start must be a character offset (integer ≥ 0), got {answer!r}") from None


def _read_key() -> str:
    """One key press, without Enter (cbreak mode; the terminal is restored afterwards)."""
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        return sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
