"""Time to the first interactive frame of the graph view for a SYNTHETIC 1,000-node graph.

Builds a random typed graph in memory (networkx; nothing real), renders it with
``vankien.api.graph_page.render_html``, opens the file in Debian chromium (every network request
blocked) and measures from navigation to ``window.vankienReady`` (stabilised, physics off, drawn).

    python bench/viz_first_frame.py [--nodes 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from vankien.api import graph_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# (kind, type, share of nodes)
MIX = [("document", "Directive", .05), ("document", "Resolution", .15), ("document", "Plan", .25),
       ("document", "Guidance", .10), ("document", "Project", .05), ("document", "Regulation", .05),
       ("document", "Conclusion", .05), ("body", "PartyCommittee", .10), ("goal", "Goal", .05),
       ("observation", "Observation", .10), ("term", "Term", .05)]


def synthetic_graph(size: int, seed: int = 1) -> nx.DiGraph:
    """A SYNTHETIC graph: documents implement earlier documents and are issued by bodies."""
    rng = random.Random(seed)
    graph = nx.DiGraph()
    kinds = rng.choices(MIX, weights=[share for *_, share in MIX], k=size)
    for number, (kind, type_name, _) in enumerate(kinds):
        graph.add_node(f"syn:{number}", kind=kind, type=type_name, label=f"SYNTHETIC {type_name} {number}",
                       titles=f"SYNTHETIC title {number}")
    by_kind: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_kind.setdefault(data["kind"], []).append(node)
    documents = by_kind.get("document", [])
    for position, doc in enumerate(documents):
        if position:
            graph.add_edge(doc, documents[rng.randrange(position)], label="implements")
        if by_kind.get("body"):
            graph.add_edge(doc, rng.choice(by_kind["body"]), label="issuedBy")
    for node in by_kind.get("observation", []) + by_kind.get("goal", []):
        graph.add_edge(node, rng.choice(documents), label="concerns")
    for node in by_kind.get("term", []):
        graph.add_edge(rng.choice(documents), node, label="issuedInTerm")
    return graph


def first_frame(browser, url: str) -> tuple[float, float, int]:
    """(wall seconds from goto to ready, in-page ms since navigation start, drawn nodes)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function("window.vankienReady === true", timeout=300_000, polling=20)
    wall = time.perf_counter() - started
    in_page, drawn = page.evaluate("[window.vankienReadyMs, window.vankienNodeCount]")
    page.close()
    return wall, in_page, drawn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    graph = synthetic_graph(args.nodes)
    started = time.perf_counter()
    page_html = graph_page.render_html(graph, title=f"SYNTHETIC {args.nodes}-node graph")
    render_s = time.perf_counter() - started
    path = Path(tempfile.mkdtemp(prefix="vankien-bench-")) / "graph.html"
    path.write_text(page_html, encoding="utf-8")
    print(f"SYNTHETIC graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
          f"render_html {render_s:.2f} s, page {len(page_html) / 1e6:.1f} MB")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            results = [first_frame(browser, path.as_uri()) for _ in range(args.runs)]
        finally:
            browser.close()
    for run, (wall, in_page, drawn) in enumerate(results, 1):
        print(f"run {run}: first interactive frame {wall:.2f} s (in page {in_page / 1000:.2f} s), {drawn} nodes drawn")
    print(f"median first interactive frame: {statistics.median(r[0] for r in results):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
