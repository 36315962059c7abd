"""Shared pytest fixtures.

``oxigraph_server`` and ``virtuoso_server``: a real Oxigraph server and a real Virtuoso (Debian
``virtuoso-opensource``) on 127.0.0.1 for the remote-store tests; ``remote_engine`` is each of them
in turn, as remote-store settings. They are skipped when the binary is missing, unless
``VANKIEN_REQUIRE_REMOTE=1`` (then they fail).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
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
        _missing("the oxigraph server binary is not installed (pip install oxigraph)")
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
        _wait_until_answering(f"{base_url}/query", process, log_path)
        yield base_url
    finally:
        process.kill()
        process.wait(timeout=10)


def _wait_until_answering(query_url: str, process: subprocess.Popen, log_path: Path,
                          timeout_s: float = SERVER_START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{query_url}: server exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if httpx.post(query_url, data={"query": "ASK {}"}, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"{query_url}: server did not answer within {timeout_s} s")


def _missing(reason: str):
    if os.environ.get("VANKIEN_REQUIRE_REMOTE") == "1":
        pytest.fail(f"VANKIEN_REQUIRE_REMOTE=1 but {reason}")
    pytest.skip(reason)


# Virtuoso from its own ini in a temporary folder: both listeners on loopback, files only there.
VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {dir}
NumberOfBuffers = 40000
MaxDirtyBuffers = 30000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 8
MaxClientConnections = 8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""
VIRTUOSO_START_TIMEOUT_S = 90.0


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Settings (query URL, user, password) of a fresh Virtuoso 7 on 127.0.0.1; the dba password is
    a random one, set with isql, so the tests exercise digest authentication."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if binary is None or isql is None:
        _missing("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = _free_loopback_port(), _free_loopback_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    query_url = f"http://127.0.0.1:{http_port}/sparql"
    password = secrets.token_hex(8)
    process = _start_virtuoso(binary, ini, query_url)
    try:
        _isql(isql, sql_port, "dba", f"user_change_password('dba', 'dba', '{password}');")
        settings = {"remote_query_url": query_url, "remote_user": "dba", "remote_password": password}
        # Virtuoso 7.2 answers property paths over a dataset wrongly (one row of several) in the
        # session that first loaded the vocabulary, until it is restarted
        # (openlink/virtuoso-opensource#127, #929): load the ontology, then restart, as the README says.
        _load_ontology(settings, folder)
        _isql(isql, sql_port, password, "shutdown;", check=False)
        process.wait(timeout=60)
        process = _start_virtuoso(binary, ini, query_url)
        yield settings
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _load_ontology(remote: dict, folder: Path) -> None:
    from vankien.graph.settings import Settings
    from vankien.graph.store import open_store
    from vankien.graph.synth import ontology_nquads
    path = folder / "ontology.nq"
    path.write_bytes(ontology_nquads())
    with open_store(Settings(store="remote", **remote)) as store:
        store.replace_with(path)


def _start_virtuoso(binary: str, ini: Path, query_url: str) -> subprocess.Popen:
    log_path = ini.parent / "console.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=ini.parent,
                                   stdout=log, stderr=subprocess.STDOUT)
    _wait_until_answering(query_url, process, log_path, VIRTUOSO_START_TIMEOUT_S)
    return process


def _isql(isql: str, sql_port: int, password: str, statement: str, check: bool = True) -> None:
    subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", password, f"exec={statement}"],
                   check=check, capture_output=True, timeout=60)


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def remote_engine(request):
    """Remote-store settings for each engine in turn (Oxigraph server, Virtuoso)."""
    if request.param == "oxigraph":
        return {"remote_query_url": request.getfixturevalue("oxigraph_server") + "/query"}
    return request.getfixturevalue("virtuoso_server")


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
