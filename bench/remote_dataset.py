"""How the Oxigraph server answers vankien's queries with each VANKIEN_REMOTE_DATASET: `listed`
(vankien's ~200 graphs named as default-graph-uri / named-graph-uri) and `union` (the engine's own
union default graph). SYNTHETIC corpus, Oxigraph server started on 127.0.0.1 by tests/engines.py.

    python bench/remote_dataset.py --documents 10000 --timeout 600

Prints, per query and dataset, the seconds one run takes (a run cut at --timeout is shown as
"> N s") and whether both datasets gave the same rows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vankien.graph import queries
from vankien.graph.namespaces import sparql_iri
from vankien.graph.remote.store import RemoteStore
from vankien.graph.settings import Settings
from vankien.graph.store_interface import StoreTimeout
from vankien.graph.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import engines  # the launchers the tests use


def bench_queries(stats) -> dict[str, Callable[[RemoteStore], list[dict]]]:
    """The measured queries, each as a function of the store giving its rows."""
    document = sparql_iri(stats.deepest_doc)
    page = """SELECT ?doc (MIN(STR(?n)) AS ?key) WHERE {
            ?doc a/rdfs:subClassOf* vk:PartyDocument OPTIONAL { ?doc skos:notation ?n } }
            GROUP BY ?doc ORDER BY ?key ?doc LIMIT 500"""
    return {
        "page of 500 documents": lambda store: queries.rows(store, page),
        "evidence of one document": lambda store: queries.evidence_rows(
            store, f"VALUES (?s ?o) {{ ({document} UNDEF) (UNDEF {document}) }}"),
        "statements of one document": lambda store: queries.rows(store, f"SELECT ?p ?o WHERE {{ {document} ?p ?o }}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one query may take")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "synthetic.nq"
        stats = generate(args.documents, seed=5, out=corpus, ontology=True)
        with engines.oxigraph(Path(folder)) as engine:
            settings = {mode: Settings(store="remote", remote_dataset=mode, query_timeout_s=args.timeout, **engine)
                        for mode in ("listed", "union")}
            with RemoteStore(settings["union"]) as store:
                started = time.perf_counter()
                store.replace_with(corpus, checked=True)
                print(f"{args.documents} documents, {len(store.graphs())} graphs: loaded in "
                      f"{time.perf_counter() - started:.1f} s")
            for name, run in bench_queries(stats).items():
                answers, shown = {}, []
                for mode in ("union", "listed"):
                    with RemoteStore(settings[mode]) as store:
                        started = time.perf_counter()
                        try:
                            answers[mode] = queries.comparable(run(store))
                            shown.append(f"{mode} {time.perf_counter() - started:.2f} s")
                        except StoreTimeout:
                            shown.append(f"{mode} > {args.timeout:g} s")
                same = "same rows" if len(answers) == 2 and answers["union"] == answers["listed"] else "not compared"
                print(f"{name}: {', '.join(shown)} ({same})", flush=True)


if __name__ == "__main__":
    main()
