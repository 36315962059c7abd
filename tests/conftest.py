"""Shared pytest fixtures.

``oxigraph_server``: a real Oxigraph server on 127.0.0.1 for the remote-store tests. It is skipped
when the ``oxigraph`` binary is missing, unless ``VANKIEN_REQUIRE_REMOTE=1`` (then it fails).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# The quick selection (`pytest -m "not slow"`) leaves these out: a real browser, remote engines,
# the API fuzzer, worker time-outs and the big synthetic corpora. One list, so no test file needs
# to carry the mark itself.
SLOW_MARKERS = ("browser", "remote")
SLOW_FILES = ("test_api_fuzz.py", "test_backends.py", "test_validate_incremental.py", "test_remote_faults.py",
              "test_hostile.py", "test_ssrf.py", "test_api_e2e.py", "test_executor.py", "test_lookup.py",
              "test_cli_synth.py")
SLOW_TESTS = ("test_fast_validator_reports_what_pyshacl_reports_on_the_seed_graph",   # pySHACL itself
              "test_load_bulk_builds_a_disk_store_and_keeps_it_on_bad_input",
              "test_every_minted_uri_dereferences_as_html_and_turtle")


def pytest_collection_modifyitems(items):
    for item in items:
        if (item.path.name in SLOW_FILES or item.originalname in SLOW_TESTS
                or any(item.get_closest_marker(name) for name in SLOW_MARKERS)):
            item.add_marker(pytest.mark.slow)
SERVER_START_TIMEOUT_S = 20.0


def _oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("oxigraph")


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """Base URL (``http://127.0.0.1:<port>``) of a running Oxigraph server with an empty store."""
    binary = _oxigraph_binary()
    if binary is None:
        reason = "the oxigraph server binary is not installed (pip install oxigraph)"
        if os.environ.get("VANKIEN_REQUIRE_REMOTE") == "1":
            pytest.fail(f"VANKIEN_REQUIRE_REMOTE=1 but {reason}")
        pytest.skip(reason)
    location = tmp_path_factory.mktemp("oxigraph-server") / "db"
    port = _free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = location.parent / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(base_url, process, log_path)
        yield base_url
    finally:
        process.kill()
        process.wait(timeout=10)


def _wait_until_answering(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oxigraph server exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            httpx.post(f"{base_url}/query", data={"query": "ASK {}"}, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"oxigraph server did not answer on {base_url} within {SERVER_START_TIMEOUT_S} s")


@pytest.fixture
def canary():
    """(url, seen) of a canary HTTP server on 127.0.0.1 for one test (tests/canary.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from canary import running_canary
    with running_canary() as running:
        yield running


@pytest.fixture
def store_fixtures() -> Path:
    """Directory of the SYNTHETIC store test files (sample.nq, malformed.nq)."""
    return FIXTURES / "store"


# --- the real graph, built once per test session ------------------------------------------------------

@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(settings, BuildResult) of the real seeds built into a temporary data folder."""
    from vankien.graph.pipeline import build
    from vankien.graph.settings import Settings
    settings = Settings.from_env(data_dir=tmp_path_factory.mktemp("built") / "var", store="memory")
    return settings, build(settings)


@pytest.fixture(scope="session")
def seed_store(built):
    """An embedded store holding the real graph (read-only use, shared by the session)."""
    from vankien.graph.pipeline import open_graph
    store = open_graph(built[0], build_if_missing=False)
    yield store
    store.close()


@pytest.fixture(scope="session")
def api_client(built):
    """An in-process client of the app serving the real graph (one runtime for the session)."""
    from fastapi.testclient import TestClient
    from vankien.api.app import create_app
    with TestClient(create_app(built[0])) as client:
        yield client


# --- a real browser -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """Debian chromium through Playwright; skipped when it is missing, unless
    VANKIEN_REQUIRE_BROWSER=1 (then the test fails)."""
    chromium_path = Path("/usr/bin/chromium")
    if not chromium_path.exists():
        reason = f"{chromium_path} is missing (apt-get install chromium)"
        if os.environ.get("VANKIEN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"VANKIEN_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    sys.path.insert(0, str(FIXTURES / "viz"))
    from viz_support import CHROMIUM_ARGS
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
