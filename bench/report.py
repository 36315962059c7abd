"""The Markdown report of bench/run.py: one table per corpus size (metric, vankien, rdflib, ratio,
target, met?) plus the machine and the exact command. Figures are the dicts the benchmark children
return: a time as {"p50", "p99", "runs"}, a cut rdflib run as {"timeout": s[, "cut_at": size]}.
"""

from __future__ import annotations

import os
import platform
import time

import pyoxigraph as ox
import rdflib

def seconds_text(value: float) -> str:
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.1f} s"


def cell(figure) -> str:
    """A figure as table text: p50 (p99, runs), a time limit hit, or a plain value."""
    if figure is None:
        return "not run"
    if isinstance(figure, str):
        return figure
    if "error" in figure:
        return f"error: {figure['error'][:80]}"
    if "timeout" in figure:
        where = f", cut at {figure['cut_at']:,} docs" if "cut_at" in figure else ""
        return f"> {figure['timeout']:.0f} s{where}"
    if "p99" in figure and figure.get("runs", 1) > 1:
        return f"{seconds_text(figure['p50'])} (p99 {seconds_text(figure['p99'])}, n={figure['runs']})"
    return seconds_text(figure["p50"])


def ratio(vankien, baseline) -> str:
    if not isinstance(vankien, dict) or not isinstance(baseline, dict) or "p50" not in vankien:
        return ""
    if "timeout" in baseline:
        return f"> {baseline['timeout'] / vankien['p50']:,.0f}×"
    return f"{baseline['p50'] / vankien['p50']:,.0f}×" if "p50" in baseline else ""


def speed_row(metric, vankien, baseline, limit_s=None, min_ratio=None):
    """(metric, vankien, rdflib, ratio, target, met?) for a time; targets optional."""
    targets, met = [], []
    if limit_s is not None:
        targets.append(f"≤ {seconds_text(limit_s)}")
        met.append(isinstance(vankien, dict) and vankien.get("p50", 1e9) <= limit_s)
    if min_ratio is not None:
        targets.append(f"≥ {min_ratio}× rdflib")
        if isinstance(baseline, dict) and "p50" in vankien:
            bound = baseline.get("p50", baseline.get("timeout", 0))
            met.append(bound / vankien["p50"] >= min_ratio)
    return (metric, cell(vankien), cell(baseline), ratio(vankien, baseline), ", ".join(targets) or "—",
            ("yes" if all(met) else "**no**") if met else "—")


def memory_row(metric, build, baseline):
    return value_row(metric, f"{build['peak_mb']:,.0f} MB", "≤ 1,536 MB", build["peak_mb"] <= 1536,
                     f"{baseline['peak_mb']:,.0f} MB" if baseline else "not run",
                     f"{baseline['peak_mb'] / build['peak_mb']:.1f}×" if baseline else "")


def value_row(metric, text, target="—", met=None, baseline="", ratio_text=""):
    return (metric, text, baseline, ratio_text, target, "—" if met is None else "yes" if met else "**no**")


def as_time(seconds: float) -> dict:
    return {"p50": seconds, "runs": 1}


def table_rows(fig: dict) -> list[tuple]:
    v, r, shacl, api = fig["vankien"], fig.get("rdflib") or {}, fig["shacl"], fig.get("api")
    build, strict, r_build = v["build"], fig["strict_build"], r.get("build")
    rows = [
        value_row("corpus", f"{fig['documents']:,} docs, {build['quads']:,} quads "
                  f"({build['quads'] / fig['documents']:.0f} per document; generated in "
                  f"{fig['generate_s']:.1f} s)"),
        speed_row("build: memory store bulk load of the checked artifact / rdflib parse",
                  as_time(build["seconds"]), as_time(r_build["seconds"]) if r_build else None, 10.0),
        memory_row("build: peak memory (RSS), checked artifact / rdflib", build, r_build),
        speed_row("build: memory store bulk load of an unchecked file (strict parse) / rdflib parse",
                  as_time(strict["seconds"]), as_time(r_build["seconds"]) if r_build else None, 10.0),
        memory_row("build: peak memory (RSS), unchecked file / rdflib", strict, r_build),
        value_row("build: disk store bulk load", f"{seconds_text(fig['disk']['seconds'])}, "
                  f"peak {fig['disk']['peak_mb']:,.0f} MB"),
        speed_row("reopen disk store + one lookup", as_time(fig["reopen"]["seconds"]), None, 1.0),
        speed_row("lookup by number (+ jurisdiction, term): one document (raw SPARQL)",
                  v["lookup_identity"], r.get("lookup_identity"), 0.0005, 100),
        speed_row("lookup by number (+ jurisdiction, term): find_documents_by_number(place=, term=), "
                  "with its summary", v["lookup_identity_function"], r.get("lookup_identity_function"),
                  0.0005, 100),
        speed_row("lookup by number alone: every document with it (raw SPARQL)", v["lookup_sparql"],
                  r.get("lookup_sparql"), None, None),
        speed_row("lookup by number alone: find_documents_by_number, every namesake with its summary",
                  v["lookup_function"],
                  r.get("lookup_function"), 0.0005, 100),
        speed_row("lineage, typical document", v["lineage_typical"], r.get("lineage_typical")),
        speed_row("lineage, worst case (deepest chain)", v["lineage_worst"], r.get("lineage_worst"),
                  0.010, 20),
        speed_row("3-hop provenance of one claimed edge", v["provenance"], r.get("provenance"), 0.020),
        speed_row(f"SHACL full ({shacl['full_violations']} violations) / pySHACL",
                  as_time(shacl["full_s"]), r.get("shacl_full"), 30.0),
        speed_row(f"SHACL incremental, one new source ({shacl['focus_nodes']} focus nodes)",
                  as_time(shacl["incremental_s"]), None, 2.0),
    ]
    for name, label in (("lineage", "API lineage (/documents/{iri}/implemented-by)"),
                        ("sparql", "API /sparql lookup by number")):
        if api is None:
            continue
        load = api[name]
        rows.append(value_row(f"{label}: throughput", f"{load['rps']:,.0f} req/s",
                              "≥ 150 req/s" if name == "lineage" else "—",
                              load["rps"] >= 150 if name == "lineage" else None))
        rows.append(value_row(f"{label}: latency p50 / p99", f"{seconds_text(load['p50'])} / "
                              f"{seconds_text(load['p99'])}", "p99 ≤ 50 ms", load["p99"] <= 0.050))
        rows.append(value_row(f"{label}: errors", f"{load['errors']} of {load['runs']:,}", "0",
                              load["errors"] == 0))
    remote = fig.get("engines", {}).get("remote") or fig.get("remote")
    if remote:
        rows.append(value_row("Oxigraph server and Virtuoso: identical answers to the competency queries",
                              remote, "yes", remote == "yes"))
    return rows


def machine() -> str:
    memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} CPUs (nproc), {memory_kb / 1024 / 1024:.1f} GB RAM, "
            f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}, "
            f"{platform.platform()}")


def markdown(results: dict, command: str, settings: str) -> str:
    lines = ["# vankien scale benchmark", "",
             "Written by `bench/run.py` (see bench/README.md for what each figure means). All corpora "
             "are SYNTHETIC (`vankien.graph.synth`). Targets are those of the issue, stated for "
             "\"100k documents ≈ 2M triples\"; they are checked at every size. A synthetic document "
             "brings ~54 quads (each claimed edge has its claim, quote and selectors), so the issue's "
             "2M triples are the 38,000-document corpus, and 100,000 documents are ~5.4M quads.", "",
             f"- command: `{command}`", f"- machine: {machine()}",
             f"- date: {time.strftime('%Y-%m-%d %H:%M')}; {settings}", ""]
    for size, fig in results.items():
        lines += [f"## {size:,} documents", "", "| metric | vankien | rdflib | ratio | target | met? |",
                  "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in table_rows(fig)]
        lines.append("")
    return "\n".join(lines)
