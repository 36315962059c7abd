"""``live_server(app)``: run an ASGI app in a REAL uvicorn on 127.0.0.1 for end-to-end tests.

The server listens on a socket bound to ``127.0.0.1:0`` (the kernel picks a free port, so there is
no race between choosing a port and binding it), runs in a daemon thread, and the context manager
yields the base URL (``http://127.0.0.1:<port>``) once the app has started and answers HTTP::

    with live_server(create_app(settings)) as base_url:
        httpx.get(f"{base_url}/sparql", params={"query": "ASK {}"})

Importing it: ``tests/`` has no ``__init__.py`` and pytest runs with ``--import-mode=importlib``,
which does not put ``tests/`` on ``sys.path``. A test file therefore adds its own folder first::

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from serving import live_server

(``from tests.serving import live_server`` also works when the checkout root is on ``sys.path``,
e.g. with ``pythonpath = ["."]`` in the pytest settings.)
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from collections.abc import Iterator

import httpx
import uvicorn

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


@contextmanager
def live_server(app, *, probe_path: str = "/openapi.json", log_level: str = "warning") -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (free port) in a thread; yield the base URL; stop on exit.

    ``probe_path`` is requested until it answers (any status) before the URL is handed out.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    if hasattr(app.state, "settings"):  # vankien's app: served as `vankien serve` serves it
        from vankien.api.app import uvicorn_config
        config = uvicorn_config(app, log_level=log_level, lifespan="on")
    else:
        config = uvicorn.Config(app, log_level=log_level, lifespan="on")
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            server.run(sockets=[listener])  # uvicorn skips signal handlers outside the main thread
        except BaseException as error:  # reported to the waiting test below
            failure.append(error)

    thread = threading.Thread(target=serve, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        _wait_until_answering(base_url + probe_path, server, thread, failure)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            server.force_exit = True
            thread.join(STOP_TIMEOUT_S)
        listener.close()


def _wait_until_answering(url: str, server, thread: threading.Thread, failure: list) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if failure or not thread.is_alive():
            raise RuntimeError(f"uvicorn stopped before answering {url}: {failure[:1] or 'no error'}")
        if server.started:
            try:
                httpx.get(url, timeout=2.0)
                return
            except httpx.TransportError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"uvicorn did not answer {url} within {START_TIMEOUT_S} s")


@contextmanager
def vankien_serving(nquads, folder, **settings) -> Iterator[str]:
    """A real uvicorn serving vankien over the N-Quads file ``nquads`` (SYNTHETIC or test data);
    ``folder`` holds the data folder, ``settings`` override :class:`Settings` fields."""
    with vankien_runtime_serving(nquads, folder, **settings) as (url, _):
        yield url


@contextmanager
def vankien_runtime_serving(nquads, folder, **settings) -> Iterator[tuple]:
    """(base URL, Runtime): :func:`vankien_serving` for a test that also reaches into the runtime."""
    from vankien.api.app import Runtime, create_app
    from vankien.graph.executor import QueryExecutor
    from vankien.graph.settings import Settings
    from vankien.graph.store import MemoryStore

    config = Settings.from_env(data_dir=folder, seeds_dir=folder, sources_dir=folder, **settings)
    store = MemoryStore()
    store.load(nquads)
    with QueryExecutor(config, nquads) as executor:
        runtime = Runtime(config, store, executor)
        with live_server(create_app(runtime=runtime)) as url:
            yield url, runtime


def oxigraph_binary() -> str | None:
    """The Oxigraph server binary (from the ``oxigraph`` PyPI package beside this Python)."""
    import shutil
    import sys
    from pathlib import Path

    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.is_file() else shutil.which("oxigraph")


@contextmanager
def oxigraph_read_only(nquads, folder) -> Iterator[str]:
    """The Oxigraph server (``serve-read-only --union-default-graph``, as a public endpoint would run
    it) over ``nquads`` on 127.0.0.1; yields its base URL (queries go to ``/query``)."""
    import subprocess
    from pathlib import Path

    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph server binary is not installed (pip install oxigraph)")
    location = Path(folder) / "oxigraph-db"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(nquads)],
                   check=True, capture_output=True, timeout=300)
    from engines import free_loopback_port, wait_until_answering
    port = free_loopback_port()
    log_path = Path(folder) / "oxigraph.log"
    log = open(log_path, "wb")
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base_url}/query", process, log_path, START_TIMEOUT_S)
        yield base_url
    finally:
        process.kill()
        process.wait(timeout=10)
        log.close()



def stop_session(process, timeout_s: float = 30.0) -> None:
    """End a process started with ``start_new_session=True`` and everything it started (its web
    and query workers): SIGTERM to its process group, SIGKILL if it has not exited in time."""
    import os
    import signal
    import subprocess
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
