"""``vankien ingest``: a text goes in, candidate claims with their quotes come out, all pending
review (docs/ingest.md). Pure extraction (:func:`extract`) and assembly
(:func:`~.candidates.make_candidates`) here; :func:`ingest_file` adds the reading and writing."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from vankien.graph.identifiers import fold
from vankien.graph.ingest.candidates import Candidates, Extraction, make_candidates
from vankien.graph.ingest.cues import find_relations
from vankien.graph.ingest.figures import find_figures
from vankien.graph.ingest.mentions import find_mentions, main_place
from vankien.graph.ingest.report import make_report, report_text
from vankien.graph.ingest.text import IngestError, SourceText, detect_language, read_source, store_text

__all__ = ["IngestError", "IngestResult", "extract", "ingest_file", "report_text"]

LANGUAGES = ("vi", "de", "en")


def extract(text: str, lang: str) -> Extraction:
    """Everything the rules find in ``text`` (offsets into it), nothing decided yet."""
    mentions = find_mentions(text, lang)
    excluded = [(d.number_start, d.end) for d in mentions.documents]
    return Extraction(text=text, lang=lang, mentions=mentions,
                      relations=find_relations(text, lang, mentions),
                      figures=find_figures(text, lang, excluded), place=main_place(mentions.places))


@dataclass
class IngestResult:
    claims_file: Path
    report_file: Path
    report: dict
    candidates: Candidates


def ingest_file(path: str | Path, *, seeds: list, sources_dir: str | Path, base_iri: str,
                output: str | Path | None = None, url: str | None = None, lang: str = "auto",
                date: datetime.date | None = None, overwrite: bool = False) -> IngestResult:
    path = Path(path)
    source = read_source(path)
    if lang == "auto":
        lang = detect_language(source.text)
    elif lang not in LANGUAGES:
        raise IngestError(f"--lang: {lang!r} is not one of vi, de, en, auto")
    output = Path(output) if output else Path.cwd() / f"{fold(path.stem) or 'source'}.claims.yaml"
    if output.is_dir():
        raise IngestError(f"{output}: is a folder; give the claims file to write, e.g. "
                          f"{output / (fold(path.stem) or 'source')}.claims.yaml")
    if output.exists() and not overwrite:     # it may hold decisions a person made: never lose them
        raise IngestError(f"{output}: the claims file exists (it may hold review decisions); "
                          "write to another file with -o, or pass --force to replace it")
    stored = store_text(source, sources_dir)
    extraction = extract(source.text, lang)
    meta = {"tool": "vankien ingest", "file": str(path), "language": lang,
            "rules": "graph/ingest/rules.yaml, ontology/lexicon.ttl, graph/ingest/terms.yaml",
            "ingested_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "report": output.with_suffix("").with_suffix(".report.json").name}
    if date:
        meta["date"] = date.isoformat()
    candidates = make_candidates(extraction, source=_source(source, path, lang, url), seeds=seeds,
                                 base_iri=base_iri, ingest_meta=meta)
    report = make_report(extraction, candidates, file=str(path), claims_file=str(output),
                         stored_as=str(stored))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(_HEADER + yaml.safe_dump(candidates.document, allow_unicode=True, sort_keys=False,
                                               width=100), encoding="utf-8")
    report_file = output.parent / meta["report"]
    report_file.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n",
                           encoding="utf-8")
    return IngestResult(output, report_file, report, candidates)


_HEADER = ("# Candidate claims written by `vankien ingest`: every claim is `review: pending` until a person\n"
           "# accepts it (`vankien review`); only accepted claims reach the graph. Format: docs/data-model.md.\n")


def _source(source: SourceText, path: Path, lang: str, url: str | None) -> dict:
    described = {"id": f"ingest-{source.sha256[:12]}", "file": source.file_name, "sha256": source.sha256,
                 "language": lang}
    if url:
        described["url"] = url
    return described
