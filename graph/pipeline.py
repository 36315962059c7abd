"""``vankien build`` and opening the built graph: the I/O around the pure build core.

A build reads the seeds, checks every quote against its source text (when the sources folder is
there), builds the dataset, validates it with the SHACL shapes and only then replaces the last good
artifact (``data_dir/vankien.nq``) and its manifest (``build.json``, carrying the artifact's sha256)
atomically: a failed build leaves the previous graph in place. Builds of one data folder take turns
(a lock file) and first delete what an interrupted build left; opening the artifact checks it
against the manifest.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterator

from rdflib import Dataset

from vankien.ontology import load_ontology
from vankien.graph.errors import NotFound
from vankien.graph.build import BuildError, ShapesViolated, build_dataset
from vankien.graph.lexicon import add_lexicon
from vankien.graph.claims import graph_view, load_claims_paths, load_seed_dir, source_text, verify_quotes
from vankien.graph.settings import Settings
from vankien.graph.store import DiskStore, open_store
from vankien.graph.validate import validate_dataset

ARTIFACT = "vankien.nq"
MANIFEST = "build.json"  # what was built, with the artifact's sha256 (checked on open)
LOCK_FILE = ".build.lock"
log = logging.getLogger("vankien.pipeline")


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
        raise ShapesViolated("the built graph violates the shapes; nothing was replaced:\n" + report.text())
    result = BuildResult(artifact=artifact_path(settings), quads=len(dataset), claims=sum(
        len(claim.facts) for seed in seeds for claim in seed.claims),
        sources=[seed.source.id for seed in seeds], unverified_sources=unverified,
        seconds=time.perf_counter() - started)
    return dataset, result


class ArtifactMismatch(BuildError):
    """The manifest does not describe the artifact beside it (an interrupted build, a hand edit)."""


def write_together(files: list[tuple[Path, bytes]]) -> None:
    """Write every file to a temporary file beside it (flushed to disk), then rename each over its
    target: a crash before the renames changes nothing; one between them leaves a manifest that does
    not match its artifact, which :func:`open_graph` notices. A failed write names its path."""
    written: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
                written.append((tmp, path))
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as problem:
                raise BuildError(f"cannot write {path}: {problem.strerror or problem}; "
                                 "nothing was replaced") from None
        for tmp, path in written:
            os.replace(tmp, path)
    finally:
        for tmp, _ in written:
            Path(tmp).unlink(missing_ok=True)


def remove_leftovers(data_dir: Path) -> list[Path]:
    """Delete the temporary files an interrupted build or load left in ``data_dir``."""
    patterns = (f".{ARTIFACT}.*", f".{MANIFEST}.*", f"{ARTIFACT}.tmp")
    removed = [path for pattern in patterns for path in data_dir.glob(pattern) if path.is_file()]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


@contextmanager
def build_lock(data_dir: Path) -> Iterator[None]:
    """One build at a time per data folder (so leftovers found under the lock are nobody's)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = open(data_dir / LOCK_FILE, "w")
    except OSError as problem:
        what = "is a file, not a folder" if data_dir.is_file() else problem.strerror or str(problem)
        raise BuildError(f"data folder {data_dir}: {what} (--data-dir or VANKIEN_DATA_DIR)") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build(settings: Settings) -> BuildResult:
    """Build the graph and replace the artifact (and a disk or remote store) only when all is well."""
    dataset, result = build_from_seeds(settings)
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    manifest = {"artifact": ARTIFACT, "sha256": hashlib.sha256(nquads).hexdigest(),
                "quads": result.quads, "claims": result.claims, "sources": result.sources,
                "unverified_sources": result.unverified_sources, "built_at": time.time()}
    data_dir = result.artifact.parent
    with build_lock(data_dir):
        remove_leftovers(data_dir)
        write_together([(result.artifact, nquads),
                        (data_dir / MANIFEST, json.dumps(manifest, indent=2).encode())])
    if settings.store != "memory":
        store = open_store(settings)
        try:
            store.replace_with(result.artifact, checked=True)  # serialised by rdflib just now
        finally:
            store.close()
    return result


def check_artifact(artifact: Path) -> str | None:
    """Raise :class:`ArtifactMismatch` when the manifest beside ``artifact`` names another digest;
    return the digest checked. (An artifact without a manifest was written by ``vankien load``:
    nothing to compare, None.)"""
    manifest_path = artifact.parent / MANIFEST
    try:
        expected = json.loads(manifest_path.read_text(encoding="utf-8")).get("sha256")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as problem:
        raise ArtifactMismatch(f"{manifest_path}: unreadable ({problem}); run 'vankien build'") from None
    if expected is None:
        return None  # written before manifests carried the digest
    found = artifact_digest(artifact)
    if found != expected:
        raise ArtifactMismatch(
            f"{artifact} is not the graph {manifest_path} describes (sha256 {found[:12]}… "
            f"≠ {expected[:12]}…): a build was interrupted or the file was changed; run 'vankien build'"
        )
    return found


SNAPSHOT_PREFIX = "snapshot-"
SNAPSHOTS_KEPT = 2  # the current one and the one a server started before the last build may still read


def artifact_digest(artifact: Path) -> str:
    digest = hashlib.sha256()
    with open(artifact, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def serving_settings(settings: Settings) -> Settings:
    """The settings to serve with: for the memory store (unless ``serve_snapshot`` is off), a disk
    store holding a read-only snapshot of the artifact, so that no serving process and no restart
    parses the artifact again (at 100k documents the parse takes ~15 s and 2 GB per process). The
    snapshot is built once per artifact (named by its sha256), by the first process that needs it."""
    if settings.store != "memory" or not settings.serve_snapshot:
        return settings
    artifact, digest = ensure_artifact(settings)
    snapshot = settings.data_dir / f"{SNAPSHOT_PREFIX}{(digest or artifact_digest(artifact))[:16]}"
    try:
        if not snapshot.is_dir():
            with build_lock(settings.data_dir):  # one builder; the others wait, then find it there
                if not snapshot.is_dir():
                    _write_snapshot(artifact, snapshot)
    except OSError as problem:  # e.g. a read-only data folder: serve from memory as before
        log.warning("no snapshot of %s (%s): each serving process loads it", artifact, problem)
        return settings
    return settings.replace(store="disk", store_path=snapshot)


def _write_snapshot(artifact: Path, snapshot: Path) -> None:
    staging = snapshot.with_name(snapshot.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    store = DiskStore(staging)
    try:
        store.load(artifact, "nquads", checked=True)  # only `vankien build` or `load` write it
        store.optimize()
    except BaseException:
        store.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    store.close()
    os.replace(staging, snapshot)
    others = sorted((path for path in snapshot.parent.glob(f"{SNAPSHOT_PREFIX}*") if path != snapshot),
                    key=lambda path: path.stat().st_mtime)
    for stale in others[:max(0, len(others) - (SNAPSHOTS_KEPT - 1))]:
        shutil.rmtree(stale, ignore_errors=True)


def ensure_artifact(settings: Settings, *, build_if_missing: bool = True) -> tuple[Path, str | None]:
    """The artifact, built first when it is missing or does not match its manifest, and its sha256
    when a manifest names it (None for an artifact `vankien load` wrote)."""
    artifact = artifact_path(settings)
    if not artifact.exists():
        if not build_if_missing:
            raise NotFound(f"{artifact} not found: run 'vankien build' first")
        build(settings)
    try:
        return artifact, check_artifact(artifact)
    except ArtifactMismatch:
        if not build_if_missing:
            raise
        build(settings)
        return artifact, check_artifact(artifact)


def open_graph(settings: Settings, *, build_if_missing: bool = True, read_only: bool = False):
    """A store holding the built graph: the memory store loads the artifact; disk and remote stores
    already hold it (the first run builds it). ``read_only``: a disk store that is there is opened
    read-only, so that several serving processes share it and a restart parses nothing."""
    artifact = artifact_path(settings)
    if read_only and settings.store == "disk" and settings.disk_store_path.is_dir():
        return DiskStore(settings.disk_store_path, read_only=True)
    if settings.store == "memory":
        ensure_artifact(settings, build_if_missing=build_if_missing)
        store = open_store(settings)
        store.load(artifact, "nquads", checked=True)  # only `vankien build` or `load` write it
        return store
    store = open_store(settings)
    if store.is_empty() and build_if_missing:
        store.close()          # build() opens the store itself to replace its content
        build(settings)
        store = open_store(settings)
    return store
