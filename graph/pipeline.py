"""``vankien build`` and opening the built graph: the I/O around the pure build core.

A build reads the seeds, checks every quote against its source text (when the sources folder is
there), builds the dataset, validates it with the SHACL shapes and only then replaces the last good
artifact (``data_dir/vankien.nq``) atomically: a failed build leaves the previous graph in place.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from vankien.ontology import load_ontology
from vankien.graph.build import BuildError, build_dataset
from vankien.graph.lexicon import add_lexicon
from vankien.graph.claims import graph_view, load_claims_paths, load_seed_dir, source_text, verify_quotes
from vankien.graph.settings import Settings
from vankien.graph.store import DiskStore, open_store
from vankien.graph.validate import validate_dataset

ARTIFACT = "vankien.nq"
MANIFEST = "build.json"


@dataclass
class BuildResult:
    artifact: Path
    quads: int
    sources: list[str]
    claims: int
    unverified_sources: list[str] = field(default_factory=list)   # quotes not checked: text absent
    seconds: float = 0.0


def artifact_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / ARTIFACT


def build_from_seeds(settings: Settings) -> tuple[Dataset, BuildResult]:
    """Read, check, build and validate; nothing is written."""
    started = time.perf_counter()
    # every file is checked whole on load; only what reaches the graph is built and quote-checked
    seeds = [graph_view(seed) for seed in
             load_seed_dir(settings.seeds_dir) + load_claims_paths(settings.claims)]
    problems, unverified = [], []
    for seed in seeds:
        text = source_text(seed, settings.sources_dir)
        if text is None:
            unverified.append(seed.source.file)
            continue
        problems += verify_quotes(seed, text)
    if problems:
        raise BuildError("quotes do not match their sources:\n" + "\n".join(f"  {p}" for p in problems))
    dataset = build_dataset(seeds, settings.base_iri, load_ontology())
    add_lexicon(dataset, settings.base_iri)        # vocabulary, in its own graph: names for the bodies
    report = validate_dataset(dataset)
    if not report.conforms:
        raise BuildError("the built graph violates the shapes; nothing was replaced:\n" + report.text())
    result = BuildResult(artifact=artifact_path(settings), quads=len(dataset), claims=sum(
        len(claim.facts) for seed in seeds for claim in seed.claims),
        sources=[seed.source.id for seed in seeds], unverified_sources=unverified,
        seconds=time.perf_counter() - started)
    return dataset, result


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target, then rename over it: readers see the old or the new file, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(settings: Settings) -> BuildResult:
    """Build the graph and replace the artifact (and a disk or remote store) only when all is well."""
    dataset, result = build_from_seeds(settings)
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    write_atomically(result.artifact, nquads)
    manifest = {"quads": result.quads, "claims": result.claims, "sources": result.sources,
                "unverified_sources": result.unverified_sources, "built_at": time.time()}
    write_atomically(result.artifact.parent / MANIFEST, json.dumps(manifest, indent=2).encode())
    if settings.store != "memory":
        store = open_store(settings)
        try:
            store.replace_with(result.artifact, checked=True)  # serialised by rdflib just now
        finally:
            store.close()
    return result


def open_graph(settings: Settings, *, build_if_missing: bool = True, read_only: bool = False):
    """A store holding the built graph: the memory store loads the artifact; disk and remote stores
    already hold it (the first run builds it). ``read_only``: a disk store that is there is opened
    read-only, so that several serving processes share it and a restart parses nothing."""
    artifact = artifact_path(settings)
    if read_only and settings.store == "disk" and settings.disk_store_path.is_dir():
        return DiskStore(settings.disk_store_path, read_only=True)
    if settings.store == "memory":
        if not artifact.exists():
            if not build_if_missing:
                raise FileNotFoundError(f"{artifact} not found: run 'vankien build' first")
            build(settings)
        store = open_store(settings)
        store.load(artifact, "nquads", checked=True)  # only `vankien build` or `load` write it
        return store
    store = open_store(settings)
    if len(store) == 0 and build_if_missing:
        store.close()          # build() opens the store itself to replace its content
        build(settings)
        store = open_store(settings)
    return store
