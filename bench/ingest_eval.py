"""Precision and recall of `vankien ingest` per language on the SYNTHETIC development set
(tests/fixtures/ingest/devset.yaml) and on SYNTHETIC held-out texts (heldout.yaml, not used to tune
the rules): documents, relations, figures and subjects, every candidate counted as if accepted.
With --seed, also the seed article (needs the sources folder), as issue 12 states it: ingested with
`--lang de` and the URL of its "Quelle:" line, every candidate accepted through the review core
(what `vankien review --accept-all` does), then precision and recall of the accepted claims on the
curated documents, on vk:implements, on all curated relations and on the figures of
seeds/dien-bien-2024.yaml.

    python bench/ingest_eval.py [--seed] [--verbose]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

from vankien.graph.claims import load_seed_dir
from vankien.graph.ingest import ingest_file
from vankien.graph.ingest.evaluate import gold_sets, precision_recall, scores, summarise
from vankien.graph.review import ClaimsFile
from vankien.graph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "fixtures" / "ingest" / "devset.yaml"
HELDOUT = ROOT / "tests" / "fixtures" / "ingest" / "heldout.yaml"   # not used to tune the rules
SEED_FILE = ROOT / "seeds" / "dien-bien-2024.yaml"
KINDS = ("documents", "relations", "figures", "subjects")


def run_set(path: Path, verbose: bool) -> dict:
    settings = Settings.from_env()
    seeds = load_seed_dir(settings.seeds_dir)
    totals: dict = defaultdict(lambda: [0, 0, 0])
    with tempfile.TemporaryDirectory(prefix="vk-ingest-eval-") as tmp:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["texts"]:
            path = Path(tmp) / f"{item['id']}.txt"
            path.write_text(item["text"], encoding="utf-8")
            result = ingest_file(path, seeds=seeds, sources_dir=Path(tmp) / "sources",
                                 base_iri=settings.base_iri, output=Path(tmp) / f"{item['id']}.claims.yaml",
                                 lang=item["lang"])
            found, gold = summarise(result.candidates.document), gold_sets(item["gold"])
            for kind in KINDS:
                tp, n_found, n_gold = scores(getattr(found, kind), getattr(gold, kind))
                for key in (item["lang"], "all"):
                    totals[(key, kind)] = [a + b for a, b in zip(totals[(key, kind)], (tp, n_found, n_gold))]
                if verbose and getattr(found, kind) != getattr(gold, kind):
                    print(f"  {item['id']} {kind}: missed {sorted(map(str, getattr(gold, kind) - getattr(found, kind)))}"
                          f" extra {sorted(map(str, getattr(found, kind) - getattr(gold, kind)))}")
    return totals


def seed_recall() -> str:
    settings = Settings.from_env()
    source = settings.sources_dir / "000_9108560e6253c378.txt"
    if not source.is_file():
        return f"seed article: not found in {settings.sources_dir} (set VANKIEN_SOURCES_DIR)"
    curated = summarise(yaml.safe_load(SEED_FILE.read_text(encoding="utf-8")))
    quelle = re.search(r"^Quelle: (\S+)", source.read_text(encoding="utf-8"), re.M)
    with tempfile.TemporaryDirectory(prefix="vk-ingest-seed-") as tmp:
        result = ingest_file(source, seeds=load_seed_dir(settings.seeds_dir), sources_dir=Path(tmp),
                             base_iri=settings.base_iri, output=Path(tmp) / "seed.claims.yaml", lang="de",
                             url=quelle.group(1) if quelle else None)
        review = ClaimsFile(result.claims_file, Path(tmp))
        review.decide([claim.id for claim in review.pending()], "accepted", "bench/ingest_eval.py")
        found = summarise(yaml.safe_load(result.claims_file.read_text(encoding="utf-8")), accepted_only=True)
    lines = []
    for kind, gold, got in (("curated documents", curated.documents, found.documents),
                            ("vk:implements", {r for r in curated.relations if r[1] == "vk:implements"},
                             {r for r in found.relations if r[1] == "vk:implements"}),
                            ("relations", curated.relations, found.relations),
                            ("figures", curated.figures, found.figures)):
        p, r = precision_recall(*scores(got, gold))
        lines.append(f"seed article, {kind:<18} precision {p:.2f}  recall {r:.2f}  ({len(got & gold)}/{len(gold)})")
    url = f"--url {quelle.group(1)}" if quelle else "no Quelle line, no --url"
    return f"seed article (--lang de, {url}; all candidates accepted):\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", action="store_true", help="also score the seed article")
    parser.add_argument("--verbose", action="store_true", help="list misses and extras per text")
    args = parser.parse_args(argv)
    for title, path in (("development set", DEVSET), ("held-out set (not used to tune the rules)", HELDOUT)):
        totals = run_set(path, args.verbose)
        print(f"SYNTHETIC {title}: {path.relative_to(ROOT)}, all candidates as if accepted")
        print(f"{'language':<9}{'kind':<11}{'precision':>10}{'recall':>8}{'tp/found/gold':>16}")
        for lang in ("vi", "de", "en", "all"):
            for kind in KINDS:
                tp, n_found, n_gold = totals[(lang, kind)]
                p, r = precision_recall(tp, n_found, n_gold)
                print(f"{lang:<9}{kind:<11}{p:>10.2f}{r:>8.2f}{f'{tp}/{n_found}/{n_gold}':>16}")
        print()
    if args.seed:
        print(seed_recall())
    return 0


if __name__ == "__main__":
    sys.exit(main())
