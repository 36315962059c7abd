"""Serving the memory store from a read-only snapshot on disk: built once per artifact, then every
web worker process and every restart opens it instead of parsing the artifact again."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from vankien.graph import queries, synth
from vankien.graph.pipeline import SNAPSHOT_PREFIX, serving_settings
from vankien.graph.settings import Settings, SettingsError
from vankien.graph.store import DiskStore, MemoryStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import stop_session

START_TIMEOUT_S = 120


def load_corpus(data_dir: Path, documents: int, seed: int) -> Path:
    """A SYNTHETIC corpus made the memory store's artifact, as `vankien load` does."""
    corpus = data_dir.parent / f"synthetic-{seed}.nq"
    synth.generate(documents, seed, corpus, ontology=True)
    done = subprocess.run([sys.executable, "-m", "vankien", "load", str(corpus), "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return data_dir / "vankien.nq"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def snapshots(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob(f"{SNAPSHOT_PREFIX}*"))


def answers(store) -> dict:
    return queries.comparable({"documents": queries.documents(store, limit=50),
                               "implementations": queries.implementations(store)})


def test_the_snapshot_answers_as_the_memory_store_and_is_built_once(tmp_path):
    data_dir = tmp_path / "data"
    artifact = load_corpus(data_dir, 300, seed=5)
    settings = Settings(data_dir=data_dir, store="memory")
    serving = serving_settings(settings)
    assert serving.store == "disk" and serving.store_path in snapshots(data_dir)
    memory = MemoryStore()
    memory.load(artifact, checked=True)
    snapshot = DiskStore(serving.store_path, read_only=True)
    try:
        assert answers(snapshot) == answers(memory) and len(snapshot) == len(memory)
    finally:
        snapshot.close()
    built = serving.store_path.stat().st_mtime_ns
    again = serving_settings(settings)  # a restart, or a second worker process
    assert again.store_path == serving.store_path and again.store_path.stat().st_mtime_ns == built
    assert snapshots(data_dir) == [serving.store_path]


def test_new_data_gets_a_new_snapshot_and_old_ones_are_removed(tmp_path):
    data_dir = tmp_path / "data"
    seen = []
    for seed in (1, 2, 3):
        load_corpus(data_dir, 100, seed=seed)
        serving = serving_settings(Settings(data_dir=data_dir, store="memory"))
        seen.append(serving.store_path)
        store = DiskStore(serving.store_path, read_only=True)
        try:
            titles = {title for doc in queries.documents(store, limit=5) for title in doc["titles"]}
        finally:
            store.close()
        assert any(f"(seed {seed})" in title for title in titles), titles
    assert len(set(seen)) == 3
    assert snapshots(data_dir) == sorted(seen[1:])  # the newest two are kept


def test_the_snapshot_can_be_turned_off():
    settings = Settings.from_env({"VANKIEN_SERVE_SNAPSHOT": "off"}, store="memory")
    assert settings.serve_snapshot is False and serving_settings(settings) is settings
    with pytest.raises(SettingsError, match="VANKIEN_SERVE_SNAPSHOT='maybe'"):
        Settings.from_env({"VANKIEN_SERVE_SNAPSHOT": "maybe"})


def test_two_web_workers_and_a_restart_serve_one_snapshot(tmp_path):
    """`vankien serve --web-workers 2` twice: both runs answer from the one snapshot."""
    data_dir = tmp_path / "data"
    artifact = load_corpus(data_dir, 300, seed=7)
    memory = MemoryStore()
    memory.load(artifact, checked=True)
    expected = {doc["iri"] for doc in queries.documents(memory, limit=20)}
    built = None
    for _run in range(2):
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "vankien", "serve", "--data-dir", str(data_dir),
                                   "--port", str(port), "--web-workers", "2"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            listed = []
            deadline = time.monotonic() + START_TIMEOUT_S
            while len(listed) < 6 and time.monotonic() < deadline:
                try:  # a new connection each time: the two worker processes take turns
                    got = httpx.get(f"http://127.0.0.1:{port}/documents", params={"limit": 20}, timeout=30)
                except httpx.TransportError:
                    time.sleep(0.5)
                    continue
                assert got.status_code == 200, got.text
                listed.append({doc["iri"] for doc in got.json()["documents"]})
            assert listed and all(found == expected for found in listed), server.stderr
        finally:
            stop_session(server)
        [snapshot] = snapshots(data_dir)
        assert built is None or snapshot.stat().st_mtime_ns == built  # the restart reused it
        built = snapshot.stat().st_mtime_ns
