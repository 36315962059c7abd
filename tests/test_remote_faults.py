"""A remote write that stores nothing, stores part, or is answered with an HTML page makes
`vankien load` and `vankien build` fail (non-zero exit, the graph and the counts named), and the
previously served graphs are still served — on the Oxigraph server and on Virtuoso.

The faults are injected by a proxy on 127.0.0.1 between vankien and the engine: it passes queries
and updates through, and drops, truncates or answers with an HTML page every upload (a Graph Store
POST of N-Triples).
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vankien.cli.commands import main
from vankien.graph.settings import Settings
from vankien.graph.store import open_store
from vankien.graph.remote.upload import STAGING
from vankien.graph.synth import generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import live_server

HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive"}
HTML_PAGE = b"<!DOCTYPE html><html><body><form method='post'><textarea name='graph'></textarea></form></body></html>"


class FaultProxy:
    """Forwards to ``upstream``; ``mode`` says what happens to uploads: pass, drop, truncate, html."""

    def __init__(self, upstream: str) -> None:
        self.upstream, self.mode, self.uploads = upstream, "pass", 0
        self.app = Starlette(routes=[Route("/{path:path}", self.forward, methods=["GET", "POST", "PUT", "DELETE"])])

    async def forward(self, request: Request) -> Response:
        body = await request.body()
        upload = request.method in ("POST", "PUT") and "n-triples" in request.headers.get("content-type", "")
        if upload:
            self.uploads += 1
            if self.mode == "drop":
                return Response(status_code=204)
            if self.mode == "html":
                return Response(HTML_PAGE, status_code=200, media_type="text/html")
            if self.mode == "truncate":
                lines = body.splitlines(keepends=True)
                body = b"".join(lines[: len(lines) // 2])
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
        async with httpx.AsyncClient(timeout=120) as client:
            answer = await client.request(request.method, self.upstream + request.url.path,
                                          params=request.query_params.multi_items(), content=body, headers=headers)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
        return Response(answer.content, status_code=answer.status_code, headers=kept)


@pytest.fixture(scope="module")
def proxied(remote_engine):
    """(engine settings, the same through the fault proxy, the proxy)."""
    parts = urlsplit(remote_engine["remote_query_url"])
    proxy = FaultProxy(urlunsplit((parts.scheme, parts.netloc, "", "", "")))
    with live_server(proxy.app, probe_path="/") as base_url:
        yield remote_engine, {**remote_engine, "remote_query_url": base_url + parts.path}, proxy


def union_dataset(engine: dict) -> dict:
    """``engine`` with VANKIEN_REMOTE_DATASET=union (on Virtuoso: its own graphs made private, tests/engines.py)."""
    with open_store(Settings(store="remote", **engine)) as store:
        if store.profile.union_fields is None:
            pytest.skip(f"the {store.profile.name} profile has no union dataset")
    return {**engine, "remote_dataset": "union"}


def _staging_graphs(engine: dict) -> list[str]:
    with open_store(Settings(store="remote", **engine)) as store:
        rows = store._select_raw(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                                 f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}')
    return [row["g"].value for row in rows]


def _served(engine: dict) -> tuple[list[str], set[str]]:
    with open_store(Settings(store="remote", **engine)) as store:
        return store.named_graphs(), {str(q) for q in ox.parse(store.dump("nquads"), ox.RdfFormat.N_QUADS)}


def _run(engine: dict, folder: Path, *argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("remote_query_url", "remote_user", "remote_password", "query_timeout_s", "remote_dataset"):
            if engine.get(name):
                patch.setenv(f"VANKIEN_{name.upper()}", str(engine[name]))
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = main([*argv, "--store", "remote", "--data-dir", str(folder)])
    return status, err.getvalue()


@pytest.fixture(params=["listed", "union"])
def dataset(request, proxied):
    """(engine, engine through the proxy, proxy) with each VANKIEN_REMOTE_DATASET the engine offers."""
    engine, through_proxy, proxy = proxied
    if request.param == "union":
        engine, through_proxy = union_dataset(engine), union_dataset(through_proxy)
    return engine, through_proxy, proxy


@pytest.fixture
def previous(dataset, store_fixtures):
    """The engine serving sample.nq (the last good graph), written without faults."""
    engine, _, proxy = dataset
    proxy.mode = "pass"
    with open_store(Settings(store="remote", **engine)) as store:
        store.replace_with(store_fixtures / "sample.nq")
    return _served(engine)


@pytest.mark.parametrize("mode", ["drop", "truncate", "html"])
def test_a_faulty_load_fails_loudly_and_keeps_the_last_good_graph(dataset, previous, mode, tmp_path):
    engine, through_proxy, proxy = dataset
    corpus = tmp_path / "synthetic.nq"
    generate(40, seed=9, out=corpus, ontology=False)
    proxy.mode, proxy.uploads = mode, 0
    status, err = _run(through_proxy, tmp_path / "var", "load", str(corpus))
    assert proxy.uploads > 0
    assert status != 0
    if mode == "html":
        assert "HTML page" in err and "nothing was written" in err
    else:
        assert "graph <https://w3id.org/vankien/synthetic/id/graph/" in err
        assert "expected" in err and (", found 0" if mode == "drop" else ", found ") in err
        assert "previously served graphs are unchanged" in err
    assert engine.get("remote_password", "\0") not in err    # credentials never printed
    assert _served(engine) == previous
    assert _staging_graphs(engine) == []                     # what was staged is dropped


def test_a_faulty_build_fails_loudly_and_keeps_the_last_good_graph(dataset, previous, tmp_path):
    engine, through_proxy, proxy = dataset
    for mode in ("drop", "truncate", "html"):
        proxy.mode, proxy.uploads = mode, 0
        status, err = _run(through_proxy, tmp_path / "var", "build")
        assert status != 0 and proxy.uploads > 0, mode
        if mode == "html":
            assert "HTML page" in err and "nothing was written" in err
        else:
            assert "graph <https://w3id.org/vankien/" in err and "expected" in err, err
            assert (", found 0" if mode == "drop" else ", found ") in err
        assert _served(engine) == previous, mode
        assert _staging_graphs(engine) == [], mode
    proxy.mode = "pass"
    status, err = _run(through_proxy, tmp_path / "var", "build")     # the same build without the fault
    assert status == 0, err
    graphs, quads = _served(engine)
    assert "https://w3id.org/vankien/id/graph/bdbp-218887-de" in graphs and len(quads) > 1000
