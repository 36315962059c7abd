"""Start real SPARQL engines on 127.0.0.1 for tests and benchmarks: the Oxigraph server (PyPI
``oxigraph``) and Virtuoso 7 (Debian ``virtuoso-opensource``), each from its own folder.

    with oxigraph(folder) as engine: ...     # engine: remote-store settings (a dict)
    with virtuoso(folder) as engine: ...     # includes remote_user / remote_password

Like tests/serving.py, import it after putting this folder on ``sys.path``.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

import httpx

START_TIMEOUT_S = 90.0
# Virtuoso's own graphs, made private to the query user so that its union default graph holds
# vankien's graphs alone (VANKIEN_REMOTE_DATASET=union; README "Remote stores", Virtuoso).
VIRTUOSO_PRIVATE_GROUP = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
VIRTUOSO_OWN_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                       "http://localuriqaserver/sparql")
VIRTUOSO_PRIVATE = [f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{VIRTUOSO_PRIVATE_GROUP}', 1);",
                    *(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{VIRTUOSO_PRIVATE_GROUP}', '{g}');" for g in VIRTUOSO_OWN_GRAPHS),
                    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);"]
_virtuoso_sql: dict[str, tuple[str, int, str]] = {}   # query URL → (isql, SQL port, dba password)
# Virtuoso from its own ini: both listeners on loopback, its files only in the folder.
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
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
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


class EngineMissing(RuntimeError):
    """The engine's binary is not installed."""


def oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.is_file() else shutil.which("oxigraph")


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def oxigraph(folder: Path) -> Iterator[dict]:
    binary = oxigraph_binary()
    if binary is None:
        raise EngineMissing("the oxigraph server binary is not installed (pip install oxigraph)")
    port = free_loopback_port()
    query_url = f"http://127.0.0.1:{port}/query"
    log_path = folder / "oxigraph.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([binary, "serve", "--location", str(folder / "db"), "--bind",
                                    f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(query_url, process, log_path, 20.0)
        yield {"remote_query_url": query_url}
    finally:
        _stop(process)


@contextmanager
def virtuoso(folder: Path, *, buffers: int = 40_000) -> Iterator[dict]:
    """A fresh Virtuoso whose dba password is a random one (set with isql): remote-store settings."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if binary is None or isql is None:
        raise EngineMissing("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    sql_port, http_port = free_loopback_port(), free_loopback_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port,
                                       buffers=buffers, dirty_buffers=buffers * 3 // 4))
    query_url = f"http://127.0.0.1:{http_port}/sparql"
    password = secrets.token_hex(8)
    process = _start_virtuoso(binary, ini, query_url)
    try:
        _isql(isql, sql_port, "dba", f"user_change_password('dba', 'dba', '{password}');")
        settings = {"remote_query_url": query_url, "remote_user": "dba", "remote_password": password}
        # Virtuoso 7.2 answers property paths over a dataset wrongly (one row of several) in the
        # session that first stored the vocabulary, until it is restarted
        # (openlink/virtuoso-opensource#127, #929): load the ontology, then restart, as the README says.
        _load_ontology(settings, folder)
        _isql(isql, sql_port, password, "shutdown;", check=False)
        process.wait(timeout=60)
        process = _start_virtuoso(binary, ini, query_url)
        _virtuoso_sql[query_url] = (isql, sql_port, password)
        for statement in VIRTUOSO_PRIVATE:
            virtuoso_sql(query_url, statement)
        yield settings
    finally:
        _virtuoso_sql.pop(query_url, None)
        _stop(process)


def virtuoso_sql(query_url: str, statement: str) -> None:
    """Run one SQL statement as dba on the Virtuoso started here whose SPARQL URL is ``query_url``."""
    isql, sql_port, password = _virtuoso_sql[query_url]
    _isql(isql, sql_port, password, statement)


def oxigraph_bulk_load(folder: Path, nquads: Path) -> None:
    """Fill the store ``oxigraph(folder)`` serves with its own bulk loader (before it is started)."""
    binary = oxigraph_binary()
    if binary is None:
        raise EngineMissing("the oxigraph server binary is not installed (pip install oxigraph)")
    subprocess.run([binary, "load", "--location", str(folder / "db"), "--file", str(nquads), "--lenient"],
                   check=True, capture_output=True, timeout=3600)


def wait_until_answering(query_url: str, process: subprocess.Popen, log_path: Path,
                         timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{query_url}: server exited with {process.returncode}: "
                               f"{log_path.read_text()[-2000:]}")
        try:
            if httpx.post(query_url, data={"query": "ASK {}"}, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{query_url}: server did not answer within {timeout_s} s")


def _start_virtuoso(binary: str, ini: Path, query_url: str) -> subprocess.Popen:
    log_path = ini.parent / "console.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=ini.parent,
                                   stdout=log, stderr=subprocess.STDOUT)
    wait_until_answering(query_url, process, log_path)
    return process


def _isql(isql: str, sql_port: int, password: str, statement: str, check: bool = True) -> None:
    done = subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", password, f"exec={statement}"],
                          check=check, capture_output=True, timeout=60, text=True)
    if check and "*** Error" in done.stdout + done.stderr:   # isql exits 0 on an SQL error
        raise RuntimeError(f"isql {statement!r}: {(done.stdout + done.stderr).strip()[-500:]}")


def _load_ontology(remote: dict, folder: Path) -> None:
    from vankien.graph.settings import Settings
    from vankien.graph.store import open_store
    from vankien.graph.synth import ontology_nquads
    path = folder / "ontology.nq"
    path.write_bytes(ontology_nquads())
    with open_store(Settings(store="remote", **remote)) as store:
        store.replace_with(path)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
