"""The ingest report: what was found, what it resolved to, what is new, in conflict or needs
review — printed, and written as JSON beside the claims file."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

from vankien.graph.ingest.candidates import Candidates, Extraction


def make_report(extraction: Extraction, candidates: Candidates, *, file: str, claims_file: str,
                stored_as: str) -> dict:
    resolutions = candidates.resolutions
    claims = candidates.document["claims"]
    rules_used = Counter(claim["rule"].split(".")[0] for claim in claims)
    return {
        "file": file, "claims_file": claims_file, "source_id": candidates.document["source"]["id"],
        "language": extraction.lang, "text_stored_as": stored_as,
        "found": {
            "documents": len({(r.notation, r.jurisdiction, r.term) for r in resolutions}),
            "document_mentions": len(extraction.mentions.documents),
            "bodies": len({b.entry.slug for b in extraction.mentions.bodies}),
            "relations": Counter(r.predicate for r in extraction.relations),
            "figures": len(extraction.figures),
            "place": extraction.place.text if extraction.place else None,
        },
        "claims": len(claims), "claims_by_rule": dict(sorted(rules_used.items())),
        "resolved": [_row(r) for r in resolutions if r.status == "resolved"],
        "new": [_row(r) for r in resolutions if r.status == "new"],
        "in_conflict": [_row(r) for r in resolutions if r.conflicts],
        "needs_review": [_row(r) for r in resolutions if r.status == "needs-review"],
        "not_extracted": candidates.skipped_bodies,
    }


def _row(resolution) -> dict:
    row = {key: value for key, value in asdict(resolution).items() if key != "placement"}
    if resolution.placement is not None:
        row["term_how"] = resolution.placement.how
        row["term_sources"] = list(resolution.placement.sources)
    return row


def report_text(report: dict) -> str:
    found = report["found"]
    relations = ", ".join(f"{count} {name}" for name, count in sorted(found["relations"].items())) or "none"
    lines = [
        f"{report['file']} ({report['language']}): {report['claims']} candidate claims, all pending review "
        f"→ {report['claims_file']}",
        f"  source text stored as {report['text_stored_as']}",
        f"  found: {found['documents']} documents ({found['document_mentions']} mentions), "
        f"{found['bodies']} bodies, relations: {relations}, {found['figures']} figures, "
        f"place: {found['place'] or 'none named'}",
    ]
    for title, key in (("resolved to a known document", "resolved"), ("new", "new"),
                       ("in conflict (same number, other term)", "in_conflict"),
                       ("needs review (term undecidable)", "needs_review")):
        rows = report[key]
        lines.append(f"  {title}: {len(rows)}")
        for row in rows:
            extra = ""
            if key == "in_conflict":
                extra = f"  ≠ {', '.join(row['conflicts'])}"
            elif key == "needs_review":
                extra = f"  candidates: {', '.join(row['candidates'])}"
            lines.append(f"    {row['notation']} (term {row['term']}) {row['iri']}{extra}")
    for skipped in report["not_extracted"]:
        lines.append(f"  not extracted: {skipped}")
    return "\n".join(lines)
