"""The :class:`Runtime` the app holds, in its own module so routers import it without a circle."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request

from vankien.graph.executor import QueryExecutor
from vankien.graph.pipeline import artifact_path, open_graph, serving_settings
from vankien.graph.settings import Settings
from vankien.graph.store import Store

log = logging.getLogger("vankien.api")


@dataclass
class Runtime:
    """The settings, the store with the built graph (for the named competency queries) and the
    sandboxed executor that runs users' SPARQL with a hard time limit."""

    settings: Settings
    store: Store
    executor: QueryExecutor

    def close(self) -> None:
        for part in (self.executor, self.store):
            try:
                part.close()
            except Exception:  # closing is best effort at shutdown
                log.exception("closing %s failed", type(part).__name__)


def open_runtime(settings: Settings) -> Runtime:
    settings = serving_settings(settings)  # the memory store: served from its snapshot on disk
    store = open_graph(settings, read_only=True)  # serving never writes: worker processes share a disk store
    nquads = artifact_path(settings) if settings.store == "memory" else None
    return Runtime(settings=settings, store=store, executor=QueryExecutor(settings, nquads))


async def runtime_of(request: Request) -> Runtime:
    """The runtime, for routers (FastAPI dependency; async, so no thread is taken to read it)."""
    return request.app.state.runtime
